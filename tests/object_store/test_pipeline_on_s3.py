"""The pipeline with its landing zone and lakehouse in an S3-compatible store (s3proxy), on the
Sail engine: scheduled days and a backfill give the report of the same telemetry on local paths;
every object is ingested exactly once; the run lock is a lease object.

Every `sodai` call is its own process, configured as a deployment would be: the locations and the
store's endpoint as settings, the credentials in the environment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from jobs import storage
from jobs.generate import redeliver_file, write_event_file
from sodai.delta_read import read_pandas
from sodai.lock import RunLock, RunLocked
from tests.integration.conftest import PROJECT_ROOT, cli_env
from tests.object_store.conftest import BACKFILL_DAY, DAYS, on_s3, report_of, sodai, store_env

pytestmark = [pytest.mark.integration, pytest.mark.sail]

@pytest.fixture(scope="module")
def scheduled(s3, local_landing, tmp_path_factory):
    """Two scheduled days and a backfill of a third, landing and lakehouse on S3, report.json and
    the site published there, MLflow's artifacts there too (its tracking store stays local)."""
    settings = on_s3(s3, tmp_path_factory.mktemp("scheduled"), "scheduled").with_overrides(
        paths={"publish": "s3://scheduled/published"}, tracking={"artifact_location": "s3://scheduled/mlflow"})
    s3.upload(local_landing, str(settings.landing))
    for day in DAYS:
        done = sodai(settings, s3, "run", "--date", day.isoformat())
        assert done.returncode == 0, done.stdout[-3000:]
    done = sodai(settings, s3, "backfill", "--from", BACKFILL_DAY.isoformat(), "--to", BACKFILL_DAY.isoformat())
    assert done.returncode == 0, done.stdout[-3000:]
    return settings


def _accepted_events(settings) -> int:
    bronze = read_pandas(settings.lakehouse / "bronze" / "events", ["status"])
    return int((bronze["status"] == "accepted").sum())


def _statuses(settings, file_path: str) -> dict[str, int]:
    bronze = read_pandas(settings.lakehouse / "bronze" / "events", ["file_path", "status"])
    return bronze[bronze["file_path"] == file_path]["status"].value_counts().to_dict()


def _ledger(settings, outcome: str) -> list[str]:
    ledger = read_pandas(settings.lakehouse / "ops" / "ingest_ledger", ["file_path", "outcome"])
    return sorted(ledger[ledger["outcome"] == outcome]["file_path"])


def _late_event(event_id: str, customer: str) -> dict:
    return {"event_id": event_id, "schema_version": 1, "event_type": "uc.activity", "event_ts": "2024-03-01T12:00:00Z",
            "customer_id": customer, "workspace_id": "ws-late", "payload": {"action": "grant"}}


def test_scheduled_days_on_s3_give_the_report_of_local_paths(scheduled, reference, s3):
    assert report_of(scheduled) == report_of(reference)
    objects = s3.client().find("scheduled/lakehouse")
    assert any(key.endswith("/gold/marts/key_findings/_delta_log/00000000000000000000.json") for key in objects)
    assert not any(key.endswith("_sodai.lock") for key in objects)  # the lease went with its run
    assert _accepted_events(scheduled) == _accepted_events(reference)
    provenance = json.loads((scheduled.output / "report.json").read_text())["provenance"]
    assert provenance["tables"]["marts.key_findings"]["path"].startswith("s3://scheduled/lakehouse/gold/")
    # paths.publish: readers fetch the report from the store
    assert s3.client().cat_file("scheduled/published/report.json") == (scheduled.output / "report.json").read_bytes()


def test_mlflow_keeps_each_runs_artifacts_in_the_store(scheduled, s3):
    from sodai import tracking

    client = tracking.client(scheduled)
    experiment = client.get_experiment_by_name(scheduled.tracking.experiment)
    assert experiment.artifact_location == "s3://scheduled/mlflow"
    runs = [run for run in client.search_runs([experiment.experiment_id]) if "mlflow.parentRunId" not in run.data.tags]
    assert len(runs) == len(DAYS) + 1
    latest = max(runs, key=lambda run: run.info.start_time)
    assert latest.info.artifact_uri.startswith("s3://scheduled/mlflow/")
    reports = [key for key in s3.client().find("scheduled/mlflow") if key.endswith("/artifacts/report/report.json")]
    assert len(reports) == len(runs)
    downloaded = client.download_artifacts(latest.info.run_id, "report/report.json", str(scheduled.output / "fetched"))
    assert Path(downloaded).read_bytes() == (scheduled.output / "report.json").read_bytes()
    assert not any(storage.mlflow_artifacts_dir(scheduled.output).glob("*/*"))  # nothing kept locally


def test_objects_are_ingested_once_and_late_ones_are_picked_up(scheduled, s3):
    """A re-put object with the same bytes adds nothing; an object landing late in an old date
    prefix is ingested; an object whose bytes changed under its key is a new delivery: its new
    event is accepted and every line read before is a duplicate or quarantined again."""
    accepted = _accepted_events(scheduled)
    first = next(f for f in _ledger(scheduled, "ingested") if f.startswith("events/") and f.endswith(".json"))
    before = _statuses(scheduled, first)
    redeliver_file(scheduled.landing, first)
    write_event_file(scheduled.landing, date(2024, 3, 1), [_late_event("6ba7b810-9dad-41d1-80b4-00c04fd43001", "cust-late")],
                     "late-delivery.json")

    done = sodai(scheduled, s3, "ingest", "--date", BACKFILL_DAY.isoformat())
    assert done.returncode == 0, done.stdout[-3000:]
    assert _ledger(scheduled, "redelivered") == [first]
    assert "events/date=2024-03-01/late-delivery.json" in _ledger(scheduled, "ingested")
    assert _accepted_events(scheduled) == accepted + 1
    assert _statuses(scheduled, first) == before

    changed = scheduled.landing / first
    extra = _late_event("6ba7b810-9dad-41d1-80b4-00c04fd43002", "cust-changed")
    changed.write_bytes(changed.read_bytes() + (json.dumps(extra) + "\n").encode())
    done = sodai(scheduled, s3, "ingest", "--date", BACKFILL_DAY.isoformat())
    assert done.returncode == 0, done.stdout[-3000:]
    assert _accepted_events(scheduled) == accepted + 2
    after = _statuses(scheduled, first)
    assert after.get("accepted", 0) == before.get("accepted", 0) + 1
    assert after.get("duplicate", 0) == before.get("duplicate", 0) + before.get("accepted", 0) + before.get("duplicate", 0)
    assert after.get("quarantined", 0) == 2 * before.get("quarantined", 0)


_HOLD_THE_LOCK = """
import socket, sys, time
socket.gethostname = lambda: "another-host"  # a run on another machine: only expiry frees its lease
from jobs import storage
from jobs.storage import ObjectStoreConfig
from sodai.lock import RunLock
lakehouse = storage.location(sys.argv[1], ObjectStoreConfig(endpoint_url=sys.argv[2], region="us-east-1"))
RunLock(lakehouse, "holder-run", lease_s=float(sys.argv[3])).acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_the_run_lock_is_a_lease_object_refusing_a_second_run_and_taken_over_after_its_holder_died(s3, tmp_path):
    settings = on_s3(s3, tmp_path, "locked")
    lease_s = 4.0
    env = {**os.environ, **s3.credentials_env}
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_THE_LOCK, str(settings.lakehouse), s3.endpoint, str(lease_s)],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        time.sleep(lease_s)  # renewed meanwhile: still held after its first length
        refused = sodai(settings, s3, "ingest")
        assert refused.returncode == 4, refused.stdout[-2000:]
        assert "holder-run" in refused.stdout and f"pid {holder.pid} on another-host" in refused.stdout
        with pytest.raises(RunLocked):
            RunLock(settings.lakehouse, "in-process", lease_s=lease_s).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with pytest.raises(RunLocked):  # dead, but on another host: not known here until the lease expires
        RunLock(settings.lakehouse, "too-early", lease_s=lease_s).acquire()
    time.sleep(lease_s + 1)  # nobody renews a dead holder's lease
    with RunLock(settings.lakehouse, "next-run", lease_s=lease_s) as lock:
        assert lock.took_over is not None and lock.took_over.run_id == "holder-run"
        assert lock.took_over.pid == holder.pid
    assert not (settings.lakehouse / "_sodai.lock").exists()  # released: the next run starts at once


def test_status_and_the_report_site_read_the_lakehouse_in_the_store(scheduled, s3):
    from dashboards.data import ReportData

    done = sodai(scheduled, s3, "status")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "silver.accounts" in done.stdout and "ops.pipeline_runs" in done.stdout
    done = sodai(scheduled, s3, "export-site", "--lang", "fr")
    assert done.returncode == 0, done.stdout[-3000:]
    published = s3.client().find("scheduled/published/site/fr")
    assert "scheduled/published/site/fr/index.html" in published and len(published) >= 10
    site = ReportData(scheduled)
    assert not site.mart("key_findings").empty
    freshness = site.gold_freshness()
    assert freshness and all(row["in_lakehouse"] == row["in_report"] for row in freshness)
    assert {t.name for t in site.tables()} >= {"bronze.events", "silver.accounts", "ops.ingest_ledger"}


def test_a_store_outage_mid_run_fails_naming_the_store_and_a_rerun_gives_the_same_report(reference, local_landing,
                                                                                           tmp_path, monkeypatch):
    """s3proxy stopped while the run is paused after one of refine's merges: the run fails with
    an error naming the store; once it is back, a re-run ends at the undisturbed report, every
    event accepted once."""
    import psutil

    from tests.servers.s3proxy import S3Proxy

    with S3Proxy(tmp_path / "store") as store:
        for name, value in store.credentials_env.items():  # for this process's own reads of the store
            monkeypatch.setenv(name, value)
        settings = on_s3(store, tmp_path, "outage")
        store.upload(local_landing, str(settings.landing))
        env = cli_env(settings, failpoint="refine.after_merge.notebook_library_imported:pause",
                      extra_env=store_env(settings, store))
        run = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "run", "--date", BACKFILL_DAY.isoformat()],
                               env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 300
            while psutil.Process(run.pid).status() != psutil.STATUS_STOPPED:
                assert run.poll() is None and time.monotonic() < deadline, "the run never reached its pause"
                time.sleep(0.2)
            store.stop()
            run.send_signal(signal.SIGCONT)
            output, _ = run.communicate(timeout=600)
        finally:
            if run.poll() is None:
                run.kill()
        assert run.returncode == 3, output[-3000:]
        assert "Object store unreachable" in output and f"s3://outage at {store.endpoint}" in output, output[-3000:]

        store.start()
        done = sodai(settings, store, "run", "--date", BACKFILL_DAY.isoformat())
        assert done.returncode == 0, done.stdout[-3000:]
        # the failed run could not delete its lease; its process is gone, on this host: taken over at once
        assert "Took over the lock of a run that died: run pipeline-" in done.stdout and f"pid {run.pid}" in done.stdout
        assert report_of(settings) == report_of(reference)
        assert _accepted_events(settings) == _accepted_events(reference)
        assert len(_ledger(settings, "ingested")) == len(set(_ledger(settings, "ingested")))


def test_forecast_models_are_logged_to_and_loaded_from_the_store(s3, tmp_path, monkeypatch):
    """The forecast stage's champion, registered with its artifacts in the store, is loaded from
    there to forecast (the small telemetry above is too short for a forecast)."""
    import numpy as np
    import pandas as pd

    from sodai import tracking
    from sodai.forecast.runner import forecast_series
    from sodai.forecast.series import Series, specs
    from tests.conftest import settings_for

    monkeypatch.delenv("MLFLOW_S3_ENDPOINT_URL", raising=False)  # what tracking sets is undone after
    s3.create_bucket("models")
    settings = settings_for(tmp_path).with_overrides(object_store=s3.object_store,
                                                     tracking={"artifact_location": "s3://models/mlflow"})
    spec = specs(["registered_models"])[0]
    periods = pd.date_range("2022-01-01", periods=30, freq="MS")
    values = np.linspace(100.0, 400.0, 30) + np.tile([5.0, -5.0, 0.0], 10)
    series = Series(spec.name, spec, None, periods, values, 0, "marts.fig01_models_over_time@0")
    with tracking.use_store(settings) as client:
        result = forecast_series(series, settings, client, "forecast-on-s3")

    assert result.champion_version == 1 and len(result.forecast) == settings.forecast.month.horizon
    models = [key for key in s3.client().find("models/mlflow") if key.endswith("/MLmodel")]
    assert len(models) == 1, models
    assert not any(storage.mlflow_artifacts_dir(settings.output).glob("*"))  # nothing kept locally


def test_the_embedded_jvm_engine_ingests_into_the_store(s3, local_landing, reference, tmp_path):
    """The default engine reaches the store through Hadoop's S3A client (jars/pom.xml), set up by
    the same settings: the landing in the store is ingested into a bronze table there, every
    event the local run accepted accepted once (a whole day on a cluster: test_pipeline_on_cluster)."""
    settings = on_s3(s3, tmp_path, "embedded-jvm", engine="spark")
    s3.upload(local_landing, str(settings.landing))
    done = sodai(settings, s3, "ingest", "--date", BACKFILL_DAY.isoformat())
    assert done.returncode == 0, done.stdout[-3000:]
    assert any(key.endswith("/bronze/events/_delta_log/00000000000000000000.json")
               for key in s3.client().find("embedded-jvm/lakehouse"))
    assert _accepted_events(settings) == _accepted_events(reference)
