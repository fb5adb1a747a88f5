"""Hostile PDFs: an appended revision, digits swapped by a font's ToUnicode map, mutilated files, bombs.

Every input is made here. One report is rendered through LibreOffice with the value 447228 in 表四
set in a font of its own (DejaVu Sans, in a 2021 report otherwise set in WenQuanYi Zen Hei), so
that editing that font's objects changes that one cell; its bytes are then edited. Bombs are
hand-written PDFs of a few hundred KB.
"""

import base64
import io
import random
import re
import tracemalloc
import zipfile
import zlib

import pdfplumber
import pypdfium2 as pdfium
import pytest
from conftest import RAW_DIR, misreading_engine, pdf_file
from test_pdf import _encrypted_pdf

import govreports as gr
from govreports.errors import (
    CorruptFileError,
    NoTablesError,
    ReadError,
    RefusedInputError,
    TableEngineError,
)
from govreports.readers import pdf_engines, pdf_lattice
from govreports.readers.pdf import PdfSettings, read_pdf, use_pdf_settings
from govreports.readers.pdf_engines import (
    MAX_INFLATED_BYTES,
    MAX_STREAM_BYTES,
    check_inflated_size,
    read_document,
)
from govreports.render.docx import render_docx
from govreports.render.pdf import docx_to_pdf, installed_fonts, set_font
from govreports.synthetic import generate_report

HUAIAN = RAW_DIR / "huaian-city-2024.pdf"
BODY_FONT, CELL_FONT = "WenQuanYi Zen Hei", "DejaVu Sans"
VALUE, TOTAL = "447228", "447229"  # 表四 行政复议: upheld 447228 + corrected 1 = total 447229


# A rendered report and the objects of its PDF ----------------------------------------------------


@pytest.fixture(scope="module")
def rendered() -> bytes:
    """A 2021 report whose 表四 review row is 447228, 1, 0, 0, 447229; 447228 alone in DejaVu Sans."""
    if not {BODY_FONT, CELL_FONT} <= installed_fonts():
        pytest.skip(f"needs the fonts {BODY_FONT} and {CELL_FONT}")
    report = generate_report(11, zero_share=0.0)
    for col, value in (
        ("upheld", VALUE),
        ("corrected", "1"),
        ("other", "0"),
        ("pending", "0"),
        ("total", TOTAL),
    ):
        report.cells[("appeals", "review", col)] = (float(value), value, "ok")
    docx = set_font(render_docx(report), BODY_FONT)
    return docx_to_pdf([_set_cells(docx, {VALUE: CELL_FONT, TOTAL: BODY_FONT})])[0]


def _set_cells(docx: bytes, fonts: dict[str, str]) -> bytes:
    """Return the DOCX with the runs that read each key set in its font, at 5 pt (to fit one line)."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    xml = source.read("word/document.xml").decode()
    for text, font in fonts.items():
        names = " ".join(f'w:{a}="{font}"' for a in ("ascii", "hAnsi", "eastAsia", "cs"))
        run = r"<w:r><w:rPr><w:rFonts [^/]*/></w:rPr><w:t>" + text + "</w:t>"
        size = '<w:sz w:val="10"/><w:szCs w:val="10"/>'
        new = f"<w:r><w:rPr><w:rFonts {names}/>{size}</w:rPr><w:t>{text}</w:t>"
        xml, count = re.subn(run, new, xml)
        assert count == 1, text
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, xml.encode() if name == "word/document.xml" else source.read(name))
    return out.getvalue()


def _object(pdf: bytes, number: int) -> bytes:
    found = re.search(rb"(?m)^%d 0 obj\s*(.*?)endobj" % number, pdf, re.S)
    assert found, number
    return found.group(1)


def _stream(pdf: bytes, number: int) -> bytes:
    body = _object(pdf, number)
    return zlib.decompress(body[body.index(b"stream") + 6 :].lstrip(b"\r\n"))


def _font(pdf: bytes, name: bytes) -> tuple[int, bytes]:
    """Return the object number of the font whose BaseFont contains ``name``, and its resource name."""
    number = int(
        re.search(rb"(?m)^(\d+) 0 obj\s*<</Type/Font[^>]*?/BaseFont/[A-Z]{6}\+" + name, pdf).group(1)
    )
    resource = re.search(rb"/(\w+) %d 0 R" % number, pdf).group(1)
    return number, resource


def _content_drawing(pdf: bytes, resource: bytes) -> tuple[int, bytes]:
    """Return the content stream that sets text in the font ``resource``, and its number."""
    for number in map(int, re.findall(rb"/Contents (\d+) 0 R", pdf)):
        content = _stream(pdf, number)
        if b"/%s " % resource in content:
            return number, content
    raise AssertionError(resource)


def _with_stream(pdf: bytes, number: int, data: bytes) -> bytes:
    """Return the PDF with stream ``number`` replaced by ``data`` (compressed) and a new xref table."""
    packed = zlib.compress(data)
    body = b"<</Length %d/Filter/FlateDecode>>\nstream\n%s\nendstream\n" % (len(packed), packed)
    found = re.search(rb"(?m)^%d 0 obj\s*(.*?)endobj" % number, pdf, re.S)
    return _rebuild_xref(pdf[: found.start(1)] + body + pdf[found.end(1) :])


def _rebuild_xref(pdf: bytes) -> bytes:
    """Write the cross-reference table anew from where the objects are (one revision)."""
    offsets = {int(m.group(1)): m.start() for m in re.finditer(rb"(?m)^(\d+) 0 obj", pdf)}
    trailer = re.search(rb"trailer\s*(<<.*?>>)\s*startxref", pdf, re.S).group(1)
    body = pdf[: pdf.rindex(b"xref", 0, pdf.rindex(b"startxref"))]
    table = b"xref\n0 %d\n0000000000 65535 f \n" % (max(offsets) + 1)
    table += b"".join(
        b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
        for n in range(1, max(offsets) + 1)
    )
    return body + table + b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, len(body))


def _codes(pdf: bytes, font: int) -> dict[str, bytes]:
    """Return the glyph code of each character of a simple font, from its ToUnicode map."""
    cmap = _stream(pdf, int(re.search(rb"/ToUnicode (\d+) 0 R", _object(pdf, font)).group(1)))
    pairs = re.findall(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4})>", cmap)
    return {chr(int(unicode, 16)): code for code, unicode in pairs}


def _redrawn(content: bytes, resource: bytes, codes: dict[str, bytes], text: str) -> bytes:
    """Return the content stream with the string set in ``resource`` drawn as ``text`` instead."""
    shown = re.search(rb"/%s [\d.]+ Tf\s*\[(.*?)\]\s*TJ" % resource, content, re.S)
    glyphs = iter(codes[char] for char in text)
    array = re.sub(rb"<[0-9A-Fa-f]+>", lambda m: b"<%s>" % next(glyphs), shown.group(1))
    assert next(glyphs, None) is None
    return content[: shown.start(1)] + array + content[shown.end(1) :]


def _read(path, engines=("pdfium",)) -> gr.Report:
    with use_pdf_settings(PdfSettings(engines=engines)):
        return gr.read_report(path)


def _review(report: gr.Report):
    cells = report.cells
    return cells[(cells.table == "appeals") & (cells.row_key == "review")].set_index("col_key")


def test_the_rendered_report_reads_447228_in_its_own_font(rendered, tmp_path):
    path = tmp_path / "plain.pdf"
    path.write_bytes(rendered)
    review = _review(gr.read_report(path))
    assert review.value.tolist() == [447228, 1, 0, 0, 447229]
    assert (review.status == "ok").all()
    font, _ = _font(rendered, b"DejaVuSans")
    assert set(_codes(rendered, font)) == set(VALUE)  # the subset holds the digits of 447228 only


# 1. An appended revision behind a damaged cross-reference table ----------------------------------


def _appended_revision(pdf: bytes, text: str, *, startxref_shift: int) -> bytes:
    """Append a revision that redraws the DejaVu string as ``text`` in a new content stream.

    The new revision has its own xref section and a trailer whose /Prev points at the first;
    its ``startxref`` is off by ``startxref_shift`` bytes.
    """
    font, resource = _font(pdf, b"DejaVuSans")
    number, content = _content_drawing(pdf, resource)
    page = int(re.search(rb"(?m)^(\d+) 0 obj\s*<</Type/Page/[^>]*/Contents %d 0 R" % number, pdf).group(1))
    size = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    packed = zlib.compress(_redrawn(content, resource, _codes(pdf, font), text))
    out = bytearray(pdf)
    at_content = len(out)
    out += b"%d 0 obj\n<</Length %d/Filter/FlateDecode>>\nstream\n%s\nendstream\nendobj\n" % (
        size,
        len(packed),
        packed,
    )
    at_page = len(out)
    page_dict = _object(pdf, page).replace(b"/Contents %d 0 R" % number, b"/Contents %d 0 R" % size)
    out += b"%d 0 obj\n%sendobj\n" % (page, page_dict)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n" % (
        page,
        at_page,
        size,
        at_content,
    )
    trailer = re.search(rb"trailer\s*(<<.*?)>>\s*startxref", pdf, re.S).group(1)
    trailer = re.sub(rb"/Size \d+", b"/Size %d" % (size + 1), trailer)
    previous = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    out += b"trailer\n%s/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (trailer, previous, xref + startxref_shift)
    return bytes(out)


@pytest.fixture(scope="module")
def revised(rendered) -> bytes:
    """447228 redrawn as 447282 in a second revision; startxref 3 bytes short of its xref."""
    return _appended_revision(rendered, "447282", startxref_shift=-3)


def _page_texts(pdf: bytes) -> tuple[str, str]:
    """Return the whole text as pdfium reads it and as pdfminer (pdfplumber) reads the file as given."""
    document = pdfium.PdfDocument(pdf)
    pdfium_text = "\n".join(page.get_textpage().get_text_range() for page in document)
    with pdfplumber.open(io.BytesIO(pdf)) as plumber:
        pdfminer_text = "\n".join(page.extract_text() for page in plumber.pages)
    return pdfium_text, pdfminer_text


def test_the_revision_input_makes_the_two_libraries_read_different_revisions(revised):
    pdfium_text, pdfminer_text = _page_texts(revised)
    assert "447282" in pdfium_text and "447228" not in pdfium_text  # pdfium repairs: the new one
    assert "447228" in pdfminer_text and "447282" not in pdfminer_text  # pdfminer: the old one


@pytest.mark.parametrize("engines", [("pdfium",), ("pdfplumber",), ("pdfplumber", "camelot")])
def test_an_appended_revision_is_read_as_one_document(revised, tmp_path, engines):
    path = tmp_path / "revised.pdf"
    path.write_bytes(revised)
    report = _read(path, engines)
    review = _review(report)
    assert review.value.tolist() == [447282, 1, 0, 0, 447229]  # every engine reads pdfium's revision
    assert (review.status == "ok").all()
    assert (report.cells.status != "engine_disagreement").all()
    doc = read_pdf("revised.pdf", data=revised)
    assert "447282" in doc.text and "447228" not in doc.text


def test_cells_read_from_another_revision_than_the_text_layer_are_flagged(revised, tmp_path, monkeypatch):
    # Were the engines given the file as it is, the text layer comparison would still catch it.
    monkeypatch.setattr(pdf_engines, "_single_revision", lambda document: None)
    path = tmp_path / "revised.pdf"
    path.write_bytes(revised)
    cells = _read(path, ("pdfplumber",)).cells
    flagged = cells[cells.status == "engine_disagreement"]
    assert flagged[["row_key", "col_key", "raw"]].values.tolist() == [["review", "upheld", "447228 ≠ 447282"]]
    assert flagged.value.isna().all()


def test_a_cell_an_engine_reads_unlike_the_text_layer_is_flagged(monkeypatch):
    monkeypatch.setitem(pdf_engines.ENGINES, "pdfplumber", misreading_engine)
    cells = _read(HUAIAN, ("pdfplumber",)).cells
    flagged = cells[cells.status == "engine_disagreement"]
    assert flagged[["row_key", "col_key", "raw"]].values.tolist() == [
        ["new_received", "total", "3118 ≠ 3119"]
    ]
    assert (cells.status.drop(flagged.index) == "ok").all()


# 2. A ToUnicode map that swaps two digits ---------------------------------------------------------


@pytest.fixture(scope="module")
def swapped(rendered) -> bytes:
    """The DejaVu font's ToUnicode maps the glyph of 4 to '9' (and 9 to '4'): 447228 reads 997228."""
    font, _ = _font(rendered, b"DejaVuSans")
    number = int(re.search(rb"/ToUnicode (\d+) 0 R", _object(rendered, font)).group(1))
    cmap = _stream(rendered, number)
    table = {b"<0034>": b"<0039>", b"<0039>": b"<0034>"}
    edited = re.sub(rb"<003[49]>", lambda m: table[m.group(0)], cmap)
    assert edited.count(b"<0039>") == cmap.count(b"<0034>") == 1
    return _with_stream(rendered, number, edited)


def test_digits_swapped_by_tounicode_read_as_the_text_says_and_fail_the_identity(swapped, tmp_path):
    path = tmp_path / "swapped.pdf"
    path.write_bytes(swapped)
    report = gr.read_report(path)
    review = _review(report)
    # The page draws 447228; every reader here takes the text from ToUnicode: 997228.
    assert review.loc["upheld"].value == 997228 and review.loc["upheld"].status == "ok"
    failed = report.checks[report.checks.status == "fail"]
    assert failed[["check_id", "scope"]].values.tolist() == [["T4.SUM", "review"]]  # 997228 + 1 ≠ 447229


def test_a_swapped_digit_is_marked_as_an_operand_of_a_failing_identity(swapped, tmp_path):
    path = tmp_path / "swapped.pdf"
    path.write_bytes(swapped)
    cells = gr.read_report(path).cells
    marked = cells[cells.in_failed_check.fillna(False)]
    assert marked[["table", "row_key"]].drop_duplicates().values.tolist() == [["appeals", "review"]]
    assert set(marked.col_key) == {"upheld", "corrected", "other", "pending", "total"}


# 3. Mutilated files: every failure is a ReadError that names its cause ---------------------------


def test_a_pdf_cut_in_the_middle_with_its_tail_kept(tmp_path):
    data = HUAIAN.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2] + data[-2000:])  # it still ends in %%EOF
    message = r"cut\.pdf: damaged PDF: page 2 cannot be read \(Failed to load page\.\)$"
    with pytest.raises(CorruptFileError, match=message):
        gr.read_report(path)


def _flipped(data: bytes, seed: int, flips: int = 50) -> bytes:
    """Return the bytes with ``flips`` random bytes of the middle half replaced."""
    rng, out = random.Random(seed), bytearray(data)
    for _ in range(flips):
        out[rng.randrange(len(out) // 4, 3 * len(out) // 4)] = rng.randrange(256)
    return bytes(out)


# Outcomes of fixed flips, as pdfium and pdfminer take them: flips in content or font streams leave
# a document both open, and a cell they read differently is flagged, never taken silently. With
# the pdfium engine the cells are the text layer's: where a damaged font leaves the text layer
# without the row labels, the tables are missing (pdfminer still reads those labels).
FLIPS = {
    ("pdfplumber", 1, 50): {"ok", "row_missing"},
    ("pdfplumber", 2, 50): {"ok", "row_missing", "engine_disagreement"},
    ("pdfplumber", 0, 500): NoTablesError,  # the text layer lost the tables
    ("pdfplumber", 4, 500): TableEngineError,  # pdfium reads a font dictionary that pdfminer cannot
    ("pdfium", 1, 50): {"ok", "table_missing"},
    ("pdfium", 2, 50): {"ok", "table_missing"},
    ("pdfium", 0, 500): NoTablesError,
    ("pdfium", 4, 500): NoTablesError,
}


@pytest.mark.parametrize(("engine", "seed", "flips"), FLIPS)
def test_random_byte_flips(tmp_path, engine, seed, flips):
    path = tmp_path / "flipped.pdf"
    path.write_bytes(_flipped(HUAIAN.read_bytes(), seed, flips))
    expected = FLIPS[(engine, seed, flips)]
    if isinstance(expected, set):
        assert set(_read(path, (engine,)).cells.status) == expected
    else:
        with pytest.raises(expected, match=r"^[^:]*flipped\.pdf: "):
            _read(path, (engine,))


@pytest.mark.parametrize("seed", range(10, 20))
def test_random_byte_flips_end_in_a_report_or_a_read_error(tmp_path, seed):
    path = tmp_path / "flipped.pdf"
    path.write_bytes(_flipped(HUAIAN.read_bytes(), seed, flips=500))
    try:
        gr.read_report(path)
    except ReadError:
        pass


def _xref_bounds(pdf: bytes) -> tuple[int, int]:
    start = pdf.rindex(b"xref", 0, pdf.rindex(b"startxref"))
    return start, pdf.index(b"trailer", start)


def test_a_truncated_xref_table_is_a_corrupt_file(rendered, tmp_path):
    start, trailer = _xref_bounds(rendered)
    path = tmp_path / "xref.pdf"
    path.write_bytes(rendered[: (start + trailer) // 2] + rendered[trailer:])  # half its entries
    message = r"xref\.pdf: not a readable PDF \(corrupt\): Failed to load document"
    with pytest.raises(CorruptFileError, match=message):
        gr.read_report(path)


def test_a_missing_xref_table_is_rebuilt(rendered, tmp_path):
    start, trailer = _xref_bounds(rendered)
    path = tmp_path / "xref.pdf"
    path.write_bytes(rendered[:start] + rendered[trailer:])  # pdfium finds the objects by scanning
    review = _review(gr.read_report(path))
    assert review.value.tolist() == [447228, 1, 0, 0, 447229]


def test_page_failures_are_corrupt_file_errors(monkeypatch):
    def broken(document, index, first_line):
        raise pdfium.PdfiumError("Failed to load page.")

    monkeypatch.setattr(pdf_engines, "_page_text", broken)
    message = r"h\.pdf: damaged PDF: page 1 cannot be read \(Failed to load page\.\)$"
    with pytest.raises(CorruptFileError, match=message):
        read_pdf("h.pdf", data=HUAIAN.read_bytes())


def test_a_pdf_that_opens_without_a_password_reaches_the_engines_decrypted():
    data = _encrypted_pdf(user_password=b"")  # an owner password only: it opens, encrypted
    saved = read_document("open.pdf", data).data
    assert b"/Encrypt" in data and b"/Encrypt" not in saved
    with pdfplumber.open(io.BytesIO(saved)) as pdf:
        assert pdf.pages[0].extract_text() == "locked"


# 4. Decompression bombs ---------------------------------------------------------------------------


TEXT = b"BT /F1 12 Tf 72 720 Td (Home) Tj ET"


def _hand_pdf(stream: bytes, filters: bytes = b"/FlateDecode", more: list[bytes] = ()) -> bytes:
    """A one-page PDF whose content stream holds ``stream`` as given, with more streams after it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(stream), filters, stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(s), s) for s in more),
    ]
    return pdf_file(objects)


def _zeros(size: int, level: int = 9) -> bytes:
    """zlib data of ``size`` zero bytes (white space to a PDF) then a line of text: a thousandth of it."""
    packer, block = zlib.compressobj(level), bytes(1 << 20)
    parts = [packer.compress(block[: min(1 << 20, size - k)]) for k in range(0, size, 1 << 20)]
    return b"".join(parts) + packer.compress(TEXT) + packer.flush()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A PDF of about 300 KB whose content stream inflates to 300 MiB of zeros."""
    return _hand_pdf(_zeros(300 * 2**20))


def test_a_decompression_bomb_is_refused_before_pdfium_opens_it(bomb, tmp_path, monkeypatch):
    assert len(bomb) < 400_000
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb)

    def never(*args, **kwargs):
        raise AssertionError("pdfium opened the bomb")

    monkeypatch.setattr(pdf_engines.pdfium, "PdfDocument", never)
    message = r"bomb\.pdf: refused: a stream of the PDF inflates past 128 MiB$"
    with pytest.raises(RefusedInputError, match=message):
        gr.read_report(path)


def test_the_check_holds_little_memory_on_a_bomb(bomb):
    tracemalloc.start()
    try:
        with pytest.raises(RefusedInputError):
            check_inflated_size("bomb.pdf", bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


def test_streams_that_are_each_small_are_refused_together():
    streams = [_zeros(2**20, level=1) for _ in range(5)]
    pdf = _hand_pdf(streams[0], more=streams[1:])
    check_inflated_size("ok.pdf", pdf, stream_limit=2**20 + 100, total_limit=5 * 2**20 + 500)
    message = r"^x\.pdf: refused: the PDF's streams inflate past 4 MiB in all$"
    with pytest.raises(RefusedInputError, match=message):
        check_inflated_size("x.pdf", pdf, stream_limit=2**20 + 100, total_limit=4 * 2**20)


def _hex(data: bytes) -> bytes:
    return b"\n".join(data.hex().encode()[k : k + 64] for k in range(0, 2 * len(data), 64)) + b">"


def _a85(data: bytes) -> bytes:
    return base64.a85encode(data, wrapcol=72) + b"~>"


# Bombs of 4 MiB behind filter chains pdfium decodes; each ends in a line of text.
BOMBS = {
    "flate": (_zeros(4 * 2**20), b"/FlateDecode"),
    "flate twice": (zlib.compress(_zeros(4 * 2**20), 9), b"[/FlateDecode /FlateDecode]"),
    "hex": (_hex(_zeros(4 * 2**20)), b"[/ASCIIHexDecode /FlateDecode]"),
    "ascii85": (_a85(_zeros(4 * 2**20)), b"[/ASCII85Decode /FlateDecode]"),
    "ascii85 of flate twice": (
        _a85(zlib.compress(_zeros(4 * 2**20), 9)),
        b"[/ASCII85Decode /FlateDecode /FlateDecode]",
    ),
}


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_behind_other_filters_are_refused(name):
    pdf = _hand_pdf(*BOMBS[name])
    with pytest.raises(RefusedInputError, match="a stream of the PDF inflates past 2 MiB"):
        check_inflated_size(name, pdf, stream_limit=2 * 2**20)


@pytest.mark.parametrize("name", BOMBS)
def test_pdfium_inflates_every_chain_the_check_follows(name):
    # The text after 4 MiB of zeros shows that pdfium decoded the whole chain.
    page = pdfium.PdfDocument(_hand_pdf(*BOMBS[name]))[0]
    assert page.get_textpage().get_text_range() == "Home"


def test_real_reports_are_far_below_the_limits():
    sizes = []
    original = pdf_engines._Meter.add

    def add(meter, size):
        sizes.append(size)
        original(meter, size)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_engines._Meter, "add", add)
        check_inflated_size("huaian.pdf", HUAIAN.read_bytes())
    assert 1_000_000 < sum(sizes) < MAX_INFLATED_BYTES // 100  # about 2 MB
    assert max(sizes) < MAX_STREAM_BYTES // 100


# A page that draws more than a table page ever does -------------------------------------------


@pytest.mark.parametrize(
    ("limit", "value", "message"),
    [("MAX_RULINGS", 10, "it draws over 10 ruling lines"), ("MAX_OBJECTS", 100, "it draws over 100 objects")],
)
def test_a_page_drawing_too_much_is_refused_by_the_pdfium_engine(monkeypatch, limit, value, message):
    monkeypatch.setattr(pdf_lattice, limit, value)
    expected = rf"huaian-city-2024\.pdf: the pdfium engine does not read page 3: {message}; read it with"
    with pytest.raises(TableEngineError, match=expected):
        _read(HUAIAN, ("pdfium",))
    assert (_read(HUAIAN, ("pdfplumber",)).cells.status == "ok").all()  # another engine reads it
