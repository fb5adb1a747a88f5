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

- :mod:`~govreports.stats.panel`: :func:`report_panel`, :func:`corpus_counts` and the panel's columns.
- :mod:`~govreports.stats.concentration`: zero shares with Wilson intervals, Gini, Lorenz, top shares.
- :mod:`~govreports.stats.models`: design matrices, log-linear and count models, Vuong's test.
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
from govreports.stats.models import (
    COUNT_MODEL_LABELS,
    COUNT_MODELS,
    CountFits,
    Design,
    ModelFit,
    VuongResult,
    coef_table,
    design_matrix,
    fit_count_models,
    fit_log_linear,
    fit_quietly,
    loglike_obs,
    vuong_test,
)
from govreports.stats.panel import (
    ENFORCEMENT,
    LABELS,
    META_COLUMNS,
    PANEL_CELLS,
    PANEL_GROUPS,
    SCOPE_CONTEXT,
    corpus_counts,
    report_panel,
)
from govreports.stats.quality import check_table, input_summary, status_table, template_comparability
from govreports.stats.screens import (
    DEFAULT_GROUPINGS,
    FEE_CEILINGS_10K_YUAN,
    fee_unit_screen,
    region_context,
    robust_outliers,
)

__all__ = [
    "COUNT_MODELS",
    "COUNT_MODEL_LABELS",
    "DEFAULT_GROUPINGS",
    "ENFORCEMENT",
    "FEE_CEILINGS_10K_YUAN",
    "LABELS",
    "META_COLUMNS",
    "OUTCOME_PARTS",
    "PANEL_CELLS",
    "PANEL_GROUPS",
    "SCOPE_CONTEXT",
    "CountFits",
    "Design",
    "ModelFit",
    "VuongResult",
    "check_table",
    "coef_table",
    "concentration",
    "corpus_counts",
    "design_matrix",
    "enforcement_ratios",
    "fee_unit_screen",
    "fit_count_models",
    "fit_log_linear",
    "fit_quietly",
    "gini",
    "input_summary",
    "lorenz_curve",
    "loglike_obs",
    "outcome_composition",
    "region_context",
    "report_panel",
    "robust_outliers",
    "status_table",
    "template_comparability",
    "top_share",
    "vuong_test",
    "wilson_interval",
    "zero_share_table",
]
