"""gold.forecasts: the champions' forecasts, one row per (series, period), history and forecast.

Written whole by every forecast run (Delta overwrite: a series no longer forecast disappears),
read by the publisher into report.json's `forecasts` list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from jobs import storage
from jobs.storage import TableName
from sodai.delta_read import read_pandas

TABLE = TableName("gold", "forecasts")
SCHEMA = pa.schema([
    ("series", pa.string()),
    ("title", pa.string()),
    ("unit", pa.string()),
    ("frequency", pa.string()),
    ("group", pa.string()),
    ("model", pa.string()),
    ("model_uri", pa.string()),
    ("model_version", pa.int64()),
    ("backtest_metric", pa.string()),
    ("backtest_horizon", pa.int64()),
    ("backtest_value", pa.float64()),
    ("interval", pa.float64()),
    ("kind", pa.string()),  # history | forecast
    ("period", pa.date32()),
    ("value", pa.float64()),
    ("lower", pa.float64()),
    ("upper", pa.float64()),
    ("fit_key", pa.string()),  # what the forecast was made from (sodai/forecast/runner.py, fit_key)
    ("forecast_run_id", pa.string()),
    ("forecast_at", pa.timestamp("us", tz="UTC")),
])


def location(lakehouse: Path) -> Path:
    return storage.table_path(lakehouse, TABLE)


def write(lakehouse: Path, frame: pd.DataFrame) -> int:
    """Replace gold.forecasts with `frame` (columns of SCHEMA); returns the new Delta version."""
    path = location(lakehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame[SCHEMA.names], schema=SCHEMA, preserve_index=False) if len(frame) \
        else SCHEMA.empty_table()
    storage.write_delta(path, table, mode="overwrite", schema_mode="overwrite")
    return storage.open_delta(path).version()


def read(lakehouse: Path) -> tuple[pd.DataFrame, int] | None:
    path = location(lakehouse)
    if not storage.is_delta_table(path):
        return None
    table = storage.open_delta(path)
    return read_pandas(table), table.version()


def _number(value: Any) -> float:
    return float(f"{float(value):.12g}")


def report_entries(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Pure: the table -> report.json's `forecasts` list (docs/report.schema.json), by series."""
    entries = []
    for series, rows in sorted(frame.groupby("series"), key=lambda item: item[0]):
        rows = rows.sort_values("period")
        first = rows.iloc[0]
        history, points = rows[rows["kind"] == "history"], rows[rows["kind"] == "forecast"]
        entries.append({
            "series": series,
            "title": first["title"],
            "unit": first["unit"],
            "frequency": first["frequency"],
            "group": None if pd.isna(first["group"]) else first["group"],
            "model": first["model"],
            "model_uri": first["model_uri"],
            "model_version": int(first["model_version"]),
            "backtest": {"metric": first["backtest_metric"], "horizon": int(first["backtest_horizon"]),
                         "value": _number(first["backtest_value"])},
            "history": [{"period": pd.Timestamp(r.period).date().isoformat(), "value": _number(r.value)}
                        for r in history.itertuples()],
            "points": [{"period": pd.Timestamp(r.period).date().isoformat(), "value": _number(r.value),
                        "lower": _number(r.lower), "upper": _number(r.upper)} for r in points.itertuples()],
            "interval": _number(first["interval"]),
        })
    return entries
