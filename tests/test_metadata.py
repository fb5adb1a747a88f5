from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govreports import regions
from govreports.metadata import KEYS, extract_metadata
from govreports.titles import find_title, template_cited

RAW_DIR = Path(__file__).resolve().parents[1] / "data" / "raw"

# Verified by reading each report (title, first paragraph, contact lines).
SEED_EXPECTED = {
    "000": dict(
        organ="鸡东县人民政府办公室", organ_raw="鸡东县人民政府办公室", year=2023,
        level="county", organ_type="government_office", province="黑龙江省",
        prefecture="鸡西市", county="鸡东县", adcode="230321", adcode_confidence="unique",
        scope="organ", template_cited="2021", stat_period_year=None, year_conflict=False,
        title="鸡东县人民政府办公室2023年政府信息公开工作年度报告",
    ),
    "001": dict(
        organ="刚察县人民政府办公室", organ_raw="刚察县人民政府办公室", year=2023,
        level="county", organ_type="government_office", province="青海省",
        prefecture="海北藏族自治州", county="刚察县", adcode="632224",
        adcode_confidence="unique", scope="organ", template_cited=None,
        stat_period_year=2023, year_conflict=False,
        title="刚察县人民政府办公室2023年度政府信息公开工作年度报告",
    ),
    "002": dict(
        organ="东宁市", organ_raw="东宁市", year=2023, level="county",
        organ_type="government", province="黑龙江省", prefecture="牡丹江市",
        county="东宁市", adcode="231086", adcode_confidence="unique",
        scope="region_aggregate", template_cited="2021", stat_period_year=2023,
        year_conflict=False, title="东宁市 2023 年政府信息公开工作 年度 报 告",
    ),
    "003": dict(
        organ="鹤岗市东山区人民政府", organ_raw="鹤岗市东山区人民政府", year=2022,
        level="county", organ_type="government", province="黑龙江省", prefecture="鹤岗市",
        county="东山区", adcode="230406", adcode_confidence="unique", scope="unknown",
        template_cited=None, stat_period_year=None, year_conflict=False,
        title="鹤岗市东山区人民政府 2022 年度政府信息公开工作报告",
    ),
    "004": dict(
        organ="四平市铁东区政务服务局", organ_raw="铁东区政务服务局", year=2023,
        level="county", organ_type="department", province="吉林省", prefecture="四平市",
        county="铁东区", adcode="220303", adcode_confidence="context", scope="organ",
        template_cited=None, stat_period_year=2023, year_conflict=False,
        title="铁东区政务服务局2023年度政府信息公开工作年度报告",
    ),
}  # fmt: skip


def _seed_text(seed: str) -> str:
    (path,) = RAW_DIR.glob(f"{seed}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("seed", sorted(SEED_EXPECTED))
def test_seed_metadata(seed):
    meta = extract_metadata(_seed_text(seed))
    assert tuple(meta) == KEYS
    assert {key: meta[key] for key in SEED_EXPECTED[seed]} == SEED_EXPECTED[seed]
    assert meta["year_evidence"] == "title"
    assert meta["adcode_evidence"]
    assert meta["scope_evidence"]


def test_seed_004_resolved_from_its_own_full_name():
    meta = extract_metadata(_seed_text("004"))
    assert "四平市铁东区政务服务局" in meta["adcode_evidence"]


def test_seed_002_aggregate_evidence_names_the_bare_title():
    meta = extract_metadata(_seed_text("002"))
    assert meta["scope_evidence"].startswith("title: bare region name 东宁市")


def test_same_named_district_without_context_is_ambiguous():
    meta = extract_metadata("铁东区政务服务局2023年度政府信息公开工作年度报告\n本局落实《条例》。")
    assert meta["adcode"] is None
    assert meta["adcode_confidence"] == "ambiguous"
    assert "210302" in meta["adcode_evidence"] and "220303" in meta["adcode_evidence"]
    assert meta["province"] is None and meta["prefecture"] is None
    assert meta["level"] == "county"  # both candidates are districts
    assert meta["organ"] == "铁东区政务服务局"


def test_same_named_district_resolved_by_parent_in_text():
    text = "铁东区人民政府2023年政府信息公开工作年度报告\n鞍山市铁东区人民政府高度重视……"
    meta = extract_metadata(text)
    assert meta["adcode"] == "210302"
    assert meta["prefecture"] == "鞍山市"
    assert meta["organ"] == "鞍山市铁东区人民政府"


def test_same_named_district_resolved_by_postcode():
    text = "朝阳区人民政府2023年政府信息公开工作年度报告\n联系地址：朝阳区某路1号；邮编：130000。"
    meta = extract_metadata(text)
    assert (meta["adcode"], meta["adcode_confidence"]) == ("220104", "context")
    assert "postcode" in meta["adcode_evidence"]


def test_conflicting_context_stays_ambiguous():
    text = "铁东区人民政府2023年政府信息公开工作年度报告\n学习四平市、鞍山市的经验。"
    meta = extract_metadata(text)
    assert meta["adcode"] is None
    assert meta["adcode_confidence"] == "ambiguous"


def test_division_missing_from_gazetteer_is_not_guessed():
    # cpca's list predates 梁平县 becoming 梁平区 (2016): the parent is known, the code is not.
    meta = extract_metadata("梁平区人民政府2023年政府信息公开工作年度报告\n重庆市梁平区人民政府")
    assert (meta["organ"], meta["province"], meta["county"]) == ("重庆市梁平区人民政府", "重庆市", None)
    assert (meta["adcode"], meta["adcode_confidence"], meta["level"]) == (None, None, "county")
    assert "梁平区" in meta["adcode_evidence"]


def test_dev_zone_under_a_prefecture_is_not_taken_for_a_missing_division():
    meta = extract_metadata("鸡西市经济开发区管委会2023年政府信息公开工作年度报告\n")
    assert (meta["organ_type"], meta["adcode"]) == ("dev_zone", "230300")


def test_township_organ():
    meta = extract_metadata("五常市民意乡\n2021年政府信息公开工作年度报告\n一、总体情况\n")
    assert meta["title"] == "五常市民意乡2021年政府信息公开工作年度报告"
    assert (meta["organ"], meta["year"]) == ("五常市民意乡", 2021)
    assert (meta["level"], meta["organ_type"]) == ("township", "township")
    # Townships are not in the gazetteer: the code is that of the county containing it.
    assert (meta["county"], meta["adcode"]) == ("五常市", "230184")
    assert meta["scope"] == "organ"


def test_subdistrict_organ():
    meta = extract_metadata("杭州市西湖区北山街道办事处2023年政府信息公开工作年度报告\n")
    assert (meta["level"], meta["organ_type"]) == ("township", "subdistrict")
    assert meta["adcode"] == "330106"


def test_year_first_title():
    meta = extract_metadata("2019年上海市人民政府办公厅政府信息公开工作年度报告\n正文")
    assert (meta["organ"], meta["year"]) == ("上海市人民政府办公厅", 2019)
    assert (meta["level"], meta["organ_type"]) == ("province", "government_office")
    assert (meta["province"], meta["prefecture"], meta["adcode"]) == ("上海市", None, "310000")


def test_central_department():
    meta = extract_metadata("自然资源部2024年政府信息公开工作报告\n一、总体情况\n")
    assert (meta["organ"], meta["year"]) == ("自然资源部", 2024)
    assert (meta["level"], meta["organ_type"]) == ("central", "department")
    assert meta["adcode"] is None and meta["adcode_confidence"] is None
    assert meta["province"] is None


def test_year_conflict():
    text = "鸡东县人民政府2021年政府信息公开工作年度报告\n本报告中所列数据统计期限为2020年1月1日至12月31日。"
    meta = extract_metadata(text)
    assert (meta["year"], meta["stat_period_year"]) == (2021, 2020)
    assert meta["year_evidence"] == "title"
    assert meta["year_conflict"] is True


def test_year_from_stat_period_when_title_has_none():
    text = "鸡东县水务局政府信息公开工作年度报告\n本报告所列数据统计期限自2022年1月1日起。"
    meta = extract_metadata(text)
    assert (meta["organ"], meta["year"]) == ("鸡东县水务局", 2022)
    assert meta["year_evidence"] == "stat_period"
    assert meta["year_conflict"] is False


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "一、总体情况\n本单位认真落实《条例》。\n二、主动公开政府信息情况\n", "x" * 5000],
)
def test_no_recognisable_title(text):
    meta = extract_metadata(text)
    assert tuple(meta) == KEYS
    assert meta["title"] is None and meta["organ"] is None and meta["year"] is None
    assert meta["scope"] == "unknown" and meta["adcode"] is None
    assert meta["year_conflict"] is False


@pytest.mark.parametrize(
    ("title", "organ", "year"),
    [
        ("鹤岗市东山区人民政府 2022 年度政府信息公开工作报告", "鹤岗市东山区人民政府", 2022),
        ("朝阳市自然资源局2025年度政府信息公开工作报告", "朝阳市自然资源局", 2025),
        ("舒兰市2016年政务信息公开年度报告", "舒兰市", 2016),
        ("鸡东县水务局政府信息公开工作年度报告（2022年度）", "鸡东县水务局", 2022),
        ("鸡东县人民政府办公室关于2023年政府信息公开工作年度报告", "鸡东县人民政府办公室", 2023),
        ("政府信息公开工作年度报告（２０２２年度）", None, 2022),
    ],
)
def test_title_patterns(title, organ, year):
    parsed = find_title(title + "\n正文")
    assert parsed is not None
    assert (parsed.organ, parsed.year) == (organ, year)


def test_page_header_line_is_not_part_of_the_title():
    parsed = find_title("鸡东县人民政府\n鸡东县人民政府办公室2023年政府信息公开工作年度报告\n正文")
    assert parsed is not None and parsed.organ == "鸡东县人民政府办公室"


def test_organ_completed_from_text():
    meta = extract_metadata("市财政局2023年政府信息公开工作年度报告\n鸡西市财政局现发布本报告。")
    assert (meta["organ_raw"], meta["organ"]) == ("市财政局", "鸡西市财政局")
    assert (meta["level"], meta["adcode"], meta["adcode_confidence"]) == (
        "prefecture",
        "230300",
        "context",
    )


def test_aggregate_wording_makes_region_aggregate():
    text = (
        "鸡东县人民政府2023年政府信息公开工作年度报告\n"
        "本报告由鸡东县人民政府办公室汇总县政府各部门年度报告编制。"
    )
    meta = extract_metadata(text)
    assert meta["scope"] == "region_aggregate"
    assert "汇总" in meta["scope_evidence"]


def test_government_title_without_aggregate_wording_is_unknown_scope():
    # The government's own report and the region-wide 本级政府 report share this title.
    meta = extract_metadata("鸡东县人民政府2023年政府信息公开工作年度报告\n正文。")
    assert (meta["organ_type"], meta["scope"]) == ("government", "unknown")


@pytest.mark.parametrize(
    ("title", "prose", "scope"),
    [
        ("淮安市人民政府", "2024年，全市共受理政府信息公开申请3件。", "region_aggregate"),
        ("沭阳县人民政府", "全县全年共受理政府信息公开申请7件。", "region_aggregate"),
        ("东宁市人民政府", "全市无新收政府信息公开申请。", "region_aggregate"),
        ("鸡东县人民政府", "全县政务新媒体的日常监测。", "unknown"),  # 全县 without a figure
        ("上海市人民政府办公厅", "全市累计受理申请12件。", "organ"),  # only a government's report
    ],
)
def test_a_government_report_stating_figures_for_the_whole_region_is_region_wide(title, prose, scope):
    meta = extract_metadata(f"{title}2024年政府信息公开工作年度报告\n{prose}")
    assert meta["scope"] == scope


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("依据国办公开办函〔2021〕30号", "2021"),
        ("依据国办公开办函〔2021〕30 号", "2021"),
        ("依据国办公开办函﹝2019﹞60号", "2019"),
        ("依据国办公开办函[2019]60号", "2019"),
        ("依据国办函﹝2020﹞109号", None),
        ("依据国办公开办函〔2021〕60号", None),
    ],
)
def test_template_cited(text, expected):
    assert template_cited(text) == expected


@pytest.mark.parametrize(
    ("text", "organ_type", "level"),
    [
        ("国家税务总局黑龙江省税务局2023年政府信息公开工作年度报告", "vertical_unit", "province"),
        ("国务院办公厅2023年政府信息公开工作年度报告", "government_office", "central"),
        ("从化经济开发区管委会2022年政府信息公开工作年度报告", "dev_zone", None),
        ("海北州人民政府2023年政府信息公开工作年度报告", "government", "prefecture"),
        ("北京市朝阳区人民政府2023年政府信息公开工作年度报告", "government", "county"),
    ],
)
def test_organ_type_and_level(text, organ_type, level):
    meta = extract_metadata(text + "\n正文")
    assert (meta["organ_type"], meta["level"]) == (organ_type, level)


def test_regions_gazetteer():
    assert [d.adcode for d in regions.find("铁东区")] == ["210302", "220303"]
    district = regions.get("110105")
    assert (district.name, district.level, district.province, district.prefecture) == (
        "朝阳区",
        "county",
        "北京市",
        None,
    )
    assert regions.get("110100") is None  # the 市辖区 placeholder is not a division
    assert regions.within("220303", "220000") and not regions.within("220303", "210300")
    assert [d.name for d in regions.parents(regions.get("632224"))] == ["青海省", "海北藏族自治州"]


def test_regions_scan_offsets_and_kinds():
    text = "地址：吉林省四平市铁东区，学习鸡西经验；海北州刚察县"
    mentions = regions.scan(text)
    assert all(text[m.start : m.end] == m.text for m in mentions)
    assert [(m.text, m.kind) for m in mentions] == [
        ("吉林省", "name"),
        ("四平市", "name"),
        ("铁东区", "qualified"),
        ("鸡西", "short"),
        ("海北州", "alias"),
        ("刚察县", "name"),
    ]
    assert mentions[2].adcodes == ("220303",)


FRAGMENTS = list("鸡东县铁区四平市人民政府办公室年度报告信息公开统计期限1月日2023\n 〔〕号")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(FRAGMENTS)))
def test_never_crashes(text):
    meta = extract_metadata(text)
    assert tuple(meta) == KEYS
    assert meta["adcode"] is None or meta["adcode_confidence"] in ("unique", "context")


def test_a_dump_marker_before_the_title_is_not_the_organ():
    meta = extract_metadata("正文\n2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n本年度报告……")
    assert (meta["organ"], meta["year"], meta["adcode"]) == ("上海市人民政府办公厅", 2025, "310000")


def test_an_ocr_misread_county_is_resolved_and_spelt_officially():
    meta = extract_metadata("沐阳县人民政府 2025 年 政府信息公开工作年度报告\n\n沐阳县人民政府\n")
    assert (meta["organ"], meta["organ_raw"], meta["adcode"]) == (
        "沭阳县人民政府",
        "沐阳县人民政府",
        "321322",
    )
