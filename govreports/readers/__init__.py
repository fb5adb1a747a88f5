r"""Readers, one per input format, each returning a :class:`Document`; :func:`sniff` picks one.

The format is decided from the content, never from the file name.

>>> sniff(b"%PDF-1.7 ...")
'pdf'
>>> sniff("规章".encode())
'text'
>>> sniff('<p style="text-indent:2em">某县2023年报</p>'.encode())
'html'
>>> sniff(b'<img src="data:image/png;base64,' + b"A" * 70000 + b'">')  # junk before the report
'html'
>>> sniff(b"| a | b |\n|---|---|\n" + b"| 1 | 2 |\n" * 4)
'markdown'
>>> sniff("标题: 某局2023年报\n发布时间: 2024-01-17\n正文:\n一、总体情况".encode())
'crawl'
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

from govreports.readers.document import Document, RawRow, has_crawl_header

__all__ = ["READERS", "Document", "RawRow", "get_reader", "sniff"]

# Format → "module:function". Readers are imported on first use, so that reading text never
# pays for the PDF or DOCX libraries.
READERS: dict[str, str] = {
    "text": "govreports.readers.text:read_text",
    "html": "govreports.readers.html:read_html",
    "docx": "govreports.readers.docx:read_docx",
    "doc": "govreports.readers.docx:read_legacy_word",
    "pdf": "govreports.readers.pdf:read_pdf",
    "markdown": "govreports.readers.markdown:read_markdown",
    "crawl": "govreports.readers.crawl:read_crawl",
}


def get_reader(fmt: str) -> Callable[..., Document] | None:
    """Return the reader function of a format, or None when this version has none."""
    target = READERS.get(fmt)
    if target is None:
        return None
    module, function = target.split(":")
    reader: Callable[..., Document] = getattr(importlib.import_module(module), function)
    return reader


_MAGIC = (
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "docx"),
    (b"\xd0\xcf\x11\xe0", "doc"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
)
# A saved fragment of a page (no <html> or <body>) opens with one of these elements.
_HTML_START = re.compile(
    rb"\s*<(?:p|div|span|table|section|article|h[1-6]|font|meta|style|center|strong|b|br|link|title"
    rb"|img|script|noscript|a|ul|ol|li|form|input|iframe|header|nav)[\s>/]"
)
_MARKDOWN_ROW = re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE)
_MARKDOWN_RULE = re.compile(r"^\s*\|\s*:?-{3,}", re.MULTILINE)


def sniff(data: bytes) -> str:
    """Name the format of report bytes from their content, not from the file name."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lower()
    # Saved pages may open with a BOM, an XML declaration or a "saved from url" comment.
    if any(tag in head for tag in (b"<!doctype html", b"<html", b"<table")) or _HTML_START.match(head):
        return "html"
    if b"<table" in data[:65536].lower() and b"</td>" in data[:262144].lower():
        return "html"  # a fragment whose tables start further down
    text = data[:65536].decode("utf-8", errors="ignore")
    if "==== 正文 ====" in text or has_crawl_header(text):
        return "crawl"
    # A rule row holds a run of three dashes: most texts are told apart without the regex.
    if "---" in text and _MARKDOWN_RULE.search(text) and len(_MARKDOWN_ROW.findall(text)) >= 5:
        return "markdown"
    return "text"
