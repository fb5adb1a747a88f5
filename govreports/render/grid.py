"""The printed rows of a generated report's three tables, shared by every renderer.

Each row is a list of cell strings, headings included, in the order the template prints them;
renderers only decide how rows and cells are laid out (text layouts, HTML, DOCX, PDF).

>>> from govreports.synthetic import generate_report
>>> report_rows(generate_report(1))[0]
['二、主动公开政府信息情况']
"""

from __future__ import annotations

from govreports.schema import ACTIVE, APPEALS, APPLICATIONS, TableSpec
from govreports.synthetic import SyntheticReport

GROUP_BEFORE = {
    "withheld_state_secret": "（三）不予公开",
    "unable_not_held": "（四）无法提供",
    "not_processed_complaint": "（五）不予处理",
    "other_no_correction": "（六）其他处理",
}


def report_prose(report: SyntheticReport) -> tuple[list[str], list[str]]:
    """Paragraphs printed before the tables (title, period, proactive total) and after them."""
    before = [
        f"{report.organ}{report.year}年政府信息公开工作年度报告",
        f"本报告中所列数据统计期限为{report.year}年1月1日至{report.year}年12月31日。",
        "一、总体情况",
        "（一）主动公开情况",
        f"全年主动公开政府信息{report.proactive_total}条。",
    ]
    after = ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    return before, after


def report_rows(report: SyntheticReport) -> list[list[str]]:
    """List the printed rows of the three tables, headings included, as lists of cell strings."""
    rows: list[list[str]] = [["二、主动公开政府信息情况"]]
    for heading, keys in _active_sections(report.template):
        rows.append([heading])
        rows.append(["信息内容", *(ACTIVE.col(c).label for c in ACTIVE.cols_of(keys[0], report.template))])
        rows.extend(_data_row(report, ACTIVE, key) for key in keys)
    rows.append(["三、收到和处理政府信息公开申请情况"])
    rows.append(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"])
    rows.append(["自然人", "法人或其他组织", "总计"])
    rows.append(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"])
    printed = dict.fromkeys(k[1] for k in report.cells if k[0] == "applications")
    for key in printed:
        prefix = ["三、本年度办理结果"] if key == "granted" else []
        prefix += [GROUP_BEFORE[key]] if key in GROUP_BEFORE else []
        rows.append(prefix + _data_row(report, APPLICATIONS, key))
    rows.append(["四、政府信息公开行政复议、行政诉讼情况"])
    rows.append(["行政复议", "行政诉讼"])
    rows.append(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"])
    rows.append(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)
    rows.append([report.cells[("appeals", r.key, c.key)][1] for r in APPEALS.rows for c in APPEALS.cols])
    return rows


def _active_sections(template: str) -> list[tuple[str, tuple[str, ...]]]:
    sections: list[tuple[str, tuple[str, ...]]] = [("第二十条第（一）项", ("rules", "normative_documents"))]
    sections.append(
        (
            "第二十条第（五）项",
            ("licensing", "other_services") if template == "2019" else ("licensing",),
        )
    )
    sections.append(("第二十条第（六）项", ("penalty", "coercion")))
    sections.append(("第二十条第（八）项", ("fees",)))
    if template == "2019":
        sections.append(("第二十条第（九）项", ("procurement",)))
    return sections


def _data_row(report: SyntheticReport, table: TableSpec, key: str) -> list[str]:
    cols = table.cols_of(key, report.template)
    label = table.row(key).label
    if table is ACTIVE and key == "normative_documents" and report.template == "2019":
        label = "规范性文件"
    return [label, *(report.cells[(table.key, key, col)][1] for col in cols)]
