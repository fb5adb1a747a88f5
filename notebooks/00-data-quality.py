# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Data quality: what was parsed, what failed, and how far to trust each number
#
# This notebook reads the processed corpus (the output of `govreports parse`) and produces the
# tables a methods section needs: which input files became reports and which failed and why,
# which accounting identities fail in which reports, and how many cells were blank, flagged or
# could be inferred from the identities. It changes no value; it only counts.
#
# Every number in the text below is computed from the data in this run. Point `processed_dir`
# at another corpus (the parameters cell) and the text changes with it.

# %%
"""Data quality of a processed corpus: inputs, failures, identity checks and cell statuses."""

import pandas as pd
from IPython.display import Markdown, display

import govreports as gr
from govreports import stats
from govreports.io import read_processed

pd.set_option("display.max_colwidth", 80)

# %% tags=["parameters"]
processed_dir = "../data/processed"

# %%
corpus = read_processed(processed_dir)
counts = stats.corpus_counts(corpus)
inputs = stats.input_summary(corpus)
counts.to_frame("N")

# %%
display(
    Markdown(
        f"**N.** {counts['input files']} input files: {counts['parsed reports']} parsed into reports, "
        f"{counts['failed files']} failed. Parsed reports by scope: an organ's own report "
        f"{counts['organ reports']}, region-wide (本级政府) {counts['region-wide reports']}, "
        f"unknown {counts['scope unknown']}."
    )
)

# %% [markdown]
# ## Inputs: parsed or failed, and why
#
# Every input file is either a report or a failure row with the stage and the error; none is
# dropped silently. Failures grouped by their reason:

# %%
display(inputs)

# %%
failures = corpus.failures.assign(short=corpus.failures["message"].str.replace(r"^[^:]+: ", "", regex=True))
failure_reasons = (
    failures.groupby(["stage", "error_type", "short"], dropna=False).size().rename("files").reset_index()
    if len(failures)
    else pd.DataFrame(columns=["stage", "error_type", "short", "files"])
)
display(failure_reasons)

# %% [markdown]
# ## Parsed reports: year, level, organ type, scope, template
#
# The template is read from the table headers, not from the notice a report cites. A report for
# a year from the 2021 template onwards that still prints the 2019 template is a straggler.

# %%
reports = corpus.reports.reindex(
    columns=["report_id", "organ", "year", "template", "level", "organ_type", "scope", "tables_found"]
)
layout = (
    reports.reindex(columns=["year", "template", "level", "organ_type", "scope"])
    .astype("string")
    .fillna("unknown")
    .value_counts()
    .rename("reports")
    .reset_index()
)
display(layout)

# %%
years = pd.to_numeric(reports["year"], errors="coerce")
stragglers = reports.loc[(years >= 2021) & (reports["template"] == "2019"), ["report_id", "organ", "year"]]
tables = reports["tables_found"].astype("string").fillna("")
all_three = int(tables.str.count(",").eq(2).sum())
display(
    Markdown(
        f"Reports with all three tables (表二, 表三, 表四): {all_three} of {len(reports)}. Reports for "
        f"a year from 2021 on that print the 2019 template: {len(stragglers)}."
    )
)

# %% [markdown]
# ## Accounting identities
#
# One row per identity: passes, fails, and checks that cannot be assessed because an operand is
# blank (a blank is never counted as a pass). The pass rate is over assessable checks only.

# %%
check_summary = stats.check_table(corpus.checks)
display(check_summary)

# %%
organs = reports.set_index("report_id")["organ"]
failing = corpus.checks.loc[corpus.checks["status"] == "fail"].assign(organ=lambda f: f.report_id.map(organs))
failing[["report_id", "organ", "check_id", "scope", "formula", "lhs", "rhs", "delta"]]

# %%
unassessable = corpus.checks.loc[corpus.checks["status"] == "not_assessable"]
n_checks = len(corpus.checks)
display(
    Markdown(
        f"{n_checks} checks in {corpus.checks['report_id'].nunique()} reports: "
        f"{int((corpus.checks['status'] == 'pass').sum())} pass, {len(failing)} fail "
        f"(in {failing['report_id'].nunique()} reports) and {len(unassessable)} cannot be assessed "
        f"(in {unassessable['report_id'].nunique()} reports)."
    )
)

# %% [markdown]
# ## Cells: blank, flagged and inferable
#
# Cells per report by status. `ok` is a clean number; every other status says why a value is
# missing or may differ from the report (see the README's list of statuses).

# %%
statuses = stats.status_table(corpus.cells)
display(statuses)

# %%
flagged = corpus.cells.loc[corpus.cells["status"] != "ok"]
flagged_summary = (
    flagged.groupby(["status", "table"], observed=True).size().rename("cells").reset_index()
    if len(flagged)
    else pd.DataFrame(columns=["status", "table", "cells"])
)
display(flagged_summary)

# %% [markdown]
# A blank cell stays blank. Where an identity leaves exactly one possible value, the opt-in
# `gr.fill_from_identities` proposes it, marked `inferred` with the identity it came from. These
# are the cells an analysis *could* fill, listed so that nobody fills them silently:

# %%
filled = gr.fill_from_identities(corpus.cells)
inferred = filled.loc[
    filled["status"] == "inferred", ["report_id", "table", "row_key", "col_key", "value", "source_ref"]
]
display(inferred)

# %%
n_cells = len(corpus.cells)
n_blank = int((corpus.cells["status"] == "blank").sum())
display(
    Markdown(
        f"{n_cells} cells: {n_cells - len(flagged)} clean numbers, {len(flagged)} flagged, of which "
        f"{n_blank} blank ({n_blank / max(n_cells, 1):.2%} of all cells). Identities determine "
        f"{len(inferred)} of the missing values; the analysis notebooks use the values as printed."
    )
)

# %% [markdown]
# ## Figures stated in the prose
#
# The proactive-disclosure total (主动公开) is read from the text, not from a table. Some reports
# state only per-channel counts; these are not summed into a total.

# %%
figures = corpus.figures
proactive = figures.loc[figures["figure"] == "proactive_total"]
with_total = int(proactive["value"].notna().sum())
proactive.assign(organ=proactive["report_id"].map(organs))[["report_id", "organ", "value", "unit", "note"]]

# %%
display(
    Markdown(
        f"Reports stating a proactive-disclosure total: {with_total} of {len(reports)}. Statements "
        f"without a usable total: {len(proactive) - with_total} (see `note`)."
    )
)

# %% [markdown]
# ## For the methods section
#
# The same numbers in one table.

# %%
methods = pd.Series(
    {
        "input files": counts["input files"],
        "parsed reports": counts["parsed reports"],
        "failed files": counts["failed files"],
        "reports with all three tables": all_three,
        "identity checks": n_checks,
        "checks failed": len(failing),
        "checks not assessable": len(unassessable),
        "cells": n_cells,
        "cells flagged (not a clean number)": len(flagged),
        "cells blank": n_blank,
        "cells inferable from identities": len(inferred),
        "reports stating a proactive total": with_total,
    },
    name="N",
)
methods.to_frame()
