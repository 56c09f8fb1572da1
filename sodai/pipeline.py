"""The pipeline's stages wired to settings: the CLI, tests and benchmarks all call these (their
order is declared once, in sodai/stages.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from pyspark.sql.connect.session import SparkSession

from jobs import storage
from jobs.ingest.job import IngestJob, IngestReport
from jobs.lakehouse import Lakehouse
from jobs.refine.job import RefineJob, RefineReport
from sodai.config import Settings, pseudonym_key
from sodai.dbt_build import TransformReport, docs  # noqa: F401  silver -> gold (dbt)


def lakehouse_of(settings: Settings) -> Lakehouse:
    return Lakehouse(settings.lakehouse)


def ingest(settings: Settings, spark: SparkSession, on_batch: Callable[[int, int], None] | None = None,
           until: date | None = None) -> IngestReport:
    """Landing -> bronze for every file not ingested yet (of date folders <= `until`, if given)."""
    job = IngestJob(spark, lakehouse_of(settings), settings.landing, settings.ingest.files_per_batch, until,
                    one_scan_below=settings.ingest.one_scan_below(settings.engine.kind),
                    bytes_per_batch=settings.ingest.bytes_per_batch)
    return job.run(on_batch)


def check_pseudonym_key(settings: Settings) -> None:
    """Raise sodai.pseudonym_keys.KeyChanged unless this run's key made silver's pseudonyms."""
    from sodai import pseudonym_keys

    key, _ = pseudonym_key(settings)
    pseudonym_keys.check_silver(settings.lakehouse, key, settings.pseudonymization.key_env)


def refine(settings: Settings, spark: SparkSession, on_progress: Callable[[int, int], None] | None = None,
           rekey: bool = False) -> RefineReport:
    """Bronze -> silver for every committed batch not refined yet. Refused (KeyChanged) when the
    pseudonym key is not the one silver was made with; with `rekey`, silver is rebuilt from
    bronze under this run's key instead (and the next transform rebuilds gold in full)."""
    from sodai import pseudonym_keys

    key, _ = pseudonym_key(settings)
    job = RefineJob(spark, lakehouse_of(settings), key, settings.refine.lines_per_batch)
    if not rekey:
        check_pseudonym_key(settings)
        return job.run(on_progress)
    return job.rebuild(on_progress, after_clear=lambda: pseudonym_keys.record(
        settings.lakehouse, pseudonym_keys.SILVER, pseudonym_keys.fingerprint(key), "rekey: silver rebuilt from bronze"))


def transform(settings: Settings, spark: SparkSession, url: str, select: list[str] | None = None,
              full_refresh: bool = False, exclude: list[str] | None = None,
              on_node: Callable[[str, str], None] | None = None) -> TransformReport:
    """Silver -> gold: `dbt build` (sodai/dbt_build.py). In full when gold holds pseudonyms of
    another key than silver's (after `refine --rekey`): an incremental build would keep them.
    dbt's data tests are the gold gate: with the quality gates off (`quality.enabled`) they do
    not run either."""
    from sodai import pseudonym_keys
    from sodai.dbt_build import TransformError
    from sodai.dbt_build import transform as dbt_build

    stale = pseudonym_keys.gold_is_stale(settings.lakehouse)
    try:
        report = dbt_build(settings, spark, url, select, full_refresh or stale, exclude, on_node,
                           data_tests=settings.quality.enabled)
    except TransformError:
        if settings.quality.enabled:
            _record_gold_verdict(settings, spark)  # publication stays blocked until a build passes
        raise
    if not select:
        pseudonym_keys.record_gold_built(settings.lakehouse)
    return report


def _record_gold_verdict(settings: Settings, spark: SparkSession) -> None:
    """The failed build's tests as the gold gate's result (gates/latest.json)."""
    from sodai.gates import GateFailed, run_gate

    try:
        run_gate(settings, spark, "gold")
    except GateFailed:
        pass  # recorded; the build's own error is the one to raise


def gate(settings: Settings, spark: SparkSession, layer: str, run_id: str | None = None, as_of: date | None = None,
         new_batches_only: bool = False):
    """The quality gate of a layer (bronze, silver, gold): raises sodai.gates.GateFailed. A
    scheduled run's gate validates only the batches not validated yet (`new_batches_only`)."""
    from sodai.gates import run_gate

    return run_gate(settings, spark, layer, run_id, as_of, new_batches_only)


def accounts_snapshot(settings: Settings, run_date: date | None = None):
    """Which accounts snapshot silver's industries come from, and by which part of the rule."""
    from sodai import publish

    return publish.accounts_snapshot(settings.lakehouse, run_date)


def report_path(settings: Settings) -> Path:
    return storage.report_path(settings.output)


def forecast(settings: Settings, on_series: Callable[[str], None] | None = None):
    """Gold marts -> backtested candidates -> registered champions -> gold.forecasts (MLflow)."""
    from sodai.forecast.runner import run_forecast

    return run_forecast(settings, on_series)


def publish(settings: Settings, pipeline_run_id: str | None = None, mlflow_run_id: str | None = None,
            run_date: date | None = None) -> Path:
    """Gold -> report.json (validated against docs/report.schema.json); no engine needed.
    Refused while the quality gates block publication (report.json keeps the last good one)."""
    from sodai import publications
    from sodai.dbt_build import DbtPaths
    from sodai.gates.state import publication_blocked_error
    from sodai.publish import build_report, write_report

    blocked = publication_blocked_error(settings.output) if settings.quality.enabled else None
    if blocked:
        raise blocked

    report = build_report(
        lakehouse=settings.lakehouse,
        landing=settings.landing,
        dbt_target=DbtPaths.of(settings).target_path,
        parameters=settings.report.model_dump(mode="json"),
        pipeline_run_id=pipeline_run_id,
        engine=settings.engine.kind,
        mlflow_run_id=mlflow_run_id,
        run_date=run_date,
        previous=publications.latest(settings.output),
    )
    written = write_report(report, report_path(settings))
    publications.keep(settings.output, written)
    if settings.publish is not None:  # readers who never see this machine fetch it from there
        storage.put_file(written, storage.published_report_path(settings.publish))
    return written
