"""Reports per second by input format, next to each format's floor, and what a year of reports costs.

Usage: python benchmarks/formats.py [--text N] [--html N] [--docx N] [--pdf N] [--pdf-distinct K]
                                   [--markdown N] [--crawl N] [--mixed N] [--repeats R] [--no-profile]

For each format, N generated reports are written to a folder of their own and parsed end to end
into corpus frames by ``govreports.read_reports`` with 1 process and with every core. The floor
is the least work any reader of the format must do, timed on the same files in the same run, in
one process, each file read from disk first:

  text, Markdown, crawler dump   the bytes decoded (``bytes.decode("utf-8")``);
  HTML    the page parsed by lxml: ``lxml.html.fromstring`` and ``etree.fromstring`` with
          ``HTMLParser(no_network=True)`` (libxml2's HTML parser loads no DTD and expands no
          external entity; lxml's HTMLParser takes no ``resolve_entities``); the faster is the floor;
  DOCX    the zip opened and word/document.xml parsed by lxml
          (``XMLParser(resolve_entities=False, no_network=True)``);
  PDF     pypdfium2's text of every page (``PdfDocument``, ``get_textpage().get_text_range()``).

Each repeat times the floor, 1 process and all cores back to back; the table shows medians over
the repeats, and "x floor" is the median of each repeat's own ratio (1-process time / floor time),
with its range, so that a slow moment of a noisy machine moves both sides of a ratio. Targets:
PDF <= 3x floor, HTML <= 2x floor, text >= 1,000 reports/s on 2 cores. The "others" column is the
share of the machine's CPU time that other processes (not this script or its workers) used while
the all-cores runs ran, the median over the repeats: above a few per cent, the machine was shared
and that row's all-cores rate is low.

PDFs take LibreOffice about a second each to render, so K distinct reports are rendered (with
prose before the tables as in benchmarks/pdf.py: 3-6 pages; half in a CFF font, half in a TrueType
one) and copied under distinct names up to N. ``read_reports`` keeps no cache, so copies are parsed
as if new, but the PDF rates are those of these K documents, not of N different ones.

Then a mixed corpus (half PDF, a third HTML, a twelfth each text and DOCX, copies of the files
above) is timed the same way, and its rate is scaled to a year of 150,000 reports on 2 cores,
16 cores and a 4-worker Dask cluster (a local cluster of one worker per core is measured, and its
per-worker rate scaled to 4 workers); the assumptions are printed with the figures. The peak
resident memory of each worker parsing the PDFs is measured in a fresh process (``psutil``).
Last, where the time goes: PDF and HTML reading timed by stage (unprofiled), and one PDF and one
HTML report profiled (cProfile: top entries by cumulative time, then by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pickle
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import psutil
import pypdfium2 as pdfium
from lxml import etree
from memory import high_water_mib
from pdf import with_prose

import govreports as gr
from govreports.readers import pdf_engines
from govreports.readers.html import read_html
from govreports.readers.pdf import locate_pages
from govreports.render.docx import render_docx
from govreports.render.html import render_html
from govreports.render.markdown import STYLES, render_markdown
from govreports.render.pdf import FONTS, docx_to_pdf, set_font
from govreports.render.text import LAYOUTS, render_text
from govreports.synthetic import generate_report

ROOT = Path(__file__).resolve().parents[1]
YEAR = 150_000
MIX = {"pdf": 6, "html": 4, "text": 1, "docx": 1}  # twelfths: 1/2 PDF, 1/3 HTML, 1/12 text, 1/12 DOCX
DASK_WORKERS = 4
NETWORK = 117e6  # bytes/s: 1 Gbit/s, for the Dask estimate


# -- generated inputs ---------------------------------------------------------------------------


def _report(i: int, **extra):
    return generate_report(i, template="2019" if i % 7 == 0 else "2021", **extra)


def write_text(folder: Path, n: int) -> None:
    for i in range(n):
        layout = LAYOUTS[i % len(LAYOUTS)]
        report = _report(i, blank_rate=0.0 if layout == "spaced" else 0.01)
        (folder / f"t{i:06d}.txt").write_text(render_text(report, layout), encoding="utf-8")


def write_html(folder: Path, n: int) -> None:
    for i in range(n):
        page = render_html(_report(i, blank_rate=0.01), encoding="gbk" if i % 2 else "utf-8")
        (folder / f"h{i:06d}.html").write_bytes(page)


def write_docx(folder: Path, n: int) -> None:
    for i in range(n):
        (folder / f"d{i:06d}.docx").write_bytes(render_docx(_report(i, blank_rate=0.01)))


def write_markdown(folder: Path, n: int) -> None:
    for i in range(n):
        text = render_markdown(_report(i, blank_rate=0.01), style=STYLES[i % len(STYLES)])
        (folder / f"m{i:06d}.md").write_text(text, encoding="utf-8")


def write_crawl(folder: Path, n: int) -> None:
    for i in range(n):
        (folder / f"c{i:06d}.txt").write_text(render_text(_report(i), "crawl_collapsed"), encoding="utf-8")


def write_pdf(folder: Path, n: int, distinct: int) -> None:
    """Render ``distinct`` PDFs and copy them under distinct names up to n.

    As in benchmarks/pdf.py, each report gets 20-90 paragraphs of prose before the tables (3-6
    pages, the tables in different places); the fonts alternate (CFF, TrueType).
    """
    rng = random.Random(2024)
    documents = [
        with_prose(render_docx(_report(i, blank_rate=0.01)), rng.randint(20, 90)) for i in range(distinct)
    ]
    rendered: dict[int, bytes] = {}
    for k, font in enumerate(FONTS):
        indexes = list(range(k, distinct, len(FONTS)))
        pdfs = docx_to_pdf([set_font(documents[i], font) for i in indexes])
        rendered.update(zip(indexes, pdfs, strict=True))
    for i in range(n):
        (folder / f"p{i:06d}.pdf").write_bytes(rendered[i % distinct])


# -- floors -------------------------------------------------------------------------------------


def floor_decode(data: bytes) -> object:
    return data.decode("utf-8")


def floor_lxml(data: bytes) -> object:
    return lxml.html.fromstring(data)


def floor_etree(data: bytes) -> object:
    return etree.fromstring(data, etree.HTMLParser(no_network=True))


def floor_docx(data: bytes) -> object:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml")
    return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))


def floor_pdf(data: bytes) -> object:
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


@dataclass
class Format:
    name: str
    write: Callable[[Path, int], None]
    floors: dict[str, Callable[[bytes], object]]
    target: str = ""  # "x3" (at most 3x the floor) or "r1000" (at least 1000 reports/s on 2 cores)


FORMATS = {
    "text": Format("text", write_text, {"bytes.decode": floor_decode}, "r1000"),
    "html": Format("HTML", write_html, {"lxml.html": floor_lxml, "etree.HTMLParser": floor_etree}, "x2"),
    "docx": Format("DOCX", write_docx, {"zip+lxml": floor_docx}),
    "pdf": Format("PDF", write_pdf, {"pdfium text": floor_pdf}, "x3"),
    "markdown": Format("Markdown", write_markdown, {"bytes.decode": floor_decode}),
    "crawl": Format("crawl", write_crawl, {"bytes.decode": floor_decode}),
}


# -- timing -------------------------------------------------------------------------------------


@dataclass
class Timing:
    """Seconds per repeat: each floor variant, read_reports with 1 process and with all cores."""

    n: int
    floors: dict[str, list[float]] = field(default_factory=dict)
    single: list[float] = field(default_factory=list)
    pooled: list[float] = field(default_factory=list)
    failed: int = 0
    sizes: tuple[float, float] = (0.0, 0.0)  # frame bytes per report: in memory, pickled
    others: list[float] = field(default_factory=list)  # CPU share of other processes, pooled runs

    def floor_name(self) -> str:
        return min(self.floors, key=lambda name: statistics.median(self.floors[name]))

    def rate(self, times: list[float]) -> float:
        return self.n / statistics.median(times)

    def others_share(self) -> float:
        return statistics.median(self.others)

    def ratios(self) -> list[float]:
        return [s / f for s, f in zip(self.single, self.floors[self.floor_name()], strict=True)]


def time_floor(paths: list[Path], floor: Callable[[bytes], object]) -> float:
    start = time.perf_counter()
    for path in paths:
        floor(path.read_bytes())
    return time.perf_counter() - start


def time_read(folder: Path, workers: int, timing: Timing) -> float:
    """Time read_reports; keep the failure count and frame sizes, not the frames.

    The frames are dropped at once, so that the pool's workers fork from a parent as light as a
    user's.
    """
    start = time.perf_counter()
    corpus = gr.read_reports(folder, workers=workers)
    seconds = time.perf_counter() - start
    timing.failed = max(timing.failed, len(corpus.failures))
    if workers == 1 and not timing.sizes[0]:
        timing.sizes = frame_sizes(corpus, timing.n)
    return seconds


def measure(folder: Path, floors: dict[str, Callable], repeats: int, cores: int) -> Timing:
    paths = sorted(folder.iterdir())
    timing = Timing(len(paths), {name: [] for name in floors})
    for floor in floors.values():  # warm up: imports, caches, the page cache
        time_floor(paths[:3], floor)
    gr.read_reports(paths[:3], workers=1)
    for _ in range(repeats):
        for name, floor in floors.items():
            timing.floors[name].append(time_floor(paths, floor))
        timing.single.append(time_read(folder, 1, timing))
        before = _cpu_seconds()
        timing.pooled.append(time_read(folder, cores, timing))
        after = _cpu_seconds()
        busy, ours = after[0] - before[0], after[1] - before[1]
        timing.others.append(max(0.0, busy - ours) / (timing.pooled[-1] * cores))
    return timing


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds so far: of the whole machine (busy, not idle), and of this process and its workers.

    Workers count once they have been waited for, which read_reports does before it returns.
    """
    machine = psutil.cpu_times()
    busy = sum(getattr(machine, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))
    mine = psutil.Process().cpu_times()
    return busy, mine.user + mine.system + mine.children_user + mine.children_system


# -- the table ----------------------------------------------------------------------------------


def verdict(target: str, timing: Timing, cores: int) -> str:
    if target.startswith("x"):
        limit, ratio = float(target[1:]), statistics.median(timing.ratios())
        return f"<= {limit:g}x floor: {'met' if ratio <= limit else 'MISSED'}"
    if target.startswith("r"):
        limit, rate = float(target[1:]), timing.rate(timing.pooled)
        where = "" if cores == 2 else f" (measured on {cores} cores)"
        return f">= {limit:,.0f}/s on 2 cores: {'met' if rate >= limit else 'MISSED'}{where}"
    return ""


def print_table(results: dict[str, tuple[Format, Timing, str]], cores: int) -> None:
    print(
        f"{'format':<9} {'files':>11} {'floor':<17} {'floor r/s':>9} {'1 proc r/s':>10} "
        f"{f'{cores} proc r/s':>10} {'speedup':>7} {'x floor (range)':>17} {'failed':>6} {'others':>6}"
        "  target"
    )
    for fmt, timing, files in results.values():
        name = timing.floor_name()
        ratios = timing.ratios()
        spread = f"{statistics.median(ratios):.1f} ({min(ratios):.1f}-{max(ratios):.1f})"
        single, pooled = timing.rate(timing.single), timing.rate(timing.pooled)
        floor = timing.rate(timing.floors[name])
        print(
            f"{fmt.name:<9} {files:>11} {name:<17} {floor:>9.0f} {single:>10.1f} {pooled:>10.1f} "
            f"{pooled / single:>7.2f} {spread:>17} {timing.failed:>6} {timing.others_share():>6.0%}"
            f"  {verdict(fmt.target, timing, cores)}"
        )
    for fmt, timing, _ in results.values():
        others = [n for n in timing.floors if n != timing.floor_name()]
        for name in others:
            rate = timing.rate(timing.floors[name])
            print(f"  {fmt.name} floor, other variant: {name} {rate:.0f} reports/s")


# -- the mixed corpus and a year of reports -----------------------------------------------------


def write_mix(folders: dict[str, Path], target: Path, n: int) -> dict[str, int]:
    counts = {fmt: round(n * twelfths / 12) for fmt, twelfths in MIX.items()}
    for fmt, count in counts.items():
        sources = sorted(folders[fmt].iterdir())
        for i in range(count):
            source = sources[i % len(sources)]
            shutil.copyfile(source, target / f"x-{fmt}-{i:06d}{source.suffix}")
    return counts


def predicted_rate(results: dict[str, tuple[Format, Timing, str]], counts: dict[str, int]) -> float:
    """The 1-process rate of the mix from each format's own rate (time per report, weighted)."""
    total = sum(counts.values())
    per_report = sum(c / total / results[f][1].rate(results[f][1].single) for f, c in counts.items())
    return 1 / per_report


def frame_sizes(corpus, n: int) -> tuple[float, float]:
    """Bytes per report of the frames: in memory (deep) and pickled (what a worker sends back)."""
    deep = sum(int(frame.memory_usage(deep=True).sum()) for frame in corpus.frames().values())
    return deep / n, len(pickle.dumps(corpus, protocol=pickle.HIGHEST_PROTOCOL)) / n


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min"


def dask_rate(folder: Path, workers: int, repeats: int) -> float:
    """Reports/s of read_reports on a local Dask cluster of ``workers`` single-threaded processes."""
    from dask.distributed import Client, LocalCluster

    n = sum(1 for _ in folder.iterdir())
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        gr.read_reports(folder, client=client, progress=False)  # workers import the readers
        spent = []
        for _ in range(repeats):
            start = time.perf_counter()
            gr.read_reports(folder, client=client, progress=False)
            spent.append(time.perf_counter() - start)
    return n / statistics.median(spent)


def print_year(
    mix: Timing, counts: dict[str, int], predicted: float, folder: Path, cores: int, dask: float
) -> None:
    single, pooled = mix.rate(mix.single), mix.rate(mix.pooled)
    per_core = pooled / cores
    deep, pickled = mix.sizes
    mean_file = statistics.mean(p.stat().st_size for p in folder.iterdir())
    print(f"\nmixed corpus: {mix.n} files, {counts} (copies of the files above)")
    print(
        f"  1 process {single:.1f} reports/s (from the per-format rates: {predicted:.1f}), "
        f"{cores} processes {pooled:.1f} reports/s, speedup {pooled / single:.2f}, failed {mix.failed}, "
        f"others {mix.others_share():.0%}"
    )
    print(
        f"  per core (all-cores rate / {cores}): {per_core:.1f} reports/s; frames "
        f"{deep / 1024:.0f} KiB/report in memory, {pickled / 1024:.0f} KiB pickled; "
        f"mean file {mean_file / 1024:.0f} KiB"
    )
    print(f"\na year of {YEAR:,} reports in this mix:")
    two = pooled if cores == 2 else per_core * 2
    print(f"  2 cores:  {_duration(YEAR / two)}  ({'measured rate' if cores == 2 else 'per-core rate x 2'})")
    print(f"  16 cores: {_duration(YEAR / (per_core * 16))}  (per-core rate x 16)")
    parse = YEAR / (dask / cores * DASK_WORKERS)
    shipped, fetched = YEAR * pickled / NETWORK, YEAR * mean_file / NETWORK
    total = parse + shipped + fetched
    print(
        f"  4-worker Dask: {_duration(total)} = parsing {_duration(parse)} + frames back to the client "
        f"{_duration(shipped)} + files from shared storage {_duration(fetched)}\n  (a local cluster of "
        f"{cores} single-threaded workers measured here: {dask:.1f} reports/s, {dask / pooled:.0%} of "
        f"the process pool's rate; scaled to {DASK_WORKERS} workers)"
    )
    print(
        "  assumptions: cores as fast as these, one single-threaded worker per core, the per-core rate "
        "measured here\n  (parallel efficiency included) holding at 16 cores, and the local cluster's "
        "per-worker rate on 4 Dask workers; "
        "the same format mix, PDFs\n  like these (copies of a few documents); Dask: 1 Gbit/s network, "
        f"the frames ({pickled / 1024:.0f} KiB/report pickled) and the\n  input files both crossing "
        "it without overlapping the parsing (an upper bound), scheduler cost ~1 ms per\n  task of 500 "
        "reports (300 tasks: negligible). read_reports holds every frame in the client: "
        f"{YEAR * deep / 2**30:.1f} GiB\n  for the year (govreports.store.build streams them to disk)."
    )


# -- memory of the PDF workers ------------------------------------------------------------------


def pdf_memory(folder: str, workers: int) -> None:
    """Child process: read_reports on the PDFs; print per-worker peak RSS (psutil polling) as JSON."""
    me = psutil.Process()
    baseline = me.memory_info().rss / 2**20
    peaks: dict[int, float] = {}
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for child in me.children(recursive=True):
                try:
                    peaks[child.pid] = max(peaks.get(child.pid, 0.0), child.memory_info().rss / 2**20)
                except psutil.NoSuchProcess:
                    pass
            time.sleep(0.01)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    gr.read_reports(folder, workers=workers)
    done.set()
    watcher.join()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "baseline": baseline,
                "main": high_water_mib(),
                "workers": sorted(peaks.values()),
                "children_maxrss": children,
            }
        )
    )


def print_pdf_memory(folder: Path, cores: int) -> None:
    runs = {}
    for workers in (1, cores):
        out = subprocess.run(
            [sys.executable, __file__, "--pdf-memory", str(folder), str(workers)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs[workers] = json.loads(out.stdout.strip().splitlines()[-1])
    one, pool = runs[1], runs[cores]
    workers = ", ".join(f"{peak:.0f}" for peak in pool["workers"])
    print(
        f"\nPDF peak RSS, fresh process ({one['baseline']:.0f} MiB after import): "
        f"1 process {one['main']:.0f} MiB; {cores} workers {workers} MiB each (psutil, polled every "
        f"10 ms; ru_maxrss of children {pool['children_maxrss']:.0f} MiB); workers fork from a parent "
        f"of {pool['baseline']:.0f} MiB"
    )


# -- where the time goes ------------------------------------------------------------------------


def _stages_ms(stages: dict[str, Callable[[Path], object]], paths: list[Path], repeats: int = 5) -> dict:
    """Mean milliseconds per file of each stage: the median over repeats, the stages interleaved."""
    times: dict[str, list[float]] = {name: [] for name in stages}
    for stage in stages.values():
        stage(paths[0])  # warm up
    for _ in range(repeats):
        for name, stage in stages.items():
            start = time.perf_counter()
            for path in paths:
                stage(path)
            times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(spent) / len(paths) for name, spent in times.items()}


def pdf_stages(paths: list[Path], single_rate: float) -> None:
    """Unprofiled milliseconds per PDF by stage, on the distinct documents."""

    def layer(path: Path, save: bool = False) -> pdf_engines.TextLayer:
        return pdf_engines.read_document(path.name, path.read_bytes(), tables_on=locate_pages, save=save)

    layers = {p: layer(p, save=True) for p in paths}
    located = {p: {i: layer.pages[i].height for i in layer.table_pages} for p, layer in layers.items()}
    ms = _stages_ms(
        {
            "floor": lambda p: floor_pdf(p.read_bytes()),
            "text layer": layer,
            "pdfium tables": lambda p: pdf_engines.pdfium_tables(layers[p], located[p]),
            "pdfplumber": lambda p: pdf_engines.pdfplumber_tables(layers[p], located[p]),
            "read_report": gr.read_report,
        },
        paths,
    )
    pages = statistics.mean(len(layer.pages) for layer in layers.values())
    tables = statistics.mean(map(len, located.values()))
    rest = ms["read_report"] - ms["text layer"] - ms["pdfium tables"]
    print(
        f"\nPDF stages, unprofiled, mean of {len(paths)} distinct PDFs ({pages:.1f} pages, {tables:.1f} "
        f"located):\n  floor (pdfium text) {ms['floor']:.1f} ms; govreports text layer (pdfium lines, "
        f"character boxes, rulings of the located pages) {ms['text layer']:.1f} ms;\n  tables from the "
        f"rulings (engine pdfium) {ms['pdfium tables']:.1f} ms; everything else {rest:.1f} ms; "
        f"read_report {ms['read_report']:.1f} ms;\n  for comparison, pdfplumber on the located pages "
        f"{ms['pdfplumber']:.1f} ms;\n  read_reports, 1 process {1000 / single_rate:.1f} ms per report "
        "(from the table)"
    )


def html_stages(paths: list[Path], single_rate: float) -> None:
    """Unprofiled milliseconds per HTML page by stage."""
    ms = _stages_ms(
        {
            "floor": lambda p: floor_lxml(p.read_bytes()),
            "read_html": lambda p: read_html(p.name, data=p.read_bytes()),
            "read_report": gr.read_report,
        },
        paths,
    )
    print(
        f"\nHTML stages, unprofiled, mean of {len(paths)} pages: floor (lxml parse) {ms['floor']:.2f} ms; "
        f"read_html (parse, looks, rows) {ms['read_html']:.2f} ms;\n  read_report {ms['read_report']:.2f} "
        f"ms (after the reader: {ms['read_report'] - ms['read_html']:.2f} ms); read_reports, 1 process "
        f"{1000 / single_rate:.2f} ms per report (from the table)"
    )


# -- profiles -----------------------------------------------------------------------------------


def _where(key: tuple[str, int, str]) -> str:
    path, line, function = key
    if path == "~":
        return function
    for marker in ("site-packages/", f"{ROOT}/"):
        path = path.split(marker, 1)[-1]
    return f"{path}:{line}({function})"


def profile(label: str, path: Path, calls: int, top: int = 15, own: int = 10) -> None:
    """Profile read_report on one file: the top entries by cumulative time, then by own time."""
    gr.read_report(path)  # warm up: imports and caches
    plain = []
    for _ in range(calls):
        start = time.perf_counter()
        gr.read_report(path)
        plain.append(time.perf_counter() - start)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        gr.read_report(path)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = max(ct for _, _, _, ct, _ in stats.values())
    print(
        f"\n{label}: {path.name}, {calls} read_report call(s); {1000 * statistics.median(plain):.1f} ms "
        f"per report unprofiled, {1000 * total / calls:.1f} ms under cProfile (which inflates "
        "Python-heavy code: read the shares)"
    )
    print(f"top {top} by cumulative time")
    _print_entries(stats, calls, total, key=3, top=top)
    print(f"top {own} by own (self) time")
    _print_entries(stats, calls, total, key=2, top=own)


def _print_entries(stats: dict, calls: int, total: float, key: int, top: int) -> None:
    print(f"{'calls/report':>12} {'self ms':>8} {'cum ms':>8} {'self %':>6} {'cum %':>6}  function")
    rows = sorted(stats.items(), key=lambda item: item[1][key], reverse=True)[:top]
    for where, (_, ncalls, tottime, cumtime, _) in rows:
        print(
            f"{ncalls / calls:>12.0f} {1000 * tottime / calls:>8.2f} {1000 * cumtime / calls:>8.2f} "
            f"{100 * tottime / total:>6.1f} {100 * cumtime / total:>6.1f}  {_where(where)}"
        )


# -- main ---------------------------------------------------------------------------------------


def prepare(args: argparse.Namespace, root: Path) -> tuple[dict[str, Path], dict[str, str]]:
    folders, files = {}, {}
    for key, fmt in FORMATS.items():
        n = getattr(args, key)
        if not n:
            continue
        folders[key] = root / key
        folders[key].mkdir()
        start = time.perf_counter()
        if key == "pdf":
            write_pdf(folders[key], n, min(args.pdf_distinct, n))
            files[key] = f"{n} ({min(args.pdf_distinct, n)})"
        else:
            fmt.write(folders[key], n)
            files[key] = str(n)
        print(f"wrote {n} {fmt.name} reports in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return folders, files


def run(args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    started = time.perf_counter()
    print(
        f"{cores} cores, load average {os.getloadavg()[0]:.2f}; medians of {args.repeats} repeats; "
        "floor and 'x floor' in 1 process, files read from disk"
    )
    with tempfile.TemporaryDirectory(prefix="govreports-formats-") as tmp:
        root = Path(tmp)
        folders, files = prepare(args, root)
        results = {}
        for key, folder in folders.items():
            fmt = FORMATS[key]
            results[key] = (fmt, measure(folder, fmt.floors, args.repeats, cores), files[key])
        print_table(results, cores)
        if "pdf" in folders:
            print(f"  PDF files: {files['pdf']} = files (distinct documents), the others copies")
        if args.mixed and all(f in folders for f in MIX):
            mixed = root / "mixed"
            mixed.mkdir()
            counts = write_mix(folders, mixed, args.mixed)
            mix = measure(mixed, {"file read only": lambda data: None}, args.repeats, cores)
            dask = dask_rate(mixed, cores, args.repeats)
            print_year(mix, counts, predicted_rate(results, counts), mixed, cores, dask)
        diagnose(folders, results, args, cores)
    print(f"\nload average {os.getloadavg()[0]:.2f}; whole run {time.perf_counter() - started:.0f} s")


def diagnose(folders: dict[str, Path], results: dict, args: argparse.Namespace, cores: int) -> None:
    """PDF workers' memory, then the stages and profiles of PDF and HTML reading."""
    if "pdf" in folders:
        pdfs = sorted(folders["pdf"].iterdir())
        print_pdf_memory(folders["pdf"], cores)
        pdf_stages(pdfs[: args.pdf_distinct], results["pdf"][1].rate(results["pdf"][1].single))
    if "html" in folders:
        pages = sorted(folders["html"].iterdir())
        html_stages(pages[:20], results["html"][1].rate(results["html"][1].single))
    if args.profile:
        for key, label, calls in (("pdf", "PDF", 1), ("html", "HTML", 20)):
            if key in folders:
                profile(label, sorted(folders[key].iterdir())[0], calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for key, default in (
        ("text", 2000),
        ("html", 300),
        ("docx", 100),
        ("pdf", 40),
        ("markdown", 300),
        ("crawl", 100),
        ("mixed", 120),
    ):
        parser.add_argument(f"--{key}", type=int, default=default, help=f"reports ({default}; 0 skips)")
    parser.add_argument("--pdf-distinct", type=int, default=4, help="distinct PDFs rendered (default 4)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (default 3)")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the cProfile runs")
    run(parser.parse_args())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pdf-memory"]:
        pdf_memory(sys.argv[2], int(sys.argv[3]))
    else:
        main()
