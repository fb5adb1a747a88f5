"""Word input: generate → render DOCX (or fill the official template) → parse → the same cells.

Also the reader's handling of merged cells, split tables and layout tables, and the exact error
for each kind of bad input (no tables, corrupt zip, not Word, zip bombs, XML entities, legacy
Word with and without LibreOffice).
"""

import io
import re
import shutil
import subprocess
import zipfile
from copy import deepcopy
from pathlib import Path

import docx
import pytest
from conftest import FIXTURES, REPORT_PARAMS, assert_round_trip, patch_declared_size
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

import govreports as gr
from govreports.errors import (
    CorruptFileError,
    EmptyInputError,
    NoTablesError,
    ProtectedFileError,
    ReadError,
    RefusedInputError,
    UnsupportedInputError,
)
from govreports.readers import docx as docx_reader
from govreports.readers import sniff
from govreports.readers.docx import read_docx
from govreports.render.docx import fill_template, render_docx
from govreports.synthetic import generate_report

TEMPLATE = FIXTURES / "template-2021-blank.docx"
SOFFICE = shutil.which("soffice")
NEEDS_SOFFICE = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

reports = REPORT_PARAMS


def _read(directory: Path, name: str, data: bytes) -> gr.Report:
    path = directory / name
    path.write_bytes(data)
    return gr.read_report(path)


def _assert_round_trip(report: gr.Report, synthetic) -> None:
    assert report.meta["format"] in ("docx", "doc")
    assert_round_trip(report, synthetic)


@settings(max_examples=40, deadline=None)
@given(params=reports)
def test_render_docx_then_parse_gives_the_same_cells(tmp_path_factory, params):
    synthetic = generate_report(**params)
    report = _read(tmp_path_factory.mktemp("docx"), "report.docx", render_docx(synthetic))
    _assert_round_trip(report, synthetic)


def _split_table(data: bytes, table: int, at: int, *, paragraph: bool) -> bytes:
    """Move rows ``at:`` of a table into a second table right after it, as a page break leaves it."""
    document = docx.Document(io.BytesIO(data))
    first = document.tables[table]._tbl
    second = deepcopy(first)
    for tr in second.findall(qn("w:tr")):
        second.remove(tr)
    for tr in first.findall(qn("w:tr"))[at:]:
        second.append(tr)
    first.addnext(second)
    if paragraph:  # Word keeps two tables apart only with a paragraph between them
        first.addnext(OxmlElement("w:p"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@settings(max_examples=25, deadline=None)
@given(params=reports, table=st.sampled_from([0, 1, 2]), at=st.integers(1, 27), paragraph=st.booleans())
def test_a_table_split_in_two_reads_as_one(tmp_path_factory, params, table, at, paragraph):
    synthetic = generate_report(**params)
    rendered = render_docx(synthetic)
    rows = len(docx.Document(io.BytesIO(rendered)).tables[table].rows)
    split = _split_table(rendered, table, min(at, rows - 1), paragraph=paragraph)
    assert len(docx.Document(io.BytesIO(split)).tables) == 4
    _assert_round_trip(_read(tmp_path_factory.mktemp("split"), "split.docx", split), synthetic)


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    blank_rate=st.sampled_from([0.0, 0.05, 0.3]),
    placeholder_rate=st.sampled_from([0.0, 0.05]),
)
def test_the_official_blank_template_filled_round_trips(tmp_path_factory, seed, blank_rate, placeholder_rate):
    synthetic = generate_report(
        seed, template="2021", blank_rate=blank_rate, placeholder_rate=placeholder_rate
    )
    filled = fill_template(synthetic, TEMPLATE)
    _assert_round_trip(_read(tmp_path_factory.mktemp("filled"), "filled.docx", filled), synthetic)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"template": "2019"}, "the blank template is the 2021 template; cannot fill a 2019 report"),
        ({"one_row_other": True}, "no cell in the template for [('applications', 'other_total', "),
    ],
)
def test_fill_template_refuses_reports_that_do_not_fit(params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        fill_template(generate_report(1, **params), TEMPLATE)


def test_the_blank_template_reads_with_merged_cells_resolved():
    doc = read_docx("template.docx", data=TEMPLATE.read_bytes())
    rows = {row.cells[-8] if len(row.cells) >= 8 else row.cells[0]: row.cells for row in doc.rows}
    # Vertical merges repeat the group labels; horizontal merges are one cell.
    assert rows["1.属于国家秘密"] == ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", *[""] * 7)
    assert rows["（七）总计"] == ("三、本年度办理结果", "（七）总计", *[""] * 7)
    assert rows["一、本年新收政府信息公开申请数量"][1:] == ("",) * 7
    assert next(r.cells for r in doc.rows if r.cells[0] == "行政许可") == ("行政许可", "")
    header = next(r.cells for r in doc.rows if "申请人情况" in r.cells)
    assert header == ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况")
    assert ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 3 in [r.cells for r in doc.rows]
    # Each printed cell is one line of text, and a row's line is the line of its first cell.
    lines = doc.text.split("\n")
    assert lines.count("三、本年度办理结果") == 1
    assert "商业企业" in lines
    granted = next(r for r in doc.rows if "（一）予以公开" in r.cells)
    assert lines[granted.line - 1] == "三、本年度办理结果"
    assert lines[granted.line] == "（一）予以公开"


def _table_rows(data: bytes) -> list[tuple[str, ...]]:
    rows = [row.cells for row in read_docx("x.docx", data=data).rows]
    start = rows.index(("第二十条第（一）项",))
    return rows[start : rows.index(("五、存在的主要问题及改进情况",))]


def test_render_docx_has_the_official_merged_cell_structure():
    # All cells blank: every row, labels and merges included, reads as the blank template's.
    rendered = render_docx(generate_report(4, template="2021", blank_rate=1.0))
    assert _table_rows(rendered) == _table_rows(TEMPLATE.read_bytes())


def _document_with_table(build) -> bytes:
    document = docx.Document()
    document.add_paragraph("某县2023年政府信息公开工作年度报告")
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_merges_text_direction_tabs_and_layout_tables():
    def build(document):
        document.add_paragraph("行政许可\t152\t\t")
        table = document.add_table(rows=3, cols=4)
        label = table.cell(0, 0).merge(table.cell(2, 0))
        label.text = "（三）不予公开"
        direction = OxmlElement("w:textDirection")
        direction.set(qn("w:val"), "tbRl")  # a vertical label is still just text
        label._tc.get_or_add_tcPr().append(direction)
        table.cell(0, 1).merge(table.cell(0, 3)).text = "合并"
        for r in (1, 2):
            for c, text in enumerate(("1.属于国家秘密", "", "7"), start=1):
                table.cell(r, c).text = text
        outer = document.add_table(rows=1, cols=1)
        inner = outer.cell(0, 0).add_table(rows=1, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = "重复申请", "3"

    doc = read_docx("m.docx", data=_document_with_table(build))
    assert [row.cells for row in doc.rows] == [
        ("某县2023年政府信息公开工作年度报告",),
        ("行政许可", "152", "", ""),
        ("（三）不予公开", "合并"),
        ("（三）不予公开", "1.属于国家秘密", "", "7"),
        ("（三）不予公开", "1.属于国家秘密", "", "7"),
        ("重复申请", "3"),
    ]


def test_sniff_calls_a_docx_a_docx():
    assert sniff(render_docx(generate_report(1))) == "docx"


def test_docx_without_tables(tmp_path):
    data = _document_with_table(lambda d: d.add_paragraph("一、总体情况\n表格见图片。"))
    with pytest.raises(NoTablesError, match=r"images\.docx: no tables found: none of 表二, 表三, 表四"):
        _read(tmp_path, "images.docx", data)


def test_docx_without_text(tmp_path):
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(EmptyInputError, match=r"blank\.docx: empty document: the Word file holds no text"):
        _read(tmp_path, "blank.docx", buffer.getvalue())


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """Copy a zip, with some members replaced or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename not in replace:
                target.writestr(item, source.read(item.filename))
        for name, content in replace.items():
            target.writestr(name, content)
    return out.getvalue()


def _corrupt_deflate(data: bytes) -> bytes:
    raw = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + 60):
        raw[i] ^= 0x5A
    return bytes(raw)


RENDERED = render_docx(generate_report(11, blank_rate=0.05))
_XLSX_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
_XLSX_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            RENDERED[: len(RENDERED) // 2],
            "corrupt Word file: not a readable zip archive (File is not a zip file)",
        ),
        (_corrupt_deflate(RENDERED), "corrupt Word file: "),
        (patch_declared_size(RENDERED, "word/document.xml", 100), "corrupt Word file: Bad CRC-32"),
        (_zip({"notes.txt": b"hello"}), "not a Word document: a zip archive without [Content_Types].xml"),
        (
            _zip({"[Content_Types].xml": _XLSX_TYPES, "_rels/.rels": _XLSX_RELS, "xl/workbook.xml": b"<w/>"}),
            "not a Word document: its main part is "
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ),
    ],
    ids=["truncated", "bad-deflate", "lying-size", "plain-zip", "spreadsheet"],
)
def test_bad_zip_input(tmp_path, data, message):
    with pytest.raises(ReadError, match=r"bad\.docx: " + re.escape(message)):
        _read(tmp_path, "bad.docx", data)


def _deflated_zeros(size: int) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(RENDERED)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("word/media/image1.bin", "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: _deflated_zeros(64 << 20),
            r"refused: word/media/image1\.bin expands \d+ times, over the limit",
        ),
        (
            lambda: patch_declared_size(RENDERED, "word/document.xml", 0xFFFFFFF0),
            r"refused: the archive has \d+ members that expand to \d+ bytes, over the limits",
        ),
        (
            lambda: _zip({f"f{i}": b"" for i in range(docx_reader.MAX_MEMBERS + 1)}),
            r"refused: the archive has 10001 members",
        ),
    ],
    ids=["actual-64MiB", "declared-4GiB", "many-members"],
)
def test_zip_bombs_are_refused_before_they_are_inflated(tmp_path, build, message, inflated):
    path = tmp_path / "bomb.docx"
    path.write_bytes(build())
    assert path.stat().st_size < 2 << 20
    with pytest.raises(RefusedInputError, match=r"bomb\.docx: " + message):
        gr.read_report(path)
    assert sum(inflated.values()) < 1 << 20  # the bombs inflate to 64 MiB and more


def _with_document_xml(prolog: str, text: str) -> bytes:
    body = (
        f'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>政府信息公开工作年度报告</w:t></w:r></w:p>"
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    return _rezip(RENDERED, {"word/document.xml": f'<?xml version="1.0"?>{prolog}{body}'.encode()})


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    prolog = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    refused = r"xxe\.docx: refused: the XML of word/document\.xml declares entities \(a DTD\), which Word"
    with pytest.raises(RefusedInputError, match=refused):
        read_docx("xxe.docx", data=_with_document_xml(prolog, "&xxe;"))


def test_entity_expansion_is_not_a_bomb():
    entities = '<!ENTITY a0 "lollollollollol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    data = _with_document_xml(f"<!DOCTYPE w:document [{entities}]>", "&a9;")
    with pytest.raises(
        RefusedInputError, match=r"laughs\.docx: refused: the XML of word/document\.xml declares entities"
    ):
        read_docx("laughs.docx", data=data)  # refused on sight of the DTD: nothing is expanded


def _soffice_convert(path: Path, fmt: str) -> Path:
    out = path.parent / f"to-{fmt}"
    profile = (path.parent / f"profile-{fmt}").as_uri()
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt]
    subprocess.run([*command, "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    return out / f"{path.stem}.{fmt}"


@NEEDS_SOFFICE
@pytest.mark.slow
@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("doc", {"seed": 21, "template": "2021", "blank_rate": 0.05, "placeholder_rate": 0.05}),
        ("odt", {"seed": 22, "template": "2019", "blank_rate": 0.05, "placeholder_rate": 0.05}),
    ],
)
def test_legacy_and_opendocument_files_read_through_libreoffice(tmp_path, fmt, params):
    synthetic = generate_report(**params)
    source = tmp_path / "report.docx"
    source.write_bytes(render_docx(synthetic))
    converted = _soffice_convert(source, fmt)
    assert sniff(converted.read_bytes()) == ("doc" if fmt == "doc" else "docx")
    _assert_round_trip(gr.read_report(converted), synthetic)


_OLE_WORD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le")
_NEEDS = (
    "input needs LibreOffice: install it (e.g. apt-get install libreoffice-writer-nogui) "
    "or save the file as .docx"
)


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("report.doc", _OLE_WORD, "legacy Word (.doc/.wps)"),
        ("report.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "OpenDocument (.odt)"),
    ],
)
def test_legacy_word_without_libreoffice_says_what_to_do(tmp_path, monkeypatch, name, data, what):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnsupportedInputError, match=re.escape(f"{path}: {what} {_NEEDS}")):
        gr.read_report(path)


def _fake_soffice(tmp_path: Path, monkeypatch, script: str) -> None:
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda _name: str(fake))


def test_a_hanging_libreoffice_is_killed(tmp_path, monkeypatch):
    _fake_soffice(tmp_path, monkeypatch, "sleep 30")
    monkeypatch.setattr(docx_reader, "SOFFICE_TIMEOUT", 0.5)
    with pytest.raises(ReadError, match=r"x\.doc: LibreOffice did not convert the file within 0\.5 s"):
        docx_reader.read_legacy_word("x.doc", data=_OLE_WORD)


def test_a_file_libreoffice_cannot_convert(tmp_path, monkeypatch):
    _fake_soffice(tmp_path, monkeypatch, "exit 0")
    with pytest.raises(CorruptFileError, match=r"x\.doc: LibreOffice could not convert the file to \.docx"):
        docx_reader.read_legacy_word("x.doc", data=_OLE_WORD)


@pytest.mark.parametrize(
    ("stream", "error", "message"),
    [
        ("Workbook\0", UnsupportedInputError, "not a Word document: an Excel workbook"),
        ("PowerPoint Document\0", UnsupportedInputError, "not a Word document: a PowerPoint presentation"),
        (
            "EncryptedPackage\0",
            ProtectedFileError,
            "password-protected Word file: remove the password and save it as .docx",
        ),
    ],
)
def test_ole_files_libreoffice_cannot_read_are_refused_first(tmp_path, monkeypatch, stream, error, message):
    monkeypatch.setattr(shutil, "which", lambda _name: pytest.fail("LibreOffice must not be started"))
    path = tmp_path / "other.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + stream.encode("utf-16-le"))
    with pytest.raises(error, match=r"other\.doc: " + re.escape(message)):
        gr.read_report(path)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    ],
    ids=["docm", "dotx"],
)
def test_macro_enabled_and_template_word_files_read(tmp_path, content_type):
    synthetic = generate_report(12, blank_rate=0.05)
    rendered = render_docx(synthetic)
    with zipfile.ZipFile(io.BytesIO(rendered)) as archive:
        types = archive.read("[Content_Types].xml").decode()
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    data = _rezip(rendered, {"[Content_Types].xml": types.replace(docx_type, content_type).encode()})
    _assert_round_trip(_read(tmp_path, "report.docm", data), synthetic)
