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

Files come from the web and are not trusted: the zip archive is checked before anything is
decompressed (size, compression ratio, number of members), only the three parts needed are read,
and they are parsed with python-docx's XML parser, which never resolves entities. An
OpenDocument text (``.odt``, also a zip) is converted by LibreOffice first.

>>> from govreports.render.docx import render_docx
>>> from govreports.synth import generate_report
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
from collections.abc import Iterator
from pathlib import Path

from docx.opc.constants import CONTENT_TYPE
from docx.oxml.parser import parse_xml
from lxml import etree

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
_P, _TBL = f"{{{_W}}}p", f"{{{_W}}}tbl"
_SDT, _SDT_CONTENT, _CUSTOM_XML = (f"{{{_W}}}{tag}" for tag in ("sdt", "sdtContent", "customXml"))
_TC_PR, _GRID_SPAN, _H_MERGE, _V_MERGE, _VAL = (
    f"{{{_W}}}{tag}" for tag in ("tcPr", "gridSpan", "hMerge", "vMerge", "val")
)
# Text of a paragraph: run text, tabs and breaks, but not deleted or moved-away revisions and
# not text boxes (drawn twice: once as DrawingML, once as the VML fallback).
_PIECES = etree.XPath(
    ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)]"
    "/*[self::w:t or self::w:tab or self::w:br or self::w:cr or self::w:noBreakHyphen]",
    namespaces=_NS,
)
_CELL_PARAGRAPHS = etree.XPath(".//w:p[not(ancestor::w:txbxContent)]", namespaces=_NS)
_NESTED_TABLE = etree.XPath("./w:tr/w:tc//w:tbl", namespaces=_NS)
# Rows and cells, also where a content control or custom XML wraps them.
_ROWS = etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr", namespaces=_NS)
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc", namespaces=_NS)
_MAX_SPAN = 64  # Word allows 63 columns; a larger span is a hostile file, not a wide table


def read_docx(source: str, *, data: bytes) -> Document:
    r"""Read a Word ``.docx`` file into rows of cells.

    Args:
        source: the file name, used in error messages and provenance.
        data: the file's bytes.

    Raises:
        ReadError: the bytes are not a readable Word document, as a subclass that says why:
            ``CorruptFileError``, ``UnsupportedInputError`` (not Word), ``RefusedInputError``
            (a zip bomb), ``ProtectedFileError``; ``EmptyInputError`` when it holds no text.

    >>> read_docx("x.docx", data=b"PK\x03\x04 truncated")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    govreports.errors.CorruptFileError: x.docx: corrupt Word file: not a readable zip archive (File is ...)
    """
    archive = _checked_archive(source, data)
    if _is_odt(archive):
        return read_docx(source, data=_convert(source, data, ".odt", "OpenDocument (.odt)"))
    body = _document_body(source, archive)
    lines: list[str] = []
    rows: list[RawRow] = []
    for cells, shown in _block_rows(body):
        line = len(lines) + 1 if shown else max(len(lines), 1)
        lines.extend(shown)
        if any(cells):
            rows.append(RawRow(cells, line))
    text = "\n".join(lines)
    if not text.strip():
        raise EmptyInputError(source, "empty document: the Word file holds no text")
    encoding = (body.getroottree().docinfo.encoding or "utf-8").lower()
    return Document(source=source, text=text, rows=rows, encoding=encoding)


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


def _document_body(source: str, archive: zipfile.ZipFile) -> etree._Element:
    """Return the ``w:body`` of the package's main document part.

    Only the three parts needed are read (python-docx would load and parse every part, so a
    broken image or style part would fail a document whose text is intact), and with
    python-docx's parser, which never resolves entities.
    """
    if "[Content_Types].xml" not in archive.namelist():
        raise UnsupportedInputError(source, "not a Word document: a zip archive without [Content_Types].xml")
    relationships = _xml(source, archive, "_rels/.rels").iter(f"{{{_PKG_RELS}}}Relationship")
    target = next((r.get("Target", "") for r in relationships if r.get("Type", "").endswith(_OFFICE_DOC)), "")
    name = posixpath.normpath(target.lstrip("/")) if target else ""
    if name not in archive.namelist():
        raise CorruptFileError(source, "not a Word document, or a damaged one: no main document part")
    content_type = _content_type(_xml(source, archive, "[Content_Types].xml"), name)
    if content_type not in _WORD_MAIN_TYPES:
        raise UnsupportedInputError(source, f"not a Word document: its main part is {content_type}")
    root = _xml(source, archive, name)
    body = root.find(f"{{{_W}}}body")
    if body is None and etree.QName(root).namespace == _W_STRICT:
        raise UnsupportedInputError(
            source, "Strict Open XML Word files are not supported: save the file as a standard .docx"
        )
    if body is None:
        raise CorruptFileError(source, "corrupt Word file: the document has no body")
    return body


def _xml(source: str, archive: zipfile.ZipFile, name: str) -> etree._Element:
    try:
        return parse_xml(archive.read(name))
    except KeyError:
        raise CorruptFileError(source, f"not a Word document, or a damaged one: no {name}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as error:
        raise CorruptFileError(source, f"corrupt Word file: {error}") from error
    except etree.XMLSyntaxError as error:
        raise CorruptFileError(source, f"corrupt Word file: {name}: {error}") from error


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


Row = tuple[tuple[str, ...], tuple[str, ...]]  # (cells, the lines of text it adds)


def _block_rows(container: etree._Element) -> Iterator[Row]:
    """Rows of the paragraphs and tables in a body or cell, in document order."""
    for child in container.iterchildren():
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
    """Rows of a table: horizontal merges collapsed, vertical merges repeated down their rows."""
    above: dict[int, str] = {}  # grid column → text of the vertical merge running through it
    for tr in _ROWS(table):
        column = _int_val(tr.find("w:trPr/w:gridBefore", _NS), 0)
        cells: list[str] = []
        shown: list[str] = []
        for tc in _CELLS(tr):
            span, merge = _merge_state(tc)
            if merge == "hcontinue":  # the legacy horizontal merge: part of the cell before
                column += span
                continue
            if merge == "continue":
                text = above.get(column, "")
            else:
                text = _cell_text(tc)
                shown.append(text)
                for c in range(column, column + span):
                    above[c] = text if merge == "restart" else ""
            cells.append(text)
            column += span
        yield tuple(cells), tuple(shown)


def _merge_state(tc: etree._Element) -> tuple[int, str | None]:
    """Return a cell's grid span and how it merges: "restart", "continue", "hcontinue" or None."""
    properties = tc.find(_TC_PR)
    if properties is None:
        return 1, None
    span = min(max(1, _int_val(properties.find(_GRID_SPAN), 1)), _MAX_SPAN)
    if (hmerge := properties.find(_H_MERGE)) is not None and hmerge.get(_VAL) != "restart":
        return span, "hcontinue"
    vmerge = properties.find(_V_MERGE)
    if vmerge is None:
        return span, None
    # A w:vMerge without a value continues the merge above (ECMA-376 §17.4.85).
    return span, "restart" if vmerge.get(_VAL) == "restart" else "continue"


def _int_val(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(_VAL, default))
    except ValueError:
        return default


def _paragraph_text(paragraph: etree._Element) -> str:
    """Return a paragraph's text: tabs kept (they may separate cells), line breaks joined."""
    parts = [""]
    for piece in _PIECES(paragraph):
        name = etree.QName(piece).localname
        if name == "t":
            parts[-1] += piece.text or ""
        elif name == "tab":
            parts[-1] += "\t"
        elif name == "noBreakHyphen":  # Word's non-breaking hyphen: a '-' typed in a cell
            parts[-1] += "-"
        else:
            parts.append("")
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
