"""The pipeline on a Spark standalone cluster (a master, two workers of 1 core and 1 GiB, and a
Spark Connect server submitted to it with Delta and S3A), through `sc://`, with landing and
lakehouse in the S3-compatible store: a first scheduled day, then a run two days later (a day
missed: its telemetry is caught up with the next) give the report of the same telemetry on local
paths, although a worker is killed with `kill -9` while a refine task runs on the first day and
the other while dbt builds on the last. The first run creates every table; the second merges into
them (refine, dbt's incremental models), so both paths run on the cluster.

The runs leave the quality gates out (`quality.enabled` false), dbt's data tests (gold's gate)
with them. A gate is read-only queries through Spark Connect on the Delta tables the stages around
it read too; on 1-core executors each costs statement latency (the gates were a fifth of a run;
dbt's tests, 93 of the first day's 137 nodes, took its build from 66 to 128 s). They are tested
on the JVM engine on local paths (test_first_week, test_engine_parity) and in the store on Sail
(test_pipeline_on_s3). The report does not depend on them.

The kills land while the killed executor runs a task (tests/servers/spark_cluster.py freezes the
worker, sees the task unfinished, then kills it): the driver loses that task and runs it again on
the other worker, and the run goes on.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading

import pytest

from jobs.storage import ObjectStoreConfig
from sodai.delta_read import read_pandas
from tests.integration.conftest import PROJECT_ROOT, cli_env
from tests.object_store.conftest import BACKFILL_DAY, DAYS, on_s3, report_of, store_env
from tests.servers.spark_cluster import SparkCluster

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

# The lines a run prints as the stage before the one a worker is killed in ends (the gates between
# them are off)
REFINE_STARTS = "Ingest reconciliation"
DBT_STARTS = "Refine refine-"
WITHOUT_GATES = {"SODAI__QUALITY__ENABLED": "false"}
# A guard against a hung run, not a speed check: the first day's whole build on the cluster,
# beside the other test worker's JVM, has taken more than 20 minutes.
RUN_TIMEOUT_S = 3600


@pytest.fixture(scope="module")
def cluster(s3, tmp_path_factory):
    with SparkCluster(tmp_path_factory.mktemp("cluster"), ObjectStoreConfig(**s3.object_store),
                      s3.credentials_env) as running:
        yield running


def _run_killing_a_worker(settings, s3, cluster: SparkCluster, worker: int, once: str, *args: str) -> tuple[int, str, str]:
    """`sodai *args`; once its output shows `once`, worker `worker` is killed while it runs a task.
    Returns the exit code, the output and the killed task's id."""
    env = cli_env(settings, extra_env={**store_env(settings, s3), **WITHOUT_GATES, "PYTHONUNBUFFERED": "1"})
    run = subprocess.Popen([sys.executable, "-m", "orchestration.cli", *args], env=env, cwd=PROJECT_ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    reached = threading.Event()

    def read() -> None:  # drained on its own thread: a full pipe would stall the run mid-stage
        for line in run.stdout:
            output.append(line)
            if once in line:
                reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert reached.wait(timeout=RUN_TIMEOUT_S), "".join(output)[-3000:]
        killed = cluster.kill_worker_mid_task(worker)
        try:
            run.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"sodai {' '.join(args)} still running after {RUN_TIMEOUT_S} s:\n" + "".join(output)[-3000:])
    finally:
        if run.poll() is None:
            run.kill()
    reader.join(timeout=10)
    return run.returncode, "".join(output), killed


@pytest.fixture(scope="module")
def on_cluster(s3, cluster, local_landing, tmp_path_factory):
    """The first day with worker 0 killed during refine (then a new worker 0); the last day, the
    day between missed, with worker 1 killed during dbt's build."""
    settings = on_s3(s3, tmp_path_factory.mktemp("on_cluster"), "cluster", engine="spark").with_overrides(
        engine={"kind": "remote", "remote_url": cluster.url})
    s3.upload(local_landing, str(settings.landing))
    killed = {}
    code, output, killed["refine"] = _run_killing_a_worker(settings, s3, cluster, 0, REFINE_STARTS,
                                                           "run", "--date", DAYS[0].isoformat())
    assert code == 0, output[-3000:]
    cluster.restart_worker(0)
    code, output, killed["dbt"] = _run_killing_a_worker(settings, s3, cluster, 1, DBT_STARTS,
                                                        "run", "--date", BACKFILL_DAY.isoformat())
    assert code == 0, output[-3000:]
    return settings, killed


def _accepted_events(settings) -> int:
    bronze = read_pandas(settings.lakehouse / "bronze" / "events", ["status"])
    return int((bronze["status"] == "accepted").sum())


def test_the_daily_runs_on_a_cluster_give_the_report_of_local_paths(on_cluster, reference):
    settings, _ = on_cluster
    assert report_of(settings) == report_of(reference)
    assert _accepted_events(settings) == _accepted_events(reference)


def test_the_tasks_of_a_killed_worker_ran_again_elsewhere(on_cluster, cluster):
    """The driver lost each killed worker's executor with the task it was running, and started
    that task again (its next attempt); the runs finished (the fixture)."""
    _, killed = on_cluster
    log = cluster.driver_log()
    assert log.count("Lost executor") >= len(killed)
    for stage, task in killed.items():
        lost = next((line for line in log.splitlines() if f"(TID {task})" in line
                     and ("its executor exited" in line or "ExecutorLostFailure" in line)), None)
        assert lost is not None, f"{stage}: task {task} was not lost"
        index, attempt, stage_id, stage_attempt = re.search(
            r"task (\d+)\.(\d+) in stage (\d+)\.(\d+) \(TID", lost).groups()
        # Its next attempt in the same task set, or, when a sibling's fetch failure made Spark
        # resubmit the whole stage, that task in the stage's next attempt.
        next_attempt = f"Starting task {index}.{int(attempt) + 1} in stage {stage_id}.{stage_attempt} "
        resubmitted = re.search(rf"Starting task {index}\.\d+ in stage {stage_id}\.{int(stage_attempt) + 1} ", log)
        assert next_attempt in log or resubmitted, f"{stage}: {lost}"
