"""Hostile landing files (tests/integration/hostile_files.py) through the ingest, on both engines:
each file's accepted, duplicate and quarantined counts and rules, the exact bytes of every line
that is not UTF-8, and the same bronze on both engines."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import pandas as pd
import pytest

from jobs.ingest import tables as T
from jobs.lakehouse import Lakehouse
from sodai import pipeline
from tests.conftest import settings_for
from tests.integration.hostile_files import ACCOUNTS_CASES, CASES, Case

ENGINES = ["spark", pytest.param("sail", marks=pytest.mark.sail)]
BRONZE_COLUMNS = ["file_path", "line_number", "status", "reject_rule", "reject_field", "raw_line", "raw_bytes",
                  "event_id"]


@dataclass
class Ingested:
    report: object  # jobs.ingest.job.IngestReport
    bronze: pd.DataFrame
    quarantine: pd.DataFrame


_ingested: dict[str, Ingested] = {}


@pytest.fixture(scope="module")
def ingest_on(engines, tmp_path_factory):
    """The hostile landing ingested once per engine: engine -> Ingested."""

    def ingested(engine: str) -> Ingested:
        if engine not in _ingested:
            root = tmp_path_factory.mktemp(f"hostile-{engine}")
            for case in CASES + ACCOUNTS_CASES:
                path = root / "landing" / case.path
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(case.content)
            settings = settings_for(root, engine)
            spark = engines.handle(engine).session()
            report = pipeline.ingest(settings, spark)
            lakehouse = Lakehouse(settings.lakehouse)
            bronze = lakehouse.read(spark, T.BRONZE_EVENTS).select(*BRONZE_COLUMNS).toPandas()
            quarantine = lakehouse.read(spark, T.QUARANTINE).toPandas()
            _ingested[engine] = Ingested(report, bronze, quarantine)
        return _ingested[engine]

    return ingested


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_file_gives_its_counts_and_rules(ingest_on, engine, case: Case):
    ingested = ingest_on(engine)
    counts = {f.file_path: f for f in ingested.report.files}[case.path]
    quarantined = len(case.rules)
    assert (counts.lines_read, counts.accepted, counts.duplicates, counts.quarantined) == (
        case.accepted + case.duplicates + quarantined, case.accepted, case.duplicates, quarantined)
    assert counts.reconciled
    rows = ingested.quarantine[ingested.quarantine.file_path == case.path]
    assert dict(zip(rows.line_number, rows.rule)) == case.rules


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", ACCOUNTS_CASES, ids=[c.name for c in ACCOUNTS_CASES])
def test_each_hostile_accounts_snapshot_gives_its_counts_and_rules(ingest_on, engine, case: Case):
    """A snapshot is read by the same edge as events files: compression by its bytes, a file that
    cannot be read quarantined whole, a row that is not UTF-8 quarantined with its bytes."""
    ingested = ingest_on(engine)
    counts = {f.file_path: f for f in ingested.report.files}[case.path]
    assert (counts.lines_read, counts.accepted, counts.quarantined) == (
        case.accepted + len(case.rules), case.accepted, len(case.rules))
    rows = ingested.quarantine[ingested.quarantine.file_path == case.path]
    assert dict(zip(rows.line_number, rows.rule)) == case.rules


def _lines_as_delivered(case: Case) -> list[bytes]:
    """The case's lines as bytes, split as the contract says (for the comparison only)."""
    content = gzip.decompress(case.content) if case.content[:2] == b"\x1f\x8b" else case.content
    content = content.removeprefix(b"\xef\xbb\xbf")
    lines = content.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return [line.removesuffix(b"\r") for line in lines]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_line_that_is_not_utf8_is_quarantined_with_its_exact_bytes(ingest_on, engine):
    ingested = ingest_on(engine)
    by_case = {case.path: case for case in CASES + ACCOUNTS_CASES}
    not_utf8 = ingested.quarantine[ingested.quarantine.rule == "invalid_encoding"]
    expected = {(case.path, n) for case in CASES + ACCOUNTS_CASES for n, rule in case.rules.items()
                if rule == "invalid_encoding"}
    assert set(zip(not_utf8.file_path, not_utf8.line_number)) == expected
    for row in not_utf8.itertuples():
        exact = _lines_as_delivered(by_case[row.file_path])[row.line_number - 1]
        assert bytes(row.raw_bytes) == exact
        # the text column keeps what can be shown: the ASCII, U+FFFD for every other byte
        assert row.raw_line == "".join(chr(b) if b < 0x80 else "\ufffd" for b in exact)
    # every other line's text is the line exactly, and its raw_bytes null
    others = ingested.bronze[ingested.bronze.raw_bytes.isna() & (ingested.bronze.line_number > 0)]
    for row in others.itertuples():
        assert row.raw_line.encode() == _lines_as_delivered(by_case[row.file_path])[row.line_number - 1]


@pytest.mark.sail
def test_the_engines_write_the_same_bronze(ingest_on):
    frames = []
    for engine in ("spark", "sail"):
        bronze = ingest_on(engine).bronze.copy()
        bronze["raw_bytes"] = bronze["raw_bytes"].map(lambda b: None if b is None else bytes(b))
        frames.append(bronze.sort_values(["file_path", "line_number"]).reset_index(drop=True))
    pd.testing.assert_frame_equal(frames[0], frames[1])
