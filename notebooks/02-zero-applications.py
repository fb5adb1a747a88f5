# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Zero applications (零申请): who receives none, and how to model it
#
# Many organs report that they received no information-disclosure application in the year
# (表三, row `new_received`, column `total` equal to 0). This notebook
#
# 1. measures the share of organs with zero new applications, with Wilson confidence intervals,
#    by level and organ type;
# 2. compares count models for the number of applications (Poisson, negative binomial,
#    zero-inflated ZIP/ZINB and hurdle models from statsmodels) by AIC, BIC and Vuong tests;
# 3. asks what explains the zero process;
# 4. describes how applications ended for the organs that did receive some.
#
# **Why zeros matter.** A zero can mean two different things: an organ nobody asks (there is no
# demand, or the public does not know it holds anything), or an organ that could be asked and
# happened not to be this year. Totals and means are driven by the few organs with many
# applications, so the share of zeros is the better summary of how widely the procedure is used.
# For models, a count distribution that cannot produce enough zeros misstates both the chance of
# receiving any application and the volume among organs that do. Zero-inflated models add a
# "never asked" group; hurdle models let one process decide zero versus some and another the
# number. We found no study that models organ-level application counts this way, but our
# literature search was limited.
#
# **Scope.** Organ-level statistics use organ reports (`scope == "organ"`) only; region-wide
# reports (本级政府) add up many organs and are shown on their own. The bundled corpus is small:
# every table states N, and the models run on the real data only when there are enough organs.
# The model comparison is demonstrated on a simulated corpus with known parameters, in its own
# section.

# %%
"""Zero applications: zero shares with Wilson intervals, count models, outcome composition."""

import dataclasses

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from govreports import plotting, stats
from govreports.io import read_processed
from govreports.simulate import simulate_corpus

# %% tags=["parameters"]
processed_dir = "../data/processed"
min_nobs = 50  # fewest organ reports for which count models are fitted
sim_organs = 2000  # size of the simulated corpus (simulated section only; 500 or more)
sim_seed = 2

# %%
family = plotting.setup_fonts(style="whitegrid")
corpus = read_processed(processed_dir)
panel = stats.report_panel(corpus)
counts = stats.corpus_counts(corpus)
organs = panel.loc[panel["scope"] == "organ"]
regions = panel.loc[panel["scope"] == "region_aggregate"]
display(counts.to_frame("N"))

# %% [markdown]
# ## Share of organs with zero new applications
#
# `n` counts organ reports with a number in the cell; reports that left it blank are in
# `missing` and are not counted as zeros.

# %%
overall = stats.zero_share_table(organs)
display(overall)
row = overall.to_dict("records")[0]
display(
    Markdown(
        f"Organ reports with zero new applications: **{row['zeros']} of {row['n']}** "
        f"({row['share']:.0%}; 95% Wilson interval {row['ci_low']:.0%} to {row['ci_high']:.0%}). "
        f"Reports without a number: {row['missing']}."
        if row["n"]
        else "No organ report has a number for new applications."
    )
)

# %%
by_group = {by: stats.zero_share_table(organs, by) for by in ["level", "organ_type", "year", "province"]}
for by, table in by_group.items():
    display(Markdown(f"**By {by}**"))
    display(table)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5), layout="constrained")
plotting.zero_share_plot(by_group["level"], "level", ax=axes[0])
plotting.zero_share_plot(by_group["organ_type"], "organ_type", ax=axes[1])
fig.suptitle(f"零申请占比 zero new applications (organ reports, N = {int(overall['n'].sum())})")
plt.show()

# %% [markdown]
# Region-wide reports, on their own (a zero there means no organ in the region was asked):

# %%
display(stats.zero_share_table(regions))

# %% [markdown]
# The prose of a report often says "未收到政府信息公开申请". The soft check `TXT.NEW_RECEIVED`
# compares that statement with 表三:

# %%
prose = corpus.checks.loc[corpus.checks["check_id"] == "TXT.NEW_RECEIVED"]
prose_status = prose["status"].astype("string").value_counts()
display(
    Markdown(
        f"Reports whose prose states a number of new applications: {len(prose)}; it agrees with 表三 "
        f"in {int(prose_status.get('pass', 0))} and disagrees in {int(prose_status.get('fail', 0))}."
    )
)

# %% [markdown]
# ## Count models on this corpus
#
# Applications per organ, with level and organ type as covariates (the most frequent level and
# type are the reference). Models: Poisson; negative binomial (NB2, extra variance); ZIP and
# ZINB (a logit "never asked" group plus a Poisson or NB count); hurdle models (a binary process
# for zero versus some, then a zero-truncated count). They are fitted only with at least
# `min_nobs` organ reports; otherwise the table says why not.

# %%
design = stats.design_matrix(organs, "new_received", ["level", "organ_type"])
fits = stats.fit_count_models(design, min_nobs=min_nobs)
display(
    fits.table[["label", "nobs", "k", "aic", "bic", "observed_zeros", "expected_zeros", "converged", "error"]]
)
best = fits.best("bic")
display(
    Markdown(
        f"Lowest BIC among converged models on this corpus: "
        f"**{fits.table.set_index('model').loc[best, 'label']}** (N = {fits.nobs}, zeros {fits.zeros})."
        if best
        else f"No model fitted on this corpus: N = {fits.nobs} organ reports with level and organ type "
        f"known, fewer than {min_nobs} ({design.dropped_rows} left out for a missing value)."
    )
)

# %% [markdown]
# ## Simulated corpus (not real data): comparing the models when the truth is known
#
# Everything in this section runs on a corpus simulated by `govreports.simulate_corpus`, built
# on the library's report generator. Applications follow a zero-inflated negative binomial
# process whose parameters are known (`sim.params`): a level- and type-dependent share of organs
# is never asked, the rest draw NB counts. **None of these numbers describes real organs**, and no
# simulated report enters the tables above.

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
        "warnings",
    ]
]
display(comparison)

# %%
pairs = [("zinb", "negbin"), ("zinb", "hurdle_negbin"), ("zip", "poisson"), ("zinb", "zip")]
vuong = pd.DataFrame(
    [dataclasses.asdict(stats.vuong_test(sim_fits.fits[a], sim_fits.fits[b])) for a, b in pairs]
)
display(vuong)
sim_best = sim_fits.best("bic")
labels = sim_fits.table.set_index("model")["label"]
poisson_zeros = sim_fits.table.set_index("model").loc["poisson", "expected_zeros"]
display(
    Markdown(
        f"On {sim_fits.nobs} simulated organs ({sim_fits.zeros} zeros), the Poisson model expects only "
        f"{poisson_zeros:,.0f} zeros. Lowest BIC: **{labels[sim_best]}**. "
        + " ".join(
            f"Vuong ({r.correction.upper()}-corrected) {labels[r.first]} vs {labels[r.second]}: "
            f"z = {r.statistic:.2f}, p {'< 1e-16' if r.pvalue < 1e-16 else f'= {r.pvalue:.2g}'}, "
            f"preferred: {labels.get(r.preferred, r.preferred)}."
            for r in vuong.itertuples()
        )
        + " ZINB and the NB hurdle model often fit about equally well: they differ in where the zeros "
        "come from, not in how many there are. ZIP vs Poisson is nested at the boundary, so its Vuong "
        "test is only a heuristic."
    )
)

# %% [markdown]
# ### Does ZINB recover the parameters that generated the data?

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
plotting.recovery_plot(recovery)
plt.title(f"模拟数据 simulated: ZINB, N = {sim_fits.nobs}")
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
# The inflation part of ZINB models the chance that an organ is never asked. Its coefficients are
# log-odds; below, the estimated probability of being a structural zero, averaged by level and
# organ type, next to the value used in the simulation and the observed share of zeros (which is
# higher: organs that can be asked may still receive none).

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
odds = stats.coef_table(sim_fits.fits["zinb"], exponentiate=True)
display(odds.loc[odds["term"].str.startswith("inflate_") & (odds["term"] != "inflate_const")])

# %% [markdown]
# ## How applications ended, for organs that received some
#
# Pooled over organ reports with at least one processed application and every outcome printed:
# grant rate = (予以公开 + 部分公开) / processed; practical refusals are 无法提供 (`unable_*`: the
# organ does not hold the information, it would have to be created, the request stayed unclear);
# legal exemptions are 不予公开 (`withheld_*`); `practical_share` = practical / (practical + legal),
# the comparison behind the finding that practical reasons, not legal exemptions, drive refusals;
# backlog = carried forward / (new + carried over).

# %%
composition = stats.outcome_composition(organs)
display(composition)
display(stats.outcome_composition(organs, "level"))
c = composition.to_dict("records")[0]
practical = "not defined (no refusals)" if pd.isna(c["practical_share"]) else f"{c['practical_share']:.0%}"
display(
    Markdown(
        f"Organ reports used: **{c['n']}** of {c['reports']} ({c['no_applications']} processed none, "
        f"{c['incomplete']} with a blank outcome cell), with {c['processed']:,.0f} processed applications. "
        f"Grant rate {c['grant_rate']:.0%}; practical share of refusals {practical}; backlog "
        f"{c['backlog']:.0%}. With N this small these describe these organs; they estimate nothing."
        if c["n"]
        else "No organ report processed any application."
    )
)

# %% [markdown]
# On the simulated corpus the pooled shares recover the outcome shares used to generate it:

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
