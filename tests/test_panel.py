"""The report panel, organ ids across years, the organ × year panel and the XY.CARRY check."""

import csv
import dataclasses

import pandas as pd
import pytest
from conftest import RAW_DIR

import govreports as gr
from govreports import stats
from govreports.stats import linkage
from govreports.stats.panel import carry_checks, organ_year_panel
from govreports.validate import CHECK_COLUMNS

PUTIAN = RAW_DIR / "putian"


@pytest.fixture(scope="module")
def putian():
    return gr.read_reports(PUTIAN)


@pytest.fixture(scope="module")
def manifest_organs():
    """report_id → the organ the MANIFEST names, for the 莆田 reports."""
    with open(RAW_DIR / "MANIFEST.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        r["file"].removeprefix("putian/").removesuffix(".txt"): r["organ"]
        for r in rows
        if r["file"].startswith("putian/")
    }


def _with_cells(corpus, edit):
    cells = corpus.cells.copy()
    edit(cells)
    return cells


def _cell_at(cells, report_id, row):
    return (cells.report_id == report_id) & (cells.row_key == row) & (cells.col_key == "total")


# --- The panel on the bundled seeds ----------------------------------------------------------


def test_report_panel_one_row_per_report_with_declared_columns(seeds, panel):
    assert len(panel) == len(seeds.reports)
    assert panel.report_id.tolist() == seeds.reports.report_id.tolist()
    for name in [*stats.PANEL_CELLS, *stats.PANEL_GROUPS, "proactive_total"]:
        assert panel[name].dtype == "Float64", name


def test_report_panel_values_equal_the_cells(panel):
    dongning = panel.set_index("organ").loc["东宁市"]
    assert dongning.scope == "region_aggregate"
    assert (dongning.penalty, dongning.licensing, dongning.coercion) == (27780, 1772, 955)
    assert dongning.fees_10k_yuan == 852
    assert dongning.proactive_total == 16509
    # One blank part (（六）1 total) makes the 其他处理 sum unknown, not smaller.
    assert pd.isna(dongning.other)
    assert dongning.flagged_cells == 16


def test_report_panel_keeps_missing_figures_missing(panel):
    tiedong = panel.set_index("report_id").loc["004_97b5ed2afefa8716"]
    assert pd.isna(tiedong.proactive_total)  # only per-channel counts stated: not summed


def test_report_panel_can_use_filled_cells(seeds):
    filled = stats.report_panel(seeds, cells=gr.fill_from_identities(seeds.cells))
    assert filled.set_index("organ").loc["东宁市", "other"] == 0


# --- Organ ids -------------------------------------------------------------------------------


def test_putian_organs_get_one_id_each_as_the_manifest_says(putian, manifest_organs):
    ids = linkage.organ_ids(putian.reports).set_axis(putian.reports.report_id)
    named = ids.index.map(manifest_organs)
    # One id per organ of the MANIFEST and one organ per id: linked, and nothing merged.
    assert ids.groupby(named).nunique().eq(1).all()
    assert named.to_series(index=ids.values).groupby(level=0).nunique().eq(1).all()
    departments = putian.reports.organ_type == "department"
    assert ids[departments.to_numpy()].nunique() == 11
    assert ids.nunique() == 14  # + 莆田市 (2008, 2009), 人民政府 and 人民政府办公室 (2019)
    assert ids["putian-010"] == ids["putian-019"] == "350300:科技局"
    assert len({ids["putian-006"], ids["putian-021"], ids["putian-008"]}) == 3


def test_a_shortened_title_links_to_the_full_one(tmp_path):
    text = (PUTIAN / "putian-019.txt").read_text(encoding="utf-8")
    (tmp_path / "kj-2024.txt").write_text(text.replace("莆田市科学技术局", "莆田市科技局"), encoding="utf-8")
    (tmp_path / "kj-2021.txt").write_bytes((PUTIAN / "putian-010.txt").read_bytes())
    corpus = gr.read_reports(tmp_path)
    assert sorted(corpus.reports.organ) == ["莆田市科学技术局", "莆田市科技局"]
    assert linkage.organ_ids(corpus.reports).unique().tolist() == ["350300:科技局"]
    links = linkage.organ_links(corpus.reports)
    assert links[["organ", "n_names", "n_reports", "years"]].values.tolist() == [
        ["莆田市科学技术局", 2, 1, "2021"],
        ["莆田市科技局", 2, 1, "2024"],
    ]


@pytest.mark.parametrize(
    ("first", "second", "adcode"),
    [
        ("莆田市科学技术局", "莆田市科技局", "350300"),
        ("莆田市科学技术局", "福建省莆田市科学技术局", "350300"),
        ("莆田市科学技术局", " 莆田市 科学技术局\u3000", "350300"),
        ("莆田市科学技术局", "市科学技术局", "350300"),
        ("莆田市科学技术局", "莆田科技局", "350300"),
        ("城厢区人民政府办公室", "城厢区政府办公室", "350302"),
        ("莆田市城厢区人民政府办公室", "城厢区政府办", "350302"),
        ("城厢区人民政府", "莆田市城厢区政府", "350302"),
        ("莆田市人力资源和社会保障局", "莆田市人社局", "350300"),
        ("莆田市卫生健康委员会", "莆田市卫健委", "350300"),
        ("莆田市民族与宗教事务局", "莆田市民族宗教事务局", "350300"),
        ("湄洲湾北岸经济开发区管理委员会", "湄洲湾北岸经济开发区管委会", "350300"),
        ("ＡＢＣ市科技局", "ABC市科技局", "350300"),
    ],
)
def test_spellings_of_one_organ_share_an_id(first, second, adcode):
    assert linkage.organ_key(first, adcode=adcode) == linkage.organ_key(second, adcode=adcode)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("莆田市科学技术局", "莆田市科学技术协会"),
        ("莆田市水利局", "莆田市林业局"),
        ("莆田市人民政府", "莆田市人民政府办公室"),
        ("莆田市", "莆田市人民政府"),  # a 本级政府 report under a bare region name, kept apart
        ("莆田市自然资源局", "莆田市自然资源和规划局"),  # reorganised, not respelled
        ("莆田市城市管理局", "莆田市城市管理综合执法局"),
        ("莆田市市场监督管理局", "莆田市场监督管理局"),
        ("莆田市市场监督管理局", "莆田市市场监督管理局城厢分局"),
        ("莆田市财政局", "莆田市城厢区财政局"),
        ("莆田市公安局", "莆田市公安局交通警察支队"),
        ("莆田市生态环境局", "莆田市环境保护局"),
        ("莆田市交通运输局", "莆田市交通局"),
    ],
)
def test_different_organs_keep_different_ids(first, second):
    assert linkage.organ_key(first, adcode="350300") != linkage.organ_key(second, adcode="350300")


def test_one_name_in_two_divisions_gets_two_ids():
    assert linkage.organ_key("科技局", adcode="350300") != linkage.organ_key("科技局", adcode="350302")
    # A leading place name outside the division stays part of the name.
    assert linkage.organ_key("莆田市城厢区政府", adcode="350300") == "350300:城厢区政府"


def test_reports_without_a_division_are_never_linked():
    reports = pd.DataFrame(
        {
            "report_id": ["a", "b", "c", "d", "e"],
            "organ": ["铁东区财政局", "铁东区财政局", "市科技局", "自然资源部", "自然资源部"],
            "organ_raw": ["铁东区财政局", "铁东区财政局", "市科技局", "自然资源部", "自然资源部"],
            "adcode": [None, None, None, None, None],
            "level": ["county", "county", None, "central", "central"],
            "year": [2021, 2022, 2022, 2021, 2022],
        }
    )
    ids = linkage.organ_ids(reports).tolist()
    assert ids == ["report:a", "report:b", "report:c", "central:自然资源部", "central:自然资源部"]


def test_normalising_twice_changes_nothing():
    for full, short in linkage.ABBREVIATIONS.items():
        once = linkage.normalise_name(f"某{full}局")
        assert linkage.normalise_name(once) == once == f"某{short}局"


def test_organ_links_lists_every_report_once(putian):
    links = linkage.organ_links(putian.reports)
    assert links.n_reports.sum() == len(putian.reports)
    assert links.organ_id.nunique() == 14
    assert (links.n_names == 1).all()  # the 莆田 titles spell each organ one way
    assert links.set_index("organ").loc["莆田市城市管理局", "years"] == "2019, 2020, 2022, 2023, 2025"


# --- The organ × year panel ------------------------------------------------------------------


def test_organ_year_panel_rows_and_columns(putian):
    p = organ_year_panel(putian)
    assert len(p) == len(putian.reports)
    assert p.columns[:6].tolist() == [
        "organ_id",
        "year",
        "report_id",
        "reports_in_year",
        "duplicate",
        "previous_year",
    ]
    assert not p.duplicated(["organ_id", "year"]).any() and not p.duplicate.any()
    by_report = stats.report_panel(putian).set_index("report_id")
    for name in ["new_received", "carried_over", "carried_forward", "penalty", "scope"]:
        assert p.set_index("report_id")[name].equals(by_report.loc[p.report_id, name]), name
    stats_2023 = p.set_index(["organ_id", "year"]).loc[("350300:统计局", 2023)]
    assert (stats_2023.report_id, stats_2023.previous_year) == ("putian-025", 2020)


def test_two_reports_for_one_organ_year_are_flagged_not_summed(tmp_path):
    for name in ("putian-001", "putian-002"):
        (tmp_path / f"{name}.txt").write_bytes((PUTIAN / f"{name}.txt").read_bytes())
    text = (PUTIAN / "putian-001.txt").read_text(encoding="utf-8")
    # A second version of the 2020 report, republished with a corrected count.
    (tmp_path / "putian-001-v2.txt").write_text(text.replace("发布时间: 2021-01-19", "发布时间: 2021-02-01"))
    corpus = gr.read_reports(tmp_path)
    p = organ_year_panel(corpus)
    rows = p.loc[p.year == 2020]
    assert rows.report_id.tolist() == ["putian-001", "putian-001-v2"]
    assert rows.duplicate.all() and (rows.reports_in_year == 2).all()
    assert not p.loc[p.year == 2019, "duplicate"].any()
    assert (
        rows.new_received.tolist()
        == [stats.report_panel(corpus).set_index("report_id").new_received["putian-001"]] * 2
    )
    checks = carry_checks(corpus).set_index("report_id")
    assert checks.loc[["putian-001", "putian-001-v2"], "status"].tolist() == ["pass", "pass"]


# --- XY.CARRY --------------------------------------------------------------------------------


def test_carry_checks_on_putian(putian):
    checks = carry_checks(putian)
    assert checks.columns.tolist() == list(CHECK_COLUMNS)
    assert checks.dtypes.equals(putian.checks.dtypes)
    assert (checks.check_id == "XY.CARRY").all() and (checks.kind == "cross_year").all()
    # Reports before 2019 have no 表三: no row.
    assert len(checks) == 34 and not checks.report_id.isin(["putian-006", "putian-007", "putian-031"]).any()
    assert checks.status.value_counts().to_dict() == {"not_assessable": 32, "pass": 2, "fail": 0}
    passed = checks.loc[checks.status == "pass"]
    assert passed.report_id.tolist() == ["putian-001", "putian-003"]
    assert passed.formula.tolist() == [
        "carried_over.total = carried_forward.total of putian-002 (2019)",
        "carried_over.total = carried_forward.total of putian-037 (2022)",
    ]
    both = pd.concat([putian.checks, checks], ignore_index=True)
    assert both.status.dtype == putian.checks.status.dtype
    assert stats.check_table(both).loc["XY.CARRY", "pass"] == 2


def test_carry_check_fails_when_the_counts_differ(putian):
    cells = _with_cells(
        putian, lambda c: c.__setitem__("value", c.value.mask(_cell_at(c, "putian-001", "carried_over"), 3.0))
    )
    row = carry_checks(putian, cells=cells).set_index("report_id").loc["putian-001"]
    assert (row.status, row.lhs, row.rhs, row.delta) == ("fail", 3.0, 0.0, 3.0)


def test_carry_check_needs_decided_values(putian):
    def undecide(cells):
        at = _cell_at(cells, "putian-002", "carried_forward")
        cells.loc[at, "value"] = pd.NA
        cells.loc[at, "status"] = "ambiguous"

    row = carry_checks(putian, cells=_with_cells(putian, undecide)).set_index("report_id").loc["putian-001"]
    assert row.status == "not_assessable" and row.lhs == 0 and pd.isna(row.rhs) and pd.isna(row.delta)
    # A value whose status is not decided is not used, even if one is present.
    flagged = _with_cells(
        putian,
        lambda c: c.__setitem__(
            "status", c.status.mask(_cell_at(c, "putian-002", "carried_forward"), "negative")
        ),
    )
    assert (
        carry_checks(putian, cells=flagged).set_index("report_id").loc["putian-001", "status"]
        == "not_assessable"
    )


def test_carry_check_does_not_compare_an_organ_report_with_a_region_wide_one(putian):
    reports = putian.reports.copy()
    reports.loc[reports.report_id == "putian-002", "scope"] = "region_aggregate"
    row = carry_checks(dataclasses.replace(putian, reports=reports)).set_index("report_id").loc["putian-001"]
    assert row.status == "not_assessable" and (row.lhs, row.rhs) == (0, 0)


def test_carry_check_with_two_previous_reports(putian):
    def moved(report_id):
        reports = putian.reports.copy()
        reports.loc[reports.report_id == report_id, "year"] = 2022  # a second 2022 report
        return carry_checks(dataclasses.replace(putian, reports=reports)).set_index("report_id")

    # putian-001 also carried 0 forward: the two agree and 2023 is compared with their value.
    agreeing = moved("putian-001").loc["putian-003"]
    assert agreeing.status == "pass"
    assert agreeing.formula == "carried_over.total = carried_forward.total of putian-001|putian-037 (2022)"
    # putian-004 carried 1 forward, putian-037 0: which is right cannot be told.
    disagreeing = moved("putian-004").loc["putian-003"]
    assert disagreeing.status == "not_assessable" and pd.isna(disagreeing.rhs)
