"""What a crawl leaves on disk: WARC files of every exchange, the saved files, and the manifest.

The layout of a fetch folder (``-o OUT``)::

    OUT/MANIFEST.csv                one row per request outcome, all runs (UTF-8 with BOM)
    OUT/<site>/<path>               each report page and attachment, as served
    OUT/.fetch/manifest.parquet     the same manifest, typed
    OUT/.fetch/warc/*.warc.gz       every request and response (WARC 1.1, one file per invocation)
    OUT/.fetch/versions/...         earlier versions of files that changed between runs
    OUT/.fetch/zip/<site>/<path>    zip attachments; their members are saved as
                                    OUT/<site>/<path without .zip>_zip/<member>
    OUT/.fetch/state.sqlite         the queue and history that make runs resumable

``govreports parse OUT`` reads the saved files only: ``MANIFEST.csv`` and hidden folders are
not inputs.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import httpx
import pandas as pd
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govreports.fetch.state import FETCH_COLUMNS, Row

HIDDEN = ".fetch"
MANIFEST_CSV = "MANIFEST.csv"
MANIFEST_PARQUET = f"{HIDDEN}/manifest.parquet"
VERSIONS_FOLDER = f"{HIDDEN}/versions"
ZIP_FOLDER = f"{HIDDEN}/zip"
# Content types of the files a report comes in, for URLs whose path names no type.
_EXTENSIONS = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/kswps": ".wps",
    "application/wps-office.wps": ".wps",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "text/plain": ".txt",
}
_KNOWN_SUFFIXES = frozenset(
    {".html", ".htm", ".shtml", ".pdf", ".doc", ".docx", ".wps", ".odt", ".zip", ".txt"}
)
_UNSAFE = re.compile(r'[\x00-\x1f<>:"\\|?*]')
_MAX_PART = 120  # bytes of UTF-8 in one path component
_MEMBER_FOLDERS = 3  # folders of a zip member's path kept
_INTEGER_COLUMNS: dict[str, Literal["Int16", "Int32", "Int64"]] = {
    "run_id": "Int32",
    "status": "Int16",
    "bytes": "Int64",
    "year": "Int16",
    "attempts": "Int16",
}


@dataclass(frozen=True)
class ArchivedPayload:
    """The response record that holds a payload in full: a revisit record refers to it."""

    uri: str  # the record's WARC-Target-URI (the URL that answered, not one that redirected)
    date: str  # its WARC-Date
    record_id: str  # its WARC-Record-ID
    warc_file: str  # the WARC file that holds it, in the archive's folder


class WarcArchive:
    """A WARC file that the crawl's threads write whole records to, one at a time.

    A 200 response whose payload is already archived in full (the same URL or another, in this
    run or an earlier one of the folder) is written as a ``revisit`` record with the
    identical-payload-digest profile, as web archives do: the record keeps the request and the
    response headers and points to the first copy instead of storing the body again.
    """

    def __init__(
        self,
        folder: Path,
        run_id: int,
        info: dict[str, str],
        archived: dict[str, ArchivedPayload] | None = None,
        on_archived: Callable[[str, ArchivedPayload], None] | None = None,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        self.path = folder / f"govreports-run{run_id:04d}-{stamp}.warc.gz"
        self._file = open(self.path, "wb")  # noqa: SIM115 - kept open for the whole run
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        self._lock = threading.Lock()
        self._archived = dict(archived or {})
        self._on_archived = on_archived
        self._write(self._writer.create_warcinfo_record(self.path.name, info))

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()

    def _write(self, record: Any) -> None:  # a warcio record (warcio has no types)
        with self._lock:
            self._writer.write_record(record)
            self._file.flush()

    def write_request(self, request: httpx.Request) -> None:
        """Record a request that got no response (a timeout, a refused connection)."""
        self._write(self._request_record(request))

    def write_exchange(
        self, request: httpx.Request, response: httpx.Response, body: bytes, *, truncated: bool
    ) -> tuple[str, str]:
        """Record a request and its response (the body as received); return its payload digest and file.

        A body cut at the size limit is marked ``WARC-Truncated: length``.
        """
        digest = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
        # The body is stored de-chunked, so the chunking header would misdescribe it.
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        version = response.http_version or "HTTP/1.1"
        http_headers = StatusAndHeaders(
            f"{response.status_code} {response.reason_phrase}".strip(), headers, protocol=version
        )
        uri = str(request.url)
        whole = response.status_code == 200 and body and not truncated
        with self._lock:
            first = self._archived.get(digest) if whole else None
            if first is not None and not (self.path.parent / first.warc_file).is_file():
                first = None  # its WARC file is gone: the payload is archived in full again
            archived = None
            if first is not None:
                record = self._writer.create_revisit_record(
                    uri,
                    digest,
                    first.uri,
                    first.date,
                    http_headers=http_headers,
                    warc_headers_dict={"WARC-Refers-To": first.record_id},
                )
            else:
                extra = {"WARC-Truncated": "length"} if truncated else {}
                extra["WARC-Payload-Digest"] = digest
                record = self._writer.create_warc_record(
                    uri,
                    "response",
                    payload=BytesIO(body),
                    length=len(body),
                    http_headers=http_headers,
                    warc_headers_dict=extra,
                )
                if whole:
                    headers = record.rec_headers
                    archived = ArchivedPayload(
                        uri,
                        headers.get_header("WARC-Date"),
                        headers.get_header("WARC-Record-ID"),
                        self.path.name,
                    )
            self._writer.write_request_response_pair(self._request_record(request), record)
            self._file.flush()
            if archived is not None:  # only once written: a revisit must refer to a record that is
                self._archived[digest] = archived
                if self._on_archived is not None:
                    self._on_archived(digest, archived)
        return digest, self.path.name

    def _request_record(self, request: httpx.Request) -> Any:
        target = request.url.raw_path.decode("ascii")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        http_headers = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
        return self._writer.create_warc_record(
            str(request.url), "request", payload=BytesIO(b""), length=0, http_headers=http_headers
        )


def file_name(url: str, content_type: str | None = None, disposition: str | None = None) -> str:
    """Name the file a URL is saved as, below the fetch folder: ``<site>/<path>``.

    The path keeps the site's folders (percent-decoded, made safe for any file system); a query
    adds a hash of itself; a name without a known type takes one from the Content-Disposition
    or the Content-Type. Names never start with a dot (hidden files are not parsed).

    >>> file_name("http://www.a.gov.cn:8080/xxgk/2023/t1.html")
    'www.a.gov.cn_8080/xxgk/2023/t1.html'
    >>> file_name("http://a.gov.cn/down.jsp?id=7", "application/octet-stream", 'filename="年报.pdf"')
    'a.gov.cn/down.jsp_c53d0f05.pdf'
    >>> file_name("http://a.gov.cn/ndbg/", "text/html; charset=utf-8")
    'a.gov.cn/ndbg/index.html'
    """
    parts = urlsplit(url)
    site = _safe(parts.netloc.replace(":", "_"))
    path = PurePosixPath(unquote(parts.path) or "/")
    is_folder = parts.path.endswith("/") or not path.name
    folders = [_safe(p) for p in (path if is_folder else path.parent).parts if p not in ("/", "", ".", "..")]
    name = "" if is_folder else path.name
    stem, suffix = os.path.splitext(name) if name else ("index", "")
    if suffix.lower() not in _KNOWN_SUFFIXES:
        stem, suffix = (stem + suffix if suffix else stem), _suffix(content_type, disposition) or suffix
    if parts.query:
        stem += "_" + hashlib.sha1(parts.query.encode()).hexdigest()[:8]
    return "/".join([site, *folders, _safe(stem, limit=_MAX_PART - len(suffix.encode())) + suffix.lower()])


def _suffix(content_type: str | None, disposition: str | None) -> str | None:
    if disposition:
        match = re.search(r"filename\*?\s*=\s*(?:UTF-8'')?\"?([^\";]+)", disposition, re.IGNORECASE)
        if match:
            suffix = os.path.splitext(unquote(match[1]).strip())[1].lower()
            if suffix in _KNOWN_SUFFIXES:
                return suffix
    mime = (content_type or "").split(";")[0].strip().lower()
    return _EXTENSIONS.get(mime)


def _safe(part: str, limit: int = _MAX_PART) -> str:
    part = _UNSAFE.sub("_", part).strip() or "_"
    if part.startswith("."):
        part = "_" + part
    encoded = part.encode("utf-8")
    if len(encoded) > limit:
        digest = hashlib.sha1(encoded).hexdigest()[:8]
        part = encoded[: limit - 9].decode("utf-8", errors="ignore") + "_" + digest
    return part


def unique_name(name: str, url: str) -> str:
    """Another name for a file whose first choice is taken by another URL.

    >>> unique_name("a.gov.cn/x/t1.html", "http://a.gov.cn/x/t1.html?v=2")
    'a.gov.cn/x/t1_cebe6b8b.html'
    """
    stem, suffix = os.path.splitext(name)
    return f"{stem}_{hashlib.sha1(url.encode()).hexdigest()[:8]}{suffix}"


def member_file(folder: str, name: str) -> str:
    """Name the file a zip member is saved as: below ``folder``, whatever its name says.

    The member's last three folders are kept (a deeper path is cut from the top), so that the
    path stays within what file systems take.

    >>> member_file("a.gov.cn/u/nb_zip", "../../附件/./2023年报.PDF")
    'a.gov.cn/u/nb_zip/附件/2023年报.pdf'
    >>> member_file("a.gov.cn/u/nb_zip", "/a/b/c/d/e.txt")
    'a.gov.cn/u/nb_zip/b/c/d/e.txt'
    """
    path = PurePosixPath(name.replace("\\", "/"))
    parts = [_safe(p) for p in path.parts[:-1] if p not in ("/", "", ".", "..")][-_MEMBER_FOLDERS:]
    stem, suffix = os.path.splitext(path.name)
    return "/".join([folder, *parts, _safe(stem, limit=_MAX_PART - len(suffix.encode())) + suffix.lower()])


def save_file(root: Path, name: str, data: bytes) -> None:
    """Write a saved file whole or not at all (through a temporary file and a rename)."""
    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def keep_version(root: Path, name: str, fetched_at: str | None) -> str:
    """Move a saved file that changed into ``.fetch/versions``; return where it now is."""
    stamp = re.sub(r"[^0-9TZ]", "", fetched_at or "") or "unknown"
    stem, suffix = os.path.splitext(name.removeprefix(f"{HIDDEN}/"))
    moved = f"{VERSIONS_FOLDER}/{stem}.{stamp}{suffix}"
    (root / moved).parent.mkdir(parents=True, exist_ok=True)
    os.replace(root / name, root / moved)
    return moved


def manifest_frame(rows: list[Row]) -> pd.DataFrame:
    """Return the manifest as a typed frame: one row per request outcome, in the order they happened."""
    frame = pd.DataFrame.from_records(rows, columns=list(FETCH_COLUMNS))
    for column in frame.columns:
        dtype: Literal["Int16", "Int32", "Int64", "string"] = _INTEGER_COLUMNS.get(column, "string")
        frame[column] = frame[column].astype(dtype)
    return frame


def write_manifest(root: Path, rows: list[Row]) -> pd.DataFrame:
    """Write ``MANIFEST.csv`` (UTF-8 with BOM, for Excel) and ``.fetch/manifest.parquet``."""
    frame = manifest_frame(rows)
    (root / HIDDEN).mkdir(parents=True, exist_ok=True)
    writers: tuple[tuple[Path, Callable[[Path], object]], ...] = (
        (root / MANIFEST_CSV, lambda path: frame.to_csv(path, index=False, encoding="utf-8-sig")),
        (root / MANIFEST_PARQUET, lambda path: frame.to_parquet(path, index=False)),
    )
    for target, write in writers:
        temporary = target.with_name(f".{target.name}.part")
        write(temporary)
        os.replace(temporary, target)
    return frame
