import warnings
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import seaborn as sns
from matplotlib import font_manager

from govreports import plotting, stats

CHINESE = "政府信息公开工作年度报告 东宁市 行政处罚"


@pytest.fixture(autouse=True)
def _isolated_matplotlib():
    # Each test starts from and leaves behind the same rcParams, font lookups and no open figures.
    with mpl.rc_context():
        font_manager.fontManager._findfont_cached.cache_clear()
        yield
    plt.close("all")
    font_manager.fontManager._findfont_cached.cache_clear()


def _render(text: str = CHINESE) -> None:
    """Draw a figure with Chinese in title, axis label and tick label; warnings are errors here."""
    fig, ax = plt.subplots()
    ax.set_title(text)
    ax.set_xlabel(text)
    ax.set_xticks([0], [text])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()


def _is_cjk(entry) -> bool:
    return (
        bool(plotting._CJK_FILE.search(Path(entry.fname).name)) or entry.name in plotting.PREFERRED_FAMILIES
    )


def test_chinese_renders_without_missing_glyphs():
    family = plotting.setup_fonts()
    assert mpl.rcParams["font.sans-serif"][0] == family
    assert plotting.missing_glyphs(CHINESE) == []
    _render()


def test_without_setup_the_default_font_misses_glyphs():
    # The check itself must be able to fail: matplotlib's default font has no Chinese.
    mpl.rcParams["font.family"] = "DejaVu Sans"
    assert plotting.missing_glyphs(CHINESE)


def test_seaborn_set_theme_resets_fonts_and_style_argument_keeps_them():
    plotting.setup_fonts()
    sns.set_theme()  # the trap: the font list goes back to seaborn's defaults
    assert plotting.missing_glyphs(CHINESE)
    plotting.setup_fonts(style="whitegrid")
    assert plotting.missing_glyphs(CHINESE) == []
    _render()


def test_fonts_missing_from_a_stale_cache_are_added(monkeypatch):
    # A font cache built before fonts-noto-cjk was installed has no CJK entries.
    stale = [f for f in font_manager.fontManager.ttflist if not _is_cjk(f)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    font_manager.fontManager._findfont_cached.cache_clear()
    if not plotting.cjk_font_files():
        pytest.skip("no CJK font file installed on this machine")
    family = plotting.setup_fonts()
    assert any(f.name == family for f in font_manager.fontManager.ttflist)
    assert plotting.missing_glyphs(CHINESE) == []


def test_no_cjk_font_gives_the_install_command(monkeypatch):
    monkeypatch.setattr(
        font_manager.fontManager, "ttflist", [f for f in font_manager.fontManager.ttflist if not _is_cjk(f)]
    )
    monkeypatch.setattr(plotting, "cjk_font_files", lambda: [])
    font_manager.fontManager._findfont_cached.cache_clear()
    with pytest.raises(plotting.FontSetupError, match="apt-get install fonts-noto-cjk"):
        plotting.setup_fonts()


def test_font_path_is_used_directly():
    files = plotting.cjk_font_files()
    if not files:
        pytest.skip("no CJK font file installed on this machine")
    family = plotting.setup_fonts(font_path=files[0])
    assert mpl.rcParams["font.sans-serif"][0] == family
    assert plotting.missing_glyphs(CHINESE) == []


@pytest.fixture
def panel():
    return pd.DataFrame(
        {
            "report_id": list("abcdef"),
            "organ": [
                "鸡东县人民政府办公室",
                "刚察县人民政府办公室",
                "东宁市",
                "鹤岗市东山区人民政府",
                "甲",
                "乙",
            ],
            "scope": ["organ", "organ", "region_aggregate", "organ", "organ", "organ"],
            "level": "county",
            "organ_type": "department",
            "penalty": pd.array([0, 3, 27780, 0, 5, None], dtype="Float64"),
            "licensing": pd.array([1, 0, 1772, 152, 9, 2], dtype="Float64"),
            "coercion": pd.array([0, 0, 955, 0, 1, 0], dtype="Float64"),
            "new_received": pd.array([0, 2, 0, 0, 0, 7], dtype="Float64"),
        }
    )


def test_plots_return_axes_and_render_chinese(panel):
    plotting.setup_fonts(style="whitegrid")
    zero = stats.zero_share_table(panel, "scope")
    out = stats.robust_outliers(panel, min_group=3)
    recovery = pd.DataFrame(
        {"term": ["常数"], "coef": [1.1], "ci_low": [0.9], "ci_high": [1.3], "true": [1.0]}
    )
    axes = [
        plotting.log_distribution(panel, "penalty", "scope"),
        plotting.log_distribution(panel.iloc[:0], "penalty", "scope"),  # no data: says N = 0
        plotting.lorenz_plot({"行政处罚": panel.penalty.dropna(), "全零": [0, 0]}),
        plotting.zero_share_plot(zero, "scope"),
        plotting.outlier_plot(out),
        plotting.recovery_plot(recovery),
    ]
    assert all(isinstance(ax, mpl.axes.Axes) for ax in axes)
    assert axes[0].get_xscale() == "symlog"
    assert "东宁市 27,780" in [t.get_text() for t in axes[4].texts]
    for ax in axes:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ax.figure.canvas.draw()


def test_publication_output_is_written(tmp_path):
    from govreports import publish

    plotting.setup_fonts()
    fig, ax = plt.subplots()
    ax.set_title("行政处罚（件）")
    assert [p.suffix for p in publish.save_figure(fig, "penalty", tmp_path)] == [".png", ".pdf"]
    table = pd.DataFrame({"组": ["甲", "乙"], "N": pd.array([3, None], dtype="Int64")})
    csv, tex = publish.save_table(table, "groups", tmp_path, caption="示例")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(csv, encoding="utf-8-sig").N.isna().tolist() == [False, True]
    assert r"\toprule" in tex.read_text(encoding="utf-8") and "--" in tex.read_text(encoding="utf-8")
    assert publish.versions().loc["govreports", "version"] is not None
