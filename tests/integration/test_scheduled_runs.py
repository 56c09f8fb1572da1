"""Scheduled runs: `run --date D` is idempotent, `backfill` replays days in order, a kill -9 in any
stage followed by a re-run gives the undisturbed report, and a second run is refused by the lock.

Through the Sail engine as a separate server (remote mode), as a scheduler's runs would be: every
`sodai` call is its own process, so a kill takes the pipeline down and not the engine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sodai.history import read_history
from sodai.lock import RunLock
from sodai.stages import STAGE_NAMES
from tests.conftest import report_contents, settings_for
from tests.integration.conftest import PROJECT_ROOT, run_cli, silver_snapshot

pytestmark = [pytest.mark.integration, pytest.mark.sail]

DAY = date(2024, 3, 3)  # two weeks into the small landing
GOLD = ("key_findings", "figure_highlights", "fig01_models_over_time", "fig06_llm_library_usage_weekly")


def _gold(settings) -> dict[str, pd.DataFrame]:
    from sodai.delta_read import read_mart

    frames = {}
    for name in GOLD:
        frame = read_mart(settings.lakehouse, name).frame
        assert not frame.empty, name
        frames[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return frames


@pytest.fixture(scope="module")
def sail_url(engines) -> str:
    return engines.handle("sail").url


@pytest.fixture(scope="module")
def spark_for_sail(engines):
    return engines.handle("sail").session()


@pytest.fixture(scope="module")
def daily(small_landing, sail_url, tmp_path_factory):
    """A fresh lakehouse after one undisturbed `run --date DAY`: the reference."""
    settings = settings_for(tmp_path_factory.mktemp("daily"), "sail").with_overrides(
        paths={"landing": str(small_landing.root)})
    assert run_cli(settings, "run", "--date", DAY.isoformat(), remote_url=sail_url) == 0
    return settings


def _fresh(tmp_path: Path, small_landing):
    return settings_for(tmp_path, "sail").with_overrides(paths={"landing": str(small_landing.root)})


def test_run_for_a_day_reads_only_files_up_to_that_day(daily, spark_for_sail):
    bronze = spark_for_sail.read.format("delta").load(str(daily.lakehouse / "bronze" / "events"))
    assert bronze.count() > 0
    assert bronze.agg({"landing_date": "max"}).first()[0] == DAY


def test_the_same_day_twice_changes_nothing(daily, sail_url, spark_for_sail):
    silver, gold, report = silver_snapshot(spark_for_sail, daily.lakehouse), _gold(daily), report_contents(daily)
    bronze_rows = spark_for_sail.read.format("delta").load(str(daily.lakehouse / "bronze" / "events")).count()

    assert run_cli(daily, "run", "--date", DAY.isoformat(), remote_url=sail_url) == 0

    assert spark_for_sail.read.format("delta").load(str(daily.lakehouse / "bronze" / "events")).count() == bronze_rows
    again = silver_snapshot(spark_for_sail, daily.lakehouse)
    for name in silver:
        pd.testing.assert_frame_equal(silver[name], again[name], obj=name)
    for name, frame in _gold(daily).items():
        pd.testing.assert_frame_equal(gold[name], frame, obj=name)
    assert report_contents(daily) == report
    history = read_history(daily.lakehouse)
    assert history["run_id"].nunique() == 2
    assert set(history["status"]) == {"succeeded"}
    second = history[history["run_id"] == history["run_id"].iloc[0]]  # newest run first
    assert tuple(second["stage"]) == STAGE_NAMES  # every declared stage, in order
    assert second.set_index("stage").loc["ingest", "rows"] == 0  # nothing new to read


def test_backfill_replays_days_in_order_to_the_same_report(daily, small_landing, sail_url, tmp_path):
    settings = _fresh(tmp_path, small_landing)
    assert run_cli(settings, "backfill", "--from", "2024-03-02", "--to", DAY.isoformat(), remote_url=sail_url) == 0
    history = read_history(settings.lakehouse)
    runs = history.drop_duplicates("run_id").sort_values("started_at")
    assert [d.isoformat() for d in runs["run_date"]] == ["2024-03-02", DAY.isoformat()]
    assert report_contents(settings) == report_contents(daily)


@pytest.mark.parametrize(
    "failpoint",
    ["ingest.before_commit", "refine.after_merge.notebook_library_imported", "transform.after_node.int_usage_days"],
)
def test_a_kill_in_any_stage_then_a_rerun_gives_the_undisturbed_report(failpoint, daily, small_landing, sail_url, tmp_path):
    settings = _fresh(tmp_path, small_landing)
    assert run_cli(settings, "run", "--date", DAY.isoformat(), failpoint=failpoint, remote_url=sail_url) == -signal.SIGKILL
    assert not (settings.output / "report.json").exists()
    assert run_cli(settings, "run", "--date", DAY.isoformat(), remote_url=sail_url) == 0
    assert report_contents(settings) == report_contents(daily)
    for name, frame in _gold(settings).items():
        pd.testing.assert_frame_equal(_gold(daily)[name], frame, obj=name)


def test_a_second_run_is_refused_naming_the_holder(daily, sail_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAI")}
    env.update(SODAI__PATHS__LANDING=str(daily.landing), SODAI__PATHS__LAKEHOUSE=str(daily.lakehouse),
               SODAI__PATHS__OUTPUT=str(daily.output), SODAI__ENGINE__KIND="remote",
               SODAI__ENGINE__REMOTE_URL=sail_url)
    with RunLock(daily.lakehouse, "pipeline-holding-the-lock"):
        refused = subprocess.run([sys.executable, "-m", "orchestration.cli", "run", "--date", DAY.isoformat()], env=env,
                                 cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 4
    assert "pipeline-holding-the-lock" in refused.stderr and f"pid {os.getpid()}" in refused.stderr


@pytest.fixture
def sail_server(tmp_path):
    """A Sail Spark Connect server as its own process, started as the product starts it, that the
    run below only knows by its URL, as a cluster's would be."""
    from sodai.config import EngineConfig
    from sodai.engine import start_sail

    server = start_sail(EngineConfig(), tmp_path)
    try:
        yield server.url
    finally:
        server.stop()


def test_the_pipeline_runs_unchanged_on_its_own_spark_connect_server(daily, small_landing, sail_server, tmp_path):
    """Configured by SPARK_REMOTE alone, as on a cluster: no engine setting in conf or SODAI__*."""
    settings = _fresh(tmp_path, small_landing)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAI")}
    env.update(SODAI__PATHS__LANDING=str(settings.landing), SODAI__PATHS__LAKEHOUSE=str(settings.lakehouse),
               SODAI__PATHS__OUTPUT=str(settings.output), SPARK_REMOTE=sail_server)
    done = subprocess.run([sys.executable, "-m", "orchestration.cli", "run", "--date", DAY.isoformat()], env=env,
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Engine: remote" in done.stdout
    assert report_contents(settings) == report_contents(daily)
