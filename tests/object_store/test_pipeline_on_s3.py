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

import pytest

from jobs.generate import redeliver_file, write_event_file
from sodai.delta_read import read_pandas
from sodai.lock import RunLock, RunLocked
from tests.conftest import settings_for
from tests.integration.conftest import PROJECT_ROOT, cli_process, generate_small

pytestmark = [pytest.mark.integration, pytest.mark.sail]

DAYS = (date(2024, 3, 1), date(2024, 3, 2))  # scheduled runs; then a backfill of BACKFILL_DAY
BACKFILL_DAY = date(2024, 3, 3)


def _report(settings) -> dict:
    report = json.loads((settings.output / "report.json").read_text())
    report.pop("generated_at", None)
    report.pop("provenance", None)
    return report


def _on_s3(s3, root, bucket: str, engine: str = "sail"):
    s3.create_bucket(bucket)
    return settings_for(root, engine).with_overrides(
        paths={"landing": f"s3://{bucket}/landing", "lakehouse": f"s3://{bucket}/lakehouse"},
        object_store=s3.object_store)


def _sodai(settings, s3, *args: str, **extra: str) -> subprocess.CompletedProcess:
    env = {"SODAI__ENGINE__KIND": settings.engine.kind, **s3.credentials_env,
           "SODAI__OBJECT_STORE__ENDPOINT_URL": s3.endpoint, "SODAI__OBJECT_STORE__REGION": "us-east-1", **extra}
    return cli_process(settings, *args, extra_env=env)


@pytest.fixture(scope="module")
def local_landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing") / "landing"
    generate_small(root, until=BACKFILL_DAY)
    return root


@pytest.fixture(scope="module")
def reference(local_landing, tmp_path_factory):
    """The same telemetry on local paths: one run for the last day, on Sail."""
    settings = settings_for(tmp_path_factory.mktemp("reference"), "sail").with_overrides(
        paths={"landing": str(local_landing)})
    done = cli_process(settings, "run", "--date", BACKFILL_DAY.isoformat(), extra_env={"SODAI__ENGINE__KIND": "sail"})
    assert done.returncode == 0, done.stdout[-3000:]
    return settings


@pytest.fixture(scope="module")
def scheduled(s3, local_landing, tmp_path_factory):
    """Two scheduled days and a backfill of a third, landing and lakehouse on S3."""
    settings = _on_s3(s3, tmp_path_factory.mktemp("scheduled"), "scheduled")
    s3.upload(local_landing, str(settings.landing))
    for day in DAYS:
        done = _sodai(settings, s3, "run", "--date", day.isoformat())
        assert done.returncode == 0, done.stdout[-3000:]
    done = _sodai(settings, s3, "backfill", "--from", BACKFILL_DAY.isoformat(), "--to", BACKFILL_DAY.isoformat())
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
    assert _report(scheduled) == _report(reference)
    objects = s3.client().find("scheduled/lakehouse")
    assert any(key.endswith("/gold/marts/key_findings/_delta_log/00000000000000000000.json") for key in objects)
    assert not any(key.endswith("_sodai.lock") for key in objects)  # the lease went with its run
    assert _accepted_events(scheduled) == _accepted_events(reference)
    provenance = json.loads((scheduled.output / "report.json").read_text())["provenance"]
    assert provenance["tables"]["marts.key_findings"]["path"].startswith("s3://scheduled/lakehouse/gold/")


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

    done = _sodai(scheduled, s3, "ingest", "--date", BACKFILL_DAY.isoformat())
    assert done.returncode == 0, done.stdout[-3000:]
    assert _ledger(scheduled, "redelivered") == [first]
    assert "events/date=2024-03-01/late-delivery.json" in _ledger(scheduled, "ingested")
    assert _accepted_events(scheduled) == accepted + 1
    assert _statuses(scheduled, first) == before

    changed = scheduled.landing / first
    extra = _late_event("6ba7b810-9dad-41d1-80b4-00c04fd43002", "cust-changed")
    changed.write_bytes(changed.read_bytes() + (json.dumps(extra) + "\n").encode())
    done = _sodai(scheduled, s3, "ingest", "--date", BACKFILL_DAY.isoformat())
    assert done.returncode == 0, done.stdout[-3000:]
    assert _accepted_events(scheduled) == accepted + 2
    after = _statuses(scheduled, first)
    assert after.get("accepted", 0) == before.get("accepted", 0) + 1
    assert after.get("duplicate", 0) == before.get("duplicate", 0) + before.get("accepted", 0) + before.get("duplicate", 0)
    assert after.get("quarantined", 0) == 2 * before.get("quarantined", 0)


_HOLD_THE_LOCK = """
import sys, time
from jobs import storage
from jobs.storage import ObjectStoreConfig
from sodai.lock import RunLock
lakehouse = storage.location(sys.argv[1], ObjectStoreConfig(endpoint_url=sys.argv[2], region="us-east-1"))
RunLock(lakehouse, "holder-run", lease_s=float(sys.argv[3])).acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_the_run_lock_is_a_lease_object_refusing_a_second_run_and_taken_over_after_its_holder_died(s3, tmp_path):
    settings = _on_s3(s3, tmp_path, "locked")
    lease_s = 4.0
    env = {**os.environ, **s3.credentials_env}
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_THE_LOCK, str(settings.lakehouse), s3.endpoint, str(lease_s)],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        time.sleep(lease_s)  # renewed meanwhile: still held after its first length
        refused = _sodai(settings, s3, "ingest")
        assert refused.returncode == 4, refused.stdout[-2000:]
        assert "holder-run" in refused.stdout and f"pid {holder.pid}" in refused.stdout
        with pytest.raises(RunLocked):
            RunLock(settings.lakehouse, "in-process", lease_s=lease_s).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    time.sleep(lease_s + 1)  # nobody renews a dead holder's lease
    with RunLock(settings.lakehouse, "next-run", lease_s=lease_s) as lock:
        assert lock.took_over is not None and lock.took_over.run_id == "holder-run"
        assert lock.took_over.pid == holder.pid
    assert not (settings.lakehouse / "_sodai.lock").exists()  # released: the next run starts at once


def test_status_and_the_report_site_read_the_lakehouse_in_the_store(scheduled, s3):
    from dashboards.data import ReportData

    done = _sodai(scheduled, s3, "status")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "silver.accounts" in done.stdout and "ops.pipeline_runs" in done.stdout
    site = ReportData(scheduled)
    assert not site.mart("key_findings").empty
    freshness = site.gold_freshness()
    assert freshness and all(row["in_lakehouse"] == row["in_report"] for row in freshness)
    assert {t.name for t in site.tables()} >= {"bronze.events", "silver.accounts", "ops.ingest_ledger"}
