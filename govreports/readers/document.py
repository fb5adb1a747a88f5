"""The intermediate every reader returns: physical rows of cell strings, with provenance."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RawRow:
    """One physical row as printed: its cell strings and the 1-based line it starts on."""

    cells: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Document:
    """A decoded report: its full text and its rows (prose lines are rows of one cell).

    ``source_url`` and ``published`` are where and when the report was published, as printed,
    when the input says so (a crawler dump's header). ``page_starts`` holds the line of ``text``
    each page starts on, for inputs with pages (PDF).
    """

    source: str
    text: str
    rows: list[RawRow]
    encoding: str
    source_url: str | None = None
    published: str | None = None
    page_starts: tuple[int, ...] = ()

    def page_of(self, line: int) -> int | None:
        r"""Return the 1-based page that a line of ``text`` is on, or None without pages.

        >>> Document("r.pdf", "a\nb\nc", [], "pdf", page_starts=(1, 3)).page_of(3)
        2
        """
        return bisect_right(self.page_starts, line) or None
