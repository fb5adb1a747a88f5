"""Stable organ ids: one organ's reports linked across years despite renamed or shortened titles.

An organ's title changes from year to year without the organ changing: 莆田市科学技术局 and
莆田市科技局, 城厢区人民政府办公室 and 城厢区政府办公室, a title with or without its province, a
stray space. :func:`organ_key` turns a name and the report's place into an ``organ_id`` by one
deterministic rule, :func:`organ_ids` gives every report of a corpus its id, and
:func:`organ_links` lists the names linked under each id so that every link can be audited.

**The rule.** The name (``reports.organ``, else ``organ_raw``) is

1. NFKC-normalised (full-width letters and digits become half-width) and stripped of whitespace;
2. stripped of the place names it starts with, but only those that are the report's division or
   one of its parents (福建省莆田市科学技术局 → 科学技术局 for adcode 350300), then of one leading
   level word (市科技局 → 科技局) unless it begins a word (市场, 市政, 区域, 县直 ...);
3. rewritten with :data:`ABBREVIATIONS`, a short table of official full forms and the standard
   short forms of the same words (科学技术 → 科技, 人民政府办公室 → 政府办), longest match first,
   in one pass. Nothing is deleted, so two names become equal only when they differ by words the
   table declares equivalent.

The ``organ_id`` is ``"<adcode>:<name>"`` (``350300:科技局``; ``350300:(region)`` for a report
titled with a bare region name, such as 莆田市2008年度…报告), or ``"central:<name>"`` for a
central organ. Linking is conservative: a report whose division is not resolved to one adcode
(same-named districts the text does not separate, a place missing from the gazetteer, no place
at all) is linked to nothing and gets ``"report:<report_id>"``. Two names that might be one
organ renamed (自然资源局 and 自然资源和规划局, 环境保护局 and 生态环境局, a 本级政府 report titled
莆田市 and one titled 莆田市人民政府) stay apart: a reorganisation is not a respelling.

>>> organ_key("莆田市科学技术局", adcode="350300"), organ_key("莆田市 科技局", adcode="350300")
('350300:科技局', '350300:科技局')
>>> organ_key("城厢区人民政府办公室", adcode="350302") == organ_key("城厢区政府办公室", adcode="350302")
True
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from govreports import regions

# Official full form → the standard short form of the same words. Keep it small: every entry
# must mean the same thing wherever it occurs in an organ's name. Several full forms may share
# one short form (the 和/与 spellings); the short form maps to itself.
ABBREVIATIONS: dict[str, str] = {
    "人民政府办公室": "政府办",
    "政府办公室": "政府办",
    "人民政府办公厅": "政府办公厅",
    "人民政府": "政府",
    "管理委员会": "管委会",
    "委员会": "委",
    "科学技术": "科技",
    "人力资源和社会保障": "人社",
    "住房和城乡建设": "住建",
    "自然资源和规划": "资规",
    "发展和改革": "发改",
    "工业和信息化": "工信",
    "市场监督管理": "市场监管",
    "卫生健康": "卫健",
    "文化和旅游": "文旅",
    "民族与宗教事务": "民宗",
    "民族和宗教事务": "民宗",
    "民族宗教事务": "民宗",
    "海洋与渔业": "海渔",
    "海洋和渔业": "海渔",
    "退役军人事务": "退役军人",
    "医疗保障": "医保",
    "应急管理": "应急",
    "城市管理": "城管",
}
REGION_NAME = "(region)"
_ABBREVIATION = re.compile("|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)))
_SPACE = re.compile(r"[\s\u200b-\u200d\ufeff]+")
# One leading level word (市科技局); not when it begins an ordinary word (市场监管局, 区域…).
_LEVEL_WORD = re.compile(r"^[省市县区州盟旗](?!场|政|容|民|区|属|直|级|域|委)(?=.)")


def normalise_name(name: str, adcode: str | None = None) -> str:
    """Return an organ's name in the form organ ids compare: no place prefix, short forms.

    Args:
        name: the organ's name as printed.
        adcode: the report's division; leading place names are removed only if they are this
            division or one of its parents (``None``: none are removed).

    Returns:
        The normalised name, :data:`REGION_NAME` when nothing but place names is left.

    >>> normalise_name("福建省莆田市人力资源和社会保障局", "350300")
    '人社局'
    >>> normalise_name("莆田市市场监督管理局", "350300"), normalise_name("市科学技术局", "350300")
    ('市场监管局', '科技局')
    >>> normalise_name("莆田市", "350300"), normalise_name("莆田市城厢区政府", "350300")
    ('(region)', '城厢区政府')
    """
    text = _SPACE.sub("", unicodedata.normalize("NFKC", name))
    if adcode:
        text = text[_place_prefix_end(text, adcode) :]
        if not text:
            return REGION_NAME
        text = _LEVEL_WORD.sub("", text)
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m[0]], text)


def _place_prefix_end(text: str, adcode: str) -> int:
    """Where the run of place names that open ``text`` and contain ``adcode`` ends."""
    end = 0
    for mention in regions.scan(text):
        if mention.start != end:
            break
        if not any(code == adcode or regions.within(adcode, code) for code in mention.adcodes):
            break
        end = mention.end
    return end


def organ_key(organ: object, *, adcode: object = None, level: object = None) -> str | None:
    """Return the ``organ_id`` of an organ name in its division, or ``None`` when it cannot link.

    Args:
        organ: the organ's name (``reports.organ``).
        adcode: the report's 6-digit division code (``reports.adcode``).
        level: ``reports.level``; only ``"central"`` lets a name without an adcode link.

    Returns:
        ``"<adcode>:<name>"``, ``"central:<name>"``, or ``None`` (no name; a local organ whose
        division is not resolved, which :func:`organ_ids` leaves unlinked).

    >>> organ_key("自然资源部", level="central"), organ_key("铁东区财政局", level="county")
    ('central:自然资源部', None)
    """
    if not isinstance(organ, str) or not organ.strip():
        return None
    if isinstance(adcode, str) and re.fullmatch(r"\d{6}", adcode):
        return f"{adcode}:{normalise_name(organ, adcode)}"
    if level == "central":
        return f"central:{normalise_name(organ)}"
    return None


def organ_ids(reports: pd.DataFrame) -> pd.Series:
    """Give every report its ``organ_id`` (see the module's rule), aligned with ``reports``.

    Args:
        reports: a reports frame (``report_id``, ``organ`` or ``organ_raw``, ``adcode``, ``level``).

    Returns:
        A ``string`` Series named ``organ_id`` with the index of ``reports``; a report that cannot
        be linked has ``"report:<report_id>"``, so it forms a panel of one.

    >>> import govreports as gr
    >>> reports = gr.read_reports("data/raw/putian").reports
    >>> ids = organ_ids(reports)
    >>> ids[reports.organ == "莆田市科学技术局"].unique().tolist()
    ['350300:科技局']
    """
    frame = reports.reindex(columns=["report_id", "organ", "organ_raw", "adcode", "level"])
    names = frame["organ"].astype(object).where(frame["organ"].notna(), frame["organ_raw"].astype(object))
    keys = [
        organ_key(name, adcode=_text(adcode), level=_text(level)) or f"report:{report_id}"
        for name, adcode, level, report_id in zip(
            names, frame["adcode"], frame["level"], frame["report_id"], strict=True
        )
    ]
    return pd.Series(keys, index=reports.index, dtype="string", name="organ_id")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def organ_links(reports: pd.DataFrame) -> pd.DataFrame:
    """List the names linked under each ``organ_id``: the audit table of :func:`organ_ids`.

    Args:
        reports: a reports frame.

    Returns:
        One row per ``organ_id`` and name as printed (``organ``): ``n_names`` (names under the
        id: more than one means titles were linked), ``n_reports``, ``years`` and
        ``report_ids`` (comma-separated, in year order), sorted by id and first year.

    >>> import govreports as gr
    >>> links = organ_links(gr.read_reports("data/raw/putian").reports)
    >>> links.loc[links.organ == "莆田市统计局", ["organ_id", "n_reports", "years"]].values.tolist()
    [['350300:统计局', 4, '2008, 2020, 2023, 2025']]
    """
    frame = reports.reindex(columns=["report_id", "organ", "organ_raw", "year"]).copy()
    frame["organ"] = frame["organ"].astype("string").fillna(frame["organ_raw"].astype("string"))
    frame["organ_id"] = organ_ids(reports)
    frame = frame.sort_values(["organ_id", "year", "report_id"], na_position="last", kind="stable")
    rows = []
    for (organ_id, organ), group in frame.groupby(["organ_id", "organ"], dropna=False, sort=False):
        years = group["year"].dropna().astype(int).astype(str)
        rows.append(
            {
                "organ_id": organ_id,
                "organ": organ,
                "n_reports": len(group),
                "years": ", ".join(dict.fromkeys(years)),
                "report_ids": ", ".join(group["report_id"].astype(str)),
                "first_year": group["year"].min(),
            }
        )
    links = pd.DataFrame(
        rows, columns=["organ_id", "organ", "n_reports", "years", "report_ids", "first_year"]
    )
    links.insert(2, "n_names", links.groupby("organ_id")["organ"].transform("size").astype("Int64"))
    links = links.sort_values(["organ_id", "first_year", "organ"], na_position="last", kind="stable")
    links = links.drop(columns="first_year").reset_index(drop=True)
    links["n_reports"] = links["n_reports"].astype("Int64")
    for name in ("organ_id", "organ", "years", "report_ids"):
        links[name] = links[name].astype("string")
    return links
