"""HTTP for one site, politely: robots.txt, one connection, a delay, retries, limits, a record of all.

A :class:`SiteClient` is the only way the crawler talks to a site. It

* reads the site's robots.txt first (with :mod:`protego`) and never requests what it
  disallows for the ``govreports`` agent; a robots.txt that cannot be had because of a server
  or network error disallows the whole site (RFC 9309, 2.3.1.4), one that does not exist
  allows it;
* holds one connection and waits ``delay`` seconds (or the site's ``Crawl-delay``, when
  longer) between the end of one request and the start of the next;
* names itself: ``govreports/<version> (+<contact>)``;
* retries on 429, 5xx, timeouts and connection errors, waiting ``backoff × 2**attempt``
  seconds or what ``Retry-After`` asks (both capped), and follows redirects itself, hop by
  hop, within the site and within ``max_redirects``;
* stops reading a body past ``max_bytes`` (announced by Content-Length or found while
  reading, compressed or not);
* hands every request and response to the archive (WARC) as it was sent and received.
"""

from __future__ import annotations

import email.utils
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from govreports.fetch.discovery import decode_page, normalize_url, same_site
from govreports.fetch.state import now

if TYPE_CHECKING:
    from govreports.fetch.archive import WarcArchive

ROBOTS_AGENT = "govreports"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_BACKOFF = 120.0  # seconds: the longest wait between two attempts, whatever Retry-After asks
MAX_CRAWL_DELAY = 60.0  # seconds: a Crawl-delay above this is read as this
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: at least 500 KiB of a robots.txt is read


@dataclass(frozen=True)
class ClientOptions:
    """How politely and how patiently to fetch (see :func:`govreports.fetch.run`)."""

    user_agent: str
    delay: float = 2.0
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0
    max_redirects: int = 5
    max_bytes: int = 50 * 1024 * 1024
    verify: bool = True


@dataclass
class Response:
    """The outcome of one GET, after redirects and retries.

    Exactly one of these holds: ``skipped`` (not requested, or not read past a limit: why),
    ``error`` (no usable response: why), or a ``status`` with ``content`` (the body with its
    Content-Encoding undone; empty for a 304).
    """

    url: str
    final_url: str
    status: int | None = None
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    content: bytes = b""
    fetched_at: str | None = None
    redirects: list[str] = field(default_factory=list)
    attempts: int = 0
    error: str | None = None
    skipped: str | None = None
    payload_digest: str | None = None
    warc_file: str | None = None

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, if any."""
        content_type: str | None = self.headers.get("content-type")
        return content_type


class SiteClient:
    """Fetch the URLs of one site, one request at a time (see the module's description)."""

    def __init__(
        self,
        options: ClientOptions,
        archive: WarcArchive,
        *,
        transport: httpx.BaseTransport | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.options = options
        self.archive = archive
        self.stop = stop or threading.Event()
        self.robots_notes: dict[str, str] = {}
        self.requests = 0
        self._robots: dict[str, Protego | bool] = {}
        self._last: float | None = None
        self._client = httpx.Client(
            transport=_Borrowed(transport) if transport is not None else None,
            verify=options.verify,
            timeout=httpx.Timeout(options.timeout),
            follow_redirects=False,
            headers={"User-Agent": options.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    def close(self) -> None:
        """Close the connection."""
        self._client.close()

    def __enter__(self) -> SiteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Robots -----------------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets ``govreports`` fetch a URL (read once per host)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        rules = self._robots[origin]
        return rules if isinstance(rules, bool) else rules.can_fetch(url, ROBOTS_AGENT)

    def _read_robots(self, origin: str) -> Protego | bool:
        response = self.get(f"{origin}/robots.txt", check_robots=False, max_bytes=ROBOTS_MAX_BYTES)
        if response.status == 200 and not response.skipped and not response.error:
            return Protego.parse(decode_page(response.content, response.content_type)[0])
        if response.status is not None and 400 <= response.status < 500:
            return True  # no robots.txt: everything is allowed
        reason = response.error or response.skipped or f"HTTP {response.status}"
        self.robots_notes[origin] = f"robots.txt unavailable ({reason}): the site is treated as disallowed"
        return False

    def crawl_delay(self) -> float:
        """Return the wait between two requests: the delay, or the sites' Crawl-delay when longer."""
        delays = [
            rules.crawl_delay(ROBOTS_AGENT) or 0.0
            for rules in self._robots.values()
            if not isinstance(rules, bool)
        ]
        return max([self.options.delay, *(min(d, MAX_CRAWL_DELAY) for d in delays)])

    # Requests ---------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        check_robots: bool = True,
        max_bytes: int | None = None,
    ) -> Response:
        """GET a URL, following redirects within the site; conditional when validators are given."""
        current = url
        hops: list[str] = []
        while True:
            if check_robots and not self.allowed(current):
                parts = urlsplit(current)
                why = self.robots_notes.get(f"{parts.scheme}://{parts.netloc}", "disallowed by robots.txt")
                return Response(url, current, redirects=hops, skipped=why)
            response = self._get_with_retries(url, current, etag, last_modified, max_bytes)
            response.redirects = hops
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location or response.skipped:
                return response
            target = normalize_url(urljoin(current, location))
            hops = [*hops, current]
            if not same_site(target, url):
                return Response(
                    url,
                    target,
                    response.status,
                    response.headers,
                    redirects=hops,
                    attempts=response.attempts,
                    fetched_at=response.fetched_at,
                    skipped=f"redirected off the site to {target}",
                )
            if target in hops or len(hops) > self.options.max_redirects:
                why = (
                    "a redirect loop"
                    if target in hops
                    else f"more than {self.options.max_redirects} redirects"
                )
                return Response(url, target, response.status, response.headers, redirects=hops, error=why)
            current = target

    def _get_with_retries(
        self, url: str, current: str, etag: str | None, last_modified: str | None, max_bytes: int | None
    ) -> Response:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.options.retries + 1
        for attempt in range(1, attempts + 1):
            self._pause()
            if self.stop.is_set():
                return Response(url, current, attempts=attempt - 1, error="the run was stopped")
            response, failure, wait = self._attempt(
                url, current, headers, max_bytes or self.options.max_bytes
            )
            if failure is None:
                assert response is not None  # only a failure comes without a response
                response.attempts = attempt
                return response
            if attempt == attempts:
                response = response or Response(url, current, fetched_at=now())
                response.attempts = attempt
                response.error = f"{failure} after {attempt} attempt{'s' * (attempt > 1)}"
                return response
            backoff = self.options.backoff * 2 ** (attempt - 1)
            self.stop.wait(min(MAX_BACKOFF, max(backoff, wait or 0.0)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self, url: str, current: str, headers: dict[str, str], max_bytes: int
    ) -> tuple[Response | None, str | None, float | None]:
        """Send once: ``(response, why to try again or None, seconds the server asks to wait)``."""
        try:
            response = self._send(url, current, headers, max_bytes)
        except httpx.TimeoutException as error:
            return None, f"timed out ({_timeout_kind(error)}, limit {self.options.timeout:g} s)", None
        except httpx.TransportError as error:
            return None, f"connection error ({type(error).__name__}: {error})", None
        finally:
            self._last = time.monotonic()
        if response.status in RETRY_STATUSES:
            return response, f"HTTP {response.status}", _retry_after(response.headers.get("retry-after"))
        return response, None, None

    def _pause(self) -> None:
        if self._last is not None:
            remaining = self._last + self.crawl_delay() - time.monotonic()
            if remaining > 0:
                self.stop.wait(remaining)

    def _send(self, url: str, current: str, headers: dict[str, str], max_bytes: int) -> Response:
        request = self._client.build_request("GET", current, headers=headers)
        self.requests += 1
        try:
            response = self._client.send(request, stream=True)
            try:
                result = Response(url, current, response.status_code, response.headers, fetched_at=now())
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raw, truncated = b"", True
                    result.skipped = f"over the size limit ({int(declared)} bytes > {max_bytes})"
                else:
                    raw, truncated = _read_raw(response, max_bytes)
                    if truncated:
                        result.skipped = f"over the size limit (more than {max_bytes} bytes)"
            finally:
                response.close()
        except httpx.TransportError:
            self.archive.write_request(request)
            raise
        result.payload_digest, result.warc_file = self.archive.write_exchange(
            request, response, raw, truncated=truncated
        )
        if not truncated:
            content, over = _decode_body(raw, response.headers.get("content-encoding"), max_bytes)
            if over:
                result.skipped = f"over the size limit (more than {max_bytes} bytes once decompressed)"
            elif content is None:
                result.error = f"unsupported Content-Encoding {response.headers.get('content-encoding')!r}"
            else:
                result.content = content
        return result


class _Borrowed(httpx.BaseTransport):
    """A transport the caller owns and closes: shared by the sites' clients, closed by none."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._transport.handle_request(request)


def _read_raw(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    chunks, size = [], 0
    for chunk in response.iter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False


def _decode_body(raw: bytes, encoding: str | None, max_bytes: int) -> tuple[bytes | None, bool]:
    """Undo a Content-Encoding, reading at most ``max_bytes``: ``(content, over_the_limit)``."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    data = raw
    for coding in reversed(codings):
        if coding in ("identity", ""):
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            return None, False
        wbits = zlib.MAX_WBITS | 16 if coding != "deflate" else zlib.MAX_WBITS
        try:
            decompressor = zlib.decompressobj(wbits)
            out = decompressor.decompress(data, max_bytes + 1)
        except zlib.error:
            if coding != "deflate":
                return None, False
            decompressor = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
            out = decompressor.decompress(data, max_bytes + 1)
        if len(out) > max_bytes:
            return None, True
        data = out
    return data, False


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks to wait (a number or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _timeout_kind(error: httpx.TimeoutException) -> str:
    return {
        httpx.ConnectTimeout: "connecting",
        httpx.ReadTimeout: "waiting for data",
        httpx.WriteTimeout: "sending",
        httpx.PoolTimeout: "waiting for a connection",
    }.get(type(error), "timeout")


def user_agent(contact: str) -> str:
    """Return the User-Agent: the package, its version, and how to reach whoever runs the crawl.

    >>> user_agent("data-team@example.org")  # doctest: +ELLIPSIS
    'govreports/... (+data-team@example.org; government information disclosure annual reports)'
    """
    from govreports import __version__

    return f"govreports/{__version__} (+{contact}; government information disclosure annual reports)"
