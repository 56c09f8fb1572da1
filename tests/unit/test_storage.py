"""jobs/storage.py is the one place that builds a location: its layout agrees with dbt's, and no
other module of the project joins the parts of a table's or an output file's location itself."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from jobs import storage
from jobs.refine.tables import ACCOUNTS
from sodai.history import TABLE as PIPELINE_RUNS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sodai", "jobs", "expectations", "dashboards", "orchestration")
# Names that only a location is made of: seen in another module, that module builds a path.
LOCATION_PARTS = {"_delta_log", "report.json", "latest.json", "mlflow.db", "spark-warehouse", "_sodai.lock"}


def test_the_layout_of_the_lakehouse_and_the_output_folder(tmp_path):
    lakehouse, output = tmp_path / "lakehouse", tmp_path / "output"
    assert storage.table_path(lakehouse, ACCOUNTS) == lakehouse / "silver" / "accounts"
    assert storage.table_path(lakehouse, PIPELINE_RUNS) == lakehouse / "ops" / "pipeline_runs"
    assert storage.mart_path(lakehouse, "key_findings") == lakehouse / "gold" / "marts" / "key_findings"
    assert storage.report_path(output) == output / "report.json"
    assert storage.gates_state_path(output) == output / "gates" / "latest.json"
    assert storage.data_docs_dir(output).parent == storage.gx_project_root(output) / "gx"


def test_dbt_builds_its_tables_where_storage_says(tmp_path):
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())
    roots = []

    def walk(node):
        if isinstance(node, dict):
            if "+location_root" in node:
                roots.append((node["+schema"], node["+location_root"]))
            for value in node.values():
                walk(value)

    walk(project)
    assert {schema for schema, _ in roots} >= {"staging", "intermediate", "marts"}
    lakehouse = Path("/lakehouse")
    for schema, root in roots:
        rendered = root.replace(root[: root.index("}}") + 2], str(lakehouse))
        assert Path(rendered) / "t" == storage.dbt_table_path(lakehouse, schema, "t"), schema


def test_no_other_module_builds_a_location():
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "jobs" / "storage.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and node.value in LOCATION_PARTS:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert offenders == []
