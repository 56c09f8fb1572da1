"""The tracker on a real (SQLite) MLflow store: statuses, keys, and where the store is."""

from __future__ import annotations

import os

import pytest
from mlflow import MlflowClient

from sodai.config import load_settings
from sodai.tracking import Tracker, finding_metrics, metric_key, pipeline_run, tracking_uri
from tests.conftest import settings_for


def test_default_store_is_under_the_output_folder_and_the_uri_is_configurable(tmp_path):
    settings = settings_for(tmp_path)
    assert tracking_uri(settings) == f"sqlite:///{tmp_path / 'output' / 'mlflow' / 'mlflow.db'}"
    assert load_settings(environ={"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}).tracking.uri == "http://127.0.0.1:5000"
    both = {"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000", "SODAI__TRACKING__URI": "sqlite:///x.db"}
    assert load_settings(environ=both).tracking.uri == "sqlite:///x.db"


def test_keys_carry_units_and_only_published_values():
    assert metric_key("k", "K7", "open model share", "per customer") == "k.K7.open_model_share.per_customer"
    report = {"key_findings": [{"id": "K1", "measures": [
        {"measure": "registered_models_multiple", "unit": "multiple", "value": 2.5},
        {"measure": "registered_models_yoy", "unit": "growth", "value": None},
        {"measure": "flag", "unit": None, "value": True}]}]}
    assert finding_metrics(report) == {"k.K1.registered_models_multiple.multiple": 2.5}


def test_a_failing_stage_fails_its_run_and_the_pipeline_run(tmp_path):
    settings = settings_for(tmp_path)
    with pytest.raises(RuntimeError, match="boom"):
        with pipeline_run(settings, "pipeline-test-1") as tracker:
            with tracker.stage("ingest") as stage:
                stage.log({"ingest.accepted.count": 10})
            with tracker.stage("refine"):
                raise RuntimeError("boom")
            with tracker.stage("transform"):  # never reached
                pass
    client = MlflowClient(tracking_uri(settings))
    experiment = client.get_experiment_by_name("sodai/pipeline")
    runs = {r.info.run_name: r for r in client.search_runs([experiment.experiment_id])}
    assert set(runs) == {"pipeline-test-1", "ingest", "refine"}
    assert runs["pipeline-test-1"].info.status == "FAILED"
    assert runs["ingest"].info.status == "FINISHED" and runs["refine"].info.status == "FAILED"
    assert runs["refine"].data.tags["mlflow.parentRunId"] == tracker.run_id
    assert runs["refine"].data.metrics["refine.duration.s"] >= 0
    assert runs["pipeline-test-1"].data.metrics["ingest.events_per_s"] > 0


def test_disabled_tracking_logs_nothing(tmp_path):
    settings = settings_for(tmp_path).with_overrides(tracking={"enabled": False})
    with pipeline_run(settings, "pipeline-test-2") as tracker:
        with tracker.stage("ingest") as stage:
            stage.log({"ingest.accepted.count": 1})
    assert isinstance(tracker, Tracker) and tracker.run_id is None
    assert not (tmp_path / "output" / "mlflow").exists()


def test_pointing_mlflow_at_the_store_is_undone_after_the_block(tmp_path, monkeypatch):
    """MLflow copies the URIs it is set to into the environment, where load_settings() would read
    MLFLOW_TRACKING_URI as every later run's store in this process: use_store puts it back."""
    import mlflow

    from sodai.tracking import use_store

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    settings = settings_for(tmp_path)
    with use_store(settings) as client:
        assert mlflow.get_tracking_uri() == tracking_uri(settings) == client.tracking_uri
    assert "MLFLOW_TRACKING_URI" not in os.environ and "MLFLOW_REGISTRY_URI" not in os.environ
    assert load_settings().tracking.uri is None

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    with use_store(settings):
        assert mlflow.get_tracking_uri() == tracking_uri(settings)
    assert mlflow.get_tracking_uri() == "http://tracking.example:5000"
