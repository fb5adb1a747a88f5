"""PDF: the real report read cell for cell, generated reports round-tripped, and bad input.

Generated reports are rendered through LibreOffice (a couple of seconds per run), in one font
of each kind: Noto Sans CJK (embedded as CFF / Type 1) and WenQuanYi Zen Hei (TrueType). The
PDFs are rendered once per session.
"""

import hashlib
import io
import re
import shutil
import struct

import docx
import pypdfium2 as pdfium
import pytest
from conftest import RAW_DIR, cell_tuples, golden_cells, misreading_engine, pdf_file
from PIL import Image

import govreports as gr
from govreports import store
from govreports.errors import (
    CorruptFileError,
    NotAReportError,
    NoValuesError,
    ProtectedFileError,
    TableEngineError,
    UnsupportedInputError,
)
from govreports.narrative import extract_figures
from govreports.readers import pdf_engines
from govreports.readers.pdf import PdfSettings, locate_pages, read_pdf, use_pdf_settings
from govreports.readers.pdf_engines import Line, paragraphs, read_document, read_text_layer
from govreports.render.docx import render_docx
from govreports.render.pdf import FONTS, docx_to_pdf, render_pdfs, set_font
from govreports.synthetic import generate_report

HUAIAN = RAW_DIR / "huaian-city-2024.pdf"
CASES = {
    "2021": dict(seed=11, template="2021", zero_share=0.0),
    "2019-placeholders": dict(
        seed=12, template="2019", blank_rate=0.05, placeholder_rate=0.05, zero_share=0.0
    ),
    "2021-blanks-one-row-other": dict(seed=13, blank_rate=0.3, placeholder_rate=0.05, one_row_other=True),
}


def _read(path, engines=("pdfium",)) -> gr.Report:
    with use_pdf_settings(PdfSettings(engines=engines)):
        return gr.read_report(path)


# The real report --------------------------------------------------------------------------------


EVERY_ENGINE = [
    ("pdfium",),
    ("pdfplumber",),
    ("camelot",),
    ("pdfium", "pdfplumber"),
    ("pdfplumber", "camelot"),
]


@pytest.mark.parametrize("engines", EVERY_ENGINE)
def test_huaian_every_cell_with_each_engine(engines):
    report = _read(HUAIAN, engines)
    assert cell_tuples(report.cells) == golden_cells("huaian-city-2024")
    assert (report.checks.status == "pass").all()


def test_huaian_tables_are_located_from_the_text_layer():
    pages = read_text_layer("huaian.pdf", HUAIAN.read_bytes())
    assert len(pages) == 6
    assert locate_pages(pages) == [2, 3, 4]  # pages 3-5; the prose of page 2 names 行政复议 once


def test_huaian_figures_are_read_from_whole_sentences():
    figures = _read(HUAIAN).figures.set_index("figure")
    # Page 2 prints "…政府信息公开行政复议 351" and "件，其中结果维持 72 件…" on two lines.
    assert figures.loc["reviews", "value"] == 351
    assert figures.loc["reviews", "sentence"].endswith("尚未审结 37 件")
    assert figures.loc["applications_received", "sentence"] == (
        "2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，"
        "另有 103 件顺延到下年度答复），均在法定期限内予以答复"
    )
    assert figures.loc["lawsuits", "value"] == 46


# A sentence placed after 0-39 characters of filler, so that each place in it falls at a line end.
WRAPPED = "本年度共受理政府信息公开申请1234567件，办结1234560件。"
FILLER = "我们坚持以公开为常态不公开为例外持续推进政务公开工作取得实效全面提升政府透明度"


@pytest.fixture(scope="module", params=FONTS)
def wrapped_prose(request):
    """A report PDF with 40 paragraphs of prose, each wrapping WRAPPED at another place."""
    document = docx.Document(io.BytesIO(set_font(render_docx(generate_report(seed=3)), request.param)))
    heading = next(p for p in document.paragraphs if p.text.startswith("二、"))
    for k in range(40):
        heading.insert_paragraph_before(FILLER[:k] + WRAPPED)
    buffer = io.BytesIO()
    document.save(buffer)
    return docx_to_pdf([buffer.getvalue()])[0]


def test_a_sentence_broken_at_a_line_end_is_read_whole(wrapped_prose):
    document = read_pdf("wrapped.pdf", data=wrapped_prose)
    printed = [line for line in document.text.split("\n") if "本年度共受理" in line]
    assert any(line.endswith("申请") for line in printed)  # the number went to the next line
    assert any(line.endswith("1234567") for line in printed)  # and the unit did
    sentences = [line for line in document.prose.split("\n") if "本年度共受理" in line]
    assert len(sentences) == 40
    assert [s for s in sentences if not s.replace(" ", "").endswith(WRAPPED)] == []
    received = [
        [f.value for f in extract_figures(s) if f.figure == "applications_received"] for s in sentences
    ]
    assert received == [[1234567.0]] * 40


def test_a_row_of_values_does_not_continue_the_line_before():
    # No space in the line's characters: the gaps between the values still end the first "word".
    label = Line("行政许可", 0, tuple((x, 0, x + 10, 10) for x in (0, 10, 20, 30)), 1, "行政许可")
    values = Line("0 0 0 0 0", 0, tuple((x, 12, x + 6, 22) for x in (0, 120, 240, 360, 470)), 2, "00000")
    assert [row.cells for row in paragraphs([label, values], (0, 500))] == [("行政许可",), ("0 0 0 0 0",)]


def _line(text: str, number: int, size: float = 10.0) -> Line:
    """A text-layer line at the left margin: CJK characters ``size`` wide, ASCII half that."""
    boxes, chars, spaced, x = [], "", set(), 0.0
    for char in text:
        if char == " ":
            spaced.add(len(chars))
            x += size / 4
            continue
        width = size / 2 if char.isascii() else size
        boxes.append((x, number * 14.0, x + width, number * 14.0 + size))
        chars, x = chars + char, x + width
    return Line(text, 0, tuple(boxes), number, chars, frozenset(spaced))


SEPARATE = {
    "a heading, then a year": (
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "2024年本机关办理3件，均已办结。",
    ),
    "two list items": (
        "1）本机关依法受理行政复议、行政诉讼相关工作共计两类情况",
        "2）办理3件，均已按期办结。",
    ),
    "a caption, then a count": ("表1：本年度因政府信息公开被申请行政复议情况统计说明", "12件申请均已答复。"),
    "a number that would have fit": (
        "本机关全年主动公开政府信息，其中通过网站发布信息合计",
        "655条，通过微信公众号发布信息120条。",
    ),
}


@pytest.mark.parametrize("case", SEPARATE)
def test_lines_that_do_not_continue_a_paragraph(case):
    first, second = SEPARATE[case]
    rows = paragraphs([_line(first, 1), _line(second, 2)], (0.0, 300.0))
    assert [row.cells[0] for row in rows] == [first, second]


def test_a_number_that_did_not_fit_continues_the_paragraph():
    first, second = "本机关全年主动公开政府信息，其中通过网站发布信息合计共", "1234567条。"
    rows = paragraphs([_line(first, 1), _line(second, 2)], (0.0, 300.0))
    assert [row.cells[0] for row in rows] == [first + second]


def test_huaian_rows_stitch_the_page_breaks():
    doc = read_pdf("huaian.pdf", data=HUAIAN.read_bytes())
    rows = [row.cells for row in doc.rows]
    assert not [r for r in rows if re.fullmatch(r"-\s*\d\s*-", "".join(r))]  # page numbers dropped
    assert ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他") in rows  # '商业企'/'业'
    # 表三 across pages 4 → 5: the group label split by the break is joined, in the row above it.
    unable = rows.index(
        ("（四）无法提供", "1.本机关不掌握相关政府信息", "746", "12", "0", "0", "10", "1", "769")
    )
    assert rows[unable + 1] == ("2.没有现成信息需要另行制作", "11", "0", "0", "0", "0", "0", "11")
    assert ("三、本年度办理结果", "（一）予以公开", "1288", "21", "0", "0", "50", "3", "1362") in rows
    # 表二 across pages 3 → 4: the heading row of （六） stays above its header and rows.
    penalty = rows.index(("行政处罚", "3985758"))
    assert rows[penalty - 2 : penalty] == [("第二十条 第（六）项",), ("信息内容", "本年处理决定数量")]


def test_huaian_text_is_the_whole_text_layer_and_rows_point_into_it():
    report = gr.read_report(HUAIAN)
    doc = read_pdf("huaian.pdf", data=HUAIAN.read_bytes())
    assert "全年收取政府信息公开信息处理费 3940 元" in doc.text  # page 6
    assert report.meta["format"] == "pdf"
    lines = doc.text.split("\n")
    # Pages as a reader sees them in the PDF: 表三 starts on page 4 and ends on page 5, with 表四.
    expected = (("new_received", "本年新收", 4), ("carried_forward", "结转下年度", 5), ("review", "72", 5))
    for key, label, page in expected:
        ref = report.cells[report.cells.row_key == key].source_ref.iloc[0]
        printed_page, line = map(int, re.fullmatch(r"page (\d+), line (\d+)", ref).groups())
        assert printed_page == page and label in lines[line - 1]


# Generated reports through LibreOffice -----------------------------------------------------------


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """``{(font, case): (path, synthetic report)}``, two LibreOffice runs in all."""
    folder = tmp_path_factory.mktemp("pdf")
    found = {}
    for font in FONTS:
        reports = [generate_report(**params) for params in CASES.values()]
        for name, report, data in zip(CASES, reports, render_pdfs(reports, font=font), strict=True):
            path = folder / f"{name}-{font.split()[0]}.pdf"
            path.write_bytes(data)
            found[(font, name)] = path, report
    return found


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("case", CASES)
def test_render_then_read_gives_the_same_cells(rendered, font, case):
    path, synthetic = rendered[(font, case)]
    report = _read(path)
    assert (report.meta["template"], report.meta["year"]) == (synthetic.template, synthetic.year)
    assert cell_tuples(report.cells) == synthetic.expected()


def _grids(engine, path):
    layer = read_document(path.name, path.read_bytes(), tables_on=locate_pages)
    return engine(layer, {i: layer.pages[i].height for i in layer.table_pages})


def test_the_pdfium_engine_finds_the_tables_and_cells_pdfplumber_finds(rendered):
    # pdfium gives coordinates as 32-bit floats, pdfminer as 64-bit ones.
    for path in [HUAIAN, *(path for path, _ in rendered.values())]:
        mine, theirs = _grids(pdf_engines.pdfium_tables, path), _grids(pdf_engines.pdfplumber_tables, path)
        assert [[r.cells for r in g.rows] for g in mine] == [[r.cells for r in g.rows] for g in theirs]
        for a, b in zip(mine, theirs, strict=True):
            assert a.xs == pytest.approx(b.xs, abs=1e-3)
            assert [r.page for r in a.rows] == [r.page for r in b.rows]
            assert [(r.top, r.bottom) for r in a.rows] == [
                (pytest.approx(r.top, abs=1e-3), pytest.approx(r.bottom, abs=1e-3)) for r in b.rows
            ]


@pytest.mark.parametrize("font", FONTS)
def test_applications_table_runs_across_a_page_break(rendered, font):
    # At least one PDF per font has 表三 on two pages (all do at the current layout).
    split = []
    for case in CASES:
        pages = read_text_layer("r.pdf", rendered[(font, case)][0].read_bytes())
        first = next(p.index for p in pages if any("本年新收" in ln.text for ln in p.lines))
        last = next(p.index for p in pages if any("结转下年度" in ln.text for ln in p.lines))
        split.append(last > first)
    assert any(split)


@pytest.mark.parametrize(("font", "program"), [(FONTS[0], b"NotoSansCJK"), (FONTS[1], b"WenQuanYiZenHei")])
def test_the_requested_font_is_embedded(rendered, font, program):
    data = rendered[(font, "2021")][0].read_bytes()
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+" + program, data)


def test_camelot_refuses_fonts_it_would_misplace(rendered):
    path, _ = rendered[(FONTS[0], "2021")]
    with pytest.raises(TableEngineError, match=r"camelot would misplace text set in fonts .*NotoSansCJK"):
        _read(path, ("pdfplumber", "camelot"))


def test_both_engines_agree_on_a_truetype_pdf(rendered):
    path, synthetic = rendered[(FONTS[1], "2021-blanks-one-row-other")]
    assert cell_tuples(_read(path, ("camelot", "pdfplumber")).cells) == synthetic.expected()


def test_a_cell_the_engines_read_differently_is_flagged(monkeypatch):
    monkeypatch.setitem(pdf_engines.ENGINES, "camelot", misreading_engine)
    cells = _read(HUAIAN, ("pdfplumber", "camelot")).cells
    flagged = cells[cells.status == "engine_disagreement"]
    assert flagged[["row_key", "col_key", "raw"]].values.tolist() == [
        ["new_received", "total", "3119 ≠ 3118"]
    ]
    assert flagged.value.isna().all()
    assert (cells.status.drop(flagged.index) == "ok").all()


# Settings and bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"engines": ("tabula",)}, r"names of \('pdfium', 'pdfplumber', 'camelot'\), not \('tabula',\)"),
        ({"engines": ("camelot", "camelot")}, "engines: one or two different names"),
        ({"pages": "some"}, r"pages must be one of \('located', 'all'\), not 'some'"),
    ],
)
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        PdfSettings.resolve(settings)


def test_all_pages_reads_the_same_cells():
    assert cell_tuples(gr.read_report(HUAIAN).cells) == cell_tuples(_read_all_pages(HUAIAN).cells)


def _read_all_pages(path) -> gr.Report:
    with use_pdf_settings({"pages": "all"}):
        return gr.read_report(path)


# Settings travel to worker processes, and the cache knows which settings read a PDF --------------


@pytest.fixture
def noto_folder(rendered, tmp_path):
    """A folder with one PDF that camelot refuses (its font) and pdfplumber reads."""
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(rendered[(FONTS[0], "2021")][0], folder / "noto.pdf")
    return folder


def _refused_by_camelot(corpus: gr.Corpus) -> bool:
    failures = corpus.failures
    refused = failures.error_type.tolist() == ["TableEngineError"]
    return refused and "camelot would misplace" in failures.message[0]


def test_settings_given_to_read_reports_reach_its_workers(noto_folder):
    both = {"engines": ("pdfplumber", "camelot")}
    assert len(gr.read_reports(noto_folder, workers=2).reports) == 1
    assert _refused_by_camelot(gr.read_reports(noto_folder, workers=2, pdf=both))
    with use_pdf_settings(both):
        assert _refused_by_camelot(gr.read_reports(noto_folder, workers=2))


def test_a_pdf_read_with_other_settings_is_read_again(noto_folder, tmp_path):
    out = tmp_path / "out"
    assert store.build(noto_folder, out, workers=1).parsed == 1
    assert store.build(noto_folder, out, workers=1, pdf={"pages": "all"}).parsed == 1
    assert store.build(noto_folder, out, workers=1, pdf={"pages": "all"}).reused == 1


def test_image_only_pdf(tmp_path):
    path = tmp_path / "scan.pdf"
    Image.new("RGB", (600, 800), "white").save(path, "PDF")
    with pytest.raises(UnsupportedInputError, match=r"scan\.pdf: no text layer; OCR is not supported$"):
        gr.read_report(path)


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf(user_password=b"secret"))
    assert len(pdfium.PdfDocument(path.read_bytes(), password="secret")) == 1  # a real one
    with pytest.raises(ProtectedFileError, match=r"locked\.pdf: encrypted PDF: it needs a password to open$"):
        gr.read_report(path)


def test_truncated_pdf(tmp_path):
    path = tmp_path / "half.pdf"
    data = HUAIAN.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match=r"half\.pdf: truncated PDF: no end-of-file marker \(%%EOF\)$"):
        gr.read_report(path)


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "noise.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    with pytest.raises(CorruptFileError, match=r"noise\.pdf: not a readable PDF \(corrupt\): Failed to load"):
        gr.read_report(path)


def test_pdf_with_text_that_is_not_a_report(tmp_path):
    path = tmp_path / "menu.pdf"
    path.write_bytes(_pdf([b"BT /F1 12 Tf 72 720 Td (Home News Contact) Tj ET"]))
    with pytest.raises(NotAReportError, match=r"menu\.pdf: not a government information disclosure report"):
        gr.read_report(path)


# Minimal PDFs written by hand: one page of Helvetica text, optionally RC4-encrypted (PDF 1.4
# standard security handler, revision 2), to test input no library here can produce.

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_FILE_ID = b"govreports-test!"


def _pdf(contents: list[bytes], trailer: bytes = b"") -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(contents[0]), contents[0]),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *contents[1:],
    ]
    return pdf_file(objects, trailer)


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _encrypted_pdf(user_password: bytes, owner_password: bytes = b"owner") -> bytes:
    def pad(password: bytes) -> bytes:
        return (password + _PAD)[:32]

    owner = _rc4(hashlib.md5(pad(owner_password)).digest()[:5], pad(user_password))
    key = hashlib.md5(pad(user_password) + owner + struct.pack("<i", -4) + _FILE_ID).digest()[:5]
    user = _rc4(key, _PAD)
    content_key = hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
    content = _rc4(content_key, b"BT /F1 12 Tf 72 720 Td (locked) Tj ET")
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (
        owner.hex().encode(),
        user.hex().encode(),
    )
    file_id = _FILE_ID.hex().encode()
    return _pdf([content, encrypt], b"/Encrypt 6 0 R /ID [<%s> <%s>] " % (file_id, file_id))


def test_hand_made_pdfs_are_valid():
    # The plain one reads as text: the reader, not the fixture, is what the tests above exercise.
    pages = read_text_layer("menu.pdf", _pdf([b"BT /F1 12 Tf 72 720 Td (Home News Contact) Tj ET"]))
    assert [ln.text for ln in pages[0].lines] == ["Home News Contact"]


def test_read_report_takes_pdf_settings(monkeypatch):
    used = []
    monkeypatch.setitem(pdf_engines.ENGINES, "pdfplumber", lambda layer, heights: used.append(1) or [])
    with pytest.raises(NoValuesError):  # the stub engine finds no table: no value is read
        gr.read_report(HUAIAN, pdf={"engines": ("pdfplumber",)})
    assert used == [1]
    assert cell_tuples(gr.read_report(HUAIAN).cells) == golden_cells("huaian-city-2024")  # default again
