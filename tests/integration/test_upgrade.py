"""A lakehouse built by the last release keeps working after this version changed a table's layout.

tests/fixtures/lakehouse-0.1.0.tar.gz holds a landing zone and what sodai 0.1.0 made of it with
`sodai run --date 2024-04-07` on the default (JVM) engine: the lakehouse and the gates' state
(tests/fixtures/README.md). This version runs the next scheduled day on it, as a team upgrading
in place would, and must end where a lakehouse built by this version alone ends.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from jobs import storage
from jobs.ingest import tables as T
from tests.conftest import report_contents, settings_for
from tests.integration.conftest import cli_process

pytestmark = [pytest.mark.integration, pytest.mark.sail]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lakehouse-0.1.0.tar.gz"
NEXT_DAY = date(2024, 4, 14)  # the fixture's lakehouse holds the days up to 2024-04-07
NO_MLFLOW_SERVER = {"MLFLOW_TRACKING_URI": ""}  # MLflow's store under the output folder


def _unpack(root: Path) -> None:
    # GNU tar restores the landing files' modification times to the nanosecond, as the ledger
    # recorded them (Python's tarfile rounds them): the files stay known, as on the team's disk.
    root.mkdir(parents=True)
    subprocess.run(["tar", "xzf", str(FIXTURE), "-C", str(root)], check=True)


@pytest.fixture(scope="module")
def upgraded(engines, tmp_path_factory):
    """The next day run by this version on the lakehouse 0.1.0 built: (settings, its output)."""
    root = tmp_path_factory.mktemp("upgrade") / "team"
    _unpack(root)
    settings = settings_for(root, "sail")
    ran = cli_process(settings, "run", "--date", NEXT_DAY.isoformat(), remote_url=engines.handle("sail").url,
                      extra_env=NO_MLFLOW_SERVER)
    return settings, ran


@pytest.fixture(scope="module")
def built_by_this_version(engines, tmp_path_factory):
    """The same landing through the same day, on a lakehouse this version built alone."""
    unpacked = tmp_path_factory.mktemp("fresh") / "unpacked"
    _unpack(unpacked)
    root = unpacked.parent / "team"
    root.mkdir()
    shutil.move(unpacked / "landing", root / "landing")
    settings = settings_for(root, "sail")
    ran = cli_process(settings, "run", "--date", NEXT_DAY.isoformat(), remote_url=engines.handle("sail").url,
                      extra_env=NO_MLFLOW_SERVER)
    assert ran.returncode == 0, ran.stdout[-3000:]
    return settings


def test_the_next_run_adds_the_new_columns_in_place_and_says_so(upgraded):
    settings, ran = upgraded
    assert ran.returncode == 0, ran.stdout[-3000:]
    for table in ("bronze.events", "bronze.accounts", "ops.quarantine"):
        assert f"Lakehouse upgraded in place: {table}: added column raw_bytes binary" in ran.stdout
    bronze = storage.open_delta(storage.table_path(settings.lakehouse, T.BRONZE_EVENTS))
    assert [op["operation"] for op in bronze.history() if op["operation"] == "ADD COLUMN"] == ["ADD COLUMN"]
    rows = bronze.to_pyarrow_table(columns=["landing_date", "raw_bytes", "status"]).to_pandas()
    # the days 0.1.0 ingested and the new ones, in one table; no line of the fixture is not UTF-8
    assert rows["landing_date"].max() == NEXT_DAY and rows["landing_date"].min() < date(2024, 4, 7)
    assert rows["raw_bytes"].isna().all()


def test_the_upgraded_lakehouse_gives_the_report_of_one_this_version_built(upgraded, built_by_this_version):
    settings, ran = upgraded
    assert ran.returncode == 0, ran.stdout[-3000:]
    assert report_contents(settings) == report_contents(built_by_this_version)


def test_a_second_run_finds_nothing_to_upgrade(upgraded, engines):
    settings, _ = upgraded
    again = cli_process(settings, "run", "--date", NEXT_DAY.isoformat(), remote_url=engines.handle("sail").url,
                        extra_env=NO_MLFLOW_SERVER)
    assert again.returncode == 0, again.stdout[-3000:]
    assert "Lakehouse upgraded in place" not in again.stdout
