"""A crawl from start to summary: sites in parallel, each one polite, resumable at any point.

Each site is crawled by one thread with one connection (:class:`~govreports.fetch.client.SiteClient`);
``hosts`` sites are crawled at once. A site's queue lives in the state database, so a crawl
stopped at any point (Ctrl-C, a crash, a reboot) continues from there when the same command
is run again; once a run has ended, the next one is a new run that rechecks what it knows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Never

import httpx
from tqdm import tqdm

from govreports.fetch.archive import (
    HIDDEN,
    VERSIONS_FOLDER,
    ZIP_FOLDER,
    ArchivedPayload,
    WarcArchive,
    file_name,
    keep_version,
    member_file,
    save_file,
    unique_name,
    write_manifest,
)
from govreports.fetch.client import ClientOptions, Response, SiteClient, user_agent
from govreports.fetch.discovery import (
    DEFAULT_PATTERNS,
    LinkRules,
    Page,
    attachment_type,
    looks_like_column,
    parse_page,
    report_links,
    same_site,
    site_of,
)
from govreports.fetch.sources import Source, as_sources
from govreports.fetch.state import Item, Planned, Row, State
from govreports.fetch.unpack import NotAnArchiveError, is_archive, members

log = logging.getLogger("govreports.fetch")

CONTACT_VARIABLE = "GOVREPORTS_CONTACT"
STATE_FILE = f"{HIDDEN}/state.sqlite"
WARC_FOLDER = f"{HIDDEN}/warc"
_PAGE_KINDS = ("auto", "column", "report")


@dataclass(frozen=True)
class FetchOptions:
    """How to crawl; the keyword arguments of :func:`run` (see there)."""

    contact: str | None = None
    delay: float = 2.0
    hosts: int = 8
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    max_redirects: int = 5
    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 2000
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    years: tuple[int, int] | None = None
    recheck: bool = True
    verify: bool = True
    progress: bool = False
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        positive = {"hosts": self.hosts, "max_bytes": self.max_bytes, "max_pages": self.max_pages}
        for name, value in positive.items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        for name in ("delay", "timeout", "retries", "backoff", "max_redirects"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"years: {self.years[0]} is after {self.years[1]}")
        object.__setattr__(self, "patterns", tuple(self.patterns))


@dataclass
class FetchSummary:
    """What a run did: pages seen, reports found, attachments, changes, skips and failures."""

    run_id: int
    resumed: bool
    out_dir: Path
    requests: int = 0
    elapsed: float = 0.0
    columns: int = 0
    report_pages: int = 0
    reports: int = 0
    attachments: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Pages seen: column pages and report pages (read, or found not modified)."""
        return self.columns + self.report_pages

    def __str__(self) -> str:
        resumed = " (resumed)" if self.resumed else ""
        lines = [
            f"fetch run {self.run_id}{resumed} into {self.out_dir}: {self.requests} requests in "
            f"{self.elapsed:.1f} s",
            f"  pages seen: {self.pages} ({self.columns} column pages, {self.report_pages} report pages); "
            f"reports found: {self.reports}; attachments: {self.attachments}",
            f"  {'since the last run' if self.run_id > 1 else 'first run'}: {len(self.new)} new, "
            f"{len(self.changed)} changed, "
            f"{self.unchanged} unchanged; {len(self.duplicates)} duplicates of files already saved",
        ]
        lines += [f"    changed: {url}" for url in self.changed]
        lines += [f"    duplicate: {url} = {twin}" for url, twin in self.duplicates]
        reasons = Counter(reason.split(" (")[0] for _, reason in self.skipped)
        if reasons:
            lines.append(
                f"  skipped {len(self.skipped)}: " + ", ".join(f"{n} {r}" for r, n in reasons.most_common())
            )
        lines.append(f"  failed {len(self.failures)}" + (":" if self.failures else ""))
        lines += [f"    {url}: {reason}" for url, reason in self.failures]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def run(
    sources: str | os.PathLike[str] | list[Source | str], out_dir: str | os.PathLike[str], **options: Any
) -> FetchSummary:
    """Fetch annual reports from column and report pages into ``out_dir``; return what was done.

    Args:
        sources: a text or CSV file of URLs (see :mod:`govreports.fetch.sources`), or a list of
            URLs or :class:`~govreports.fetch.sources.Source`.
        out_dir: the fetch folder; saved files, WARC archive, manifest and state go there. The
            same folder again resumes an interrupted run, or starts a new incremental one.
        **options: the fields of :class:`FetchOptions`:

            - ``contact``: an e-mail or URL named in the User-Agent (required, or set
              ``GOVREPORTS_CONTACT``);
            - ``delay``: seconds between two requests to one site (2; a longer ``Crawl-delay``
              in robots.txt wins); ``hosts``: sites crawled at once (8);
            - ``timeout``: seconds to connect or to wait for data (30); ``retries``: more
              attempts after a 429, a 5xx, a timeout or a connection error (3), waiting
              ``backoff × 2**n`` seconds (2) or what Retry-After asks; ``max_redirects`` (5);
            - ``max_bytes``: largest file (50 MiB); ``max_pages``: column and report pages per
              site in one run (2000);
            - ``patterns``: regular expressions a report link's words must match
              (:data:`~govreports.fetch.discovery.DEFAULT_PATTERNS`); ``years``: ``(first,
              last)``, the report years to keep, read from the link's words;
            - ``recheck``: request known reports again, conditionally (True), or only new URLs
              (False); ``verify``: check TLS certificates (True);
            - ``progress``: a progress bar per site; ``transport``: an ``httpx`` transport (a
              proxy, tests).

    Raises KeyboardInterrupt when interrupted, after saving the manifest: run it again to resume.
    """
    settings = FetchOptions(**options)
    contact = settings.contact or os.environ.get(CONTACT_VARIABLE)
    if not contact or not contact.strip():
        raise ValueError(
            f"a contact (an e-mail or URL) is required for the User-Agent: contact=... or {CONTACT_VARIABLE}"
        )
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    listed = as_sources(sources)
    state = State(root / STATE_FILE)
    recorded = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name != "transport"}
    run_id, resumed = state.open_run({**recorded, "sources": [s.url for s in listed]})
    for source in listed:
        report_url = source.url if source.kind == "report" else None
        state.enqueue(
            run_id, source.url, site_of(source.url), source.kind, report_url=report_url, hints=source.hints()
        )
    agent = user_agent(contact.strip())
    info = {
        "software": agent.split(" (")[0],
        "format": "WARC File Format 1.1",
        "http-header-user-agent": agent,
        "robots": "obey",
        "operator": contact.strip(),
    }
    earlier = {digest: ArchivedPayload(*record) for digest, record in state.archived_payloads().items()}

    def remember(digest: str, archived: ArchivedPayload) -> None:
        state.add_archived(digest, archived.uri, archived.date, archived.record_id, archived.warc_file)

    archive = WarcArchive(root / WARC_FOLDER, run_id, info, earlier, remember)
    crawler = _Crawler(root, state, archive, run_id, settings, agent)
    started = time.monotonic()
    finished = False
    try:
        crawler.crawl()
        finished = not state.pending_sites(run_id)
    finally:
        archive.close()
        rows = state.rows()
        write_manifest(root, rows)  # also when interrupted: the manifest says what was done
        if finished:
            state.finish_run(run_id)
        state.close()
    summary = summarize([row for row in rows if row["run_id"] == run_id], run_id, resumed, root)
    summary.requests = crawler.requests
    summary.elapsed = time.monotonic() - started
    summary.notes = sorted(set(crawler.notes))
    return summary


def summarize(rows: list[Row], run_id: int, resumed: bool, root: Path) -> FetchSummary:
    """Sum up the manifest rows of one run."""
    summary = FetchSummary(run_id, resumed, root)
    reports = set()
    for row in rows:
        fetched = row["outcome"] in ("fetched", "known")
        if row["outcome"] == "skipped":
            summary.skipped.append((row["url"], row["reason"]))
        elif row["outcome"] == "failed":
            summary.failures.append((row["url"], row["reason"]))
        if not fetched:
            continue
        kind = row["kind"]
        summary.columns += kind == "column"
        summary.report_pages += kind == "report"
        summary.attachments += kind == "attachment" and row["url"] != row["report_url"]
        if kind in ("report", "attachment") and not row["duplicate_of"]:
            reports.add(row["report_url"] or row["url"])
        if row["duplicate_of"]:
            summary.duplicates.append((row["url"], row["duplicate_of"]))
        elif row["change"] == "new":
            summary.new.append(row["url"])
        elif row["change"] == "changed":
            summary.changed.append(row["url"])
        else:
            summary.unchanged += 1
    summary.reports = len(reports)
    return summary


class _Crawler:
    """Runs the sites of a run in parallel, ``hosts`` at a time."""

    def __init__(
        self, root: Path, state: State, archive: WarcArchive, run_id: int, settings: FetchOptions, agent: str
    ) -> None:
        self.root, self.state, self.archive, self.run_id, self.settings = (
            root,
            state,
            archive,
            run_id,
            settings,
        )
        self.rules = LinkRules(settings.patterns, settings.years)
        self.client_options = ClientOptions(
            user_agent=agent,
            delay=settings.delay,
            timeout=settings.timeout,
            retries=settings.retries,
            backoff=settings.backoff,
            max_redirects=settings.max_redirects,
            max_bytes=settings.max_bytes,
            verify=settings.verify,
        )
        self.stop = threading.Event()
        self.requests = 0
        self.notes: list[str] = []
        self._lock = threading.Lock()
        self._positions: queue.SimpleQueue[int] = queue.SimpleQueue()
        for position in range(settings.hosts):
            self._positions.put(position)

    def crawl(self) -> None:
        pool = ThreadPoolExecutor(self.settings.hosts, thread_name_prefix="govreports-fetch")
        active: dict[str, Future[None]] = {}
        ended: set[str] = set()  # a site is crawled once per invocation, whatever it left
        try:
            while True:
                waiting = [
                    s for s in self.state.pending_sites(self.run_id) if s not in active and s not in ended
                ]
                for site in waiting[: self.settings.hosts - len(active)]:
                    active[site] = pool.submit(self.crawl_site, site)
                if not active:
                    break
                done, _ = wait(active.values(), return_when=FIRST_COMPLETED)
                for site in [s for s, future in active.items() if future in done]:
                    ended.add(site)
                    active.pop(site).result()
        except BaseException:
            self.stop.set()  # the other sites end after the request under way
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def crawl_site(self, site: str) -> None:
        position = self._positions.get()
        bar = tqdm(desc=site, position=position, leave=False, unit="url", disable=not self.settings.progress)
        try:
            with SiteClient(
                self.client_options, self.archive, transport=self.settings.transport, stop=self.stop
            ) as client:
                try:
                    _SiteCrawl(self, site, client, bar).crawl()
                finally:
                    with self._lock:
                        self.requests += client.requests
                        self.notes.extend(f"{origin}: {note}" for origin, note in client.robots_notes.items())
        finally:
            bar.close()
            self._positions.put(position)


class _SiteCrawl:
    """One site's queue, worked through in order with one client."""

    def __init__(self, crawler: _Crawler, site: str, client: SiteClient, bar: tqdm[Never]) -> None:
        self.crawler, self.site, self.client, self.bar = crawler, site, client, bar
        self.state, self.root, self.run_id = crawler.state, crawler.root, crawler.run_id
        self.settings, self.rules = crawler.settings, crawler.rules
        self.pages = self.state.pages_fetched(self.run_id, site)

    def crawl(self) -> None:
        while not self.crawler.stop.is_set():
            item = self.state.next_item(self.run_id, self.site)
            if item is None:
                return
            try:
                self.process(item)
            except Exception as error:  # noqa: BLE001 - one bad page must not end the crawl
                log.exception("fetch: %s", item.url)
                self._record(
                    item, outcome="failed", reason=f"error while processing: {type(error).__name__}: {error}"
                )
            if self.crawler.stop.is_set() and not self.state.fetched_in_run(self.run_id, item.url):
                return  # stopped during this item: a resumed run does it again
            self.state.mark_done(item)
            done, pending = self.state.pending_count(self.run_id, self.site)
            self.bar.total = done + pending
            self.bar.update(1)

    # One URL ----------------------------------------------------------------------------

    def process(self, item: Item) -> None:
        is_page = item.kind in _PAGE_KINDS
        if is_page and self.pages >= self.settings.max_pages:
            reason = f"page limit reached ({self.settings.max_pages} pages for this site in one run)"
            self._record(item, kind=_known_kind(item), outcome="skipped", reason=reason)
            return
        previous = self.state.last_fetch(item.url)
        usable = previous if previous is not None and self._reusable(item, previous) else None
        if usable is not None and not self.settings.recheck and usable["kind"] in ("report", "attachment"):
            self._known(item, usable)
            return
        response = self.client.get(
            item.url,
            etag=usable["etag"] if usable else None,
            last_modified=usable["last_modified"] if usable else None,
        )
        if is_page and response.attempts:
            self.pages += 1
        if self.crawler.stop.is_set() and response.error == "the run was stopped":
            return
        if response.skipped:
            self._record(item, response, kind=_known_kind(item), outcome="skipped", reason=response.skipped)
        elif response.error:
            self._record(item, response, kind=_known_kind(item), outcome="failed", reason=response.error)
        elif response.status == 304 and usable is not None:
            self._not_modified(item, response, usable)
        elif not 200 <= (response.status or 0) < 300:
            self._record(
                item, response, kind=_known_kind(item), outcome="failed", reason=f"HTTP {response.status}"
            )
        else:
            self._content(item, response, previous)

    def _reusable(self, item: Item, previous: Row) -> bool:
        """Whether a conditional request may stand: what a 304 would stand for is still at hand."""
        saved = previous["saved_file"]
        if saved and not (self.root / saved).is_file():
            return False
        if previous["kind"] in ("column", "report") and self.state.links(item.url) is None:
            return False
        return bool(saved) or previous["kind"] == "column"

    def _known(self, item: Item, previous: Row) -> None:
        reason = "known from an earlier run, not requested again (recheck off)"
        self._record_like(item, previous, outcome="known", change="unchanged", reason=reason)
        self._unpack_known(item, previous, previous["fetched_at"])
        self._apply(item, self.state.links(item.url) or [])

    def _not_modified(self, item: Item, response: Response, previous: Row) -> None:
        self._record_like(
            item,
            previous,
            response=response,
            change="not_modified",
            etag=response.headers.get("etag") or previous["etag"],
            last_modified=response.headers.get("last-modified") or previous["last_modified"],
        )
        self._unpack_known(item, previous, response.fetched_at)
        self._apply(item, self.state.links(item.url) or [])

    def _content(self, item: Item, response: Response, previous: Row | None) -> None:
        content_type = (response.content_type or "").split(";")[0].strip().lower()
        is_html = "html" in content_type or (
            content_type in ("", "application/octet-stream", "text/plain")
            and response.content.lstrip()[:512].lower().startswith((b"<!doctype html", b"<html"))
        )
        if item.kind == "attachment":
            if "html" in content_type:
                reason = "an HTML page where a file was linked (an error or login page?)"
                self._record(item, response, kind="attachment", outcome="failed", reason=reason)
                return
            self._save(item, response, previous, kind="attachment")
            return
        if not is_html:  # a report link that downloads the report itself
            self._save(item, response, previous, kind="attachment")
            return
        page = parse_page(response.final_url, response.content, response.content_type)
        kind = item.kind
        if kind == "auto":
            kind = "column" if looks_like_column(page, self.rules) else "report"
        if kind == "column":
            planned = self._plan_column(item, page)
            change, previous_sha = _change(previous, _sha256(response.content))
            self._record(
                item,
                response,
                kind="column",
                report_url=None,
                title=page.title,
                change=change,
                previous_sha256=previous_sha,
            )
        else:
            planned = self._plan_attachments(item, page)
            self._save(item, response, previous, kind="report", page=page)
        self.state.save_links(item.url, planned)
        self._apply(item, planned)

    # Links ------------------------------------------------------------------------------

    def _plan_column(self, item: Item, page: Page) -> list[Planned]:
        planned = []
        for link in report_links(page, self.rules):
            reason = self.rules.year_reason(link.text)
            if reason is None and not same_site(link.url, item.url):
                reason = "off the site"
            # A page is told from its content: a report page, or a sub-column (one per year, say).
            kind = "attachment" if attachment_type(link.url, link.text) else "auto"
            planned.append(_plan(link.url, kind, link.url, link.text, link.date, reason))
        for url in page.pager:
            planned.append(_plan(url, "column", None, None, None, None))
        return planned

    def _plan_attachments(self, item: Item, page: Page) -> list[Planned]:
        planned = []
        for link in page.links:
            if link.neighbour or not attachment_type(link.url, link.text):
                continue
            reason = None if same_site(link.url, item.url) else "off the site"
            report_url = item.report_url or item.url
            planned.append(
                _plan(link.url, "attachment", report_url, link.text, page.published or item.date, reason)
            )
        return planned

    def _apply(self, item: Item, planned: list[Planned]) -> None:
        """Queue what a page led to; record once per run the links that are not followed, and why."""
        for plan in planned:
            if plan["reason"] is None:
                self.state.enqueue(
                    self.run_id,
                    plan["url"],
                    site_of(plan["url"]),
                    plan["kind"],
                    referrer=item.url,
                    report_url=plan["report_url"],
                    link_text=plan["link_text"],
                    date=plan["date"],
                    hints=item.hints,
                )
            elif self.state.fetched_in_run(self.run_id, plan["url"]) is None:
                skipped = Item(
                    0,
                    self.run_id,
                    plan["url"],
                    site_of(plan["url"]),
                    plan["kind"],
                    item.url,
                    plan["report_url"],
                    plan["link_text"],
                    plan["date"],
                    item.hints,
                )
                self._record(skipped, kind=plan["kind"], outcome="skipped", reason=plan["reason"])

    # Saving -----------------------------------------------------------------------------

    def _save(
        self, item: Item, response: Response, previous: Row | None, *, kind: str, page: Page | None = None
    ) -> None:
        body = response.content
        name = file_name(
            response.final_url, response.content_type, response.headers.get("content-disposition")
        )
        if is_archive(body, name):
            name = f"{ZIP_FOLDER}/{name}"  # out of parse's sight: its members are saved instead
        stored = self._store(item.url, body, previous, name)
        self._record(
            item,
            response,
            kind=kind,
            title=page.title if page is not None else None,
            published=(page.published if page is not None else None) or item.date,
            report_url=item.report_url or item.url,
            saved_file=stored.saved,
            change=stored.change,
            previous_sha256=stored.previous_sha,
            duplicate_of=stored.duplicate_of,
        )
        saved: set[str] = set()
        if stored.saved.startswith(f"{ZIP_FOLDER}/") and stored.duplicate_of is None:
            saved = self._unpack(item, body, stored.saved, response.fetched_at, response.warc_file)
        self._set_aside_members(item.url, saved)  # all of them, where the URL is no archive now

    def _store(self, url: str, body: bytes, previous: Row | None, name: str) -> _Stored:
        """Save a URL's content under ``name``, unless it is unchanged or another URL's file holds it.

        A file edited since the last run is kept in both versions, the earlier one aside.
        """
        sha = _sha256(body)
        change, previous_sha = _change(previous, sha)
        old = previous["saved_file"] if previous else None
        kept = old and not old.startswith(f"{VERSIONS_FOLDER}/") and (self.root / old).is_file()
        if kept:
            assert previous is not None and old is not None  # a kept file is the previous row's
            if change == "unchanged":
                return _Stored(old, previous["duplicate_of"], change, previous_sha, sha)
            if change == "changed" and not previous["duplicate_of"]:
                if self.state.used_in_run(self.run_id, old, url):  # the old bytes are another URL's now
                    name = unique_name(name, f"{url}#{sha}")
                else:
                    self.state.move_saved_file(old, keep_version(self.root, old, previous["fetched_at"]))
        twin = self.state.saved_with_sha(sha, url)
        if twin is not None and (self.root / twin["saved_file"]).is_file():
            return _Stored(twin["saved_file"], twin["url"], change, previous_sha, sha)
        owner = self.state.owner_of(name)
        if owner is not None and owner != url:
            name = unique_name(name, url)
        save_file(self.root, name, body)
        return _Stored(name, None, change, previous_sha, sha)

    # Zip attachments --------------------------------------------------------------------

    def _unpack_known(self, item: Item, previous: Row, fetched_at: str | None) -> None:
        """List again the members of an archive known from an earlier run (not modified, or known)."""
        saved = previous["saved_file"]
        if not saved or not saved.startswith(f"{ZIP_FOLDER}/") or previous["duplicate_of"]:
            return
        data = (self.root / saved).read_bytes()
        # Setting aside again is for a run that stopped between unpacking an archive and that.
        self._set_aside_members(item.url, self._unpack(item, data, saved, fetched_at, previous["warc_file"]))

    def _unpack(
        self, item: Item, data: bytes, archive: str, fetched_at: str | None, warc_file: str | None
    ) -> set[str]:
        """Save the members of a zip archive that may hold the report; one manifest row each.

        A member's URL is the archive's with ``#`` and the member's key; it belongs to the
        archive's report page. Members go to a folder named after the archive
        (``<site>/<path>/<name>_zip/``). Return the URLs of the members saved.
        """
        folder = os.path.splitext(archive.removeprefix(f"{ZIP_FOLDER}/"))[0] + "_zip"
        saved: set[str] = set()
        listed = 0
        try:
            for member in members(data, max_bytes=self.settings.max_bytes):
                entry = self._member_item(item, member.key, member.name)
                listed += 1
                if member.data is None:
                    self._record(entry, kind="attachment", outcome="skipped", reason=member.skipped)
                elif self._save_member(
                    entry, member.data, member_file(folder, member.name), fetched_at, warc_file
                ):
                    saved.add(entry.url)
            if not listed:
                raise NotAnArchiveError("the archive holds no files")
        except NotAnArchiveError as error:
            entry = self._member_item(item, "", None)
            self._record(entry, kind="attachment", outcome="failed", reason=str(error))
        return saved

    def _member_item(self, item: Item, key: str, name: str | None) -> Item:
        report_url = item.report_url or item.url
        return Item(
            0, self.run_id, f"{item.url}#{key}", item.site, "attachment", item.url, report_url, name,
            item.date, item.hints,
        )  # fmt: skip

    def _save_member(
        self, entry: Item, data: bytes, name: str, fetched_at: str | None, warc_file: str | None
    ) -> bool:
        """Save one member and record it; return whether it was saved."""
        try:
            stored = self._store(entry.url, data, self.state.last_fetch(entry.url), name)
        except OSError as error:  # a name the file system refuses, a folder where a file goes
            reason = f"cannot be saved as {name}: {error.strerror or type(error).__name__}"
            self._record(entry, kind="attachment", outcome="failed", reason=reason)
            return False
        self._record(
            entry,
            final_url=entry.url,
            fetched_at=fetched_at,
            bytes=len(data),
            sha256=stored.sha,
            saved_file=stored.saved,
            change=stored.change,
            previous_sha256=stored.previous_sha,
            duplicate_of=stored.duplicate_of,
            warc_file=warc_file,
        )
        return True

    def _set_aside_members(self, archive_url: str, current: set[str]) -> None:
        """Move aside the saved members of an earlier version of an archive that this one lacks.

        They are kept (in ``.fetch/versions``) but no longer read as the archive's files. A file
        another URL fetched in this run stands on (the same bytes found elsewhere) stays.
        """
        for row in self.state.members_saved(archive_url):
            saved = row["saved_file"]
            if row["url"] in current or not (self.root / saved).is_file():
                continue
            if self.state.owner_of(saved) == row["url"] and not self.state.used_in_run(
                self.run_id, saved, row["url"]
            ):
                self.state.move_saved_file(saved, keep_version(self.root, saved, row["fetched_at"]))

    # Manifest rows ----------------------------------------------------------------------

    def _record(self, item: Item, response: Response | None = None, **fields: Any) -> None:
        row = {
            "run_id": self.run_id,
            "site": item.site,
            "kind": item.kind,
            "url": item.url,
            "referrer": item.referrer,
            "report_url": item.report_url,
            "link_text": item.link_text,
            "published": item.date,
            "organ": item.hints.get("organ"),
            "year": item.hints.get("year"),
            "region": item.hints.get("region"),
            "outcome": "fetched",
        }
        if response is not None:
            content = response.content if response.status and response.status < 300 else b""
            row.update(
                final_url=response.final_url,
                status=response.status,
                content_type=response.content_type,
                fetched_at=response.fetched_at,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                redirects=" ".join(response.redirects) or None,
                attempts=response.attempts or None,
                warc_file=response.warc_file,
                payload_digest=response.payload_digest,
            )
            if fields.get("outcome", "fetched") == "fetched":
                row.update(bytes=len(content), sha256=_sha256(content))
        row.update(fields)
        self.state.record(row)

    def _record_like(
        self, item: Item, previous: Row, *, response: Response | None = None, **fields: Any
    ) -> None:
        """Record a URL whose content is the one known from an earlier row (not modified, or known)."""
        kept = ("kind", "bytes", "sha256", "title", "saved_file", "published", "duplicate_of", "report_url")
        self._record(item, response, **{name: previous[name] for name in kept}, **fields)


@dataclass(frozen=True)
class _Stored:
    """Where a URL's content is kept: its own file, or another URL's (``duplicate_of``)."""

    saved: str
    duplicate_of: str | None
    change: str  # "new", "changed" or "unchanged"
    previous_sha: str | None
    sha: str  # of the content stored


def _plan(
    url: str, kind: str, report_url: str | None, link_text: str | None, date: str | None, reason: str | None
) -> Planned:
    return {
        "url": url,
        "kind": kind,
        "report_url": report_url,
        "link_text": link_text,
        "date": date,
        "reason": reason,
    }


def _known_kind(item: Item) -> str:
    return "report" if item.kind == "auto" else item.kind


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _change(previous: Row | None, sha: str) -> tuple[str, str | None]:
    """Compare with the last known content: ``new``, ``unchanged`` or ``changed`` (and the earlier sha256)."""
    if previous is None:
        return "new", None
    if previous["sha256"] == sha:
        return "unchanged", None
    return "changed", previous["sha256"]
