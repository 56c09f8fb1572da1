"""The run history: one row per pipeline run and stage in ops.pipeline_runs.

Written with deltalake, not the engine, so a stage that fails because the engine died, or a run
refused by the lock, is still recorded. The report site's status page and `sodai status` read it.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa

from jobs import storage
from jobs.storage import TableName
from sodai.delta_read import read_pandas

TABLE = TableName("ops", "pipeline_runs")

SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("run_date", pa.date32()),  # the day a scheduled run processed (`run --date`), else null
        ("stage", pa.string()),
        ("status", pa.string()),  # succeeded | failed | refused
        ("rows", pa.int64()),  # what the stage counted (lines read, rows refined, nodes built, ...)
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("duration_s", pa.float64()),
        ("message", pa.string()),
    ]
)


def table_path(lakehouse: Path) -> Path:
    return storage.table_path(lakehouse, TABLE)


@dataclass
class StageRecord:
    """What a stage reports back to the history while it runs."""

    rows: int | None = None
    message: str | None = None


class RunHistory:
    """Records the stages of one run: `with history.stage("ingest") as record: record.rows = n`."""

    def __init__(self, lakehouse: Path, run_id: str, run_date: date | None = None):
        self.path = table_path(lakehouse)
        self.run_id, self.run_date = run_id, run_date

    def append(self, stage: str, status: str, started_at: datetime, duration_s: float,
               rows: int | None = None, message: str | None = None) -> None:
        row = {"run_id": [self.run_id], "run_date": [self.run_date], "stage": [stage], "status": [status],
               "rows": [rows], "started_at": [started_at], "duration_s": [round(duration_s, 3)],
               "message": [(message or None) and message[:2000]]}
        storage.write_delta(self.path, pa.table(row, schema=SCHEMA), mode="append")

    @contextmanager
    def stage(self, name: str) -> Iterator[StageRecord]:
        record = StageRecord()
        started, clock = datetime.now(timezone.utc), time.perf_counter()
        try:
            yield record
        except BaseException as error:
            message = record.message or _describe(error)
            try:
                self.append(name, "failed", started, time.perf_counter() - clock, record.rows, message)
            except Exception as unrecorded:  # the store that failed the stage may refuse its row too
                error.add_note(f"(the failure could not be recorded in {TABLE.qualified}: {_describe(unrecorded)})")
            raise
        self.append(name, "succeeded", started, time.perf_counter() - clock, record.rows, record.message)


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    if text:
        return f"{type(error).__name__}: {text.splitlines()[0]}"
    code = getattr(error, "exit_code", None)  # the CLI's exits carry only their code
    return f"exit code {code}" if code is not None else type(error).__name__


def read_history(lakehouse: Path, limit_runs: int | None = None) -> pd.DataFrame:
    """The history, newest run first (stages in the order they ran); empty if none yet."""
    path = table_path(lakehouse)
    if not storage.is_delta_table(path):
        return pd.DataFrame(columns=SCHEMA.names)
    frame = read_pandas(path)
    runs = frame.groupby("run_id")["started_at"].min().sort_values(ascending=False)
    if limit_runs is not None:
        runs = runs.head(limit_runs)
    frame = frame[frame["run_id"].isin(runs.index)]
    order = {run: i for i, run in enumerate(runs.index)}
    return (frame.assign(_run_order=frame["run_id"].map(order))
            .sort_values(["_run_order", "started_at"]).drop(columns="_run_order").reset_index(drop=True))
