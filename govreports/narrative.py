"""Headline numbers stated in the prose of a report (一、总体情况 and the like).

The prose restates a few figures — the proactive-disclosure total, per-channel counts, new
applications, reviews and lawsuits — and sometimes contradicts the tables (domain check TXT.*).
These figures are kept beside their source sentence so they can be *compared* with the tables;
they never override a table cell.

One pass of one precompiled regex finds counts (number + unit), digit-less approximations
(近千条) and negations (未收到…, 无新收…). Each hit is classified from the text just before it in
its sentence (split on 。；; and line breaks); the paragraph heading is looked up only when a
count needs it. Table cells carry no unit, so the tables yield no hits.

>>> [f.value for f in extract_figures("主动公开政府信息3264条，其中通过网站发布信息655条。")]
[3264.0, 655.0]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from govreports.cells import LARGEST_EXACT

__all__ = ["Figure", "extract_figures"]


class Figure(NamedTuple):
    """One figure stated in the prose of a report.

    Attributes:
        figure: Stable key: ``proactive_total``, ``proactive_channel``,
            ``applications_received``, ``reviews`` or ``lawsuits``.
        value: The number, or None when not stated or not a single number.
        unit: The counting unit as printed (条, 件, 宗, 篇, 个, 起, 次); None for "none" wording.
        sentence: The source sentence, whitespace-normalised, as printed.
        note: Why ``value`` is None, or qualifiers (the channel name, "stated as none").
    """

    figure: str
    value: float | None
    unit: str | None
    sentence: str
    note: str | None


_D = "0-9０-９"
_CN = "一二三四五六七八九十"
_SCAN = re.compile(
    # Cheap gate first: positions that cannot start a hit are rejected without trying the branches.
    rf"(?=[{_D}没暂尚未无近上数几逾十百千万])(?:"
    # A count. 第N条 is an article number; the lookbehind also rejects hits starting mid-number.
    rf"(?<![{_D}.．,第])(?P<num>[{_D}]++(?:,[{_D}]{{3}})*+(?:[.．][{_D}]++)?+)(?P<wan>万)?"
    r"(?P<more>[余多])?[ \u3000\xa0]*+(?P<unit>[条件宗篇个起次])(?!工作日|月|小时|天)"
    # Approximations without digits (近千条, 数百条, 千余条) are never values.
    r"|(?P<cn>(?:[近上数几逾][十百千万]|[十百千万][余多])[余多]?[条件篇])"
    r"|(?P<neg>没有|暂无|尚未|未曾|未|无)"
    r"(?P<negverb>新收|收到|接到|接收|受理|发生|出现|产生|被|有|行政))"
)
# A character that every hit of _SCAN holds: its unit (count or approximation) or the first
# character of its negation word.
_HIT_CHARS = re.compile("[条件宗篇个起次没暂尚未无]")
# Headings are looked up only when a count needs its paragraph context (rare), not scanned for.
_HEAD = re.compile(rf"[ \t\u3000]*(?:[（(][{_CN}]{{1,3}}[）)]|[{_CN}]{{1,3}}[、.．]|总体情况)[^。\n]{{0,30}}")
_HEAD_LOOKBACK = 40  # lines; a paragraph's heading is never further up than this
_APPROX_BEFORE = ("近", "约", "逾", "超过", "超")
_APPROX_AFTER = ("以上", "左右")
_CUE_SPAN = 40  # the longest cue (主动公开了各类政府信息数量为) is far shorter
# The verb + object that ends the text before a count of published items.
_OBJ = r"(?:了)?(?:各类|各项|各种|相关)?(?:政府|政务)?"
_SUM = r"(?:数量为|共计|合计|总计|总共|累计|共|达|为)?[ \u3000\xa0]*\Z"
_TOTAL_CUE = re.compile(rf"(?:(?P<explicit>主动公开){_OBJ}(?:信息)?|(?:公开|发布|公布){_OBJ}信息){_SUM}")
_CHANNEL_CUE = re.compile(
    rf"(?:发布|公开|推送|更新|刊发|刊登|发送|推出|转载|上传){_OBJ}(?:信息|文章|稿件|内容|动态)?{_SUM}"
)
_CHANNEL = re.compile(
    r"(?:政府信息公开|政务公开|信息公开|政府|门户)?(?P<kind>门户网站|网站|网页|专栏|微信公众号|公众号"
    r"|微信号|微信|微博|抖音号|抖音|快手|头条号|视频号|新媒体|客户端|APP|公示栏|公开栏|宣传栏"
    r"|公告栏|政务号|报纸|报刊|电视台|电视|广播|电台)"
)
# "All channels" wording: 通过各类渠道 / 网站、微信等平台 name no single channel.
_ALL_CHANNELS = re.compile(r"(?:各类|各种|多种|各个|多个|各|等)(?:政务)?(?:渠道|平台|途径|载体|媒体|方式)")
_VIA = re.compile(r"通过|在|依托|利用|借助|经由")
_GAP_BREAK = re.compile(r"[，,、；：:]")
_APP_CUE = re.compile(r"(?:收到|接到|接收|新收|受理)[^，,]*?申请[^，,]*\Z")
_APP_EXCLUDE = re.compile(r"复议|诉讼|起诉|留言|咨询|信访|投诉|举报|许可|结转")
_OUTCOME = re.compile(r"维持|纠正|纠错|审结|其他结果|败诉|胜诉")
# A clause about items other organs published (督促县直部门…发布信息3044条) is not this organ's total.
_OTHER_ORGANS = re.compile(r"督促|指导|各(?:部门|单位|乡镇|街道)|[县市区]直|下属|所属")
_CUMULATIVE = re.compile(r"截至目前|截止目前|至今|累计|历年")
_SENT_END = re.compile(r"[。；;！？!?\r\n]")
_CLAUSE_END = re.compile(r"[，,。；;！？!?\r\n]")
_SENT_DELIMS = "。；;！？!?\r"
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.", ",")
# Channel spellings that name the same medium, so a count restated later is kept once.
_KIND = {"门户网站": "网站", "微信公众号": "微信", "公众号": "微信", "微信号": "微信"}
_ITEM_UNITS = frozenset("条件篇")
_APP_UNITS = frozenset("条件宗个")
_APPEAL_UNITS = frozenset("件起宗次个")
_RECEIVE = frozenset({"新收", "收到", "接到", "接收", "受理"})


def extract_figures(text: str) -> list[Figure]:
    """Extract the narrative figures of one report, in reading order.

    Exactly one ``proactive_total`` row comes first (value None with a note when no single
    total is stated); channel counts, applications, reviews and lawsuits follow as stated.

    Args:
        text: The full text of one report.

    Returns:
        The figures; ``proactive_total`` first, the rest in the order they appear.

    >>> total, = extract_figures("（一）主动公开情况。全年主动公开政府信息1,470条。")
    >>> total.figure, total.value, total.unit, total.sentence
    ('proactive_total', 1470.0, '条', '全年主动公开政府信息1,470条')
    >>> [(f.figure, f.value, f.note) for f in extract_figures("本年度未收到政府信息公开申请。")]
    [('proactive_total', None, 'not stated'), ('applications_received', 0.0, 'stated as none')]
    """
    scan = _Scan(text)
    for m in _hits(text):
        scan.feed(m)
    return scan.finish()


def _hits(text: str) -> Iterator[re.Match[str]]:
    """Find the scanner's hits in ``text`` as ``_SCAN.finditer(text)`` does, line by line.

    A hit never spans a line break and holds a unit or a negation word (:data:`_HIT_CHARS`), so
    lines without one (the tables' rows of numbers) are not scanned at all. The scanner still
    sees the text around each line: what precedes it, and the line break that ends it.
    """
    position, size = 0, len(text)
    while (found := _HIT_CHARS.search(text, position)) is not None:
        start = text.rfind("\n", position, found.start()) + 1
        end = text.find("\n", found.end())
        end = size if end < 0 else end + 1
        yield from _SCAN.finditer(text, max(start, position), end)
        position = end


def _fmt(value: float) -> str:
    """Print a count without a spurious ``.0``."""
    return str(int(value)) if value.is_integer() else str(value)


def _sentence_start(text: str, pos: int) -> int:
    """Return where the sentence holding ``pos`` starts (after 。；; or a line break)."""
    line = text.rfind("\n", 0, pos) + 1
    return max(line, *[text.rfind(d, line, pos) + 1 for d in _SENT_DELIMS])


def _in_breakdown(text: str, pos: int) -> bool:
    """Tell whether ``pos`` sits inside a breakdown of its sentence's total.

    Either bracketed ((其中…856条…)) or an enumeration after 其中 (共196条，其中发展规划3条、
    组织机构14条、…其他主动公开2条): an item of a list is never the total.
    """
    before = text[_sentence_start(text, pos) : pos]
    opened = max(before.rfind("（"), before.rfind("("))
    closed = max(before.rfind("）"), before.rfind(")"))
    if opened > closed and before[opened + 1 :].lstrip().startswith("其中"):
        return True
    listed = before.rfind("其中")
    return listed >= 0 and "、" in before[listed:]


def _under_proactive_heading(text: str, pos: int) -> bool:
    """Tell whether the paragraph holding ``pos`` is headed 主动公开 (e.g. （一）主动公开情况)."""
    end = pos
    for _ in range(_HEAD_LOOKBACK):
        start = text.rfind("\n", 0, end) + 1
        head = _HEAD.match(text, start)
        if head:
            return "主动公开" in head.group()
        if start == 0:
            return False
        end = start - 1
    return False


def _channel(seg: str, end: int) -> re.Match[str] | None:
    """Return the channel that ``seg[:end]`` names as the medium of a count, if any.

    A channel counts only when it is the medium: right before the verb (微信公众号发布…) or
    introduced by 通过/在/依托 in its clause. "以政府网站为第一平台，主动公开…" names no medium.
    """
    if _ALL_CHANNELS.search(seg):
        return None
    found = None
    for cm in _CHANNEL.finditer(seg, 0, end):
        gap = seg[cm.end() : end]
        clause = max(seg.rfind("，", 0, cm.start()), seg.rfind(",", 0, cm.start())) + 1
        if (len(gap) <= 4 and not _GAP_BREAK.search(gap)) or _VIA.search(seg, clause, cm.start()):
            found = cm
    return found


def _value(m: re.Match[str]) -> float | None:
    """Return the number of a count hit, with 万 applied; None beyond what a float holds exactly."""
    value = float(m["num"].translate(_FULLWIDTH))
    value = round(value * 10_000, 4) if m["wan"] else value
    return value if abs(value) < LARGEST_EXACT else None


def _hedge(seg: str, m: re.Match[str], text: str) -> tuple[str, str | None]:
    """Split a hedge word off ``seg``; return it and the approximate count as printed, if any.

    >>> text = "主动公开信息约3000条以上"
    >>> _hedge("主动公开信息约", _SCAN.search(text), text)
    ('主动公开信息', '约3000条以上')
    """
    printed = "".join(m.group().split())
    before = next((w for w in _APPROX_BEFORE if seg.endswith(w)), "")
    after = next((w for w in _APPROX_AFTER if text.startswith(w, m.end())), "")
    if not (before or after or m["more"]):
        return seg, None
    return seg[: len(seg) - len(before)], before + printed + after


def _appeal_keys(clause: str) -> tuple[str, ...]:
    """Return which of reviews / lawsuits a count ending ``clause`` refers to."""
    if _OUTCOME.search(clause):  # 维持2件 etc. are outcomes, not the number of cases
        return ()
    review = clause.rfind("复议")
    lawsuit = max(clause.rfind("诉讼"), clause.rfind("起诉"))
    both = clause.rstrip().endswith(("各", "均", "分别", "各为", "均为"))  # 复议、诉讼各1件
    if review >= 0 and lawsuit >= 0 and both:
        return ("reviews", "lawsuits")
    if max(review, lawsuit) < 0:
        return ()
    # 复议后起诉 is a lawsuit: the keyword nearest the number wins.
    return ("reviews",) if review > lawsuit else ("lawsuits",)


class _Scan:
    """State of one pass over a report: the figures found so far."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.prev_end = 0  # end of the previous count, so each count sees only its own text
        self.rows: list[Figure] = []
        self.totals: list[Figure] = []
        self.approx: list[tuple[str, str]] = []  # (as printed, sentence)
        self.channels: set[tuple[str, float | None]] = set()

    def sentence(self, pos: int) -> str:
        """Return the whitespace-normalised sentence holding ``pos``."""
        start = _sentence_start(self.text, pos)
        end_match = _SENT_END.search(self.text, pos)
        end = end_match.start() if end_match else len(self.text)
        return " ".join(self.text[start:end].split())

    def feed(self, m: re.Match[str]) -> None:
        """Dispatch one scanner hit."""
        if m["num"] is not None:
            self.on_count(m)
        elif m["cn"] is not None:
            self.on_cn_approx(m)
        else:
            self.on_negation(m)

    def segment(self, m: re.Match[str]) -> str:
        """Return the text before a count, back to the sentence start or the previous count."""
        start = max(_sentence_start(self.text, m.start()), self.prev_end)
        self.prev_end = m.end()
        return self.text[start : m.start()]

    def on_count(self, m: re.Match[str]) -> None:
        """Classify one number + unit from the text just before it."""
        seg, approx = _hedge(self.segment(m), m, self.text)
        unit = m["unit"]
        if unit in _ITEM_UNITS and self.on_items(m, seg, approx):
            return
        if approx:
            return
        clause = seg[max(seg.rfind("，"), seg.rfind(",")) + 1 :]
        if unit in _APP_UNITS and "公开" in clause and _APP_CUE.search(clause):
            if not _APP_EXCLUDE.search(clause):
                self.add("applications_received", _value(m), unit, m.start(), None)
                return
        if unit in _APPEAL_UNITS:
            for key in _appeal_keys(clause):
                self.add(key, _value(m), unit, m.start(), None)

    def total_cue(self, seg: str, pos: int) -> re.Match[str] | None:
        """Return the cue making ``seg`` introduce a proactive total, if it does."""
        cue = _TOTAL_CUE.search(seg, max(0, len(seg) - _CUE_SPAN))
        clause = _GAP_BREAK.split(seg)[-1]
        if cue is None or _OTHER_ORGANS.search(clause) or _in_breakdown(self.text, pos):
            return None
        # Bare 公开/发布…信息 is the total only inside the 主动公开 paragraph (seed 001).
        if cue["explicit"] or _under_proactive_heading(self.text, pos):
            return cue
        return None

    def on_items(self, m: re.Match[str], seg: str, approx: str | None) -> bool:
        """Record a channel count or a proactive total; True if ``m`` was one."""
        cue = _CHANNEL_CUE.search(seg, max(0, len(seg) - _CUE_SPAN))
        if cue is None:
            return False
        channel = _channel(seg, cue.start())
        if channel is not None:
            if not approx:  # 100余条 on a channel is not a count
                self.add_channel(m, channel, seg)
            return True
        if self.total_cue(seg, m.start()) is None:
            return False
        if approx:
            self.approx.append((approx, self.sentence(m.start())))
            return True
        value = _value(m)
        note = f"stated as {m.group().strip()}" if m["wan"] else None
        if value is None:
            note = "a count too large to hold exactly"
        row = Figure("proactive_total", value, m["unit"], self.sentence(m.start()), note)
        self.totals.append(row)
        return True

    def add_channel(self, m: re.Match[str], channel: re.Match[str], seg: str) -> None:
        """Record a per-channel count once (003 states the website's 655 twice)."""
        value = _value(m)
        key = (_KIND.get(channel["kind"], channel["kind"]), value)
        if key in self.channels:
            return
        self.channels.add(key)
        note = channel.group()
        if _CUMULATIVE.search(seg):
            note += "; cumulative"
        self.add("proactive_channel", value, m["unit"], m.start(), note)

    def on_cn_approx(self, m: re.Match[str]) -> None:
        """Keep 近千条 and the like only as the reason why no total is given."""
        seg = self.segment(m)
        cue = self.total_cue(seg, m.start())
        if cue and _channel(seg, cue.start()) is None:
            self.approx.append((m.group(), self.sentence(m.start())))

    def on_negation(self, m: re.Match[str]) -> None:
        """Read 未收到…申请 as 0 applications, 未发生…行政复议、行政诉讼 as 0 of each."""
        end = _CLAUSE_END.search(self.text, m.end())
        clause = self.text[m.end() : end.start() if end else len(self.text)]
        keys = []
        if _OUTCOME.search(clause):
            return  # 未发生…被行政复议纠错 denies an outcome, not the reviews themselves
        if "复议" in clause:
            keys.append("reviews")
        if "诉讼" in clause or "起诉" in clause:
            keys.append("lawsuits")
        if not keys and m["negverb"] in _RECEIVE and "申请" in clause and "公开" in clause:
            keys.append("applications_received")
        for key in keys:
            self.add(key, 0.0, None, m.start(), "stated as none")

    def add(self, key: str, value: float | None, unit: str | None, pos: int, note: str | None) -> None:
        """Append a row, with the sentence around ``pos``, in reading order."""
        if value is None:
            note = "; ".join(filter(None, (note, "a count too large to hold exactly")))
        self.rows.append(Figure(key, value, unit, self.sentence(pos), note))

    def total_row(self) -> Figure:
        """Build the one proactive_total row: never a sum of channels, never an approximation."""
        values = list(dict.fromkeys(f.value for f in self.totals))
        if len(values) == 1:
            return self.totals[0]
        if values:
            listed = ", ".join(_fmt(v) for v in values if v is not None)
            quoted = " | ".join(dict.fromkeys(f.sentence for f in self.totals))
            return Figure("proactive_total", None, None, quoted, f"conflicting totals: {listed}")
        channels = [f.sentence for f in self.rows if f.figure == "proactive_channel"]
        if self.approx:
            note = "only approximate figures stated: " + ", ".join(a for a, _ in self.approx)
            sentences = [s for _, s in self.approx]
        elif channels:
            note, sentences = "only per-channel counts stated", channels
        else:
            note, sentences = "not stated", []
        return Figure("proactive_total", None, None, " | ".join(dict.fromkeys(sentences)), note)

    def finish(self) -> list[Figure]:
        """Return the total first, then the other rows, repeats dropped and conflicts noted."""
        rows: list[Figure] = []
        seen: dict[str, list[float | None]] = {}
        for row in self.rows:
            values = seen.setdefault(row.figure, [])
            if row.figure == "proactive_channel" or row.value not in values:
                values.append(row.value)
                rows.append(row)
        for i, row in enumerate(rows):
            values = seen[row.figure]
            if row.figure != "proactive_channel" and len(values) > 1:
                listed = ", ".join(_fmt(v) for v in values if v is not None)
                note = "; ".join(filter(None, [row.note, f"conflicting statements: {listed}"]))
                rows[i] = row._replace(note=note)
        return [self.total_row(), *rows]
