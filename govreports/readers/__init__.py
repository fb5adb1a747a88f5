"""Readers, one per input format, each returning a :class:`Document`; :func:`sniff` picks one.

>>> sniff(b"%PDF-1.7 ...")
'pdf'
>>> sniff("规章".encode())
'text'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from govreports.readers.document import Document, RawRow

__all__ = ["READERS", "Document", "RawRow", "get_reader", "sniff"]

# Format → "module:function". Readers are imported on first use, so that reading text never
# pays for the PDF or DOCX libraries.
READERS: dict[str, str] = {"text": "govreports.readers.text:read_text"}


def get_reader(fmt: str) -> Callable[..., Document] | None:
    """Return the reader function of a format, or None when this version has none."""
    target = READERS.get(fmt)
    if target is None:
        return None
    module, function = target.split(":")
    return getattr(importlib.import_module(module), function)


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
