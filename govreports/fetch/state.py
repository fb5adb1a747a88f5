"""The crawl's memory, in one SQLite file: runs, the queue of each run, every fetch, links seen.

It is what makes a crawl resumable and incremental. A run that stopped before its end (an
interruption, a crash) is resumed by the next invocation: its queue still holds the URLs not
yet done. A run that ended is followed by a new run, which requests what is already known
conditionally (its ETag and Last-Modified) and compares what comes back by sha256. Every
write is committed at once, so an interruption loses at most the request under way.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

# One row per request outcome: the manifest, in the order the rows were written.
FETCH_COLUMNS = (
    "run_id",
    "site",
    "kind",
    "url",
    "final_url",
    "status",
    "content_type",
    "bytes",
    "sha256",
    "fetched_at",
    "title",
    "referrer",
    "report_url",
    "saved_file",
    "link_text",
    "published",
    "organ",
    "year",
    "region",
    "outcome",
    "reason",
    "change",
    "previous_sha256",
    "duplicate_of",
    "etag",
    "last_modified",
    "redirects",
    "attempts",
    "warc_file",
    "payload_digest",
)

# A row of the fetches table (or one about to be written): SQLite values by column name.
Row = dict[str, Any]
# What a source says of the reports found from it: organ, year and region (None: not known).
Hints = dict[str, str | int | None]


class Planned(TypedDict):
    """A link a page led to: queued, or recorded as skipped with the reason."""

    url: str
    kind: str
    report_url: str | None
    link_text: str | None
    date: str | None
    reason: str | None


_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, options TEXT
);
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, url TEXT NOT NULL,
    site TEXT NOT NULL, kind TEXT NOT NULL, referrer TEXT, report_url TEXT, link_text TEXT,
    date TEXT, hints TEXT, state TEXT NOT NULL DEFAULT 'pending', UNIQUE (run_id, url)
);
CREATE INDEX IF NOT EXISTS queue_pending ON queue (run_id, site, state, seq);
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, {", ".join(FETCH_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS fetches_url ON fetches (url);
CREATE INDEX IF NOT EXISTS fetches_sha ON fetches (sha256);
CREATE INDEX IF NOT EXISTS fetches_referrer ON fetches (referrer);
CREATE INDEX IF NOT EXISTS fetches_saved ON fetches (saved_file);
CREATE TABLE IF NOT EXISTS links (page_url TEXT PRIMARY KEY, planned TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS archived_payloads (
    digest TEXT PRIMARY KEY, uri TEXT NOT NULL, date TEXT NOT NULL, record_id TEXT NOT NULL,
    warc_file TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Item:
    """A queued URL: what it is, where it was found, and the hints it carries."""

    seq: int
    run_id: int
    url: str
    site: str
    kind: str  # "auto", "column", "report" or "attachment"
    referrer: str | None
    report_url: str | None
    link_text: str | None
    date: str | None
    hints: Hints


def now() -> str:
    """Return the current UTC time as ISO 8601 with seconds (the manifest's ``fetched_at``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class State:
    """The SQLite state of a fetch folder; safe to share between the crawl's threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._locked() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    def close(self) -> None:
        """Close the database."""
        with self._locked() as db:
            db.close()

    # Runs -------------------------------------------------------------------------------

    def open_run(self, options: dict[str, Any]) -> tuple[int, bool]:
        """Resume the last run if it did not finish, else start a new one: ``(run_id, resumed)``."""
        with self._locked() as db:
            last = db.execute("SELECT run_id, finished FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
            if last is not None and last["finished"] is None:
                return last["run_id"], True
            cursor = db.execute(
                "INSERT INTO runs (started, options) VALUES (?, ?)", (now(), json.dumps(options, default=str))
            )
            run_id = cursor.lastrowid
            assert run_id is not None  # set by the INSERT just made
            return run_id, False

    def finish_run(self, run_id: int) -> None:
        """Mark a run as ended: the next invocation starts a new one."""
        with self._locked() as db:
            db.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (now(), run_id))

    # Queue ------------------------------------------------------------------------------

    def enqueue(
        self,
        run_id: int,
        url: str,
        site: str,
        kind: str,
        *,
        referrer: str | None = None,
        report_url: str | None = None,
        link_text: str | None = None,
        date: str | None = None,
        hints: Hints | None = None,
        done: bool = False,
    ) -> bool:
        """Queue a URL for this run; False when the run already has it (found twice)."""
        with self._locked() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO queue (run_id, url, site, kind, referrer, report_url, link_text, "
                "date, hints, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    url,
                    site,
                    kind,
                    referrer,
                    report_url,
                    link_text,
                    date,
                    json.dumps(hints or {}, ensure_ascii=False),
                    "done" if done else "pending",
                ),
            )
            return cursor.rowcount == 1

    def next_item(self, run_id: int, site: str) -> Item | None:
        """Return the oldest URL of a site still to do in this run."""
        with self._locked() as db:
            row = db.execute(
                "SELECT * FROM queue WHERE run_id = ? AND site = ? AND state = 'pending' "
                "ORDER BY seq LIMIT 1",
                (run_id, site),
            ).fetchone()
        if row is None:
            return None
        fields = {k: row[k] for k in row.keys() if k != "state"}  # noqa: SIM118 - sqlite3.Row
        return Item(**{**fields, "hints": json.loads(row["hints"] or "{}")})

    def mark_done(self, item: Item) -> None:
        """Mark a queued URL as done: a resumed run does not request it again."""
        with self._locked() as db:
            db.execute("UPDATE queue SET state = 'done' WHERE seq = ?", (item.seq,))

    def pending_sites(self, run_id: int) -> list[str]:
        """List the sites with URLs still to do in this run, in the order they were first queued."""
        with self._locked() as db:
            rows = db.execute(
                "SELECT site, MIN(seq) AS first FROM queue WHERE run_id = ? AND state = 'pending' "
                "GROUP BY site ORDER BY first",
                (run_id,),
            ).fetchall()
        return [row["site"] for row in rows]

    def pending_count(self, run_id: int, site: str) -> tuple[int, int]:
        """``(done, pending)`` URLs of a site in this run."""
        with self._locked() as db:
            rows = dict(
                db.execute(
                    "SELECT state, COUNT(*) FROM queue WHERE run_id = ? AND site = ? GROUP BY state",
                    (run_id, site),
                ).fetchall()
            )
        return rows.get("done", 0), rows.get("pending", 0)

    # Fetches ----------------------------------------------------------------------------

    def record(self, row: Row) -> None:
        """Write one manifest row."""
        values = [row.get(column) for column in FETCH_COLUMNS]
        columns, marks = ", ".join(FETCH_COLUMNS), ", ".join("?" * len(FETCH_COLUMNS))
        with self._locked() as db:
            db.execute(f"INSERT INTO fetches ({columns}) VALUES ({marks})", values)

    def last_fetch(self, url: str) -> Row | None:
        """Return the latest row of a URL that holds its content (a 200, or a 304 standing for one)."""
        with self._locked() as db:
            row = db.execute(
                "SELECT * FROM fetches WHERE url = ? AND outcome = 'fetched' AND sha256 IS NOT NULL "
                "ORDER BY id DESC LIMIT 1",
                (url,),
            ).fetchone()
        return dict(row) if row is not None else None

    def fetched_in_run(self, run_id: int, url: str) -> Row | None:
        """Return this run's row for a URL, if it has one."""
        with self._locked() as db:
            row = db.execute(
                "SELECT * FROM fetches WHERE run_id = ? AND url = ? ORDER BY id DESC LIMIT 1", (run_id, url)
            ).fetchone()
        return dict(row) if row is not None else None

    def saved_with_sha(self, sha256: str, url: str) -> Row | None:
        """Return a row of another URL whose saved file holds these very bytes (the same report twice)."""
        with self._locked() as db:
            row = db.execute(
                "SELECT * FROM fetches WHERE sha256 = ? AND url != ? AND saved_file IS NOT NULL "
                "AND saved_file NOT LIKE '.fetch/versions/%' AND duplicate_of IS NULL ORDER BY id LIMIT 1",
                (sha256, url),
            ).fetchone()
        return dict(row) if row is not None else None

    def archived_payloads(self) -> dict[str, tuple[str, str, str, str]]:
        """Map each payload digest archived in full to its response record: URI, date, id, WARC file."""
        with self._locked() as db:
            rows = db.execute(
                "SELECT digest, uri, date, record_id, warc_file FROM archived_payloads"
            ).fetchall()
        return {digest: (uri, date, record_id, warc) for digest, uri, date, record_id, warc in rows}

    def add_archived(self, digest: str, uri: str, date: str, record_id: str, warc_file: str) -> None:
        """Remember the response record that holds a payload in full (a later one replaces it)."""
        with self._locked() as db:
            db.execute(
                "INSERT OR REPLACE INTO archived_payloads (digest, uri, date, record_id, warc_file) "
                "VALUES (?, ?, ?, ?, ?)",
                (digest, uri, date, record_id, warc_file),
            )

    def members_saved(self, archive_url: str) -> list[Row]:
        """Return, for each file an archive held (``<archive>#<member>``), its latest row with a file."""
        with self._locked() as db:
            rows = db.execute(
                "SELECT * FROM fetches WHERE id IN (SELECT MAX(id) FROM fetches WHERE referrer = ? "
                "AND saved_file IS NOT NULL GROUP BY url) AND duplicate_of IS NULL "
                "AND saved_file NOT LIKE '.fetch/%'",
                (archive_url,),
            ).fetchall()
        return [dict(row) for row in rows if row["url"].startswith(f"{archive_url}#")]

    def used_in_run(self, run_id: int, saved_file: str, url: str) -> bool:
        """Tell whether another URL fetched in this run stands on a saved file (its bytes twice).

        A URL of an earlier run is requested again in this one, and finds its bytes anew.
        """
        with self._locked() as db:
            row = db.execute(
                "SELECT 1 FROM fetches WHERE run_id = ? AND saved_file = ? AND url != ? "
                "AND sha256 IS NOT NULL LIMIT 1",
                (run_id, saved_file, url),
            ).fetchone()
        return row is not None

    def owner_of(self, saved_file: str) -> str | None:
        """Return the URL whose content a saved file holds."""
        with self._locked() as db:
            row = db.execute(
                "SELECT url FROM fetches WHERE saved_file = ? AND duplicate_of IS NULL ORDER BY id LIMIT 1",
                (saved_file,),
            ).fetchone()
        return row[0] if row is not None else None

    def move_saved_file(self, old: str, new: str) -> None:
        """Point the rows of a saved file at the place it was moved to (an older version)."""
        with self._locked() as db:
            db.execute("UPDATE fetches SET saved_file = ? WHERE saved_file = ?", (new, old))

    def pages_fetched(self, run_id: int, site: str) -> int:
        """How many pages (columns and report pages) of a site this run has requested."""
        with self._locked() as db:
            row = db.execute(
                "SELECT COUNT(*) FROM fetches WHERE run_id = ? AND site = ? "
                "AND kind IN ('column', 'report') AND attempts IS NOT NULL",
                (run_id, site),
            ).fetchone()
        count: int = row[0]
        return count

    def rows(self, run_id: int | None = None) -> list[Row]:
        """Return the manifest rows, of one run or of all, in the order they were written."""
        query = "SELECT * FROM fetches"
        params: tuple[int, ...] = ()
        if run_id is not None:
            query, params = query + " WHERE run_id = ?", (run_id,)
        with self._locked() as db:
            return [dict(row) for row in db.execute(query + " ORDER BY id", params)]

    # Links ------------------------------------------------------------------------------

    def save_links(self, page_url: str, planned: Iterable[Planned]) -> None:
        """Remember what a page led to, for a later run that finds the page not modified."""
        with self._locked() as db:
            db.execute(
                "INSERT OR REPLACE INTO links (page_url, planned) VALUES (?, ?)",
                (page_url, json.dumps(list(planned), ensure_ascii=False)),
            )

    def links(self, page_url: str) -> list[Planned] | None:
        """Return what a page led to when it was last read, or None when it never was."""
        with self._locked() as db:
            row = db.execute("SELECT planned FROM links WHERE page_url = ?", (page_url,)).fetchone()
        return json.loads(row[0]) if row is not None else None
