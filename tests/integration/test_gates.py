"""The quality gates on Sail: one `sodai run` with its gates, then a silver table broken on
purpose: its gate fails naming the suite and expectation, and nothing is published."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from deltalake import DeltaTable
from typer.testing import CliRunner

from expectations.common import OFFENDING_ROWS
from jobs.refine.tables import EVENT_TABLES
from sodai import pipeline
from sodai.config import Settings
from sodai.gates import gx_context
from sodai.gates.state import read_latest
from tests.conftest import settings_for
from tests.integration.conftest import run_cli

pytestmark = [pytest.mark.integration, pytest.mark.sail]

SERVING = EVENT_TABLES["serving.usage"]


@dataclass
class Gated:
    settings: Settings
    url: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def gated(small_landing, engines, tmp_path_factory) -> Gated:
    """The small landing through `sodai run` (gates included) on Sail, once for the module."""
    handle = engines.handle("sail")
    settings = settings_for(tmp_path_factory.mktemp("gated"), "sail").with_overrides(
        paths={"landing": str(small_landing.root)})
    assert run_cli(settings, "run", remote_url=handle.url) == 0
    env = {"SODAI__PATHS__LANDING": str(settings.landing), "SODAI__PATHS__LAKEHOUSE": str(settings.lakehouse),
           "SODAI__PATHS__OUTPUT": str(settings.output), "SODAI__ENGINE__KIND": "remote",
           "SODAI__ENGINE__REMOTE_URL": handle.url}
    return Gated(settings, handle.url, env)


def test_a_passing_run_records_every_gate_and_writes_data_docs(gated):
    settings = gated.settings
    state = read_latest(settings.output)
    assert state["run_id"].startswith("pipeline-") and not state["publication_blocked"]
    index = settings.output / "gx" / "data_docs" / "index.html"
    assert state["data_docs"] == str(index) and index.is_file()
    html = index.read_text()
    assert "silver.serving_usage" in html  # gold is checked by dbt's tests: its verdict, not GE suites
    assert {g["suite"] for g in state["gates"] if g["layer"] == "gold"} >= {"gold.key_findings", "gold.fig01_models_over_time"}
    layers = {g["layer"] for g in state["gates"]}
    assert layers == {"bronze", "silver", "gold"}
    assert all(g["success"] and g["evaluated"] > 0 and not g["failed"] for g in state["gates"])
    assert len([g for g in state["gates"] if g["layer"] == "silver"]) == len(EVENT_TABLES) + 1
    # the warning is recorded exactly when the telemetry's unclassified library share exceeds the threshold
    unclassified = DeltaTable(str(settings.lakehouse / "gold" / "marts" / "unclassified_libraries")).to_pandas()
    share = unclassified.loc[unclassified.source_type == "library", "share_of_source_events"].sum()
    gate = next(g for g in state["gates"] if g["suite"] == "gold.unclassified_libraries")
    assert bool(gate["warnings"]) == (share > settings.quality.warn.unclassified_library_share)
    assert pipeline.report_path(settings).is_file()


def test_a_broken_silver_table_fails_its_gate_and_blocks_publishing(gated, engines):
    settings = gated.settings
    report = pipeline.report_path(settings)
    published = report.read_bytes()
    spark = engines.handle("sail").session()
    from pyspark.sql import functions as F

    location = str(settings.lakehouse / SERVING.schema / SERVING.name)
    rows = spark.read.format("delta").load(location)
    broken = rows.withColumn("usage_hours", -F.col("usage_hours") - F.lit(1.0)).withColumn(
        "customer_key", F.when(F.col("source_line") % 2 == 0, F.lit(None).cast("string")).otherwise(F.col("customer_key")))
    staging = str(settings.lakehouse / "broken_serving_usage")  # a table cannot overwrite itself while read
    broken.write.format("delta").mode("overwrite").save(staging)
    spark.read.format("delta").load(staging).write.format("delta").mode("overwrite").partitionBy(
        "event_month").save(location)

    runner = CliRunner()
    result = runner.invoke(__import__("orchestration.cli", fromlist=["app"]).app, ["gate", "silver"], env=gated.env)
    assert result.exit_code == 1, result.output
    assert "silver.serving_usage" in result.output
    assert "expect_column_values_to_be_between (column usage_hours)" in result.output
    assert "expect_column_values_to_not_be_null (column customer_key)" in result.output
    state = read_latest(settings.output)
    assert state["publication_blocked"]
    failed = [g for g in state["gates"] if not g["success"]]
    assert [g["suite"] for g in failed] == ["silver.serving_usage"]
    assert {f["column"] for f in failed[0]["failed"]} >= {"usage_hours", "customer_key"}
    # the failed suite was validated again with sample values, stored in place of its screening
    negative = next(f for f in failed[0]["failed"] if f["column"] == "usage_hours")
    assert re.search(r"\d+ unexpected of \d+ rows, e\.g\. \[-", negative["details"]), negative["details"]
    stored = [key for key in gx_context(settings).validation_results_store.list_keys()
              if key.expectation_suite_identifier.name == "silver.serving_usage"
              and key.run_id.run_name == (state["run_id"] or "gate.silver")]
    assert len(stored) == 1, stored

    from orchestration.cli import app

    refused = runner.invoke(app, ["publish"], env=gated.env)
    assert refused.exit_code == 1 and "silver.serving_usage" in refused.output
    rerun = runner.invoke(app, ["run"], env=gated.env)
    assert rerun.exit_code == 1 and "silver gate failed" in rerun.output
    assert "Gate gold" not in rerun.output  # the stages after the failed gate did not run
    assert report.read_bytes() == published
    assert json.loads(report.read_text())["provenance"]["pipeline_run_id"] != read_latest(settings.output)["run_id"]


def test_a_scheduled_gate_validates_the_new_batch_against_the_rest(gated, engines, tmp_path):
    """After `sodai run` passed every batch, a scheduled run's bronze gate validates the next batch
    alone (sodai/gates/scope.py) and still finds what it breaks across batches: here an event id
    the earlier batches accepted, accepted again, and an unknown event type."""
    import shutil

    from pyspark.sql import functions as F

    from jobs.ingest import tables as T
    from sodai.gates import GateFailed

    lakehouse = tmp_path / "lakehouse"
    shutil.copytree(gated.settings.lakehouse, lakehouse)  # the module's lakehouse stays as it is
    settings = gated.settings.with_overrides(paths={"lakehouse": str(lakehouse), "output": str(tmp_path / "output")})
    spark = engines.handle("sail").session()
    bronze = str(lakehouse / T.BRONZE_EVENTS.schema / T.BRONZE_EVENTS.name)
    run_id = "ingest-20990101T000000000000Z-000000"
    earlier = spark.read.format("delta").load(bronze).where("status = 'accepted'").orderBy("event_id").limit(2)
    batch = earlier.withColumn("ingest_run_id", F.lit(run_id)).withColumn(
        "line_number", F.col("line_number") + F.lit(10**9)).withColumn(  # new lines of the same files
        "event_type", F.when(F.col("event_id") == F.lit(earlier.first().event_id), F.lit("bogus")).otherwise(F.col("event_type")))
    batch.write.format("delta").mode("append").save(bronze)
    spark.createDataFrame([(run_id, "committed", 1, 2, datetime.now(timezone.utc))], T.INGEST_RUNS.columns).write.format(
        "delta").mode("append").save(str(lakehouse / T.INGEST_RUNS.schema / T.INGEST_RUNS.name))

    with pytest.raises(GateFailed) as failure:
        pipeline.gate(settings, spark, "bronze", new_batches_only=True)
    report = failure.value.report
    assert report.scopes["bronze.events"] == "1 new batch"
    assert report.scopes["bronze.events"] and "bronze.accounts" not in report.scopes
    [events] = [r for r in report.results if r.suite == "bronze.events"]
    findings = {(f.expectation, f.column): f.details for f in events.failed}
    # validated: the two rows of the new batch, not the table
    assert "1 unexpected of 2 rows" in findings[("expect_column_values_to_be_in_set", "event_type")]
    across = [d for (kind, _), d in findings.items() if kind == OFFENDING_ROWS
              and "not accepted in an earlier batch" in d]
    assert across and "earlier_ingest_run_id" in across[0], findings
    assert [r.suite for r in report.results if not r.success] == ["bronze.events"]

    # the whole-table gate finds the repeated event id too, and the gate ledger has no pass on the batch
    with pytest.raises(GateFailed) as whole:
        pipeline.gate(settings, spark, "bronze")
    assert whole.value.report.scopes["bronze.events"] == "whole table"
    ledger = DeltaTable(str(lakehouse / "ops" / "gate_ledger")).to_pandas()
    assert run_id not in set(ledger.ingest_run_id) and set(ledger.suite) >= {"bronze.events", "silver.uc_activity"}
