"""Run tracking: every `sodai run` is an MLflow run, with one nested run per stage.

The pipeline run (experiment `tracking.experiment`, default `sodai/pipeline`) holds what makes
runs comparable: the parameters (engine, config hash, report window, generator, code version),
metrics whose keys carry their unit (`ingest.lines_read.count`, `<stage>.duration.s`,
`k.<K>.<measure>.<unit>`, ...) and the artifacts a reviewer needs (report.json, the ingest
reconciliation, the quality gates, dbt's run results and manifest). A stage run records its
duration and ends FAILED when the stage raised; the pipeline run then ends FAILED too.

The tracker talks to the store through an MlflowClient of its own, so the forecast stage can use
MLflow's fluent API (active runs) for its own experiments while a pipeline run is open.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

from mlflow.exceptions import MlflowException

from jobs import storage
from sodai.config import PROJECT_ROOT, Settings

# --- where ----------------------------------------------------------------------------------------


def tracking_uri(settings: Settings) -> str:
    return settings.tracking.uri or f"sqlite:///{storage.mlflow_database_path(settings.output)}"


def registry_uri(settings: Settings) -> str:
    return settings.tracking.registry_uri or tracking_uri(settings)


def artifact_location(settings: Settings) -> str | None:
    """Artifact root of the experiments this project creates (None: the server decides)."""
    if settings.tracking.artifact_location:
        return settings.tracking.artifact_location
    if settings.tracking.uri is None:
        return storage.mlflow_artifacts_dir(settings.output).as_uri()
    return None


def _quiet() -> None:
    # The pipeline's output is its own: MLflow's per-download progress bars (a model loaded for
    # a forecast prints one) would interleave with the run's tables. A user's setting wins.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    # the SQLite store's schema migrations log every step at INFO
    for name in ("alembic", "mlflow.store.db.utils", "mlflow.tracking.fluent", "mlflow.models.model"):
        logging.getLogger(name).setLevel(logging.WARNING)


def client(settings: Settings):
    """An MlflowClient on the configured store (its folder created for the default store).

    Artifacts go where the experiment's artifact location says: an s3:// one
    (`tracking.artifact_location`) is reached through the settings' object store, unless the
    environment already names an endpoint for MLflow."""
    from mlflow import MlflowClient

    _quiet()
    for name, value in storage.mlflow_environment(settings.object_store).items():
        os.environ.setdefault(name, value)
    if settings.tracking.uri is None:
        storage.mlflow_store_dir(settings.output).mkdir(parents=True, exist_ok=True)
    return MlflowClient(tracking_uri=tracking_uri(settings), registry_uri=registry_uri(settings))


_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")


@contextmanager
def use_store(settings: Settings) -> Iterator[Any]:
    """Point MLflow's fluent API (and model loading) at the configured store for the block; yields
    a client. MLflow keeps the URIs process-wide and copies them into the environment (for
    subprocesses), where load_settings() reads MLFLOW_TRACKING_URI as the store of any later run
    in the process: both are put back as they were when the block ends."""
    import mlflow

    saved = {name: os.environ.get(name) for name in _URI_VARIABLES}
    mlflow.set_tracking_uri(tracking_uri(settings))
    mlflow.set_registry_uri(registry_uri(settings))
    try:
        yield client(settings)
    finally:
        mlflow.set_tracking_uri(saved["MLFLOW_TRACKING_URI"])  # None: MLflow's default again
        mlflow.set_registry_uri(saved["MLFLOW_REGISTRY_URI"])
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)


def experiment_id(mlflow_client, name: str, settings: Settings) -> str:
    found = mlflow_client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    return mlflow_client.create_experiment(name, artifact_location=artifact_location(settings))


# --- what -----------------------------------------------------------------------------------------

_KEY = re.compile(r"[^A-Za-z0-9_.\-/]+")


def metric_key(*parts: Any) -> str:
    """Dot-joined parts with anything MLflow does not allow in a key replaced by `_`."""
    return ".".join(_KEY.sub("_", str(part)).strip("_") for part in parts)


def code_version() -> str:
    """The package version, plus the git commit (and `.dirty`) when run from a checkout."""
    from sodai import __version__

    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}{'.dirty' if dirty else ''}"


def run_params(settings: Settings) -> dict[str, Any]:
    report = settings.report
    params: dict[str, Any] = {
        "engine": settings.engine.kind,
        "config_hash": settings.fingerprint(),
        "code_version": code_version(),
        "report_year": report.report_year,
        "window_start": report.window_start, "window_end": report.window_end,
        "telemetry_start": report.telemetry_start, "telemetry_end": report.telemetry_end,
        "suppression_min_customers": report.suppression_min_customers,
        "forecast_enabled": settings.forecast.enabled,
    }
    manifest = settings.landing / "_manifest" / "generation.json"
    if manifest.is_file():
        generation = json.loads(manifest.read_text())
        for key in ("seed", "customers", "params_digest", "dirty_rate"):
            if generation.get(key) is not None:
                params[f"generator_{key.removeprefix('params_')}"] = generation[key]
    return params


def report_metrics(report: Any) -> dict[str, float]:
    """Metrics of a stage's report object (ingest, refine, transform, forecast); {} for others."""
    kind = type(report).__name__
    if kind == "IngestReport":
        metrics = {metric_key("ingest", column, "count"): report.total(column)
                   for column in ("lines_read", "accepted", "duplicates", "quarantined")}
        metrics["ingest.files.count"] = len(report.files)
        metrics.update({metric_key("quarantine", rule, "count"): count
                        for rule, count in report.quarantine_by_rule.items()})
        return metrics
    if kind == "RefineReport":
        metrics = {metric_key("refine", table, "rows"): rows for table, rows in report.inserted.items()}
        if report.accounts_snapshot:
            metrics["refine.accounts.rows"] = report.accounts_rows
        metrics["refine.ingest_batches.count"] = len(report.ingest_runs)
        return metrics
    if kind == "TransformReport":
        metrics = {"transform.nodes.count": len(report.nodes), "transform.built.count": len(report.built),
                   "transform.failed.count": len(report.failures), "transform.dbt.duration.s": report.elapsed_s}
        metrics.update({metric_key("transform.tests", status, "count"): n for status, n in report.tests.items()})
        return metrics
    if kind == "ForecastReport":
        metrics = {"forecast.series.count": len(report.results), "forecast.skipped.count": len(report.skipped),
                   "forecast.registered.count": sum(1 for r in report.results if r.decision.register),
                   "forecast.kept.count": sum(1 for r in report.results if r.kept_from)}
        for result in report.results:
            metrics[metric_key("forecast", result.series.name, "mape.pct")] = result.champion_mape
        return metrics
    return {}


def finding_metrics(report: Mapping[str, Any]) -> dict[str, float]:
    """Every published K value of report.json as k.<K>.<measure>.<unit> (suppressed ones have none)."""
    metrics = {}
    for finding in report.get("key_findings", []):
        for measure in finding.get("measures", []):
            value = measure.get("value")
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                metrics[metric_key("k", finding["id"], measure["measure"], measure.get("unit") or "value")] = value
    return metrics


# --- the tracker ----------------------------------------------------------------------------------


class Stage:
    """The nested run of one stage; `record(report)` logs the report's metrics on it and the parent."""

    def __init__(self, tracker: "Tracker", name: str, run_id: str | None):
        self.tracker, self.name, self.run_id = tracker, name, run_id
        self.metrics: dict[str, float] = {}

    def record(self, report: Any) -> Any:
        if type(report).__name__ == "IngestReport":
            self.tracker.ingest_run_ids.extend(report.run_ids)
        self.log(report_metrics(report))
        return report

    def log(self, metrics: Mapping[str, float]) -> None:
        self.metrics.update(metrics)
        self.tracker.log_metrics(metrics, self.run_id)


class Tracker:
    """One pipeline run in the store. A disabled tracker keeps the same interface and logs nothing."""

    def __init__(self, settings: Settings, pipeline_run_id: str, enabled: bool | None = None):
        self.settings, self.pipeline_run_id = settings, pipeline_run_id
        self.enabled = settings.tracking.enabled if enabled is None else enabled
        self.run_id: str | None = None
        self.ingest_run_ids: list[str] = []
        self._client = None
        self._experiment: str | None = None

    def start(self) -> "Tracker":
        if not self.enabled:
            return self
        from mlflow.entities import Param

        self._client = client(self.settings)
        self._experiment = experiment_id(self._client, self.settings.tracking.experiment, self.settings)
        tags = {"sodai.pipeline_run_id": self.pipeline_run_id, "sodai.kind": "pipeline"}
        commit = code_version().partition("+g")[2].removesuffix(".dirty")
        if commit:
            tags["mlflow.source.git.commit"] = commit
        run = self._client.create_run(self._experiment, run_name=self.pipeline_run_id, tags=tags)
        self.run_id = run.info.run_id
        params = [Param(key, str(value)) for key, value in run_params(self.settings).items()]
        self._client.log_batch(self.run_id, params=params)
        return self

    def log_metrics(self, metrics: Mapping[str, float], stage_run_id: str | None = None) -> None:
        if not self.enabled or not metrics:
            return
        from mlflow.entities import Metric

        stamp = int(time.time() * 1000)
        batch = [Metric(key, float(value), stamp, 0) for key, value in metrics.items()]
        for run_id in filter(None, (self.run_id, stage_run_id)):
            for start in range(0, len(batch), 1000):
                self._client.log_batch(run_id, metrics=batch[start: start + 1000])

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """A nested run for the stage: duration `<name>.duration.s`, FAILED if the body raises."""
        stage_run_id = None
        if self.enabled:
            tags = {"mlflow.parentRunId": self.run_id, "sodai.pipeline_run_id": self.pipeline_run_id,
                    "sodai.stage": name}
            stage_run_id = self._client.create_run(self._experiment, run_name=name, tags=tags).info.run_id
        stage = Stage(self, name, stage_run_id)
        started = time.perf_counter()
        status = "FAILED"
        try:
            yield stage
            status = "FINISHED"
        finally:
            elapsed = time.perf_counter() - started
            timing = {metric_key(name, "duration", "s"): elapsed}
            if name == "ingest" and "ingest.accepted.count" in stage.metrics and elapsed > 0:
                timing["ingest.events_per_s"] = stage.metrics["ingest.accepted.count"] / elapsed
            stage.log(timing)
            if self.enabled:
                self._client.set_terminated(stage_run_id, status)

    def finish(self, status: str) -> None:
        """Findings and artifacts of what this run left in the output folder, then the end status."""
        if not self.enabled or self.run_id is None:
            return
        try:
            self._log_outputs()
        except (OSError, ValueError, MlflowException) as error:
            # a missing artifact does not make the pipeline fail, nor hide why it failed
            logging.getLogger(__name__).warning("MLflow run %s: outputs not logged: %s", self.run_id, error)
        finally:
            self._client.set_terminated(self.run_id, status)

    def _log_outputs(self) -> None:
        settings = self.settings
        report_path = storage.report_path(settings.output)
        if report_path.is_file():
            report = json.loads(report_path.read_text())
            # the report of an earlier run (this one stopped before publishing) is not this run's
            if report.get("provenance", {}).get("pipeline_run_id") == self.pipeline_run_id:
                self.log_metrics(finding_metrics(report))
                self._client.log_artifact(self.run_id, str(report_path), "report")
        with tempfile.TemporaryDirectory() as scratch:
            reconciliation = _reconciliation_csv(settings, self.ingest_run_ids, Path(scratch))
            if reconciliation is not None:
                self._client.log_artifact(self.run_id, str(reconciliation), "ingest")
        gates = storage.gates_state_path(settings.output)
        if gates.is_file():
            self._client.log_artifact(self.run_id, str(gates), "gates")
        target = storage.dbt_target_dir(settings.output)
        for name in ("run_results.json", "manifest.json"):
            if (target / name).is_file():
                self._client.log_artifact(self.run_id, str(target / name), "dbt")


def _reconciliation_csv(settings: Settings, ingest_run_ids: list[str], folder: Path) -> Path | None:
    """The reconciliation rows of this run's ingest batches (None when it ingested nothing)."""
    from sodai.status import read_table

    frame = read_table(settings.lakehouse, "ops.ingest_reconciliation")
    if frame.empty or not ingest_run_ids:
        return None
    frame = frame[frame["ingest_run_id"].isin(ingest_run_ids)]
    if frame.empty:
        return None
    path = folder / "ingest_reconciliation.csv"
    frame.sort_values(["ingested_at", "file_path"]).to_csv(path, index=False)
    return path


@contextmanager
def pipeline_run(settings: Settings, pipeline_run_id: str) -> Iterator[Tracker]:
    """The tracker of one pipeline run: FINISHED when the body completes, FAILED when it raises."""
    tracker = Tracker(settings, pipeline_run_id).start()
    status = "FAILED"
    try:
        yield tracker
        status = "FINISHED"
    finally:
        tracker.finish(status)
