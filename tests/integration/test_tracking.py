"""Run tracking and forecasts: one `sodai run` on a small telemetry set, its MLflow store and registry.

Runs on Sail: what is checked (MLflow runs, the registry, gold.forecasts via deltalake) does not
depend on the engine. The run is the suite's window run (tests/integration/conftest.py): the whole
report window (30 customers, 16 months) with the suppression threshold lowered to 3, so that
monthly series have enough published periods to backtest; the earliest months are still
suppressed, as in the real data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
import pyarrow as pa
import pytest
from deltalake import DeltaTable
from mlflow import MlflowClient

import sodai
from jobs import storage
from sodai import pipeline
from sodai.config import Settings
from sodai.forecast import table as forecast_table
from sodai.forecast.registry import SCORE_TAG
from sodai.stages import STAGE_NAMES
from sodai.status import read_table
from sodai.tracking import registry_uri, tracking_uri, use_store
from tests.integration.conftest import SEED, WINDOW_CUSTOMERS, WINDOW_K

pytestmark = pytest.mark.integration

STAGES = set(STAGE_NAMES)


@dataclass
class Tracked:
    settings: Settings
    report: dict
    client: MlflowClient


@pytest.fixture(scope="module")
def tracked(window_run) -> Tracked:
    settings = window_run.settings
    report = json.loads(pipeline.report_path(settings).read_text())
    # its registry named: a client without one takes the registry last set process-wide, by
    # whichever test in this worker forecast last
    return Tracked(settings, report, MlflowClient(tracking_uri(settings), registry_uri(settings)))


def _pipeline_runs(tracked: Tracked):
    experiment = tracked.client.get_experiment_by_name("sodai/pipeline")
    return tracked.client.search_runs([experiment.experiment_id])


def test_store_is_sqlite_under_the_output_folder(tracked):
    assert (tracked.settings.output / "mlflow" / "mlflow.db").is_file()
    assert any((tracked.settings.output / "mlflow" / "artifacts").iterdir())


def test_pipeline_run_finished_with_params_stage_metrics_and_provenance(tracked):
    runs = _pipeline_runs(tracked)
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert len(parents) == 1
    run = parents[0]
    assert run.info.status == "FINISHED"
    provenance = tracked.report["provenance"]
    assert provenance["mlflow_run_id"] == run.info.run_id
    assert run.data.tags["sodai.pipeline_run_id"] == provenance["pipeline_run_id"] == run.info.run_name
    params = run.data.params
    assert params["generator_customers"] == str(WINDOW_CUSTOMERS) and params["generator_seed"] == str(SEED)
    assert params["window_start"] == "2023-02-01" and params["suppression_min_customers"] == str(WINDOW_K)
    assert len(params["config_hash"]) == 12 and params["code_version"].startswith(sodai.__version__)

    metrics = run.data.metrics
    reconciliation = read_table(tracked.settings.lakehouse, "ops.ingest_reconciliation")
    assert metrics["ingest.lines_read.count"] == reconciliation["lines_read"].sum() > 0
    assert metrics["ingest.accepted.count"] == reconciliation["accepted"].sum()
    assert metrics["ingest.events_per_s"] == pytest.approx(
        metrics["ingest.accepted.count"] / metrics["ingest.duration.s"], rel=1e-6)
    silver = DeltaTable(str(tracked.settings.lakehouse / "silver" / "serving_usage")).to_pandas()
    assert metrics["refine.silver.serving_usage.rows"] == len(silver) > 0
    assert metrics["transform.failed.count"] == 0 and metrics["transform.tests.pass.count"] > 0
    for stage in STAGES:
        assert metrics[f"{stage}.duration.s"] > 0, stage
    # every published K value, keyed by finding, measure and unit
    published = {(f["id"], m["measure"], m["unit"]): m["value"] for f in tracked.report["key_findings"]
                 for m in f["measures"] if m["value"] is not None}
    assert published
    for (finding, measure, unit), value in published.items():
        assert metrics[f"k.{finding}.{measure}.{unit.replace(' ', '_')}"] == pytest.approx(value)


def test_nested_stage_runs_and_artifacts(tracked, tmp_path):
    runs = _pipeline_runs(tracked)
    parent = next(r for r in runs if "mlflow.parentRunId" not in r.data.tags)
    children = {r.info.run_name: r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id}
    assert set(children) == STAGES
    assert all(child.info.status == "FINISHED" for child in children.values())
    assert children["ingest"].data.metrics["ingest.lines_read.count"] == parent.data.metrics["ingest.lines_read.count"]

    client = tracked.client
    listed = {a.path for folder in ("report", "ingest", "dbt")
              for a in client.list_artifacts(parent.info.run_id, folder)}
    assert listed == {"report/report.json", "ingest/ingest_reconciliation.csv", "dbt/run_results.json",
                      "dbt/manifest.json"}
    local = Path(client.download_artifacts(parent.info.run_id, "report/report.json", str(tmp_path)))
    assert json.loads(local.read_text()) == tracked.report
    csv = pd.read_csv(client.download_artifacts(parent.info.run_id, "ingest/ingest_reconciliation.csv", str(tmp_path)))
    assert len(csv) == len(read_table(tracked.settings.lakehouse, "ops.ingest_reconciliation"))


def test_forecast_registers_a_champion_that_loads_back_and_predicts(tracked):
    forecasts = {f["series"]: f for f in tracked.report["forecasts"]}
    monthly = forecasts["registered_models"]
    assert monthly["frequency"] == "month" and monthly["group"] is None and monthly["interval"] == 0.8
    assert len(monthly["points"]) == 6 and monthly["backtest"]["horizon"] == 3
    # the earliest months are suppressed: the series starts after them, their nulls are not zeros
    fig01 = next(f for f in tracked.report["figures"] if f["id"] == "F1")
    published = [row for row in fig01["rows"] if row["registered_models"] is not None]
    assert [h["value"] for h in monthly["history"]] == [row["registered_models"] for row in published][-len(monthly["history"]):]

    name = "sodai-registered_models"
    assert monthly["model_uri"] == f"models:/{name}@champion"
    client = tracked.client
    champion = client.get_model_version_by_alias(name, "champion")
    assert int(champion.version) == monthly["model_version"]
    assert float(champion.tags[SCORE_TAG]) == pytest.approx(monthly["backtest"]["value"])

    # every candidate is a run in the series' experiment; the champion has the lowest MAPE
    experiment = client.get_experiment_by_name("sodai/forecast/registered_models")
    candidates = {r.data.params["method"]: r.data.metrics["backtest.mape.pct"]
                  for r in client.search_runs([experiment.experiment_id])}
    assert {"naive", "drift", "ets", "arima"} <= set(candidates)
    assert monthly["model"] == min(candidates, key=candidates.get)
    assert monthly["backtest"]["value"] == pytest.approx(min(candidates.values()))

    with use_store(tracked.settings):
        model = mlflow.pyfunc.load_model(monthly["model_uri"])
    predicted = model.predict(pd.DataFrame({"horizon": [6]}), params={"interval": 0.8})
    assert [p.date().isoformat() for p in predicted["period"]] == [p["period"] for p in monthly["points"]]
    assert predicted["value"].tolist() == pytest.approx([p["value"] for p in monthly["points"]])
    assert (predicted["lower"] <= predicted["value"]).all() and (predicted["value"] <= predicted["upper"]).all()

    stored, _ = forecast_table.read(tracked.settings.lakehouse)
    assert set(stored["series"]) == set(forecasts)


def _candidate_runs(tracked: Tracked) -> int:
    experiments = [e.experiment_id for e in tracked.client.search_experiments()
                   if e.name.startswith("sodai/forecast/")]
    return len(tracked.client.search_runs(experiments, max_results=50000))


FORECAST_COLUMNS = ["series", "kind", "period", "value", "lower", "upper", "model_version"]


def _forecast_rows_of(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[FORECAST_COLUMNS].sort_values(FORECAST_COLUMNS[:3]).reset_index(drop=True)


def _forecast_rows(settings: Settings) -> pd.DataFrame:
    return _forecast_rows_of(forecast_table.read(settings.lakehouse)[0])


def test_forecast_again_on_unchanged_data_registers_nothing(tracked):
    """The same values: each series keeps its forecast (no backtest, no candidate run), as
    made by the run that made it; a table written before fit keys is forecast again, to the same
    points; another interval forecasts again."""
    client = tracked.client
    names = [f"sodai-{series}" for series in (f["series"] for f in tracked.report["forecasts"])]
    before = {name: sorted(v.version for v in client.search_model_versions(f"name='{name}'")) for name in names}
    before_table, before_version = forecast_table.read(tracked.settings.lakehouse)
    candidate_runs = _candidate_runs(tracked)

    report = pipeline.forecast(tracked.settings)

    assert {r.series.name for r in report.results} == {f["series"] for f in tracked.report["forecasts"]}
    assert not any(result.decision.register for result in report.results)
    assert all(result.kept_from for result in report.results)
    assert _candidate_runs(tracked) == candidate_runs
    after = {name: sorted(v.version for v in client.search_model_versions(f"name='{name}'")) for name in names}
    assert after == before
    assert all(len(versions) == 1 for versions in after.values())
    after_table, after_version = forecast_table.read(tracked.settings.lakehouse)
    assert after_version == before_version + 1
    pd.testing.assert_frame_equal(_forecast_rows(tracked.settings), _forecast_rows_of(before_table))
    assert set(after_table["forecast_run_id"]) == set(before_table["forecast_run_id"])  # who made them

    # gold.forecasts as the previous release wrote it (no fit_key): every series is backtested
    # and forecast again, by the same champions, to the same points
    old_layout = before_table.drop(columns=["fit_key"])
    storage.write_delta(forecast_table.location(tracked.settings.lakehouse),
                        pa.Table.from_pandas(old_layout, preserve_index=False), mode="overwrite",
                        schema_mode="overwrite")
    again = pipeline.forecast(tracked.settings)
    assert not any(result.kept_from for result in again.results)
    assert not any(result.decision.register for result in again.results)
    assert _candidate_runs(tracked) > candidate_runs
    pd.testing.assert_frame_equal(_forecast_rows(tracked.settings), _forecast_rows_of(before_table))

    # another interval: forecast again (the champions stay), and back
    wider = tracked.settings.with_overrides(forecast={"interval": 0.95})
    assert not any(result.kept_from for result in pipeline.forecast(wider).results)
    assert not _forecast_rows(tracked.settings).equals(_forecast_rows_of(before_table))
    assert not any(result.kept_from for result in pipeline.forecast(tracked.settings).results)
    pd.testing.assert_frame_equal(_forecast_rows(tracked.settings), _forecast_rows_of(before_table))

