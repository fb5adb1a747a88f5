import doctest
from pathlib import Path

import pytest

from govreports import narrative
from govreports.narrative import Figure, extract_figures

RAW = Path(__file__).parents[1] / "data" / "raw"


def _seed(prefix: str) -> str:
    (path,) = RAW.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _rows(text: str, key: str) -> list[Figure]:
    return [f for f in extract_figures(text) if f.figure == key]


def _total(text: str) -> Figure:
    (total,) = _rows(text, "proactive_total")
    return total


# Expected values were read from the reports by hand (see tests/golden/VERIFIED.md).
SEEDS = {
    "000": {"total": 1470, "total_note": None, "channels": [], "applications": [0]},
    "001": {"total": 3050, "total_note": None, "channels": [], "applications": [2]},
    "002": {"total": 16509, "total_note": None, "channels": [], "applications": [0]},
    "003": {
        "total": 3264,
        "total_note": None,
        "channels": [(655, "政府门户网站"), (82, "抖音号"), (2527, "微信号")],
        "applications": [0],
    },
    "004": {
        "total": None,
        "total_note": "only per-channel counts stated",
        "channels": [(13, "政府信息公开专栏"), (56, "微信公众号"), (2, "公示栏")],
        "applications": [],
    },
}


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_proactive_total(prefix):
    expected = SEEDS[prefix]
    rows = extract_figures(_seed(prefix))
    assert rows[0].figure == "proactive_total"
    total = _total(_seed(prefix))
    assert total.value == expected["total"]
    assert total.note == expected["total_note"]
    if total.value is not None:
        assert total.unit == "条"
        assert str(expected["total"]) in total.sentence.replace(" ", "")


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_channels(prefix):
    channels = _rows(_seed(prefix), "proactive_channel")
    assert [(f.value, f.note) for f in channels] == SEEDS[prefix]["channels"]
    assert all(f.unit == "条" for f in channels)


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_applications_received(prefix):
    rows = _rows(_seed(prefix), "applications_received")
    assert [f.value for f in rows] == SEEDS[prefix]["applications"]


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seeds_state_no_reviews_or_lawsuits_in_prose(prefix):
    text = _seed(prefix)
    assert _rows(text, "reviews") == [] == _rows(text, "lawsuits")


def test_003_website_count_is_a_channel_not_a_conflicting_total():
    total = _total(_seed("003"))
    assert total.sentence == "2022年，我区主动公开政府信息3264条，其中，通过网站发布信息655条"
    first = _rows(_seed("003"), "proactive_channel")[0]
    assert first.sentence.startswith("2022 年，通过东山区人民政府门户网站，依法主动公开")


def test_004_channels_are_not_summed():
    total = _total(_seed("004"))
    assert total.value is None and total.value != 13 + 56 + 2


def test_001_bare_clause_counts_only_in_proactive_paragraph():
    clause = "全年公开各类政府信息3050条。"
    assert _total("（一）主动公开情况。" + clause).value == 3050
    assert _total("（三）政府信息管理情况。" + clause).note == "not stated"


def test_unit_zong():
    (row,) = _rows("本年度共收到政府信息公开申请0宗。", "applications_received")
    assert (row.value, row.unit) == (0, "宗")


def test_full_width_digits_and_spaces():
    total = _total("（一）主动公开情况\n全年主动公开政府信息１４７０条。")
    assert (total.value, total.unit) == (1470, "条")
    assert total.sentence == "全年主动公开政府信息１４７０条"
    spaced = _total("2022 年，我区主动公开政府信息  3264 条。")
    assert spaced.value == 3264
    assert spaced.sentence == "2022 年，我区主动公开政府信息 3264 条"


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("全年主动公开政府信息3000多条。", "3000多条"),
        ("全年主动公开政府信息100余条。", "100余条"),
        ("全年主动公开政府信息近千条。", "近千条"),
        ("全年主动公开政府信息约3000条。", "约3000条"),
        ("全年主动公开政府信息3000条以上。", "3000条以上"),
    ],
)
def test_approximate_numbers_are_not_taken(text, printed):
    total = _total(text)
    assert total.value is None
    assert total.note == f"only approximate figures stated: {printed}"


def test_approximate_channel_count_is_skipped():
    text = "主动公开政府信息500条，其中通过网站发布信息300余条。"
    assert _total(text).value == 500
    assert _rows(text, "proactive_channel") == []


def test_conflicting_unqualified_totals():
    total = _total("全年主动公开政府信息655条。2023年，我局主动公开政府信息3264条。")
    assert total.value is None
    assert total.note == "conflicting totals: 655, 3264"
    assert total.sentence == "全年主动公开政府信息655条 | 2023年，我局主动公开政府信息3264条"


def test_same_total_stated_twice_is_one_row():
    total = _total("主动公开政府信息1470条。综上，全年主动公开政府信息1470条。")
    assert (total.value, total.note) == (1470, None)


def test_no_figures():
    assert extract_figures("本局高度重视政务公开工作。") == [
        Figure("proactive_total", None, None, "", "not stated")
    ]


def test_all_channels_wording_is_a_total():
    text = "通过政府网站、微信公众号等渠道主动公开信息1200条。"
    assert _total(text).value == 1200
    assert _rows(text, "proactive_channel") == []


def test_channel_named_as_context_not_medium_is_a_total():
    assert _total("以政府门户网站为第一公开平台，全年主动公开政府信息1470条。").value == 1470


def test_total_after_channel_counts_in_one_sentence():
    text = "通过网站发布信息100条，通过微信发布200条，共计主动公开300条。"
    assert _total(text).value == 300
    channels = _rows(text, "proactive_channel")
    assert [(f.value, f.note) for f in channels] == [(100, "网站"), (200, "微信")]


def test_breakdown_items_are_not_totals():
    text = "主动公开各类政府信息共计1470条，公告信息305条、法定主动公开专栏742条；主动公开规范性文件15件。"
    assert _total(text).value == 1470
    assert [f.figure for f in extract_figures(text)] == ["proactive_total"]


def test_wan_is_scaled_and_noted():
    total = _total("全年主动公开政府信息1.2万条。")
    assert (total.value, total.note) == (12000, "stated as 1.2万条")


@pytest.mark.parametrize(
    ("text", "reviews", "lawsuits"),
    [
        ("本年度被申请行政复议2起，提起行政诉讼1起。", [2], [1]),
        ("复议7件，诉讼9件，均获维持。", [7], [9]),
        ("行政复议和行政诉讼各1件。", [1], [1]),
        ("未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。", [0], [0]),
        ("收到行政复议申请1件。", [1], []),
    ],
)
def test_reviews_and_lawsuits(text, reviews, lawsuits):
    assert [f.value for f in _rows(text, "reviews")] == reviews
    assert [f.value for f in _rows(text, "lawsuits")] == lawsuits
    assert _rows(text, "applications_received") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本年度新收政府信息公开申请5件，上年结转2件。", [5]),
        ("本年度未收到政府信息公开申请。", [0]),
        ("收到政府信息公开申请后3个工作日内予以答复。", []),
        ("依据《条例》第20条规定公开。", []),
    ],
)
def test_applications_received(text, expected):
    assert [f.value for f in _rows(text, "applications_received")] == expected


def test_zero_stated_in_words_has_no_unit():
    (row,) = _rows("2023年度，全市无新收政府信息公开申请。", "applications_received")
    assert (row.value, row.unit, row.note) == (0, None, "stated as none")


def test_conflicting_application_statements_are_noted():
    text = "全年收到政府信息公开申请2件。本年度未收到政府信息公开申请。"
    rows = _rows(text, "applications_received")
    assert [(f.value, f.note) for f in rows] == [
        (2, "conflicting statements: 2, 0"),
        (0, "stated as none; conflicting statements: 2, 0"),
    ]


def test_sentences_split_on_semicolons_and_line_breaks():
    text = "其他工作；主动公开政府信息\n1470条。"
    total = _total(text)
    assert total.value is None  # the count's sentence starts at the line break: no cue
    total = _total("其他工作；全年主动公开政府信息1470条；其他")
    assert total.sentence == "全年主动公开政府信息1470条"


def test_doctests():
    assert doctest.testmod(narrative).failed == 0


def test_an_item_of_a_listed_breakdown_is_never_the_total():
    text = (
        "（一）主动公开政府信息情况\n2025年政府网站发布各类信息共196条，其中部门网站发布发展规划3条、"
        "组织机构14条、资金下达2条、监督检查1条、其他主动公开2条。"
    )
    totals = [f.value for f in extract_figures(text) if f.figure == "proactive_total"]
    assert 2.0 not in totals
