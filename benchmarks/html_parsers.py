"""HTML parsers compared: the parse of a report page, and a walk over its table cells.

Usage: python benchmarks/html_parsers.py [--pages N] [--repeats R]

The pages are N generated reports written as benchmarks/formats.py writes them (Word-exported
pages, every other one in GBK) plus every HTML file under data/raw and tests/fixtures. The two
floor variants of benchmarks/formats.py parse the page's bytes as saved (libxml2 decodes them
as the page's ``<meta>`` says); the others parse the page decoded as the reader decodes it and
encoded as UTF-8, which is what the reader parses. Reading the files and decoding them is left
out.

Parsers, each where installed:

  lxml.html           ``lxml.html.fromstring`` (libxml2's HTML parser, lxml.html's element classes);
  etree.HTMLParser    ``etree.fromstring`` with ``HTMLParser(no_network=True)``;
  etree (reader)      the parser the HTML reader uses: UTF-8 fixed, comments and processing
                      instructions removed, no network, ``huge_tree=False``;
  lexbor              ``selectolax.lexbor.LexborHTMLParser`` (an HTML5 tree builder);
  modest              ``selectolax.parser.HTMLParser`` (selectolax before 1.0 only).

"walk" is the parse plus a pass over every table row and cell reading each cell's text and its
``rowspan`` and ``colspan``: the least the reader's cell walk does. The table prints milliseconds
per page (CPU time of this process, medians over repeats) and each one's ratio to the
``lxml.html`` parse, which is the floor in benchmarks/formats.py. Then what each parser does
with input a report page must not make it do: fetch a URL (an external DTD or entity), expand
an entity, or lose the report after markup nested deeper than libxml2's limit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
from lxml import etree

from govreports.readers.html import _decode
from govreports.render.html import render_html
from govreports.synthetic import generate_report

ROOT = Path(__file__).resolve().parents[1]

try:
    from selectolax.lexbor import LexborHTMLParser
except ImportError:  # not installed
    LexborHTMLParser = None
try:
    from selectolax.parser import HTMLParser as ModestHTMLParser
except (ImportError, Exception):  # not installed, or selectolax 1.0 or later, which dropped Modest
    ModestHTMLParser = None

_CELLS = ("td", "th")


def generated_pages(n: int) -> list[bytes]:
    def report(i: int):
        return generate_report(i, template="2019" if i % 7 == 0 else "2021", blank_rate=0.01)

    return [render_html(report(i), encoding="gbk" if i % 2 else "utf-8") for i in range(n)]


def real_pages() -> list[bytes]:
    folders = (ROOT / "data" / "raw", ROOT / "tests" / "fixtures")
    found = [
        p for folder in folders for p in sorted(folder.rglob("*")) if p.suffix.lower() in (".html", ".htm")
    ]
    return [p.read_bytes() for p in found]


# -- parses -------------------------------------------------------------------------------------


def _reader_parser() -> etree.HTMLParser:
    return etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=False
    )


def parse_lxml_html(saved: bytes, utf8: bytes) -> object:
    return lxml.html.fromstring(saved)


def parse_etree(saved: bytes, utf8: bytes) -> object:
    return etree.fromstring(saved, etree.HTMLParser(no_network=True))


def parse_reader(saved: bytes, utf8: bytes) -> object:
    return etree.fromstring(utf8, _reader_parser())


def parse_lexbor(saved: bytes, utf8: bytes) -> object:
    return LexborHTMLParser(utf8)


def parse_modest(saved: bytes, utf8: bytes) -> object:
    return ModestHTMLParser(utf8)


# -- walks over the table cells -----------------------------------------------------------------


def walk_lxml(root) -> int:
    count = 0
    if root is None:
        return count
    for table in root.iter("table"):
        for tr in table.iter("tr"):
            for td in tr:
                if td.tag in _CELLS:
                    etree.tostring(td, method="text", encoding=str, with_tail=False)
                    td.get("rowspan"), td.get("colspan")
                    count += 1
    return count


def walk_selectolax(tree) -> int:
    count = 0
    for table in tree.css("table"):
        for tr in table.css("tr"):
            for td in tr.iter():
                if td.tag in _CELLS:
                    td.text(deep=True)
                    attributes = td.attributes
                    attributes.get("rowspan"), attributes.get("colspan")
                    count += 1
    return count


PARSERS: dict[str, tuple[Callable, Callable]] = {
    "lxml.html": (parse_lxml_html, walk_lxml),
    "etree.HTMLParser": (parse_etree, walk_lxml),
    "etree (reader)": (parse_reader, walk_lxml),
}
if LexborHTMLParser is not None:
    PARSERS["lexbor"] = (parse_lexbor, walk_selectolax)
if ModestHTMLParser is not None:
    PARSERS["modest"] = (parse_modest, walk_selectolax)


def _time(pages: list[tuple[bytes, bytes]], step: Callable[[bytes, bytes], object]) -> float:
    """CPU seconds of this process (the machine may be shared) to run ``step`` on every page."""
    start = time.process_time()
    for saved, utf8 in pages:
        step(saved, utf8)
    return time.process_time() - start


def measure(pages: list[tuple[bytes, bytes]], repeats: int) -> dict[str, tuple[float, float, int]]:
    """Milliseconds per page: parse, parse + walk (medians over repeats, interleaved); cells seen."""
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in PARSERS}
    steps = {}
    for name, (parse, walk) in PARSERS.items():
        steps[name] = (parse, lambda saved, utf8, parse=parse, walk=walk: walk(parse(saved, utf8)))
        _time(pages[:3], steps[name][1])  # warm up
    for _ in range(repeats):
        for name, (parse, walked) in steps.items():
            times[name][0].append(_time(pages, parse))
            times[name][1].append(_time(pages, walked))
    cells = {name: sum(walk(parse(s, u)) for s, u in pages) for name, (parse, walk) in PARSERS.items()}
    n = len(pages)
    return {
        name: (1000 * statistics.median(p) / n, 1000 * statistics.median(w) / n, cells[name])
        for name, (p, w) in times.items()
    }


def print_table(label: str, results: dict[str, tuple[float, float, int]]) -> None:
    floor = results["lxml.html"][0]
    print(f"\n{label}")
    print(
        f"{'parser':<18} {'parse ms':>9} {'x floor':>8} {'walk ms':>8} {'parse+walk':>10} "
        f"{'x floor':>8} {'cells':>7}"
    )
    for name, (parse, walked, cells) in results.items():
        print(
            f"{name:<18} {parse:>9.3f} {parse / floor:>8.2f} {walked - parse:>8.3f} {walked:>10.3f} "
            f"{walked / floor:>8.2f} {cells:>7}"
        )


# -- what a hostile page makes each parser do ---------------------------------------------------


_EXTERNAL = (
    b'<!DOCTYPE html SYSTEM "http://127.0.0.1:9/dtd"><html><body>'
    b'<img src="http://127.0.0.1:9/x.png"><p>text</p></body></html>'
)
_ENTITY = b'<!DOCTYPE p [<!ENTITY x "EXPANDED">]><p>&x;</p>'
_DEEP = b"<div>" * 300 + b"deep" + b"</div>" * 300 + b"<table><tr><td>after</td></tr></table>"


def _text_of(name: str, markup: bytes) -> str:
    parse, _ = PARSERS[name]
    tree = parse(markup, markup)
    if name in ("lexbor", "modest"):
        return tree.body.text(deep=True) if tree.body is not None else ""
    return "" if tree is None else "".join(tree.itertext())


def hostile() -> None:
    print("\nhostile input (no parser here runs scripts or loads images):")
    for name in PARSERS:
        entity = "expanded" if "EXPANDED" in _text_of(name, _ENTITY) else "not expanded"
        deep = _text_of(name, _DEEP)
        after = "kept" if "after" in deep else "lost"
        start = time.perf_counter()
        _text_of(name, _EXTERNAL)  # a fetch would wait on the closed port or fail
        print(
            f"  {name:<18} internal entity {entity}; text after 300 nested elements {after}; "
            f"external DTD page parsed in {1000 * (time.perf_counter() - start):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="generated pages (default 300)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (default 5)")
    args = parser.parse_args()
    installed = ", ".join(PARSERS)
    print(f"parsers: {installed}; Python {sys.version.split()[0]}, lxml {etree.__version__}")

    def prepared(pages: list[bytes]) -> list[tuple[bytes, bytes]]:
        return [(page, _decode(page, "page.html")[0].encode("utf-8")) for page in pages]

    generated = prepared(generated_pages(args.pages))
    real = prepared(real_pages())
    print_table(
        f"{len(generated)} generated pages, mean {_kib(generated)} KiB", measure(generated, args.repeats)
    )
    if real:
        print_table(
            f"{len(real)} real pages (data/raw, tests/fixtures), mean {_kib(real)} KiB",
            measure(real, args.repeats * 20),
        )
    hostile()


def _kib(pages: list[tuple[bytes, bytes]]) -> str:
    return f"{statistics.mean(len(saved) for saved, _ in pages) / 1024:.0f}"


if __name__ == "__main__":
    main()
