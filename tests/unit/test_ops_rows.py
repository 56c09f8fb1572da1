"""What the jobs read and write of a Delta table in this process (no engine): the ops tables'
bookkeeping rows with their declared types, the ingest's recovery finding the batches that started
and never ended, and whether a table may hold rows of given batches (refine's append or MERGE)."""

from datetime import date, datetime, timezone

import pyarrow as pa

from jobs import storage
from jobs.ingest.job import dangling_batches
from jobs.lakehouse import Lakehouse, TableSpec

EVERY_TYPE = TableSpec("ops", "every_type", "run_id string, files bigint, n int, share double, ok boolean, "
                                            "day date, at timestamp, raw binary")


def test_rows_appended_in_process_read_back_with_their_declared_types(tmp_path):
    lakehouse = Lakehouse(tmp_path)
    lakehouse.ensure(EVERY_TYPE)
    at = datetime(2024, 5, 19, 6, 30, 1, 123456, tzinfo=timezone.utc)
    rows = [("ingest-1", 3, 7, 0.25, True, date(2024, 5, 19), at, b"\xff\x00"),
            ("ingest-2", None, None, None, None, None, None, None)]
    lakehouse.append_rows(EVERY_TYPE, rows)
    lakehouse.append_rows(EVERY_TYPE, [])  # nothing to write: no commit
    table = storage.open_delta(storage.table_path(tmp_path, EVERY_TYPE))
    assert table.version() == 1  # the empty table, then one append
    columns = ("run_id", "files", "n", "share", "ok", "day", "at", "raw")
    assert lakehouse.read_rows(EVERY_TYPE, *columns) == [dict(zip(columns, row)) for row in rows]
    assert [f.type.type for f in table.schema().fields] == [
        "string", "long", "integer", "double", "boolean", "date", "timestamp", "binary"]


def test_a_batch_is_dangling_when_it_started_and_neither_committed_nor_rolled_back():
    states = [("a", "started"), ("a", "committed"), ("b", "started"), ("c", "started"), ("c", "rolled_back"),
              ("d", "started")]
    assert dangling_batches({"ingest_run_id": run, "state": state} for run, state in states) == ["b", "d"]


SILVER = TableSpec("silver", "events", "event_id string, ingest_run_id string")


def _silver_with(tmp_path, *files: list[str]) -> Lakehouse:
    """A table with a data file per list of ingest_run_id values."""
    lakehouse = Lakehouse(tmp_path)
    lakehouse.ensure(SILVER)
    for run_ids in files:
        storage.write_delta(storage.table_path(tmp_path, SILVER),
                            pa.table({"event_id": [f"e-{r}" for r in run_ids], "ingest_run_id": run_ids}),
                            mode="append")
    return lakehouse


def test_a_table_may_hold_batches_only_where_a_files_statistics_span_them(tmp_path):
    lakehouse = _silver_with(tmp_path, ["ingest-01", "ingest-03"], ["ingest-07"])
    assert not lakehouse.may_hold(SILVER, "ingest_run_id", ["ingest-08", "ingest-09"])  # newer than every file
    assert not lakehouse.may_hold(SILVER, "ingest_run_id", ["ingest-04", "ingest-05"])  # between the files
    assert lakehouse.may_hold(SILVER, "ingest_run_id", ["ingest-02"])  # within the first file's range
    assert lakehouse.may_hold(SILVER, "ingest_run_id", ["ingest-07", "ingest-09"])
    assert not lakehouse.may_hold(SILVER, "ingest_run_id", [])


def test_an_empty_table_holds_nothing_and_a_file_without_statistics_may_hold_anything(tmp_path):
    assert not _silver_with(tmp_path / "empty").may_hold(SILVER, "ingest_run_id", ["ingest-01"])
    lakehouse = Lakehouse(tmp_path / "no_stats")
    storage.write_delta(storage.table_path(lakehouse.root, SILVER),
                        pa.table({"event_id": ["e-1"], "ingest_run_id": ["ingest-01"]}),
                        configuration={"delta.dataSkippingNumIndexedCols": "1"})  # statistics of event_id only
    assert lakehouse.may_hold(SILVER, "ingest_run_id", ["ingest-99"])
