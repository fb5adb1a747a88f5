"""The single source of truth: tables, rows, columns, labels and identities of both templates.

Every other module takes keys, official labels, label variants and identities from here. The
labels are the literal strings of the State Council templates (国办公开办函〔2019〕60号 and
〔2021〕30号); ``match`` lists the distinctive fragments that identify a printed label after
normalisation (see :func:`normalize_label`).

>>> APPLICATIONS.row("granted").label
'（一）予以公开'
>>> [c.key for c in APPEALS.cols][:2]
['upheld', 'corrected']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

TEMPLATES = ("2019", "2021")
BOTH = frozenset(TEMPLATES)
ONLY_2019 = frozenset({"2019"})
ONLY_2021 = frozenset({"2021"})


@dataclass(frozen=True)
class RowSpec:
    """One template row: a stable key, its official label and the fragments that identify it."""

    key: str
    label: str
    match: tuple[str, ...]
    templates: frozenset[str] = BOTH


@dataclass(frozen=True)
class ColSpec:
    """One template column."""

    key: str
    label: str
    templates: frozenset[str] = BOTH
    signed: bool = False
    decimal: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A template table: its rows, its columns, and which columns each row has per template."""

    key: str
    label: str
    rows: tuple[RowSpec, ...]
    cols: tuple[ColSpec, ...]
    row_cols: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def row(self, key: str) -> RowSpec:
        """Return the row spec with this key."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(f"table {self.key!r} has no row {key!r}; rows: {[r.key for r in self.rows]}")

    def col(self, key: str) -> ColSpec:
        """Return the column spec with this key."""
        for col in self.cols:
            if col.key == key:
                return col
        raise KeyError(f"table {self.key!r} has no column {key!r}")

    @cached_property
    def col_by_key(self) -> dict[str, ColSpec]:
        """Column specs by key, for lookups in the parsing loop."""
        return {c.key: c for c in self.cols}

    def rows_for(self, template: str) -> tuple[RowSpec, ...]:
        """Rows that the given template prints, in template order."""
        return tuple(r for r in self.rows if template in r.templates)

    def cols_of(self, row_key: str, template: str) -> tuple[str, ...]:
        """Column keys that ``row_key`` has in ``template`` (all columns unless declared)."""
        per_template = self.row_cols.get(row_key)
        if per_template is None:
            return tuple(c.key for c in self.cols if template in c.templates)
        return per_template.get(template, ())


# (key, label, match) or (key, label, match, templates): RowSpec's fields in order.
_RowArgs = tuple[str, str, tuple[str, ...]] | tuple[str, str, tuple[str, ...], frozenset[str]]


def _rows(*specs: _RowArgs) -> tuple[RowSpec, ...]:
    return tuple(RowSpec(*spec) for spec in specs)


# 表三. The group headings (三)(四)(五) carry no numbers; （六）其他处理 carries numbers only where
# it is printed as one row (2019 template, some 2021 reports): that row is ``other_total``.
APPLICATIONS = TableSpec(
    key="applications",
    label="表三 收到和处理政府信息公开申请情况",
    rows=_rows(
        ("new_received", "一、本年新收政府信息公开申请数量", ("本年新收",)),
        ("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",)),
        ("granted", "（一）予以公开", ("予以公开",)),
        (
            "partially_granted",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            ("部分公开",),
        ),
        ("withheld_state_secret", "1.属于国家秘密", ("国家秘密",)),
        ("withheld_law_prohibited", "2.其他法律行政法规禁止公开", ("行政法规禁止公开",)),
        ("withheld_three_safeties", "3.危及“三安全一稳定”", ("三安全一稳定",)),
        ("withheld_third_party", "4.保护第三方合法权益", ("第三方合法权益",)),
        ("withheld_internal_affairs", "5.属于三类内部事务信息", ("内部事务",)),
        ("withheld_process_info", "6.属于四类过程性信息", ("过程性信息",)),
        ("withheld_enforcement_file", "7.属于行政执法案卷", ("行政执法案卷",)),
        ("withheld_admin_query", "8.属于行政查询事项", ("行政查询事项",)),
        ("unable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",)),
        ("unable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作",)),
        ("unable_unclear", "3.补正后申请内容仍不明确", ("仍不明确",)),
        ("not_processed_complaint", "1.信访举报投诉类申请", ("信访举报投诉",)),
        ("not_processed_duplicate", "2.重复申请", ("重复申请",)),
        ("not_processed_publication", "3.要求提供公开出版物", ("公开出版物",)),
        ("not_processed_excessive", "4.无正当理由大量反复申请", ("大量反复申请",)),
        (
            "not_processed_confirmation",
            "5.要求行政机关确认或重新出具已获取信息",
            ("确认或重新出具",),
        ),
        (
            "other_no_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ("逾期不补正",),
            ONLY_2021,
        ),
        (
            "other_no_fee",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ("缴纳费用",),
            ONLY_2021,
        ),
        ("other_other", "3.其他", ("=3.其他",), ONLY_2021),
        ("other_total", "（六）其他处理", ("=(六)其他处理",), ONLY_2019),
        ("total_processed", "（七）总计", ("=(七)总计",)),
        ("carried_forward", "四、结转下年度继续办理", ("结转下年度",)),
    ),
    cols=(
        ColSpec("natural_person", "自然人"),
        ColSpec("commercial", "商业企业"),
        ColSpec("research", "科研机构"),
        ColSpec("social_welfare", "社会公益组织"),
        ColSpec("legal_services", "法律服务机构"),
        ColSpec("other_org", "其他"),
        ColSpec("total", "总计"),
    ),
)

# Row headings inside 表三 that carry no numbers of their own.
APPLICATION_GROUPS = (
    "三、本年度办理结果",
    "（三）不予公开",
    "（四）无法提供",
    "（五）不予处理",
    "（六）其他处理",
)
OTHER_SUB_ROWS = ("other_no_correction", "other_no_fee", "other_other")

_REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")
APPEALS = TableSpec(
    key="appeals",
    label="表四 政府信息公开行政复议、行政诉讼情况",
    rows=_rows(
        ("review", "行政复议", ("行政复议",)),
        ("litigation_direct", "行政诉讼 未经复议直接起诉", ("未经复议直接起诉",)),
        ("litigation_after_review", "行政诉讼 复议后起诉", ("复议后起诉",)),
    ),
    cols=(
        ColSpec("upheld", "结果维持"),
        ColSpec("corrected", "结果纠正"),
        ColSpec("other", "其他结果"),
        ColSpec("pending", "尚未审结"),
        ColSpec("total", "总计"),
    ),
)

_2021_ONLY_DECISIONS = {
    "2021": ("decisions",),
    "2019": ("previous_year_items", "change", "decisions"),
}
ACTIVE = TableSpec(
    key="active",
    label="表二 主动公开政府信息情况",
    rows=_rows(
        ("rules", "规章", ("=规章",)),
        ("normative_documents", "行政规范性文件", ("=行政规范性文件", "=规范性文件")),
        ("licensing", "行政许可", ("=行政许可",)),
        ("other_services", "其他对外管理服务事项", ("其他对外管理服务事项",), ONLY_2019),
        ("penalty", "行政处罚", ("=行政处罚",)),
        ("coercion", "行政强制", ("=行政强制",)),
        ("fees", "行政事业性收费", ("=行政事业性收费",)),
        ("procurement", "政府集中采购", ("=政府集中采购",), ONLY_2019),
    ),
    cols=(
        ColSpec("issued", "本年制发件数", ONLY_2021),
        ColSpec("repealed", "本年废止件数", ONLY_2021),
        ColSpec("in_force", "现行有效件数", ONLY_2021),
        ColSpec("made", "本年新制作数量", ONLY_2019),
        ColSpec("published", "本年新公开数量", ONLY_2019),
        ColSpec("total_published", "对外公开总数量", ONLY_2019),
        ColSpec("previous_year_items", "上一年项目数量", ONLY_2019),
        ColSpec("change", "本年增/减", ONLY_2019, signed=True),
        ColSpec("decisions", "本年处理决定数量", BOTH),
        ColSpec("amount_10k_yuan", "本年收费金额（单位：万元）", ONLY_2021, decimal=True),
        ColSpec("items", "采购项目数量", ONLY_2019),
        ColSpec("amount", "采购总金额", ONLY_2019, decimal=True),
    ),
    row_cols={
        "rules": {
            "2021": ("issued", "repealed", "in_force"),
            "2019": ("made", "published", "total_published"),
        },
        "normative_documents": {
            "2021": ("issued", "repealed", "in_force"),
            "2019": ("made", "published", "total_published"),
        },
        "licensing": _2021_ONLY_DECISIONS,
        "other_services": {"2019": ("previous_year_items", "change", "decisions")},
        "penalty": _2021_ONLY_DECISIONS,
        "coercion": _2021_ONLY_DECISIONS,
        "fees": {"2021": ("amount_10k_yuan",), "2019": ("previous_year_items", "change")},
        "procurement": {"2019": ("items", "amount")},
    },
)

TABLES: dict[str, TableSpec] = {t.key: t for t in (ACTIVE, APPLICATIONS, APPEALS)}
TABLE_ORDER = tuple(TABLES)

# Header labels that only one template prints; they decide the template of a report.
TEMPLATE_MARKERS: dict[str, tuple[str, ...]] = {
    "2021": (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年收费金额",
        "逾期不补正",
        "缴纳费用",
    ),
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "其他对外管理服务事项",
        "政府集中采购",
    ),
}

# Cell statuses. ``ok`` is a clean number read as printed; every other status says why a value
# is missing or may differ from the report. Three statuses carry a value rebuilt by the template
# solver (:mod:`govreports.solver`), the one way the template's widths and identities allow:
# ``split`` (digits printed without separators), ``expanded`` (a value printed once for a run of
# equal cells, as crawlers that collapse identical lines print them) and ``joined`` (a number
# broken over two lines). ``ambiguous``: several readings (or too many) fit, value left missing,
# the candidates in ``raw``; ``engine_disagreement``: two PDF table engines read different text.
# ``footnote``: a number followed by a footnote mark (``1772¹``, ``27780①``, a superscript run),
# read without the mark. ``too_large``: a count beyond 2**53, which a float cannot hold exactly,
# left missing with its digits in ``raw``. ``merged_cell``: one printed value spanning several
# cells (rowspan/colspan), which the template counts separately. ``duplicated``: a table printed
# twice in one report with different numbers in this cell.
STATUSES = (
    "ok",
    "blank",
    "slash",
    "dash",
    "zero_word",
    "na_text",
    "text",
    "thousands_sep",
    "unit_in_cell",
    "negative",
    "not_integer",
    "missing_cell",
    "surplus_cells",
    "row_missing",
    "table_missing",
    "inferred",
    "split",
    "expanded",
    "joined",
    "ambiguous",
    "engine_disagreement",
    "footnote",
    "too_large",
    "merged_cell",
    "duplicated",
)

# Statuses whose value is the report's number, read as printed or rebuilt the one way the
# template allows: what an analysis takes as read.
DECIDED_STATUSES = (
    "ok",
    "zero_word",
    "thousands_sep",
    "unit_in_cell",
    "split",
    "expanded",
    "joined",
    "footnote",
)
# Statuses of cells read as printed that hold no number: the report left them empty.
PLACEHOLDER_STATUSES = ("blank", "slash", "dash", "na_text")


def template_cells(template: str) -> int:
    """Return how many cells the template's three tables have (2019: 198, 2021: 200; else 0).

    >>> template_cells("2021"), template_cells("none")
    (200, 0)
    """
    if template not in TEMPLATES:
        return 0
    return sum(len(t.cols_of(r.key, template)) for t in TABLES.values() for r in t.rows_for(template))


CELL_COLUMNS = (
    "report_id",
    "table",
    "row_key",
    "col_key",
    "value",
    "status",
    "raw",
    "row_label",
    "col_label",
    "source_ref",
    "in_failed_check",
)

_FULLWIDTH_FIXES = str.maketrans({"“": "", "”": "", '"': "", "＂": "", "、": ".", "．": ".", "。": "."})
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def normalize_label(text: str) -> str:
    """Fold a printed label to the form that ``RowSpec.match`` fragments are written in.

    NFKC turns full-width brackets and digits to ASCII; whitespace, quotes and the variants of
    the item separator (1、 1． 1.) are unified.

    >>> normalize_label("（六） 其他处理")
    '(六)其他处理'
    >>> normalize_label("3、危及“三安全一稳定”")
    '3.危及三安全一稳定'
    """
    folded = unicodedata.normalize("NFKC", text).translate(_FULLWIDTH_FIXES)
    return _SPACES.sub("", folded)


def _fragment_matches(fragment: str, label: str) -> bool:
    if fragment.startswith("="):
        target = fragment[1:]
        # An exact label may still carry a leading section number: "(七)总计" / "七、总计".
        return label == target or label.endswith(target) and len(label) - len(target) <= 1
    return fragment in label


def match_row(table: TableSpec, label: str) -> str | None:
    """Return the key of the row whose fragments match a normalised label, or None.

    >>> match_row(APPLICATIONS, normalize_label("1.申请人无正当理由逾期不补正、行政机关不再处理其"))
    'other_no_correction'
    >>> match_row(APPLICATIONS, "总计") is None
    True
    """
    return _match_row(table.key, label)


@lru_cache(maxsize=8192)
def _match_row(table_key: str, label: str) -> str | None:
    for row in TABLES[table_key].rows:
        if any(_fragment_matches(f, label) for f in row.match):
            return row.key
    return None


GROUP_LABELS = frozenset(normalize_label(g) for g in APPLICATION_GROUPS)


@dataclass(frozen=True)
class Identity:
    """An accounting identity: the sum of ``lhs`` cells equals the sum of ``rhs`` cells."""

    check_id: str
    kind: str  # "official" (printed in the template) or "implied" (follows from a label)
    table: str
    scope: str  # the column or row the identity runs along
    lhs: tuple[tuple[str, str], ...]
    rhs: tuple[tuple[str, str], ...]

    @cached_property
    def formula(self) -> str:
        """Readable form, e.g. ``new_received + carried_over = total_processed + carried_forward``."""

        def side(terms: tuple[tuple[str, str], ...]) -> str:
            return " + ".join(r if r != self.scope else c for r, c in terms)

        return f"{side(self.lhs)} = {side(self.rhs)}"


_OUTCOME_PREFIXES = (
    "granted",
    "partially_granted",
    "withheld_",
    "unable_",
    "not_processed_",
    "other_",
)


@lru_cache(maxsize=64)
def identities(application_rows: tuple[str, ...]) -> tuple[Identity, ...]:
    """All identities of domain.md §2 for a report whose 表三 prints ``application_rows``.

    >>> ids = identities(tuple(r.key for r in APPLICATIONS.rows_for("2021")))
    >>> len(ids), ids[0].formula
    (42, 'new_received + carried_over = total_processed + carried_forward')
    """
    outcomes = tuple(r for r in application_rows if r.startswith(_OUTCOME_PREFIXES))
    parts = tuple(c.key for c in APPLICATIONS.cols if c.key != "total")
    found: list[Identity] = []
    for col in (c.key for c in APPLICATIONS.cols):
        found.append(Identity("T3.FLOW", "official", "applications", col,
                              (("new_received", col), ("carried_over", col)),
                              (("total_processed", col), ("carried_forward", col))))  # fmt: skip
        found.append(Identity("T3.SUM_ROWS", "implied", "applications", col,
                              (("total_processed", col),), tuple((r, col) for r in outcomes)))  # fmt: skip
    for row in application_rows:
        found.append(Identity("T3.SUM_COLS", "implied", "applications", row,
                              ((row, "total"),), tuple((row, c) for c in parts)))  # fmt: skip
    for row in (r.key for r in APPEALS.rows):
        resolved = tuple((row, c) for c in ("upheld", "corrected", "other", "pending"))
        found.append(Identity("T4.SUM", "implied", "appeals", row, ((row, "total"),), resolved))
    return tuple(found)
