r"""Word reader: ``.docx`` (and ``.doc``, ``.wps``, ``.odt`` through LibreOffice) → :class:`Document`.

Paragraphs and tables are read in document order. A paragraph is a row of one cell (a
paragraph laid out with tabs is split at them, as the text reader splits a tab row). A table
row is a row of its cells, with merged cells resolved so that value cells keep their places:

* a cell merged across columns is **one** cell (python-docx would repeat it per grid column);
* a cell merged down rows (a group label such as （三）不予公开) is repeated in every row it
  covers, so each row carries its own labels;
* a table whose cells hold tables (a layout table) is read as the content of its cells.

A table split across pages is either one table or two consecutive tables; either way its rows
come out in order. ``text`` holds every paragraph and every printed cell, one per line, and
``RawRow.line`` points into it.

Text is read as Word shows it: hidden runs (``w:vanish``, ``w:specVanish``, set on the run or
through its styles) and deleted revisions are dropped, inserted revisions are kept, and the
digits of a superscript run, and a footnote or endnote reference, become superscript digits
(``179¹``), which :func:`govreports.cells.parse_cell` reads as a footnote mark, not as digits
of the number before it.

Files come from the web and are not trusted: the zip archive is checked before anything is
decompressed (size, compression ratio, number of members); only the parts needed are read
(the package's content types and relationships, the main document, its relationships and
styles), each decompressed in bounded chunks under an absolute size limit, so that a member
whose zip header understates its size is caught too; XML that declares a DTD (entities: XXE,
billion laughs) is refused before it is parsed, and the parser never resolves entities, never
loads a DTD, never touches the network and keeps libxml2's limits on nesting depth and text
size. The main document is parsed as it is decompressed and each paragraph or table is read
and freed as soon as it is complete, so memory holds one of them at a time, not the document;
a single paragraph or table of more XML than a real report holds is refused, and so is a
document of more paragraphs and tables than thousands of pages hold. An OpenDocument text
(``.odt``, also a zip) is converted by LibreOffice first.

>>> from govreports.render.docx import render_docx
>>> from govreports.synthetic import generate_report
>>> doc = read_docx("r.docx", data=render_docx(generate_report(2)))
>>> [row.cells for row in doc.rows if row.cells[-8:-7] == ("（七）总计",)][0][:2]
('三、本年度办理结果', '（七）总计')
"""

from __future__ import annotations

import io
import os
import posixpath
import shutil
import signal
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypedDict, cast

from docx.opc.constants import CONTENT_TYPE
from lxml import etree

from govreports.cells import SUPERSCRIPT_DIGITS, looks_numeric, merged
from govreports.errors import (
    CorruptFileError,
    EmptyInputError,
    ProtectedFileError,
    ReadError,
    RefusedInputError,
    UnsupportedInputError,
)
from govreports.readers.document import Document, RawRow

__all__ = ["read_docx", "read_legacy_word"]

# Limits for untrusted archives. A real report is a few MB at most; a zip bomb declares
# gigabytes, or a member that expands thousands of times (XML compresses ~10-50x).
MAX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024  # members smaller than this may compress as well as they like
MAX_MEMBERS = 10_000
# Absolute limits on the XML actually decompressed, whatever the ratios. The main document
# part of a real report is well under 1 MiB (the official 2021 template's is 0.25 MiB); 64 MiB
# is thousands of pages. It is parsed as it is decompressed, one block (a body-level paragraph
# or table) at a time; a parsed block costs up to ~25 times its XML in memory, so a block's XML
# is limited too (checked at each chunk), far above a real table's. Blocks are counted: an
# empty paragraph is six bytes, and a million of them is hundreds of thousands of pages. The
# other parts read (content types, relationships, styles) are parsed whole; they are tens of
# KiB in real files.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_BLOCK_BYTES = 16 * 1024 * 1024
MAX_BLOCKS = 1_000_000
MAX_OTHER_PART_BYTES = 8 * 1024 * 1024
MAX_READ_BYTES = 80 * 1024 * 1024  # all the parts read for one document
_CHUNK = 1024 * 1024  # decompression and parsing step
MAX_DEPTH = 256  # libxml2's limit on element nesting without XML_PARSE_HUGE, kept
SOFFICE_TIMEOUT = 120  # seconds for one LibreOffice conversion

_WORD_MAIN_TYPES = frozenset(
    {
        CONTENT_TYPE.WML_DOCUMENT_MAIN,
        "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm
    }
)
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
NEEDS_LIBREOFFICE = (
    "{what} input needs LibreOffice: install it (e.g. apt-get install libreoffice-writer-nogui) "
    "or save the file as .docx"
)

_PKG_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC = "/officeDocument"  # the end of the relationship type, transitional and strict
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_NS = {"w": _W}
_P, _TBL, _R, _T, _BODY = (f"{{{_W}}}{tag}" for tag in ("p", "tbl", "r", "t", "body"))
_TAB, _NO_BREAK_HYPHEN = f"{{{_W}}}tab", f"{{{_W}}}noBreakHyphen"
_PPR, _RPR, _PSTYLE, _RSTYLE = (f"{{{_W}}}{tag}" for tag in ("pPr", "rPr", "pStyle", "rStyle"))
_VANISH, _SPEC_VANISH, _VERT_ALIGN = (f"{{{_W}}}{tag}" for tag in ("vanish", "specVanish", "vertAlign"))
_NOTE_REFERENCES = (f"{{{_W}}}footnoteReference", f"{{{_W}}}endnoteReference")
_CUSTOM_MARK = f"{{{_W}}}customMarkFollows"
_STYLE, _STYLE_ID, _BASED_ON, _DOC_DEFAULTS = (
    f"{{{_W}}}{tag}" for tag in ("style", "styleId", "basedOn", "docDefaults")
)
_STYLES_REL = "/styles"  # the end of the relationship type of the styles part
# Bytes that show a part may format runs in a way that changes their text: hidden or raised
# runs, note references. Without them (most documents) the runs are read as they are.
_RUN_MARKS = (b"anish", b"vertAlign", b"noteReference")
_STYLE_MARKS = (b"anish", b"vertAlign")
_OFF = frozenset({"0", "false", "off"})
_SDT, _SDT_CONTENT, _CUSTOM_XML = (f"{{{_W}}}{tag}" for tag in ("sdt", "sdtContent", "customXml"))
_TC_PR, _GRID_SPAN, _H_MERGE, _V_MERGE, _VAL = (
    f"{{{_W}}}{tag}" for tag in ("tcPr", "gridSpan", "hMerge", "vMerge", "val")
)
_TR_PR, _GRID_BEFORE = f"{{{_W}}}trPr", f"{{{_W}}}gridBefore"
# The queries below select elements; lxml's stubs cannot tell that from the expression.
_Query = Callable[[etree._Element], list[etree._Element]]
# Text of a paragraph: run text, tabs and breaks, but not deleted or moved-away revisions and
# not text boxes (drawn twice: once as DrawingML, once as the VML fallback).
_PIECES = cast(
    _Query,
    etree.XPath(
        ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)]"
        "/*[self::w:t or self::w:tab or self::w:br or self::w:cr or self::w:noBreakHyphen]",
        namespaces=_NS,
    ),
)
_CELL_PARAGRAPHS = cast(_Query, etree.XPath(".//w:p[not(ancestor::w:txbxContent)]", namespaces=_NS))
_NESTED_TABLE = cast(_Query, etree.XPath("./w:tr/w:tc//w:tbl", namespaces=_NS))
# Rows and cells, also where a content control or custom XML wraps them.
_ROWS = cast(_Query, etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr", namespaces=_NS))
_CELLS = cast(_Query, etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc", namespaces=_NS))
_MAX_SPAN = 64  # Word allows 63 columns; a larger span is a hostile file, not a wide table


def read_docx(source: str, *, data: bytes) -> Document:
    r"""Read a Word ``.docx`` file into rows of cells.

    Args:
        source: the file name, used in error messages and provenance.
        data: the file's bytes.

    Raises:
        ReadError: the bytes are not a readable Word document, as a subclass that says why:
            ``CorruptFileError``, ``UnsupportedInputError`` (not Word), ``RefusedInputError``
            (a zip bomb, XML over a size, count or depth limit, a DTD), ``ProtectedFileError``;
            ``EmptyInputError`` when it holds no text.

    >>> read_docx("x.docx", data=b"PK\x03\x04 truncated")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    govreports.errors.CorruptFileError: x.docx: corrupt Word file: not a readable zip archive (File is ...)
    """
    archive = _checked_archive(source, data)
    if _is_odt(archive):
        return read_docx(source, data=_convert(source, data, ".odt", "OpenDocument (.odt)"))
    package = _Package(source, archive)
    name = _main_part(package)
    body = _Body(package, name, _run_styles(package, name))
    lines: list[str] = []
    rows: list[RawRow] = []
    for cells, shown in (row for block in body.blocks() for row in _block(block)):
        line = len(lines) + 1 if shown else max(len(lines), 1)
        lines.extend(shown)
        if any(cells):
            rows.append(RawRow(cells, line))
    text = "\n".join(lines)
    if not text.strip():
        raise EmptyInputError(source, "empty document: the Word file holds no text")
    return Document(source=source, text=text, rows=rows, encoding=body.encoding)


def _checked_archive(source: str, data: bytes) -> zipfile.ZipFile:
    """Open the zip and refuse it before anything is decompressed if it is corrupt or a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise CorruptFileError(source, f"corrupt Word file: not a readable zip archive ({error})") from error
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
        raise RefusedInputError(
            source,
            f"refused: the archive has {len(members)} members that expand to {total} bytes, over the "
            f"limits of {MAX_MEMBERS} members and {MAX_UNCOMPRESSED} bytes (a zip bomb?)",
        )
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise RefusedInputError(
                source,
                f"refused: {member.filename} expands {member.file_size // max(member.compress_size, 1)}"
                f" times, over the limit of {MAX_RATIO} (a zip bomb?)",
            )
    return archive


def _is_odt(archive: zipfile.ZipFile) -> bool:
    if "mimetype" not in archive.namelist() or archive.getinfo("mimetype").file_size > 100:
        return False
    return _read_member(archive, "mimetype").startswith(_ODT_MIMETYPE)


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
        return b""


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError)


class _Package:
    """The parts of a checked archive, read under absolute limits and parsed safely."""

    def __init__(self, source: str, archive: zipfile.ZipFile) -> None:
        self.source = source
        self.archive = archive
        self.names = frozenset(archive.namelist())
        self.read_bytes = 0  # decompressed so far, all parts

    def chunks(self, name: str, limit: int) -> Iterator[bytes]:
        """Decompress one part in bounded chunks; refuse it if it is over ``limit`` bytes."""
        source = self.source
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise CorruptFileError(source, f"not a Word document, or a damaged one: no {name}") from None
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Only these decompress a bounded amount per step; Word writes nothing else.
            reason = f"refused: {name} is compressed with method {info.compress_type}, which Word never uses"
            raise RefusedInputError(source, reason)
        # The size the header declares is refused before a byte is decompressed; the bytes
        # decompressed are counted too, not to rely on zipfile stopping at the declared size
        # (a header that understates it fails the CRC check).
        self._check(name, info.file_size, limit)
        size = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    self._check(name, size, limit)
                    yield chunk
        except _ZIP_ERRORS as error:
            raise CorruptFileError(source, f"corrupt Word file: {error}") from error
        self.read_bytes += size

    def read(self, name: str) -> bytes:
        """Return a part other than the main document, refused if it declares a DTD."""
        data = b"".join(self.chunks(name, MAX_OTHER_PART_BYTES))
        _refuse_dtd(self.source, name, data)
        return data

    def _check(self, name: str, size: int, limit: int) -> None:
        if size > limit:
            reason = f"{name} expands to {size} bytes, over the limit of {limit} bytes for this part"
        elif self.read_bytes + size > MAX_READ_BYTES:
            reason = (
                f"{name} expands to {size} bytes, over the limit of {MAX_READ_BYTES} bytes for all the "
                f"XML read from one document ({self.read_bytes} read before it)"
            )
        else:
            return
        raise RefusedInputError(self.source, f"refused: {reason} (a bomb?)")

    def xml(self, name: str, data: bytes | None = None) -> etree._Element:
        """Parse a part (read here unless given): no DTD, no entities, no network."""
        return _parse(self.source, name, self.read(name) if data is None else data)

    def related(self, part: str, type_end: str) -> str | None:
        """Return the name of the part that ``part`` relates to with a type ending in ``type_end``."""
        directory, base = posixpath.split(part)
        rels = posixpath.join(directory, "_rels", f"{base}.rels")
        if rels not in self.names:
            return None
        for relationship in self.xml(rels).iter(f"{{{_PKG_RELS}}}Relationship"):
            target = relationship.get("Target", "")
            external = relationship.get("TargetMode") == "External"
            if relationship.get("Type", "").endswith(type_end) and not external:
                start = "" if target.startswith("/") else directory
                name = posixpath.normpath(posixpath.join(start, target.lstrip("/")))
                return name if name in self.names else None
        return None


# A DTD is how entities are declared (XXE, billion laughs). Word never writes one; in any
# encoding libxml2 reads unaided, its keyword is one of these byte strings.
_DTD_MARKS = tuple("<!DOCTYPE".encode(encoding) for encoding in ("ascii", "utf-16-le", "utf-16-be"))
_OVERLAP = max(len(mark) for mark in (*_DTD_MARKS, *_RUN_MARKS)) - 1


class _ParserOptions(TypedDict):
    remove_blank_text: bool
    resolve_entities: bool
    load_dtd: bool
    no_network: bool


_OPTIONS: _ParserOptions = {
    "remove_blank_text": True,
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
}


def _parser() -> etree.XMLParser:
    """Return a parser for untrusted XML: no entities, no DTD, no network, libxml2's limits kept.

    One per document: lxml parsers are not to be shared between threads.
    """
    return etree.XMLParser(**_OPTIONS, huge_tree=False)


def _pull_parser(tag: str) -> etree.XMLPullParser:
    """Return a parser like :func:`_parser` that reports where each ``tag`` element starts."""
    return etree.XMLPullParser(events=("start",), tag=tag, **_OPTIONS, huge_tree=False)


def _refuse_dtd(source: str, name: str, data: bytes) -> None:
    if any(mark in data for mark in _DTD_MARKS):
        raise RefusedInputError(source, _declares_entities(name))


def _declares_entities(name: str) -> str:
    return f"refused: the XML of {name} declares entities (a DTD), which Word never writes"


def _syntax_error(source: str, name: str, error: etree.XMLSyntaxError) -> ReadError:
    if "Excessive depth" in str(error):
        reason = f"refused: the XML of {name} nests elements more than {MAX_DEPTH} levels deep"
        return RefusedInputError(source, reason)
    return CorruptFileError(source, f"corrupt Word file: {name}: {error}")


def _parse(source: str, name: str, data: bytes) -> etree._Element:
    """Parse a whole part, read and checked for a DTD; refuse excessive nesting."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise _syntax_error(source, name, error) from None
    # In an encoding the byte scan cannot see. (lxml-stubs 0.5 leave DocInfo.doctype out.)
    if root.getroottree().docinfo.doctype:  # type: ignore[union-attr]
        raise RefusedInputError(source, _declares_entities(name))
    return root


def _main_part(package: _Package) -> str:
    """Return the name of the package's main document part, checked to be Word's.

    Only the parts needed are read (python-docx would load and parse every part, so a broken
    image or style part would fail a document whose text is intact).
    """
    source = package.source
    if "[Content_Types].xml" not in package.names:
        raise UnsupportedInputError(source, "not a Word document: a zip archive without [Content_Types].xml")
    relationships = package.xml("_rels/.rels").iter(f"{{{_PKG_RELS}}}Relationship")
    target = next((r.get("Target", "") for r in relationships if r.get("Type", "").endswith(_OFFICE_DOC)), "")
    name = posixpath.normpath(target.lstrip("/")) if target else ""
    if name not in package.names:
        raise CorruptFileError(source, "not a Word document, or a damaged one: no main document part")
    content_type = _content_type(package.xml("[Content_Types].xml"), name)
    if content_type not in _WORD_MAIN_TYPES:
        raise UnsupportedInputError(source, f"not a Word document: its main part is {content_type}")
    return name


class _Body:
    """The body of the main document, parsed as it is decompressed, one block at a time."""

    def __init__(self, package: _Package, name: str, styles: _RunStyles | None) -> None:
        self.package = package
        self.name = name
        self.styles = styles
        self.notes = dict.fromkeys(_NOTE_REFERENCES, 0)  # note references numbered so far
        self.count = 0  # blocks read
        self.resolve = styles is not None  # runs to resolve: styles or the document format them
        self.previous = b""  # the chunk parsed last
        self.encoding = "utf-8"

    def blocks(self) -> Iterator[etree._Element]:
        """Yield the body's children (paragraphs, tables, content controls) in order.

        A child is complete once the next one has begun, or the document has ended; it is
        freed, with whatever came before the body, before the next one is yielded.
        """
        parser = _pull_parser(_BODY)
        body: etree._Element | None = None
        pending = 0  # bytes fed since a block was last complete: the XML of the open block
        for chunk in self.package.chunks(self.name, MAX_PART_BYTES):
            self._feed(parser, chunk)
            pending += len(chunk)
            if body is None:
                # Start events only, each with its element (see _pull_parser).
                events = cast("Iterator[tuple[str, etree._Element]]", parser.read_events())
                body = next((element for _event, element in events), None)
            child = None if body is None else next(body.iterchildren(), None)
            while child is not None and (following := child.getnext()) is not None:
                yield from self._read(child)
                child, pending = following, 0
            if pending > MAX_BLOCK_BYTES:
                self._refuse(f"has a paragraph or table of more than {MAX_BLOCK_BYTES} bytes of XML")
        root = self._close(parser, body)
        for child in [] if body is None else list(body):
            yield from self._read(child)
        self.encoding = (root.getroottree().docinfo.encoding or "utf-8").lower()

    def _feed(self, parser: etree.XMLPullParser, chunk: bytes) -> None:
        """Check a chunk for a DTD and for run formatting to resolve, then parse it."""
        source, name = self.package.source, self.name
        edge = self.previous[-_OVERLAP:] + chunk[:_OVERLAP]  # marks split between two chunks
        _refuse_dtd(source, name, chunk)
        _refuse_dtd(source, name, edge)
        self.resolve = self.resolve or any(mark in chunk or mark in edge for mark in _RUN_MARKS)
        self.previous = chunk
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError as error:
            raise _syntax_error(source, name, error) from None

    def _close(self, parser: etree.XMLPullParser, body: etree._Element | None) -> etree._Element:
        source, name = self.package.source, self.name
        try:
            root = parser.close()
        except etree.XMLSyntaxError as error:
            raise _syntax_error(source, name, error) from None
        if root.getroottree().docinfo.doctype:  # type: ignore[attr-defined]  # missing in lxml-stubs 0.5
            raise RefusedInputError(source, _declares_entities(name))
        if body is None and etree.QName(root).namespace == _W_STRICT:
            raise UnsupportedInputError(
                source, "Strict Open XML Word files are not supported: save the file as a standard .docx"
            )
        if body is None:
            raise CorruptFileError(source, "corrupt Word file: the document has no body")
        return root

    def _read(self, block: etree._Element) -> Iterator[etree._Element]:
        """Yield one complete block, then free it and what came before the body."""
        self.count += 1
        if self.count > MAX_BLOCKS:
            self._refuse(f"holds more than {MAX_BLOCKS} paragraphs and tables")
        if self.resolve:
            _resolve_runs(block, self.styles or _NO_STYLES, self.notes)
        yield block
        # Cleared before it is removed: lxml frees a cleared subtree at once, but walks a
        # removed one to move it to a document of its own.
        body = block.getparent()
        assert body is not None  # a block is the body's child
        while (before := body.getprevious()) is not None:  # the document's background and the like
            before.clear()
            document = body.getparent()
            assert document is not None  # the body is the document's child
            document.remove(before)
        block.clear()
        body.remove(block)

    def _refuse(self, what: str) -> None:
        raise RefusedInputError(self.package.source, f"refused: {self.name} {what} (a bomb?)")


def _content_type(types: etree._Element, name: str) -> str:
    """Return a part's content type: its Override, else the Default for its extension."""
    for override in types.iter(f"{{{_PKG_TYPES}}}Override"):
        if override.get("PartName", "").lstrip("/").lower() == name.lower():
            return override.get("ContentType", "")
    extension = name.rsplit(".", 1)[-1].lower()
    for default in types.iter(f"{{{_PKG_TYPES}}}Default"):
        if default.get("Extension", "").lower() == extension:
            return default.get("ContentType", "")
    return "not declared"


# Run formatting that changes a run's text: (hidden, vertical alignment); None where not set.
_Format = tuple[bool | None, str | None]
_NO_FORMAT: _Format = (None, None)


class _RunStyles:
    """The hiding and vertical alignment that character and paragraph styles give runs."""

    def __init__(self, characters: dict[str, _Format], paragraphs: dict[str, _Format], defaults: _Format):
        self.characters = characters
        self.paragraphs = paragraphs
        self.defaults = defaults


def _format(properties: etree._Element | None) -> _Format:
    """Read ``(hidden, vertical alignment)`` from a ``w:rPr``; None for what it does not set."""
    if properties is None:
        return _NO_FORMAT
    hidden: bool | None = None
    for tag in (_VANISH, _SPEC_VANISH):  # specVanish: hidden even where hidden text is shown
        toggle = _child(properties, tag)
        if toggle is not None:
            hidden = hidden or toggle.get(_VAL, "true").lower() not in _OFF
    vertical = _child(properties, _VERT_ALIGN)
    return hidden, None if vertical is None else vertical.get(_VAL)


def _first(*formats: _Format) -> _Format:
    """Combine formats, the first that sets a property winning (direct over style over default)."""
    hidden = next((f[0] for f in formats if f[0] is not None), None)
    vertical = next((f[1] for f in formats if f[1] is not None), None)
    return hidden, vertical


def _run_styles(package: _Package, document: str) -> _RunStyles | None:
    """Read the styles that hide or raise runs; None when none does (most documents)."""
    name = package.related(document, _STYLES_REL)
    if name is None:
        return None
    try:
        data = package.read(name)
        if not any(mark in data for mark in _STYLE_MARKS):
            return None
        root = package.xml(name, data)
    except CorruptFileError:  # a damaged styles part: the text is still readable
        return None
    own: dict[tuple[str, str], _Format] = {}
    based_on: dict[tuple[str, str], str] = {}
    for style in root.iter(_STYLE):
        kind, style_id = style.get(f"{{{_W}}}type", "paragraph"), style.get(_STYLE_ID, "")
        own[kind, style_id] = _format(style.find(_RPR))
        parent = style.find(_BASED_ON)
        if parent is not None:
            based_on[kind, style_id] = parent.get(_VAL, "")
        if style.get(f"{{{_W}}}default", "false").lower() not in _OFF:  # for runs that name no style
            based_on.setdefault((kind, ""), style_id)
            own.setdefault((kind, ""), _NO_FORMAT)

    def resolved(key: tuple[str, str]) -> _Format:
        chain: list[_Format] = []
        # Word bases styles on styles a few levels deep; a loop or a longer chain is cut.
        while key in own and len(chain) < _MAX_STYLE_DEPTH:
            chain.append(own[key])
            if key not in based_on:
                break
            key = (key[0], based_on[key])
        return _first(*chain)

    defaults = _format(root.find(f"{_DOC_DEFAULTS}/{{{_W}}}rPrDefault/{_RPR}"))
    styles = {kind: {k[1]: resolved(k) for k in own if k[0] == kind} for kind in ("character", "paragraph")}
    return _RunStyles(styles["character"], styles["paragraph"], defaults)


_NO_STYLES = _RunStyles({}, {}, _NO_FORMAT)
_MAX_STYLE_DEPTH = 32


def _style_id(properties: etree._Element | None, tag: str) -> str:
    element = None if properties is None else _child(properties, tag)
    return "" if element is None else element.get(_VAL, "")


def _resolve_runs(block: etree._Element, styles: _RunStyles, notes: dict[str, int]) -> None:
    """Make the runs read as Word shows them.

    Hidden runs are removed; a superscript run's digits become superscript digits; a footnote
    or endnote reference becomes its number in superscript digits (the order of the reference,
    as Word numbers notes by default), or nothing where a custom mark follows it as text.
    """
    for paragraph in block.iter(_P):
        paragraph_format = styles.paragraphs.get(_style_id(_child(paragraph, _PPR), _PSTYLE), _NO_FORMAT)
        for run in list(paragraph.iter(_R)):
            properties = _child(run, _RPR)
            character = styles.characters.get(_style_id(properties, _RSTYLE), _NO_FORMAT)
            hidden, vertical = _first(_format(properties), character, paragraph_format, styles.defaults)
            parent = run.getparent()
            if hidden and parent is not None:
                run.clear()  # freed at once, not walked (see _Body._read)
                parent.remove(run)
                continue
            for reference in list(run.iter(*_NOTE_REFERENCES)):
                mark = etree.Element(_T)
                if reference.get(_CUSTOM_MARK, "false").lower() in _OFF:
                    notes[reference.tag] += 1
                    mark.text = str(notes[reference.tag]).translate(SUPERSCRIPT_DIGITS)
                holder = reference.getparent()
                assert holder is not None  # found under the run
                holder.replace(reference, mark)
            if vertical == "superscript":
                for text in run.iter(_T):
                    text.text = text.text and text.text.translate(SUPERSCRIPT_DIGITS)


Row = tuple[tuple[str, ...], tuple[str, ...]]  # (cells, the lines of text it adds)


def _block_rows(container: etree._Element) -> Iterator[Row]:
    """Rows of the paragraphs and tables in a cell or content control, in document order."""
    for child in container.iterchildren():
        yield from _block(child)


def _block(child: etree._Element) -> Iterator[Row]:
    """Rows of one paragraph, table or content control."""
    if child.tag == _P:
        text = _paragraph_text(child)
        cells = tuple(part.strip() for part in text.split("\t")) if "\t" in text else (text.strip(),)
        yield cells, (text,)
    elif child.tag == _TBL and _NESTED_TABLE(child):
        for tc in (tc for tr in _ROWS(child) for tc in _CELLS(tr)):
            yield from _block_rows(tc)
    elif child.tag == _TBL:
        yield from _table_rows(child)
    elif child.tag in (_SDT, _CUSTOM_XML, _SDT_CONTENT):
        yield from _block_rows(child)


def _table_rows(table: etree._Element) -> Iterator[Row]:
    """Rows of a table: horizontal merges collapsed, vertical merges repeated down their rows.

    A label merged down rows (（三）不予公开) is repeated beside each of them; a number merged
    down rows is one printed value for several cells, so each of them is marked
    (:func:`~govreports.cells.merged`) and none holds it as its own.
    """
    rows: list[tuple[list[str], tuple[str, ...]]] = []
    above: dict[int, str] = {}  # grid column → text of the vertical merge running through it
    started: dict[int, tuple[int, int]] = {}  # grid column → (row, cell) where its merge starts
    for tr in _ROWS(table):
        properties = _child(tr, _TR_PR)
        column = 0 if properties is None else _int_val(_child(properties, _GRID_BEFORE), 0)
        cells: list[str] = []
        shown: list[str] = []
        for tc in _CELLS(tr):
            span, merge = _merge_state(tc)
            if merge == "hcontinue":  # the legacy horizontal merge: part of the cell before
                column += span
                continue
            if merge == "continue":
                text = above.get(column, "")
                if text.strip() and looks_numeric(text) and column in started:
                    first_row, first_cell = started[column]
                    rows[first_row][0][first_cell] = merged(text)
                    text = merged(text)
            else:
                text = _cell_text(tc)
                shown.append(text)
                for c in range(column, column + span):
                    above[c] = text if merge == "restart" else ""
                    started[c] = (len(rows), len(cells))
            cells.append(text)
            column += span
        rows.append((cells, tuple(shown)))
    for printed, lines in rows:
        yield tuple(printed), lines


def _merge_state(tc: etree._Element) -> tuple[int, str | None]:
    """Return a cell's grid span and how it merges: "restart", "continue", "hcontinue" or None."""
    properties = _child(tc, _TC_PR)
    if properties is None:
        return 1, None
    span = min(max(1, _int_val(_child(properties, _GRID_SPAN), 1)), _MAX_SPAN)
    if (hmerge := _child(properties, _H_MERGE)) is not None and hmerge.get(_VAL) != "restart":
        return span, "hcontinue"
    vmerge = _child(properties, _V_MERGE)
    if vmerge is None:
        return span, None
    # A w:vMerge without a value continues the merge above (ECMA-376 §17.4.85).
    return span, "restart" if vmerge.get(_VAL) == "restart" else "continue"


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    """Return an element's first child with this tag, or None (several times faster than find)."""
    return next(element.iterchildren(tag), None)


def _int_val(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(_VAL, default))
    except ValueError:
        return default


def _paragraph_text(paragraph: etree._Element) -> str:
    """Return a paragraph's text: tabs kept (they may separate cells), line breaks joined."""
    parts: list[str] = []
    line: list[str] = []  # the pieces of the current line, joined once (runs can be many)
    for piece in _PIECES(paragraph):
        tag = piece.tag
        if tag == _T:
            line.append(piece.text or "")
        elif tag == _TAB:
            line.append("\t")
        elif tag == _NO_BREAK_HYPHEN:  # Word's non-breaking hyphen: a '-' typed in a cell
            line.append("-")
        else:
            parts.append("".join(line))
            line = []
    parts.append("".join(line))
    return _join(parts)


def _cell_text(tc: etree._Element) -> str:
    """Return a cell's text on one line: its paragraphs (a header word wrapped as 商业/企业) joined."""
    return _join([_paragraph_text(p).replace("\t", " ") for p in _CELL_PARAGRAPHS(tc)])


_TRIM = " \r\n\u3000\xa0"  # not tabs: a paragraph's trailing tabs are its empty cells


def _join(parts: list[str]) -> str:
    """Join wrapped pieces: Chinese directly, but never glue two digits or letters together.

    >>> _join(["商业", "企业"]), _join(["12", "3"])
    ('商业企业', '12 3')
    """
    text = ""
    for part in (p.strip(_TRIM) for p in parts):
        if not part:
            continue
        gap = " " if text and text[-1].isascii() and text[-1].isalnum() and part[0].isascii() else ""
        text += gap + part
    return text


def read_legacy_word(source: str, *, data: bytes) -> Document:
    r"""Read a legacy Word ``.doc`` or WPS ``.wps`` file, converted to ``.docx`` by LibreOffice.

    Raises:
        ReadError: LibreOffice is not installed (``UnsupportedInputError``), cannot convert
            the file (``CorruptFileError``), or times out.

    >>> read_legacy_word("t.xls", data=b"\xd0\xcf\x11\xe0" + "Workbook\0".encode("utf-16-le"))
    Traceback (most recent call last):
    ...
    govreports.errors.UnsupportedInputError: t.xls: not a Word document: an Excel workbook
    """
    _refuse_other_office_files(source, data)
    return read_docx(source, data=_convert(source, data, ".doc", "legacy Word (.doc/.wps)"))


# OLE2 directory names (UTF-16) of the main streams of other Office programs' files.
_OLE_STREAMS = {
    "an Excel workbook": ("Workbook", "Book"),
    "a PowerPoint presentation": ("PowerPoint Document",),
}


def _refuse_other_office_files(source: str, data: bytes) -> None:
    """Fail fast, without starting LibreOffice, on an OLE file it could not convert."""
    if "EncryptedPackage".encode("utf-16-le") in data:  # a password-protected .docx is OLE
        raise ProtectedFileError(
            source, "password-protected Word file: remove the password and save it as .docx"
        )
    if "WordDocument".encode("utf-16-le") in data:
        return
    for kind, streams in _OLE_STREAMS.items():
        if any((name + "\0").encode("utf-16-le") in data for name in streams):
            raise UnsupportedInputError(source, f"not a Word document: {kind}")


def _convert(source: str, data: bytes, suffix: str, what: str) -> bytes:
    """Convert a document to .docx with LibreOffice in a private temp dir and profile."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise UnsupportedInputError(source, NEEDS_LIBREOFFICE.format(what=what))
    with tempfile.TemporaryDirectory(prefix="govreports-") as tmp:
        work = Path(tmp)
        (work / f"input{suffix}").write_bytes(data)
        # A profile of its own, so that conversions can run side by side with each other and
        # with a LibreOffice the user has open.
        command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                   "--norestore", "--convert-to", "docx", "--outdir", str(work / "out"),
                   str(work / f"input{suffix}")]  # fmt: skip
        _run(source, command)
        converted = work / "out" / "input.docx"
        if not converted.is_file():
            raise CorruptFileError(
                source, "LibreOffice could not convert the file to .docx: damaged, or not a document"
            )
        return converted.read_bytes()


def _run(source: str, command: list[str]) -> None:
    """Run LibreOffice; on timeout kill its whole process group (soffice forks soffice.bin)."""
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as process:
        try:
            process.wait(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise ReadError(
                source, f"LibreOffice did not convert the file within {SOFFICE_TIMEOUT} s"
            ) from None
