# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Zero applications (零申请): who receives none, how applications end, and how to model it
#
# Many organs report that they received no information-disclosure application in the year
# (表三, row `new_received`, column `total` equal to 0). This notebook
#
# 1. measures the share of organs with zero new applications, with Wilson confidence intervals,
#    by level and organ type, counting each organ once;
# 2. shows the derived indicators of 表三 and 表四 (予以公开率, 实质公开率, 不予处理占比, reviews and
#    lawsuits per hundred applications, 纠错率) per scope, with their numerators and denominators,
#    and for the panel of 莆田 city departments over the years;
# 3. compares count models for the number of applications (Poisson, negative binomial,
#    zero-inflated ZIP/ZINB and hurdle models) by AIC and BIC, and tests zero inflation with the
#    test each pair of models needs;
# 4. asks what explains the zero process;
# 5. describes how applications ended for the organs that did receive some.
#
# **Why zeros matter.** A zero can mean two different things: an organ nobody asks (there is no
# demand, or the public does not know it holds anything), or an organ that could be asked and
# happened not to be this year. Totals and means are driven by the few organs with many
# applications, so the share of zeros is the better summary of how widely the procedure is used.
# For models, a count distribution that cannot produce enough zeros misstates both the chance of
# receiving any application and the volume among organs that do. Zero-inflated models (ZIP, ZINB)
# add a latent "never asked" class, modelled by a logit, to a Poisson or NB count that can itself
# be zero. A hurdle model is a logit of zero versus some, then a zero-truncated Poisson or NB
# count for the organs with at least one application: every zero comes from the logit. We found
# no study that models organ-level application counts this way, but our literature search was
# limited.
#
# **Scope.** Organ-level statistics use organ reports (`scope == "organ"`) only; region-wide
# reports (本级政府, `region_aggregate`) add up many organs and reports whose scope could not be
# decided (`unknown`) are shown on their own, never pooled with organ reports. One organ observed
# in several years is one organ: zero shares and their Wilson intervals use **one report per
# organ, its latest year with a number**, because the interval assumes independent observations.
# Models on the real corpus cluster their standard errors by organ. The bundled corpus is small:
# every table states N, and the models run on the real data only when there are enough organ
# reports. The model comparison is demonstrated on a simulated corpus with known parameters, in
# its own section. The indicators are defined in the [codebook](../docs/codebook.md).

# %%
"""Zero applications: zero shares, derived indicators, count models and tests, outcome composition."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from govreports import plotting, publish, stats
from govreports.io import read_processed
from govreports.simulate import simulate_corpus

# %% tags=["parameters"]
processed_dir = "../data/processed"
figures_dir = "../figures"
tables_dir = "../tables"
min_nobs = 50  # fewest organ reports for which count models are fitted
sim_organs = 2000  # size of the simulated corpus (simulated section only; 500 or more)
sim_seed = 2

# %%
family = plotting.setup_fonts(style="whitegrid")
corpus = read_processed(processed_dir)
panel = stats.organ_year_panel(corpus)  # one row per report, with the organ_id linking years
panel["scope"] = panel["scope"].astype("string").fillna("unknown")
counts = stats.corpus_counts(corpus)
organs = panel.loc[panel["scope"] == "organ"]

LEVEL_ZH = stats.CATEGORY_LABELS["level"]
TYPE_ZH = stats.CATEGORY_LABELS["organ_type"]
SCOPE_ZH = stats.CATEGORY_LABELS["scope"]
MODEL_ZH = {
    "poisson": "泊松",
    "negbin": "负二项 NB2",
    "zip": "零膨胀泊松 ZIP",
    "zinb": "零膨胀负二项 ZINB",
    "hurdle_poisson": "栅栏：logit + 截断泊松",
    "hurdle_negbin": "栅栏：logit + 截断负二项",
}


def zh(value, names):
    """Chinese name of a code (the code itself when there is none; 未知 for a missing value)."""
    return "未知" if pd.isna(value) else names.get(str(value), str(value))


def share(value, digits=0):
    """Format a proportion as a percentage, or n/a when it is undefined."""
    return "n/a" if pd.isna(value) else f"{value:.{digits}%}"


scope_table = panel.groupby("scope").agg(
    reports=("report_id", "size"),
    organs=("organ_id", "nunique"),
    first_year=("year", "min"),
    last_year=("year", "max"),
    no_tables=("template", lambda t: int(t.eq("none").sum())),
)
scope_table.insert(0, "范围", [zh(s, SCOPE_ZH) for s in scope_table.index])
display(counts.to_frame("N"))
display(scope_table)
display(
    Markdown(
        f"{len(panel)} reports of {panel['organ_id'].nunique()} organs (organs linked across years by "
        f'`stats.organ_ids`). Reports before 2019 have no tables (`template == "none"`): '
        f"{int(panel['template'].eq('none').sum())}; they are listed, and every value read from "
        "tables is missing for them."
    )
)

# %% [markdown]
# ## Share of organs with zero new applications
#
# Each organ counts once: its latest report that prints a number for new applications (the
# intervals below assume independent observations, which several years of one organ are not).
# `n` counts organs; organs whose every report left the cell blank are in `missing` and are not
# counted as zeros.


# %%
def latest_per_organ(frame, column="new_received"):
    """Each organ's latest report with a number in ``column`` (else its latest report)."""
    ordered = frame.assign(_has=frame[column].notna()).sort_values(
        ["organ_id", "_has", "year", "report_id"], na_position="first", kind="stable"
    )
    return ordered.groupby("organ_id", sort=False).tail(1).drop(columns="_has")


latest = latest_per_organ(organs)
overall = stats.zero_share_table(latest)
by_group = {by: stats.zero_share_table(latest, by) for by in ["level", "organ_type", "province"]}
row = overall.to_dict("records")[0]
earlier = len(organs) - len(latest)
display(overall)
display(
    Markdown(
        f"Organs (scope organ) with zero new applications in their latest report: **{row['zeros']} of "
        f"{row['n']}** ({share(row['share'])}; 95% Wilson interval {share(row['ci_low'])} to "
        f"{share(row['ci_high'])}). Organs without a number in any report: {row['missing']}. "
        f"{earlier} earlier reports of the same organs are not counted here (they are in the table by "
        "year below, where each organ appears at most once a year)."
        if row["n"]
        else "No organ report has a number for new applications."
    )
)
names = {"level": LEVEL_ZH, "organ_type": TYPE_ZH, "province": {}}
parts = [overall.assign(by="全部", group="全部")]
for by, table in by_group.items():
    parts.append(table.assign(by=by, group=[zh(g, names[by]) for g in table[by]]))
zero_shares = pd.concat(parts, ignore_index=True)
zero_shares = zero_shares[["by", "group", "reports", "n", "missing", "zeros", "share", "ci_low", "ci_high"]]
display(zero_shares)
publish.save_table(
    zero_shares,
    "02-zero-share",
    tables_dir,
    caption=f"Organs with zero new applications (latest report per organ, N = {row['n']} organs)",
)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5), layout="constrained")
for ax, by, title in zip(axes, ["level", "organ_type"], ["按行政级别", "按机关类型"], strict=True):
    table = by_group[by].assign(**{by: [zh(g, names[by]) for g in by_group[by][by]]})
    plotting.zero_share_plot(table, by, ax=ax)
    ax.set_xlabel("零申请机关占比（95% Wilson 区间；括号内为 零申请机关数/机关数）")
    ax.set_title(title)
fig.suptitle(f"零申请机关占比：每个机关取最近一年的报告（机关本身的报告，N = {row['n']} 个机关）")
publish.save_figure(fig, "02-zero-share", figures_dir)
plt.show()

# %% [markdown]
# **By year.** Within one year an organ has one report (unless the corpus holds two for it, which
# the line under the table counts), so a Wilson interval per year is defined; the organs differ
# from year to year (the bundled reports are whatever was collected), so a change between years is
# not a trend.

# %%
by_year = stats.zero_share_table(organs, "year")
duplicates = int(organs["duplicate"].sum())
display(by_year)
publish.save_table(
    by_year, "02-zero-share-by-year", tables_dir, caption="Organ reports with zero new applications, by year"
)
display(
    Markdown(
        f"Organ reports with two reports for one organ and year: {duplicates}"
        + (" (they would count twice in a year: filter them first)." if duplicates else ".")
    )
)

# %% [markdown]
# Region-wide reports and reports of undecided scope, on their own (a zero in a region-wide
# report means no organ in the region was asked), also one report per organ:

# %%
other_scopes = pd.concat(
    [
        stats.zero_share_table(latest_per_organ(panel.loc[panel["scope"] == scope])).assign(scope=scope)
        for scope in ["region_aggregate", "unknown"]
    ],
    ignore_index=True,
).drop(columns="group")
display(other_scopes)

# %% [markdown]
# The prose of a report often says "未收到政府信息公开申请". The soft check `TXT.NEW_RECEIVED`
# compares the number stated in the prose with 表三 (all scopes; one row per report):

# %%
prose = corpus.checks.loc[corpus.checks["check_id"] == "TXT.NEW_RECEIVED"]
report_scope = panel[["report_id", "organ", "year", "scope"]].rename(columns={"scope": "report_scope"})
prose = prose[["report_id", "lhs", "rhs", "status"]].merge(report_scope, on="report_id", how="left")
display(pd.crosstab(prose["report_scope"], prose["status"].astype("string"), margins=True))
disagree = prose.loc[prose["status"].astype("string") == "fail", ["report_id", "organ", "year", "lhs", "rhs"]]
display(disagree)
display(
    Markdown(
        f"Reports whose prose states a number of new applications: {len(prose)}; it agrees with 表三 "
        f"in {int((prose['status'].astype('string') == 'pass').sum())} and disagrees in {len(disagree)}."
    )
)

# %% [markdown]
# ## Derived indicators (real corpus)
#
# `stats.indicators(corpus)` computes, per report, the ratios defined in the
# [codebook](../docs/codebook.md): 予以公开率 (`full_grant_rate`: granted in full / decided on the
# merits), 实质公开率 (`substantive_grant_rate`: granted in full or in part / all processed),
# 不予处理占比 (`not_processed_share`), administrative reviews and lawsuits per hundred new
# applications (`reviews_per_100`, `lawsuits_per_100`) and the 纠错率 of reviews and lawsuits
# (corrected / decided), with the refusal shares beside them. A cell counts only when the report
# printed a number; an indicator is missing when any of its cells is, and undefined when its
# denominator is 0 (an organ with no applications has no disclosure rate).
#
# The table pools within each scope: Σ numerator / Σ denominator over the reports where both are
# present (`numerator`, `denominator` are those sums), next to the count of reports where the
# indicator is defined, has a zero denominator, or is missing. Several years of one organ enter
# as several reports of it (`organs` says how many organs).

# %%
long = stats.indicators(corpus)
wide = stats.indicators_wide(long, panel)
KEYS = list(stats.INDICATORS)
REQUESTED = [
    "full_grant_rate",
    "substantive_grant_rate",
    "not_processed_share",
    "reviews_per_100",
    "lawsuits_per_100",
    "review_correction_rate",
    "litigation_correction_rate",
]


def pooled_indicators(reports, by=None):
    """Pool each indicator over ``reports`` (ids), by group: sums of numerators and denominators."""
    data = long.merge(panel[["report_id", "organ_id", "scope", "year"]], on="report_id")
    data = data.loc[data["report_id"].isin(reports)]
    rows = []
    keys = [by] if by else []
    for key, group in data.groupby([*keys, "indicator"], sort=False):
        indicator = stats.INDICATORS[key[-1]]
        both = group["numerator"].notna() & group["denominator"].notna()
        num, den = group.loc[both, "numerator"].sum(), group.loc[both, "denominator"].sum()
        rows.append(
            dict(zip(keys, key[:-1], strict=True))
            | {
                "indicator": indicator.key,
                "name": indicator.name,
                "reports": len(group),
                "organs": group["organ_id"].nunique(),
                "defined": int(group["value"].notna().sum()),
                "zero_denominator": int((both & group["denominator"].eq(0)).sum()),
                "missing": int((~both).sum()),
                "numerator": float(num),
                "denominator": float(den),
                "pooled": float(num / den * indicator.per) if den > 0 else np.nan,
                "median": float(group["value"].median()) if group["value"].notna().any() else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    table["indicator"] = pd.Categorical(table["indicator"], KEYS, ordered=True)
    return table.sort_values([*keys, "indicator"], kind="stable").reset_index(drop=True)


by_scope = pd.concat(
    [
        pooled_indicators(set(panel.loc[panel["scope"] == scope, "report_id"])).assign(scope=scope)
        for scope in ["organ", "region_aggregate", "unknown"]
    ],
    ignore_index=True,
)
by_scope.insert(0, "scope", by_scope.pop("scope"))
display(by_scope)
publish.save_table(
    by_scope,
    "02-indicators-by-scope",
    tables_dir,
    caption="Derived indicators pooled within scope (sums of numerators and denominators, N reports)",
)
organ_rows = by_scope.loc[by_scope["scope"] == "organ"].set_index("indicator", drop=False)


def pooled_sentence(key):
    """One indicator of the organ scope, pooled, with its sums and report counts."""
    r = organ_rows.loc[key]
    per = stats.INDICATORS[key].per
    value = (
        "undefined" if pd.isna(r["pooled"]) else f"{r['pooled']:.2f}" if per != 1 else share(r["pooled"], 1)
    )
    return (
        f"{r['name']} {value} ({r['numerator']:,.0f} / {r['denominator']:,.0f}; defined in "
        f"{r['defined']} of {r['reports']} reports, denominator 0 in {r['zero_denominator']}, missing in "
        f"{r['missing']})"
    )


display(
    Markdown(
        "Organ reports, pooled: "
        + "; ".join(pooled_sentence(k) for k in REQUESTED)
        + ". Per-hundred rates are reviews or lawsuits per hundred new applications; the denominators "
        "are small, so these describe the bundled organs and estimate nothing."
    )
)
substantive = long.loc[long["indicator"] == "substantive_grant_rate"].merge(
    panel[["report_id", "organ", "year", "scope"]], on="report_id"
)
substantive = substantive.loc[
    (substantive["scope"] == "organ") & substantive["numerator"].notna() & substantive["denominator"].notna()
]
if substantive["denominator"].sum() > 0:
    top = substantive.loc[substantive["denominator"].astype(float).idxmax()]
    display(
        Markdown(
            f"One organ report, {top['organ']} {top['year']}, holds {top['denominator']:,.0f} of the "
            f"{substantive['denominator'].sum():,.0f} processed applications in the pooled organ-scope "
            f"实质公开率 ({top['denominator'] / substantive['denominator'].sum():.0%}): pooled rates are "
            "mostly the largest organs' rates, while the `median` column weights every report alike."
        )
    )

# %% [markdown]
# ### The 莆田 panel: city departments over the years
#
# The bundled 莆田 reports include a panel of city departments (`scope == "organ"`, organ type
# department, the adcode of 莆田市), linked across years and renamings by `organ_id`. Below, the new
# applications per department and year, then each report's indicators as `value (numerator /
# denominator)`: `—` marks an undefined rate (denominator 0), `缺` a missing cell.

# %%
putian = wide.loc[
    (wide["adcode"] == "350300") & (wide["scope"] == "organ") & (wide["organ_type"] == "department")
].copy()
putian_tables = putian.loc[putian["template"] != "none"]
departments = putian["organ_id"].nunique()
years = sorted(putian_tables["year"].dropna().astype(int).unique())
name_of = putian.sort_values("year").groupby("organ_id")["organ"].last()

grid = putian_tables.pivot(index="organ_id", columns="year", values="new_received").astype(float)
grid = grid.reindex(columns=years)
grid.index = [name_of[i] for i in grid.index]
fig, ax = plt.subplots(figsize=(1.1 * len(years) + 3, 0.45 * len(grid) + 1.5), layout="constrained")
largest = float(np.nanmax(grid.to_numpy())) if grid.notna().any().any() else 1.0
cmap = plt.get_cmap("Blues").copy()
cmap.set_bad("0.93")  # no report for that department and year
image = ax.imshow(
    np.ma.masked_invalid(np.log1p(grid.to_numpy())), cmap=cmap, aspect="auto", vmin=0, vmax=np.log1p(largest)
)
for (i, j), value in np.ndenumerate(grid.to_numpy()):
    text = "无报告" if np.isnan(value) else f"{value:,.0f}"
    dark = not np.isnan(value) and np.log1p(value) > 0.6 * np.log1p(largest)
    color = "0.55" if np.isnan(value) else "white" if dark else "black"
    ax.text(j, i, text, ha="center", va="center", fontsize=8, color=color)
ax.set_xticks(range(len(years)), [str(y) for y in years])
ax.set_yticks(range(len(grid)), grid.index)
ax.set_xlabel("报告年度")
ax.grid(False)
colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
ticks = [t for t in (0, 1, 2, 5, 10, 20, 50, 100, 1000) if t <= largest]
colorbar.set_ticks(np.log1p(ticks), labels=[str(t) for t in ticks])
colorbar.set_label("本年新收申请（件，对数刻度）")
ax.set_title(
    f"莆田市政府部门本年新收政府信息公开申请（件）：{departments} 个部门，{len(putian_tables)} 份报告"
)
publish.save_figure(fig, "02-putian-new-applications", figures_dir)
plt.show()


def cell(report, key):
    """One report's indicator as ``value (numerator/denominator)``; — undefined, 缺 missing."""
    rows = long.loc[(long["report_id"] == report) & (long["indicator"] == key)].iloc[0]
    num, den, value = rows["numerator"], rows["denominator"], rows["value"]
    if pd.isna(num) or pd.isna(den):
        return "缺"
    ratio = f"({num:,.0f}/{den:,.0f})"
    if pd.isna(value):
        return f"— {ratio}"
    return f"{value:.1f} {ratio}" if stats.INDICATORS[key].per != 1 else f"{value:.0%} {ratio}"


putian_table = putian_tables.sort_values(["organ_id", "year"])[
    ["organ", "year", "template", "new_received"]
].rename(columns={"organ": "机关", "year": "年度", "template": "模板", "new_received": "本年新收（件）"})
for key in REQUESTED:
    putian_table[stats.INDICATORS[key].name] = [
        cell(r, key) for r in putian_tables.sort_values(["organ_id", "year"])["report_id"]
    ]
putian_table = putian_table.reset_index(drop=True)
display(putian_table)
publish.save_table(
    putian_table,
    "02-putian-indicators",
    tables_dir,
    caption="莆田 city departments: indicators per report, value (numerator/denominator)",
)

putian_years = pooled_indicators(set(putian_tables["report_id"]), by="year")
putian_years = putian_years.loc[putian_years["indicator"].isin(REQUESTED)]
putian_years["text"] = [
    "— (0/0)"
    if r.denominator == 0
    else f"{r.pooled:.1f} ({r.numerator:,.0f}/{r.denominator:,.0f})"
    if stats.INDICATORS[r.indicator].per != 1
    else f"{r.pooled:.0%} ({r.numerator:,.0f}/{r.denominator:,.0f})"
    for r in putian_years.itertuples()
]
putian_by_year = putian_tables.groupby("year").agg(
    departments=("organ_id", "nunique"), new_received=("new_received", "sum")
)
putian_by_year = putian_by_year.join(
    putian_years.pivot(index="year", columns="indicator", values="text")[REQUESTED].rename(
        columns={k: stats.INDICATORS[k].name for k in REQUESTED}
    )
)
display(Markdown("Pooled over the departments that reported in each year, `value (numerator/denominator)`:"))
display(putian_by_year)
publish.save_table(
    putian_by_year.reset_index(),
    "02-putian-indicators-by-year",
    tables_dir,
    caption="莆田 city departments: indicators pooled per year, value (numerator/denominator)",
)
panel_values = long.loc[
    long["report_id"].isin(putian_tables["report_id"]) & long["indicator"].isin(REQUESTED)
]
corrections = panel_values.loc[
    panel_values["indicator"].isin(["review_correction_rate", "litigation_correction_rate"])
]
appeals = putian_tables[["review", "litigation"]].sum()
display(
    Markdown(
        f"The panel holds {len(putian)} reports of {departments} departments "
        f"({len(putian) - len(putian_tables)} before 2019, without tables); {len(putian_tables)} reports "
        f"over {len(years)} years have tables, {int(putian_tables['new_received'].eq(0).sum())} of them with "
        f"zero new applications, and {putian_tables['new_received'].sum():,.0f} new applications in all. "
        f"Of the {len(panel_values)} report × indicator values in the table, "
        f"{int(panel_values['value'].notna().sum())} are defined, "
        f"{int((panel_values['denominator'] == 0).sum())} have a zero denominator and "
        f"{int((panel_values['numerator'].isna() | panel_values['denominator'].isna()).sum())} miss a cell. "
        f"Administrative reviews in the panel: {appeals['review']:,.0f}; "
        f"lawsuits: {appeals['litigation']:,.0f}; "
        f"纠错率 defined in {int(corrections['value'].notna().sum())} of {len(corrections)} report values. "
        "With counts this small the panel shows how the indicators behave, not how these departments compare."
    )
)

# %% [markdown]
# ## Count models on this corpus
#
# Applications per organ report, with level and organ type as covariates (the most frequent level
# and type are the reference). Models: Poisson; negative binomial (NB2, extra variance); ZIP and
# ZINB (a logit "never asked" class plus a Poisson or NB count); hurdle models (a logit of zero
# versus some, then a zero-truncated Poisson or NB count). Standard errors are robust, and
# cluster-robust by organ (`groups="organ_id"`) because an organ appears in several years. The
# models are fitted only with at least `min_nobs` organ reports; otherwise the table says why not.

# %%
design = stats.design_matrix(organs, "new_received", ["level", "organ_type"], groups="organ_id")
fits = stats.fit_count_models(design, min_nobs=min_nobs, groups=design.groups)
display(
    fits.table[
        [
            "label",
            "nobs",
            "k",
            "aic",
            "bic",
            "observed_zeros",
            "expected_zeros",
            "converged",
            "se_type",
            "error",
        ]
    ]
)
best = fits.best("bic")
clusters = design.groups.nunique() if design.groups is not None else 0
display(
    Markdown(
        f"Lowest BIC among converged models on this corpus: "
        f"**{fits.table.set_index('model').loc[best, 'label']}** (N = {fits.nobs} reports of {clusters} "
        f"organs, zeros {fits.zeros})."
        if best
        else f"No model fitted on this corpus: N = {fits.nobs} organ reports of {clusters} organs with level "
        f"and organ type known, fewer than {min_nobs} ({design.dropped_rows} left out for a missing value)."
    )
)
if best:
    display(
        stats.zero_inflation_tests(fits)[["comparison", "test", "statistic", "pvalue", "preferred", "note"]]
    )

# %% [markdown]
# ## Simulated corpus (not real data): comparing the models when the truth is known
#
# Everything in this section runs on a corpus simulated by `govreports.simulate_corpus`, built
# on the library's report generator. Applications follow a zero-inflated negative binomial
# process whose parameters are known (`sim.params`): a level- and type-dependent share of organs
# is never asked, the rest draw NB counts. Each simulated organ has one report, so standard errors
# are heteroskedasticity-robust (HC0) rather than clustered. **None of these numbers describes
# real organs**, and no simulated report enters the tables above.

# %%
sim = simulate_corpus(sim_organs, seed=sim_seed)
sim_panel = stats.report_panel(sim)
sim_organ_reports = sim_panel.loc[sim_panel["scope"] == "organ"]
sim_design = stats.design_matrix(
    sim_organ_reports, "new_received", ["level", "organ_type"], reference=sim.params.reference
)
sim_fits = stats.fit_count_models(sim_design, min_nobs=min_nobs)
comparison = sim_fits.table[
    [
        "model",
        "label",
        "k",
        "llf",
        "aic",
        "bic",
        "delta_aic",
        "delta_bic",
        "observed_zeros",
        "expected_zeros",
        "converged",
        "se_type",
        "warnings",
    ]
]
display(comparison)
publish.save_table(
    comparison.drop(columns="warnings"),
    "02-sim-model-comparison",
    tables_dir,
    caption=f"Simulated corpus (not real data): count models of new applications, N = {sim_fits.nobs} organs",
)

# %%
fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
shown = sim_fits.table.iloc[::-1]
y = np.arange(len(shown))
ax.scatter(shown["expected_zeros"], y, color="tab:blue", zorder=3)
for yi, value in zip(y, shown["expected_zeros"], strict=True):
    ax.annotate(f"{value:,.0f}", (value, yi), xytext=(5, 3), textcoords="offset points", fontsize=8)
ax.axvline(sim_fits.zeros, color="tab:red", linestyle="--", linewidth=1)
ax.annotate(
    f"观测到的零申请机关 = {sim_fits.zeros:,}",
    (sim_fits.zeros, 1.0),
    xycoords=("data", "axes fraction"),
    xytext=(-4, -12),
    textcoords="offset points",
    ha="right",
    color="tab:red",
    fontsize=8,
)
ax.set_yticks(y, [MODEL_ZH[m] for m in shown["model"]])
ax.set_xlim(0, max(shown["expected_zeros"].max(), sim_fits.zeros) * 1.15)
ax.set_xlabel("模型预期的零申请机关数（个）")
ax.set_title(f"模拟数据（非真实数据）：各模型预期的零值个数，N = {sim_fits.nobs:,} 个机关")
publish.save_figure(fig, "02-sim-expected-zeros", figures_dir)
plt.show()

# %% [markdown]
# ### Testing zero inflation: the test each pair needs
#
# Which test applies depends on whether one model is the other with a parameter fixed:
#
# - **Nested pairs** (NB vs Poisson, ZIP vs Poisson, ZINB vs NB, ZINB vs ZIP): the smaller model
#   is the larger one with the zero-inflation probability π = 0 or the NB dispersion α = 0 (a
#   value on the boundary of the parameter space). Under that null the likelihood-ratio statistic is
#   not χ²(1) but the mixture ½χ²(0) + ½χ²(1) (a point mass at zero half the time), so the
#   p-value is half the χ²(1) tail: the **boundary-corrected likelihood-ratio test**. For π = 0
#   the inflation part is refitted with a constant only (inflation covariates are not identified
#   when π = 0). ZIP vs Poisson is also tested by **van den Broek's score test**, which needs only
#   the Poisson fit.
# - **Non-nested pairs** (ZINB vs the NB hurdle, ZIP vs the Poisson hurdle): neither model is a
#   special case of the other (a zero-inflated model mixes a "never asked" class into a count that
#   can also be zero; a hurdle sends every zero through its logit), so **Vuong's test** compares
#   their fit, with a BIC penalty for parameters.
#
# Vuong's test is not used on nested pairs: when the smaller model is true the two models give
# the same likelihood for every organ, the variance of the log-likelihood ratio is zero, and the
# statistic is not normal, so its p-values mean nothing there (the library refuses such pairs).

# %%
tests = stats.zero_inflation_tests(sim_fits)
test_columns = ["comparison", "test", "null_distribution", "statistic", "pvalue", "preferred", "why", "note"]
display(tests[test_columns])
publish.save_table(
    tests[test_columns],
    "02-sim-zero-inflation-tests",
    tables_dir,
    caption=f"Simulated corpus (not real data): overdispersion and zero-inflation tests, N = {sim_fits.nobs}",
)
sim_best = sim_fits.best("bic")
labels = sim_fits.table.set_index("model")["label"]
poisson_zeros = sim_fits.table.set_index("model").loc["poisson", "expected_zeros"]
zinb_nb = tests.set_index("key").loc["zinb_vs_negbin_lr"]


def pvalue_text(p):
    """Format a p-value for prose."""
    return "n/a" if pd.isna(p) else "< 1e-16" if p < 1e-16 else f"= {p:.2g}"


display(
    Markdown(
        f"On {sim_fits.nobs:,} simulated organs ({sim_fits.zeros:,} zeros), the Poisson model expects only "
        f"{poisson_zeros:,.0f} zeros. Lowest BIC: **{labels[sim_best]}**. "
        + " ".join(
            f"{r.comparison} ({r.test}): statistic {r.statistic:.2f}, p {pvalue_text(r.pvalue)}, "
            f"preferred: {labels.get(r.preferred, r.preferred)}."
            for r in tests.itertuples()
        )
        + f" Zero inflation beyond the NB's zeros is tested by ZINB vs NB (LR = {zinb_nb.statistic:.1f}, "
        f"p {pvalue_text(zinb_nb.pvalue)}); the tests against the Poisson reject mainly because the "
        "Poisson is overdispersed, as their notes say."
        + " ZINB and the NB hurdle model often fit about equally well: they differ in where the zeros "
        "come from, not in how many there are, which is why the data alone rarely choose between them."
    )
)

# %% [markdown]
# ### Does ZINB recover the parameters that generated the data?
#
# Coefficients on their fitted scale: the inflation part in log-odds of the "never asked" class,
# the count part in log means, and α.

# %%
truth = (
    {f"inflate_{k}": v for k, v in sim.params.zero_logit.items()}
    | dict(sim.params.count_log_mean)
    | {"alpha": sim.params.nb_alpha}
)
recovery = stats.coef_table(sim_fits.fits["zinb"])
recovery["true"] = recovery["term"].map(lambda t: truth.get(t, 0.0))
recovery["covered"] = recovery["ci_low"].le(recovery["true"]) & recovery["ci_high"].ge(recovery["true"])
display(recovery)
publish.save_table(
    recovery,
    "02-sim-zinb-recovery",
    tables_dir,
    caption=f"Simulated corpus (not real data): ZINB estimates and the true values, N = {sim_fits.nobs}",
)
COVARIATE_ZH = {
    "const": "常数项",
    "level[county]": "县级（对地市级）",
    "level[township]": "乡镇级（对地市级）",
    "organ_type[department]": "政府部门（对政府办）",
    "organ_type[township]": "乡镇政府（对政府办）",
}


def term_zh(term):
    """Chinese label of a ZINB term, naming its part."""
    if term == "alpha":
        return "离散参数 α"
    if term.startswith("inflate_"):
        return "零膨胀：" + COVARIATE_ZH.get(term.removeprefix("inflate_"), term)
    return "计数：" + COVARIATE_ZH.get(term, term)


ax = plotting.recovery_plot(recovery.assign(term=recovery["term"].map(term_zh)))
ax.legend(fontsize="small", loc="lower right")
ax.set_xlabel("系数（零膨胀部分：对数几率；计数部分：对数均值；α：原尺度）")
ax.set_title(f"模拟数据（非真实数据）：ZINB 参数还原，N = {sim_fits.nobs:,} 个机关")
publish.save_figure(ax.figure, "02-sim-zinb-recovery", figures_dir)
plt.show()
display(
    Markdown(
        f"{int(recovery['covered'].sum())} of {len(recovery)} 95% intervals cover the true value; the "
        f"largest absolute error is {(recovery['coef'] - recovery['true']).abs().max():.3f}."
    )
)

# %% [markdown]
# ### What explains the zero process?
#
# The inflation part of ZINB models the chance that an organ is never asked. Below, the estimated
# probability of being in that class, averaged by level and organ type, next to the value used in
# the simulation and the observed share of zeros (which is higher: organs that can be asked may
# still receive none).

# %%
zinb = sim_fits.fits["zinb"].result
groups = sim_organ_reports.loc[sim_design.y.index, ["report_id", "level", "organ_type"]]
groups = groups.assign(
    estimated=1 - zinb.predict(which="prob-main"),
    true=groups["report_id"].map(sim.truth.set_index("report_id")["true_zero_probability"]),
    observed_zero=sim_design.y.eq(0).to_numpy(),
)
zero_process = groups.groupby(["level", "organ_type"])[["estimated", "true", "observed_zero"]].mean()
zero_process["n"] = groups.groupby(["level", "organ_type"]).size()
display(zero_process)

# %% [markdown]
# The inflation coefficients are log-odds of the "never asked" class (`part == "inflation"` in
# `coef_table`, never exponentiated by it). Their odds ratios are computed here explicitly,
# `exp(log-odds)` with the interval's bounds exponentiated, and labelled as such. The count part's
# `exp(coef)` are rate ratios among organs outside that class.

# %%
zinb_coefs = stats.coef_table(sim_fits.fits["zinb"])
inflation = zinb_coefs.loc[zinb_coefs["part"] == "inflation"].copy()
inflation["true_log_odds"] = inflation["term"].map(lambda t: truth.get(t, 0.0))
inflation = inflation.rename(
    columns={"coef": "log_odds", "ci_low": "log_odds_ci_low", "ci_high": "log_odds_ci_high"}
)
inflation["odds_ratio_exp_log_odds"] = np.exp(inflation["log_odds"])
inflation["odds_ratio_ci_low"] = np.exp(inflation["log_odds_ci_low"])
inflation["odds_ratio_ci_high"] = np.exp(inflation["log_odds_ci_high"])
inflation = inflation.drop(columns="scale").reset_index(drop=True)
display(inflation)
publish.save_table(
    inflation,
    "02-sim-zinb-inflation",
    tables_dir,
    caption="Simulated corpus (not real data): ZINB inflation part, log-odds and odds ratios",
)
rate_ratios = stats.coef_table(sim_fits.fits["zinb"], exponentiate=True)
display(rate_ratios.loc[rate_ratios["part"] == "count"])
township = inflation.set_index("term").loc["inflate_level[township]"]
display(
    Markdown(
        f"A township government has {township['odds_ratio_exp_log_odds']:.1f} times the odds of a "
        "prefecture-level government office (the reference) of being in the never-asked class (95% CI "
        f"{township['odds_ratio_ci_low']:.1f} to {township['odds_ratio_ci_high']:.1f}; true "
        f"{np.exp(township['true_log_odds']):.1f}). These describe the simulation's design, not real organs."
    )
)

# %% [markdown]
# ## How applications ended, for organs that received some
#
# Pooled within each scope over the reports with at least one processed application and every
# outcome printed: grant rate = (予以公开 + 部分公开) / processed; practical refusals are 无法提供
# (`unable_*`: the organ does not hold the information, it would have to be created, the request
# stayed unclear); legal exemptions are 不予公开 (`withheld_*`); `practical_share` = practical /
# (practical + legal), the comparison behind the finding that practical reasons, not legal
# exemptions, drive refusals; backlog = carried forward / (new + carried over). Scopes are rows of
# their own, never summed; several years of one organ are several reports of it (`organs`).

# %%
composition = stats.outcome_composition(panel, "scope")
outcome_parts = list(stats.OUTCOME_PARTS)
needed = [*outcome_parts, "total_processed"]
used = panel[needed].notna().all(axis=1) & panel["total_processed"].gt(0).fillna(False)
composition.insert(
    3,
    "organs",
    composition["scope"].map(panel.loc[used].groupby("scope")["organ_id"].nunique()).fillna(0).astype(int),
)
composition.insert(1, "范围", [zh(s, SCOPE_ZH) for s in composition["scope"]])
display(composition)
publish.save_table(
    composition,
    "02-outcome-composition",
    tables_dir,
    caption="How processed applications ended, pooled within scope (N reports and organs)",
)
parts_missing = panel.loc[panel["total_processed"].gt(0).fillna(False) & ~used]
parts_missing = parts_missing.assign(
    missing_parts=[", ".join(p for p in outcome_parts if pd.isna(r[p])) for _, r in parts_missing.iterrows()]
)[["report_id", "organ", "year", "scope", "total_processed", "missing_parts"]]
display(
    Markdown(
        f"Reports that processed applications but leave a blank outcome part, and so are not in the "
        f"composition (the indicators above need fewer cells and may still use them): {len(parts_missing)}."
    )
)
display(parts_missing)
display(Markdown("Organ reports only, by level:"))
display(stats.outcome_composition(organs, "level"))
c = composition.set_index("scope").to_dict("index").get("organ", {"n": 0})
display(
    Markdown(
        f"Organ reports used: **{c['n']}** of {c['reports']} ({c['organs']} organs; {c['no_applications']} "
        f"processed none, {c['incomplete']} with a blank outcome cell), with {c['processed']:,.0f} processed "
        f"applications. Grant rate {share(c['grant_rate'])}; practical share of refusals "
        f"{share(c['practical_share'])}; backlog {share(c['backlog'])}. With N this small these describe "
        "these organs; they estimate nothing."
        if c["n"]
        else "No organ report processed any application."
    )
)

# %% [markdown]
# On the simulated corpus (not real data; organ reports only) the pooled shares recover the
# outcome shares used to generate it:

# %%
sim_composition = stats.outcome_composition(sim_organ_reports).to_dict("records")[0]
true_shares = pd.Series(sim.params.outcome_shares)
true_shares = true_shares / true_shares.sum()
prefixes = {"granted": "granted", "partially_granted": "partially_granted", "withheld": "withheld_"}
prefixes |= {"unable": "unable_", "not_processed": "not_processed_", "other": "other_"}
outcome_check = pd.DataFrame(
    {
        "estimated": [sim_composition[f"{part}_share"] for part in prefixes],
        "true": [true_shares[true_shares.index.str.startswith(p)].sum() for p in prefixes.values()],
    },
    index=list(prefixes),
)
outcome_check.loc["backlog"] = [sim_composition["backlog"], sim.params.backlog_rate]
display(outcome_check)

# %% [markdown]
# ## Package versions

# %%
display(publish.versions())
