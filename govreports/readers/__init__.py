"""Readers, one per input format, each returning a :class:`Document`; :func:`sniff` picks one.

>>> sniff(b"%PDF-1.7 ...")
'pdf'
>>> sniff("规章".encode())
'text'
"""

from __future__ import annotations

from collections.abc import Callable

from govreports.readers.document import Document, RawRow
from govreports.readers.text import read_text

__all__ = ["READERS", "Document", "RawRow", "sniff"]

READERS: dict[str, Callable[..., Document]] = {"text": read_text}

_MAGIC = (
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "docx"),
    (b"\xd0\xcf\x11\xe0", "doc"),
)


def sniff(data: bytes) -> str:
    """Name the format of report bytes from their content, not from the file name."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<table" in head:
        return "html"
    return "text"
