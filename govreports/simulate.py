"""Simulated corpora with known parameters: check that a method recovers what was put in.

The bundled corpus is far too small for count models or outlier screens, so the notebooks
demonstrate those methods on a corpus simulated here, in clearly labelled sections, and never mix
its rows with real ones. Each organ's report starts from :func:`govreports.synthetic.generate_report`
(a consistent report: template rows, 表二 documents, 表四); the quantities under study are then
drawn from stated models and written into it so that every identity still holds:

- 表三 new applications: zero-inflated negative binomial. An organ is a structural zero (never
  receives applications) with probability ``logistic(zero_logit · x)``; otherwise its count is
  NB2 with mean ``exp(count_log_mean · x)`` and dispersion ``nb_alpha``. ``x`` holds ``const``,
  ``level[county]``, ``level[township]`` and ``organ_type[department]`` (reference: prefecture
  government office), the column names :func:`govreports.stats.design_matrix` produces.
- applicants, outcomes and carry-over: multinomial and binomial shares (``outcome_shares``...).
- proactive disclosure total: log-normal, ``proactive_log_mean · x`` and ``proactive_log_sd``.
- 行政许可/处罚/强制 decisions: log-normal by kind and level, with injected outliers
  (``outlier_rate``, multiplied by a factor in ``outlier_factor``) and zeros.
- 行政事业性收费 (2021 template): log-normal 万元, a share ``fee_yuan_rate`` entered in 元.
- region-wide reports (``aggregate_share``): totals over many organs, ``aggregate_multiplier``
  times larger, scope ``region_aggregate``; they never enter the organ-level truth.

The frames are built directly from records (nothing is rendered and re-parsed), so thousands
of organs take seconds. The truth per report is in ``corpus.truth``.

>>> c = simulate_corpus(100, seed=1)
>>> len(c.reports), sorted(c.reports.scope.unique()), int(c.checks.status.eq("fail").sum())
(100, ['organ', 'region_aggregate'], 0)
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

import numpy as np
import pandas as pd

from govreports import frames
from govreports.corpus import Corpus
from govreports.metadata import KEYS
from govreports.schema import APPLICATIONS
from govreports.synthetic import generate_report
from govreports.validate import evaluate, soft_checks

APPLICANTS = tuple(c.key for c in APPLICATIONS.cols if c.key != "total")
ENFORCEMENT = ("licensing", "penalty", "coercion")
_FLOW_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")

# (table, row_key, col_key, value, status, raw, source_ref), as the parser's records.
Record = tuple[str, str, str, float | None, str, str, str]
_Key = tuple[str, str, str]  # (table, row_key, col_key)
_V = TypeVar("_V")


class _Organ(Protocol):
    """One row of the organs frame as ``itertuples`` gives it: the columns read from it."""

    report_id: str
    level: str
    organ_type: str
    scope: str
    template: str
    year: np.int64
    new_received: np.int64
    proactive_total: np.float64
    fees_10k_yuan: np.float64


def _default(values: Mapping[str, _V]) -> dict[str, _V]:
    # Each instance gets its own copy, as dataclasses require for mutable defaults.
    return field(default_factory=lambda: dict(values))


@dataclass(frozen=True)
class SimParams:
    """The known parameters of a simulated corpus (change them with ``dataclasses.replace``).

    Coefficient mappings are keyed by design-matrix column names; a name absent from a mapping
    has coefficient 0. ``reference`` gives the reference level of each covariate.

    >>> import dataclasses
    >>> dataclasses.replace(SimParams(), nb_alpha=1.5).nb_alpha, SimParams().zero_logit["const"]
    (1.5, -1.0)
    """

    level_shares: Mapping[str, float] = _default({"prefecture": 0.2, "county": 0.5, "township": 0.3})
    department_share: float = 0.7
    aggregate_share: float = 0.03
    aggregate_multiplier: float = 20.0
    template_2019_share: float = 0.25
    zero_logit: Mapping[str, float] = _default(
        {"const": -1.0, "level[county]": 0.8, "level[township]": 2.0, "organ_type[department]": 0.7}
    )
    count_log_mean: Mapping[str, float] = _default(
        {"const": 3.0, "level[county]": -1.0, "level[township]": -1.5, "organ_type[department]": -0.5}
    )
    nb_alpha: float = 0.8
    applicant_shares: Mapping[str, float] = _default(
        {"natural_person": 0.75, "commercial": 0.1, "research": 0.01, "social_welfare": 0.01,
         "legal_services": 0.05, "other_org": 0.08}
    )  # fmt: skip
    outcome_shares: Mapping[str, float] = _default(
        {"granted": 0.47, "partially_granted": 0.08, "withheld_state_secret": 0.003,
         "withheld_law_prohibited": 0.005, "withheld_three_safeties": 0.002,
         "withheld_third_party": 0.01, "withheld_internal_affairs": 0.01,
         "withheld_process_info": 0.02, "withheld_enforcement_file": 0.01,
         "withheld_admin_query": 0.02, "unable_not_held": 0.2, "unable_needs_creation": 0.04,
         "unable_unclear": 0.02, "not_processed_complaint": 0.03, "not_processed_duplicate": 0.02,
         "not_processed_publication": 0.005, "not_processed_excessive": 0.01,
         "not_processed_confirmation": 0.005, "other_no_correction": 0.03, "other_no_fee": 0.002,
         "other_other": 0.008}
    )  # fmt: skip
    carry_in_rate: float = 0.05
    backlog_rate: float = 0.08
    proactive_log_mean: Mapping[str, float] = _default(
        {"const": 7.0, "level[county]": -0.6, "level[township]": -1.8, "organ_type[department]": -0.4}
    )
    proactive_log_sd: float = 0.8
    enforcement_log_mean: Mapping[str, float] = _default({"licensing": 5.5, "penalty": 4.5, "coercion": 2.5})
    enforcement_level_shift: Mapping[str, float] = _default({"county": -0.5, "township": -1.5})
    enforcement_log_sd: float = 0.8
    enforcement_zero_share: float = 0.2
    outlier_rate: float = 0.01
    outlier_factor: tuple[float, float] = (300.0, 3000.0)
    fee_zero_share: float = 0.5
    fee_log_mean: float = 3.0
    fee_log_sd: float = 1.0
    fee_yuan_rate: float = 0.02
    reference: Mapping[str, str] = _default({"level": "prefecture", "organ_type": "government_office"})


@dataclass(frozen=True)
class SimulatedCorpus(Corpus):
    """A :class:`~govreports.corpus.Corpus` plus what was put in: ``truth`` per report and ``params``.

    >>> c = simulate_corpus(20, seed=0)
    >>> list(c.frames()) == ["reports", "cells", "checks", "figures", "failures"], "true_mu" in c.truth
    (True, True)
    """

    truth: pd.DataFrame
    params: SimParams


def simulate_corpus(
    n_organs: int, *, seed: int, params: SimParams | None = None, blank_rate: float = 0.0
) -> SimulatedCorpus:
    """Simulate one annual report per organ, with known parameters, as corpus frames.

    Args:
        n_organs: number of reports (one per organ).
        seed: the random seed; the same seed gives the same corpus.
        params: the model parameters (defaults: :class:`SimParams`).
        blank_rate: share of cells printed blank (status ``blank``, value ``<NA>``).

    Returns:
        The frames of ``read_reports`` (reports with level, organ_type, scope; cells; checks;
        figures with ``proactive_total``; an empty failures frame), plus ``truth`` and ``params``.

    >>> c = simulate_corpus(50, seed=3)
    >>> c.cells.shape[0] == c.reports.report_id.map(c.cells.report_id.value_counts()).sum()
    True
    """
    params = params or SimParams()
    rng = np.random.default_rng(seed)
    organs = _draw_organs(n_organs, params, rng)
    synth = random.Random(seed)
    metas: list[dict[str, object]] = []
    cells: list[tuple[str, str, str, str, float | None, str, str, str, bool]] = []
    checks: list[tuple[str, str, str, str, str, str, float | None, float | None, float | None, str]] = []
    figures: list[tuple[str, str, float, str, str, None]] = []
    # pandas-stubs types a row's fields as any scalar; the frame's columns are known (_draw_organs).
    for organ in cast("Iterable[_Organ]", organs.itertuples(index=False)):
        meta, records = _report(organ, params, rng, synth, blank_rate)
        metas.append(meta)
        plain = [(t, r, c, v) for t, r, c, v, *_ in records]
        identities, failed = evaluate(plain)
        cells.extend((organ.report_id, *record, tuple(record[:3]) in failed) for record in records)
        found = identities + soft_checks(plain, organ.level, [])
        checks.extend((organ.report_id, *check) for check in found)
        sentence = f"本年度主动公开政府信息{int(organ.proactive_total)}条。"
        figures.append(
            (organ.report_id, "proactive_total", float(organ.proactive_total), "条", sentence, None)
        )
    truth_columns = [c for c in organs.columns if c.startswith("true_") or c == "report_id"]
    return SimulatedCorpus(
        reports=frames.reports_frame(metas),
        cells=frames.cells_frame(cells),
        checks=frames.checks_frame(checks),
        figures=frames.figures_frame(figures),
        failures=frames.failures_frame([]),
        truth=organs[truth_columns].reset_index(drop=True),
        params=params,
    )


def design_columns(organs: pd.DataFrame) -> pd.DataFrame:
    """Return the 0/1 design columns that the simulation's coefficients refer to, per organ.

    >>> design_columns(pd.DataFrame({"level": ["county"], "organ_type": ["department"]})).iloc[0].tolist()
    [1.0, 1.0, 0.0, 1.0]
    """
    return pd.DataFrame(
        {
            "const": 1.0,
            "level[county]": (organs["level"] == "county").astype(float),
            "level[township]": (organs["level"] == "township").astype(float),
            "organ_type[department]": (organs["organ_type"] == "department").astype(float),
        },
        index=organs.index,
    )


def _linear(x: pd.DataFrame, coefficients: Mapping[str, float]) -> np.ndarray:
    return sum((x[name].to_numpy() * value for name, value in coefficients.items()), np.zeros(len(x)))


def _draw_organs(n: int, params: SimParams, rng: np.random.Generator) -> pd.DataFrame:
    levels = list(params.level_shares)
    shares = np.array([params.level_shares[k] for k in levels], dtype=float)
    organs = pd.DataFrame({"report_id": [f"sim-{i:05d}" for i in range(n)]})
    organs["level"] = rng.choice(levels, size=n, p=shares / shares.sum())
    township = organs["level"] == "township"
    department = rng.random(n) < params.department_share
    organs["organ_type"] = np.where(
        township, "township", np.where(department, "department", "government_office")
    )
    aggregate = ~township & (rng.random(n) < params.aggregate_share)
    organs.loc[aggregate, "organ_type"] = "government"
    organs["scope"] = np.where(aggregate, "region_aggregate", "organ")
    organs["template"] = np.where(rng.random(n) < params.template_2019_share, "2019", "2021")
    late = organs["template"] == "2021"
    organs["year"] = np.where(late, rng.integers(2021, 2024, n), rng.integers(2019, 2021, n))
    x = design_columns(organs)
    _draw_applications(organs, x, aggregate.to_numpy(), params, rng)
    multiplier = np.where(aggregate, params.aggregate_multiplier, 1.0)
    log_mean = _linear(x, params.proactive_log_mean)
    organs["true_proactive_log_mean"] = log_mean
    organs["proactive_total"] = np.round(np.exp(rng.normal(log_mean, params.proactive_log_sd)) * multiplier)
    _draw_enforcement(organs, multiplier, params, rng)
    _draw_fees(organs, multiplier, params, rng)
    return organs


def _draw_applications(
    organs: pd.DataFrame, x: pd.DataFrame, aggregate: np.ndarray, params: SimParams, rng: np.random.Generator
) -> None:
    zero_probability = np.where(aggregate, 0.0, 1 / (1 + np.exp(-_linear(x, params.zero_logit))))
    mu = np.exp(_linear(x, params.count_log_mean)) * np.where(aggregate, params.aggregate_multiplier, 1.0)
    structural = rng.random(len(organs)) < zero_probability
    # NB2 as a gamma-Poisson mixture: mean mu, variance mu + alpha mu².
    rate = rng.gamma(1 / params.nb_alpha, params.nb_alpha * mu)
    organs["true_zero_probability"] = zero_probability
    organs["true_structural_zero"] = structural
    organs["true_mu"] = mu
    organs["new_received"] = np.where(structural, 0, rng.poisson(rate))


def _draw_enforcement(
    organs: pd.DataFrame, multiplier: np.ndarray, params: SimParams, rng: np.random.Generator
) -> None:
    n = len(organs)
    shift = organs["level"].map(lambda level: params.enforcement_level_shift.get(level, 0.0)).to_numpy()
    low, high = np.log(params.outlier_factor[0]), np.log(params.outlier_factor[1])
    for kind in ENFORCEMENT:
        mean = params.enforcement_log_mean[kind] + shift
        value = np.round(np.exp(rng.normal(mean, params.enforcement_log_sd)))
        value = np.where(rng.random(n) < params.enforcement_zero_share, 0.0, value)
        outlier = (value > 0) & (rng.random(n) < params.outlier_rate)
        value = np.where(outlier, np.round(value * np.exp(rng.uniform(low, high, n))), value)
        organs[kind] = value * np.where(value > 0, multiplier, 1.0)
        organs[f"true_outlier_{kind}"] = outlier


def _draw_fees(
    organs: pd.DataFrame, multiplier: np.ndarray, params: SimParams, rng: np.random.Generator
) -> None:
    n = len(organs)
    shift = organs["level"].map(lambda level: params.enforcement_level_shift.get(level, 0.0)).to_numpy()
    amount = np.round(np.exp(rng.normal(params.fee_log_mean + shift, params.fee_log_sd)) * multiplier, 4)
    amount = np.where(rng.random(n) < params.fee_zero_share, 0.0, amount)
    in_yuan = (
        (amount > 0) & (rng.random(n) < params.fee_yuan_rate) & (organs["template"] == "2021").to_numpy()
    )
    organs["fees_10k_yuan"] = np.where(in_yuan, np.round(amount * 10_000, 2), amount)
    organs["true_fee_in_yuan"] = in_yuan


def _report(
    organ: _Organ, params: SimParams, rng: np.random.Generator, synth: random.Random, blank_rate: float
) -> tuple[dict[str, object], list[Record]]:
    """One organ's metadata and cell records ``(table, row, col, value, status, raw, source_ref)``."""
    report = generate_report(synth, template=organ.template, zero_share=1.0)
    # Generated without blanks or placeholders: every cell holds a number.
    values = cast("dict[_Key, float]", {key: value for key, (value, _raw, _status) in report.cells.items()})
    rows = [r for (t, r, c) in values if t == "applications" and c == "total"]
    values.update(_applications(int(organ.new_received), rows, params, rng))
    for kind in ENFORCEMENT:
        values[("active", kind, "decisions")] = float(getattr(organ, kind))
    if ("active", "fees", "amount_10k_yuan") in values:
        values[("active", "fees", "amount_10k_yuan")] = float(organ.fees_10k_yuan)
    records = [_printed(key, value, rng, blank_rate) for key, value in values.items()]
    return _meta(organ), records


def _applications(
    new_total: int, rows: list[str], params: SimParams, rng: np.random.Generator
) -> dict[_Key, float]:
    """Build a consistent 表三 grid for ``new_total`` new applications over the printed rows."""
    outcomes = [r for r in rows if r not in _FLOW_ROWS]
    shares = dict(params.outcome_shares)
    if "other_total" in outcomes:
        shares["other_total"] = sum(v for k, v in shares.items() if k.startswith("other_"))
    outcome_p = np.array([shares.get(r, 0.0) for r in outcomes])
    applicant_p = np.array([params.applicant_shares[c] for c in APPLICANTS])
    new = rng.multinomial(new_total, applicant_p / applicant_p.sum())
    carried_over = rng.binomial(new, params.carry_in_rate)
    forward = rng.binomial(new + carried_over, params.backlog_rate)
    processed = new + carried_over - forward
    split = rng.multinomial(processed, outcome_p / outcome_p.sum())  # one row per applicant column
    grid = {"new_received": new, "carried_over": carried_over, "total_processed": processed}
    grid |= {"carried_forward": forward} | {row: split[:, i] for i, row in enumerate(outcomes)}
    values: dict[_Key, float] = {}
    for row, by_col in grid.items():
        for col, value in zip(APPLICANTS, by_col, strict=True):
            values[("applications", row, col)] = float(value)
        values[("applications", row, "total")] = float(by_col.sum())
    return values


def _printed(key: _Key, value: float, rng: np.random.Generator, blank_rate: float) -> Record:
    if blank_rate and rng.random() < blank_rate:
        return (*key, None, "blank", "", "simulated")
    raw = (
        f"{value:.4f}".rstrip("0").rstrip(".") if key[2] in ("amount_10k_yuan", "amount") else str(int(value))
    )
    return (*key, value, "ok", raw, "simulated")


_LEVEL_NAMES = {"prefecture": "市", "county": "县", "township": "乡镇"}
_TYPE_NAMES = {
    "department": "部门",
    "government_office": "政府办公室",
    "government": "人民政府",
    "township": "人民政府",
}


def _meta(organ: _Organ) -> dict[str, object]:
    number = organ.report_id.removeprefix("sim-")
    name = f"模拟{_LEVEL_NAMES.get(organ.level, '')}{_TYPE_NAMES.get(organ.organ_type, '机关')}{number}"
    meta: dict[str, object] = dict.fromkeys(KEYS)
    meta |= {
        "title": f"{name}{organ.year}年度政府信息公开工作年度报告",
        "organ_raw": name,
        "organ": name,
        "year": int(organ.year),
        "year_evidence": "title",
        "year_conflict": False,
        "level": organ.level,
        "organ_type": organ.organ_type,
        "scope": organ.scope,
        "scope_evidence": "simulated",
    }
    sha = hashlib.sha256(f"simulated {organ.report_id} {name}".encode()).hexdigest()
    tail = {"template": organ.template, "tables_found": "active,applications,appeals", "parse_notes": None}
    tail |= {"values_read": None, "values_flagged": None}
    tail |= {"format": "simulated", "encoding": None, "sha256": sha}
    return {"report_id": organ.report_id, "path": f"<simulated>/{organ.report_id}", **meta, **tail}
