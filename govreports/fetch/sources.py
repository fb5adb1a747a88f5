r"""What to fetch: a text file of URLs (one a line) or a CSV with a ``url`` column and hints.

A CSV may carry, besides ``url``, a ``kind`` (``column`` for a list page, ``report`` for a
report page, empty to let the crawler tell) and hints about the reports found there
(``organ``, ``year``, ``region``) that are carried into the manifest. A text file holds one
URL a line; blank lines and lines starting with ``#`` are skipped.

>>> read_sources(text="https://www.example.gov.cn/ndbg/index.html\n# a comment\n")
[Source(url='https://www.example.gov.cn/ndbg/index.html', kind='auto', organ=None, year=None, region=None)]
>>> read_sources(text="url,organ,year\nhttps://a.gov.cn/ndbg/,某县人民政府,2023\n")[0].organ
'某县人民政府'
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from govreports.fetch.discovery import normalize_url

KINDS = ("auto", "column", "report")
_KIND_WORDS = {
    "": "auto",
    "auto": "auto",
    "column": "column",
    "list": "column",
    "栏目": "column",
    "列表": "column",
    "report": "report",
    "page": "report",
    "报告": "report",
}


@dataclass(frozen=True)
class Source:
    """A URL to start from: a column (list) page or a report page, with hints for the manifest."""

    url: str
    kind: str = "auto"
    organ: str | None = None
    year: int | None = None
    region: str | None = None

    def hints(self) -> dict[str, str | int | None]:
        """Return the hints carried into the manifest rows of everything found from this source."""
        return {"organ": self.organ, "year": self.year, "region": self.region}


def read_sources(path: str | os.PathLike[str] | None = None, *, text: str | None = None) -> list[Source]:
    """Read sources from a text or CSV file (or its ``text``); raise ValueError naming a bad line.

    The file may be UTF-8 (with or without a BOM) or GB18030, as Excel saves CSV on a Chinese
    system. A URL listed twice is kept once (its first line's hints).
    """
    if text is None:
        if path is None:
            raise TypeError("read_sources takes a path or text=...")
        text = _decode(Path(path).read_bytes())
    name = "<text>" if path is None else str(path)
    lines = text.splitlines()
    header = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    is_csv = "url" in [cell.strip().lower() for cell in next(csv.reader([header]), [])]
    sources = _from_csv(text, name) if is_csv else _from_lines(lines, name)
    return list({source.url: source for source in reversed(sources)}.values())[::-1]


def as_sources(items: Iterable[Source | str] | str | os.PathLike[str]) -> list[Source]:
    """Turn what :func:`govreports.fetch.run` accepts (a file, URLs, Sources) into Sources."""
    if isinstance(items, str | os.PathLike) and not _looks_like_url(str(items)):
        return read_sources(items)
    if isinstance(items, str):
        items = [items]
    assert not isinstance(items, os.PathLike)  # read above: a pathlib path never prints a URL's "//"
    sources = []
    for item in items:
        sources.append(
            item if isinstance(item, Source) else _source(str(item), "auto", None, None, None, "-")
        )
    return sources


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _from_lines(lines: list[str], name: str) -> list[Source]:
    sources = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if line and not line.startswith("#"):
            sources.append(_source(line.split()[0], "auto", None, None, None, f"{name}:{number}"))
    return sources


def _from_csv(text: str, name: str) -> list[Source]:
    rows = csv.DictReader(io.StringIO(text))
    rows.fieldnames = [field.strip().lower() for field in rows.fieldnames or []]
    sources = []
    for number, row in enumerate(rows, 2):
        url = (row.get("url") or "").strip()
        if not url or url.startswith("#"):
            continue
        where = f"{name}:{number}"
        kind = _KIND_WORDS.get((row.get("kind") or "").strip().lower())
        if kind is None:
            raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, not {row['kind']!r}")
        year = (row.get("year") or "").strip()
        if year and not year.isdigit():
            raise ValueError(f"{where}: year must be a number, not {year!r}")
        sources.append(
            _source(
                url,
                kind,
                _text(row.get("organ")),
                int(year) if year else None,
                _text(row.get("region")),
                where,
            )
        )
    return sources


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _source(
    url: str, kind: str, organ: str | None, year: int | None, region: str | None, where: str
) -> Source:
    if not _looks_like_url(url):
        raise ValueError(f"{where}: not an http(s) URL: {url!r}")
    return Source(normalize_url(url), kind, organ, year, region)
