# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Enforcement: licensing, penalty and coercion decisions, and fees
#
# 表二 of every report states how many 行政许可 (licensing), 行政处罚 (penalty) and 行政强制
# (coercion) decisions the organ made in the year (`decisions`), and, in the 2021 template, the
# 行政事业性收费 (administrative fees) it collected, in 万元 (`amount_10k_yuan`). This notebook
#
# 1. shows how heavy-tailed these counts are;
# 2. screens for outlying values with a robust rule (median and MAD of `log(1 + x)` within
#    comparable reports) and says, for each flag, why it was raised and what kind of report it is;
# 3. compares the enforcement types with each other (ratios);
# 4. screens fee amounts that look like 元 entered where 万元 belongs;
# 5. says what can be compared between the 2019 and 2021 templates: only `decisions`.
#
# A flag asks for a look at the report; it does not drop the value. Region-wide reports (本级政府,
# `scope == "region_aggregate"`) add up many organs, so their counts are expected to be large:
# they are compared with each other where there are enough of them, and never added to organ
# reports. The bundled corpus is small and every table states N; the screens are checked against
# known truth on a simulated corpus in the last section.

# %%
"""Enforcement counts and fees: heavy tails, robust outlier screen, ratios, unit screen."""

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from govreports import plotting, stats
from govreports.io import read_processed
from govreports.simulate import simulate_corpus

# %% tags=["parameters"]
processed_dir = "../data/processed"
threshold = 3.5  # robust z above which a value is flagged (Iglewicz & Hoaglin)
min_group = 5  # fewest reports with a value that make a comparison group
sim_organs = 2000  # size of the simulated corpus (simulated section only; 500 or more)
sim_seed = 3

# %%
family = plotting.setup_fonts(style="whitegrid")
corpus = read_processed(processed_dir)
panel = stats.report_panel(corpus)
counts = stats.corpus_counts(corpus)
kinds = list(stats.ENFORCEMENT)
organs = panel.loc[panel["scope"] == "organ"]
display(counts.to_frame("N"))
display(panel.groupby(panel["scope"].fillna("unknown"))[[*kinds, "fees_10k_yuan"]].count())

# %% [markdown]
# ## Heavy tails
#
# One point per report, on a symmetric log scale (zeros stay visible), by scope.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.2), layout="constrained")
for ax, kind in zip(axes, kinds, strict=True):
    plotting.log_distribution(panel, kind, "scope", ax=ax)
fig.suptitle(f"本年处理决定数量 decisions per report (N = {len(panel)} reports)")
plt.show()
tails = pd.DataFrame({k: stats.concentration(organs[k].dropna().astype(float)) for k in kinds}).T
display(Markdown(f"Concentration among organ reports (N = {len(organs)}):"))
display(tails)

# %% [markdown]
# ## Robust outlier screen
#
# For each report and decision type: `z = 0.6745 (log(1+x) − median) / MAD` within the finest
# comparable group that holds at least `min_group` reports with a value: same scope, level and
# organ type; else same scope and level; else same level. When more than half a group shares
# one value (often 0), MAD is 0 and the mean absolute deviation takes its place. Values with
# `z > threshold` are flagged, with the comparison used and the report's scope.

# %%
outliers = stats.robust_outliers(panel, kinds, threshold=threshold, min_group=min_group)
flagged = outliers.loc[outliers["flagged"]]
display(flagged[["organ", "scope", "level", "variable", "value", "grouping", "n_group", "robust_z"]])
plotting.outlier_plot(outliers, threshold=threshold)
plt.title(f"稳健离群值筛查 robust outlier screen ({outliers['report_id'].nunique()} reports)")
plt.show()

# %%
not_assessed = int(outliers["grouping"].isna().sum())
lines = [f"- **{r.organ}** ({r.scope}): {r.reason}." for r in flagged.itertuples()]
display(
    Markdown(
        f"Values screened: {len(outliers)} in {outliers['report_id'].nunique()} reports; flagged: "
        f"{len(flagged)}; not assessable (fewer than {min_group} comparable reports): {not_assessed}.\n\n"
        + "\n".join(lines)
    )
)

# %% [markdown]
# ### Region-wide reports in context
#
# A region-wide total is neither an outlier among organs nor comparable with them. Next to each
# region-wide value: the median of organ reports of the same level, and how many there are.

# %%
context = stats.region_context(panel, kinds)
context = context.merge(
    outliers[["report_id", "variable", "flagged", "robust_z"]], on=["report_id", "variable"], how="left"
)
display(context)
display(
    Markdown(
        "\n".join(
            f"- **{r.organ}** (region-wide, {r.level}): {stats.LABELS[r.variable]} {r.value:,.0f}; "
            f"organ reports at this level: median {r.organ_median:,.0f} (N = {r.organ_n}); "
            f"{'flagged by the screen' if r.flagged else 'not flagged by the screen'}."
            for r in context.dropna(subset=["value"]).itertuples()
        )
        or "No region-wide report in this corpus."
    )
)

# %%
top = panel.loc[panel["penalty"].notna()].nlargest(1, "penalty")
if len(top):
    t = top.iloc[0]
    display(
        Markdown(
            f"The largest 行政处罚 count in this corpus is **{t['penalty']:,.0f}**, reported by "
            f"**{t['organ']}** ({t['year']}), whose report is "
            f"{stats.SCOPE_CONTEXT.get(t['scope'], t['scope'])}. The organ reports' median is "
            f"{organs['penalty'].median():,.0f} (N = {organs['penalty'].count()})."
        )
    )

# %% [markdown]
# ## Ratios between enforcement types
#
# Over reports where the denominator is positive: pooled (Σ numerator / Σ denominator) and the
# median and quartiles of per-report ratios, separately for organ and region-wide reports.

# %%
ratios = stats.enforcement_ratios(panel, [("penalty", "licensing"), ("coercion", "penalty")], by="scope")
display(ratios)

# %% [markdown]
# ## Fees: a unit screen
#
# The 2021 template asks for fees in 万元 (10,000 yuan). An amount entered in 元 is 10,000 times too
# large. An amount is flagged when it exceeds a generous ceiling for its level, or when it is at
# least 1,000 times the median positive amount of comparable reports (only in groups with at
# least `min_group` positive amounts). `as_if_yuan` shows the amount read as 元.

# %%
fees = stats.fee_unit_screen(panel, min_group=min_group)
display(
    fees[
        [
            "organ",
            "scope",
            "level",
            "amount",
            "n_group",
            "group_median",
            "ratio_to_median",
            "ceiling",
            "as_if_yuan",
            "flagged",
        ]
    ]
)
fee_flags = fees.loc[fees["flagged"]]
display(
    Markdown(
        f"Reports with a positive fee amount: {len(fees)} (of {int(panel['fees_10k_yuan'].notna().sum())} "
        f"with a fee cell); flagged as possibly in 元: {len(fee_flags)}."
        + "".join(f"\n- **{r.organ}**: {r.reason}." for r in fee_flags.itertuples())
    )
)

# %% [markdown]
# ## 2019 vs 2021 templates: what compares
#
# The 2019 template (used for the 2019 and 2020 reports) counts items and their change for each
# enforcement type; the 2021 template drops those and adds fees in 万元. Only `decisions`
# (本年处理决定数量) of 行政许可, 行政处罚 and 行政强制 exists in both with one meaning.

# %%
comparability = stats.template_comparability(corpus)
display(comparability)
template = panel["template"].fillna("unknown")
decisions_by_template = organs.groupby(template.loc[organs.index])[kinds].agg(["count", "median"])
display(Markdown("Decisions in organ reports by template (count of reports with a value, median):"))
display(decisions_by_template)
per_template = template.value_counts()
display(
    Markdown(
        f"Reports by template: 2019: {int(per_template.get('2019', 0))}, "
        f"2021: {int(per_template.get('2021', 0))}, "
        f"other: {int(per_template.drop(['2019', '2021'], errors='ignore').sum())}. Cells comparable across "
        f"templates: {', '.join(comparability.loc[comparability['comparable'], 'label'])}."
    )
)

# %% [markdown]
# ## Simulated corpus (not real data): do the screens find what was planted?
#
# Everything in this section runs on a corpus simulated by `govreports.simulate_corpus`. Decision
# counts are log-normal by type and level; a known share of them is multiplied by a large factor
# (planted outliers), and a known share of fee amounts is written in 元 instead of 万元. The corpus
# also holds region-wide reports, totals over many organs, which are large but not errors.
# **None of these numbers describes real organs.**

# %%
sim = simulate_corpus(sim_organs, seed=sim_seed)
sim_panel = stats.report_panel(sim)
truth = sim.truth.set_index("report_id")
sim_out = stats.robust_outliers(sim_panel, kinds, threshold=threshold, min_group=min_group)
sim_out["planted"] = [
    bool(truth.at[r, f"true_outlier_{v}"]) for r, v in zip(sim_out.report_id, sim_out.variable, strict=True)
]
screen = pd.crosstab(sim_out["flagged"], sim_out["planted"])
display(screen)


def precision_recall(flags: pd.Series, planted: pd.Series) -> tuple[float, float]:
    """Share of flags that were planted, and share of planted values that were flagged."""
    hits = int((flags & planted).sum())
    return hits / max(int(flags.sum()), 1), hits / max(int(planted.sum()), 1)


precision, recall = precision_recall(sim_out["flagged"], sim_out["planted"])
aggregates_flagged = int(sim_out.loc[sim_out["scope"] == "region_aggregate", "flagged"].sum())
display(
    Markdown(
        f"Simulated: {sim_out['report_id'].nunique()} reports, "
        f"{int(sim_out['planted'].sum())} planted outliers "
        f"(rate {sim.params.outlier_rate:.0%}, factor {sim.params.outlier_factor[0]:,.0f}–"
        f"{sim.params.outlier_factor[1]:,.0f}). The screen flags {int(sim_out['flagged'].sum())}: precision "
        f"{precision:.0%}, recall {recall:.0%}. Region-wide reports flagged: {aggregates_flagged} (compared "
        f"with each other, they are not outliers)."
    )
)

# %%
sim_fees = stats.fee_unit_screen(sim_panel, min_group=min_group)
sim_fees["planted"] = sim_fees["report_id"].map(truth["true_fee_in_yuan"]).astype(bool)
fee_precision, fee_recall = precision_recall(sim_fees["flagged"], sim_fees["planted"])
display(pd.crosstab(sim_fees["flagged"], sim_fees["planted"]))
display(
    Markdown(
        f"Fee unit screen on the simulated corpus: {int(sim_fees['planted'].sum())} amounts planted in 元 "
        f"among {len(sim_fees)} positive amounts; precision {fee_precision:.0%}, recall {fee_recall:.0%}."
    )
)

# %%
sim_organ_reports = sim_panel.loc[sim_panel["scope"] == "organ"]
display(Markdown("Decisions by template in the simulated corpus (same process for both templates):"))
display(sim_organ_reports.groupby("template")[kinds].agg(["count", "median"]))
