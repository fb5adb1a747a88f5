import re
import tomllib

import yaml
from conftest import ROOT

import govreports as gr
from govreports.frames import REPORT_COLUMNS
from govreports.report import ReportMeta
from govreports.schema import STATUSES, TABLES, identities, match_row, normalize_label


def test_keys_are_unique_snake_case():
    for table in TABLES.values():
        keys = [r.key for r in table.rows] + [c.key for c in table.cols]
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys)
        assert len({r.key for r in table.rows}) == len(table.rows)
        assert len({c.key for c in table.cols}) == len(table.cols)


def test_every_official_label_matches_its_own_row():
    for table in TABLES.values():
        for row in table.rows:
            assert match_row(table, normalize_label(row.label)) == row.key, row.label


def test_declared_row_columns_exist():
    for table in TABLES.values():
        for per_template in table.row_cols.values():
            for cols in per_template.values():
                assert all(table.col(c) for c in cols)


def test_identities_reference_real_cells():
    rows = tuple(r.key for r in TABLES["applications"].rows_for("2021"))
    for identity in identities(rows):
        table = TABLES[identity.table]
        for row, col in identity.lhs + identity.rhs:
            assert table.row(row) and table.col(col)


def test_statuses_are_unique():
    assert len(set(STATUSES)) == len(STATUSES)


def _requirement(text: str) -> tuple[str, str]:
    """Return a requirement's name (without extras) and its version specifier."""
    name, _, rest = re.match(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?(.*)", text.strip()).groups()
    return name.lower(), rest.replace(" ", "")


def test_environment_yml_mirrors_pyproject_with_the_extras_and_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed = {}
    for dep in env["dependencies"]:
        for text in dep["pip"] if isinstance(dep, dict) else [dep]:
            if not text.startswith("-e"):
                listed.update([_requirement(text)])
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    own = [r for r in [*project["dependencies"], *extras] if not r.startswith("govreports")]
    required = dict(map(_requirement, own))
    assert listed.pop("python") == project["requires-python"]
    assert listed.pop("pip") == ""
    assert listed == required


def test_report_meta_has_the_keys_of_the_reports_frame_in_order():
    assert tuple(ReportMeta.__annotations__) == REPORT_COLUMNS
    meta = gr.read_report(ROOT / "data" / "raw" / "002_5bfe4ddd4becc1ae.txt").meta
    assert tuple(meta) == REPORT_COLUMNS
