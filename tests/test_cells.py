import pytest

from govreports.cells import parse_cell


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("0", 0.0, "ok"),
        (" 0", 0.0, "ok"),
        ("\u20020", 0.0, "ok"),
        ("27780", 27780.0, "ok"),
        ("１２", 12.0, "ok"),
        ("18.8710", 18.871, "ok"),
        ("-8", -8.0, "ok"),
        ("1,234", 1234.0, "thousands_sep"),
        ("1，234", 1234.0, "thousands_sep"),
        ("", None, "blank"),
        ("\xa0", None, "blank"),
        ("/", None, "slash"),
        ("／", None, "slash"),
        ("-", None, "dash"),
        ("—", None, "dash"),
        ("--", None, "dash"),
        ("无", 0.0, "zero_word"),
        ("不适用", None, "na_text"),
        ("N/A", None, "na_text"),
        ("251000元", 251000.0, "unit_in_cell"),
        ("12件", 12.0, "unit_in_cell"),
        ("22（其中修订 16 件）", None, "text"),
        ("1 772", None, "text"),
    ],
)
def test_parse_cell(raw, value, status):
    assert parse_cell(raw) == (value, status)
