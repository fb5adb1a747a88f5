"""Statistics for the curated notebooks, computed on the tidy corpus frames.

Everything starts from :func:`report_panel`, one row per report with its metadata (``level``,
``organ_type``, ``scope``, ...) and the cells analyses use, joined on ``report_id``. Values are the
cells' values: ``<NA>`` where the report printed no number, never a silent 0. Functions that
summarise say how many reports they used (``n``), so a table on five reports cannot pass for one
on five thousand. Region-wide reports (``scope == "region_aggregate"``) are totals over many organs:
filter on ``scope`` before pooling, never add the two kinds together.

>>> import govreports as gr
>>> panel = report_panel(gr.read_reports(["data/raw/002_5bfe4ddd4becc1ae.txt"]))
>>> row = panel.iloc[0]
>>> row.organ, row.scope, float(row.penalty), float(row.new_received)
('东宁市', 'region_aggregate', 27780.0, 0.0)

Modules, by responsibility (every public name is re-exported here, so ``stats.gini`` works):

- :mod:`~govreports.stats.panel`: :func:`report_panel`, :func:`organ_year_panel`, :func:`carry_checks`
  (XY.CARRY), :func:`corpus_counts` and the panel's columns.
- :mod:`~govreports.stats.concentration`: zero shares with Wilson intervals, Gini, Lorenz, top shares.
- :mod:`~govreports.stats.models`: design matrices, PPML, log-linear and count models, zero-inflation
  and Vuong tests.
- :mod:`~govreports.stats.indicators`: the shares researchers compute from 表三 and 表四 (codebook:
  docs/codebook.md).
- :mod:`~govreports.stats.linkage`: organ ids that link one organ's reports across years.
- :mod:`~govreports.stats.screens`: robust outliers, region-wide context, fee unit screen.
- :mod:`~govreports.stats.composition`: application outcomes and enforcement ratios.
- :mod:`~govreports.stats.quality`: input, status and check tables, template comparability.

statsmodels is imported inside the model functions only, so importing this package stays cheap.
"""

from govreports.stats.composition import OUTCOME_PARTS, enforcement_ratios, outcome_composition
from govreports.stats.concentration import (
    concentration,
    gini,
    lorenz_curve,
    top_share,
    wilson_interval,
    zero_share_table,
)
from govreports.stats.indicators import INDICATOR_COLUMNS, INDICATORS, Indicator, indicators, indicators_wide
from govreports.stats.linkage import (
    ABBREVIATIONS,
    REGION_NAME,
    normalise_name,
    organ_ids,
    organ_key,
    organ_links,
)
from govreports.stats.models import (
    COUNT_MODEL_LABELS,
    COUNT_MODELS,
    HURDLE_ZERO_LINKS,
    CountFits,
    Design,
    HurdleResult,
    ModelFit,
    ModelTest,
    VuongResult,
    boundary_lr_test,
    boundary_pvalue,
    coef_table,
    design_matrix,
    fit_count_models,
    fit_log_linear,
    fit_ppml,
    fit_quietly,
    loglike_obs,
    nested_reason,
    vuong_test,
    zero_inflation_score_test,
    zero_inflation_tests,
)
from govreports.stats.panel import (
    CARRY_CHECK_ID,
    CARRY_KIND,
    CATEGORY_LABELS,
    ENFORCEMENT,
    LABELS,
    META_COLUMNS,
    PANEL_CELLS,
    PANEL_GROUPS,
    PANEL_KEYS,
    SCOPE_CONTEXT,
    carry_checks,
    corpus_counts,
    organ_year_panel,
    report_panel,
)
from govreports.stats.quality import check_table, input_summary, status_table, template_comparability
from govreports.stats.screens import (
    ALL_ZERO_FINDING,
    DEFAULT_GROUPINGS,
    ERROR_SIZES,
    FEE_CEILINGS_10K_YUAN,
    MIN_SCALE,
    PROSE_FIGURES,
    TOO_SMALL_FINDING,
    ScreenEvaluation,
    digit_notes,
    evaluate_outlier_screen,
    fee_unit_screen,
    plant_errors,
    region_context,
    robust_outliers,
    screen_evidence,
    within_scope,
)

__all__ = [
    "CATEGORY_LABELS",
    "ABBREVIATIONS",
    "ALL_ZERO_FINDING",
    "CARRY_CHECK_ID",
    "CARRY_KIND",
    "COUNT_MODELS",
    "COUNT_MODEL_LABELS",
    "CountFits",
    "DEFAULT_GROUPINGS",
    "Design",
    "ENFORCEMENT",
    "ERROR_SIZES",
    "FEE_CEILINGS_10K_YUAN",
    "HURDLE_ZERO_LINKS",
    "HurdleResult",
    "INDICATORS",
    "INDICATOR_COLUMNS",
    "Indicator",
    "LABELS",
    "META_COLUMNS",
    "MIN_SCALE",
    "ModelFit",
    "ModelTest",
    "OUTCOME_PARTS",
    "PANEL_CELLS",
    "PANEL_GROUPS",
    "PANEL_KEYS",
    "PROSE_FIGURES",
    "REGION_NAME",
    "SCOPE_CONTEXT",
    "ScreenEvaluation",
    "TOO_SMALL_FINDING",
    "VuongResult",
    "boundary_lr_test",
    "boundary_pvalue",
    "carry_checks",
    "check_table",
    "coef_table",
    "concentration",
    "corpus_counts",
    "design_matrix",
    "digit_notes",
    "enforcement_ratios",
    "evaluate_outlier_screen",
    "fee_unit_screen",
    "fit_count_models",
    "fit_log_linear",
    "fit_ppml",
    "fit_quietly",
    "gini",
    "indicators",
    "indicators_wide",
    "input_summary",
    "loglike_obs",
    "lorenz_curve",
    "nested_reason",
    "normalise_name",
    "organ_ids",
    "organ_key",
    "organ_links",
    "organ_year_panel",
    "outcome_composition",
    "plant_errors",
    "region_context",
    "report_panel",
    "robust_outliers",
    "screen_evidence",
    "status_table",
    "template_comparability",
    "top_share",
    "vuong_test",
    "wilson_interval",
    "within_scope",
    "zero_inflation_score_test",
    "zero_inflation_tests",
    "zero_share_table",
]
