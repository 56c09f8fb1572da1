"""An S3-compatible store (s3proxy, tests/servers) started once per test session, with the
credentials its clients take from the standard chain set in this process's environment; the
telemetry the pipeline runs on there, and its report on local paths to compare with."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import built_once, settings_for
from tests.conftest import report_contents as report_of  # noqa: F401 (the store tests import it here)
from tests.integration.conftest import cli_process, generate_small
from tests.servers.s3proxy import S3Proxy

DAYS = (date(2024, 3, 1), date(2024, 3, 2))  # scheduled runs; then a backfill of BACKFILL_DAY
BACKFILL_DAY = date(2024, 3, 3)


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    server = S3Proxy(tmp_path_factory.mktemp("s3proxy")).start()
    saved = {k: os.environ.get(k) for k in server.credentials_env}
    os.environ.update(server.credentials_env)  # deltalake and s3fs in this process read them there
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def local_landing(tmp_path_factory):
    """The telemetry, written once for both test workers (the cluster and the store tests)."""
    return built_once(tmp_path_factory, "landing", lambda root: generate_small(root, until=BACKFILL_DAY))


@pytest.fixture(scope="session")
def reference(local_landing, tmp_path_factory):
    """The same telemetry on local paths: one run for the last day, on Sail (the engines give the
    same marts: tests/known_answers/test_engine_parity.py). Run once for both test workers: the
    tests only read it."""
    def settings(root: Path):
        return settings_for(root, "sail").with_overrides(paths={"landing": str(local_landing)})

    def run(root: Path) -> None:
        done = cli_process(settings(root), "run", "--date", BACKFILL_DAY.isoformat(),
                           extra_env={"SODAI__ENGINE__KIND": "sail"})
        assert done.returncode == 0, done.stdout[-3000:]

    return settings(built_once(tmp_path_factory, "reference", run))


def on_s3(s3, root, bucket: str, engine: str = "sail", **overrides):
    """Settings with landing and lakehouse in a new bucket of the store."""
    s3.create_bucket(bucket)
    return settings_for(root, engine).with_overrides(
        paths={"landing": f"s3://{bucket}/landing", "lakehouse": f"s3://{bucket}/lakehouse"},
        object_store=s3.object_store, **overrides)


def store_env(settings, s3) -> dict[str, str]:
    """A `sodai` process's environment for these settings: the store's endpoint as settings, its
    credentials where the standard chain finds them."""
    env = {"SODAI__ENGINE__KIND": settings.engine.kind, **s3.credentials_env,
           "SODAI__OBJECT_STORE__ENDPOINT_URL": s3.endpoint, "SODAI__OBJECT_STORE__REGION": "us-east-1"}
    if settings.engine.remote_url:
        env["SODAI__ENGINE__REMOTE_URL"] = settings.engine.remote_url
    if settings.paths.publish:
        env["SODAI__PATHS__PUBLISH"] = settings.paths.publish
    if settings.tracking.artifact_location:
        env["SODAI__TRACKING__ARTIFACT_LOCATION"] = settings.tracking.artifact_location
    return env


def sodai(settings, s3, *args: str) -> subprocess.CompletedProcess:
    return cli_process(settings, *args, extra_env=store_env(settings, s3))
