"""What is in the lakehouse, read straight from the Delta logs (no engine needed).

Used by `sodai status` and the report site's status page: table versions, row counts (from the
Delta log's per-file statistics) and the latest runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute

from jobs import storage
from jobs.storage import TableName
from sodai.delta_read import read_arrow, read_pandas


@dataclass(frozen=True)
class TableStatus:
    name: str  # schema.table
    version: int
    rows: int
    files: int
    last_operation: str
    last_modified: pd.Timestamp | None


def _rows(table) -> int:  # a deltalake DeltaTable
    """Row count from the log's per-file statistics (no data file is read when they are there)."""
    actions = pa.table(table.get_add_actions(flatten=True))
    if actions.num_rows == 0:
        return 0
    if "num_records" in actions.column_names and actions["num_records"].null_count == 0:
        return int(pa.compute.sum(actions["num_records"]).as_py())
    return read_arrow(table, [table.schema().fields[0].name]).num_rows


def table_status(lakehouse: Path) -> list[TableStatus]:
    """Every Delta table under <lakehouse>/<schema>/<table>, sorted by name."""
    found: list[TableStatus] = []
    for path in storage.schema_tables(lakehouse):
        table = storage.open_delta(path)
        history = table.history(1)
        last = history[0] if history else {}
        stamp = pd.Timestamp(last["timestamp"], unit="ms", tz="UTC") if "timestamp" in last else None
        found.append(
            TableStatus(
                f"{path.parent.name}.{path.name}", table.version(), _rows(table), len(table.file_uris()),
                str(last.get("operation", "")), stamp,
            )
        )
    return found


def read_table(lakehouse: Path, qualified: str) -> pd.DataFrame:
    """A small operational table as pandas (empty frame if it does not exist yet)."""
    path = storage.table_path(lakehouse, TableName(*qualified.split(".")))
    if not storage.is_delta_table(path):
        return pd.DataFrame()
    return read_pandas(path)


def latest_ingest_runs(lakehouse: Path, limit: int = 10) -> pd.DataFrame:
    runs = read_table(lakehouse, "ops.ingest_runs")
    if runs.empty:
        return runs
    final = runs.sort_values("recorded_at").groupby("ingest_run_id").tail(1)
    return final.sort_values("recorded_at", ascending=False).head(limit).reset_index(drop=True)


def published_reference_data(report_path: Path) -> dict | None:
    """The published report's `provenance.reference_data` (None before the first publication)."""
    import json

    if not report_path.is_file():
        return None
    return json.loads(report_path.read_text()).get("provenance", {}).get("reference_data")
