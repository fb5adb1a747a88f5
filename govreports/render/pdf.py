"""Render a generated report as PDF: its DOCX rendering, set in one CJK font, through LibreOffice.

LibreOffice lays the DOCX out like a word processor, so long tables run across page breaks the way
they do in published reports (表三 nearly always does). The font matters to PDF readers: CJK
fonts embedded as CFF (Noto Sans CJK, Source Han) and as TrueType (WenQuanYi Zen Hei) come out as
different PDF font programs, and table engines do not treat them alike.

>>> set_font(b"not a docx", "WenQuanYi Zen Hei")
Traceback (most recent call last):
...
ValueError: not a DOCX file: cannot set its font
"""

from __future__ import annotations

import atexit
import io
import re
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import takewhile
from pathlib import Path
from typing import cast

from lxml import etree

from govreports.render.docx import render_docx
from govreports.synthetic import SyntheticReport

FONTS = ("Noto Sans CJK SC", "WenQuanYi Zen Hei")  # CFF (OpenType) and TrueType CJK fonts
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_DIGIT = re.compile(r"[0-9０-９]")
_SOFFICE_TIMEOUT = 60  # seconds per file; a first start that creates the profile takes a few more
# One LibreOffice user profile serves every call in this process; a profile cannot be shared by
# two running instances, hence the lock.
_LOCK = threading.Lock()


def render_pdf(report: SyntheticReport, *, font: str = "Noto Sans CJK SC") -> bytes:
    """Render a report as PDF bytes, every run set in ``font``.

    Raises:
        ValueError: the font is not installed (LibreOffice would substitute another silently).
        RuntimeError: LibreOffice or fontconfig is missing, or the conversion fails.

    >>> from govreports.synthetic import generate_report
    >>> render_pdf(generate_report(1), font="WenQuanYi Zen Hei")[:5]  # doctest: +SKIP
    b'%PDF-'
    """
    return render_pdfs([report], font=font)[0]


def render_pdfs(reports: Sequence[SyntheticReport], *, font: str = "Noto Sans CJK SC") -> list[bytes]:
    """Render several reports in one LibreOffice run (its start-up takes most of the time).

    >>> render_pdfs([])
    []
    """
    if not reports:
        return []
    if font not in installed_fonts():
        raise ValueError(f"font {font!r} is not installed; LibreOffice would set the text in another font")
    return docx_to_pdf([set_font(render_docx(report), font) for report in reports])


@cache
def installed_fonts() -> frozenset[str]:
    """Return the font family names fontconfig knows (the fonts LibreOffice can use on Linux).

    >>> isinstance(installed_fonts(), frozenset)
    True
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise RuntimeError("fontconfig is not installed (no fc-list on PATH): cannot check fonts")
    listed = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, check=True).stdout
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))


def set_font(docx: bytes, font: str) -> bytes:
    """Return the DOCX with every style, default and run set in ``font`` (all four scripts).

    Theme font references (``w:asciiTheme`` and the like) win over named fonts in Word and
    LibreOffice, so existing ``w:rFonts`` are replaced, not amended. Table headers with cells
    merged down are also marked to repeat on each page (see :func:`_repeat_merged_headers`).

    >>> import docx
    >>> buffer = io.BytesIO()
    >>> docx.Document().save(buffer)
    >>> b"SimSun" in zipfile.ZipFile(io.BytesIO(set_font(buffer.getvalue(), "SimSun"))).read(
    ...     "word/styles.xml")
    True
    """
    try:
        source = zipfile.ZipFile(io.BytesIO(docx))
    except zipfile.BadZipFile as error:
        raise ValueError("not a DOCX file: cannot set its font") from error
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("word/") and item.filename.endswith(".xml"):
                data = _set_font_in_part(data, font, body=item.filename == "word/document.xml")
            target.writestr(item, data)
    return out.getvalue()


def _set_font_in_part(xml: bytes, font: str, *, body: bool) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    if body:
        _repeat_merged_headers(root)
    for run in root.iter(f"{{{_W}}}r"):
        if run.find(f"{{{_W}}}rPr") is None:
            run.insert(0, etree.Element(f"{{{_W}}}rPr"))
    defaults = root.find(f"{{{_W}}}docDefaults")
    if defaults is not None and defaults.find(f".//{{{_W}}}rPr") is None:
        rpr_default = defaults.find(f"{{{_W}}}rPrDefault")
        if rpr_default is None:
            rpr_default = etree.Element(f"{{{_W}}}rPrDefault")
            defaults.insert(0, rpr_default)
        etree.SubElement(rpr_default, f"{{{_W}}}rPr")
    for rpr in root.iter(f"{{{_W}}}rPr"):
        for old in rpr.findall(f"{{{_W}}}rFonts"):
            rpr.remove(old)
        fonts = etree.Element(f"{{{_W}}}rFonts")
        for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(f"{{{_W}}}{attribute}", font)
        # Schema order: w:rStyle (if any) comes before w:rFonts.
        at = 1 if len(rpr) and rpr[0].tag == f"{{{_W}}}rStyle" else 0
        rpr.insert(at, fonts)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _repeat_merged_headers(root: etree._Element) -> None:
    """Mark a table's leading rows without figures as header rows when cells merge down in them.

    LibreOffice (7.4) drops the body rows of a table whose header, with cells merged down (表三's
    identity note), starts at the foot of a page. A header that repeats on each page is laid
    out as a unit, and printed reports often repeat theirs.
    """
    for table in root.iter(f"{{{_W}}}tbl"):
        rows = table.findall(f"{{{_W}}}tr")
        # The stubs allow bytes, but lxml gives the text of a parsed tree as str.
        header = list(
            takewhile(lambda row: not _DIGIT.search("".join(cast("Iterator[str]", row.itertext()))), rows)
        )
        if len(header) == len(rows) or all(row.find(f".//{{{_W}}}vMerge") is None for row in header):
            continue
        for row in header:
            properties = row.find(f"{{{_W}}}trPr")
            if properties is None:
                properties = etree.Element(f"{{{_W}}}trPr")
                at = 1 if len(row) and row[0].tag == f"{{{_W}}}tblPrEx" else 0
                row.insert(at, properties)
            if properties.find(f"{{{_W}}}tblHeader") is None:
                etree.SubElement(properties, f"{{{_W}}}tblHeader")


def docx_to_pdf(documents: Sequence[bytes]) -> list[bytes]:
    """Convert DOCX files (as bytes) to PDF bytes with one run of LibreOffice headless.

    >>> docx_to_pdf([b"not a docx"])  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    RuntimeError: LibreOffice could not convert report0.docx to PDF: ...
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError(
            "LibreOffice is not installed (no soffice on PATH); "
            "on Debian: apt-get install libreoffice-writer-nogui"
        )
    with _LOCK, tempfile.TemporaryDirectory(prefix="govreports-pdf-") as folder:
        sources = [Path(folder) / f"report{i}.docx" for i in range(len(documents))]
        for source, data in zip(sources, documents, strict=True):
            source.write_bytes(data)
        command = [soffice, f"-env:UserInstallation={_profile().as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", folder, *map(str, sources)]  # fmt: skip
        timeout = _SOFFICE_TIMEOUT * len(sources)
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"LibreOffice did not finish converting within {timeout} s") from error
        for source in sources:
            if not source.with_suffix(".pdf").exists():
                detail = (done.stderr or done.stdout).decode(errors="replace").strip() or "no output"
                raise RuntimeError(f"LibreOffice could not convert {source.name} to PDF: {detail}")
        return [source.with_suffix(".pdf").read_bytes() for source in sources]


@cache
def _profile() -> Path:
    """Return a LibreOffice user profile for this process, so calls never touch the user's own."""
    folder = Path(tempfile.mkdtemp(prefix="govreports-soffice-profile-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
