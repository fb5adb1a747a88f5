# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Disclosure volume: how much organs publish, and how many applications they receive
#
# Two measures of volume, per report:
#
# - **proactive disclosure** (主动公开, unit 条): the total number of items the organ says it
#   published, read from the report's prose (`figures`, `figure == "proactive_total"`);
# - **new applications** (本年新收政府信息公开申请数量, unit 件): 表三, row `new_received`,
#   column `total`.
#
# **Scopes are never pooled.** Every report carries a `scope`: an organ's own report (`organ`), a
# region-wide report (`region_aggregate`, 本级政府 totals over many organs, such as the 平潭综合实验区
# reports), or `unknown` (a report titled only "XX人民政府" whose text does not say which it is).
# Organ-level statistics below use `scope == "organ"` only; region-wide reports are shown on
# their own, and reports of unknown scope are left out of both (the sensitivity section shows
# what changes when they are assigned to either side).
#
# **What the bundled corpus can show.** It is a handful of seed reports from different places and
# levels, plus the departments of one city observed over several years: a small real organ × year
# panel. Every table and plot states its N; where N is too small for a model or a concentration
# measure, the notebook says so and shows the values instead. The model is Poisson
# pseudo-maximum likelihood (PPML), whose `exp(coef)` is a ratio of **means** and which keeps
# the zeros; a clearly labelled simulated section shows that it recovers known parameters.

# %%
"""Disclosure volume: proactive disclosure and new applications, organ reports by scope."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.ticker import FuncFormatter

from govreports import plotting, publish, stats
from govreports.io import read_processed
from govreports.simulate import simulate_corpus

# %% tags=["parameters"]
processed_dir = "../data/processed"
figures_dir = "../figures"
tables_dir = "../tables"
panel_prefecture = "莆田市"  # the city whose own departments form the real organ x year panel
min_nobs = 30  # fewest observations for which PPML is fitted
min_clusters = 30  # fewest organs (clusters) for organ-clustered standard errors to be trusted
min_concentration = 20  # fewest organs for a Lorenz curve and Gini coefficient; fewer: a dot plot
min_box = 20  # fewest reports in a group for a box in the distribution plots
sim_organs = 2000  # size of the simulated corpus (simulated section only; 500 or more)
sim_seed = 1

# %%
MEASURES = ("proactive_total", "new_received")
MEASURE_ZH = {"proactive_total": "主动公开信息", "new_received": "本年新收申请"}
UNIT = {"proactive_total": "条", "new_received": "件"}
LEVEL_ZH = stats.CATEGORY_LABELS["level"]
TYPE_ZH = stats.CATEGORY_LABELS["organ_type"]
SCOPE_ZH = stats.CATEGORY_LABELS["scope"]
REBUILT = ("split", "expanded", "joined")  # values the template solver rebuilt
CRAWLED = ("crawl", "markdown")  # crawler dumps, PDF-text and OCR dumps
FIRST_TEMPLATE_YEAR = 2019  # the standard tables start with reports on 2019
# A "共N条" / "共计N条" count in the same sentence: a figure smaller than it may be a sub-item.
SENTENCE_TOTAL = re.compile(r"共计?\s*(\d+)\s*条")

family = plotting.setup_fonts(style="whitegrid")
corpus = read_processed(processed_dir)
counts = stats.corpus_counts(corpus)


def prepare(panel: pd.DataFrame) -> pd.DataFrame:
    """Add provenance, the prose figure's unit and sentence, a doubt flag and a short name to panel rows."""
    meta = corpus.reports[["report_id", "format", "scope_evidence"]]
    prose = corpus.figures.loc[corpus.figures["figure"] == "proactive_total"]
    prose = prose.groupby("report_id")[["unit", "sentence", "note"]].first().reset_index()
    frame = panel.merge(meta, on="report_id", how="left").merge(prose, on="report_id", how="left")
    frame["scope"] = frame["scope"].astype("string").fillna("unknown")
    frame["format"] = frame["format"].astype("string")
    frame["proactive_doubt"] = [
        pd.notna(v) and pd.notna(s) and any(float(t) > float(v) for t in SENTENCE_TOTAL.findall(str(s)))
        for v, s in zip(frame["proactive_total"], frame["sentence"], strict=True)
    ]
    frame["name"] = [
        str(o).removeprefix(str(p)) if pd.notna(p) and pd.notna(o) and str(o) != str(p) else str(o)
        for o, p in zip(frame["organ"], frame["prefecture"], strict=True)
    ]
    return frame


reports = prepare(stats.organ_year_panel(corpus))
organs = reports.loc[reports["scope"] == "organ"]
regions = reports.loc[reports["scope"] == "region_aggregate"]
unknown = reports.loc[reports["scope"] == "unknown"]
counts.to_frame("N")

# %% [markdown]
# ## The scope of every report
#
# The scope is decided from the title and the text (`scope_evidence` says which words decided
# it). The table lists every parsed report; the counts below it are by scope and input format.

# %%
scope_table = reports[["report_id", "organ", "year", "format", "template", "scope", "scope_evidence"]].assign(
    scope=reports["scope"].map(SCOPE_ZH)
)
publish.save_table(
    scope_table,
    "01-report-scope",
    tables_dir,
    caption="Every parsed report, its scope and the evidence for it",
)
display(scope_table)
by_scope = pd.crosstab(reports["scope"].map(SCOPE_ZH), reports["format"], margins=True, margins_name="all")
display(by_scope)
with_value = reports.groupby(reports["scope"].map(SCOPE_ZH))[list(MEASURES)].count()
display(
    Markdown(
        f"**N.** {counts['parsed reports']} parsed reports ({counts['failed files']} input files failed; "
        f"see notebook 00): {len(organs)} organ reports, {len(regions)} region-wide reports "
        f"({', '.join(sorted(set(regions['organ'].astype(str))))}), {len(unknown)} of unknown scope "
        f"({', '.join(sorted(set(unknown['organ'].astype(str))))}). Reports with a value, by scope:"
    )
)
display(with_value)
duplicates = int(reports["duplicate"].sum())
display(
    Markdown(
        f"Two reports for one organ and year: {duplicates} rows. "
        + (
            "None, so nothing is dropped for that reason."
            if duplicates == 0
            else "Those rows are dropped from the organ-year panel below (neither version is preferred)."
        )
    )
)

# %% [markdown]
# ## Organ reports: distributions on a log scale
#
# Each point is one organ report (scope `organ`), all years together; one organ with several
# years contributes several points. The axis is a symmetric log scale, so a report with 0 is shown
# at 0 instead of vanishing. Boxes are drawn only for groups of at least `min_box` reports.


# %%
def zh_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with level and organ type in Chinese."""
    return frame.assign(
        level=frame["level"].map(LEVEL_ZH).fillna("层级不明"),
        organ_type=frame["organ_type"].map(TYPE_ZH).fillna("类型不明"),
    )


fig, axes = plt.subplots(2, 2, figsize=(12, 6.5), layout="constrained")
for row, measure in enumerate(MEASURES):
    for col, (by, title) in enumerate((("level", "层级"), ("organ_type", "机关类型"))):
        ax = plotting.log_distribution(zh_groups(organs), measure, by, ax=axes[row, col], min_box=min_box)
        ax.set_xlabel(f"{MEASURE_ZH[measure]}（{UNIT[measure]}，对数刻度，含 0）")
        ax.set_ylabel(title)
fig.suptitle(f"机关本身报告（各年合计，共 {len(organs)} 份；每点一份报告）")
publish.save_figure(fig, "01-organ-distribution", figures_dir)
plt.show()


# %%
def summary(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Count reports, values present and zeros, and give median, min and max of each measure per group."""
    rows = []
    for group, part in frame.groupby(by, dropna=False):
        row = {by: group, "reports": len(part)}
        for m in MEASURES:
            v = part[m].dropna().astype(float)
            row |= {
                f"{m} n": len(v),
                f"{m} zeros": int((v == 0).sum()),
                f"{m} median": v.median() if len(v) else np.nan,
                f"{m} min": v.min() if len(v) else np.nan,
                f"{m} max": v.max() if len(v) else np.nan,
            }
        rows.append(row)
    return pd.DataFrame(rows)


organ_summary = pd.concat(
    [summary(zh_groups(organs), "level").rename(columns={"level": "group"}),
     summary(zh_groups(organs), "organ_type").rename(columns={"organ_type": "group"})],
    keys=["level", "organ type"], names=["by", None],
).reset_index(level=0)  # fmt: skip
publish.save_table(
    organ_summary,
    "01-organ-summary",
    tables_dir,
    caption=f"Organ reports (scope organ, N = {len(organs)}): proactive items (条) and new applications (件)",
)
display(organ_summary)

# %%
n_city = int(organs["prefecture"].eq(panel_prefecture).sum())
display(
    Markdown(
        f"Of the {len(organs)} organ reports, {n_city} are {panel_prefecture} organs over several years, so "
        "these distributions mostly describe one city's departments; levels and types with one or "
        "two reports are single organs, not groups. New applications: "
        f"{organs['new_received'].count()} organ reports with a value, of which "
        f"{int(organs['new_received'].eq(0).sum())} report 0. Proactive totals: "
        f"{organs['proactive_total'].count()} organ reports state one in the prose "
        f"({int(organs['proactive_total'].isna().sum())} do not, or state only per-channel counts: "
        "missing, never 0)."
    )
)

# %% [markdown]
# ## Concentration: only with enough organs
#
# Concentration is a property of organs, not of reports, so each organ counts once, with its
# latest report that has a value. A Lorenz curve and a Gini coefficient are computed only for at
# least `min_concentration` organs; with fewer, the values themselves are shown, ranked, with the
# largest organ's share of the total. Organs of different levels and years are mixed here, so even
# a computed Gini would describe this sample, not a population.


# %%
def latest_per_organ(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Each organ's latest report with a value of ``measure``."""
    part = frame.loc[frame[measure].notna() & frame["year"].notna()]
    return part.sort_values(["organ_id", "year"]).groupby("organ_id").tail(1)


latest = {m: latest_per_organ(organs, m) for m in MEASURES}
large = {m: len(latest[m]) >= min_concentration for m in MEASURES}
height = 0.6 + 0.32 * max(len(v) for v in latest.values())
fig, axes = plt.subplots(1, 2, figsize=(12, height), layout="constrained")
for ax, m in zip(axes, MEASURES, strict=True):
    part = latest[m]
    values = part[m].astype(float)
    if large[m]:
        plotting.lorenz_plot({MEASURE_ZH[m]: values}, ax=ax)
        ax.set_title(f"{MEASURE_ZH[m]}：洛伦兹曲线（{len(part)} 个机关）")
        continue
    ranked = part.assign(_v=values).sort_values("_v")
    y = np.arange(len(ranked))
    ax.scatter(ranked["_v"], y, color="tab:blue", zorder=3)
    ax.set_yticks(y, [f"{n}（{int(yr)}）" for n, yr in zip(ranked["name"], ranked["year"], strict=True)])
    plotting.symlog_axis(ax, float(values.max()) if len(values) else 1.0)
    ax.set_xlabel(f"{MEASURE_ZH[m]}（{UNIT[m]}，对数刻度，含 0）")
    gate_note = f"少于 {min_concentration}，不计算基尼系数"
    ax.set_title(f"{MEASURE_ZH[m]}：各机关最近一年（{len(part)} 个机关，{gate_note}）", fontsize=10)
fig.suptitle("机关本身报告：集中度")
publish.save_figure(fig, "01-concentration", figures_dir)
plt.show()


# %%
def concentration_row(m: str) -> pd.Series:
    """Return organs, total, zeros and the largest organ's share; Gini and top share only past the gate."""
    values = latest[m][m].astype(float)
    gate = stats.concentration(values) if large[m] else pd.Series(dtype=object)
    row = {
        "organs": len(values),
        "total": values.sum(),
        "zeros": int((values == 0).sum()),
        "largest organ": latest[m].loc[values.idxmax(), "name"] if len(values) else None,
        "largest share": values.max() / values.sum() if values.sum() > 0 else np.nan,
        "gini": gate.get("gini", np.nan),
        "top 10% share": gate.get("top 10% share", np.nan),
    }
    return pd.Series(row, dtype=object)


concentration = pd.DataFrame({m: concentration_row(m) for m in MEASURES}).T
publish.save_table(
    concentration,
    "01-concentration",
    tables_dir,
    caption=f"Concentration across organs (latest report each); Gini only with {min_concentration}+ organs",
)
display(concentration)
display(
    Markdown(
        "\n\n".join(
            f"{MEASURE_ZH[m]}: {int(r['organs'])} organs, total {r['total']:,.0f} {UNIT[m]}, "
            f"zeros {int(r['zeros'])}; "
            + (
                f"the largest ({r['largest organ']}) holds {r['largest share']:.0%} of the total. "
                if pd.notna(r["largest share"])
                else "no positive total. "
            )
            + (
                f"Gini {r['gini']:.2f}."
                if large[m]
                else f"Fewer than {min_concentration} organs: no Gini coefficient or Lorenz curve."
            )
            for m, r in concentration.iterrows()
        )
    )
)

# %% [markdown]
# ## Region-wide reports and reports of unknown scope, on their own
#
# A region-wide report already contains the organs of its region; adding it to organ reports would
# count them twice. A report of unknown scope may be either. Both are listed here, never summed
# with organ reports.

# %%
apart = reports.loc[reports["scope"] != "organ"]
apart_table = apart[["report_id", "organ", "year", "scope", "format", *MEASURES, "unit"]].assign(
    scope=apart["scope"].map(SCOPE_ZH)
)
publish.save_table(
    apart_table,
    "01-region-and-unknown",
    tables_dir,
    caption="Region-wide and unknown-scope reports: proactive items (unit as printed), new applications (件)",
)
display(apart_table)
display(
    Markdown(
        f"Region-wide reports: {len(regions)}, with a proactive total {regions['proactive_total'].count()}, "
        f"with new applications {regions['new_received'].count()}. Unknown scope: {len(unknown)}, with a "
        f"proactive total {unknown['proactive_total'].count()}, with new applications "
        f"{unknown['new_received'].count()}. Organ reports: proactive "
        f"{organs['proactive_total'].sum():,.0f} 条 "
        f"summed over N = {organs['proactive_total'].count()}, new applications "
        f"{organs['new_received'].sum():,.0f} 件 over N = {organs['new_received'].count()}; these sums "
        "mix organs, levels and years and are given only as a check that nothing region-wide is in them."
    )
)

# %% [markdown]
# ## A real organ × year panel: one city's departments
#
# The organ reports of one city's own organs (parameter `panel_prefecture`, level 地市级) from the
# first year of the standard tables on, linked across years by `stats.organ_year_panel` (one row
# per organ and year; `organ_id` links renamed titles). Rows of an organ with two reports in one
# year would be dropped (see "The scope of every report"). A year without a report is a gap; a
# report without a value is marked, never plotted as 0.


# %%
def city_panel(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the panel city's own organ reports with standard tables, one row per organ and year."""
    keep = (
        frame["scope"].eq("organ")
        & frame["prefecture"].eq(panel_prefecture)
        & frame["level"].eq("prefecture")
        & frame["year"].ge(FIRST_TEMPLATE_YEAR)
        & ~frame["duplicate"].astype(bool)
    )
    return frame.loc[keep.fillna(False)].sort_values(["organ_id", "year"])


city = city_panel(reports)
years = list(range(int(city["year"].min()), int(city["year"].max()) + 1)) if len(city) else []
names = city.groupby("organ_id")["name"].last()
wide = {
    m: city.assign(name=city["organ_id"].map(names))
    .pivot(index="name", columns="year", values=m)
    .reindex(columns=years)
    for m in MEASURES
}
for m in MEASURES:
    publish.save_table(
        wide[m],
        f"01-panel-{m.replace('_', '-')}",
        tables_dir,
        caption=f"{panel_prefecture} organs by year: {MEASURE_ZH[m]} ({UNIT[m]}); empty: no report/value",
    )
reports_per_organ = city.groupby("organ_id").size()
display(
    Markdown(
        f"**N.** {len(city)} organ-year reports of {city['organ_id'].nunique()} {panel_prefecture} organs, "
        f"{years[0] if years else '—'}–{years[-1] if years else '—'}; reports per organ: "
        f"{reports_per_organ.min() if len(city) else 0} to {reports_per_organ.max() if len(city) else 0}; "
        f"organs with a report in every year: {int((reports_per_organ == len(years)).sum())}. "
        f"With a value: new applications {city['new_received'].count()}, "
        f"proactive totals {city['proactive_total'].count()}. New applications (件) by organ and year:"
    )
)
display(wide["new_received"])

# %%
shown = ["name", "year", "proactive_total", "unit", "sentence"]
proactive_rows = city.loc[city["proactive_total"].notna(), shown]
proactive_rows = proactive_rows.assign(doubt=city.loc[proactive_rows.index, "proactive_doubt"])
display(
    Markdown(
        f"Proactive totals (条) by organ and year, {len(proactive_rows)} values; each with the sentence it "
        "was read from. `doubt` marks a value smaller than a 共…条 count stated in the same sentence (the "
        "figure may be one category of a larger total); `unit` is the unit the report printed."
    )
)
display(wide["proactive_total"])
display(proactive_rows)


# %%
COLOR = {"new_received": "tab:blue", "proactive_total": "tab:orange"}


def small_multiples(frame: pd.DataFrame) -> plt.Figure:
    """Draw one panel per organ: both measures by year, gaps left open, years with a report shaded."""
    organ_list = list(names.index)
    cols = 4
    rows = max(1, -(-len(organ_list) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(12, 0.6 + 2.2 * rows), sharex=True, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    largest = float(frame[list(MEASURES)].max().max())
    for ax, organ in zip(axes, organ_list, strict=False):
        part = frame.loc[frame["organ_id"] == organ].sort_values("year")
        for m in ("new_received", "proactive_total"):
            has = part.loc[part[m].notna()]
            x, v = has["year"].astype(int).to_numpy(), has[m].astype(float).to_numpy()
            for i in range(1, len(x)):
                style = "-" if x[i] - x[i - 1] == 1 else ":"
                ax.plot(x[i - 1 : i + 1], v[i - 1 : i + 1], style, color=COLOR[m], linewidth=1)
            ax.plot(x, v, "o", color=COLOR[m], markersize=4)
            for xi, vi in zip(x, v, strict=True):
                ax.annotate(f"{vi:,.0f}", (xi, vi), xytext=(0, 3), textcoords="offset points", ha="center",
                            fontsize=7, color=COLOR[m])  # fmt: skip
            if m == "proactive_total":
                odd = has.loc[has["proactive_doubt"] | has["unit"].ne("条").fillna(False)]
                ax.plot(odd["year"].astype(int), odd[m].astype(float), "o", mfc="none", mec="tab:red",
                        markersize=9)  # fmt: skip
        # A grey band marks each year with a report: a band without a dot is a report without a value.
        for year in part["year"].astype(int):
            ax.axvspan(year - 0.2, year + 0.2, color="0.9", zorder=0, linewidth=0)
        ax.grid(False, axis="x")
        ax.set_title(f"{names[organ]}（{len(part)} 份报告）", fontsize=9)
        ax.set_xticks(years, [str(y) for y in years], fontsize=7, rotation=45)
    axes[0].set_yscale("symlog", linthresh=1)
    axes[0].set_ylim(0, max(10.0, largest * 4))
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    for ax in axes[::cols]:
        ax.set_ylabel("件 / 条（对数刻度）", fontsize=8)
    for ax in axes[len(organ_list) :]:
        ax.set_visible(False)
    handles = [
        plt.Line2D([], [], color=COLOR["new_received"], marker="o", label="本年新收申请（件）"),
        plt.Line2D([], [], color=COLOR["proactive_total"], marker="o", label="主动公开信息（条）"),
        plt.Line2D([], [], color="0.4", linestyle=":", label="中间缺年（无报告）"),
        plt.Rectangle((0, 0), 1, 1, color="0.9", label="有报告的年份（无点：报告未列明该数值）"),
        plt.Line2D([], [], marker="o", mfc="none", mec="tab:red", linestyle="none", label="存疑或单位非条"),
    ]
    fig.subplots_adjust(hspace=0.55, wspace=0.08, bottom=0.14, top=0.9)
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, bbox_to_anchor=(0.5, 0.0))
    counts_with = "，".join(f"{MEASURE_ZH[m]} {int(frame[m].notna().sum())} 份有数值" for m in MEASURES)
    fig.suptitle(
        f"{panel_prefecture}各机关，{years[0]}—{years[-1]} 年：{frame['organ_id'].nunique()} 个机关、"
        f"{len(frame)} 份报告（{counts_with}）"
    )
    return fig


if len(city):
    fig = small_multiples(city)
    publish.save_figure(fig, "01-panel-series", figures_dir)
    plt.show()
else:
    display(Markdown(f"No organ report of {panel_prefecture} in this corpus: no panel to show."))

# %% [markdown]
# ### Within-organ changes from one report to the next
#
# For each organ, each report is compared with the organ's previous report in the panel. A change
# is computed only when both reports give a value (a missing value is never a 0); `gap` is the
# number of years between the two reports (more than one: years without a report in between).


# %%
def changes(frame: pd.DataFrame, m: str) -> pd.DataFrame:
    """Consecutive reports of each organ: previous and current value, change and gap in years."""
    f = frame.sort_values(["organ_id", "year"])
    prev = f.groupby("organ_id")[["year", m]].shift()
    out = pd.DataFrame(
        {
            "organ_id": f["organ_id"],
            "name": f["organ_id"].map(frame.groupby("organ_id")["name"].last()),
            "from_year": prev["year"],
            "to_year": f["year"],
            "from": prev[m],
            "to": f[m],
        }
    ).dropna(subset=["from_year"])
    out["gap"] = (out["to_year"] - out["from_year"]).astype("Int64")
    out["change"] = out["to"] - out["from"]
    return out.reset_index(drop=True)


pairs = {m: changes(city, m) for m in MEASURES}
change_summary = pd.DataFrame(
    {
        m: {
            "consecutive report pairs": len(p),
            "pairs with both values": int(p["change"].notna().sum()),
            "of which one year apart": int((p["change"].notna() & p["gap"].eq(1)).sum()),
            "increases": int(p["change"].gt(0).sum()),
            "decreases": int(p["change"].lt(0).sum()),
            "unchanged": int(p["change"].eq(0).sum()),
            "median change": p["change"].median(),
            "median |change|": p["change"].abs().median(),
        }
        for m, p in pairs.items()
    }
)
publish.save_table(
    pd.concat(pairs, names=["measure", None]).reset_index(level=0),
    "01-panel-changes",
    tables_dir,
    caption=f"{panel_prefecture} organs: change from each report to the organ's previous one (件 / 条)",
)
publish.save_table(change_summary, "01-panel-change-summary", tables_dir, caption="Within-organ changes")
display(change_summary)
display(pairs["new_received"])

# %%
p = pairs["new_received"].dropna(subset=["change"])
if len(p):
    order = list(dict.fromkeys(p.sort_values("name")["name"]))
    fig, ax = plt.subplots(figsize=(8, 0.8 + 0.45 * len(order)), layout="constrained")
    ypos = p["name"].map({n: i for i, n in enumerate(order)}).astype(float)
    # Pairs of one organ spread evenly around its row.
    jitter = (p.groupby("name").cumcount() - (p.groupby("name")["name"].transform("size") - 1) / 2) * 0.2
    for gap_one, marker, label in ((True, "o", "相隔一年"), (False, "s", "相隔两年以上")):
        sel = p["gap"].eq(1).to_numpy() == gap_one
        ax.scatter(p["change"][sel], (ypos + jitter)[sel], marker=marker, label=label, zorder=3)
    for row, yy in zip(p.itertuples(), ypos + jitter, strict=True):
        ax.annotate(f"{int(row.from_year)}—{int(row.to_year)}", (row.change, yy), xytext=(5, -3),
                    textcoords="offset points", fontsize=7)  # fmt: skip
    ax.axvline(0, color="0.5", linestyle="--", linewidth=1)
    ax.annotate("无变化", (0, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                textcoords="offset points", fontsize=8, color="0.4")  # fmt: skip
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel("本年新收申请的变化（件，本期报告减上期报告）")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"{panel_prefecture}各机关：相邻两份报告之间的变化（{len(p)} 对，{len(order)} 个机关）")
    publish.save_figure(fig, "01-panel-changes", figures_dir)
    plt.show()

s = change_summary["new_received"]
top = pairs["new_received"].dropna(subset=["change"]).nlargest(2, "change")
rises = (
    "; ".join(
        f"{r['name']} {int(r['from_year'])}–{int(r['to_year'])}, {r['from']:,.0f} to {r['to']:,.0f} 件"
        for _, r in top.iterrows()
    )
    or "none"
)
display(
    Markdown(
        f"New applications: of {int(s['consecutive report pairs'])} consecutive report pairs, "
        f"{int(s['pairs with both values'])} have both values "
        f"({int(s['of which one year apart'])} one year apart); {int(s['increases'])} rise, "
        f"{int(s['decreases'])} fall, {int(s['unchanged'])} are unchanged (median change "
        f"{s['median change']:+.1f} 件, median absolute change {s['median |change|']:.1f} 件). "
        f"Largest rises: {rises}. "
        f"Proactive totals: only {int(change_summary.loc['pairs with both values', 'proactive_total'])} "
        "pairs have both values, too few to describe change."
    )
)

# %% [markdown]
# ### PPML with year effects on the panel, if its size allows
#
# `new_received ~ year effects`, Poisson PML with standard errors clustered by organ
# (`design_matrix(..., year="year", groups="organ_id")`): `exp(coef)` of a year is the ratio of
# that year's mean to the reference year's. It is fitted only with at least `min_nobs` organ-years
# and `min_clusters` organs: with few clusters, cluster-robust standard errors understate the
# uncertainty. The panel is unbalanced (each organ reports in different years), so without organ
# effects a year effect also reflects which organs reported that year.

# %%
panel_design = stats.design_matrix(
    city, "new_received", [], year="year", groups="organ_id", reference={"year": years[0] if years else None}
)
n_obs = len(panel_design.y)
n_clusters = int(panel_design.groups.nunique()) if panel_design.groups is not None else 0
if n_obs >= min_nobs and n_clusters >= min_clusters:
    panel_fit = stats.fit_ppml(panel_design, min_nobs=min_nobs)
    panel_table = stats.coef_table(panel_fit, exponentiate=True)
    publish.save_table(
        panel_table, "01-panel-ppml", tables_dir, caption="PPML of new applications, year effects"
    )
    notes = [panel_fit.error] if panel_fit.error else []
    notes += panel_fit.warnings
    display(
        Markdown(
            f"Fitted on N = {n_obs} organ-years, G = {n_clusters} organs; SEs {panel_fit.se_type}. "
            f"Reference year {panel_design.reference.get('year')}. "
            + ("Notes from the fit: " + "; ".join(notes) if notes else "The fit raised no warning.")
        )
    )
    display(panel_table)
else:
    display(
        Markdown(
            f"**Not fitted on this corpus.** The panel has N = {n_obs} organ-years with a value but only "
            f"G = {n_clusters} organs (clusters); the gate asks for at least {min_nobs} observations and "
            f"{min_clusters} organs. With so few organs, and {len(years)} years of which each organ covers "
            f"{reports_per_organ.min() if len(city) else 0} to "
            f"{reports_per_organ.max() if len(city) else 0}, "
            "year effects and their organ-clustered standard errors would not be reliable; the values, "
            "the per-organ series and the within-organ changes above are what this panel supports."
        )
    )

# %% [markdown]
# ## Simulated corpus (not real data): does PPML recover known parameters?
#
# Everything in this section runs on a corpus simulated by `govreports.simulate_corpus` (one
# report per organ), where the true coefficients are known. It shows the estimator works when
# there is enough data; **none of these numbers describes real organs**, and no simulated row
# enters any table above.
#
# The simulated proactive totals are log-normal: `log y = x'b + e`, with `e` normal with mean
# zero and the same standard deviation `sd` in every group. The mean is then `exp(x'b + sd²/2)`,
# so PPML, a model of the mean, recovers every group contrast `b` unchanged and the intercept
# shifted by `sd²/2`. The organ reports (scope `organ`)
# are modelled; the simulation's region-wide reports are left out, as in the real data.

# %%
sim = simulate_corpus(sim_organs, seed=sim_seed)
sim_panel = stats.report_panel(sim)
sim_organ_reports = sim_panel.loc[sim_panel["scope"] == "organ"]
sim_design = stats.design_matrix(
    sim_organ_reports, "proactive_total", ["level", "organ_type"], reference=sim.params.reference
)
sim_fit = stats.fit_ppml(sim_design, min_nobs=min_nobs)
shift = {"const": sim.params.proactive_log_sd**2 / 2}
truth = {t: sim.params.proactive_log_mean.get(t, 0.0) + shift.get(t, 0.0) for t in sim_fit.params.index}
recovery = stats.coef_table(sim_fit)
recovery["true"] = recovery["term"].map(truth)
recovery["covered"] = recovery["ci_low"].le(recovery["true"]) & recovery["ci_high"].ge(recovery["true"])
ratios = stats.coef_table(sim_fit, exponentiate=True)
ratios["true"] = np.exp(ratios["term"].map(truth))
ratios["covered"] = recovery["covered"]
publish.save_table(
    ratios,
    "01-sim-ppml",
    tables_dir,
    caption="Simulated corpus (not real data): PPML of proactive totals, exp(coef) with the true values",
)
display(
    Markdown(
        f"Fitted on N = {int(sim_fit.result.nobs)} simulated organ reports ({sim_design.dropped_rows} left "
        f"out for a missing value; redundant columns dropped: {list(sim_design.dropped_columns)}); reference "
        f"{sim_design.reference}; SEs: {sim_fit.se_type}; log-normal sd {sim.params.proactive_log_sd}, so "
        f"the true intercept is the log-mean plus {shift['const']:.2f}."
    )
)
display(ratios)

# %%
TERM_ZH = {
    "const": "常数项（参照组均值的对数）",
    "level[county]": "县级（相对地市级）",
    "level[township]": "乡镇级（相对地市级）",
    "organ_type[department]": "政府部门（相对政府办公室）",
}
fig, ax = plt.subplots(figsize=(7, 0.9 + 0.5 * len(recovery)), layout="constrained")
plotting.recovery_plot(recovery.assign(term=recovery["term"].map(TERM_ZH).fillna(recovery["term"])), ax=ax)
ax.set_xlabel("系数（对数尺度；exp(系数) 为均值之比）")
ax.legend(fontsize="small", loc="lower right")
ax.set_title(f"模拟数据 PPML：估计值与真值（{int(sim_fit.result.nobs)} 份机关报告）")
publish.save_figure(fig, "01-sim-ppml-recovery", figures_dir)
plt.show()
worst = (recovery["coef"] - recovery["true"]).abs().max()
county = ratios.set_index("term").loc["level[county]"]
display(
    Markdown(
        f"Simulated corpus: {len(sim_panel)} reports, of which {len(sim_organ_reports)} organ reports are "
        f"modelled. The largest absolute error of a coefficient is {worst:.3f} (log scale); "
        f"{int(recovery['covered'].sum())} of {len(recovery)} 95% intervals cover the true value. "
        f"Read on the ratio scale: a county organ's mean is {county['coef']:.2f} times a prefecture "
        f"organ's (true {county['true']:.2f})."
    )
)

# %% [markdown]
# With hundreds of organs the concentration measures withheld above on the real corpus
# become meaningful; here is the Lorenz curve of the simulated organ reports (simulated, not real).

# %%
fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
plotting.lorenz_plot(
    {f"{MEASURE_ZH[m]}（{UNIT[m]}）": sim_organ_reports[m].dropna().astype(float) for m in MEASURES}, ax=ax
)
ax.set_title(f"模拟数据：洛伦兹曲线（{len(sim_organ_reports)} 份机关报告）")
publish.save_figure(fig, "01-sim-lorenz", figures_dir)
plt.show()

# %% [markdown]
# ## Sensitivity: how the key numbers change
#
# The key real numbers above, recomputed under other choices:
#
# - **scope**: reports of unknown scope treated as organ reports, or as region-wide reports
#   (the main analysis leaves them out of both);
# - **solver-rebuilt values excluded**: cells the template solver rebuilt (statuses `split`,
#   `expanded`, `joined`) are set missing before the panel is built;
# - **crawled and dumped inputs excluded**: reports whose input format is `crawl` or
#   `markdown` (crawler dumps, PDF-text and OCR dumps) are dropped;
# - **doubtful prose totals excluded**: proactive totals smaller than a 共…条 count in their own
#   sentence (the organ × year panel section) are set missing.

# %%
strict_cells = corpus.cells.copy()
rebuilt = strict_cells["status"].astype("string").isin(REBUILT).fillna(False)
strict_cells["value"] = strict_cells["value"].mask(rebuilt)
strict = prepare(stats.organ_year_panel(corpus, cells=strict_cells))


def key_numbers(frame: pd.DataFrame) -> pd.Series:
    """Return the notebook's key real numbers for one version of the report frame."""
    org = frame.loc[frame["scope"] == "organ"]
    reg = frame.loc[frame["scope"] == "region_aggregate"]
    nr, pt = org["new_received"].dropna().astype(float), org["proactive_total"].dropna().astype(float)
    c = city_panel(frame)
    ch = changes(c, "new_received")["change"].dropna()
    organs_nr = latest_per_organ(org, "new_received")
    return pd.Series(
        {
            "organ reports": len(org),
            "organ reports with new applications": len(nr),
            "new applications, total (件)": nr.sum(),
            "new applications, median (件)": nr.median() if len(nr) else np.nan,
            "organ reports with 0 new applications": int((nr == 0).sum()),
            "organ reports with a proactive total": len(pt),
            "proactive total, median (条)": pt.median() if len(pt) else np.nan,
            "organs (latest report) with new applications": len(organs_nr),
            "panel organs": c["organ_id"].nunique(),
            "panel organ-years with new applications": int(c["new_received"].count()),
            "panel organ-years with a proactive total": int(c["proactive_total"].count()),
            "within-organ pairs (new applications)": len(ch),
            "within-organ median change (件)": ch.median() if len(ch) else np.nan,
            "region-wide reports": len(reg),
            "region-wide reports with new applications": int(reg["new_received"].count()),
        },
        dtype=object,
    )


scenarios = {
    "main: organ scope, unknown left out": reports,
    "unknown scope as organ": reports.assign(scope=reports["scope"].replace("unknown", "organ")),
    "unknown scope as region-wide": reports.assign(
        scope=reports["scope"].replace("unknown", "region_aggregate")
    ),
    "solver-rebuilt values excluded": strict,
    "crawl/markdown inputs excluded": reports.loc[~reports["format"].isin(CRAWLED).fillna(False)],
    "doubtful prose totals excluded": reports.assign(
        proactive_total=reports["proactive_total"].mask(reports["proactive_doubt"])
    ),
}
sensitivity = pd.DataFrame({name: key_numbers(frame) for name, frame in scenarios.items()})
publish.save_table(
    sensitivity,
    "01-sensitivity",
    tables_dir,
    caption="Key numbers under other scope, solver and input choices",
)
display(sensitivity)

# %%
main = sensitivity.iloc[:, 0]
is_new = corpus.cells["row_key"].eq("new_received") & corpus.cells["col_key"].eq("total")
rebuilt_nr = int((rebuilt & is_new).sum())
alt = sensitivity["unknown scope as organ"]
pooled = alt["new applications, total (件)"]
unknown_share = (pooled - main["new applications, total (件)"]) / pooled if pooled else np.nan
doubtful = reports.loc[reports["proactive_doubt"]]
doubt_list = "; ".join(
    f"{r['organ']} {r['year']}: {r['proactive_total']:,.0f} 条, while the sentence states "
    f"{max(int(t) for t in SENTENCE_TOTAL.findall(r['sentence'])):,} 条"
    for _, r in doubtful.iterrows()
)
display(
    Markdown(
        f"- **Scope.** Treating the {len(unknown)} reports of unknown scope as organ reports moves the "
        f"organ reports' total of new applications from {main['new applications, total (件)']:,.0f} 件 "
        f"(N = {main['organ reports with new applications']}) to "
        f"{alt['new applications, total (件)']:,.0f} 件 "
        f"(N = {alt['organ reports with new applications']}), the median from "
        f"{main['new applications, median (件)']:.1f} to {alt['new applications, median (件)']:.1f} 件, "
        f"and the number of organs from {main['organs (latest report) with new applications']} to "
        f"{alt['organs (latest report) with new applications']}. The reports of unknown scope "
        f"({', '.join(sorted(set(unknown['organ'].astype(str))))}) would contribute {unknown_share:.0%} of "
        "that pooled total, though each may cover its whole region; treating them as region-wide "
        "changes only the region-wide counts.\n"
        f"- **Solver.** {rebuilt_nr} of the new-application (总计) cells in the corpus were rebuilt by the "
        "template solver (crawled pages whose equal cells were collapsed or digits glued). Without them, "
        "the panel keeps "
        f"{sensitivity.loc['panel organ-years with new applications', 'solver-rebuilt values excluded']} "
        f"organ-years with a value instead of {main['panel organ-years with new applications']}. Each "
        "rebuilt value is the one reading of its printed cells that satisfies 表三's identities "
        "(`source_ref` gives the printed cells and the identity used).\n"
        "- **Inputs.** Without crawled and dumped inputs, "
        f"{sensitivity.loc['organ reports', 'crawl/markdown inputs excluded']} organ reports remain "
        f"and the panel has {sensitivity.loc['panel organs', 'crawl/markdown inputs excluded']} organs.\n"
        f"- **Doubtful prose totals.** {len(doubtful)} proactive total(s) fail the same-sentence screen "
        f"({doubt_list or 'none'}); without them the median proactive total of organ reports is "
        f"{sensitivity.loc['proactive total, median (条)', 'doubtful prose totals excluded']:.1f} 条 "
        f"instead of {main['proactive total, median (条)']:.1f}."
    )
)

# %% [markdown]
# ## What to cite, and what not to

# %%
strict_years = sensitivity.loc["panel organ-years with new applications", "solver-rebuilt values excluded"]
display(
    Markdown(
        "- The values, per-organ series and within-organ changes are exact summaries of the parsed reports, "
        f"with N stated; they describe those organs only ({len(organs)} organ reports, "
        f"{city['organ_id'].nunique()} organs in the {panel_prefecture} panel). "
        f"{main['panel organ-years with new applications'] - strict_years} of the panel's "
        f"{main['panel organ-years with new applications']} organ-year values of new applications are "
        "values the template solver rebuilt (see the sensitivity section).\n"
        f"- Withheld because N is below its gate: "
        + (
            ", ".join(
                [f"the Gini coefficient of {MEASURE_ZH[m]}" for m in MEASURES if not large[m]]
                + ([] if n_obs >= min_nobs and n_clusters >= min_clusters else ["the panel PPML"])
            )
            or "nothing"
        )
        + ". The simulated section shows the estimator, not the world.\n"
        "- Region-wide reports and reports of unknown scope are never added to organ reports."
    )
)

# %% [markdown]
# ## Package versions

# %%
publish.versions()
