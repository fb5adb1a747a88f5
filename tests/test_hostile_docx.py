"""Word files built to mislead or exhaust the reader, each made from a generated report.

Text Word does not show (hidden runs, deleted revisions) is not read, superscript digits and
note references do not join the number before them, XML that declares entities is refused, and
parts too large, blocks too large or too many, nesting too deep and unusual compression are
refused with a message naming the limit.
"""

import io
import random
import re
import zipfile

import pytest
from conftest import patch_declared_size

import govreports as gr
from govreports.cells import parse_cell
from govreports.errors import RefusedInputError
from govreports.readers import docx as docx_reader
from govreports.readers.docx import read_docx
from govreports.render.docx import render_docx
from govreports.synthetic import generate_report

SYNTHETIC = generate_report(11, blank_rate=0.0, placeholder_rate=0.0)
RENDERED = render_docx(SYNTHETIC)
KEY = ("applications", "new_received", "natural_person")  # the cell the cases below rewrite
assert SYNTHETIC.cells[KEY] == (51.0, "51", "ok")
ROW_LABEL = "一、本年新收政府信息公开申请数量"
PROACTIVE = "全年主动公开政府信息18636条。"  # a sentence of the prose, outside the tables
REVISION = 'w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"'


def _members(data: bytes = RENDERED) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes], compression: dict[str, int] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content, compress_type=(compression or {}).get(name, zipfile.ZIP_DEFLATED))
    return out.getvalue()


def _with(part: str, edit) -> bytes:
    """The rendered report with one part's text rewritten by ``edit``."""
    members = _members()
    members[part] = edit(members[part].decode()).encode()
    return _zip(members)


def _cell_runs(runs: str, *, styles: str = "") -> bytes:
    """The report with the run of the first value cell of 表三's 本年新收 row (51) replaced.

    ``styles`` is added to the styles part.
    """
    printed = "<w:r><w:t>51</w:t></w:r>"

    def edit(xml: str) -> str:
        at = xml.index(printed, xml.index(ROW_LABEL))
        return xml[:at] + runs + xml[at + len(printed) :]

    members = _members(_with("word/document.xml", edit))
    members["word/styles.xml"] = _add_style(members["word/styles.xml"].decode(), styles).encode()
    return _zip(members)


def _cell(tmp_path, data: bytes) -> tuple[float, str, str]:
    path = tmp_path / "report.docx"
    path.write_bytes(data)
    cells = gr.read_report(path).cells.set_index(["table", "row_key", "col_key"])
    value, status, raw = cells.loc[KEY, ["value", "status", "raw"]]
    return float(value), status, raw


def _run(text: str, properties: str = "") -> str:
    return (
        f"<w:r><w:rPr>{properties}</w:rPr><w:t>{text}</w:t></w:r>"
        if properties
        else f"<w:r><w:t>{text}</w:t></w:r>"
    )


def _add_style(xml: str, style: str) -> str:
    return xml.replace("</w:styles>", style + "</w:styles>")


def _character_style(style_id: str, properties: str, based_on: str = "") -> str:
    parent = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return (
        f'<w:style w:type="character" w:styleId="{style_id}"><w:name w:val="{style_id}"/>{parent}'
        f"<w:rPr>{properties}</w:rPr></w:style>"
    )


SUPERSCRIPT = '<w:vertAlign w:val="superscript"/>'
SECRET = _character_style("Secret", "<w:vanish/>")


# -- 1. text Word does not show ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("runs", "styles"),
    [
        (_run("51") + _run("9", "<w:vanish/>"), ""),
        (_run("51") + _run("9", '<w:vanish w:val="1"/>'), ""),
        (_run("51") + _run("9", "<w:specVanish/>"), ""),
        (_run("5") + _run("1", '<w:vanish w:val="0"/>'), ""),  # explicitly not hidden: read
        (_run("5") + _run("1", '<w:vanish w:val="false"/>'), ""),
        (_run("51") + _run("9", '<w:rStyle w:val="Secret"/>'), SECRET),
        (
            _run("51") + _run("9", '<w:rStyle w:val="Quiet"/>'),
            SECRET + _character_style("Quiet", "", "Secret"),
        ),
        (_run("5") + _run("1", '<w:rStyle w:val="Secret"/><w:vanish w:val="0"/>'), SECRET),  # direct wins
        (_run("51") + f"<w:del {REVISION}><w:r><w:delText>9</w:delText></w:r></w:del>", ""),
        (_run("51") + f"<w:del {REVISION}>{_run('9')}</w:del>", ""),
        (_run("5") + f"<w:ins {REVISION}>{_run('1')}</w:ins>", ""),  # an insertion is shown
    ],
    ids=[
        "vanish",
        "vanish-1",
        "specVanish",
        "vanish-0-shown",
        "vanish-false-shown",
        "character-style",
        "based-on-style",
        "direct-over-style",
        "deleted-delText",
        "deleted-run",
        "inserted",
    ],
)
def test_a_cell_reads_what_word_shows(tmp_path, runs, styles):
    assert _cell(tmp_path, _cell_runs(runs, styles=styles)) == (51.0, "ok", "51")


def test_hidden_text_in_the_prose_is_not_read(tmp_path):
    hidden = (
        "全年主动公开政府信息18636"
        + "</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>9</w:t></w:r><w:r><w:t>"
    )
    data = _with("word/document.xml", lambda xml: xml.replace("全年主动公开政府信息18636", hidden))
    assert (
        "<w:vanish/></w:rPr><w:t>9</w:t>" in _members(data)["word/document.xml"].decode()
    )  # in the file ...
    doc = read_docx("hidden.docx", data=data)
    assert PROACTIVE in doc.text.split("\n")  # ... but not in the text read
    path = tmp_path / "hidden.docx"
    path.write_bytes(data)
    figures = gr.read_report(path).figures
    assert figures.query("figure == 'proactive_total'").value.tolist() == [18636]


def test_a_paragraph_style_that_hides_hides_its_runs():
    style = (
        '<w:style w:type="paragraph" w:styleId="Gone"><w:name w:val="Gone"/>'
        '<w:basedOn w:val="Normal"/><w:rPr><w:vanish/></w:rPr></w:style>'
    )
    shown = _run("仍然可见", '<w:vanish w:val="0"/>')
    paragraph = f'<w:p><w:pPr><w:pStyle w:val="Gone"/></w:pPr>{_run("看不见的段落")}{shown}</w:p>'
    members = _members(
        _with("word/document.xml", lambda xml: xml.replace("<w:body>", "<w:body>" + paragraph))
    )
    members["word/styles.xml"] = _add_style(members["word/styles.xml"].decode(), style).encode()
    lines = read_docx("styled.docx", data=_zip(members)).text.split("\n")
    assert lines[0] == "仍然可见"
    assert "看不见的段落" not in "".join(lines)


# -- 2. superscript digits and note references ---------------------------------------------------


@pytest.mark.parametrize(
    ("runs", "styles", "raw"),
    [
        (_run("51") + _run("1", SUPERSCRIPT), "", "51¹"),
        (_run("51") + _run("12", SUPERSCRIPT), "", "51¹²"),
        (
            _run("51") + _run("1", '<w:rStyle w:val="Raised"/>'),
            _character_style("Raised", SUPERSCRIPT),
            "51¹",
        ),
        (_run("51") + '<w:r><w:footnoteReference w:id="2"/></w:r>', "", "51¹"),
        (_run("51") + '<w:r><w:endnoteReference w:id="2"/></w:r>', "", "51¹"),
        (  # a custom mark: the reference adds nothing, the mark follows as text
            _run("51") + '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="2"/></w:r>' + _run("*"),
            "",
            "51*",
        ),
    ],
    ids=[
        "superscript",
        "superscript-2-digits",
        "superscript-style",
        "footnote-ref",
        "endnote-ref",
        "custom-mark",
    ],
)
def test_a_footnote_mark_after_a_number_is_not_a_digit_of_it(tmp_path, runs, styles, raw):
    assert _cell(tmp_path, _cell_runs(runs, styles=styles)) == (51.0, "footnote", raw)


def test_179_with_a_superscript_1_is_179_with_a_footnote(tmp_path):
    # The value is the number printed (not the generated report's 51), its mark taken off.
    assert _cell(tmp_path, _cell_runs(_run("179") + _run("1", SUPERSCRIPT))) == (179.0, "footnote", "179¹")


def test_baseline_set_on_the_run_beats_a_superscript_style(tmp_path):
    runs = _run("5") + _run("1", '<w:rStyle w:val="Raised"/><w:vertAlign w:val="baseline"/>')
    assert _cell(tmp_path, _cell_runs(runs, styles=_character_style("Raised", SUPERSCRIPT))) == (
        51.0,
        "ok",
        "51",
    )


def _after(xml: str, text: str, addition: str) -> str:
    return xml.replace(f"{text}</w:t></w:r>", f"{text}</w:t></w:r>{addition}", 1)


def test_note_references_are_numbered_in_document_order():
    reference = '<w:r><w:footnoteReference w:id="{}"/></w:r>'

    def edit(xml: str) -> str:
        return _after(_after(xml, "一、总体情况", reference.format(2)), PROACTIVE, reference.format(3))

    lines = read_docx("notes.docx", data=_with("word/document.xml", edit)).text.split("\n")
    assert "一、总体情况¹" in lines and f"{PROACTIVE}²" in lines


# -- 3. entities: XXE and billion laughs ---------------------------------------------------------

DECLARES = "refused: the XML of {} declares entities (a DTD), which Word never writes"


def _with_dtd(xml: str, dtd: str) -> str:
    return re.sub(r"(<\?xml[^>]*\?>)", lambda m: m[1] + dtd, xml, count=1)


XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    "<!DOCTYPE w:document ["
    + '<!ENTITY a0 "lollollollollol">'
    + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize(
    ("part", "dtd", "use"),
    [
        ("word/document.xml", XXE, "&xxe;"),
        ("word/document.xml", LAUGHS, "&a9;"),
        ("[Content_Types].xml", XXE, ""),
        ("_rels/.rels", LAUGHS, ""),
        ("word/_rels/document.xml.rels", XXE, ""),
        ("word/styles.xml", XXE, ""),  # read, though parsed only when it hides or raises runs
    ],
    ids=["xxe", "billion-laughs", "content-types", "package-rels", "document-rels", "styles"],
)
def test_xml_that_declares_entities_is_refused(tmp_path, part, dtd, use):
    def edit(xml: str) -> str:
        xml = _with_dtd(xml, dtd)
        return xml.replace("一、总体情况", use + "一、总体情况") if use else xml

    path = tmp_path / "entities.docx"
    path.write_bytes(_with(part, edit))
    with pytest.raises(RefusedInputError, match=r"entities\.docx: " + re.escape(DECLARES.format(part))):
        gr.read_report(path)


def test_a_dtd_is_refused_in_utf16_too():
    xml = _members()["word/document.xml"].decode()
    xml = _with_dtd(xml.replace("encoding='UTF-8'", "encoding='UTF-16'"), XXE)
    members = _members()
    members["word/document.xml"] = xml.encode("utf-16")
    with pytest.raises(RefusedInputError, match=re.escape(DECLARES.format("word/document.xml"))):
        read_docx("utf16.docx", data=_zip(members))


def test_a_dtd_split_between_two_chunks_is_refused(monkeypatch):
    monkeypatch.setattr(docx_reader, "_CHUNK", 64)
    xml = _members()["word/document.xml"].decode()
    head = xml.index("?>") + 2
    padded = xml[:head] + " " * (64 - head - 4) + XXE + xml[head:]  # "<!DO" | "CTYPE"
    assert padded.encode()[60:64] == b"<!DO"
    with pytest.raises(RefusedInputError, match=re.escape(DECLARES.format("word/document.xml"))):
        read_docx("split.docx", data=_with("word/document.xml", lambda _xml: padded))


def test_utf16_without_a_dtd_still_reads():
    members = _members()
    xml = members["word/document.xml"].decode().replace("encoding='UTF-8'", "encoding='UTF-16'")
    members["word/document.xml"] = xml.encode("utf-16")
    doc = read_docx("utf16.docx", data=_zip(members))
    assert PROACTIVE in doc.text.split("\n") and doc.encoding == "utf-16"


# -- 4. size, count and nesting bombs ------------------------------------------------------------


def test_a_main_document_over_the_size_limit_is_refused_before_it_is_decompressed(tmp_path, inflated):
    # Incompressible filler keeps the member's ratio under the zip-bomb limit (the header's
    # 65 MiB is 190 times the member's compressed size), as for an 18 MB file whose main
    # document is 250 MB of ordinary XML: refused before a byte of it is decompressed.
    filler = random.Random(0).randbytes(330_000).hex()
    data = _with("word/document.xml", lambda xml: xml.replace("<w:body>", f"<w:body><!--{filler}-->"))
    declared = 65 * 1024 * 1024
    compressed = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").compress_size
    assert declared < docx_reader.MAX_RATIO * compressed
    path = tmp_path / "big.docx"
    path.write_bytes(patch_declared_size(data, "word/document.xml", declared))
    inflated.clear()  # the input was built by reading zips
    message = f"refused: word/document.xml expands to {declared} bytes, over the limit of {64 << 20} bytes"
    with pytest.raises(RefusedInputError, match=r"big\.docx: " + re.escape(message)):
        gr.read_report(path)
    assert inflated["word/document.xml"] == 0


def test_the_xml_read_for_one_document_is_limited_in_total(monkeypatch):
    members = _members()
    before = ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/styles.xml")
    read_before = sum(len(members[name]) for name in before)  # all read before the main document
    limit = read_before + len(members["word/document.xml"]) - 1
    monkeypatch.setattr(docx_reader, "MAX_READ_BYTES", limit)
    message = (
        f"refused: word/document.xml expands to {len(members['word/document.xml'])} bytes, over the limit "
        f"of {limit} bytes for all the XML read from one document ({read_before} read before it)"
    )
    with pytest.raises(RefusedInputError, match=re.escape(message)):
        read_docx("total.docx", data=RENDERED)


def test_a_styles_part_over_its_limit_is_refused(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_OTHER_PART_BYTES", 100_000)
    size = len(_members()["word/styles.xml"])
    message = (
        f"refused: word/styles.xml expands to {size} bytes, over the limit of 100000 bytes for this part"
    )
    with pytest.raises(RefusedInputError, match=re.escape(message)):
        read_docx("styles.docx", data=RENDERED)


def test_one_paragraph_over_the_block_limit_is_refused(monkeypatch):
    monkeypatch.setattr(docx_reader, "_CHUNK", 16 * 1024)
    monkeypatch.setattr(docx_reader, "MAX_BLOCK_BYTES", 64 * 1024)
    digits = "".join(random.Random(1).choices("0123456789", k=200_000))
    data = _with("word/document.xml", lambda xml: xml.replace("一、总体情况", digits))
    with pytest.raises(
        RefusedInputError,
        match=r"refused: word/document\.xml has a paragraph or table of more than 65536 bytes",
    ):
        read_docx("block.docx", data=data)


def test_too_many_paragraphs_and_tables_are_refused(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_BLOCKS", 10)
    with pytest.raises(
        RefusedInputError, match=r"refused: word/document\.xml holds more than 10 paragraphs and tables"
    ):
        read_docx("many.docx", data=RENDERED)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>"),
        ("<w:customXml>", "</w:customXml>"),
        ("<w:unknown>", "</w:unknown>"),
    ],
    ids=["content-controls", "custom-xml", "unknown-elements"],
)
def test_nesting_too_deep_is_refused_and_deep_nesting_within_the_limit_reads(opening, closing):
    def nested(depth: int) -> bytes:
        paragraph = _run("深处的段落")
        block = opening * depth + f"<w:p>{paragraph}</w:p>" + closing * depth
        return _with("word/document.xml", lambda xml: xml.replace("<w:body>", "<w:body>" + block))

    deep = docx_reader.MAX_DEPTH // 2
    lines = read_docx("deep.docx", data=nested(deep // len(re.findall("<", opening)))).text.split("\n")
    # Content controls and custom XML are read in place; elements the reader does not know, skipped.
    assert (lines[0] == "深处的段落") == (opening != "<w:unknown>")
    with pytest.raises(
        RefusedInputError, match=r"refused: the XML of word/document\.xml nests elements more than 256"
    ):
        read_docx("deeper.docx", data=nested(300))


def test_a_member_compressed_with_a_method_word_never_uses_is_refused():
    data = _zip(_members(), compression={"word/document.xml": zipfile.ZIP_BZIP2})
    with pytest.raises(
        RefusedInputError,
        match=r"refused: word/document\.xml is compressed with method 12, which Word never uses",
    ):
        read_docx("bzip2.docx", data=data)


def test_a_stored_document_reads():
    data = _zip(_members(), compression={"word/document.xml": zipfile.ZIP_STORED})
    assert PROACTIVE in read_docx("stored.docx", data=data).text.split("\n")


def test_a_number_merged_down_rows_is_marked_in_every_row_it_spans():
    from docx import Document as WordDocument

    from govreports.readers.docx import read_docx

    document = WordDocument()
    document.add_paragraph("某县2023年政府信息公开工作年度报告")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(2, 0)).text = "（三）不予公开"
    table.cell(0, 2).merge(table.cell(1, 2)).text = "29"
    for r, label in enumerate(("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”")):
        table.cell(r, 1).text = label
    table.cell(2, 2).text = "4"
    buffer = io.BytesIO()
    document.save(buffer)
    rows = [row.cells for row in read_docx("m.docx", data=buffer.getvalue()).rows][1:]
    assert rows == [
        ("（三）不予公开", "1.属于国家秘密", "29 ⊞"),
        ("（三）不予公开", "2.其他法律行政法规禁止公开", "29 ⊞"),
        ("（三）不予公开", "3.危及“三安全一稳定”", "4"),
    ]
    assert parse_cell(rows[0][2]) == (None, "merged_cell")
