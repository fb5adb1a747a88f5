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
# how each input format's cells were read (as printed, rebuilt by the template solver, left
# empty, or flagged), which accounting identities pass or fail, and, for each pass, whether it is
# independent evidence or only repeats the identity the solver used to rebuild a value. It
# changes no value; it only counts.
#
# Every number in the text below is computed from the data in this run. Point `processed_dir`
# at another corpus (the parameters cell) and the text changes with it.

# %%
"""Data quality of a processed corpus: inputs, failures, cell statuses and identity checks."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

import govreports as gr
from govreports import errors, plotting, publish, stats
from govreports.io import read_processed
from govreports.schema import identities

pd.set_option("display.max_colwidth", 80)

# %% tags=["parameters"]
processed_dir = "../data/processed"
figures_dir = "../figures"
tables_dir = "../tables"

# %%
family = plotting.setup_fonts(style="whitegrid")
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
        f"unknown {counts['scope unknown']}. This notebook counts cells and checks over all parsed "
        "reports whatever their scope: it adds no values, so scopes are never summed together."
    )
)

# %% [markdown]
# ## Inputs: parsed or failed, and why
#
# Every input file is either a report or a failure row with the stage and the error; none is
# dropped silently.

# %%
display(inputs)

# %% [markdown]
# Failures grouped by their reason, with the meaning of each error type (only the types that
# occur in this corpus are listed):

# %%
# Error types that are not exception classes of govreports.errors.
OTHER_ERRORS = {
    "DuplicateFile": "Same content as another input file: parsed once, this copy is not a report."
}


def _error_meaning(name: str) -> str:
    """First line of the error class's docstring, or the meaning of a non-class error type."""
    cls = getattr(errors, str(name), None)
    if isinstance(cls, type) and cls.__doc__:
        return cls.__doc__.strip().splitlines()[0]
    return OTHER_ERRORS.get(str(name), "")


failures = corpus.failures.assign(short=corpus.failures["message"].str.replace(r"^[^:]+: ", "", regex=True))
failure_reasons = (
    failures.groupby(["stage", "error_type", "short"], dropna=False).size().rename("files").reset_index()
    if len(failures)
    else pd.DataFrame(columns=["stage", "error_type", "short", "files"])
)
failure_types = (
    failures.groupby("error_type", dropna=False).size().rename("files").reset_index()
    if len(failures)
    else pd.DataFrame(columns=["error_type", "files"])
)
failure_types["meaning"] = failure_types["error_type"].map(_error_meaning)
if len(failures):
    display(failure_types)
    display(failure_reasons)
    publish.save_table(
        failure_types,
        "00-failures",
        tables_dir,
        caption=f"Input files that could not be parsed, by error type (N = {len(failures)} files).",
    )
    failure_text = (
        f"{len(failures)} of {counts['input files']} input files failed, of "
        f"{failure_types['error_type'].nunique()} error types; each is listed above with its reason."
    )
else:
    failure_text = (
        f"No input file failed (N = 0 of {counts['input files']}): there is no failures table to save for "
        "this corpus. A failure would be listed here with its error type and the reason."
    )
display(Markdown(failure_text))

# %% [markdown]
# ## Parsed reports: year, level, organ type, scope, template, format
#
# The template is read from the table headers, not from the notice a report cites. A report for
# a year from the 2021 template onwards that still prints the 2019 template is a straggler. The
# format is the input format, decided from the file's content: a crawler's text dump (`crawl`)
# is read differently from a PDF or a plain text copy.

# %%
reports = corpus.reports.reindex(
    columns=[
        "report_id",
        "organ",
        "year",
        "template",
        "level",
        "organ_type",
        "scope",
        "format",
        "tables_found",
    ]
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
no_tables = int((reports["template"] == "none").sum())
display(
    Markdown(
        f"Reports with all three tables (表二, 表三, 表四): {all_three} of {len(reports)}. Reports for "
        f"a year from 2021 on that print the 2019 template: {len(stragglers)}. Reports from before the "
        f"standard tables (template `none`, listed with metadata and prose figures, no cells): {no_tables}."
    )
)

# %% [markdown]
# ## Cells: read as printed, rebuilt, empty or flagged
#
# Each cell has a status. We group the statuses in four:
#
# - **decided as printed**: `ok`, `thousands_sep`, `unit_in_cell`, `zero_word`, `footnote`: the
#   number is the one printed, read without separators, units, the word 无 or a footnote mark;
# - **rebuilt by the template solver**: `split`, `expanded`, `joined`: what was printed did not
#   fill the row one to one (digits glued together, a run of equal cells printed once, a number
#   broken over two lines), and the solver chose the one reading that the template's widths and
#   accounting identities allow;
# - **placeholders**: `blank`, `slash`, `dash`, `na_text`: the report printed no number;
# - **flagged**: every other status: no number could be decided, or the one read is not to be
#   taken as it stands.
#
# The table lists only the statuses that occur in this corpus, with their meaning.

# %%
GROUPS = {
    "as_printed": "按原样读取",
    "rebuilt": "模板求解重建",
    "placeholder": "空白或占位符",
    "flagged": "其他标记（存疑）",
}
GROUP_COLORS = {"as_printed": "#4c72b0", "rebuilt": "#dd8452", "placeholder": "#bbbbbb", "flagged": "#c44e52"}
AS_PRINTED = ("ok", "thousands_sep", "unit_in_cell", "zero_word", "footnote")
REBUILT = ("split", "expanded", "joined")
PLACEHOLDERS = ("blank", "slash", "dash", "na_text")
# status → (Chinese name, meaning)
STATUS_INFO = {
    "ok": ("数字", "a clean number, read as printed"),
    "thousands_sep": ("千分位数字", "a number with thousands separators (1,234)"),
    "unit_in_cell": ("带单位数字", "a number with its unit in the cell (12件, 251000元)"),
    "zero_word": ("“无”", "the word 无: value 0, flagged"),
    "footnote": ("带脚注标记", "a number followed by a footnote mark, read without the mark"),
    "split": ("拆分粘连数字", "digits printed without separators, split the one way the template allows"),
    "expanded": ("展开折叠值", "one value printed for a run of equal cells, expanded to the run"),
    "joined": ("接合断行数字", "a number broken over two lines, joined"),
    "blank": ("空白", "empty cell"),
    "slash": ("斜杠", "the cell prints /"),
    "dash": ("横线", "the cell prints a dash"),
    "na_text": ("不适用", "不适用 or N/A"),
    "text": ("文字", "words where a number belongs"),
    "negative": ("负数", "a negative number where the template allows none"),
    "not_integer": ("非整数", "a fraction in a column of counts"),
    "missing_cell": ("缺格", "the row printed fewer cells than the template and the gaps cannot be placed"),
    "surplus_cells": ("多格", "more cells than the template: a value only where every alignment agrees"),
    "row_missing": ("缺行", "the template row is not in the report"),
    "table_missing": ("缺表", "the table is not in the report"),
    "inferred": ("恒等式推断", "filled from an identity (only in fill_from_identities' copy)"),
    "ambiguous": ("多种读法", "several readings fit, or too many to search: value missing"),
    "engine_disagreement": ("引擎读法不一", "two PDF table engines read the cell differently: value missing"),
    "too_large": ("数值过大", "a count too large for a float to hold exactly: value missing, digits in raw"),
    "merged_cell": ("合并单元格", "one printed value spanning several cells: value missing"),
    "duplicated": ("重复表格不一致", "a table printed twice, this cell differently: value missing"),
}


def status_group(status: pd.Series) -> pd.Series:
    """Map cell statuses to the four groups (keys of GROUPS); an operand with no cell is flagged."""
    status = status.astype("string")
    return pd.Series(
        np.select(
            [status.isin(AS_PRINTED), status.isin(REBUILT), status.isin(PLACEHOLDERS)],
            ["as_printed", "rebuilt", "placeholder"],
            "flagged",
        ),
        index=status.index,
    )


cells = corpus.cells.assign(
    status=corpus.cells["status"].astype("string"),
    table=corpus.cells["table"].astype("string"),
    format=corpus.cells["report_id"].map(reports.set_index("report_id")["format"]).astype("string"),
)
cells["group"] = status_group(cells["status"])
status_summary = (
    cells.groupby("status")
    .agg(cells=("status", "size"), reports=("report_id", "nunique"), with_value=("value", "count"))
    .reset_index()
)
status_summary.insert(1, "group", status_group(status_summary["status"]).map(GROUPS))
status_summary.insert(2, "name", status_summary["status"].map(lambda s: STATUS_INFO.get(s, (s, ""))[0]))
status_summary["meaning"] = status_summary["status"].map(lambda s: STATUS_INFO.get(s, ("", ""))[1])
status_summary["share"] = status_summary["cells"] / status_summary["cells"].sum()
status_summary = (
    status_summary.assign(_order=status_summary["group"].map(list(GROUPS.values()).index))
    .sort_values(["_order", "cells"], ascending=[True, False])
    .drop(columns="_order")
    .reset_index(drop=True)
)
publish.save_table(
    status_summary,
    "00-cell-statuses",
    tables_dir,
    caption=(
        f"Cell statuses in the corpus ({len(cells)} cells in {cells['report_id'].nunique()} reports): "
        "cells, reports with the status, cells with a value, and share of all cells."
    ),
)
display(status_summary)

# %% [markdown]
# Cells by input format and status group. Each bar is one format; it spans all of that
# format's cells, and the labels give the number of reports and cells it rests on.

# %%
by_format = pd.crosstab(cells["format"], cells["group"]).reindex(columns=list(GROUPS), fill_value=0)
format_reports = cells.groupby("format")["report_id"].nunique()
FORMAT_NAMES = {
    "text": "纯文本",
    "crawl": "网页抓取文本",
    "pdf": "PDF",
    "markdown": "Markdown 表格文本",
    "html": "网页 HTML",
    "docx": "Word（docx）",
    "doc": "Word（doc）",
}
by_format = by_format.loc[by_format.sum(axis=1).sort_values().index]
shares = by_format.div(by_format.sum(axis=1), axis=0) * 100
labels = [
    f"{FORMAT_NAMES.get(f, f)}\n{format_reports[f]} 份报告，{by_format.loc[f].sum():,} 个单元格"
    for f in by_format.index
]

detail = pd.crosstab(cells["status"], cells["format"]).reindex(columns=by_format.index[::-1])
detail = detail.loc[status_summary["status"]]
detail.index = [STATUS_INFO.get(s, (s, ""))[0] for s in detail.index]
detail.columns = [FORMAT_NAMES.get(f, f) for f in detail.columns]

fig, (ax_bar, ax_heat) = plt.subplots(
    1, 2, figsize=(13, 1.5 + 0.55 * max(len(by_format), len(detail))), layout="constrained"
)
left = np.zeros(len(shares))
for group in GROUPS:
    widths = shares[group].to_numpy()
    ax_bar.barh(labels, widths, left=left, color=GROUP_COLORS[group], label=GROUPS[group])
    for y, (x0, w, n) in enumerate(zip(left, widths, by_format[group], strict=True)):
        if w >= 6:
            ax_bar.text(x0 + w / 2, y, f"{n:,}", ha="center", va="center", fontsize=8, color="white")
    left += widths
ax_bar.set_xlim(0, 100)
ax_bar.set_xlabel("占该格式单元格的比例（%）")
ax_bar.set_title(f"按输入格式的单元格状态（{cells['report_id'].nunique()} 份报告，{len(cells):,} 个单元格）")
fig.legend(*ax_bar.get_legend_handles_labels(), loc="outside lower left", ncol=4, frameon=False)
sns.heatmap(
    detail.div(detail.sum(axis=0), axis=1),
    annot=detail,
    fmt=",d",
    cmap="Blues",
    vmin=0,
    vmax=1,
    cbar_kws={"label": "占该格式单元格的比例"},
    ax=ax_heat,
)
ax_heat.set_xlabel("输入格式")
ax_heat.set_ylabel("单元格状态")
ax_heat.set_title("各状态的单元格数（个）")
publish.save_figure(fig, "00-cell-status-by-format", figures_dir)
plt.show()

# %%
group_totals = cells["group"].value_counts().reindex(list(GROUPS), fill_value=0)
rebuilt_formats = by_format.loc[by_format["rebuilt"] > 0].index.tolist()
display(
    Markdown(
        f"Of {len(cells):,} cells, {group_totals['as_printed']:,} "
        f"({group_totals['as_printed'] / len(cells):.1%}) were decided as printed, "
        f"{group_totals['rebuilt']:,} ({group_totals['rebuilt'] / len(cells):.1%}) were "
        f"rebuilt by the template solver; placeholders: {group_totals['placeholder']:,}; flagged: "
        f"{group_totals['flagged']:,}. Rebuilt cells by format: "
        + (
            "; ".join(
                f"`{f}` {by_format.loc[f, 'rebuilt']:,} of {by_format.loc[f].sum():,} cells "
                f"({by_format.loc[f, 'rebuilt'] / by_format.loc[f].sum():.1%}, {format_reports[f]} reports)"
                for f in rebuilt_formats
            )
            or "none"
        )
        + ". The formats differ in source as much as in layout (here each format comes from few sources), so "
        "this shows where the solver was needed, not how well a format reads in general."
    )
)

# %% [markdown]
# Cells per report by status. `ok` is a clean number; every other status says why a value is
# missing or may differ from the report.

# %%
statuses = stats.status_table(corpus.cells)
display(statuses)

# %% [markdown]
# ## Accounting identities, and which passes are evidence
#
# The checks frame has one row per identity and report: the template's identities (表三's
# per-column flow `T3.FLOW`, the outcome sums `T3.SUM_ROWS`, the applicant-column sums
# `T3.SUM_COLS`, and 表四's totals `T4.SUM`) and two soft checks (`TXT.NEW_RECEIVED`: the number of
# applications stated in the prose equals 表三's; `T2.RULES`: a county or township organ reports
# no 规章). We add the cross-year identity `XY.CARRY` (`stats.carry_checks`): what an organ carried
# forward at the end of one year (结转下年度继续办理) is what it carries over into the next
# (上年结转). A check with a blank operand is `not_assessable`, never a pass.
#
# **A pass is not always evidence.** The template solver rebuilds a row whose printed cells do not
# fill it one to one (glued digits split, collapsed runs expanded, broken numbers joined) by
# keeping only the readings that satisfy the template's identities. A template identity that
# passes with a rebuilt operand therefore passes by construction: it shows that the solver found a
# consistent reading, not that the reading is right. We pair every check with its operands
# (`schema.identities` for the report's 表三 rows, as `validate.check_records` does) and split the
# checks in three: all operands decided as printed; any operand rebuilt by the solver; any
# operand a placeholder or flagged (most have no value, so the check is not assessable). The
# soft checks compare with the prose and `XY.CARRY` with another report, neither of which the
# solver sees, so their passes are evidence even when an operand was rebuilt.

# %%
carry = stats.carry_checks(corpus)
all_checks = pd.concat(
    [corpus.checks.drop(columns=["year"], errors="ignore"), carry], ignore_index=True
).astype({"status": "string", "table": "string"})
display(stats.check_table(all_checks))

# %%
TEMPLATE_KINDS = ("official", "implied")


def identity_operands(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per (report, template identity, operand cell), for the identities each report is checked on.

    As in ``validate.check_records``, a report's identity set follows the 表三 rows it prints.
    """
    rows = []
    for report_id, part in cells.groupby("report_id", sort=False):
        app_rows = tuple(part.loc[part["table"] == "applications", "row_key"].drop_duplicates())
        for identity in identities(app_rows):
            for row, col in (*identity.lhs, *identity.rhs):
                rows.append((report_id, identity.check_id, identity.table, identity.scope, row, col))
    return pd.DataFrame(rows, columns=["report_id", "check_id", "table", "scope", "row_key", "col_key"])


def soft_operands(checks: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Operand cells of the soft checks (the prose figure itself is not a cell)."""
    rows = []
    soft = checks.loc[checks["kind"] == "soft"]
    for report_id, check_id, table, scope, formula in soft[
        ["report_id", "check_id", "table", "scope", "formula"]
    ].itertuples(index=False):
        if check_id == "TXT.NEW_RECEIVED":
            terms = [("new_received", "total")] + [("carried_over", "total")] * ("carried_over" in formula)
        else:  # T2.RULES: every rules cell the report has
            own = cells.loc[(cells["report_id"] == report_id) & (cells["table"] == table)]
            terms = list(own.loc[own["row_key"] == "rules", ["row_key", "col_key"]].itertuples(index=False))
        rows += [(report_id, check_id, table, scope, r, c) for r, c in terms]
    return pd.DataFrame(rows, columns=["report_id", "check_id", "table", "scope", "row_key", "col_key"])


def carry_operands(carry: pd.DataFrame) -> pd.DataFrame:
    """Operand cells of XY.CARRY: this report's carried_over and the previous report's carried_forward."""
    rows = []
    for report_id, formula in carry[["report_id", "formula"]].itertuples(index=False):
        key = (report_id, "XY.CARRY", "applications", "total")
        rows.append((*key, report_id, "carried_over", "total"))
        found = re.search(r"of (\S+) \(\d{4}\)$", formula)
        for previous in found.group(1).split("|") if found else []:
            rows.append((*key, previous, "carried_forward", "total"))
    return pd.DataFrame(
        rows, columns=["report_id", "check_id", "table", "scope", "cell_report", "row_key", "col_key"]
    )


KEYS = ["report_id", "check_id", "table", "scope"]
operands = pd.concat(
    [
        identity_operands(cells).assign(cell_report=lambda f: f["report_id"]),
        soft_operands(all_checks, cells).assign(cell_report=lambda f: f["report_id"]),
        carry_operands(carry),
    ],
    ignore_index=True,
)
lookup = cells.drop_duplicates(["report_id", "table", "row_key", "col_key"]).rename(
    columns={"report_id": "cell_report"}
)[["cell_report", "table", "row_key", "col_key", "status"]]
operands = operands.merge(lookup, on=["cell_report", "table", "row_key", "col_key"], how="left")
operands["group"] = status_group(operands["status"].fillna("table_missing"))
provenance = (
    operands.assign(rebuilt=operands["group"] == "rebuilt", printed=operands["group"] == "as_printed")
    .groupby(KEYS)
    .agg(any_rebuilt=("rebuilt", "any"), all_printed=("printed", "all"), operand_cells=("group", "size"))
    .reset_index()
)
provenance["operands"] = np.select(
    [provenance["any_rebuilt"], provenance["all_printed"]], ["rebuilt", "as_printed"], "other_status"
)
checked = all_checks.merge(provenance, on=KEYS, how="left", validate="one_to_one")
unpaired = int(checked["operands"].isna().sum())
checked["operands"] = checked["operands"].fillna("other_status")
checked["template_identity"] = checked["kind"].isin(TEMPLATE_KINDS)
checked["independent"] = ~(checked["template_identity"] & (checked["operands"] == "rebuilt"))
display(
    Markdown(
        f"{len(all_checks)} checks ({len(corpus.checks)} within reports, {len(carry)} `XY.CARRY`). "
        + (
            "Every check was paired with its operands."
            if unpaired == 0
            else f"{unpaired} checks could not be paired with their operands and count as not decided."
        )
    )
)

# %%
OPERAND_NAMES = {
    "as_printed": "all operands decided as printed",
    "rebuilt": "an operand rebuilt by the solver",
    "other_status": "an operand placeholder or flagged",
}
check_split = (
    pd.crosstab([checked["check_id"], checked["kind"], checked["operands"]], checked["status"])
    .reindex(columns=["pass", "fail", "not_assessable"], fill_value=0)
    .reset_index()
)
check_split.columns.name = None
check_split["pass_rate"] = check_split["pass"] / (check_split["pass"] + check_split["fail"]).where(
    lambda s: s > 0
)
check_split["evidence"] = np.where(
    check_split["kind"].isin(TEMPLATE_KINDS) & (check_split["operands"] == "rebuilt"),
    "none: the solver chose the values to satisfy this identity",
    np.where(check_split["pass"] + check_split["fail"] > 0, "independent", "nothing assessable"),
)
check_split["operands"] = check_split["operands"].map(OPERAND_NAMES)
publish.save_table(
    check_split,
    "00-checks",
    tables_dir,
    caption=(
        f"Identity checks by identity and by the provenance of their operands ({len(checked)} checks in "
        f"{checked['report_id'].nunique()} reports, XY.CARRY included). Passes of a template identity "
        "with an operand rebuilt by the template solver are not independent evidence."
    ),
)
display(check_split)

# %%
template = checked.loc[checked["template_identity"]]
t_pass = template["status"] == "pass"
circular = int((t_pass & (template["operands"] == "rebuilt")).sum())
clean_pass = int((t_pass & (template["operands"] == "as_printed")).sum())
flagged_pass = int((t_pass & (template["operands"] == "other_status")).sum())
kept_flags = operands.merge(template.loc[t_pass & (template["operands"] == "other_status"), KEYS], on=KEYS)
kept_flags = sorted(set(kept_flags.loc[kept_flags["group"].isin(["flagged", "placeholder"]), "status"]))
rebuilt_reports = set(cells.loc[cells["group"] == "rebuilt", "report_id"])
clean_in_rebuilt = int(
    (t_pass & (template["operands"] == "as_printed") & template["report_id"].isin(rebuilt_reports)).sum()
)
t_fail = template.loc[template["status"] == "fail"]
display(
    Markdown(
        f"**Template identities.** {len(template)} checks in {template['report_id'].nunique()} reports: "
        f"{int(t_pass.sum())} pass, {len(t_fail)} fail, "
        f"{int((template['status'] == 'not_assessable').sum())} not assessable. Of the passes, "
        f"{circular} ({circular / max(int(t_pass.sum()), 1):.1%}) have an operand the solver rebuilt to "
        "satisfy the template's identities: they are not independent evidence that those values are right. "
        f"{clean_pass} passes have every operand decided as printed; {clean_in_rebuilt} of them are in "
        f"the {len(rebuilt_reports)} reports where the solver rebuilt some cells, where even a row read as "
        "printed was one reading among those the solver considered, so they are weaker evidence than a "
        f"pass in a report the solver did not touch. {flagged_pass} passes rest on an operand that is "
        f"flagged but kept its value (statuses: {', '.join(f'`{k}`' for k in kept_flags) or 'none'})."
    )
)

# %% [markdown]
# Every failing check, within a report or across years:

# %%
organs = reports.set_index("report_id")["organ"]
failing = checked.loc[checked["status"] == "fail"].assign(
    organ=lambda f: f["report_id"].map(organs), operands=lambda f: f["operands"].map(OPERAND_NAMES)
)
failing[["report_id", "organ", "check_id", "kind", "scope", "formula", "lhs", "rhs", "delta", "operands"]]

# %%
soft = checked.loc[checked["kind"] == "soft"]
soft_fail = soft.loc[soft["status"] == "fail"]
soft_fail_rebuilt = int((soft_fail["operands"] == "rebuilt").sum())
display(
    Markdown(
        f"**Soft checks.** {len(soft)} checks: {int((soft['status'] == 'pass').sum())} pass, "
        f"{len(soft_fail)} fail, {int((soft['status'] == 'not_assessable').sum())} not assessable. Failures "
        f"that compare the prose with a table value the solver rebuilt: {soft_fail_rebuilt} of "
        f"{len(soft_fail)}. The solver never sees the prose, so such a failure is independent evidence "
        "against the rebuilt value, or a sign that the prose counts something else (受理 may include "
        "requests the table does not count). A soft failure asks for a look; it does not prove an error."
    )
)

# %% [markdown]
# The same split as a figure: for each identity, the checks whose operands were all decided as
# printed, those with an operand rebuilt by the solver (for a template identity a pass there is no
# evidence, marked 非独立), and those with an operand that is a placeholder or flagged (a pass
# there rests on a flagged value that was kept, such as surplus cells on which every alignment
# agrees). Each bar spans all of its identity's checks in that panel (shares), with the counts
# beside it.

# %%
CHECK_NAMES = {
    "T3.FLOW": "表三 结转流量",
    "T3.SUM_ROWS": "表三 办理结果合计",
    "T3.SUM_COLS": "表三 申请人合计",
    "T4.SUM": "表四 合计",
    "TXT.NEW_RECEIVED": "正文与表三新收申请",
    "T2.RULES": "县乡机关无规章",
    "XY.CARRY": "跨年结转",
}
PANELS = {
    "as_printed": "操作数均按原样读取",
    "rebuilt": "含模板求解重建的操作数",
    "other_status": "含空白或其他标记的操作数",
}
STATUS_COLORS = {"pass": "#55a868", "fail": "#c44e52", "not_assessable": "#bbbbbb"}
STATUS_NAMES = {"pass": "通过", "fail": "不通过", "not_assessable": "无法评估"}
counts_by = (
    pd.crosstab([checked["operands"], checked["check_id"]], checked["status"])
    .reindex(columns=list(STATUS_COLORS), fill_value=0)
    .reset_index()
)
order = [c for c in CHECK_NAMES if c in set(checked["check_id"])]
TEMPLATE_CHECKS = {"T3.FLOW", "T3.SUM_ROWS", "T3.SUM_COLS", "T4.SUM"}


def _bar_note(row: pd.Series, circular: bool) -> str:
    """Return the counts printed beside a bar: checks, passes, failures, not assessable."""
    note = f"{int(row.sum())} 条：通过 {int(row['pass'])}"
    note += f"，不通过 {int(row['fail'])}" if row["fail"] else ""
    note += f"，无法评估 {int(row['not_assessable'])}" if row["not_assessable"] else ""
    return note + ("（通过非独立）" if circular and row["pass"] else "")


fig, axes = plt.subplots(1, 3, figsize=(18, 1.6 + 0.5 * len(order)), layout="constrained", sharey=True)
for ax, (key, title) in zip(axes, PANELS.items(), strict=True):
    part = counts_by.loc[counts_by["operands"] == key].set_index("check_id")[list(STATUS_COLORS)]
    part = part.reindex(order, fill_value=0)
    share = part.div(part.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0) * 100
    left = np.zeros(len(part))
    for status, color in STATUS_COLORS.items():
        widths = share[status].to_numpy()
        bars = ax.barh(range(len(part)), widths, left=left, color=color, label=STATUS_NAMES[status])
        if key == "rebuilt" and status == "pass":
            for bar, check in zip(bars, order, strict=True):
                if check in TEMPLATE_CHECKS:
                    bar.set_hatch("//")
                    bar.set_edgecolor("white")
        left += widths
    for y, check in enumerate(order):
        if part.loc[check].sum():
            note = _bar_note(part.loc[check], key == "rebuilt" and check in TEMPLATE_CHECKS)
            ax.text(102, y, note, va="center", fontsize=8)
    ax.set_xlim(0, 215)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_title(f"{title}（{int(part.to_numpy().sum())} 条）")
    ax.set_xlabel("占该恒等式检查的比例（%）")
    ax.grid(axis="y", visible=False)
axes[0].set_yticks(
    range(len(order)), [CHECK_NAMES[c] + ("（模板恒等式）" if c in TEMPLATE_CHECKS else "") for c in order]
)
axes[0].invert_yaxis()
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=3, frameon=False)
fig.suptitle(
    f"恒等式检查结果，按操作数来源（{len(checked)} 条检查，{checked['report_id'].nunique()} 份报告）"
)
publish.save_figure(fig, "00-checks-by-operand-provenance", figures_dir)
plt.show()

# %% [markdown]
# ### Cells that sit in a failing identity
#
# The cells frame marks every operand of a failing template identity (`in_failed_check`): a
# value to doubt even when its status is `ok`, since a digit misread the same way by every
# engine can only be seen in the identities it breaks. Soft and cross-year checks do not set it.

# %%
in_failed = cells["in_failed_check"].fillna(False).astype(bool)
doubt = (
    cells.loc[in_failed]
    .groupby(["group", "status"])
    .agg(cells=("status", "size"), reports=("report_id", "nunique"))
    .reset_index()
    .assign(group=lambda f: f["group"].map(GROUPS))
)
display(doubt)
ok_doubt = int((in_failed & (cells["status"] == "ok")).sum())
display(
    Markdown(
        f"Cells in a failing template identity: {int(in_failed.sum())} (in "
        f"{cells.loc[in_failed, 'report_id'].nunique()} reports), of which {ok_doubt} have status `ok` "
        f"and {int((in_failed & (cells['group'] == 'rebuilt')).sum())} were rebuilt by the solver. Template "
        f"identities failing: {len(t_fail)}."
    )
)

# %% [markdown]
# ### The cross-year identity XY.CARRY
#
# One check per report with 表三, the later year's report carrying it. It can be assessed only when
# the same organ (`stats.organ_ids`) has a report for the year before, both values are decided,
# and both reports are of the same scope.

# %%
reason = np.select(
    [
        carry["status"] != "not_assessable",
        carry["formula"].str.endswith("(none)"),
        carry["lhs"].isna(),
        carry["rhs"].isna(),
    ],
    [
        "assessed",
        "no report of the organ for the previous year",
        "this year's carried_over not decided",
        "previous year's carried_forward not decided, or its reports disagree",
    ],
    "one report organ-level, the other region-wide",
)
carry_table = (
    carry.assign(reason=reason, status=carry["status"].astype("string"))
    .groupby(["status", "reason"])
    .size()
    .rename("checks")
    .reset_index()
)
publish.save_table(
    carry_table,
    "00-carry-checks",
    tables_dir,
    caption=f"Cross-year identity XY.CARRY: outcome and reason ({len(carry)} reports with 表三).",
)
display(carry_table)
carry_status = carry["status"].astype("string").value_counts()
no_previous = int((reason == "no report of the organ for the previous year").sum())
assessed = checked.loc[(checked["check_id"] == "XY.CARRY") & (checked["status"] != "not_assessable")]
assessed = assessed.assign(
    organ=assessed["report_id"].map(organs), operands=assessed["operands"].map(OPERAND_NAMES)
)
display(assessed[["report_id", "organ", "formula", "lhs", "rhs", "status", "operands"]])
mostly_missing = no_previous > len(carry) / 2
zero_pairs = int(((assessed["lhs"] == 0) & (assessed["rhs"] == 0)).sum())
display(
    Markdown(
        f"`XY.CARRY`: {len(carry)} reports with 表三, {int(carry_status.get('pass', 0))} pass, "
        f"{int(carry_status.get('fail', 0))} fail, {int(carry_status.get('not_assessable', 0))} not "
        f"assessable, of which {no_previous} because the corpus has no report of the same organ for the "
        "previous year. "
        + (
            "Most reports have no predecessor in this corpus (few organs appear in consecutive years), so "
            "the check says little here; it needs a corpus with complete runs of years. "
            if mostly_missing
            else ""
        )
        + f"Of the {len(assessed)} assessed pairs, {zero_pairs} compare zero with "
        f"zero (an organ with nothing open at the year's end), which confirms little, and "
        f"{int((assessed['operands'] == OPERAND_NAMES['rebuilt']).sum())} involve a value the solver "
        "rebuilt: the solver reads one report at a time, so a cross-year pass is independent of it."
    )
)

# %% [markdown]
# ## Inferable blanks
#
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
n_cells = len(cells)
n_blank = int((cells["status"] == "blank").sum())
n_not_ok = int((cells["status"] != "ok").sum())
display(
    Markdown(
        f"{n_cells} cells: {n_cells - n_not_ok} with status `ok`, {n_not_ok} with another status, of which "
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
status_counts = checked["status"].value_counts()
methods = pd.Series(
    {
        "input files": counts["input files"],
        "parsed reports": counts["parsed reports"],
        "failed files": counts["failed files"],
        "reports with all three tables": all_three,
        "cells": n_cells,
        "cells decided as printed": int(group_totals["as_printed"]),
        "cells rebuilt by the template solver": int(group_totals["rebuilt"]),
        "cells left as placeholders (blank, /, -, N/A)": int(group_totals["placeholder"]),
        "cells flagged otherwise": int(group_totals["flagged"]),
        "cells in a failing template identity": int(in_failed.sum()),
        "cells inferable from identities": len(inferred),
        "checks (incl. XY.CARRY)": len(checked),
        "checks passed": int(status_counts.get("pass", 0)),
        "template-identity passes with a rebuilt operand (not evidence)": circular,
        "checks failed": int(status_counts.get("fail", 0)),
        "checks not assessable": int(status_counts.get("not_assessable", 0)),
        "XY.CARRY assessable": int(carry_status.get("pass", 0) + carry_status.get("fail", 0)),
        "reports stating a proactive total": with_total,
    },
    name="N",
)
publish.save_table(
    methods.to_frame(), "00-methods", tables_dir, caption="Data quality of the corpus, in counts."
)
methods.to_frame()

# %% [markdown]
# ## Package versions

# %%
publish.versions()
