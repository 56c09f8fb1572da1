"""What a scheduled run's gate validates: the ingest batches a table received since it last passed.

Bronze events and the silver event tables only ever grow by batches (appends and insert-only
MERGEs, each row carrying its `ingest_run_id`). So once a suite has passed on a table, a later gate
of `sodai run` needs to validate only the rows of batches committed since, plus the checks that
span the whole table (uniqueness across batches, freshness), which the suites then state as
queries on the whole table. A daily run's gate then costs a day, not the history.

The ledger `ops.gate_ledger` records, per suite, the batches it passed on and the table's Delta
version it read. The scope falls back to the whole table when there is no such record, when a
file of that version is gone (a row was updated or deleted since: an overwrite, a DELETE, a
compaction), or when no batch is new. Written with deltalake, apart from the engine, like the run
history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
from deltalake.exceptions import DeltaError

from jobs import storage
from jobs.storage import TableName
from sodai.delta_read import read_arrow

TABLE = TableName("ops", "gate_ledger")

SCHEMA = pa.schema(
    [
        ("suite", pa.string()),
        ("table_version", pa.int64()),  # the Delta version of the table the suite passed on
        ("ingest_run_id", pa.string()),  # a batch whose rows it validated
        ("gate_run_id", pa.string()),
        ("passed_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass(frozen=True)
class Scope:
    """The batches a suite validates: `runs` None means the whole table, and `reason` says why."""

    runs: tuple[str, ...] | None
    version: int  # the table's Delta version when the scope was taken
    reason: str

    @property
    def whole_table(self) -> bool:
        return self.runs is None


def ledger_path(lakehouse: Path) -> Path:
    return storage.table_path(lakehouse, TABLE)


def table_version(table: Path) -> int:
    return storage.open_delta(table).version()


def _passed(lakehouse: Path, suite: str) -> tuple[int, set[str]] | None:
    """(the newest version the suite passed on, every batch it passed on), or None."""
    path = ledger_path(lakehouse)
    if not storage.is_delta_table(path):
        return None
    rows = read_arrow(path, ["table_version", "ingest_run_id"], f"suite = '{suite}'").to_pydict()
    if not rows["ingest_run_id"]:
        return None
    return max(rows["table_version"]), set(rows["ingest_run_id"])


def scope_for(lakehouse: Path, suite: str, table: Path, committed_runs: list[str]) -> Scope:
    """The batches of `committed_runs` the suite has not passed on, if the table only grew since."""
    version = table_version(table)
    passed = _passed(lakehouse, suite)
    if passed is None:
        return Scope(None, version, "whole table (first time)")
    passed_version, passed_runs = passed
    try:
        then = set(storage.open_delta(table, passed_version).file_uris())
    except DeltaError:  # that version's log is gone (log retention): nothing to compare with
        return Scope(None, version, "whole table (log of last pass expired)")
    if not then <= set(storage.open_delta(table).file_uris()):
        return Scope(None, version, "whole table (rows rewritten)")
    new = tuple(sorted(set(committed_runs) - passed_runs))
    if not new:
        return Scope(None, version, "whole table (no new batch)")
    return Scope(new, version, f"{len(new)} new batch{'es' if len(new) > 1 else ''}")


def record_pass(lakehouse: Path, suite: str, scope: Scope, committed_runs: list[str], gate_run_id: str | None) -> None:
    """The suite passed on `scope` (the whole table: every committed batch)."""
    runs = list(scope.runs) if scope.runs is not None else sorted(set(committed_runs))
    if not runs:
        return
    now = datetime.now(timezone.utc)
    rows = {"suite": [suite] * len(runs), "table_version": [scope.version] * len(runs), "ingest_run_id": runs,
            "gate_run_id": [gate_run_id] * len(runs), "passed_at": [now] * len(runs)}
    storage.write_delta(ledger_path(lakehouse), pa.table(rows, schema=SCHEMA), mode="append")
