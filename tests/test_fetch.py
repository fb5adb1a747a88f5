"""govreports.fetch against fixture sites served from 127.0.0.1: no test touches the internet."""

import argparse
import ctypes
import gc
import html
import io
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from urllib.parse import quote

import docx
import httpx
import pandas as pd
import pytest
from conftest import FIXTURES, RAW_DIR, patch_declared_size
from warcio.archiveiterator import ArchiveIterator

import govreports as gr
from govreports import fetch, store
from govreports.fetch import unpack
from govreports.fetch.archive import file_name, write_manifest
from govreports.fetch.discovery import LinkRules, looks_like_column, pager_urls, parse_page
from govreports.fetch.sources import Source, read_sources
from govreports.fetch.unpack import Member, NotAnArchiveError, members

SITE = FIXTURES / "fetch"
CONTACT = "tests@example.org"
# Fast and strict: no delay, short timeouts, one retry, small files.
FAST = {"contact": CONTACT, "delay": 0.0, "timeout": 0.3, "retries": 1, "backoff": 0.0, "max_bytes": 200_000}
YEARS = (2016, 2030)
A = "/xxgk/ndbg/202301/t20230115_1.html"  # the 2022 report page (GBK) with a DOCX and a PDF
B = "/xxgk/ndbg/202201/t20220110_2.html"  # a page that only links its .doc
C = "/xxgk/ndbg/202101/t20210110_3.html"  # reached through a redirect chain
D = "/xxgk/ndbg/202001/t20200105_4.html"  # attachments over the size limit
A_DOCX = "/u/cms/2023/" + quote("东山区2022年度报告.docx")
A_PDF = "/module/download/downfile.jsp?classid=0&filename=" + quote("2022年报.pdf")
B_DOC = "/u/cms/2022/nb2021.doc"
# The fixture sites' reports, one each, as (organ, year) once their forms are grouped.
FETCHED_REPORTS = [
    ("东宁市", 2023),
    ("四平市铁东区政务服务局", 2023),
    ("鸡东县人民政府办公室", 2023),
    ("鹤岗市东山区人民政府", 2022),
]


# The fixture sites ---------------------------------------------------------------------------


@dataclass
class Route:
    body: bytes | None = b""
    status: int = 200
    content_type: str = "text/html"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    close_delimited: bool = False  # no Content-Length: the body ends when the connection does


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = False  # closing the server waits for its handlers: no thread outlives a test

    def handle_error(self, request, client_address):
        pass  # a client that closed its connection (timeouts, interruptions) is no error here


class Site:
    """A fixture web site: routes by raw request path, and a log of every request it got."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.log: list[dict] = []
        self.active = 0
        self.most_active = 0
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 3  # an idle kept-alive connection ends, so closing the server never hangs

            def do_GET(self):  # noqa: N802 - the http.server name
                # A slow route's handler sleeps on after the client gave up: it is not counted.
                counted = not getattr(site.routes.get(self.path), "delay", 0)
                with site.lock:
                    site.active += counted
                    site.most_active = max(site.most_active, site.active)
                    site.log.append({"path": self.path, "at": time.monotonic(), **dict(self.headers)})
                try:
                    site.serve(self)
                except OSError:
                    pass  # the client gave up (a timeout test)
                finally:
                    with site.lock:
                        site.active -= counted

            def log_message(self, *args):
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [entry["path"] for entry in self.log]

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(handler.path) or Route(b"<html><body>not found</body></html>", 404)
        if route.delay:
            time.sleep(route.delay)
        if route.etag and handler.headers.get("If-None-Match") == route.etag:
            return self.send(handler, Route(None, 304, headers={"ETag": route.etag}))
        if route.last_modified and handler.headers.get("If-Modified-Since") == route.last_modified:
            return self.send(handler, Route(None, 304))
        return self.send(handler, route)

    def send(self, handler: BaseHTTPRequestHandler, route: Route) -> None:
        handler.send_response(route.status)
        body = route.body or b""
        if route.body is not None:
            handler.send_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            handler.send_header(name, value)
        if route.etag:
            handler.send_header("ETag", route.etag)
        if route.last_modified:
            handler.send_header("Last-Modified", route.last_modified)
        if route.close_delimited:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        else:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self):
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()


def report_text(seed: str) -> str:
    return next(RAW_DIR.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")


def table_page(text: str, charset: str = "utf-8", published: str | None = None, extra: str = "") -> str:
    """A report page as a CMS writes one: the report's lines as paragraphs, its tables as tables."""
    out, in_table = [], False
    for line in text.splitlines():
        if "\t" in line:
            out.append("" if in_table else "<table border='1'>")
            in_table = True
            out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t")) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        out.append("</table>")
    meta = f'<meta name="PubDate" content="{published} 09:30:00">' if published else ""
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">{meta}'
        f"<title>政府信息公开年报</title></head><body><div class='nav'><a href='/'>首页</a></div>"
        + "\n".join(out)
        + extra
        + "</body></html>"
    )


def lines_page(text: str) -> str:
    """A report page whose lines are broken with <br> (one value a line)."""
    lines = "<br>".join(html.escape(line) for line in text.splitlines())
    return f"<html><head><meta charset='utf-8'><title>年报</title></head><body><p>{lines}</p></body></html>"


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(words: str) -> bytes:
    """A one-page PDF with a line of text (no report in it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({words}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def fixture(name: str, **values) -> str:
    return Template((SITE / name).read_text(encoding="utf-8")).safe_substitute(**values)


def attachments_page(title: str, published: str, links: list[tuple[str, str]]) -> bytes:
    anchors = "".join(f'<p>附件：<a href="{href}">{html.escape(text)}</a></p>' for href, text in links)
    return fixture("attachments_page.html", title=title, published=published, links=anchors).encode()


def build_site(site: Site, other: Site) -> None:
    """The county site: a paged column, report pages, attachments, and everything that goes wrong."""
    r = site.routes
    r["/robots.txt"] = Route((SITE / "robots.txt").read_bytes(), content_type="text/plain")
    # The column: page 1 in GBK, declared only in its <meta>; page 2 in UTF-8, declared only in HTTP.
    r["/xxgk/ndbg/index.html"] = Route(fixture("ndbg_index.html").encode("gbk"))
    r["/xxgk/ndbg/index_1.html"] = Route(
        fixture("ndbg_index_1.html", base=site.base).encode(), content_type="text/html; charset=UTF-8"
    )
    r["/xxgk/ndbg/index_2.html"] = Route(fixture("ndbg_index_2.html", base=site.base).encode())
    r["/col2/list.html"] = Route(fixture("col2_list.html").encode())
    r["/col2/list_2.html"] = Route(fixture("col2_list_2.html").encode())
    # A: the 2022 report as a GBK page, with the same report in Word and a PDF that holds no report.
    set_report_a(site, table_page(report_text("003"), "gbk", "2023-01-15", _attachment_links()))
    r[A_DOCX] = Route(docx_bytes(report_text("003")), content_type=_DOCX, etag='"docx-1"')
    r[A_PDF] = Route(
        pdf_bytes("Annual report attachment"),
        content_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="2022nb.pdf"'},
        etag='"pdf-1"',
    )
    # B: a page that only links its attachment, a .doc that is really a Word-saved HTML page.
    r[B] = Route(
        attachments_page("东山区2021年政府信息公开工作年度报告", "2022-01-10", [(B_DOC, "2021年报.doc")]),
        last_modified="Mon, 10 Jan 2022 08:00:00 GMT",
    )
    r[B_DOC] = Route(
        lines_page(report_text("000")).encode(), content_type="application/msword", etag='"doc-1"'
    )
    # C: behind two redirects.
    r["/go/2020"] = Route(None, 301, headers={"Location": "/go/2020b"})
    r["/go/2020b"] = Route(None, 302, headers={"Location": site.url(C)})
    r[C] = Route(lines_page(report_text("004")).encode())
    r["/go/away"] = Route(None, 302, headers={"Location": "http://www.example.gov.cn/ndbg/2020.html"})
    # D: attachments too large, announced by Content-Length or not.
    r[D] = Route(
        attachments_page(
            "东山区2019年政府信息公开工作年度报告（附表）",
            "2020-01-05",
            [
                ("/u/big.pdf", "2019年报.pdf"),
                ("/u/big.zip", "2019年报附表.zip"),
                ("http://cdn.example.com/x.pdf", "x.pdf"),
            ],
        )
    )
    r["/u/big.pdf"] = Route(b"%PDF-1.4\n" + b"0" * 300_000, content_type="application/pdf")
    r["/u/big.zip"] = Route(_zip(300_000), content_type="application/zip", close_delimited=True)
    r["/xxgk/ndbg/broken.html"] = Route(b"<html>error</html>", 500)
    r["/xxgk/ndbg/slow.html"] = Route(b"<html>late</html>", delay=1.0)
    # A second site (another host:port): one report page given directly, with hints.
    other.routes["/zwgk/ndbg/2023.html"] = Route(table_page(report_text("002")).encode(), etag='"e-1"')


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment_links() -> str:
    return (
        f'<div class="fj"><p>附件：<a href="{A_DOCX}">东山区2022年度报告.docx</a></p>'
        f'<p><a href="{A_PDF}">附件：2022年报.pdf</a></p>'
        '<p><a href="http://files.example.com/nb/2022.docx">2022年报（备份）.docx</a></p></div>'
    )


def set_report_a(site: Site, page: str, etag: str = '"a-1"') -> None:
    route = Route(page.encode("gbk"), etag=etag)
    site.routes[A] = route
    site.routes["/art/2023/1/15/art_1.html"] = Route(route.body)


def _zip(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("fill.bin", bytes(size))
    return buffer.getvalue()


class Recorder(httpx.BaseTransport):
    """The crawler's transport in tests: loopback only, every request noted, an optional interruption."""

    def __init__(self, interrupt_after: int | None = None):
        self.inner = httpx.HTTPTransport()
        self.urls: list[str] = []
        self.outside: list[str] = []
        self.interrupt_after = interrupt_after
        self.lock = threading.Lock()

    def handle_request(self, request):
        with self.lock:
            if request.url.host != "127.0.0.1":
                self.outside.append(str(request.url))
                raise httpx.ConnectError("tests have no network", request=request)
            if self.interrupt_after is not None and len(self.urls) >= self.interrupt_after:
                raise KeyboardInterrupt
            self.urls.append(str(request.url))
        return self.inner.handle_request(request)

    def close(self):
        self.inner.close()


@pytest.fixture
def sites():
    site, other = Site(), Site()
    build_site(site, other)
    yield site, other
    site.close()
    other.close()


def sources_csv(tmp_path: Path, site: Site, other: Site) -> Path:
    path = tmp_path / "sources.csv"
    path.write_text(
        "url,kind,organ,year,region\n"
        f"{site.url('/xxgk/ndbg/index.html')},,鹤岗市东山区人民政府,,黑龙江省鹤岗市\n"
        f"{site.url('/col2/list.html')},column,,,\n"
        f"{other.url('/zwgk/ndbg/2023.html')},report,东宁市,2023,黑龙江省牡丹江市\n",
        encoding="utf-8",
    )
    return path


def crawl(sources, out: Path, transport: Recorder | None = None, **options):
    transport = transport or Recorder()
    try:
        summary = fetch.run(sources, out, transport=transport, **{**FAST, "years": YEARS, **options})
    finally:
        transport.close()  # the caller's transport: the crawler never closes it
    return summary, transport


def manifest(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / ".fetch" / "manifest.parquet")


def by_url(frame: pd.DataFrame, site: Site, path: str) -> pd.Series:
    rows = frame[frame.url == site.url(path)]
    assert len(rows), f"no manifest row for {path}"
    return rows.iloc[-1]


@pytest.fixture(autouse=True, scope="module")
def _give_memory_back():
    # Tests after these fork worker processes whose memory guard counts the pages they inherit
    # (tests/test_hostile_files.py): the heap these tests freed is returned to the system.
    yield
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc


# Tests -------------------------------------------------------------------------------------


def test_fetch_a_site_what_is_fetched_skipped_and_why(sites, tmp_path):
    site, other = sites
    out = tmp_path / "fetched"
    summary, transport = crawl(sources_csv(tmp_path, site, other), out)
    rows = manifest(out)

    # Nothing outside the fixture hosts was requested, nor anything robots.txt disallows.
    assert transport.outside == []
    assert {httpx.URL(u).port for u in transport.urls} == {
        httpx.URL(site.base).port,
        httpx.URL(other.base).port,
    }
    assert not any(p.startswith("/private/") for p in site.paths())
    assert all(
        entry["User-Agent"].startswith("govreports/") and CONTACT in entry["User-Agent"] for entry in site.log
    )
    # One connection per host: never two requests to one site at once.
    assert site.most_active == 1 and other.most_active == 1

    # The column's three pages (JavaScript pager) and the second column's two (下一页) were read.
    columns = rows[rows.kind == "column"]
    assert sorted(columns.url.str.replace(site.base, "")) == [
        "/col2/list.html",
        "/col2/list_2.html",
        "/xxgk/ndbg/index.html",
        "/xxgk/ndbg/index_1.html",
        "/xxgk/ndbg/index_2.html",
    ]
    assert "/xxgk/tzgg/202301/t20230110_9.html" not in site.paths()  # not a report title

    # Report pages saved as served, with the column's date and the source's hints.
    a = by_url(rows, site, A)
    assert a.outcome == "fetched" and a.status == 200 and a.saved_file.endswith("t20230115_1.html")
    assert (out / a.saved_file).read_bytes() == site.routes[A].body  # GBK bytes, as served
    assert a.published == "2023-01-15" and a.organ == "鹤岗市东山区人民政府" and a.region == "黑龙江省鹤岗市"
    assert a.referrer == site.url("/xxgk/ndbg/index.html") and a.etag == '"a-1"'
    assert a.link_text.startswith("鹤岗市东山区人民政府2022年政府信息公开工作年度报告")

    # Attachments: saved, with the page they came from; the PDF named from its Content-Disposition.
    docx_row, pdf_row = by_url(rows, site, A_DOCX), by_url(rows, site, A_PDF)
    for row in (docx_row, pdf_row):
        assert row.kind == "attachment" and row.referrer == site.url(A) and row.report_url == site.url(A)
        assert row.published == "2023-01-15" and row.organ == "鹤岗市东山区人民政府"
    assert docx_row.saved_file.endswith("东山区2022年度报告.docx") and pdf_row.saved_file.endswith(".pdf")
    assert (out / docx_row.saved_file).read_bytes() == site.routes[A_DOCX].body

    # The same page at a second address is a duplicate, not a second file.
    art = by_url(rows, site, "/art/2023/1/15/art_1.html")
    assert art.duplicate_of == site.url(A) and art.saved_file == a.saved_file

    # The redirect chain is followed and recorded; the report lands under its final address.
    c = by_url(rows, site, "/go/2020")
    assert c.final_url == site.url(C) and c.redirects == f"{site.url('/go/2020')} {site.url('/go/2020b')}"
    assert c.saved_file.endswith("t20210110_3.html") and c.published == "2021-01-10"
    again = by_url(rows, site, C)  # the second column links the final address directly
    assert again.duplicate_of == site.url("/go/2020")

    # Skipped, and why; failed, and why.
    reasons = {
        row.url.replace(site.base, ""): row.reason for row in rows[rows.outcome != "fetched"].itertuples()
    }
    assert reasons["/private/2021nb.html"] == "disallowed by robots.txt"
    assert reasons["http://www.example.gov.cn/ndbg/2022.html"] == "off the site"
    assert reasons["http://files.example.com/nb/2022.docx"] == "off the site"
    assert reasons["http://cdn.example.com/x.pdf"] == "off the site"
    assert reasons["/xxgk/ndbg/2013/t20130110_7.html"] == "year 2012 outside 2016-2030"
    assert reasons["/go/away"] == "redirected off the site to http://www.example.gov.cn/ndbg/2020.html"
    assert reasons["/u/big.pdf"] == "over the size limit (300009 bytes > 200000)"
    assert reasons["/u/big.zip"] == "over the size limit (more than 200000 bytes)"
    assert reasons["/xxgk/ndbg/gone.html"] == "HTTP 404"
    assert reasons["/xxgk/ndbg/broken.html"] == "HTTP 500 after 2 attempts"
    assert reasons["/xxgk/ndbg/slow.html"].startswith(
        "timed out (waiting for data, limit 0.3 s) after 2 attempts"
    )
    assert site.paths().count("/xxgk/ndbg/broken.html") == 2  # retried once
    assert not list(out.rglob("big.*"))

    # The directly given report page on the second site carries its hints.
    e = by_url(rows, other, "/zwgk/ndbg/2023.html")
    assert (e.organ, e.year, e.region, e.kind) == ("东宁市", 2023, "黑龙江省牡丹江市", "report")

    # The CSV manifest says the same, readable by Excel.
    csv = pd.read_csv(out / "MANIFEST.csv", encoding="utf-8-sig")
    assert len(csv) == len(rows) and list(csv.columns) == list(rows.columns)

    # Every request and response is in the WARC files.
    records = warc_records(out)
    responses = {r["uri"] for r in records if r["type"] == "response"}
    requests = [r["uri"] for r in records if r["type"] == "request"]
    assert site.url(A) in responses and site.url("/robots.txt") in responses
    assert len(requests) == len(transport.urls)
    body = next(r["payload"] for r in records if r["type"] == "response" and r["uri"] == site.url(A))
    assert body == site.routes[A].body
    truncated = [r for r in records if r["uri"] == site.url("/u/big.zip") and r["type"] == "response"]
    assert truncated[0]["truncated"] == "length"

    # The summary.
    assert summary.columns == 5 and summary.reports == 5
    assert sorted(url.rsplit("/", 1)[1] for url, _ in summary.failures) == [
        "broken.html",
        "gone.html",
        "slow.html",
    ]
    assert summary.attachments == 3  # A's DOCX and PDF, B's .doc
    text = str(summary)
    assert "pages seen: 12 (5 column pages, 7 report pages)" in text
    assert "HTTP 404" in text and "disallowed by robots.txt" in text


def warc_records(out: Path) -> list[dict]:
    records = []
    for path in sorted((out / ".fetch" / "warc").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                records.append(
                    {
                        "type": record.rec_type,
                        "uri": record.rec_headers.get_header("WARC-Target-URI"),
                        "truncated": record.rec_headers.get_header("WARC-Truncated"),
                        "refers_to": record.rec_headers.get_header("WARC-Refers-To-Target-URI"),
                        "refers_to_id": record.rec_headers.get_header("WARC-Refers-To"),
                        "id": record.rec_headers.get_header("WARC-Record-ID"),
                        "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                        "payload": record.content_stream().read(),
                    }
                )
    return records


def test_fetch_then_parse_gives_the_reports_once(sites, tmp_path):
    site, other = sites
    out = tmp_path / "fetched"
    crawl(sources_csv(tmp_path, site, other), out)
    site.close()
    other.close()

    # Parsed in worker processes, as `govreports parse` does (the PDF reader stays out of this one).
    corpus = gr.read_reports(out, workers=2)
    # The saved files only: the manifest and the hidden archive are not inputs.
    assert len(corpus.reports) + len(corpus.failures) == 8
    parsed = corpus.reports.set_index(corpus.reports.path.map(lambda p: Path(p).name))
    assert parsed.loc["t20230115_1.html", "organ"] == "鹤岗市东山区人民政府"
    assert parsed.loc["t20230115_1.html", "values_read"] == 200
    assert parsed.loc["t20230115_1.html", "encoding"] == "gbk"

    # Parsing takes each fetched file's address and publication date from the manifest.
    own = corpus.reports[corpus.reports.path.str.endswith("t20230115_1.html")].iloc[0]
    assert (own.source_url, own.published) == (site.url(A), "2023-01-15")

    # The manifest gives each file its address and publication date.
    reports = fetch.apply_hints(corpus.reports, out)
    page = reports[reports.path.str.endswith("t20230115_1.html")].iloc[0]
    assert page.source_url == site.url(A) and page.published == "2023-01-15"
    word = reports[reports.path.str.endswith(".docx")].iloc[0]
    assert word.source_url == site.url(A_DOCX) and word.published == "2023-01-15"
    hint = fetch.hint_for(page.path)
    assert hint.report_url == site.url(A) and hint.role == "page" and hint.organ == "鹤岗市东山区人民政府"

    # A page and its attachments are one report: one form kept, the others its duplicates.
    forms = fetch.report_forms(corpus.reports, out)
    kept = forms[forms.preferred]
    assert sorted(kept.report_url) == sorted(
        [site.url(A), site.url(B), site.url("/go/2020"), other.url("/zwgk/ndbg/2023.html")]
    )
    group_a = forms[forms.report_url == site.url(A)]
    group_a = group_a.set_index(group_a.path.map(lambda p: Path(p).suffix))
    assert group_a.loc[".docx", "preferred"]  # as many values as the page: the Word original wins
    assert group_a.loc[".html", "duplicate_of"] == group_a.loc[".docx", "path"]
    assert (
        not group_a.loc[".pdf", "parsed"]
        and group_a.loc[".pdf", "duplicate_of"] == group_a.loc[".docx", "path"]
    )
    group_b = forms[forms.report_url == site.url(B)]
    assert group_b[group_b.preferred].path.iloc[0].endswith(".doc")
    unique = corpus.reports[corpus.reports.report_id.isin(kept.report_id)]
    assert sorted(zip(unique.organ, unique.year, strict=True)) == FETCHED_REPORTS


def test_parse_lists_the_other_forms_of_a_fetched_report(sites, tmp_path):
    site, other = sites
    out = tmp_path / "fetched"
    crawl(sources_csv(tmp_path, site, other), out)
    store.build(tmp_path, tmp_path / "processed", workers=1)  # the fetch folder is found below

    duplicates = pd.read_parquet(tmp_path / "processed" / "duplicates.parquet")
    forms = duplicates[duplicates.kind == "other_form"]
    pairs = {(Path(p).name, Path(kept).name) for p, kept in zip(forms.path, forms.duplicate_of, strict=True)}
    # Report A's page duplicates its Word original; the forms that did not parse are in failures.
    assert pairs == {("t20230115_1.html", "东山区2022年度报告.docx")}
    reports = pd.read_parquet(tmp_path / "processed" / "reports")
    kept = reports[~reports.path.isin(duplicates.path)]
    assert sorted(zip(kept.organ, kept.year.astype(int), strict=True)) == FETCHED_REPORTS


def test_rerun_fetches_only_what_changed_and_keeps_both_versions(sites, tmp_path):
    site, other = sites
    out = tmp_path / "fetched"
    sources = sources_csv(tmp_path, site, other)
    crawl(sources, out)
    first = manifest(out)
    old_a = by_url(first, site, A)
    old_bytes = (out / old_a.saved_file).read_bytes()

    # The 2022 report is edited after publication: one value changes, and so does its ETag.
    text = report_text("003").replace("行政许可\t152", "行政许可\t153")
    edited = table_page(text, "gbk", "2023-01-15", _attachment_links())
    set_report_a(site, edited, etag='"a-2"')
    site.log.clear()
    summary, _ = crawl(sources, out)
    rows = manifest(out)
    second = rows[rows.run_id == 2]

    assert summary.run_id == 2 and not summary.resumed
    assert summary.changed == [site.url(A)]
    a = by_url(second, site, A)
    assert a.change == "changed" and a.previous_sha256 == old_a.sha256
    assert (out / a.saved_file).read_bytes() == site.routes[A].body
    # The earlier version is kept aside (not parsed), and the manifest points at it.
    earlier = rows[(rows.run_id == 1) & (rows.url == site.url(A))].iloc[0]
    assert (
        earlier.saved_file.startswith(".fetch/versions/")
        and (out / earlier.saved_file).read_bytes() == old_bytes
    )
    payloads = [
        r["payload"] for r in warc_records(out) if r["uri"] == site.url(A) and r["type"] == "response"
    ]
    assert old_bytes in payloads and site.routes[A].body in payloads

    # Conditional requests: what has an ETag or Last-Modified came back 304 and was not downloaded.
    for path in (B, B_DOC, A_DOCX, A_PDF):
        row = by_url(second, site, path)
        assert (row.status, row.change, row.outcome) == (304, "not_modified", "fetched"), path
        assert row.saved_file == by_url(first, site, path).saved_file
    sent = {entry["path"]: entry for entry in site.log}
    assert sent[B]["If-Modified-Since"] == "Mon, 10 Jan 2022 08:00:00 GMT"
    assert sent[A]["If-None-Match"] == '"a-1"'
    assert by_url(second, other, "/zwgk/ndbg/2023.html").status == 304
    # Without validators, a page is read again and compared by its sha256.
    assert by_url(second, site, "/go/2020").change == "unchanged"
    assert by_url(second, site, "/xxgk/ndbg/index.html").change == "unchanged"
    # Still one file of the current 2022 report for parse, and the old one kept aside.
    assert by_url(second, site, "/art/2023/1/15/art_1.html").duplicate_of == site.url(A)
    # The archive stores a payload once: a page read again unchanged, or the same report at a
    # second URL, is a revisit record pointing to the first copy.
    records = warc_records(out)
    revisits = {(r["uri"], r["refers_to"]) for r in records if r["type"] == "revisit"}
    column = site.url("/xxgk/ndbg/index.html")
    assert (column, column) in revisits
    assert (site.url("/art/2023/1/15/art_1.html"), site.url(A)) in revisits
    full = [r["uri"] for r in records if r["type"] == "response" and r["uri"] == column]
    assert len(full) == 1 and all(r["payload"] == b"" for r in records if r["type"] == "revisit")
    # Each revisit points to the full response that holds its payload, not to a redirect before
    # it (C is behind two redirects) nor to another revisit.
    by_id = {r["id"]: r for r in records}
    assert site.url(C) in {r["uri"] for r in records if r["type"] == "revisit"}
    for revisit in (r for r in records if r["type"] == "revisit"):
        first = by_id[revisit["refers_to_id"]]
        assert (first["type"], first["uri"], first["digest"]) == (
            "response",
            revisit["refers_to"],
            revisit["digest"],
        )
        assert first["payload"]
    site.close()
    other.close()
    assert len(gr.read_reports(out, workers=2).failures) == 3
    assert "1 changed" in str(summary) and f"changed: {site.url(A)}" in str(summary)


def test_an_interrupted_run_resumes_where_it_stopped(sites, tmp_path):
    site, other = sites
    out = tmp_path / "fetched"
    sources = sources_csv(tmp_path, site, other)
    with pytest.raises(KeyboardInterrupt):
        crawl(sources, out, Recorder(interrupt_after=8), hosts=1)
    done_before = [p for p in site.paths() if p != "/robots.txt"]
    assert 0 < len(done_before) < 8
    partial = manifest(out)  # the manifest is written on the way out
    assert len(partial) and partial.run_id.eq(1).all()
    site.log.clear()

    summary, _ = crawl(sources, out, hosts=1)
    assert summary.resumed and summary.run_id == 1
    again = [p for p in site.paths() if p != "/robots.txt"]
    assert not set(done_before) & set(again)  # nothing done before was requested again
    rows = manifest(out)
    assert rows.url.is_unique
    saved = sorted(rows.saved_file.dropna().unique())
    reference = tmp_path / "reference"
    crawl(sources, reference)
    assert saved == sorted(manifest(reference).saved_file.dropna().unique())


def test_robots_unavailable_page_limit_and_delay(tmp_path):
    down, slowed, transport = Site(), Site(), Recorder()
    try:
        down.routes["/robots.txt"] = Route(b"", 503)
        down.routes["/ndbg/index.html"] = Route(b"<html>never read</html>")
        # A long column: the page limit stops it; the delay spaces the requests.
        for i in range(6):
            name = "index.html" if i == 0 else f"index_{i}.html"
            page = f"<html><body><script>createPageHTML(6, {i}, 'index', 'html');</script></body></html>"
            slowed.routes[f"/ndbg/{name}"] = Route(page.encode())
        summary = fetch.run(
            [down.url("/ndbg/index.html"), Source(slowed.url("/ndbg/index.html"), kind="column")],
            tmp_path / "out",
            **{**FAST, "delay": 0.15, "max_pages": 3, "transport": transport},
        )
    finally:
        transport.close()
        down.close()
        slowed.close()
    rows = manifest(tmp_path / "out")
    blocked = rows[rows.url == down.url("/ndbg/index.html")].iloc[0]
    assert blocked.outcome == "skipped" and blocked.reason.startswith("robots.txt unavailable (HTTP 503")
    assert "/ndbg/index.html" not in down.paths()
    assert any("robots.txt unavailable" in note for note in summary.notes)
    limited = rows[rows.reason.fillna("").str.startswith("page limit reached")]
    assert len(limited) == 3 and len([p for p in slowed.paths() if p != "/robots.txt"]) == 3
    times = [entry["at"] for entry in slowed.log]
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.14


def test_cli_subcommand(sites, tmp_path, capsys, monkeypatch):
    site, other = sites
    monkeypatch.delenv("GOVREPORTS_CONTACT", raising=False)
    parser = argparse.ArgumentParser(prog="govreports fetch")
    fetch.add_arguments(parser)
    sources = tmp_path / "urls.txt"
    sources.write_text(f"# one report page\n{other.url('/zwgk/ndbg/2023.html')}\n", encoding="utf-8")
    args = parser.parse_args([str(sources), "-o", str(tmp_path / "out"), "--delay", "0", "--no-progress"])
    assert fetch.main(args) == 2
    assert "contact" in capsys.readouterr().out
    args = parser.parse_args(
        [*map(str, (sources, "-o", tmp_path / "out", "--delay", "0", "--contact", CONTACT))]
    )
    assert fetch.main(args) == 0
    out = capsys.readouterr().out
    assert "reports found: 1" in out and "failed 0" in out
    assert gr.read_reports(tmp_path / "out", workers=1).reports.organ.tolist() == ["东宁市"]


def test_read_sources(tmp_path):
    path = tmp_path / "sources.csv"
    path.write_bytes("URL,Organ,Year\nhttp://a.gov.cn/ndbg/,某县人民政府,2023\n".encode("gb18030"))
    assert read_sources(path) == [Source("http://a.gov.cn/ndbg/", organ="某县人民政府", year=2023)]
    path.write_text("url,year\nhttp://a.gov.cn/,二〇二三\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"sources.csv:2: year must be a number"):
        read_sources(path)
    with pytest.raises(ValueError, match="not an http"):
        read_sources(text="ftp://a.gov.cn/x\n")


def test_discovery_rules():
    rules = LinkRules(years=(2019, 2023))
    assert rules.is_report("2023年度政务公开工作报告") and rules.is_report("某局2022年报")
    assert not rules.is_report("关于做好政务公开工作的通知")
    assert rules.year_reason("2018年政府信息公开工作年度报告") == "year 2018 outside 2019-2023"
    # A report page's "上一篇" link to last year's report does not make it a column.
    page = parse_page(
        "http://a.gov.cn/ndbg/t1.html",
        "<h1>2023年政府信息公开工作年度报告</h1>"
        "<p>上一篇：<a href='t0.html'>2022年政府信息公开工作年度报告</a></p>"
        "<p>附件：<a href='/u/a.pdf'>2023年度报告.pdf</a></p>".encode(),
    )
    assert not looks_like_column(page, rules) and page.links[0].neighbour
    # A pager of a TRS system whose first argument is the pager's element.
    assert pager_urls("http://a.gov.cn/c/", "createPageHTML('page_div', 3, 0, 'index', 'htm', 41);", []) == [
        "http://a.gov.cn/c/index.htm",
        "http://a.gov.cn/c/index_1.htm",
        "http://a.gov.cn/c/index_2.htm",
    ]
    # A GB18030 page whose declaration says UTF-8 is still read.
    page = parse_page(
        "http://a.gov.cn/", '<meta charset="utf-8"><a href="x.html">2023年报</a>'.encode("gb18030")
    )
    assert page.links[0].text == "2023年报"


def test_gr_fetch_is_callable():
    assert callable(fetch) and fetch.fetch is fetch.run
    with pytest.raises(ValueError, match="contact"):
        fetch([], "/nonexistent-never-created", contact=" ")


def test_sub_columns_crawl_delay_and_no_recheck(tmp_path):
    site = Site()
    try:
        site.routes["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 0.2\n", content_type="text/plain")
        column = (
            "<ul><li><a href='2023/index.html'>2023年度报告</a></li><li><a href='/'>年度报告</a></li></ul>"
        )
        site.routes["/ndbg/index.html"] = Route(column.encode())
        # A sub-column per year, listing the reports of the county's departments.
        site.routes["/ndbg/2023/index.html"] = Route(
            "<ul><li><a href='t1.html'>县教育局2023年政府信息公开工作年度报告</a></li>"
            "<li><a href='t2.html'>县财政局2023年政府信息公开工作年度报告</a></li></ul>".encode()
        )
        related = (
            "<div class='related'><p>相关文章</p><ul>"
            "<li><a href='t2.html'>县财政局2023年政府信息公开工作年度报告</a></li>"
            "<li><a href='/ndbg/2022/t9.html'>县教育局2022年政府信息公开工作年度报告</a></li></ul></div>"
        )
        site.routes["/ndbg/2023/t1.html"] = Route(
            (table_page(report_text("003"), extra=related)).encode(), etag='"t1"'
        )
        site.routes["/ndbg/2023/t2.html"] = Route(table_page(report_text("002")).encode())
        site.routes["/ndbg/2022/t9.html"] = Route(table_page(report_text("002")).encode())
        out = tmp_path / "out"
        summary, _ = crawl([site.url("/ndbg/index.html")], out, years=None)
        rows = manifest(out)
        kinds = dict(zip(rows.url.str.replace(site.base, ""), rows.kind, strict=True))
        assert kinds == {
            "/ndbg/index.html": "column",
            "/ndbg/2023/index.html": "column",
            "/ndbg/2023/t1.html": "report",  # its list of related reports does not make it a column
            "/ndbg/2023/t2.html": "report",
        }
        assert "/" not in site.paths()  # the breadcrumb named 年度报告 is no report
        times = [entry["at"] for entry in site.log]
        assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.19  # robots.txt's Crawl-delay
        assert summary.reports == 2

        site.log.clear()
        summary, _ = crawl([site.url("/ndbg/index.html")], out, years=None, recheck=False)
        # Only the columns are read again: the reports known from the first run are not requested.
        assert sorted(site.paths()) == ["/ndbg/2023/index.html", "/ndbg/index.html", "/robots.txt"]
        second = manifest(out).query("run_id == 2")
        assert set(second[second.kind == "report"].outcome) == {"known"}
        assert summary.reports == 2 and summary.new == []
    finally:
        site.close()


def _archive(files: dict[str, bytes], gbk_names: bool = False) -> bytes:
    buffer = io.BytesIO()
    placeholders = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, (name, data) in enumerate(files.items()):
            if gbk_names and not name.isascii():
                encoded = name.encode("gbk")
                placeholder = f"{number:0{len(encoded)}d}"
                placeholders[placeholder.encode()] = encoded
                name = placeholder
            archive.writestr(name, data)
    raw = buffer.getvalue()
    # As Chinese Windows writes names: GBK bytes without the UTF-8 flag (zipfile would set it).
    for placeholder, encoded in placeholders.items():
        raw = raw.replace(placeholder, encoded)
    return raw


def test_zip_attachments_are_unpacked_within_limits(tmp_path):
    site = Site()
    try:
        page = attachments_page(
            "县教育局2023年政府信息公开工作年度报告", "2024-01-20", [("/u/nb2023.zip", "年报附件.zip")]
        )
        site.routes["/ndbg/t1.html"] = Route(page)
        files = {
            "年报/2023年度报告.docx": docx_bytes(report_text("003")),
            "年报/说明.jpg": b"\xff\xd8",
            "../../escape.txt": lines_page(report_text("000")).encode(),
            "inner.zip": _zip(10),
            "big.pdf": b"%PDF-1.4\n" + bytes(700_000),  # over max_bytes, deflated far below it
        }
        site.routes["/u/nb2023.zip"] = Route(_archive(files, gbk_names=True), content_type="application/zip")
        site.routes["/u/broken.zip"] = Route(b"PK\x03\x04 not really", content_type="application/zip")
        site.routes["/ndbg/t2.html"] = Route(
            attachments_page(
                "县财政局2023年政府信息公开工作年度报告", "2024-01-21", [("/u/broken.zip", "附件.zip")]
            )
        )
        out = tmp_path / "fetched"
        sources = [
            Source(site.url("/ndbg/t1.html"), kind="report"),
            Source(site.url("/ndbg/t2.html"), kind="report"),
        ]
        summary, _ = crawl(sources, out, max_bytes=600_000)
        rows = manifest(out).set_index("url")
        zip_url = site.url("/u/nb2023.zip")
        # The archive is kept out of parse's sight; the members that may hold the report are saved.
        assert rows.loc[zip_url, "saved_file"] == f".fetch/zip/{file_name(zip_url)}"
        member = rows.loc[f"{zip_url}#年报/2023年度报告.docx"]
        folder = file_name(zip_url).removesuffix(".zip") + "_zip"
        assert member.saved_file == f"{folder}/年报/2023年度报告.docx"
        assert (member.report_url, member.referrer, member.outcome) == (
            site.url("/ndbg/t1.html"),
            zip_url,
            "fetched",
        )
        assert rows.loc[f"{zip_url}#../../escape.txt", "saved_file"] == f"{folder}/escape.txt"
        reasons = rows[rows.outcome == "skipped"].reason.to_dict()
        assert reasons == {
            f"{zip_url}#年报/说明.jpg": "not a report format (.jpg)",
            f"{zip_url}#inner.zip": "an archive inside the archive (not unpacked)",
            f"{zip_url}#big.pdf": "over the size limit (more than 600000 bytes)",
        }
        # A zip that cannot be read is fetched and archived; unpacking it fails, with the reason.
        assert rows.loc[site.url("/u/broken.zip"), "outcome"] == "fetched"
        broken = rows.loc[site.url("/u/broken.zip#")]
        assert broken.outcome == "failed" and broken.reason.startswith("not a readable zip archive")
        assert sorted(
            p.relative_to(out).as_posix()
            for p in out.rglob("*")
            if p.is_file() and ".fetch" not in p.parts and p.name != "MANIFEST.csv"
        ) == sorted(
            [
                file_name(site.url("/ndbg/t1.html")),
                file_name(site.url("/ndbg/t2.html")),
                member.saved_file,
                f"{folder}/escape.txt",
            ]
        )
        assert summary.attachments == 4  # the two archives, and the two members saved

        # A rerun finds the archive unchanged: its members are listed again, not saved again.
        saved = out / member.saved_file
        before = saved.stat().st_mtime_ns
        crawl(sources, out, max_bytes=600_000)
        second = manifest(out).query("run_id == 2").set_index("url")
        assert second.loc[f"{zip_url}#年报/2023年度报告.docx", "change"] == "unchanged"
        assert saved.stat().st_mtime_ns == before

        # parse reads the members with the pages: the page and the Word file are one report.
        corpus = gr.read_reports(out, workers=1)
        assert len(corpus.reports) + len(corpus.failures) == 4
        forms = fetch.report_forms(corpus.reports, out)
        group = forms[forms.report_url == site.url("/ndbg/t1.html")]
        names = group.path.map(lambda p: Path(p).name)
        assert sorted(names) == ["2023年度报告.docx", "escape.txt", "t1.html"]
        # The archive holds two organs' reports: each is kept, neither is the other's duplicate.
        assert sorted(names[group.preferred]) == ["2023年度报告.docx", "escape.txt"]
    finally:
        site.close()


def test_an_archive_member_is_never_read_past_the_size_limit():
    data = _archive({"nb.pdf": bytes(50_000), "ok.txt": b"2023"})
    # The header claims 10 bytes: reading stops there and the checksum gives the lie away.
    [lying, ok] = members(patch_declared_size(data, "nb.pdf", 10), max_bytes=1_000)
    assert lying.data is None and lying.skipped.startswith("unreadable (BadZipFile: Bad CRC-32")
    assert ok == Member("ok.txt", "ok.txt", b"2023")
    # Honest headers over the limit are refused before anything is inflated.
    [big, _] = members(data, max_bytes=1_000)
    assert big == Member("nb.pdf", "nb.pdf", skipped="over the size limit (more than 1000 bytes)")
    with pytest.raises(NotAnArchiveError, match="not a readable zip archive"):
        list(members(b"PK\x03\x04", max_bytes=1_000))


def test_an_archive_is_read_within_a_budget_and_a_count():
    # 10 members of 1,000 zeros each: a few hundred bytes compressed, 10,000 inflated.
    bomb = _archive({f"{k}.txt": bytes(1_000) for k in range(10)})
    read = list(members(bomb, max_bytes=1_000))
    assert sum(m.data is not None for m in read) == unpack.BUDGET
    assert read[-1].skipped.startswith("past the archive's budget")
    many = _archive({f"{k}.txt": b"" for k in range(unpack.MAX_MEMBERS + 1)})
    with pytest.raises(NotAnArchiveError, match=f"an archive of {unpack.MAX_MEMBERS + 1} files"):
        list(members(many, max_bytes=1_000))
    # A name the archive repeats gets a key of its own.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr("nb.txt", b"1")
        archive.writestr("nb.txt", b"2")
    assert [(m.key, m.data) for m in members(buffer.getvalue(), max_bytes=10)] == [
        ("nb.txt", b"1"),
        ("nb.txt~2", b"2"),
    ]


def test_zip_members_that_cannot_be_saved_or_were_dropped(tmp_path):
    site = Site()
    try:
        link = [("/down?id=7", "2023年报附件.zip")]  # the link's words say zip; the server does not
        page = attachments_page("县教育局2023年政府信息公开工作年度报告", "2024-01-20", link)
        site.routes["/ndbg/t1.html"] = Route(page)
        # A zip without .zip in its URL or headers is told by its content; a file where another
        # member needs a folder fails alone, and the others are saved.
        first = {"x.txt/y.txt": b"a", "x.txt": b"b", "nb.txt": b"2023 v1", "old.txt": b"old"}
        site.routes["/down?id=7"] = Route(_archive(first), content_type="application/octet-stream")
        out = tmp_path / "out"
        sources = [Source(site.url("/ndbg/t1.html"), kind="report")]
        crawl(sources, out)
        rows = manifest(out).set_index("url")
        zip_url = site.url("/down?id=7")
        assert rows.loc[zip_url, "saved_file"].startswith(".fetch/zip/")
        assert rows.loc[f"{zip_url}#x.txt", "outcome"] == "failed"
        assert rows.loc[f"{zip_url}#x.txt", "reason"].startswith("cannot be saved as")
        assert rows.loc[f"{zip_url}#nb.txt", "outcome"] == "fetched"
        old = out / rows.loc[f"{zip_url}#old.txt", "saved_file"]
        assert old.read_bytes() == b"old"

        # The archive is replaced: a member it no longer holds is set aside, not read again.
        site.routes["/down?id=7"] = Route(
            _archive({"nb.txt": b"2023 v2"}), content_type="application/octet-stream"
        )
        crawl(sources, out)
        second = manifest(out).query("run_id == 2").set_index("url")
        assert second.loc[f"{zip_url}#nb.txt", "change"] == "changed"
        assert not old.exists()
        hints = fetch.manifest_hints(out)
        # The members the new archive lacks (old.txt, x.txt/y.txt) are no longer read.
        page_file = Path(file_name(site.url("/ndbg/t1.html"))).name
        assert sorted(Path(p).name for p in hints) == sorted(["nb.txt", page_file])

        # An empty archive: its unpacking fails with the reason, and no member stays current.
        site.routes["/down?id=7"] = Route(_archive({}), content_type="application/octet-stream")
        crawl(sources, out)
        third = manifest(out).query("run_id == 3").set_index("url")
        assert third.loc[f"{zip_url}#", "reason"] == "the archive holds no files"
        assert sorted(Path(p).name for p in fetch.manifest_hints(out)) == [page_file]

        # The URL now serves the report itself: saved where parse reads it.
        site.routes["/down?id=7"] = Route(pdf_bytes("report"), content_type="application/pdf")
        crawl(sources, out)
        fourth = manifest(out).query("run_id == 4").set_index("url")
        assert not fourth.loc[zip_url, "saved_file"].startswith(".fetch/")
        assert len(fetch.manifest_hints(out)) == 2
    finally:
        site.close()


def test_a_revisit_never_refers_to_a_warc_file_that_is_gone(tmp_path):
    site = Site()
    try:
        site.routes["/ndbg/t1.html"] = Route(table_page(report_text("003")).encode())
        out = tmp_path / "out"
        sources = [Source(site.url("/ndbg/t1.html"), kind="report")]
        crawl(sources, out)
        for warc in (out / ".fetch" / "warc").glob("*.warc.gz"):
            warc.unlink()  # the first run's archive was deleted
        crawl(sources, out)
        records = warc_records(out)
        page = [r["type"] for r in records if r["uri"] == site.url("/ndbg/t1.html")]
        assert sorted(page) == ["request", "response"]  # the body archived whole again
        crawl(sources, out)  # and the next run refers to the copy that exists
        revisits = [r for r in warc_records(out) if r["type"] == "revisit"]
        ids = {r["id"] for r in warc_records(out)}
        assert revisits and all(r["refers_to_id"] in ids for r in revisits)
    finally:
        site.close()


FORMS = {
    # A page and its Word form (organ not read from the page), and the organ's 2022 report.
    "page and its form": (
        [
            ("t1.html", None, 2023, 210),
            ("t1.docx", "县教育局", 2023, 200),
            ("t1-2022.docx", "县教育局", 2022, 190),
        ],
        {"t1.html": "t1.docx"},
    ),
    # Two departments' reports: a page whose organ was not read repeats one of them, which is not
    # known: an ambiguous form of the best of them, never a third report.
    "page and two departments": (
        [
            ("t1.html", None, 2023, 210),
            ("edu.docx", "县教育局", 2023, 200),
            ("finance.pdf", "县财政局", 2023, 200),
        ],
        {"t1.html": "edu.docx"},
    ),
    # No organ read from either form of the report: one report.
    "no organ read": ([("t1.html", None, 2023, 200), ("t1.pdf", None, 2023, 200)], {"t1.pdf": "t1.html"}),
    # A district and one whose name ends like it are two places.
    "河西区 and 西区": ([("t1.html", "天津市河西区", 2023, 200), ("t1.pdf", "西区", 2023, 200)], {}),
    # A city's report and its finance bureau's are two reports.
    "city and department": (
        [("t1.html", "东宁市", 2023, 200), ("finance.docx", "东宁市财政局", 2023, 190)],
        {},
    ),
    # One government read with and without its city, 人民政府 or not: one report.
    "one organ spelt two ways": (
        [("t1.html", "东山区政府", 2022, 200), ("t1.docx", "鹤岗市东山区人民政府", 2022, 200)],
        {"t1.html": "t1.docx"},
    ),
    "a government and its office": (
        [("t1.html", "东山区人民政府", 2022, 200), ("t1.docx", "东山区人民政府办公室", 2022, 200)],
        {},
    ),
}


@pytest.mark.parametrize("case", FORMS)
def test_report_forms_keep_apart_the_reports_of_other_organs_and_years(case, tmp_path):
    files, duplicates = FORMS[case]
    page = "http://a.gov.cn/ndbg/t1.html"
    rows, parsed = [], []
    for name, organ, year, values in files:
        rows.append(
            {"kind": "report" if name.endswith("html") else "attachment", "url": f"{page}#{name}",
             "report_url": page, "saved_file": f"a.gov.cn/{name}", "outcome": "fetched"}
        )  # fmt: skip
        path = tmp_path / "a.gov.cn" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
        parsed.append((name, str(path), organ, year, values, name.rsplit(".", 1)[1]))
    write_manifest(tmp_path, rows)
    reports = pd.DataFrame(parsed, columns=["report_id", "path", "organ", "year", "values_read", "format"])
    forms = fetch.report_forms(reports.astype({"year": "Int16", "values_read": "Int16"}), tmp_path)
    found = {
        Path(p).name: Path(d).name for p, d in zip(forms.path, forms.duplicate_of, strict=True) if pd.notna(d)
    }
    assert found == duplicates
    assert forms.ambiguous.sum() == (case == "page and two departments")
    assert sorted(Path(p).name for p in forms.path[forms.preferred]) == sorted(
        name for name, *_ in files if name not in duplicates
    )
