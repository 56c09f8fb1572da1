"""A small generated telemetry set, ingested and refined once on the default engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from jobs.lakehouse import Lakehouse
from jobs.refine.tables import EVENT_TABLES
from sodai import pipeline
from sodai.config import Settings
from tests.conftest import DEFAULT_ENGINE, settings_for

SMALL_CUSTOMERS = 40
SEED = 11
DIRTY_RATE = 0.01
# Eleven weeks around the end of the report window: every event type occurs, and a run takes
# seconds rather than minutes (the full period is exercised by the demo and the benchmark).
SMALL_PERIOD = (date(2024, 2, 19), date(2024, 5, 5))
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Landing:
    root: Path
    summary: object  # jobs.generate.GenerationSummary

    @property
    def event_bytes(self) -> int:
        """Landed bytes of the event files (what `ingest.bytes_per_batch` counts)."""
        return sum(f.stat().st_size for f in (self.root / "events").rglob("*") if f.is_file())


def generate_small(root: Path, until: date | None = None):
    """The small telemetry set into `root`; with `until`, only the days up to it (a later call
    delivers the rest, as the generator's day-by-day delivery does)."""
    from jobs.generate import generate_telemetry, load_generator_params
    from jobs.generate.params import PeriodParams
    from sodai.config import load_settings

    settings = load_settings(environ={})
    params = load_generator_params(settings.resolve(settings.generator.params))
    params = params.model_copy(update={"period": PeriodParams(start=SMALL_PERIOD[0], end=SMALL_PERIOD[1])})
    return generate_telemetry(params, landing=root, customers=SMALL_CUSTOMERS, seed=SEED, until=until,
                              dirty_rate=DIRTY_RATE)


# The report window on a few customers, for what needs months of history (forecasts, the
# notebooks): 30 customers over 16 months, about a minute of pipeline on Sail.
WINDOW_CUSTOMERS, WINDOW_PERIOD = 30, (date(2023, 1, 2), date(2024, 4, 30))


def generate_window(root: Path, dirty_rate: float = 0.0):
    """WINDOW_CUSTOMERS customers over WINDOW_PERIOD into `root`."""
    from jobs.generate import generate_telemetry, load_generator_params
    from jobs.generate.params import PeriodParams
    from sodai.config import load_settings

    settings = load_settings(environ={})
    params = load_generator_params(settings.resolve(settings.generator.params))
    params = params.model_copy(update={"period": PeriodParams(start=WINDOW_PERIOD[0], end=WINDOW_PERIOD[1])})
    return generate_telemetry(params, landing=root, customers=WINDOW_CUSTOMERS, seed=SEED, dirty_rate=dirty_rate)


# The window run's suppression threshold: low enough that monthly series have published periods
# to compare (the notebooks' deep-dive) and to backtest (the forecasts); the earliest months are
# still suppressed, as in the real data.
WINDOW_K = 3


@dataclass
class WindowRun:
    settings: Settings
    env: dict[str, str]  # what a process working on this run needs (a notebook's kernel): its paths and engine


@pytest.fixture(scope="session")
def window_run(engines, tmp_path_factory) -> WindowRun:
    """The window set (1% dirty lines) through one `sodai run` on Sail, with WINDOW_K and the
    MLflow store under the output folder. Read-only for its users (tracking, notebooks)."""
    root = tmp_path_factory.mktemp("window_run")
    generate_window(root / "landing", dirty_rate=0.01)
    url = engines.handle("sail").url
    settings = settings_for(root, "sail").with_overrides(report={"suppression_min_customers": WINDOW_K})
    env = {
        "SODAI__PATHS__LANDING": str(settings.landing), "SODAI__PATHS__LAKEHOUSE": str(settings.lakehouse),
        "SODAI__PATHS__OUTPUT": str(settings.output), "SODAI__ENGINE__KIND": "remote",
        "SODAI__ENGINE__REMOTE_URL": url, "SODAI__REPORT__SUPPRESSION_MIN_CUSTOMERS": str(WINDOW_K),
        "MLFLOW_TRACKING_URI": "",  # the store under the output folder
    }
    assert run_cli(settings, "run", remote_url=url,
                   extra_env={"SODAI__REPORT__SUPPRESSION_MIN_CUSTOMERS": str(WINDOW_K), "MLFLOW_TRACKING_URI": ""}) == 0
    return WindowRun(settings, env)


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> Landing:
    """Generated once per test session; tests that change a landing copy it first."""
    root = tmp_path_factory.mktemp("small") / "landing"
    return Landing(root, generate_small(root))


def copy_landing(landing: Landing, to: Path) -> Path:
    shutil.copytree(landing.root, to, copy_function=shutil.copy2)
    return to


@dataclass
class Refined:
    settings: Settings
    ingest: object
    refine: object


@pytest.fixture(scope="session")
def refined(small_landing, tmp_path_factory, engines) -> Refined:
    """The small landing ingested and refined on the default engine (read-only for tests)."""
    root = tmp_path_factory.mktemp("refined")
    settings = settings_for(root).with_overrides(paths={"landing": str(small_landing.root)})
    spark = engines.handle(DEFAULT_ENGINE).session()
    report_ingest = pipeline.ingest(settings, spark)
    report_refine = pipeline.refine(settings, spark)
    return Refined(settings, report_ingest, report_refine)


def silver_snapshot(spark, lakehouse_root: Path) -> dict[str, pd.DataFrame]:
    """Every silver event table as a sorted pandas frame, without run-specific columns."""
    lakehouse = Lakehouse(lakehouse_root)
    frames = {}
    for spec in EVENT_TABLES.values():
        frame = spark.read.format("delta").load(lakehouse.location(spec)).drop("ingest_run_id").toPandas()
        frames[spec.name] = frame.sort_values("event_id").reset_index(drop=True)
    from jobs.refine.tables import ACCOUNTS

    accounts = spark.read.format("delta").load(lakehouse.location(ACCOUNTS)).toPandas()
    frames["accounts"] = accounts.sort_values("customer_key").reset_index(drop=True)
    return frames


def run_cli(settings: Settings, *args: str, failpoint: str | None = None, remote_url: str | None = None,
            extra_env: dict[str, str] | None = None) -> int:
    """Run `sodai <args>` in a child process on the given settings' paths; returns the exit code.

    With `remote_url` the child is a client of an engine that is already running (as a pipeline
    is on a cluster), so killing the child kills the pipeline, not the engine. `extra_env`
    adds variables (e.g. SODAI__REPORT__... overrides).
    """
    completed = cli_process(settings, *args, failpoint=failpoint, remote_url=remote_url, extra_env=extra_env)
    if failpoint is None and completed.returncode != 0:
        print(completed.stdout[-5000:])
    return completed.returncode


def cli_env(settings: Settings, failpoint: str | None = None, remote_url: str | None = None,
            extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `sodai` child process on these settings (none of this process's SODAI_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAI")}
    env.update(
        SODAI__PATHS__LANDING=str(settings.landing),
        SODAI__PATHS__LAKEHOUSE=str(settings.lakehouse),
        SODAI__PATHS__OUTPUT=str(settings.output),
    )
    if remote_url:
        env.update(SODAI__ENGINE__KIND="remote", SODAI__ENGINE__REMOTE_URL=remote_url)
    else:
        env.update(SODAI__ENGINE__KIND=DEFAULT_ENGINE)
    if failpoint:
        env["SODAI_FAILPOINT"] = failpoint
    env.update(extra_env or {})
    return env


def cli_process(settings: Settings, *args: str, failpoint: str | None = None, remote_url: str | None = None,
                extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """run_cli's child process, finished: its exit code and its output (stdout and stderr, merged)."""
    env = cli_env(settings, failpoint, remote_url, extra_env)
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args], env=env, cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=CLI_TIMEOUT_S,
    )


# A guard against a hung process, not a speed check: a whole `sodai run` on the JVM engine,
# beside the other test worker on a slow day, has taken more than 15 minutes.
CLI_TIMEOUT_S = 2400
