"""The transform stage (dbt build): what a build does, reports and leaves, after ingest and refine.

On Sail: how the stage runs dbt does not depend on the engine, and on the JVM engine a build is
minutes of statement latency. That engine builds every mart with dbt's data tests in
tests/known_answers/test_engine_parity.py (the marts must equal Sail's), and on a cluster in
tests/object_store/test_pipeline_on_cluster.py. The module shares one `sodai run` and one
in-process transform between its tests.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from deltalake import DeltaTable

from jobs import storage
from jobs.lakehouse import Lakehouse
from jobs.refine.tables import ACCOUNTS
from sodai import pipeline
from sodai.config import PROJECT_ROOT, Settings
from sodai.dbt_build import TransformError, TransformReport
from sodai.gates.state import read_latest
from sodai.publish import validate_report
from sodai.report_catalog import catalog_from_manifest, read_manifest
from tests.conftest import settings_for
from tests.integration.conftest import SMALL_CUSTOMERS, run_cli

pytestmark = [pytest.mark.integration, pytest.mark.sail]

ENGINE = "sail"



def _rows(path: Path) -> int:
    return DeltaTable(str(path)).to_pyarrow_dataset().count_rows()


def _run_results(settings: Settings) -> dict:
    return json.loads((settings.output / "dbt" / "target" / "run_results.json").read_text())


@dataclass
class Transformed:
    settings: Settings
    cli_invocation_id: str
    report: TransformReport  # a second, selective build, in this process, on what `sodai run` built


@pytest.fixture(scope="module")
def transformed(small_landing, engines, tmp_path_factory) -> Transformed:
    """`sodai run` of the small landing, then a second, selective build in this process."""
    settings = settings_for(tmp_path_factory.mktemp("transformed"), ENGINE).with_overrides(
        paths={"landing": str(small_landing.root)})
    handle = engines.handle(ENGINE)
    assert run_cli(settings, "run", remote_url=handle.url) == 0
    cli_invocation_id = _run_results(settings)["metadata"]["invocation_id"]
    # one mart: its parents are found in the catalog although this process never built them
    report = pipeline.transform(settings, handle.session(), handle.url, select=["fig01_models_over_time"])
    return Transformed(settings, cli_invocation_id, report)


def test_run_builds_every_mart_and_publishes_the_report(transformed):
    settings = transformed.settings
    catalog = catalog_from_manifest(read_manifest(storage.dbt_target_dir(settings.output)))
    for entry in catalog.marts.values():
        assert (settings.lakehouse / "gold" / "marts" / entry.mart / "_delta_log").is_dir(), entry.mart
    for name in ("int_mlflow_customer_months", "int_tool_use_days", "int_usage_days"):
        assert _rows(settings.lakehouse / "gold" / "intermediate" / name) > 0, name
    assert any((settings.lakehouse / "gold" / "reference").iterdir())

    report = json.loads(pipeline.report_path(settings).read_text())
    validate_report(report)
    assert [k["id"] for k in report["key_findings"]] == [f"K{i}" for i in range(1, 11)]
    assert [f["id"] for f in report["figures"]] == [f"F{i}" for i in range(1, 12)]
    provenance = report["provenance"]
    assert provenance["dbt_invocation_id"] == transformed.cli_invocation_id
    assert provenance["pipeline_run_id"].startswith("pipeline-")
    assert provenance["generator"]["customers"] == SMALL_CUSTOMERS
    # the version recorded is the one the rows came from (the fixture has built gold again since)
    read = provenance["tables"]["marts.fig01_models_over_time"]
    at_version = DeltaTable(read["path"], version=read["version"]).to_pandas()
    assert len(at_version) == len(report["figures"][0]["rows"]) > 0


def test_second_build_passes_and_is_reported(transformed):
    report = transformed.report
    assert report.ok and report.failures == []
    assert {n.name for n in report.built} == {"fig01_models_over_time"}
    assert report.tests["pass"] > 0 and report.tests["fail"] == report.tests["error"] == 0
    assert all(n.status != "skipped" for n in report.nodes)
    assert uuid.UUID(report.invocation_id) and report.invocation_id != transformed.cli_invocation_id


def test_dbt_writes_under_the_output_folder_only(transformed):
    settings, report = transformed.settings, transformed.report
    assert report.target_path == settings.output / "dbt" / "target"
    results = _run_results(settings)
    assert results["metadata"]["invocation_id"] == report.invocation_id
    assert len(results["results"]) == len(report.nodes)
    assert (settings.output / "dbt" / "logs" / "dbt.log").is_file()
    in_source_tree = PROJECT_ROOT / "dbt_project" / "target" / "run_results.json"
    if in_source_tree.exists():
        assert report.invocation_id not in in_source_tree.read_text()


def test_run_generates_docs_beside_the_build_artifacts(transformed):
    docs = transformed.settings.output / "dbt" / "docs"
    assert (docs / "index.html").is_file()
    catalog = json.loads((docs / "catalog.json").read_text())
    assert "model.sodai.fig01_models_over_time" in catalog["nodes"]
    # docs generate writes its own run_results: the build's (the report's provenance) stay apart
    docs_invocation = json.loads((docs / "run_results.json").read_text())["metadata"]["invocation_id"]
    assert docs_invocation != transformed.cli_invocation_id


def test_docs_are_generated_again_only_for_another_project_or_vars(transformed, engines):
    """The run generated the docs; the same project and vars find them current, other vars do not."""
    settings, handle = transformed.settings, engines.handle(ENGINE)
    index = settings.output / "dbt" / "docs" / "index.html"
    written = index.stat().st_mtime_ns
    again = pipeline.docs(settings, handle.session(), handle.url)
    assert not again.generated and index.stat().st_mtime_ns == written
    other = settings.with_overrides(report={"suppression_min_customers": settings.report.suppression_min_customers + 1})
    assert pipeline.docs(other, handle.session(), handle.url).generated
    assert not pipeline.docs(other, handle.session(), handle.url).generated


def test_a_failing_test_stops_the_stage_and_names_the_test(transformed, engines, tmp_path):
    """On a copy of silver (and ops, dbt's other source) whose accounts name an industry the
    industries seed does not have (the silver gate checks silver's own rules; dbt checks it against
    its reference data); another lakehouse on the same engine, so the catalog names the first build
    declared must be re-pointed first."""
    from pyspark.sql import functions as F

    settings = settings_for(tmp_path, ENGINE).with_overrides(paths={"landing": str(transformed.settings.landing)})
    for layer in ("silver", "ops"):  # dbt's sources
        shutil.copytree(transformed.settings.lakehouse / layer, settings.lakehouse / layer)
    handle = engines.handle(ENGINE)
    spark = handle.session()
    accounts = Lakehouse(settings.lakehouse).location(ACCOUNTS)
    spark.read.format("delta").load(accounts).limit(1).withColumn("customer_key", F.lit("c-new")).withColumn(
        "industry", F.lit("Aerospace")).write.format("delta").mode("append").save(accounts)

    failing = "relationships_stg_silver__accounts_industry__industry__ref_industries_"
    with pytest.raises(TransformError, match=failing) as caught:
        pipeline.transform(settings, spark, handle.url, select=["stg_silver__accounts", "industries"])
    report = caught.value.report
    assert [n.name for n in report.failures] == [failing]
    # the failed build is the gold gate's verdict: publication stays blocked, naming the test
    state = read_latest(settings.output)
    assert state["publication_blocked"]
    failed = [g for g in state["gates"] if not g["success"]]
    assert [(g["suite"], g["failed"][0]["check"]) for g in failed] == [("gold.stg_silver__accounts", failing)]
    assert failed[0]["failed"][0]["summary"].startswith(
        "gold.stg_silver__accounts (column industry): the dbt test relationships")
    # the unknown industry exists only in this lakehouse's silver: the failing test read it, and
    # nothing outside the selection was built
    assert not (settings.lakehouse / "gold" / "marts").exists()


def test_a_repeated_key_fails_the_models_row_checks_and_names_the_key(transformed, engines, tmp_path):
    """A customer twice in silver's accounts: int_customer_industry then has two rows for one
    customer, and its key is checked in the same statement as its row-level rules."""
    settings = settings_for(tmp_path, ENGINE).with_overrides(paths={"landing": str(transformed.settings.landing)})
    shutil.copytree(transformed.settings.lakehouse, settings.lakehouse)
    handle = engines.handle(ENGINE)
    spark = handle.session()
    accounts = Lakehouse(settings.lakehouse).location(ACCOUNTS)
    spark.read.format("delta").load(accounts).limit(1).write.format("delta").mode("append").save(accounts)

    with pytest.raises(TransformError, match="int_customer_industry_row_checks") as caught:
        pipeline.transform(settings, spark, handle.url, select=["stg_silver__accounts", "int_customer_industry"])
    assert [n.name for n in caught.value.report.failures] == ["int_customer_industry_row_checks"]
    failed = [g for g in read_latest(settings.output)["gates"] if not g["success"]]
    assert [g["suite"] for g in failed] == ["gold.int_customer_industry"]
    assert "2 rows break 'unique (customer_key)'" in failed[0]["failed"][0]["summary"]


def test_with_the_gates_off_no_data_test_runs_and_the_next_build_with_them_tests_every_mart(transformed, engines, tmp_path):
    """dbt's data tests are the gold gate: off with the quality gates. A build without them is
    not the one a build with them may leave marts of: that one rebuilds and tests every mart."""
    settings = settings_for(tmp_path, ENGINE).with_overrides(paths={"landing": str(transformed.settings.landing)})
    shutil.copytree(transformed.settings.lakehouse, settings.lakehouse)
    handle = engines.handle(ENGINE)
    spark = handle.session()

    without = pipeline.transform(settings.with_overrides(quality={"enabled": False}), spark, handle.url)
    assert without.built and not without.tests
    assert not [n for n in without.nodes if n.resource_type == "test"]

    tested = pipeline.transform(settings, spark, handle.url)
    assert tested.marts.left == [] and "changed since the last build" in tested.marts.reason
    assert tested.tests["pass"] > 0
