"""PDF reading: seconds per report and cell accuracy of three pipelines, on generated PDFs.

Usage: python benchmarks/pdf.py [N]   (N reports per font, default 8)

Generated reports (both templates, some with blanks and placeholders) get a varying amount of
prose before the tables, so that they run to 3-6 pages with the tables in different places,
and are rendered through LibreOffice in a CFF font (Noto Sans CJK SC) and a TrueType font
(WenQuanYi Zen Hei). Each PDF is then read end to end (``govreports.read_report``) by:

  (a) camelot on all pages,
  (b) pdfplumber on all pages,
  (c) pdfplumber on the pages the text layer locates,
  (d) the default: the pdfium engine (the PDF's own rulings and text layer) on located pages,

and, for reference, (e) the pdfium and pdfplumber engines together. Times are the better of two
passes, as a mean per report. A cell is exact when its value and status equal the generated
ones. camelot refuses PDFs whose fonts it would misplace (listed as refused).
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import docx
import pandas as pd

import govreports as gr
from govreports.errors import ReadError
from govreports.readers import pdf_engines
from govreports.readers.pdf import PdfSettings, use_pdf_settings
from govreports.render.docx import render_docx
from govreports.render.pdf import FONTS, docx_to_pdf, set_font
from govreports.synthetic import SyntheticReport, generate_report

PROSE = (
    "本机关坚持以公开为常态、不公开为例外，围绕重点领域信息公开、政策解读和回应关切，"
    "持续推进决策、执行、管理、服务、结果公开，不断提升政务公开标准化规范化水平。"
)


PIPELINES = {
    "(a) camelot, all pages": PdfSettings(engines=("camelot",), pages="all"),
    "(b) pdfplumber, all pages": PdfSettings(engines=("pdfplumber",), pages="all"),
    "(c) pdfplumber, located": PdfSettings(engines=("pdfplumber",)),
    "(d) pdfium, located": PdfSettings(),
    "(e) pdfium + pdfplumber": PdfSettings(engines=("pdfium", "pdfplumber")),
}


def make_pdfs(folder: Path, n: int) -> list[tuple[str, Path, SyntheticReport]]:
    rng = random.Random(2024)
    reports = []
    for i in range(n):
        params = dict(template="2019" if i % 4 == 3 else "2021", zero_share=0.0)
        if i % 2:
            params.update(blank_rate=0.1, placeholder_rate=0.05)
        reports.append((generate_report(i, **params), rng.randint(20, 90)))
    made = []
    for font in FONTS:
        documents = [
            set_font(with_prose(render_docx(report), paragraphs), font) for report, paragraphs in reports
        ]
        for i, (data, (report, _)) in enumerate(zip(docx_to_pdf(documents), reports, strict=True)):
            path = folder / f"r{i:02d}-{font.split()[0]}.pdf"
            path.write_bytes(data)
            made.append((font, path, report))
    return made


def with_prose(data: bytes, paragraphs: int) -> bytes:
    """The DOCX with ``paragraphs`` paragraphs of prose before section 二 (3-6 pages for 20-90)."""
    document = docx.Document(io.BytesIO(data))
    heading = next(p for p in document.paragraphs if p.text.startswith("二、"))
    for k in range(paragraphs):
        heading.insert_paragraph_before(PROSE[: 40 + (k * 37) % len(PROSE)])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def measure(settings: PdfSettings, pdfs: list[tuple[Path, SyntheticReport]]) -> dict:
    seconds, exact_cells, cells, exact_reports, refused = [], 0, 0, 0, 0
    for path, synthetic in pdfs:
        expected = synthetic.expected()
        start = time.perf_counter()
        try:
            with use_pdf_settings(settings):
                found = gr.read_report(path).cells
        except ReadError:
            refused += 1
            cells += len(expected)
            continue
        finally:
            seconds.append(time.perf_counter() - start)
        values = [None if pd.isna(v) else float(v) for v in found.value]
        got = list(zip(found.table, found.row_key, found.col_key, values, found.status, strict=True))
        hits = sum(g == e for g, e in zip(got, expected, strict=False)) if len(got) == len(expected) else 0
        exact_cells, cells = exact_cells + hits, cells + len(expected)
        exact_reports += hits == len(expected)
    return dict(seconds=statistics.mean(seconds), cells=exact_cells / cells, reports=exact_reports,
                refused=refused, n=len(pdfs))  # fmt: skip


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        made = make_pdfs(Path(folder), n)
        counts = [(font, len(pdf_engines.read_text_layer("", path.read_bytes()))) for font, path, _ in made]
        pages = {font: statistics.mean(c for f, c in counts if f == font) for font in FONTS}
        print(f"{n} reports per font; mean pages: " + ", ".join(f"{f} {p:.1f}" for f, p in pages.items()))
        print(f"{'pipeline':<28} {'font':<18} {'s/report':>9} {'cells exact':>12} {'reports exact':>14}")
        speed: dict[tuple[str, str], float | None] = {}
        for name, settings in PIPELINES.items():
            for font in FONTS:
                pdfs = [(p, r) for f, p, r in made if f == font]
                measure(settings, pdfs[:1])  # warm up: imports and caches
                m = min((measure(settings, pdfs) for _ in range(2)), key=lambda run: run["seconds"])
                speed[(name, font)] = None if m["refused"] else m["seconds"]
                note = f"  (refused {m['refused']})" if m["refused"] else ""
                print(f"{name:<28} {font:<18} {m['seconds']:>9.3f} {m['cells']:>11.1%} "
                      f"{m['reports']:>7}/{m['n']:<6}{note}")  # fmt: skip
        for (name, font), seconds in speed.items():
            default = speed[("(d) pdfium, located", font)]
            if name[1] in "abc" and seconds is not None and default:
                print(f"(d) is {seconds / default:.1f}x faster than {name}, {font}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
