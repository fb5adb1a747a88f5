r"""Report metadata: title, organ, year, level, organ type, place (adcode), scope, template cited.

Everything comes from the report text alone (see ``docs/domain.md`` §3). A field that
the text does not establish is ``None``: same-named places (铁东区 in 鞍山 and in 四平) are
resolved only from the text's own context, never by guessing.

>>> meta = extract_metadata("铁东区政务服务局2023年度政府信息公开工作\n\n年度报告\n"
...                         "现发布四平市铁东区政务服务局2023年度报告。")
>>> meta["organ"], meta["adcode"], meta["adcode_confidence"]
('四平市铁东区政务服务局', '220303', 'context')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from govreports import regions
from govreports.regions import Mention
from govreports.titles import Title, find_title, stated_period_year, template_cited

KEYS = (
    "title",
    "organ_raw",
    "organ",
    "year",
    "year_evidence",
    "stat_period_year",
    "year_conflict",
    "level",
    "organ_type",
    "province",
    "prefecture",
    "county",
    "adcode",
    "adcode_confidence",
    "adcode_evidence",
    "scope",
    "scope_evidence",
    "template_cited",
)

_CENTRAL = re.compile(r"^(?:国务院|国家|中国|中华人民共和国|中央)|(?:部|署|总局|总署)$")
_LOCAL_START = re.compile(r"^[省市县区州盟旗乡镇]")
_ORGAN_TYPES = (
    ("township", re.compile(r"(?:乡|镇|苏木)(?:人民政府)?$")),
    ("subdistrict", re.compile(r"街道(?:办事处|办)?$")),
    ("government_office", re.compile(r"(?:人民政府|政府|行政公署|国务院)办公[室厅]$")),
    ("government", re.compile(r"(?:人民政府|行政公署)$|^国务院$")),
    (
        "vertical_unit",
        re.compile(
            r"^(?:国家税务总局|国家金融监督管理总局|中国人民银行|国家统计局|国家外汇管理局"
            r"|中国银行保险监督管理委员会|中国证券监督管理委员会).+"
            r"|(?:税务局|海关|调查队|气象局|邮政管理局|海事局|烟草专卖局|监管分局|中心支行)$"
        ),
    ),
    (
        "dev_zone",
        re.compile(
            r"(?:开发区|高新区|园区|新区|试验区|实验区|示范区|保税区|合作区)"
            r"(?:党工委)?(?:管理委员会|管委会|管理局)?$"
        ),
    ),
    ("department", re.compile(r"(?:局|厅|委|委员会|办|办公室|部|署|中心|处|支队|大队)$")),
)
_TOWNSHIP_TYPES = frozenset({"township", "subdistrict"})
# A county-level name right after the known places that the gazetteer lacks (cpca's list
# reflects mid-2016: 梁平区 is still 梁平县). Words ending like a division name are not places.
_UNKNOWN_PLACE = re.compile(r"[\u4e00-\u9fff]{2,4}?[县区旗市]")
_NOT_PLACES = (
    "开发区", "新区", "园区", "城区", "社区", "景区", "林区", "矿区", "保护区", "示范区",
    "试验区", "实验区", "合作区", "保税区", "高新区", "片区", "辖区", "市区", "郊区",
    "功能区", "管理区", "口岸区", "自贸区",
)  # fmt: skip
_AGGREGATE = re.compile(
    r"(?:汇总|涵盖)[^。；;\n]{0,40}?(?:各(?:有关|相关)?(?:部门|单位|乡镇|乡|镇|街道|县|区|市|地|级)|所属)"
    r"|各(?:部门|单位)[^。；;\n]{0,30}?汇总"
    r"|全(?:省|市|县|区|州|旗|盟)各级(?:行政机关|政府|部门|单位)"
)
_WHOLE_REGION = re.compile(r"全(?:省|市|县|区|州|旗|盟)")
# A government's report that states its figures for the whole region: 全市共受理…申请N件.
_REGION_FIGURES = re.compile(
    r"全(?:省|市|县|区|州|旗|盟)(?:全年|本年度?|\d{4}年)?"
    r"(?:(?:无|未)(?:新收|收到|受理)|(?:共|累计|总计|合计)?(?:主动公开|受理|收到|新收|办理)[^。；;\n]{0,30}?\d)"
)
_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})(?!\d)")
# First two postcode digits → province codes (two-digit prefix of the adcode). Background
# knowledge, with the known cross-border exceptions (兴安盟 137xxx, 阿拉善盟 750xxx) included;
# used only to separate candidates that the text's place names do not.
# fmt: off
_POSTCODE_PROVINCES: dict[str, tuple[str, ...]] = {
    "10": ("11",), "30": ("12",), "05": ("13",), "06": ("13",), "07": ("13",), "03": ("14",),
    "04": ("14",), "01": ("15",), "02": ("15",), "11": ("21",), "12": ("21",),
    "13": ("22", "15"), "15": ("23",), "16": ("23",), "20": ("31",), "21": ("32",),
    "22": ("32",), "31": ("33",), "32": ("33",), "23": ("34",), "24": ("34",), "35": ("35",),
    "36": ("35",), "33": ("36",), "34": ("36",), "25": ("37",), "26": ("37",), "27": ("37",),
    "45": ("41",), "46": ("41",), "47": ("41",), "43": ("42",), "44": ("42",), "41": ("43",),
    "42": ("43",), "51": ("44",), "52": ("44",), "53": ("45",), "54": ("45",), "57": ("46",),
    "40": ("50",), "61": ("51",), "62": ("51",), "63": ("51",), "64": ("51",), "55": ("52",),
    "56": ("52",), "65": ("53",), "66": ("53",), "67": ("53",), "85": ("54",), "86": ("54",),
    "71": ("61",), "72": ("61",), "73": ("62",), "74": ("62",), "81": ("63",),
    "75": ("64", "15"), "83": ("65",), "84": ("65",),
}
# fmt: on


@dataclass
class _Place:
    """Where the organ sits: candidate divisions and how they were narrowed down."""

    organ: str | None
    candidates: set[str] = field(default_factory=set)
    confidence: str | None = None
    evidence: list[str] = field(default_factory=list)
    bare: bool = False
    central: bool = False
    unknown: str | None = None


def extract_metadata(text: str) -> dict[str, object]:
    r"""Extract a report's metadata from its text.

    Args:
        text: the full text of one report.

    Returns:
        A dict with exactly the keys in :data:`KEYS`; a field the text does not establish is
        ``None`` (``scope`` is then ``"unknown"``, ``year_conflict`` ``False``).

    >>> m = extract_metadata("刚察县人民政府办公室\n2023年度政府信息公开工作年度报告\n正文。")
    >>> m["organ"], m["year"], m["level"], m["organ_type"], m["prefecture"], m["adcode"]
    ('刚察县人民政府办公室', 2023, 'county', 'government_office', '海北藏族自治州', '632224')
    """
    title = find_title(text)
    stat_year = stated_period_year(text)
    year = title.year if title else None
    organ_raw = title.organ_raw if title else None
    place = _locate(title.organ if title else None, text)
    organ_type = classify_organ(place.organ, bare=place.bare)
    scope, scope_evidence = _scope(place, organ_type, title, text)
    fields = _place_fields(place)
    return {
        "title": title.text if title else None,
        "organ_raw": organ_raw,
        "organ": _official_spelling(place.organ, fields["county"]),
        "year": year if year is not None else stat_year,
        "year_evidence": "title" if year is not None else ("stat_period" if stat_year else None),
        "stat_period_year": stat_year,
        "year_conflict": year is not None and stat_year is not None and year != stat_year,
        "level": _level(place, organ_type),
        "organ_type": organ_type,
        **fields,
        "scope": scope,
        "scope_evidence": scope_evidence,
        "template_cited": template_cited(text),
    }


def _official_spelling(organ: str | None, county: object) -> str | None:
    """Write the county as officially spelt where the text has an OCR misreading of it (沐阳 → 沭阳)."""
    if organ is None or not isinstance(county, str) or county in organ:
        return organ
    for misread in regions.ocr_variants(county):
        if misread in organ:
            return organ.replace(misread, county)
    return organ


def classify_organ(organ: str | None, *, bare: bool = False) -> str | None:
    """Classify an organ by its name.

    Args:
        organ: the organ's name (whitespace removed), or ``None``.
        bare: True if the name is nothing but a place name (东宁市): the government itself.

    Returns:
        One of ``government``, ``government_office``, ``department``, ``township``,
        ``subdistrict``, ``dev_zone``, ``vertical_unit``, ``other``, or ``None`` without organ.

    >>> classify_organ("五常市民意乡"), classify_organ("自然资源部")
    ('township', 'department')
    >>> classify_organ("东宁市", bare=True), classify_organ("鸡东县人民政府办公室")
    ('government', 'government_office')
    """
    if not organ:
        return None
    if bare:
        return "government"
    for kind, pattern in _ORGAN_TYPES:
        if pattern.search(organ):
            return kind
    return "other"


def _is_central(organ: str, mentions: list[Mention]) -> bool:
    named = any(m.kind != "short" for m in mentions)
    return not named and not _LOCAL_START.match(organ) and bool(_CENTRAL.search(organ))


def _chain(mentions: list[Mention]) -> tuple[set[str], list[Mention], list[Mention]]:
    """Narrow the organ's place names left to right (吉林省 → 四平市 → 铁东区).

    Returns the candidates, the names used and the names skipped: a name that fits under none
    of the places already read is not allowed to contradict them (it may be a newer division
    that the gazetteer places elsewhere, or part of a joint name).
    """
    current: set[str] = set()
    used: list[Mention] = []
    skipped: list[Mention] = []
    for mention in mentions:
        if mention.kind == "short":
            continue
        codes = set(mention.adcodes)
        if current:
            codes = {c for c in codes if any(regions.within(c, p) for p in current)}
            if not codes:
                skipped.append(mention)
                continue
        current = codes
        used.append(mention)
    return current, used, skipped


def _unknown_place(organ: str) -> str | None:
    """Return a division name in ``organ``, just below its known places, that the gazetteer lacks.

    >>> _unknown_place("重庆市梁平区人民政府"), _unknown_place("鸡西市经济开发区管委会")
    ('梁平区', None)
    """
    _, used, skipped = _chain(regions.scan(organ))
    end = used[-1].end if used else 0
    for mention in skipped:
        if mention.start == end:
            return mention.text
    match = _UNKNOWN_PLACE.match(organ, end)
    if match is None or match[0].endswith(_NOT_PLACES):
        return None
    return match[0]


def _mentioned_level(mention: Mention) -> str:
    """Return the level of a mention's first division (its codes come from the gazetteer)."""
    division = regions.get(mention.adcodes[0])
    assert division is not None
    return division.level


def _locate(organ: str | None, text: str) -> _Place:
    """Find the organ's division: from its name, then a fuller name in the text, then context."""
    if not organ:
        return _Place(None)
    own = regions.scan(organ)
    if _is_central(organ, own):
        return _Place(organ, central=True)
    candidates, used, _ = _chain(own)
    named = "".join(m.text for m in used)
    place = _Place(organ, candidates, evidence=[f"title: {named}"] if named else [])
    place.bare = bool(named) and named == organ
    if len(candidates) == 1:
        place.confidence = "unique"
    mentions = regions.scan(text)
    if not used or _mentioned_level(used[0]) == regions.COUNTY:
        _prefer_fuller(place, text, mentions, named=bool(used))
    if (unknown := _unknown_place(place.organ or "")) is not None:
        place.unknown, place.confidence = unknown, None
        place.evidence.append(f"{unknown}: not in the gazetteer")
    elif len(place.candidates) > 1:
        _use_context(place, text, mentions)
    if not place.candidates and not place.unknown:
        place.evidence = []
    return place


def _prefixes(organ: str, text: str, ends: dict[int, Mention], overlap: int) -> Counter[Mention]:
    """Count the place names printed immediately before each occurrence of ``organ``.

    With ``overlap=1`` the place name swallows the organ's first character: 鸡西市 in
    鸡西市财政局 completes a title's bare 市财政局.
    """
    found: Counter[Mention] = Counter()
    position = text.find(organ)
    while position != -1:
        mention = ends.get(position + overlap)
        if mention is not None and (not overlap or mention.text[-1] == organ[0]):
            found[mention] += 1
        position = text.find(organ, position + 1)
    return found


def _prefer_fuller(place: _Place, text: str, mentions: list[Mention], *, named: bool) -> None:
    """Adopt the fuller name the text gives, e.g. 四平市铁东区政务服务局 for 铁东区政务服务局.

    Parents are prepended one at a time while the added parent is itself county level (a
    department named without any place may be printed as 四平市铁东区…).
    """
    ends = {m.end: m for m in mentions if m.kind != "short"}
    organ = place.organ or ""
    overlap = 1 if not named and _LOCAL_START.match(organ) else 0
    for _ in range(2):
        found: dict[str, tuple[int, set[str], str]] = {}
        for mention, count in _prefixes(organ, text, ends, overlap).items():
            if codes := _narrow(place.candidates, mention.adcodes):
                prefix = mention.text[: len(mention.text) - overlap]
                seen = found.get(prefix, (0, codes, ""))[0]
                found[prefix] = (seen + count, codes, _mentioned_level(mention))
        if len(found) != 1:
            return  # none, or two different parents: keep the title's form
        ((prefix, (count, codes, level)),) = found.items()
        organ, overlap = prefix + organ, 0
        place.organ, place.candidates = organ, codes
        place.evidence.append(f"text: {organ} ×{count}")
        if len(codes) == 1 and place.confidence != "unique":
            place.confidence = "context"
        if level != regions.COUNTY:
            return


def _narrow(candidates: set[str], codes: tuple[str, ...], *, strict: bool = True) -> set[str]:
    """Keep the candidates inside one of ``codes`` (all ``codes`` if there are no candidates).

    Args:
        candidates: the adcodes still possible.
        codes: the adcodes a place name in the text can denote.
        strict: if False, a candidate named itself also counts as a hit.
    """
    if not candidates:
        return set(codes)
    return {c for c in candidates if any(regions.within(c, p) or (not strict and c == p) for p in codes)}


def _use_context(place: _Place, text: str, mentions: list[Mention]) -> None:
    """Separate same-named candidates by the places the text names, then by postcode."""
    support: dict[str, Counter[str]] = {c: Counter() for c in place.candidates}
    for mention in mentions:
        if mention.kind == "qualified":
            continue  # its parent, printed just before it, is counted already
        hits = _narrow(place.candidates, mention.adcodes, strict=False)
        if hits and len(hits) < len(place.candidates):
            for code in hits:
                support[code][mention.text] += 1
    backed = {c for c, names in support.items() if names}
    if len(backed) == 1:
        code = backed.pop()
        place.candidates, place.confidence = {code}, "context"
        place.evidence.append("text: " + ", ".join(f"{n} ×{k}" for n, k in support[code].items()))
        return
    pool = backed or place.candidates
    postcode = _POSTCODE.search(text)
    provinces = _POSTCODE_PROVINCES.get(postcode[1][:2], ()) if postcode else ()
    by_post = {c for c in pool if c[:2] in provinces}
    if len(by_post) == 1:
        place.candidates, place.confidence = by_post, "context"
        place.evidence.append(f"postcode {postcode[1] if postcode else ''}")
        return
    place.confidence = "ambiguous"
    place.evidence.append("candidates " + "|".join(sorted(place.candidates)) + "; no deciding context")


def _place_fields(place: _Place) -> dict[str, object]:
    """Province/prefecture/county/adcode: each filled only where every candidate agrees."""
    divisions = [regions.get(code) for code in sorted(place.candidates)]
    fields: dict[str, object] = {}
    for name in ("province", "prefecture", "county"):
        values = {getattr(d, name) for d in divisions if d is not None}
        fields[name] = values.pop() if len(values) == 1 else None
    resolved = divisions[0] if len(divisions) == 1 and place.unknown is None else None
    if place.unknown or (resolved is not None and resolved.level != regions.COUNTY):
        fields["county"] = None
    fields["adcode"] = resolved.adcode if resolved is not None else None
    fields["adcode_confidence"] = place.confidence
    fields["adcode_evidence"] = "; ".join(place.evidence) or None
    return fields


def _level(place: _Place, organ_type: str | None) -> str | None:
    if organ_type in _TOWNSHIP_TYPES:
        return "township"
    if place.central:
        return "central"
    if place.unknown:
        return regions.COUNTY if place.unknown[-1] in "县区旗" else None
    levels = {d.level for code in place.candidates if (d := regions.get(code)) is not None}
    return levels.pop() if len(levels) == 1 else None


def _scope(place: _Place, organ_type: str | None, title: Title | None, text: str) -> tuple[str, str | None]:
    """Tell an organ's own report from a region-wide one (the 本级政府 report, Art. 49(2)).

    A title naming a bare region, or wording that says the report sums up the region's organs
    (汇总…各有关单位, 全市各级行政机关), makes a report region-wide whatever the organ type.
    """
    if place.organ is None:
        return "unknown", None
    if place.bare:
        whole = Counter(_WHOLE_REGION.findall(text))
        said = ", ".join(f"{w} ×{n}" for w, n in whole.most_common(2))
        return "region_aggregate", f"title: bare region name {place.organ}" + (
            f"; text: {said}" if said else ""
        )
    if organ_type in ("government", "government_office") and title is not None and title.own_level:
        return "region_aggregate", "title: 本级政府"
    cued = "汇总" in text or "涵盖" in text or "各级" in text  # cheap test first: the regex is slow
    if cued and (match := _AGGREGATE.search(text)) is not None:
        return "region_aggregate", f"text: {match[0]}"
    if organ_type == "government" and (match := _REGION_FIGURES.search(text)) is not None:
        return "region_aggregate", f"text: figures for the whole region: {match[0]}"
    if organ_type == "government":
        # "XX市人民政府…年度报告" is published both as the government's own report and as the
        # region-wide 本级政府 report; without wording that says which, do not guess.
        return "unknown", "title: a government's report may be its own or region-wide; the text does not say"
    return "organ", f"title: named organ ({organ_type})"
