"""A new team's first week, on a landing shaped as real teams' are (tests/integration/first_week.py):
one accounts snapshot dated after every event, products that launch mid-history, a quiet stretch.

Dated runs and backfills pass every day and end at the one-shot report; each day says which
accounts snapshot its industries come from; an event type with no events yet, or none lately, is
a named warning; a landing without any snapshot runs with industry Other and a warning; a new
pseudonym key is refused until `sodai refine --rekey` rebuilds silver and gold with it.

Through the Sail engine as a separate server, every `sodai` call its own process (as a scheduler's
runs are). The same rules on the JVM engine: test_a_day_before_the_snapshot_and_the_launches_...
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from sodai import pipeline, pseudonym_keys
from sodai.delta_read import read_pandas
from sodai.history import read_history
from tests.conftest import DEFAULT_ENGINE, report_contents, settings_for
from tests.integration import first_week
from tests.integration.conftest import cli_process

pytestmark = pytest.mark.integration

OWN_KEY = "a-team-s-own-pseudonym-key"


def _report(settings) -> dict:
    return json.loads((settings.output / "report.json").read_text())


def _sodai(settings, url: str, *args: str, key: str | None = None):
    env = dict(first_week.SETTINGS, **({"SODAI_PSEUDONYM_KEY": key} if key else {}))
    done = cli_process(settings, *args, remote_url=url, extra_env=env)
    return done.returncode, " ".join(done.stdout.split())  # rich wraps lines at the terminal's width


def _by_day(output: str) -> dict[date, str]:
    """A backfill's output, split at each day's "Run <id> for <day>"."""
    parts = re.split(r"Run pipeline-\S+ for (\d{4}-\d{2}-\d{2})", output)
    return {date.fromisoformat(day): text for day, text in zip(parts[1::2], parts[2::2])}


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("first_week") / "landing"
    first_week.write_landing(root)
    return root


@pytest.fixture(scope="module")
def sail_url(engines) -> str:
    return engines.handle("sail").url


@pytest.fixture(scope="module")
def one_shot(landing, sail_url, tmp_path_factory):
    """One `sodai run` over everything landed, with the demo key: the reference."""
    settings = settings_for(tmp_path_factory.mktemp("one_shot"), "sail").with_overrides(paths={"landing": str(landing)})
    code, output = _sodai(settings, sail_url, "run")
    assert code == 0, output[-3000:]
    assert "Industries: accounts snapshot 2024-03-20, the newest delivered." in output
    return settings


@pytest.mark.sail
def test_a_backfill_from_the_first_day_to_the_last_passes_every_day_and_ends_at_the_one_shot_report(
        landing, one_shot, sail_url, tmp_path):
    settings = settings_for(tmp_path, "sail").with_overrides(paths={"landing": str(landing)})
    code, output = _sodai(settings, sail_url, "backfill", "--from", first_week.FIRST_DAY.isoformat(),
                          "--to", first_week.LAST_DAY.isoformat())
    assert code == 0, output[-3000:]
    days = _by_day(output)
    assert list(days) == first_week.days()
    for day, text in days.items():
        assert "failed:" not in text, day
        assert (f"Industries: accounts snapshot 2024-03-20, dated after the run date {day}: no snapshot is dated "
                "on or before it, so the earliest delivered is used.") in text, day
        quiet = set(re.findall(r"warning: event_type_quiet (silver\.\w+) has", text))
        expected = {"silver.fm_api_request"} if day < first_week.FM_API_START else set()
        expected |= {"silver.vector_search_request"} if day < first_week.VECTOR_SEARCH_START else set()
        expected |= {"silver.serving_usage"} if day in first_week.SERVING_QUIET_DAYS else set()
        assert quiet == expected, day
        if day in first_week.SERVING_QUIET_DAYS:
            assert "silver.serving_usage has had no events since 2024-03-04." in text
        if day < first_week.FM_API_START:
            assert "warning: event_type_quiet silver.fm_api_request has no events yet." in text
    history = read_history(settings.lakehouse)
    assert set(history["status"]) == {"succeeded"}
    assert sorted(set(history["run_date"])) == first_week.days()

    assert report_contents(settings) == report_contents(one_shot)
    backfilled, reference = _report(settings), _report(one_shot)
    assert backfilled["provenance"]["reference_data"] == {
        "accounts_snapshot": "2024-03-20", "run_date": first_week.LAST_DAY.isoformat(), "rule": "earliest_after",
        "note": f"accounts snapshot 2024-03-20, dated after the run date {first_week.LAST_DAY}: no snapshot is "
                "dated on or before it, so the earliest delivered is used"}
    assert reference["provenance"]["reference_data"]["rule"] == "newest"
    published = [f for f in backfilled["key_findings"] if not f["suppressed"]]
    assert published, "the first week publishes some key findings"


@pytest.mark.sail
def test_a_landing_without_any_accounts_snapshot_runs_with_industry_other_and_a_warning(landing, sail_url, tmp_path):
    shutil.copytree(landing, tmp_path / "landing")
    shutil.rmtree(tmp_path / "landing" / "accounts")
    settings = settings_for(tmp_path, "sail").with_overrides(paths={"landing": str(tmp_path / "landing")})
    code, output = _sodai(settings, sail_url, "run")
    assert code == 0, output[-3000:]
    assert "warning: accounts_snapshot_missing: no accounts snapshot delivered: every customer is counted in " \
           "industry Other" in output
    assert "warning: accounts_snapshot_missing silver.accounts is empty: no accounts snapshot has been " \
           "delivered" in output  # the silver gate's
    industries = read_pandas(settings.lakehouse / "gold" / "intermediate" / "int_customer_industry")
    assert len(industries) == len(first_week.CUSTOMERS) and set(industries["industry_key"]) == {"other"}
    assert _report(settings)["provenance"]["reference_data"]["rule"] == "none"


@pytest.mark.sail
def test_a_new_pseudonym_key_is_refused_until_rekey_rebuilds_silver_and_gold(one_shot, sail_url, tmp_path):
    settings = settings_for(tmp_path, "sail").with_overrides(paths={"landing": str(one_shot.landing)})
    for folder in ("lakehouse", "output"):
        shutil.copytree(getattr(one_shot, folder), getattr(settings, folder))
    versions = _silver_versions(settings)

    code, output = _sodai(settings, sail_url, "run", key=OWN_KEY)
    assert code == 2
    assert "the pseudonym key changed" in output and "sodai refine --rekey" in output
    assert _silver_versions(settings) == versions  # refused before any stage

    code, output = _sodai(settings, sail_url, "refine", "--rekey", key=OWN_KEY)
    assert code == 0, output[-3000:]
    assert "Gold holds pseudonyms of an earlier key: a full dbt build rebuilds it." in output
    own = pseudonym_keys.fingerprint(OWN_KEY.encode())
    assert pseudonym_keys.recorded(settings.lakehouse, "silver") == own
    assert pseudonym_keys.recorded(settings.lakehouse, "gold") == own
    expected = _pseudonyms_of_bronze(settings, OWN_KEY)
    for table in (settings.lakehouse / "silver").iterdir():
        keys = set(read_pandas(table, ["customer_key"])["customer_key"])
        assert keys and keys <= expected, table.name
    gold_keys = set(read_pandas(settings.lakehouse / "gold" / "intermediate" / "int_customer_industry")["customer_key"])
    assert gold_keys == expected  # every customer once, under the new key only

    code, output = _sodai(settings, sail_url, "run", key=OWN_KEY)
    assert code == 0, output[-3000:]
    assert report_contents(settings) == report_contents(one_shot)  # the report of a fresh run

    code, output = _sodai(settings, sail_url, "run")  # back to the demo key: refused the other way too
    assert code == 2 and f"this run's key (SODAI_PSEUDONYM_KEY) has fingerprint " \
                         f"{pseudonym_keys.fingerprint(b'sodai-public-demo-key-do-not-use-in-production')}" in output


def _silver_versions(settings) -> dict[str, int]:
    from deltalake import DeltaTable

    return {p.name: DeltaTable(str(p)).version() for p in (settings.lakehouse / "silver").iterdir()}


def _pseudonyms_of_bronze(settings, key: str) -> set[str]:
    """Every accepted bronze customer id's pseudonym under `key`, computed here, not by the engine."""
    bronze = read_pandas(settings.lakehouse / "bronze" / "events", ["customer_id", "status"])
    ids = set(bronze.loc[bronze["status"] == "accepted", "customer_id"])
    return {pseudonym_keys.pseudonym(key.encode(), customer_id) for customer_id in ids}


def test_a_day_before_the_snapshot_and_the_launches_passes_the_gates_on_the_jvm_engine(engines, tmp_path, monkeypatch):
    """The rules above on the default engine, stage by stage in-process: the first day's ingest
    takes the later snapshot, the gates pass with the named warnings, and a key change is refused
    until a rekey rebuilds silver under the new key."""
    first_week.write_landing(tmp_path / "landing")
    settings = settings_for(tmp_path).with_overrides(
        paths={"landing": str(tmp_path / "landing")},
        quality={"freshness_max_lag_days": first_week.FRESHNESS_MAX_LAG_DAYS},
        report={"suppression_min_customers": first_week.SUPPRESSION_MIN_CUSTOMERS})
    spark = engines.handle(DEFAULT_ENGINE).session()
    day = first_week.FIRST_DAY
    monkeypatch.delenv("SODAI_PSEUDONYM_KEY", raising=False)

    ingested = pipeline.ingest(settings, spark, until=day)
    assert sorted(f.file_path for f in ingested.files) == [
        "accounts/snapshot=2024-03-20/accounts.csv", f"events/date={day}/part-0000.json"]
    pipeline.gate(settings, spark, "bronze", "first-day", day, new_batches_only=True)
    pipeline.refine(settings, spark)
    silver = pipeline.gate(settings, spark, "silver", "first-day", day, new_batches_only=True)
    warned = {(r.suite, w.check) for r in silver.results for w in r.warnings}
    assert warned == {("silver.fm_api_request", "event_type_quiet"),
                      ("silver.vector_search_request", "event_type_quiet")}
    assert pipeline.accounts_snapshot(settings, day).rule == "earliest_after"

    monkeypatch.setenv("SODAI_PSEUDONYM_KEY", OWN_KEY)
    with pytest.raises(pseudonym_keys.KeyChanged):
        pipeline.refine(settings, spark)
    pipeline.refine(settings, spark, rekey=True)
    keys = set(read_pandas(settings.lakehouse / "silver" / "uc_activity", ["customer_key"])["customer_key"])
    assert keys and keys <= _pseudonyms_of_bronze(settings, OWN_KEY)
    pipeline.gate(settings, spark, "silver", "rekeyed", day, new_batches_only=True)
