"""Plots for the curated notebooks, with Chinese labels that render on any machine.

Call :func:`setup_fonts` once, after any seaborn theme (``sns.set_theme()`` resets the font
list, so calling it afterwards undoes the setup; ``setup_fonts(style="whitegrid")`` sets the theme
and then the fonts, in the right order). Every plot function takes an optional ``ax`` and returns
the Axes it drew on.

>>> family = setup_fonts()
>>> missing_glyphs("政府信息公开")
[]
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, cast

import numpy as np
import pandas as pd

from govreports.stats import LABELS, gini, lorenz_curve

# Simplified-Chinese families first; a Japanese or Traditional face of the same family still has
# every Han character we print, so it is an acceptable fallback.
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Noto Serif CJK SC",
    "Droid Sans Fallback",
    "Arial Unicode MS",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
)
# Where Debian's fonts-noto-cjk and fonts-wqy-zenhei (and friends) put their files.
KNOWN_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_CJK_FILE = re.compile(
    r"cjk|wqy|wenquanyi|sourcehan|droidsansfallback|simhei|msyh|pingfang|hiragino|notos[ae]\w*sc", re.I
)
# The styles seaborn's set_theme accepts by name.
SeabornStyle = Literal["white", "dark", "whitegrid", "darkgrid", "ticks"]
SAMPLE_TEXT = "政府信息公开工作年度报告行政许可处罚强制收费申请县市乡镇"
INSTALL_HINT = (
    "No font with Chinese characters was found for matplotlib. Install one, e.g. on Debian/Ubuntu:\n"
    "    sudo apt-get install fonts-noto-cjk fonts-wqy-zenhei\n"
    "(Fedora: sudo dnf install google-noto-sans-cjk-fonts; macOS and Windows ship one), or pass a\n"
    "font file: setup_fonts(font_path='/path/to/NotoSansCJKsc-Regular.otf')."
)


class FontSetupError(RuntimeError):
    """No usable CJK font: the message says what to install."""


def setup_fonts(*, style: SeabornStyle | None = None, font_path: str | os.PathLike[str] | None = None) -> str:
    """Make matplotlib and seaborn render Chinese; return the font family chosen.

    Font files installed after matplotlib built its font cache are missing from it; they are
    found on disk (known Debian paths, then the system font folders) and added to the running
    font manager. The chosen family is put first in ``font.sans-serif``.

    Args:
        style: a seaborn style (e.g. ``"whitegrid"``) to apply first: ``sns.set_theme`` resets
            the font list, so the theme must come before the fonts.
        font_path: a font file to use instead of searching.

    Raises:
        FontSetupError: no installed font covers Chinese; the message gives the install command.

    >>> family = setup_fonts(style="whitegrid")
    >>> import matplotlib as mpl; mpl.rcParams["font.sans-serif"][0] == family
    True
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    if style is not None:
        import seaborn as sns

        sns.set_theme(style=style)
    if font_path is not None:
        font_manager.fontManager.addfont(os.fspath(font_path))
        family = _family_of(os.fspath(font_path))
    else:
        _register_uncached_fonts()
        family = _pick_family()
    if family is None:
        raise FontSetupError(INSTALL_HINT)
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [family, *(f for f in mpl.rcParams["font.sans-serif"] if f != family)]
    # Many CJK fonts lack U+2212 (the typographic minus); an ASCII hyphen always renders.
    mpl.rcParams["axes.unicode_minus"] = False
    return family


def cjk_font_files() -> list[str]:
    """CJK font files on this machine: the known Debian paths, then the system font folders.

    >>> all(Path(p).exists() for p in cjk_font_files())
    True
    """
    from matplotlib import font_manager

    found = [p for p in KNOWN_FONT_FILES if Path(p).is_file()]
    system = font_manager.findSystemFonts(fontext="ttf")
    found += sorted(p for p in system if _CJK_FILE.search(Path(p).name))
    return list(dict.fromkeys(found))


def _register_uncached_fonts() -> None:
    from matplotlib import font_manager

    known = {Path(f.fname).resolve() for f in font_manager.fontManager.ttflist}
    for path in cjk_font_files():
        if Path(path).resolve() not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # an unreadable font file is not a reason to stop looking


def _family_of(path: str) -> str | None:
    from matplotlib import font_manager

    target = Path(path).resolve()
    names = [f.name for f in font_manager.fontManager.ttflist if Path(f.fname).resolve() == target]
    preferred = [n for n in PREFERRED_FAMILIES if n in names]
    return next(iter(preferred or names), None)


def _pick_family() -> str | None:
    from matplotlib import font_manager

    entries = font_manager.fontManager.ttflist
    names = {f.name for f in entries}
    candidates = [n for n in PREFERRED_FAMILIES if n in names]
    candidates += sorted({f.name for f in entries if _CJK_FILE.search(Path(f.fname).name)} - set(candidates))
    return next((name for name in candidates if _covers(name, SAMPLE_TEXT)), None)


def _covers(family: str, text: str) -> bool:
    from matplotlib import font_manager

    try:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        charmap = font_manager.get_font(path).get_charmap()
    except (ValueError, OSError, RuntimeError):
        return False
    return all(ord(char) in charmap for char in text)


def missing_glyphs(text: str = SAMPLE_TEXT) -> list[str]:
    """Render ``text`` with the current settings; return matplotlib's missing-glyph warnings.

    An empty list means every character rendered with a real glyph, not a box.

    >>> import matplotlib as mpl
    >>> with mpl.rc_context({"font.family": "DejaVu Sans"}):
    ...     "missing from font(s) DejaVu Sans" in missing_glyphs("中")[0]
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    FigureCanvasAgg(figure)
    figure.text(0.1, 0.5, text)
    figure.gca().set_title(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.canvas.draw()
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def _empty(ax: Any, what: str) -> Any:
    ax.text(0.5, 0.5, f"{what}：无数据 (N = 0)", ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _axes(ax: Any = None, size: tuple[float, float] = (7, 4)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size, layout="constrained")[1]


def log_distribution(
    panel: pd.DataFrame,
    column: str,
    by: str | None = None,
    *,
    ax: Any = None,
    min_box: int = 5,
) -> Any:
    """Values of one column on a symmetric log scale (0 stays visible), one row per group.

    Every report is a point; groups with at least ``min_box`` values also get a box. The y labels
    carry each group's N.

    >>> p = pd.DataFrame({"penalty": [0, 3, 27780, 10], "level": ["county"] * 3 + ["township"]})
    >>> log_distribution(p, "penalty", "level").get_xscale()
    'symlog'
    """
    import seaborn as sns

    data = panel.loc[panel[column].notna()].copy()
    if data.empty:
        return _empty(_axes(ax), LABELS.get(column, column))
    data["_value"] = data[column].astype(float)
    key = by or "_all"
    data[key] = data[by].astype("string").fillna("unknown") if by else "all"
    counts = data[key].value_counts().sort_index()
    data["_group"] = data[key].map({g: f"{g} (n={n})" for g, n in counts.items()})
    order = [f"{g} (n={n})" for g, n in counts.items()]
    ax = _axes(ax, (7, 1.2 + 0.6 * max(len(order), 1)))
    boxed = data.loc[data[key].map(counts) >= min_box]
    if len(boxed):
        sns.boxplot(
            data=boxed, x="_value", y="_group", order=order, ax=ax, color="0.9", fliersize=0, width=0.5
        )
    # Points jittered by a seeded generator (seaborn's stripplot draws from numpy's global one):
    # the figure is the same on every run.
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(data))
    rows = data["_group"].map({group: k for k, group in enumerate(order)}).to_numpy(float)
    ax.scatter(data["_value"], rows + jitter, s=16, alpha=0.7, color="C0", zorder=3)
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(len(order) - 0.5, -0.5)  # the first group on top, as seaborn draws categories
    symlog_axis(ax, float(data["_value"].max()))
    ax.set_xlabel(f"{LABELS.get(column, column)}（对数刻度，含 0）")
    ax.set_ylabel(by or "")
    return ax


def symlog_axis(ax: Any, largest: float) -> None:
    """Log scale that keeps 0, with readable tick labels (0, 1, 10, 100, 10³, ...)."""
    from matplotlib.ticker import FuncFormatter

    ax.set_xscale("symlog", linthresh=1)
    # Always show 0 and a decade above the largest value, so that the axis has ticks to read.
    ax.set_xlim(-0.5, max(10.0, largest * 3))
    ax.xaxis.set_major_formatter(FuncFormatter(_tick_label))


def _tick_label(value: float, _position: object = None) -> str:
    """Plain numbers up to 100, powers of ten above: 0, 1, 10, 100, 10³, 10⁴ (wide ranges stay legible).

    >>> [_tick_label(v) for v in (0, 10, 1000, 1e6)]
    ['0', '10', '$10^{3}$', '$10^{6}$']
    """
    if abs(value) < 1000:
        return f"{value:,.0f}"
    return f"$10^{{{round(np.log10(abs(value)))}}}$"


def lorenz_plot(series: Mapping[str, Sequence[float]], *, ax: Any = None) -> Any:
    """Lorenz curves, one per named set of non-negative values, each labelled with N and Gini.

    >>> ax = lorenz_plot({"主动公开": [1, 2, 3, 10]})
    >>> ax.get_legend().get_texts()[1].get_text()
    '主动公开 (n=4, Gini=0.44)'
    """
    ax = _axes(ax, (4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", label="完全平均")
    for name, values in series.items():
        curve = lorenz_curve(values)
        if curve["value_share"].isna().any():  # no values, or all zero: no curve to draw
            ax.plot([], [], label=f"{name} (n={len(curve) - 1}, total 0: no curve)")
            continue
        label = f"{name} (n={len(curve) - 1}, Gini={gini(values):.2f})"
        ax.plot(
            curve["population_share"],
            curve["value_share"],
            marker="o" if len(curve) < 30 else None,
            label=label,
        )
    ax.set_xlabel("机关累计占比（由小到大）")
    ax.set_ylabel("累计占总量比例")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def zero_share_plot(table: pd.DataFrame, by: str, *, ax: Any = None) -> Any:
    """Zero shares with Wilson intervals (a :func:`~govreports.stats.zero_share_table` result).

    >>> t = pd.DataFrame({"level": ["county"], "n": [4], "zeros": [3], "share": [0.75],
    ...                   "ci_low": [0.3], "ci_high": [0.95]})
    >>> zero_share_plot(t, "level").get_yticklabels()[0].get_text()
    'county (3/4)'
    """
    ax = _axes(ax, (6, 1.2 + 0.5 * len(table)))
    if table.empty:
        return _empty(ax, "零申请占比")
    labels = [
        f"{g} ({z}/{n})"
        for g, z, n in zip(table[by].astype("string").fillna("unknown"), table.zeros, table.n, strict=True)
    ]
    y = np.arange(len(table))
    share = table["share"].astype(float).to_numpy()
    err = np.vstack([share - table["ci_low"].astype(float), table["ci_high"].astype(float) - share])
    ax.errorbar(share, y, xerr=np.nan_to_num(err), fmt="o", capsize=3)
    ax.set_yticks(y, labels)
    ax.set_xlim(-0.03, 1.03)
    ax.set_xlabel("零申请机关占比（95% Wilson 区间）")
    return ax


def outlier_plot(
    outliers: pd.DataFrame, *, threshold: float = 3.5, ax: Any = None, annotate: int = 10
) -> Any:
    """Robust z per report and variable (a :func:`~govreports.stats.robust_outliers` result).

    Flagged values are red and the ``annotate`` highest are labelled with the organ's name.
    Values sent to review that no group could assess (``review`` without a z) are drawn in a
    band above the others, labelled too: the largest values must never drop out of the plot.

    >>> o = pd.DataFrame({"variable": ["penalty"] * 2, "robust_z": [0.0, 4.0], "flagged": [False, True],
    ...                   "organ": ["甲", "东宁市"]})
    >>> [t.get_text() for t in outlier_plot(o).texts]
    ['阈值 z = 3.5', '东宁市']
    """
    ax = _axes(ax, (7, 4))
    data = outliers.loc[outliers["robust_z"].notna()]
    unassessed = outliers.loc[outliers["robust_z"].isna() & outliers.get("review", False)]
    if data.empty and unassessed.empty:
        return _empty(ax, "稳健 z 值")
    variables = list(dict.fromkeys([*data["variable"], *unassessed["variable"]]))
    position = {v: i for i, v in enumerate(variables)}
    x = data["variable"].map(position).astype(float)
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(data))
    colors = np.where(data["flagged"], "tab:red", "tab:blue")
    ax.scatter(x + jitter, data["robust_z"], c=colors, s=18, alpha=0.7)
    ax.axhline(threshold, color="tab:red", linestyle="--", linewidth=1)
    ax.annotate(f"阈值 z = {threshold:g}", (0, threshold), xycoords=("axes fraction", "data"),
                xytext=(2, 2), textcoords="offset points", fontsize=7, color="tab:red")  # fmt: skip
    top = data.assign(xpos=x + jitter).loc[data["flagged"]].nlargest(annotate, "robust_z")
    if not unassessed.empty:
        band = max(threshold, float(data["robust_z"].max()) if not data.empty else 0.0) + 1.5
        xs = unassessed["variable"].map(position).astype(float)
        ax.scatter(
            xs, [band] * len(xs), marker="^", color="tab:orange", s=30, label="组太小，无法评估，待复核"
        )
        ax.legend(loc="lower right", fontsize=7)
        top = pd.concat([top, unassessed.assign(xpos=xs, robust_z=band)])
    _label_points(ax, top)
    ax.set_xticks(range(len(variables)), [LABELS.get(v, v) for v in variables])
    ax.set_ylabel("稳健 z 值（log1p 尺度）")
    return ax


class _Point(Protocol):
    """A flagged or unassessed row as ``itertuples`` gives it: the columns a label reads."""

    variable: str
    organ: object
    xpos: float
    robust_z: float


def _label_points(ax: Any, rows: pd.DataFrame) -> None:
    stacked: dict[tuple[str, float], int] = {}
    # pandas-stubs types a row's fields as any scalar; the screen's columns are known.
    for row in cast("Iterable[_Point]", rows.itertuples()):
        # Labels at one height of one variable are stacked upwards, so they stay readable.
        key = (row.variable, round(float(row.robust_z), 1))
        level = stacked[key] = stacked.get(key, -1) + 1
        ax.annotate(
            f"{row.organ} {row.value:,.0f}" if hasattr(row, "value") else str(row.organ),
            (row.xpos, row.robust_z),
            xytext=(4, 2 + 10 * level),
            textcoords="offset points",
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "0.6", "linewidth": 0.5} if level else None,
        )


def recovery_plot(table: pd.DataFrame, *, ax: Any = None) -> Any:
    """Estimates with 95% intervals against the true values they should recover.

    ``table`` needs ``term``, ``coef``, ``ci_low``, ``ci_high`` and ``true`` (from
    :func:`~govreports.stats.coef_table` plus the simulation's parameters).

    >>> t = pd.DataFrame({"term": ["const"], "coef": [1.1], "ci_low": [0.9], "ci_high": [1.3], "true": [1.0]})
    >>> len(recovery_plot(t).get_legend().get_texts())
    2
    """
    ax = _axes(ax, (6, 0.8 + 0.4 * len(table)))
    y = np.arange(len(table))[::-1]
    err = np.vstack([table["coef"] - table["ci_low"], table["ci_high"] - table["coef"]])
    ax.errorbar(table["coef"], y, xerr=err, fmt="o", capsize=3, label="估计值（95% 置信区间）")
    ax.scatter(table["true"], y, marker="x", color="tab:red", zorder=3, label="真值")
    ax.set_yticks(y, table["term"])
    ax.axvline(0, color="0.8", linewidth=1)
    ax.legend(fontsize="small", loc="best")
    return ax
