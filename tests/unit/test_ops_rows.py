"""The ops tables' bookkeeping rows, written and read in this process (no engine): the declared
types round-trip, and the ingest's recovery finds the batches that started and never ended."""

from datetime import date, datetime, timezone

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
