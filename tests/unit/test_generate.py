"""Unit tests of the synthetic telemetry generator (jobs/generate): small, fast runs."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
import uuid
from collections import Counter
from pathlib import Path

import pytest

from jobs.contract import (
    ENVELOPE_REQUIRED,
    EVENT_TYPES_BY_NAME,
    INDUSTRIES,
    SCHEMA_VERSION,
    Rule,
)
from jobs.generate import (
    GenerationSummary,
    GeneratorParams,
    generate_telemetry,
    load_generator_params,
    redeliver_file,
    write_accounts_snapshot,
    write_event_file,
)

START, END = dt.date(2023, 11, 25), dt.date(2024, 1, 10)  # holiday dip, vector search, FM API
CUSTOMERS = 40


@pytest.fixture(scope="module")
def params() -> GeneratorParams:
    """The default configuration over a short period (two snapshots inside it)."""
    raw = load_generator_params().model_dump()
    raw["period"] = {"start": START, "end": END}
    raw["accounts"]["snapshots"] = [START, dt.date(2023, 12, 20)]
    raw["late"]["file_every_days"] = 5  # make late files likely in a short run
    return GeneratorParams.model_validate(raw)


def _run(params: GeneratorParams, landing: Path, **kwargs) -> GenerationSummary:
    kwargs.setdefault("customers", CUSTOMERS)
    kwargs.setdefault("seed", 7)
    return generate_telemetry(params, landing, **kwargs)


def _files(landing: Path) -> dict[str, bytes]:
    return {
        p.relative_to(landing).as_posix(): p.read_bytes()
        for p in sorted(landing.rglob("*"))
        if p.is_file() and "_manifest" not in p.parts
    }


def _event_lines(landing: Path):
    """(file path, folder date, line) for every line of every events file."""
    for path in sorted((landing / "events").rglob("*.json")):
        folder = dt.date.fromisoformat(path.parent.name.removeprefix("date="))
        for line in path.read_text(encoding="utf-8").splitlines():
            yield path, folder, line


# ------------------------------------------------------------------ a reference validator
_JSON_TYPES = {"string": (str,), "bigint": (int,), "double": (int, float)}


def _typed(value, sql_type: str) -> bool:
    return isinstance(value, _JSON_TYPES[sql_type]) and not isinstance(value, bool)


def broken_rule(line: str) -> str | None:
    """The contract rule a line breaks (None: a valid event), checked the way ingestion would."""
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return Rule.INVALID_JSON
    if not isinstance(event, dict) or any(k not in event for k in ENVELOPE_REQUIRED):
        return Rule.MISSING_REQUIRED_FIELD
    if not isinstance(event["schema_version"], int) or not isinstance(event["payload"], dict):
        return Rule.WRONG_TYPE
    if event["schema_version"] != SCHEMA_VERSION:
        return Rule.UNKNOWN_SCHEMA_VERSION
    if event["event_type"] not in EVENT_TYPES_BY_NAME:
        return Rule.UNKNOWN_EVENT_TYPE
    try:
        ts = dt.datetime.fromisoformat(event["event_ts"])
        if ts.tzinfo is None:
            return Rule.INVALID_TIMESTAMP
    except (TypeError, ValueError):
        return Rule.INVALID_TIMESTAMP
    payload = event["payload"]
    for field in EVENT_TYPES_BY_NAME[event["event_type"]].fields:
        if field.name not in payload:
            if field.required:
                return Rule.MISSING_REQUIRED_FIELD
            continue
        if not _typed(payload[field.name], field.sql_type):
            return Rule.WRONG_TYPE
    for field in EVENT_TYPES_BY_NAME[event["event_type"]].fields:
        if field.name in payload and field.check and not _holds(field.check, payload[field.name]):
            return field.check_rule
    return None


def _holds(check: str, value) -> bool:
    """Evaluate one of the contract's simple SQL predicates on `v` (comparison or IN list)."""
    if " in (" in check:
        return value in re.findall(r"'([^']*)'", check)
    match = re.fullmatch(r"v (>=|>) (-?\d+)", check)
    assert match, f"unsupported predicate {check}"
    op, bound = match.group(1), float(match.group(2))
    return value >= bound if op == ">=" else value > bound


# -------------------------------------------------------------------------------- tests
def test_default_conf_loads_and_covers_the_period() -> None:
    p = load_generator_params()
    assert (p.period.start, p.period.end) == (dt.date(2022, 2, 1), dt.date(2024, 5, 19))
    assert p.population.customers == 1000
    products = {x.name for x in p.products}
    assert {"Plotly Dash", "LangChain", "dbt", "Fivetran", "John Snow Labs"} <= products


def test_invalid_configuration_is_rejected() -> None:
    raw = load_generator_params().model_dump()
    raw["population"]["industry_share"]["energy"] = 0.1
    with pytest.raises(ValueError):
        GeneratorParams.model_validate(raw)


def test_same_seed_same_bytes_and_other_seed_differs(params, tmp_path) -> None:
    a = _run(params, tmp_path / "a", dirty_rate=0.02)
    b = _run(params, tmp_path / "b", dirty_rate=0.02)
    files_a, files_b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert files_a == files_b
    assert a.model_dump() == b.model_dump()
    assert files_a != _files(_run_path(params, tmp_path / "c", seed=8))


def _run_path(params, landing: Path, **kwargs) -> Path:
    _run(params, landing, **kwargs)
    return landing


def test_every_line_conforms_to_the_contract(params, tmp_path) -> None:
    summary = _run(params, tmp_path, customers=150)  # enough for every event type to occur
    seen_types, offsets, late = Counter(), 0, 0
    for path, folder, line in _event_lines(tmp_path):
        assert broken_rule(line) is None, line
        event = json.loads(line)
        assert uuid.UUID(event["event_id"]).version == 4
        assert event["customer_id"].startswith("cust-") and event["workspace_id"].startswith("ws-")
        assert event.get("cloud") in ("aws", "azure", "gcp")
        ts = dt.datetime.fromisoformat(event["event_ts"])
        offsets += not event["event_ts"].endswith("Z")
        utc_date = ts.astimezone(dt.timezone.utc).date()
        if utc_date != folder:  # a late event, delivered in the next day's file
            assert path.name.startswith("part-") and utc_date == folder - dt.timedelta(days=1)
            late += 1
        if path.name.startswith("late-"):
            late += 1
        seen_types[event["event_type"]] += 1
    assert set(seen_types) == set(EVENT_TYPES_BY_NAME)
    assert offsets > 0 and late == summary.late
    assert sum(seen_types.values()) == summary.events == summary.lines
    assert summary.duplicates == 0 and summary.dirty == {}
    assert any(f.startswith("events/") and "/late-" in f for f in summary.files)


def test_until_delivers_day_by_day_without_rewriting(params, tmp_path) -> None:
    cut = dt.date(2023, 12, 10)
    first = _run(params, tmp_path / "steps", until=cut, dirty_rate=0.03)
    dates = {dt.date.fromisoformat(f.split("=")[1].split("/")[0]) for f in first.files}
    assert max(dates) <= cut and first.until == cut
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "steps" / "events").rglob("*.json")}
    days: list[dt.date] = []
    second = _run(params, tmp_path / "steps", dirty_rate=0.03, on_day=lambda d, n: days.append(d))
    assert days[0] == cut + dt.timedelta(days=1) and days[-1] == END
    assert all(p.stat().st_mtime_ns == m for p, m in before.items())
    one_shot = _run(params, tmp_path / "once", dirty_rate=0.03)
    assert _files(tmp_path / "steps") == _files(tmp_path / "once")
    for key in ("events", "duplicates", "late", "dirty", "lines"):
        assert getattr(second, key) == getattr(one_shot, key)
    assert sorted(second.files) == sorted(one_shot.files)


def test_another_generation_into_the_same_landing_is_refused(params, tmp_path) -> None:
    _run(params, tmp_path, until=dt.date(2023, 11, 30))
    with pytest.raises(ValueError):
        _run(params, tmp_path, seed=99)


def test_dirty_lines_break_their_rule_and_duplicates_repeat_events(params, tmp_path) -> None:
    summary = _run(params, tmp_path, dirty_rate=0.05)
    kinds = set(summary.dirty)
    assert kinds == {
        "invalid_json", "missing_required_field", "wrong_type", "unknown_event_type",
        "unknown_schema_version", "invalid_timestamp", "negative_usage",
    }
    assert all(count > 0 for count in summary.dirty.values())
    rules, ids, duplicates, lines = Counter(), set(), 0, 0
    for _, _, line in _event_lines(tmp_path):
        lines += 1
        rule = broken_rule(line)
        if rule is not None:
            rules[rule] += 1
            continue
        event_id = json.loads(line)["event_id"]
        duplicates += event_id in ids
        ids.add(event_id)
    assert dict(rules) == summary.dirty
    assert duplicates == summary.duplicates > 0
    assert lines == summary.lines == summary.events + sum(summary.dirty.values())


def test_valid_events_do_not_depend_on_dirty_rate(params, tmp_path) -> None:
    clean = _run(params, tmp_path / "clean")
    dirty = _run(params, tmp_path / "dirty", dirty_rate=0.05)
    assert dirty.events - dirty.duplicates == clean.events

    def valid(landing: Path) -> set[str]:
        return {line for _, _, line in _event_lines(landing) if broken_rule(line) is None}

    assert valid(tmp_path / "clean") == valid(tmp_path / "dirty")


def test_redeliver_file_keeps_the_bytes_and_renews_the_mtime(params, tmp_path) -> None:
    summary = _run(params, tmp_path, until=dt.date(2023, 11, 27))
    relative = next(f for f in summary.files if f.endswith("part-0000.json"))
    path = tmp_path / relative
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    redeliver_file(tmp_path, relative)
    assert path.read_bytes() == data and path.stat().st_mtime_ns > mtime
    assert not list(path.parent.glob("*.tmp"))


def test_accounts_snapshots_are_unique_and_newest_differs(params, tmp_path) -> None:
    summary = _run(params, tmp_path, customers=200)
    snapshots = sorted(f for f in summary.files if f.startswith("accounts/"))
    assert len(snapshots) == 2
    tables = []
    for relative in snapshots:
        with open(tmp_path / relative, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == ["customer_id", "industry", "country", "segment"]
            rows = list(reader)
        ids = [r["customer_id"] for r in rows]
        assert len(ids) == len(set(ids))
        tables.append({r["customer_id"]: r["industry"] for r in rows})
    older, newest = tables
    assert len(newest) < len(older)  # some customers are absent from the newest snapshot
    assert any(older[c] != newest[c] for c in newest)  # some changed industry
    assert any(v not in INDUSTRIES for v in newest.values())  # off-list spellings


def test_write_event_file_plain_and_gzip(tmp_path) -> None:
    day = dt.date(2024, 1, 2)
    events = [{"event_id": str(uuid.UUID(int=1)), "payload": {"x": "é"}}, "not json"]
    plain = write_event_file(tmp_path, day, events, "hand.json")
    assert plain == tmp_path / "events" / "date=2024-01-02" / "hand.json"
    assert plain.read_text(encoding="utf-8").splitlines()[1] == "not json"
    packed = write_event_file(tmp_path, day, events, "hand.json", gzip=True)
    assert packed.name == "hand.json.gz"
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    again = write_event_file(tmp_path, day, events, "again.json", gzip=True)
    assert again.read_bytes() == packed.read_bytes()


def test_write_accounts_snapshot_quotes_industries(tmp_path) -> None:
    rows = [{"customer_id": "cust-000001", "industry": INDUSTRIES[0], "country": "US", "segment": "smb"}]
    path = write_accounts_snapshot(tmp_path, dt.date(2024, 1, 1), rows)
    assert path == tmp_path / "accounts" / "snapshot=2024-01-01" / "accounts.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        assert list(csv.DictReader(fh)) == rows


def test_manifest_holds_the_summary(params, tmp_path) -> None:
    summary = _run(params, tmp_path, until=dt.date(2023, 11, 28))
    manifest = json.loads((tmp_path / "_manifest" / "generation.json").read_text())
    assert GenerationSummary.model_validate(manifest) == summary
    assert summary.customers == CUSTOMERS and summary.seed == 7 and summary.start == START
