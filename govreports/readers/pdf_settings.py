"""How PDFs are read: :class:`PdfSettings`, and the settings in force for this thread or task.

Kept apart from :mod:`govreports.readers.pdf` so that passing settings around (the corpus
functions, the command line) does not load the PDF libraries.

>>> PdfSettings.resolve({"engines": ["pdfplumber", "camelot"]}).engines
('pdfplumber', 'camelot')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

__all__ = ["ENGINE_NAMES", "PAGE_CHOICES", "PdfSettings", "current_settings", "use_pdf_settings"]

# The table engines of :mod:`govreports.readers.pdf_engines`, which maps each name to its reader.
ENGINE_NAMES = ("pdfium", "pdfplumber", "camelot")
PAGE_CHOICES = ("located", "all")


@dataclass(frozen=True)
class PdfSettings:
    """How PDFs are read.

    Attributes:
        engines: table engines, from :data:`ENGINE_NAMES`: ``pdfium`` (the default: the PDF's
            own ruling lines and text layer), ``pdfplumber`` or ``camelot`` (which parse the
            file again, several times slower). With two, the first one's cells are
            kept and every cell the second reads differently gets the status
            ``engine_disagreement``.
        pages: ``"located"`` (only the pages the text layer shows to hold the tables) or
            ``"all"``.
    """

    engines: tuple[str, ...] = ("pdfium",)
    pages: str = "located"

    def __post_init__(self) -> None:
        object.__setattr__(self, "engines", tuple(self.engines))
        unknown = [e for e in self.engines if e not in ENGINE_NAMES]
        if unknown or not 1 <= len(set(self.engines)) == len(self.engines) <= 2:
            raise ValueError(f"engines: one or two different names of {ENGINE_NAMES}, not {self.engines}")
        if self.pages not in PAGE_CHOICES:
            raise ValueError(f"pages must be one of {PAGE_CHOICES}, not {self.pages!r}")

    @classmethod
    def resolve(cls, value: PdfSettings | Mapping[str, Any] | None) -> PdfSettings:
        """Return settings from None (the defaults), a mapping of fields, or settings themselves."""
        if value is None:
            return cls()
        if isinstance(
            value, PdfSettings
        ):  # named rather than cls so that the else is a mapping; no subclasses
            return value
        return cls(**dict(value))


_SETTINGS: ContextVar[PdfSettings | None] = ContextVar("pdf_settings", default=None)


@contextmanager
def use_pdf_settings(settings: PdfSettings | Mapping[str, Any]) -> Iterator[PdfSettings]:
    """Read PDFs with these settings inside the block, e.g. through ``govreports.read_report``.

    The settings hold for this thread or task. :func:`govreports.read_reports` and
    :func:`govreports.store.build` carry them to their worker processes and Dask workers.

    >>> with use_pdf_settings({"pages": "all"}) as s:
    ...     s.pages
    'all'
    """
    resolved = PdfSettings.resolve(settings)
    token = _SETTINGS.set(resolved)
    try:
        yield resolved
    finally:
        _SETTINGS.reset(token)


def current_settings(settings: PdfSettings | Mapping[str, Any] | None = None) -> PdfSettings:
    """Return the settings to read PDFs with: ``settings``, else those of :func:`use_pdf_settings`.

    >>> current_settings().engines, current_settings({"pages": "all"}).pages
    (('pdfium',), 'all')
    """
    return PdfSettings.resolve(settings if settings is not None else _SETTINGS.get())
