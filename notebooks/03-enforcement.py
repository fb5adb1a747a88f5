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
# (coercion) decisions the organ made in the year (`decisions`, in 件), and, in the 2021 template,
# the 行政事业性收费 (administrative fees) it collected, in 万元 (`amount_10k_yuan`). This notebook
#
# 1. shows how heavy-tailed these counts are, one point per report and never pooling scopes;
# 2. screens for unusually large values with a robust rule (median and MAD of `log(1 + x)`
#    within comparable reports of one scope and one level), and sends to review every value it
#    flags, every positive value in a group that reports all zeros, and every positive value it
#    cannot assess because its group is too small;
# 3. gathers, for each value under review, the evidence a researcher would check: the table cell
#    as read, the report's prose figures for the same quantity, the organ's other years, per
#    resident when a population file is given, digit patterns; and states a verdict for the
#    largest values (东宁市, 淮安, 沭阳) that says what is and is not known;
# 4. compares the enforcement types with each other (ratios) and screens fee amounts that look
#    like 元 entered where 万元 belongs;
# 5. says what can be compared between the 2019 and 2021 templates (only `decisions`), and
#    measures, on a simulated corpus, how often the screen finds entry errors of realistic size.
#
# A flag or a review asks for a look at the report; it does not drop the value. Region-wide
# reports (本级政府, `scope == "region_aggregate"`) add up many organs, so their counts are expected
# to be large: they are compared only with each other, and never added to organ reports. Reports
# whose scope is unknown (a government's report that does not say whether it counts its own
# decisions or the region's) form a third group. The bundled corpus is small and every table
# states N.

# %%
"""Enforcement counts and fees: heavy tails, robust outlier screen with evidence, ratios, unit screen."""

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
threshold = 3.5  # robust z above which a value is flagged (Iglewicz & Hoaglin)
min_group = 5  # fewest reports with a value that make a comparison group
min_box = 50  # fewest values for a box in the distribution plots; smaller groups are points only
population_csv = None  # optional CSV with columns name, population (organ or region → residents)
sim_organs = 2000  # size of the simulated corpus (simulated section only; 500 or more)
sim_seed = 3

# %%
family = plotting.setup_fonts(style="whitegrid")
corpus = read_processed(processed_dir)
panel = stats.report_panel(corpus)
counts = stats.corpus_counts(corpus)
kinds = list(stats.ENFORCEMENT)
organs = panel.loc[panel["scope"] == "organ"]
scope = panel["scope"].astype("string").fillna("unknown")

# Chinese names for the categories shown in figures.
SCOPE_ZH = stats.CATEGORY_LABELS["scope"]
UNIT = {"licensing": "件", "penalty": "件", "coercion": "件", "fees_10k_yuan": "万元"}


def read_population(path: str | None) -> pd.Series | None:
    """Residents by organ or region name from a CSV with columns ``name`` and ``population``."""
    if path is None:
        return None
    table = pd.read_csv(path, dtype={"name": str})
    return table.dropna(subset=["name", "population"]).set_index("name")["population"].astype(float)


population = read_population(population_csv)
display(counts.to_frame("N"))
values_by_scope = panel.groupby(scope)[[*kinds, "fees_10k_yuan"]].count()
values_by_scope.index.name = "scope"
display(Markdown("Reports with a value, by scope (blank cells are not counted):"))
display(values_by_scope)
display(
    Markdown(
        "Population file: "
        + (
            f"`{population_csv}`, {len(population)} names."
            if population is not None
            else "none given (`population_csv = None`), so no value is expressed per resident."
        )
    )
)

# %% [markdown]
# ## Heavy tails
#
# One point per report, on a symmetric log scale (zeros stay visible), one row per scope with its
# N. A box is drawn only for a group of at least `min_box` values: in smaller groups, most of them
# zeros, a box would summarise next to nothing.

# %%
plot_panel = panel.assign(范围=scope.map(SCOPE_ZH).fillna(scope))
fig, axes = plt.subplots(1, 3, figsize=(15, 3.4), layout="constrained")
for ax, kind in zip(axes, kinds, strict=True):
    plotting.log_distribution(plot_panel, kind, "范围", ax=ax, min_box=min_box)
    ax.set_xlabel(f"{stats.LABELS[kind]}本年处理决定数量（{UNIT[kind]}，对数刻度，含 0）")
fig.suptitle(f"各报告的处理决定数量（N = {len(panel)} 份报告；每点一份报告）")
publish.save_figure(fig, "03-heavy-tails", figures_dir)
plt.show()
tails = pd.DataFrame({k: stats.concentration(organs[k].dropna().astype(float)) for k in kinds}).T
tails = tails[["n", "zeros", "total", "gini", "top 10% share", "top 10% units"]]
display(
    Markdown(
        f"Concentration among organ reports only (N = {len(organs)} organ reports; `n` counts those "
        f"with a value). On so few reports, most of them zeros, these describe this sample and "
        f"nothing wider:"
    )
)
display(tails)

# %% [markdown]
# ## Robust outlier screen
#
# How it works (the numbers are the parameters of this run):

# %%
groupings = "; else ".join(", ".join(g) for g in stats.DEFAULT_GROUPINGS)
ratio_at_min_scale = float(np.exp(threshold * stats.MIN_SCALE))
display(
    Markdown(
        f"""
- **Comparison groups.** Each value is compared with the finest grouping that holds at least
  `min_group` = {min_group} reports with a value for the same decision type: {groupings}. Every
  grouping is within one scope and one level: organ, region-wide and unknown-scope reports are
  never pooled, and a county is never compared with a prefecture.
- **Robust z.** `z = (log(1 + x) − median) / scale`, with `scale = max(MAD / 0.6745, MIN_SCALE)`
  and `MIN_SCALE` = {stats.MIN_SCALE:g} (log units). Values with `z > {threshold:g}` are flagged.
  Where more than half the group shares one value (often 0), MAD is 0 and the minimum scale is
  used (`scale_kind`): a value is then flagged when its 1 + x exceeds about
  {ratio_at_min_scale:.1f} times the group median's. The large values never set the scale, so two
  of them cannot hide each other; values flagged in one pass are set aside and the screen is
  repeated.
- **All-zero groups.** A positive value in a group whose median and MAD are both 0 is sent to
  review whatever its z (`all_zero_group`, finding "{stats.ALL_ZERO_FINDING}").
- **Groups too small.** A value whose widest grouping (`tried`, with `n_tried` reports) has fewer
  than `min_group` reports is not assessable (`assessable` False, no z); if positive it goes to
  review (finding "{stats.TOO_SMALL_FINDING}"). It keeps its row and its place in the plot.
- `review` = flagged, or nonzero in an all-zero group, or positive and not assessable; `reason`
  says why in words, with the report's scope.
"""
    )
)

# %%
outliers = stats.robust_outliers(panel, kinds, threshold=threshold, min_group=min_group)
year = panel.set_index("report_id")["year"]
outliers["year"] = outliers["report_id"].map(year)
# Who, what and the screen's finding: the first columns of both review tables below.
finding_columns = ["organ", "year", "scope", "level", "variable", "value", "finding"]
review_columns = [
    *finding_columns,
    "assessable",
    "all_zero_group",
    "grouping",
    "n_group",
    "tried",
    "n_tried",
    "group_median",
    "scale",
    "scale_kind",
    "robust_z",
]
under_review = outliers.loc[outliers.review, review_columns]
display(under_review)
publish.save_table(
    under_review,
    "03-review",
    tables_dir,
    caption="Enforcement decision counts sent to review by the robust screen (bundled corpus).",
)

# %%
fig, ax = plt.subplots(figsize=(11, 7.5), layout="constrained")
plotting.outlier_plot(outliers, threshold=threshold, ax=ax, annotate=10)
# Room above the band of values no group could assess, for their stacked labels.
ax.set_ylim(top=ax.get_ylim()[1] + 1.5)
ax.set_xlim(right=ax.get_xlim()[1] + 0.6)
# Values under review for being nonzero in an all-zero group have a z below the threshold: name
# them beside their points (the first collection holds the assessable values, in order).
plotted = outliers.loc[outliers["robust_z"].notna()].reset_index(drop=True)
offsets = ax.collections[0].get_offsets()
for i in plotted.index[plotted["all_zero_group"] & plotted["review"] & ~plotted["flagged"]]:
    r = plotted.loc[i]
    ax.annotate(
        f"{r['organ']} {r['value']:,.0f}（全零组中的非零值，待复核）",
        (offsets[i][0], offsets[i][1]),
        xytext=(6, 0),
        textcoords="offset points",
        fontsize=8,
        color="tab:orange",
        va="center",
    )
fig.suptitle(
    f"稳健离群值筛查：{len(outliers)} 个数值，{outliers['report_id'].nunique()} 份报告；红点：z 超过阈值；"
    f"橙色三角：组内报告不足 {min_group} 份，无法评估，待复核"
)
publish.save_figure(fig, "03-outlier-screen", figures_dir)
plt.show()

# %%
findings = outliers.loc[outliers.review, "finding"].value_counts()
by_scope = outliers.assign(scope=outliers["scope"].astype("string").fillna("unknown")).groupby("scope")
screen_summary = pd.DataFrame(
    {
        "values": by_scope.size(),
        "assessable": by_scope["assessable"].sum(),
        "flagged": by_scope["flagged"].sum(),
        "review": by_scope["review"].sum(),
    }
)
display(screen_summary)
used = outliers.loc[outliers["assessable"]]
groups_used = (
    used.assign(g=used["grouping"].str.cat(used["variable"], sep=", variable = "))
    .groupby("g")["n_group"]
    .first()
    .astype(int)
)
unassessed_scopes = screen_summary.loc[screen_summary["assessable"].eq(0), "values"]
display(
    Markdown(
        f"Values screened: {len(outliers)} in {outliers['report_id'].nunique()} reports; assessable: "
        f"{int(outliers['assessable'].sum())}; flagged (z above {threshold:g}): "
        f"{int(outliers['flagged'].sum())}; under review: {int(outliers['review'].sum())} ("
        + ", ".join(f"{k}: {v}" for k, v in findings.items())
        + ").\n\nComparison groups large enough to assess a value: "
        + ("; ".join(f"{g} (N = {n})" for g, n in groups_used.items()) or "none")
        + ". Scopes with no assessable value: "
        + (", ".join(f"{k} ({int(v)} values)" for k, v in unassessed_scopes.items()) or "none")
        + ": the bundled sample is too small to say whether any of their values is unusual, so their "
        "positive values are listed for review instead.\n\n"
        + "\n".join(
            f"- **{r.organ}** ({r.year}, {r.variable}): {r.reason}."
            for r in outliers.loc[outliers.review].itertuples()
        )
    )
)

# %% [markdown]
# ## Evidence for every value under review
#
# A flag says a value is unusual, not that it is wrong. For each value under review, and for the
# largest value of each decision type in each scope, `stats.screen_evidence` gathers what a
# researcher checks before believing or correcting it: the report's prose figures for the same
# quantity (`prose_values`, `prose_agrees`), the organ's other years in the corpus (same organ
# and scope), the value per 10,000 residents when `population_csv` is given, and digit patterns
# (`stats.digit_notes`: repeated digits, a ratio near a power of ten to the other years or the
# prose). Beside it, from the parsed cells: the table cell as read (`raw`, `status`,
# `source_ref`), whether it is part of a failed arithmetic check, and how the report's checks
# came out.

# %%
evidence = stats.screen_evidence(outliers, panel, figures=corpus.figures, population=population)
largest = outliers.loc[
    outliers.groupby([outliers["scope"].astype("string").fillna("unknown"), "variable"])["value"].idxmax()
]
extra = largest.loc[~largest["review"]]
if len(extra):
    more = stats.screen_evidence(extra, panel, figures=corpus.figures, population=population, rows="all")
    more["finding"] = "largest of its scope (not under review)"
    evidence = pd.concat([evidence, more], ignore_index=True)

cells = corpus.cells.loc[
    corpus.cells["row_key"].isin(kinds) & corpus.cells["col_key"].eq("decisions"),
    ["report_id", "row_key", "raw", "status", "source_ref", "in_failed_check"],
]
cells = cells.rename(columns={"row_key": "variable"})
check_counts = (
    corpus.checks.assign(status=corpus.checks["status"].astype(str))
    .pivot_table(index="report_id", columns="status", values="check_id", aggfunc="count", fill_value=0)
    .reindex(columns=["pass", "fail", "not_assessable"], fill_value=0)
    .add_prefix("checks_")
    .reset_index()
)
reports = corpus.reports[["report_id", "organ_raw", "scope_evidence", "format"]]
evidence = (
    evidence.merge(cells, on=["report_id", "variable"], how="left")
    .merge(check_counts, on="report_id", how="left")
    .merge(reports, on="report_id", how="left")
)
evidence_columns = [
    *finding_columns,
    "raw",
    "status",
    "source_ref",
    "in_failed_check",
    "prose_values",
    "prose_agrees",
    "other_years",
    "ratio_to_other_years",
    "per_10k",
    "digit_notes",
    "checks_pass",
    "checks_fail",
]
display(evidence[evidence_columns])
publish.save_table(
    evidence[[*evidence_columns, "evidence"]],
    "03-evidence",
    tables_dir,
    caption="Evidence for each enforcement value under review and the largest value per scope.",
)
enforcement_checks = int((corpus.checks["table"].eq("active") & corpus.checks["scope"].isin(kinds)).sum())
with_prose = int(evidence["prose_values"].notna().sum())
with_years = int(evidence["n_other_years"].gt(0).sum())
with_notes = int(evidence["digit_notes"].fillna("").ne("").sum())
read_as_printed = int(evidence["status"].eq("ok").sum())
display(
    Markdown(
        f"Values with evidence: {len(evidence)}. Read as printed (cell status `ok`): {read_as_printed}; "
        f"with a prose figure for the same quantity: {with_prose}; with another year of the same organ "
        f"and scope: {with_years}; with a digit note: {with_notes}. Arithmetic checks in the corpus "
        f"that involve a decision count of 表二: {enforcement_checks}: these counts stand alone in "
        f"their table, so the report's own arithmetic can neither confirm nor contradict them."
    )
)

# %% [markdown]
# ### Verdicts on the largest values
#
# For 东宁市, 淮安 and 沭阳 (government reports; their scope and its evidence are stated below), if
# they are in the corpus: what the evidence computed above shows, and what it cannot show. A
# verdict here is about the evidence in this corpus; it does not say whether the organ really
# made that many decisions.

# %%
CASES = {"东宁市": "东宁市", "淮安": "淮安市人民政府", "沭阳": "沭阳县人民政府"}
REGION_WORDS = ("全市", "全县", "全区", "全省", "全旗")


def reading_lines(r: pd.Series) -> list[str]:
    """Say how the table cell was read, and whether the text shows character errors."""
    lines = []
    if r["status"] == "ok":
        failed = "part of a failed check" if r["in_failed_check"] else "not part of any failed check"
        lines.append(
            f"the table cell ({r['source_ref']}) reads `{r['raw']}` and was read as printed ({failed})"
        )
    elif pd.notna(r["status"]):
        lines.append(f"the table cell ({r['source_ref']}) reads `{r['raw']}` with status `{r['status']}`")
    if pd.notna(r["organ_raw"]) and r["organ_raw"] != r["organ"]:
        lines.append(
            f"the text names the organ {r['organ_raw']} where the place is {r['organ']}: it carries "
            f"character errors, so a misread digit cannot be ruled out without the original document"
        )
    return lines


def scope_lines(r: pd.Series) -> tuple[list[str], list[str]]:
    """Say what the report's scope is, or what hints at it when unknown."""
    if r["scope"] == "region_aggregate":
        return [
            f"it is a region-wide report ({r['scope_evidence']}): a total over the region's organs, "
            f"so it is compared with no organ's count"
        ], []
    sentences = corpus.figures.loc[corpus.figures["report_id"].eq(r["report_id"]), "sentence"].dropna()
    hints = [s for s in sentences.astype(str) if any(w in s for w in REGION_WORDS)]
    known = (
        [
            f"the prose on another quantity uses region-wide wording («{hints[0].strip()}»): a hint, "
            f"not proof, that the tables also cover the whole region"
        ]
        if hints
        else []
    )
    unknown = [
        f"whether {r['value']:,.0f} counts the government's own decisions or those of every organ in "
        f"the region (scope unknown: {r['scope_evidence']}); one organ's count and a total over many "
        f"are different quantities, and no comparison is meaningful until this is settled"
    ]
    return known, unknown


def screen_lines(r: pd.Series, variable: str) -> tuple[list[str], list[str]]:
    """Say what the screen could tell, and list the reports it would have been compared with."""
    screened = outliers.loc[outliers["report_id"].eq(r["report_id"]) & outliers["variable"].eq(variable)]
    s = screened.iloc[0]
    if s["assessable"]:
        return ([f"the screen sent it to review: {s['reason']}"] if s["review"] else []), []
    peers = panel.loc[
        scope.eq(s["scope"] if pd.notna(s["scope"]) else "unknown")
        & panel["level"].eq(r["level"])
        & panel[variable].notna()
        & panel["report_id"].ne(r["report_id"])
    ]
    listed = "; ".join(f"{p.organ} {p.year}: {getattr(p, variable):,.0f}" for p in peers.itertuples())
    return [], [
        f"whether it is unusual: the screen could not assess it ({int(s['n_tried'])} report(s) in "
        f"its widest group, {s['tried']}, fewer than {min_group})"
        + (f"; the other reports of that group: {listed}" if listed else "")
    ]


def corroboration_lines(r: pd.Series, label: str) -> tuple[list[str], list[str]]:
    """Say what the prose, the other years, the population and the digits show."""
    known, unknown = [], []
    if pd.isna(r["prose_values"]):
        unknown.append(
            f"a check against the report's own words: no prose figure for {label} is extracted "
            f"(the prose figures cover proactive disclosure, applications, reviews and lawsuits)"
        )
    else:
        agrees = "agrees" if r["prose_agrees"] else "differs"
        known.append(f"the prose states {r['prose_values']} for the same quantity ({agrees})")
    if r["n_other_years"]:
        known.append(
            f"other years: {r['other_years']} (ratio {r['ratio_to_other_years']:.2f} to their median)"
        )
    else:
        unknown.append("a trend: no other year of this organ and scope is in the corpus")
    if pd.notna(r["per_10k"]):
        known.append(
            f"{r['per_10k']:,.1f} per 10,000 residents of {r['population_of']} (population "
            f"{r['population']:,.0f}, from `population_csv`)"
        )
    else:
        unknown.append("the value per resident: no population for this place was given (`population_csv`)")
    if r["digit_notes"]:
        known.append(f"digit patterns: {r['digit_notes']}")
    else:
        known.append("no digit pattern that suggests a slip (repeated digits, a ratio near a power of ten)")
    return known, unknown


def within_report_lines(r: pd.Series, variable: str) -> list[str]:
    """Set the value beside the report's 行政许可 count, and the same ratio in reports of its scope."""
    if variable == "licensing":
        return []
    ratio = panel[variable] / panel["licensing"].where(panel["licensing"] > 0)
    own = ratio[panel["report_id"].eq(r["report_id"])]
    if own.isna().all():
        return []
    own_scope = r["scope"] if pd.notna(r["scope"]) else "unknown"
    same_scope = scope.eq(own_scope) & panel["report_id"].ne(r["report_id"]) & ratio.notna()
    others = "; ".join(
        f"{p.organ} {p.year}: {v:.2f}"
        for p, v in zip(panel.loc[same_scope].itertuples(), ratio[same_scope], strict=True)
    )
    return [
        f"in the same report it is {float(own.iloc[0]):.1f} times the 行政许可 count "
        f"(the same ratio in the other reports of its scope: {others or 'none'}); a context, not a test"
    ]


def conclusion(r: pd.Series) -> tuple[str, str]:
    """Weigh the evidence: a slip, agreement with other figures, or neither."""
    prose_differs = pd.notna(r["prose_agrees"]) and not bool(r["prose_agrees"])
    ratio = r["ratio_to_other_years"]
    near_other_years = bool(r["n_other_years"]) and pd.notna(ratio) and 1 / 3 <= ratio <= 3
    if r["digit_notes"] or prose_differs:
        return "evidence of an entry error", (
            "**Verdict: there is evidence of an entry error** (digit notes or a differing prose "
            "figure above)."
        )
    if (pd.notna(r["prose_agrees"]) and bool(r["prose_agrees"])) or near_other_years:
        return "consistent with other figures", (
            "**Verdict: consistent with the other figures in the corpus** (prose or other years); not "
            "shown to be an error."
        )
    scope_first = "" if r["scope"] == "region_aggregate" else " Its scope is the first thing to settle."
    return "not shown to be an error; not confirmed", (
        "**Verdict: neither shown to be an error nor confirmed.** Nothing in this corpus contradicts "
        "the value and nothing beyond the table cell supports it. An extra or a dropped digit cannot "
        "be excluded: the screen misses most of them (simulated section) and no other year or prose "
        f"figure is here to catch one.{scope_first} The value stands as printed, with its scope "
        "stated, until sources outside the corpus (the organ's other years, its population) are "
        "checked."
    )


def verdict(organ: str, variable: str = "penalty") -> tuple[str, dict]:
    """Return the evidence on one organ's value in words, and the row it came from."""
    rows = evidence.loc[evidence["organ"].eq(organ) & evidence["variable"].eq(variable)]
    label = stats.LABELS[variable]
    if rows.empty:
        return f"**{organ}**: no {label} value read in this corpus.", {}
    r = rows.iloc[0]
    known, unknown = reading_lines(r) + within_report_lines(r, variable), []
    for k, u in (scope_lines(r), screen_lines(r, variable), corroboration_lines(r, label)):
        known, unknown = known + k, unknown + u
    short, text = conclusion(r)
    body = (
        f"**{r['organ']}** ({r['year']}, {label} {r['value']:,.0f} {UNIT[variable]}, "
        f"finding: {r['finding']})."
        "\n\n- Known: " + "; ".join(known) + ".\n- Not known: " + "; ".join(unknown) + f".\n\n{text}"
    )
    row = {"case": organ, "variable": variable, "year": r["year"], "value": r["value"], "scope": r["scope"]}
    row |= {c: r[c] for c in ("finding", "raw", "source_ref", "prose_values", "n_other_years", "per_10k")}
    row |= {"digit_notes": r["digit_notes"], "verdict": short}
    return body, row


verdicts = []
for short_name, organ in CASES.items():
    if not panel["organ"].eq(organ).any():
        display(Markdown(f"**{short_name}**: no report in this corpus."))
        continue
    text, row = verdict(organ)
    display(Markdown(text))
    if row:
        verdicts.append(row)
verdict_table = pd.DataFrame(verdicts)
display(verdict_table)
publish.save_table(
    verdict_table,
    "03-verdicts",
    tables_dir,
    caption="Verdicts on the largest 行政处罚 counts: what the corpus shows and does not show.",
)

# %% [markdown]
# ### Region-wide reports in context
#
# A region-wide total is neither an outlier among organs nor comparable with them. Next to each
# region-wide value: the median of organ reports of the same level, and how many there are.

# %%
context = stats.region_context(panel, kinds)
context = context.merge(
    outliers[["report_id", "variable", "finding", "review"]], on=["report_id", "variable"], how="left"
)
display(context)
publish.save_table(
    context, "03-region-context", tables_dir, caption="Region-wide enforcement counts beside organ reports."
)
display(
    Markdown(
        "\n".join(
            f"- **{r.organ}** (region-wide, {r.level}): {stats.LABELS[r.variable]} {r.value:,.0f}; "
            f"organ reports at this level: median {r.organ_median:,.0f} (N = {r.organ_n}); "
            f"screen: {r.finding or 'not under review'}."
            for r in context.dropna(subset=["value"]).itertuples()
        )
        or "No region-wide report in this corpus."
    )
)

# %%
by_kind = []
for key, group in panel.loc[panel["penalty"].notna()].groupby(scope):
    t = group.nlargest(1, "penalty").iloc[0]
    by_kind.append(
        f"- {SCOPE_ZH.get(key, key)} ({key}, N = {len(group)} reports with a value): largest "
        f"**{t['penalty']:,.0f}** 件, **{t['organ']}** ({t['year']}); "
        f"median {group['penalty'].median():,.0f}."
    )
display(
    Markdown(
        "The largest 行政处罚 count in each scope (scopes are not compared with each other):\n\n"
        + "\n".join(by_kind)
    )
)

# %% [markdown]
# ## Ratios between enforcement types
#
# Over reports where the denominator is positive: pooled (Σ numerator / Σ denominator) and the
# median and quartiles of per-report ratios, separately for each scope.

# %%
ratios = stats.enforcement_ratios(panel, [("penalty", "licensing"), ("coercion", "penalty")], by="scope")
display(ratios)
publish.save_table(
    ratios, "03-ratios", tables_dir, caption="Ratios between enforcement decision types, by scope."
)

# %% [markdown]
# ## Fees: a unit screen
#
# The 2021 template asks for fees in 万元 (10,000 yuan). An amount entered in 元 is 10,000 times too
# large. An amount is flagged when it exceeds a generous ceiling for its level, or when it is at
# least 1,000 times the median positive amount of comparable reports (same scope and level, only
# in groups with at least `min_group` positive amounts). `as_if_yuan` shows the amount read as 元.

# %%
fig, ax = plt.subplots(figsize=(8, 2.6), layout="constrained")
plotting.log_distribution(plot_panel, "fees_10k_yuan", "范围", ax=ax, min_box=min_box)
ax.set_xlabel("行政事业性收费本年收费金额（万元，对数刻度，含 0）")
ax.set_title(f"收费金额（N = {int(panel['fees_10k_yuan'].notna().sum())} 份填写了收费栏的报告）")
publish.save_figure(fig, "03-fees", figures_dir)
plt.show()

fees = stats.fee_unit_screen(panel, min_group=min_group)
fee_table = fees[
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
display(fee_table)
publish.save_table(
    fee_table, "03-fee-screen", tables_dir, caption="Fee amounts (万元) screened for 元 entered as 万元."
)
fee_flags = fees.loc[fees["flagged"]]
fee_groups_compared = int(fees["ratio_to_median"].notna().sum())
display(
    Markdown(
        f"Reports with a positive fee amount: {len(fees)} (of {int(panel['fees_10k_yuan'].notna().sum())} "
        f"with a fee cell); compared with their group's median (group of at least {min_group}): "
        f"{fee_groups_compared}; flagged as possibly in 元: {len(fee_flags)}."
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
# ## Simulated corpus (not real data): what the screen finds
#
# Everything in this section runs on corpora simulated by `govreports.simulate_corpus`, with known
# truth. **None of these numbers describes real organs.**
#
# `stats.evaluate_outlier_screen` simulates a clean corpus (decision counts log-normal by type and
# level, organ and region-wide reports; no outliers of its own), plants entry errors of realistic
# size in a random share of positive values (a dropped digit, an extra digit, two extra digits,
# 元 written where 万元 belongs: one error per value at most), runs the same screen with this
# notebook's `threshold` and `min_group`, and counts what it flags. Recall is given per error size
# with its Wilson confidence interval; precision is the share of flagged values that were planted, and
# depends on how many errors were planted.

# %%
ev = stats.evaluate_outlier_screen(
    seed=sim_seed, n_organs=sim_organs, threshold=threshold, min_group=min_group
)
recall = ev.recall
display(recall)
publish.save_table(
    recall,
    "03-sim-recall",
    tables_dir,
    caption="Simulated corpus (not real data): recall of the robust screen by size of planted entry error.",
)
ERROR_ZH = {0.1: "少打一位", 10.0: "多打一位", 100.0: "多打两位", 10_000.0: "万元栏填了元"}
fig, ax = plt.subplots(figsize=(7, 2.8), layout="constrained")
y = np.arange(len(recall))[::-1]
err = np.vstack([recall["recall"] - recall["ci_low"], recall["ci_high"] - recall["recall"]])
ax.errorbar(recall["recall"], y, xerr=err, fmt="o", capsize=3)
ax.set_yticks(
    y,
    [
        f"{ERROR_ZH.get(f, e)}（{f'÷{1 / f:,.0f}' if f < 1 else f'×{f:,.0f}'}）"
        for e, f in zip(recall["error"], recall["factor"], strict=True)
    ],
)
for yy, r in zip(y, recall.itertuples(), strict=True):
    ax.annotate(
        f"{r.flagged}/{r.planted}", (r.recall, yy), xytext=(6, 4), textcoords="offset points", fontsize=8
    )
ax.set_xlim(-0.03, 1.1)
ax.margins(y=0.2)
ax.set_xlabel("检出率（被标记的植入错误占比，95% Wilson 区间）")
ax.set_title(f"模拟语料（非真实数据）：{ev.n_values} 个数值，植入错误 {ev.n_planted} 个")
publish.save_figure(fig, "03-sim-recall", figures_dir)
plt.show()

# %%
rec = recall.set_index("factor")
region_false = int(
    (ev.screened["flagged"] & ev.screened["error"].isna() & ev.screened["scope"].eq("region_aggregate")).sum()
)
n_region = int(ev.screened["scope"].eq("region_aggregate").sum())


def recall_text(factor: float) -> str:
    """Say how many planted errors of one size were flagged, with the interval."""
    r = rec.loc[factor]
    return (
        f"{r['flagged']} of {r['planted']} ({r['recall']:.0%}; 95% CI {r['ci_low']:.0%}–{r['ci_high']:.0%})"
    )


display(
    Markdown(
        f"Simulated: {ev.n_values} values, {ev.n_planted} planted errors ({ev.rate:.0%} of eligible "
        f"values per error size). The screen flags {ev.n_flagged}; precision **{ev.precision:.0%}** "
        f"({ev.false_flags} clean values flagged; {region_false} of them among the {n_region} "
        f"region-wide values).\n\n"
        f"Recall by error size: 元 for 万元 {recall_text(10_000.0)}; two extra digits "
        f"{recall_text(100.0)}; an extra digit {recall_text(10.0)}; a dropped digit "
        f"{recall_text(0.1)}.\n\n"
        f"**What this means.** The screen finds errors that multiply a value by a hundred or more. "
        f"It does **not** find an extra digit: a tenfold value lies within the spread of honest "
        f"counts, which vary by more than that between organs of one level and type. It **cannot "
        f"see** a dropped digit at all, because it looks only for values that are too large. A value "
        f"that passes the screen is therefore not shown to be right; the organ's other years and "
        f"the report's prose (the evidence above) are the checks for errors of that size."
    )
)

# %% [markdown]
# ### Fee unit screen on a simulated corpus
#
# A separate simulated corpus in which a known share of fee amounts is written in 元 instead of
# 万元 (and some decision counts carry large planted errors of their own, not used here).

# %%
sim = simulate_corpus(sim_organs, seed=sim_seed)
sim_panel = stats.report_panel(sim)
truth = sim.truth.set_index("report_id")
sim_fees = stats.fee_unit_screen(sim_panel, min_group=min_group)
sim_fees["planted"] = sim_fees["report_id"].map(truth["true_fee_in_yuan"]).astype(bool)
display(pd.crosstab(sim_fees["flagged"], sim_fees["planted"]))
fee_hits = int((sim_fees["flagged"] & sim_fees["planted"]).sum())
fee_n_planted, fee_n_flagged = int(sim_fees["planted"].sum()), int(sim_fees["flagged"].sum())
fee_low, fee_high = stats.wilson_interval(fee_hits, fee_n_planted)
display(
    Markdown(
        f"Fee unit screen on the simulated corpus: {fee_n_planted} amounts planted in 元 among "
        f"{len(sim_fees)} positive amounts; flagged {fee_n_flagged}. Recall {fee_hits} of "
        f"{fee_n_planted} ({fee_hits / max(fee_n_planted, 1):.0%}; 95% CI {fee_low:.0%}–{fee_high:.0%}); "
        f"precision {fee_hits / max(fee_n_flagged, 1):.0%}."
    )
)

# %%
sim_organ_reports = sim_panel.loc[sim_panel["scope"] == "organ"]
display(Markdown("Decisions by template in the simulated corpus (same process for both templates):"))
display(sim_organ_reports.groupby("template")[kinds].agg(["count", "median"]))

# %% [markdown]
# ## Package versions

# %%
display(publish.versions())
