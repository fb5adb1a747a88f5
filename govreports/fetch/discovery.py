r"""Reading the pages of Chinese government sites: links, pagination, report titles, dates.

The rules specific to these sites live here, and only here:

* pages come in UTF-8, GBK, GB2312 and GB18030, declared in the HTTP header, in a ``<meta>``,
  or nowhere: :func:`decode_page` decodes GBK and GB2312 as GB18030 (their superset);
* a column (栏目) is a list of links paged as ``index.html``, ``index_1.html``, …, written by a
  script (``createPageHTML(total, current, "index", "html")``, the TRS/WCM pager, whose
  arguments may be variables set earlier in the page), by ``下一页`` links, or by numbered
  links: :func:`pager_urls` reads all three;
* a report link is one whose text (or ``title`` attribute, which holds the full title when a
  list cuts it short) matches annual-report wording, :data:`DEFAULT_PATTERNS`;
* a report page links its attachments (.pdf, .doc, .docx, .wps, .odt, .zip), often through a
  download script whose query or link text names the file: :func:`attachment_type`.

>>> page = parse_page("http://a.gov.cn/ndbg/index.html", '''<ul>
... <li><a href="./202301/t1.html" title="某县2022年政府信息公开工作年度报告">某县2022年政府信…</a>
... <span>2023-01-15</span></li></ul>
... <script>createPageHTML(3, 0, "index", "html");</script>'''.encode())
>>> [(link.url, link.date) for link in page.links]
[('http://a.gov.cn/ndbg/202301/t1.html', '2023-01-15')]
>>> page.pager
['http://a.gov.cn/ndbg/index_1.html', 'http://a.gov.cn/ndbg/index_2.html']
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from lxml import etree, html

# Titles of annual reports: 政府信息公开工作年度报告, 2023年度政务公开工作报告, …年报.
DEFAULT_PATTERNS = (r"年度.{0,20}报告", r"年报")
ATTACHMENT_TYPES = ("pdf", "doc", "docx", "wps", "odt", "zip")
# Links around an article that lead to its neighbours, not to more reports of this column.
_NEIGHBOUR_WORDS = ("上一篇", "下一篇", "上一条", "下一条", "上篇", "下篇")
_NEXT_WORDS = frozenset({"下一页", "下页", "后一页", "下一頁", "next", "next page", ">", "›", "»"})
_PAGE_EXTENSIONS = ("html", "htm", "shtml", "jhtml", "jsp", "php", "asp", "aspx", "do")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-z0-9_.:-]+)", re.IGNORECASE)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PUBLISHED_LABEL = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|公开日期|信息来源日期|日期)\s*[:：]?\s*"
    r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
# The <meta> names Chinese government CMSs give the publication time (the national site
# standard's PubDate, and the names other systems use).
_PUBLISHED_META = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date")
_TITLE_META = ("articletitle", "title", "og:title")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CHINESE_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})\s*年")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]*)\)", re.IGNORECASE)
_VARIABLE = re.compile(r"\b(?:var|let|const)?\s*([A-Za-z_$][\w$]*)\s*=\s*(\d+)\s*[;,\n]")
_MAX_PAGER_PAGES = 10_000
# Words of a report's own text (its section headings and table titles), not of a list of links.
_REPORT_MARKERS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请",
    "政府信息公开行政复议",
    "存在的主要问题",
    "其他需要报告的事项",
)
# A report title without a year is longer than this: it names the organ (a column's name,
# 政府信息公开工作年度报告, is shorter).
_LONGEST_COLUMN_NAME = 16


@dataclass(frozen=True)
class Link:
    """A link on a page: where it goes, its words, and the date printed next to it."""

    url: str
    text: str
    date: str | None = None
    neighbour: bool = False  # a 上一篇 / 下一篇 link to the article before or after


@dataclass
class Page:
    """What a page says for the crawler: its title, links, pager and publication date."""

    url: str
    title: str | None
    links: list[Link] = field(default_factory=list)
    pager: list[str] = field(default_factory=list)
    published: str | None = None
    encoding: str = "utf-8"
    report_body: bool = False  # the page's text reads as a report (its sections or tables)


def normalize_url(url: str) -> str:
    """Return a URL in one spelling: lower-case scheme and host, no default port or fragment.

    Non-ASCII characters are percent-encoded (already encoded ones are kept), so that two
    spellings of one address are one address.

    >>> normalize_url("HTTP://Www.A.gov.cn:80/ndbg/年报.pdf#top")
    'http://www.a.gov.cn/ndbg/%E5%B9%B4%E6%8A%A5.pdf'
    >>> normalize_url("https://a.gov.cn")
    'https://a.gov.cn/'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return urlunsplit((scheme, host, path, query, ""))


def site_of(url: str) -> str:
    """Name the site a URL belongs to: its host without ``www.``, with a port other than the default.

    >>> site_of("http://www.a.gov.cn/x"), site_of("http://a.gov.cn:8080/")
    ('a.gov.cn', 'a.gov.cn:8080')
    """
    netloc = urlsplit(normalize_url(url)).netloc
    return netloc.removeprefix("www.")


def same_site(url: str, other: str) -> bool:
    """Tell whether two URLs are on the same site (``www.`` or not, same port and scheme family)."""
    return site_of(url) == site_of(other)


def decode_page(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page: the HTTP charset, else the ``<meta>`` one, else UTF-8, else GB18030.

    >>> decode_page("<p>年度报告".encode("gbk"), "text/html; charset=GB2312")
    ('<p>年度报告', 'gb18030')
    >>> decode_page('<meta charset="gbk"><p>年度报告'.encode("gbk"))[1]
    'gb18030'
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    declared = [_HEADER_CHARSET.search(content_type or ""), _CHARSET.search(data[:4096])]
    for match in declared:
        codec = _codec(match[1] if match else None)
        if codec:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                continue  # a declaration that lies (an editor's default): try the others
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030"


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="ignore")
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return "gb18030" if name in ("gbk", "gb2312", "gb18030", "hz") else name


def parse_page(url: str, data: bytes, content_type: str | None = None) -> Page:
    """Read a page's title, links (absolute, normalised), pager and publication date."""
    text, encoding = decode_page(data, content_type)
    root = _parse_html(text)
    if root is None:
        return Page(url, None, encoding=encoding)
    hrefs = cast("list[str]", root.xpath("//base/@href"))  # attribute values, as selected
    base = urljoin(url, (hrefs or [""])[0].strip())
    links = list(_links(root, base)) + list(_embedded(root, base))
    return Page(
        url=url,
        title=_title(root),
        links=links,
        pager=pager_urls(url, text, links),
        published=_published(root),
        encoding=encoding,
        report_body=_reads_as_report(root),
    )


def _parse_html(text: str) -> etree._Element | None:
    # An XML declaration in a decoded string makes lxml refuse it; the bytes are re-encoded.
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
    try:
        return html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _title(root: etree._Element) -> str | None:
    for name in _TITLE_META:
        content = cast(
            "list[str]",  # attribute values, as selected
            root.xpath(
                f"//meta[translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                f"'abcdefghijklmnopqrstuvwxyz')='{name}']/@content"
            ),
        )
        if content and content[0].strip():
            return _squash(content[0])
    title = root.findtext(".//title")
    return _squash(title) if title and title.strip() else None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _reads_as_report(root: etree._Element) -> bool:
    body = root.find("body")
    # lxml.html's elements have text_content(); lxml-stubs 0.5 know them as plain _Element.
    text = re.sub(r"\s+", "", body.text_content()) if body is not None else ""  # type: ignore[attr-defined]
    return sum(marker in text for marker in _REPORT_MARKERS) >= 2


def _published(root: etree._Element) -> str | None:
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        if name in _PUBLISHED_META:
            date = iso_date(meta.get("content") or "")
            if date:
                return date
    body = root.find("body")
    # lxml.html's elements have text_content(); lxml-stubs 0.5 know them as plain _Element.
    text = _squash(body.text_content()) if body is not None else ""  # type: ignore[attr-defined]
    match = _PUBLISHED_LABEL.search(text)
    return iso_date(match[1]) if match else None


def iso_date(text: str) -> str | None:
    """Return the first date in a text as ``YYYY-MM-DD``, or None.

    >>> iso_date("发布时间：2023年1月5日 09:30"), iso_date("2023/01/05"), iso_date("无")
    ('2023-01-05', '2023-01-05', None)
    """
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _links(root: etree._Element, base: str) -> Iterable[Link]:
    seen = set()
    for anchor in root.iter("a", "area"):
        href = (anchor.get("href") or "").strip()
        if (
            not href
            or href.startswith("#")
            or href.split(":", 1)[0].lower() in ("javascript", "mailto", "tel")
        ):
            continue
        url = normalize_url(urljoin(base, href))
        if not url.startswith(("http://", "https://")):
            continue
        words = _link_words(anchor)
        context = _context(anchor)
        key = (url, words)
        if key in seen:
            continue
        seen.add(key)
        neighbour = any(word in context for word in _NEIGHBOUR_WORDS)
        yield Link(url, words, iso_date(context.replace(words, " ")), neighbour)


def _link_words(anchor: etree._Element) -> str:
    """Return a link's words: its full title where the list prints it cut short (``…``).

    >>> _link_words(html.fromstring('<a title="某县2023年政府信息公开工作年度报告">某县2023年政府信息…</a>'))
    '某县2023年政府信息公开工作年度报告'
    """
    # lxml.html's elements have text_content(); lxml-stubs 0.5 know them as plain _Element.
    text, title = _squash(anchor.text_content()), _squash(anchor.get("title") or "")  # type: ignore[attr-defined]
    shown = text.rstrip("…. ")
    if not title or title == text:
        return text
    if not shown or title.startswith(shown):
        return title
    return f"{text} {title}"


def _embedded(root: etree._Element, base: str) -> Iterable[Link]:
    """Files a page shows inside itself (``<iframe>``, ``<embed>``, ``<object>``): its attachments too."""
    for element in root.iter("iframe", "embed", "object"):
        source = (element.get("src") or element.get("data") or "").strip()
        url = normalize_url(urljoin(base, source)) if source else ""
        if url.startswith(("http://", "https://")) and attachment_type(url.split("?")[0]):
            yield Link(url, "")


def _context(anchor: etree._Element) -> str:
    """Return the text of the list item (or table row) around a link, where lists print its date."""
    node = anchor.getparent()
    for _ in range(3):
        if node is None or node.tag in ("li", "tr", "dd", "dt", "p"):
            break
        node = node.getparent()
    # lxml.html's elements have text_content(); lxml-stubs 0.5 know them as plain _Element.
    return _squash(node.text_content()) if node is not None else ""  # type: ignore[attr-defined]


def pager_urls(url: str, text: str, links: list[Link]) -> list[str]:
    """Return the other pages of a column: from its script pager, ``下一页`` or numbered links.

    >>> script = "var countPage = 4;createPageHTML(countPage, 2, 'index', 'shtml');"
    >>> pager_urls("http://a.gov.cn/c/index_2.shtml", script, [])
    ['http://a.gov.cn/c/index.shtml', 'http://a.gov.cn/c/index_1.shtml', 'http://a.gov.cn/c/index_3.shtml']
    """
    found = []
    for match in _CREATE_PAGE.finditer(text):
        found.extend(_scripted_pages(url, match[1], text))
    here = urlsplit(url).path.rsplit("/", 1)[0]
    for link in links:
        words = link.text.strip().lower()
        numbered = words.isdigit() and urlsplit(link.url).path.rsplit("/", 1)[0] == here
        if (words in _NEXT_WORDS or numbered) and same_site(link.url, url):
            found.append(link.url)
    return [page for page in dict.fromkeys(found) if page != normalize_url(url)]


def _scripted_pages(url: str, arguments: str, text: str) -> list[str]:
    """List the pages of a ``createPageHTML(...)`` pager: ``prefix.ext``, then ``prefix_i.ext``."""
    variables = dict(_VARIABLE.findall(text))
    numbers, strings = [], []
    for argument in (a.strip() for a in arguments.split(",")):
        if argument[:1] in "'\"":
            strings.append(argument.strip("'\""))
        elif argument.isdigit():
            numbers.append(int(argument))
        elif argument in variables:
            numbers.append(int(variables[argument]))
    extension = next((i for i, s in enumerate(strings) if s.lower().lstrip(".") in _PAGE_EXTENSIONS), None)
    if not numbers or extension is None or extension == 0:
        return []
    total = min(numbers[0], _MAX_PAGER_PAGES)
    prefix, ext = strings[extension - 1], strings[extension].lstrip(".")
    names = [f"{prefix}.{ext}"] + [f"{prefix}_{i}.{ext}" for i in range(1, total)]
    return [normalize_url(urljoin(url, name)) for name in names]


def attachment_type(url: str, text: str = "") -> str | None:
    """Name the type of file a link downloads (``pdf``, ``doc``, …), or None for a page.

    The type is read from the path, then from a file name in the query (download scripts),
    then from the link's words (``附件：2023年报.pdf``).

    >>> attachment_type("http://a.gov.cn/u/2023.PDF"), attachment_type("http://a.gov.cn/down.jsp?name=报告.wps")
    ('pdf', 'wps')
    >>> attachment_type("http://a.gov.cn/down.jsp?id=3", "2023年年度报告.docx"), attachment_type("http://a/x.html")
    ('docx', None)
    """
    parts = urlsplit(url)
    for candidate in (unquote(parts.path), unquote(parts.query), text.strip()):
        match = re.search(r"\.([A-Za-z]{3,4})(?=$|[&#\s)）】\]])", candidate)
        if match and match[1].lower() in ATTACHMENT_TYPES:
            return match[1].lower()
    return None


def title_year(text: str) -> int | None:
    """Return the year a report title names (``2023年``, ``二〇二三年度``), or None.

    >>> title_year("某县2023年度信息公开工作报告"), title_year("二〇二一年政务公开年报"), title_year("年报")
    (2023, 2021, None)
    """
    match = _YEAR.search(text) or _CHINESE_YEAR.search(text)
    return int(match[1].translate(_CHINESE_DIGITS)) if match else None


@dataclass(frozen=True)
class LinkRules:
    """Which links of a column are reports: annual-report wording, and a year range when given."""

    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    years: tuple[int, int] | None = None
    _compiled: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", tuple(re.compile(p) for p in self.patterns))

    def is_report(self, words: str) -> bool:
        """Whether link words read as an annual report's title.

        They match a pattern and name a year, or are long enough to name an organ too: a menu
        or breadcrumb entry that names the column (``年度报告``, ``政府信息公开年报``) is no report.

        >>> rules = LinkRules()
        >>> rules.is_report("年度报告"), rules.is_report("2023年报")
        (False, True)
        >>> rules.is_report("某县人民政府信息公开工作年度报告")
        True
        """
        if not any(pattern.search(words) for pattern in self._compiled):
            return False
        return title_year(words) is not None or len(words) >= _LONGEST_COLUMN_NAME

    def year_reason(self, words: str) -> str | None:
        """Why a report title falls outside the year range, or None when it is inside (or says no year)."""
        year = title_year(words)
        if self.years is None or year is None or self.years[0] <= year <= self.years[1]:
            return None
        return f"year {year} outside {self.years[0]}-{self.years[1]}"


def report_links(page: Page, rules: LinkRules) -> list[Link]:
    """List the links of a page whose words read as an annual report (neighbour links excluded)."""
    return [link for link in page.links if not link.neighbour and rules.is_report(link.text)]


def looks_like_column(page: Page, rules: LinkRules) -> bool:
    """Tell a column (list) page from a report page.

    A column has a pager, a link to a report page, or links to two reports or more; and no
    report text of its own, and no attachment but reports (a report page may list other
    years' reports beside its own text or its 附件; a page whose one report link is a file is
    that report's page).
    """
    links = report_links(page, rules)
    listed = {link.url for link in links}
    pages = [link for link in links if not attachment_type(link.url, link.text)]
    if not (page.pager or pages or len(listed) >= 2) or page.report_body:
        return False
    return not any(
        attachment_type(link.url, link.text) and link.url not in listed
        for link in page.links
        if not link.neighbour
    )
