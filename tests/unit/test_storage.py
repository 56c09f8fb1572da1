"""jobs/storage.py is the one place that builds a location: its layout agrees with dbt's, and no
other module of the project joins the parts of a table's or an output file's location itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
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


def test_a_location_is_a_local_path_or_an_object_store_uri_with_its_settings(tmp_path):
    store = storage.ObjectStoreConfig(endpoint_url="http://127.0.0.1:9000", region="eu-west-1")
    local = storage.location("data/lakehouse", store, base=tmp_path)
    assert storage.is_local(local) and local == tmp_path / "data" / "lakehouse"
    assert storage.location(f"file://{tmp_path}/x") == tmp_path / "x"

    lake = storage.location("s3a://bucket/prefix/", store)  # Hadoop's name is read as s3://
    assert storage.uri(lake) == "s3://bucket/prefix" and not storage.is_local(lake)
    table = storage.table_path(lake, ACCOUNTS)
    assert storage.uri(table) == "s3://bucket/prefix/silver/accounts"
    assert table.storage_options == lake.storage_options  # joins keep the store's settings
    assert storage.delta_storage_options(table) == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ALLOW_HTTP": "true", "AWS_REGION": "eu-west-1"}
    assert storage.delta_storage_options(local) is None
    assert storage.store_name(table) == "s3://bucket at http://127.0.0.1:9000"
    assert storage.uri(storage.like(lake, "s3://bucket/prefix/gold/marts/x")) == "s3://bucket/prefix/gold/marts/x"
    assert storage.like(lake, "s3://bucket/prefix/gold").storage_options == lake.storage_options


def test_each_engine_gets_the_store_in_its_own_terms():
    store = storage.ObjectStoreConfig(endpoint_url="http://127.0.0.1:9000")
    assert storage.sail_environment(store, environ={}) == {
        "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ALLOW_HTTP": "true"}
    assert storage.sail_environment(storage.ObjectStoreConfig(), environ={"AWS_REGION": "ap-south-1"}) == {
        "AWS_REGION": "ap-south-1"}  # AWS itself: the chain's region, no endpoint
    conf = storage.spark_conf(store)
    assert conf["spark.hadoop.fs.s3.impl"] == "org.apache.hadoop.fs.s3a.S3AFileSystem"
    assert conf["spark.hadoop.fs.s3a.endpoint"] == "http://127.0.0.1:9000"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    assert "spark.hadoop.fs.s3a.endpoint" not in storage.spark_conf(storage.ObjectStoreConfig())
    assert not any("secret" in key or "access.key" in key for key in conf)  # credentials: the chain's


def test_listing_a_local_tree_gives_paths_sizes_and_exact_modification_times(tmp_path):
    (tmp_path / "events" / "date=2024-01-01").mkdir(parents=True)
    file = tmp_path / "events" / "date=2024-01-01" / "a.json"
    file.write_bytes(b"{}\n")
    entries = storage.list_files(tmp_path, "events")
    assert entries == [storage.FileEntry("events/date=2024-01-01/a.json", 3, file.stat().st_mtime_ns)]
    assert storage.list_files(tmp_path, "accounts") == []


def test_a_whole_write_is_readable_by_others_and_a_failed_one_leaves_the_previous_file(tmp_path, monkeypatch):
    """report.json, gates/latest.json and the kept publications are written this way: a web server
    running as another user must be able to read them, and a crash mid-write must not leave half
    a file or a stray temporary beside it."""
    import os

    target = tmp_path / "out" / "report.json"
    previous_umask = os.umask(0o022)
    try:
        storage.write_whole(target, b'{"n": 1}')
    finally:
        os.umask(previous_umask)
    assert target.read_bytes() == b'{"n": 1}' and target.stat().st_mode & 0o777 == 0o644

    def crash(*_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        storage.write_whole(target, b'{"n": 2}')
    assert target.read_bytes() == b'{"n": 1}' and [p.name for p in target.parent.iterdir()] == ["report.json"]
