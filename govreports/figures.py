"""Headline numbers stated in the prose of a report (一、总体情况 and the like).

The prose restates a few figures — the proactive-disclosure total, per-channel counts, new
applications, reviews and lawsuits — and sometimes contradicts the tables (domain check TXT.*).
These figures are kept beside their source sentence so they can be *compared* with the tables;
they never override a table cell.

One pass of one precompiled regex finds headings, counts (number + unit) and negations
(未收到…, 无新收…); each hit is classified from the text just before it, in the same sentence.

>>> [f.value for f in extract_figures("主动公开政府信息3264条，其中通过网站发布信息655条。")]
[3264.0, 655.0]
"""

from __future__ import annotations

import re
from typing import NamedTuple

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
    # A numbered heading at the start of a line sets the paragraph context.
    rf"^[ \t\u3000]*(?P<head>(?:[（(][{_CN}]{{1,3}}[）)]|[{_CN}]{{1,3}}、)[^。\n]{{0,30}})"
    # A count. 第N条 is an article number, not a count; the lookbehind also stops mid-number hits.
    rf"|(?P<count>(?P<pre>大约|近|约|逾|超过)?(?<![第{_D}.．,])"
    rf"(?P<num>[{_D}]+(?:,[{_D}]{{3}})*(?:[.．][{_D}]+)?)(?P<wan>万)?(?P<more>余|多)?"
    r"[ \u3000\xa0]*(?P<unit>条|件|宗|篇|个|起|次)(?!工作日|月|小时|天))"
    # Approximations written without digits (近千条, 数百条, 千余条) are never values.
    rf"|(?P<cn>(?:近|上|数|几|逾)[十百千万]{{1,2}}(?:余|多)?|[十百千万]{{1,2}}(?:余|多))"
    r"(?P<cnunit>条|件|篇)"
    r"|(?P<neg>(?:没有|暂无|尚未|未曾|未|无)"
    r"(?P<negverb>新收|收到|接到|接收|受理|发生|出现|产生|被|有|行政))",
    re.MULTILINE,
)
# The verb + object that ends the text before a count of published items.
_OBJ = r"(?:了)?(?:各类|各项|各种|相关)?(?:政府|政务)?"
_SUM = r"(?:数量为|共计|合计|总计|总共|累计|共|达|为)?[ \u3000\xa0]*\Z"
_TOTAL_CUE = re.compile(rf"(?:(?P<explicit>主动公开){_OBJ}(?:信息)?|(?:公开|发布){_OBJ}信息){_SUM}")
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
_OUTCOME = re.compile(r"维持|纠正|审结|其他结果|败诉|胜诉")
_CUMULATIVE = re.compile(r"截至目前|截止目前|至今|累计|历年")
_SENT_END = re.compile(r"[。；;！？!?\r\n]")
_CLAUSE_END = re.compile(r"[，,。；;！？!?\r\n]")
_SENT_DELIMS = "。；;！？!?\r"
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.", ",")
_KIND = {"门户网站": "网站", "微信公众号": "微信", "公众号": "微信", "微信号": "微信", "抖音号": "抖音"}
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

    >>> extract_figures("（一）主动公开情况。全年主动公开政府信息1,470条。")[0]
    Figure(figure='proactive_total', value=1470.0, unit='条', sentence='全年主动公开政府信息1,470条', note=None)
    >>> extract_figures("本年度未收到政府信息公开申请。")[1].figure
    'applications_received'
    """
    scan = _Scan(text)
    for m in _SCAN.finditer(text):
        scan.feed(m)
    return scan.finish()


def _fmt(value: float) -> str:
    """Print a count without a spurious ``.0``."""
    return str(int(value)) if value.is_integer() else str(value)


def _sentence_start(text: str, pos: int) -> int:
    """Index where the sentence holding ``pos`` starts (after 。；; or a line break)."""
    line = text.rfind("\n", 0, pos)
    return max(line, *(text.rfind(d, line + 1, pos) for d in _SENT_DELIMS)) + 1


def _channel(seg: str, end: int) -> re.Match[str] | None:
    """The channel that ``seg[:end]`` names as the medium of a count, if any.

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


def _value(m: re.Match[str]) -> float:
    """The number of a count hit, with 万 applied."""
    value = float(m["num"].translate(_FULLWIDTH))
    return round(value * 10_000, 4) if m["wan"] else value


def _appeal_keys(clause: str) -> tuple[str, ...]:
    """Which of reviews / lawsuits a count ending ``clause`` refers to."""
    if _OUTCOME.search(clause):  # 维持2件 etc. are outcomes, not the number of cases
        return ()
    review = clause.rfind("复议")
    lawsuit = max(clause.rfind("诉讼"), clause.rfind("起诉"))
    if review >= 0 and lawsuit >= 0 and clause.rstrip().endswith(("各", "均", "分别", "各为", "均为")):
        return ("reviews", "lawsuits")
    if max(review, lawsuit) < 0:
        return ()
    # 复议后起诉 is a lawsuit: the keyword nearest the number wins.
    return ("reviews",) if review > lawsuit else ("lawsuits",)


class _Scan:
    """State of one pass over a report: paragraph context and the figures found so far."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.proactive = False  # inside a paragraph headed 主动公开
        self.prev_end = 0  # end of the previous count, so each count sees only its own text
        self.rows: list[Figure] = []
        self.totals: list[Figure] = []
        self.approx: list[tuple[str, str]] = []  # (as printed, sentence)
        self.channels: set[tuple[str, float]] = set()

    def sentence(self, pos: int) -> str:
        """The whitespace-normalised sentence holding ``pos``."""
        start = _sentence_start(self.text, pos)
        end_match = _SENT_END.search(self.text, pos)
        end = end_match.start() if end_match else len(self.text)
        return " ".join(self.text[start:end].split())

    def feed(self, m: re.Match[str]) -> None:
        """Dispatch one scanner hit."""
        if m["head"] is not None:
            self.proactive = "主动公开" in m["head"]
        elif m["count"] is not None:
            self.on_count(m)
        elif m["cn"] is not None:
            self.on_cn_approx(m)
        else:
            self.on_negation(m)

    def segment(self, m: re.Match[str]) -> str:
        """Text before a count, back to the sentence start or the previous count."""
        start = max(_sentence_start(self.text, m.start()), self.prev_end)
        self.prev_end = m.end()
        return self.text[start : m.start()]

    def on_count(self, m: re.Match[str]) -> None:
        """Classify one number + unit from the text just before it."""
        seg = self.segment(m)
        unit = m["unit"]
        approx = bool(m["pre"] or m["more"]) or self.text.startswith(("以上", "左右"), m.end())
        if unit in _ITEM_UNITS and self.on_items(m, seg, approx):
            return
        if approx:
            return
        clause = seg[max(seg.rfind("，"), seg.rfind(",")) + 1 :]
        if unit in _APP_UNITS and _APP_CUE.search(clause) and "公开" in clause:
            if not _APP_EXCLUDE.search(clause):
                self.add("applications_received", _value(m), unit, m.start(), None)
                return
        if unit in _APPEAL_UNITS:
            for key in _appeal_keys(clause):
                self.add(key, _value(m), unit, m.start(), None)

    def on_items(self, m: re.Match[str], seg: str, approx: bool) -> bool:
        """Record a channel count or a proactive total; True if ``m`` was one."""
        cue = _CHANNEL_CUE.search(seg)
        if cue is None:
            return False
        channel = _channel(seg, cue.start())
        if channel is not None:
            if not approx:
                self.add_channel(m, channel, seg)
            return True
        total = _TOTAL_CUE.search(seg)
        # Bare 公开/发布…信息 is the total only inside the 主动公开 paragraph (seed 001).
        if total is None or not (total["explicit"] or self.proactive):
            return False
        if approx:
            self.approx.append(("".join(m.group(0).split()), self.sentence(m.start())))
        else:
            note = f"stated as {m.group(0).strip()}" if m["wan"] else None
            self.totals.append(self.figure("proactive_total", _value(m), m["unit"], m.start(), note))
        return True

    def add_channel(self, m: re.Match[str], channel: re.Match[str], seg: str) -> None:
        """Record a per-channel count once (003 states the website's 655 twice)."""
        value = _value(m)
        key = (_KIND.get(channel["kind"], channel["kind"]), value)
        if key in self.channels:
            return
        self.channels.add(key)
        note = channel.group(0)
        if _CUMULATIVE.search(seg):
            note += "; cumulative"
        self.add("proactive_channel", value, m["unit"], m.start(), note)

    def on_cn_approx(self, m: re.Match[str]) -> None:
        """近千条 and the like: keep only as a reason why no total is given."""
        seg = self.segment(m)
        total = _TOTAL_CUE.search(seg)
        if total and (total["explicit"] or self.proactive) and _channel(seg, total.start()) is None:
            self.approx.append((m.group(0), self.sentence(m.start())))

    def on_negation(self, m: re.Match[str]) -> None:
        """未收到…申请 → 0 applications; 未发生…行政复议、行政诉讼 → 0 reviews and lawsuits."""
        end = _CLAUSE_END.search(self.text, m.end())
        clause = self.text[m.end() : end.start() if end else len(self.text)]
        keys = []
        if "复议" in clause:
            keys.append("reviews")
        if "诉讼" in clause or "起诉" in clause:
            keys.append("lawsuits")
        if not keys and m["negverb"] in _RECEIVE and "申请" in clause and "公开" in clause:
            keys.append("applications_received")
        for key in keys:
            self.add(key, 0.0, None, m.start(), "stated as none")

    def figure(self, key: str, value: float, unit: str | None, pos: int, note: str | None) -> Figure:
        """Build a row with the sentence around ``pos``."""
        return Figure(key, value, unit, self.sentence(pos), note)

    def add(self, key: str, value: float, unit: str | None, pos: int, note: str | None) -> None:
        """Append a row in reading order."""
        self.rows.append(self.figure(key, value, unit, pos, note))

    def total_row(self) -> Figure:
        """The single proactive_total row: never a sum of channels, never an approximation."""
        values = list(dict.fromkeys(f.value for f in self.totals))
        if len(values) == 1:
            return self.totals[0]
        if values:
            listed = ", ".join(_fmt(v) for v in values if v is not None)
            sentences = " | ".join(dict.fromkeys(f.sentence for f in self.totals))
            return Figure("proactive_total", None, None, sentences, f"conflicting totals: {listed}")
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
        """The total first, then the other rows with repeats dropped and conflicts noted."""
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
