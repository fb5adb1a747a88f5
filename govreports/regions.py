"""Gazetteer of China's administrative divisions (province, prefecture, county level).

The data are the 3,500 divisions shipped with the ``cpca`` package
(``cpca/resources/adcodes.csv``). Their hierarchy is read from the code itself: the first two
digits name the province, the first four the prefecture. The file reflects mid-2016 (it has
开州区 but still 梁平县, 武隆县, 那曲地区), so later changes are missing, and townships are absent.

Municipalities (北京/上海/天津/重庆) and the 省直辖县级行政区划 of 河北/河南/湖北/海南/新疆 have
placeholder prefecture entries (市辖区, 县, 省直辖县级行政区划). They are not divisions, so their
counties have ``prefecture=None`` and are placed directly under the province.

>>> [d.adcode for d in find("铁东区")]
['210302', '220303']
>>> get("220303").prefecture
'四平市'
>>> [(m.text, m.adcodes) for m in scan("四平市铁东区政务服务局")]
[('四平市', ('220300',)), ('铁东区', ('220303',))]
"""

from __future__ import annotations

import csv
import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import ahocorasick

PROVINCE = "province"
PREFECTURE = "prefecture"
COUNTY = "county"

# Placeholder rows in the cpca file: grouping codes, not divisions.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Real county names that are also everyday words (主城区, 矿区, 东区…). They are matched only
# together with their parent ("阳泉市城区"), never on their own.
_GENERIC = frozenset({"城区", "郊区", "矿区", "东区", "西区"})
# Short prefecture names that are ordinary words; as context they would be noise.
_SHORT_STOP = frozenset(
    {"开封", "来宾", "白银", "北海", "中山", "阿里", "普洱", "日照", "安康", "长治", "三明", "吉安"}
)
# How much a key says, strongest first, when two kinds of key share the same string.
_KIND_RANK = {"compound": 0, "name": 1, "alias": 2, "short": 3}


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division.

    Attributes:
        adcode: 6-digit code, e.g. ``"220303"``.
        name: official full name as cpca spells it, e.g. ``"铁东区"``.
        level: ``"province"``, ``"prefecture"`` or ``"county"`` (county level: 县, 区, 县级市, 旗).
        province: full name of its province (itself for a province).
        prefecture: full name of its prefecture, ``None`` for provinces, for municipal districts
            and for counties directly under a province.

    >>> d = get("231086")
    >>> d.name, d.level, d.province, d.prefecture
    ('东宁市', 'county', '黑龙江省', '牡丹江市')
    """

    adcode: str
    name: str
    level: str
    province: str | None
    prefecture: str | None

    @property
    def county(self) -> str | None:
        """The county-level name, or ``None`` above county level.

        >>> get("230321").county, get("230300").county
        ('鸡东县', None)
        """
        return self.name if self.level == COUNTY else None


@dataclass(frozen=True, slots=True)
class Mention:
    """A division name found in a text.

    Attributes:
        start: offset of the first character.
        end: offset just past the last character.
        text: the matched string.
        kind: ``"name"`` (official name), ``"alias"`` (e.g. 海北州 for 海北藏族自治州),
            ``"qualified"`` (a county written after its parent, e.g. 铁东区 in 四平市铁东区, so
            its code is certain) or ``"short"`` (a province or prefecture without its suffix,
            e.g. 吉林 or 四平: context only).
        adcodes: codes of every division the string can denote.

    >>> scan("鸡西市鸡东县")[1]
    Mention(start=3, end=6, text='鸡东县', kind='qualified', adcodes=('230321',))
    """

    start: int
    end: int
    text: str
    kind: str
    adcodes: tuple[str, ...]


def _level(code: str) -> str:
    if code.endswith("0000"):
        return PROVINCE
    return PREFECTURE if code.endswith("00") else COUNTY


@cache
def _rows() -> tuple[tuple[str, str], ...]:
    path = importlib.resources.files("cpca") / "resources" / "adcodes.csv"
    # Traversable.open passes its keywords on to TextIOWrapper (newline included); typeshed lists only
    # encoding and errors.
    with path.open(encoding="utf-8", newline="") as handle:  # type: ignore[call-overload]
        return tuple((row["adcode"][:6], row["name"]) for row in csv.DictReader(handle))


@cache
def divisions() -> dict[str, Division]:
    """All divisions, keyed by 6-digit adcode (read once from cpca, then cached).

    Returns:
        A dict from adcode to :class:`Division`; placeholder rows are left out.

    >>> len(divisions()) > 3000, divisions()["110105"].prefecture
    (True, None)
    """
    names = {code: name for code, name in _rows() if name not in _PLACEHOLDERS}
    result: dict[str, Division] = {}
    for code, name in sorted(names.items()):
        level = _level(code)
        province = names.get(code[:2] + "0000")
        prefecture = names.get(code[:4] + "00") if level == COUNTY else None
        if level == PREFECTURE:
            prefecture = name
        result[code] = Division(code, name, level, province, prefecture)
    return result


def get(adcode: str) -> Division | None:
    """Look a division up by its 6-digit (or 12-digit) code.

    Args:
        adcode: the code; only the first six digits are used.

    Returns:
        The division, or ``None`` if the code is unknown.

    >>> get("632224").name, get("999999")
    ('刚察县', None)
    """
    return divisions().get(adcode[:6])


def within(adcode: str, ancestor: str) -> bool:
    """Whether division ``adcode`` lies strictly inside division ``ancestor``.

    Args:
        adcode: 6-digit code of the inner division.
        ancestor: 6-digit code of the possible parent (province or prefecture).

    Returns:
        True if ``ancestor`` is the province or prefecture of ``adcode``.

    >>> within("220303", "220300"), within("220303", "220000"), within("220303", "210300")
    (True, True, False)
    """
    if adcode == ancestor:
        return False
    level = _level(ancestor)
    if level == PROVINCE:
        return adcode[:2] == ancestor[:2]
    return level == PREFECTURE and adcode[:4] == ancestor[:4]


def parents(division: Division) -> tuple[Division, ...]:
    """Return the divisions above ``division``, province first.

    Args:
        division: any division.

    Returns:
        Its province and prefecture divisions that exist in the gazetteer.

    >>> [d.name for d in parents(get("632224"))]
    ['青海省', '海北藏族自治州']
    """
    codes = (division.adcode[:2] + "0000", division.adcode[:4] + "00")
    return tuple(d for c in codes if (d := get(c)) is not None and within(division.adcode, c))


def find(name: str) -> tuple[Division, ...]:
    """Return the divisions whose official name or common alias is ``name``.

    Args:
        name: e.g. ``"铁东区"`` or ``"海北州"``; short forms such as ``"四平"`` are not names.

    Returns:
        The matching divisions in code order (empty if none).

    >>> [d.name for d in find("海北州")]
    ['海北藏族自治州']
    """
    entry = _keys().get(name)
    if entry is None or entry[0] not in ("name", "alias"):
        return ()
    return tuple(divisions()[code] for code in entry[1])


def _strip_ethnic(stem: str) -> str:
    """Cut an ethnic designation off a name stem: 海北藏族 → 海北, 广西壮族 → 广西."""
    cut = len(stem)
    for nation in _nations():
        for form in (nation, nation.removesuffix("族")):
            index = stem.find(form, 2)
            if index != -1 and len(form) > 1:
                cut = min(cut, index)
    return stem[:cut]


@cache
def _nations() -> tuple[str, ...]:
    path = importlib.resources.files("cpca") / "resources" / "56_nations.csv"
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line)


def alias(division: Division) -> str | None:
    """Return the everyday form of an autonomous division's name, e.g. 海北州, 长阳县.

    Args:
        division: any division.

    Returns:
        The alias, or ``None`` if the division is not an autonomous 州/县/旗.

    >>> alias(get("632200")), alias(get("220303"))
    ('海北州', None)
    """
    for suffix, short in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        if division.name.endswith(suffix):
            stem = _strip_ethnic(division.name.removesuffix(suffix))
            return stem + short if len(stem) >= 2 else None
    return None


def short_name(division: Division) -> str | None:
    """Return a province or prefecture name without its suffix (吉林, 四平, 海北).

    Short forms serve as context only: they are too ambiguous to identify an organ's region.

    Args:
        division: any division.

    Returns:
        The short form (at least two characters), or ``None`` for counties.

    >>> short_name(get("220000")), short_name(get("632200")), short_name(get("150000"))
    ('吉林', '海北', '内蒙古')
    """
    if division.level == COUNTY:
        return None
    stem = division.name
    for suffix in ("特别行政区", "自治区", "自治州", "地区", "省", "市", "盟"):
        if stem.endswith(suffix):
            stem = _strip_ethnic(stem.removesuffix(suffix))
            break
    return stem if len(stem) >= 2 and stem != division.name else None


def _add(
    keys: dict[str, tuple[str, tuple[str, ...], int]],
    key: str,
    kind: str,
    codes: Iterable[str],
    head: int = 0,
) -> None:
    """Register ``key``; when kinds clash the stronger wins, equal kinds pool their codes."""
    codes = tuple(codes)
    old = keys.get(key)
    if old is None or _KIND_RANK[kind] < _KIND_RANK[old[0]]:
        keys[key] = (kind, codes, head)
    elif old[0] == kind:
        keys[key] = (kind, tuple(sorted(set(old[1]) | set(codes))), head)


# Bodies that govern a county-level division under another name: their reports are that
# division's (平潭综合实验区 administers 平潭县).
GOVERNING_BODIES = {"平潭综合实验区": "350128"}


# Characters OCR confuses in place names, seen in real reports (沭阳 read as 沐阳). A misread form
# is searchable only when it is not itself the name of a division.
_OCR_CONFUSIONS = {"沭": "沐"}


def ocr_variants(name: str) -> list[str]:
    """Return the OCR misreadings of a division name that name no division themselves."""
    variants = []
    for right, wrong in _OCR_CONFUSIONS.items():
        if right in name:
            variant = name.replace(right, wrong)
            if not any(d.name == variant for d in divisions().values()):
                variants.append(variant)
    return variants


@cache
def _keys() -> dict[str, tuple[str, tuple[str, ...], int]]:
    """Every searchable string → (kind, adcodes, length of the parent part for compounds)."""
    keys: dict[str, tuple[str, tuple[str, ...], int]] = {}
    for name, code in GOVERNING_BODIES.items():
        _add(keys, name, "alias", [code])
    for division in divisions().values():
        code = division.adcode
        if division.name not in _GENERIC:
            _add(keys, division.name, "name", [code])
        if (other := alias(division)) is not None:
            _add(keys, other, "alias", [code])
        for misread in ocr_variants(division.name):
            _add(keys, misread, "alias", [code])
        if (short := short_name(division)) is not None and short not in _SHORT_STOP:
            _add(keys, short, "short", [code])
        parent = division.prefecture if division.level == COUNTY else None
        parent = parent or (division.province if division.level == COUNTY else None)
        if parent is not None:
            # A county written after its parent is certain: 四平市铁东区 can only be 220303.
            _add(keys, parent + division.name, "compound", [code], len(parent))
    return keys


def _latin1(text: str) -> str:
    """Spell ``text`` as its UTF-8 bytes, one latin-1 character per byte.

    pyahocorasick looks up a node's children by linear search, and the root of a trie of
    Chinese names has ~1,500 children: on raw text a 7 KB report takes ~0.8 ms. In UTF-8 no node
    has more than 64 children, which makes the pass ~15 times faster. Lead and continuation
    bytes never coincide, so every match starts on a character boundary.
    """
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


@cache
def _automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, (kind, codes, head) in _keys().items():
        automaton.add_word(_latin1(key), (key, kind, codes, head, len(_latin1(key))))
    automaton.make_automaton()
    return automaton


def _split(start: int, key: str, codes: tuple[str, ...], head: int) -> list[Mention]:
    """Turn a compound match into the parent mention and the (now certain) county mention."""
    county = divisions()[codes[0]]
    parent_code = county.adcode[:4] + "00" if county.prefecture else county.adcode[:2] + "0000"
    return [
        Mention(start, start + head, key[:head], "name", (parent_code,)),
        Mention(start + head, start + len(key), key[head:], "qualified", codes),
    ]


def scan(text: str) -> list[Mention]:
    """Find the division names in ``text`` in one Aho-Corasick pass (longest match wins).

    Args:
        text: any text.

    Returns:
        Mentions in order of position; matches inside a longer match are dropped.

    >>> [(m.text, m.kind, m.start) for m in scan("海北州刚察县，吉林省四平市")]
    [('海北州', 'alias', 0), ('刚察县', 'name', 3), ('吉林省', 'name', 7), ('四平市', 'name', 10)]
    """
    data = text.encode("utf-8", "surrogatepass")
    found: list[Mention] = []
    byte_pos = char_pos = 0
    for last, (key, kind, codes, head, size) in _automaton().iter_long(data.decode("latin-1")):
        # Matches come in order, so byte offsets convert to character offsets incrementally.
        char_pos += len(data[byte_pos : last + 1 - size].decode("utf-8", "surrogatepass"))
        byte_pos = last + 1 - size
        if kind == "compound":
            found.extend(_split(char_pos, key, codes, head))
        else:
            found.append(Mention(char_pos, char_pos + len(key), key, kind, codes))
    return found
