"""Everything the site reads, and nothing else: the published report.json, the gold marts and the
pipeline's operational records, all read-only.

The report is the site's source of numbers: it is what passed the quality gates and was published,
with its suppression applied. It is re-read only when the file changes (mtime and size), so a page
load costs a stat, and a new publication shows up without a restart. Gold marts are read with
`deltalake` only to tell whether the published report lags the lakehouse; operational tables
(ops.*), gates/latest.json and the Data Docs folder feed the pipeline status page.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Hashable

import pandas as pd

from jobs import storage
from sodai.config import Settings
from sodai.status import TableStatus, latest_ingest_runs, read_table, table_status

# Columns holding a month or a week start (ISO dates in report.json).
DATE_COLUMNS = ("activity_month", "activity_week", "base_month", "current_month", "period")


@dataclass(frozen=True)
class FigureData:
    """One figure of the report: its metadata (title, window, columns, highlights...) and its rows."""

    id: str
    meta: dict[str, Any]
    frame: pd.DataFrame

    @property
    def units(self) -> dict[str, str | None]:
        return {c["name"]: c.get("unit") for c in self.meta.get("columns", [])}


def figure_frame(meta: dict[str, Any]) -> pd.DataFrame:
    """A figure's rows as a frame in its published column order, date columns as timestamps."""
    columns = [c["name"] for c in meta.get("columns", [])]
    frame = pd.DataFrame(meta.get("rows", []), columns=columns or None)
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    if "is_suppressed" in frame:
        frame["is_suppressed"] = frame["is_suppressed"].fillna(False).astype(bool)
    return frame


class _FileCache:
    """A JSON file parsed once per (mtime, size); None while the file does not exist."""

    def __init__(self, path: Path, parse: Callable[[dict], Any] = lambda raw: raw):
        self.path = path
        self._parse = parse
        self._stamp: tuple[int, int] | None = None
        self._value: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._value = self._parse(json.loads(self.path.read_text(encoding="utf-8")))
                self._stamp = stamp
            return self._value


@dataclass
class _Report:
    raw: dict[str, Any]
    figures: dict[str, FigureData] = field(default_factory=dict)
    # figures as drawn for some filters and language: they die with this report's object
    views: OrderedDict = field(default_factory=OrderedDict)


def _index(raw: dict[str, Any]) -> _Report:
    report = _Report(raw)
    for meta in [*raw.get("figures", []), *raw.get("beyond", [])]:
        report.figures[meta["id"]] = FigureData(meta["id"], meta, figure_frame(meta))
    return report


class ReportData:
    """The site's data access for one pipeline configuration."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.output = Path(settings.output)
        self.lakehouse = settings.lakehouse
        self.report_path = storage.report_path(self.output)
        self._report = _FileCache(self.report_path, _index)
        self._gates = _FileCache(storage.gates_state_path(self.output))
        self._views_lock = threading.Lock()

    # --- the published report --------------------------------------------------------------------

    def report(self) -> dict[str, Any] | None:
        loaded = self._report.get()
        return loaded.raw if loaded else None

    def figure(self, figure_id: str) -> FigureData | None:
        loaded = self._report.get()
        return loaded.figures.get(figure_id) if loaded else None

    def view(self, key: Hashable, draw: Callable[[], Any]) -> Any:
        """What `draw()` returns for `key` (a figure, its filters and the language), drawn once per
        published report in this process and kept among the `site.cached_views` most recent: a
        published figure never changes under the same filters, and readers share filter states."""
        loaded = self._report.get()
        limit = self.settings.site.cached_views
        if loaded is None or limit == 0:
            return draw()
        with self._views_lock:
            if key in loaded.views:
                loaded.views.move_to_end(key)
                return loaded.views[key]
        value = draw()  # outside the lock: other readers' callbacks go on meanwhile
        with self._views_lock:
            loaded.views[key] = value
            while len(loaded.views) > limit:
                loaded.views.popitem(last=False)
        return value

    def findings(self) -> list[dict[str, Any]]:
        report = self.report()
        return report["key_findings"] if report else []

    def forecasts(self) -> list[dict[str, Any]] | None:
        """The published forecasts; None when the report has none (not yet produced)."""
        report = self.report()
        forecasts = report.get("forecasts") if report else None
        return forecasts or None

    def min_customers(self) -> int:
        """k of the suppression rule, as the report was built with it."""
        report = self.report()
        if report:
            return int(report["suppression"]["min_customers"])
        return int(self.settings.report.suppression_min_customers)

    # --- gold and operations ---------------------------------------------------------------------

    def mart(self, name: str) -> pd.DataFrame:
        """A gold mart as a frame (read-only, empty when it does not exist yet)."""
        from sodai.delta_read import read_pandas

        path = storage.mart_path(self.lakehouse, name)
        return read_pandas(path) if storage.is_delta_table(path) else pd.DataFrame()

    def tables(self) -> list[TableStatus]:
        return table_status(self.lakehouse)

    def gold_freshness(self) -> list[dict[str, Any]]:
        """Every table the report names, with the version it read and the version there now."""
        report = self.report()
        if not report:
            return []
        rows = []
        for name, table in sorted(report["provenance"]["tables"].items()):
            path = storage.like(self.lakehouse, table["path"])
            current = storage.open_delta(path).version() if storage.is_delta_table(path) else None
            rows.append({"table": name, "in_report": table["version"], "in_lakehouse": current})
        return rows

    def ingest_runs(self, limit: int = 10) -> pd.DataFrame:
        return latest_ingest_runs(self.lakehouse, limit=limit)

    def run_history(self, limit_runs: int = 3) -> pd.DataFrame:
        from sodai.history import read_history

        return read_history(self.lakehouse, limit_runs=limit_runs)

    def reconciliation(self) -> pd.DataFrame:
        return read_table(self.lakehouse, "ops.ingest_reconciliation")

    def gates(self) -> dict[str, Any] | None:
        return self._gates.get()

    def data_docs_dir(self) -> Path | None:
        folder = storage.data_docs_dir(self.output)
        return folder if (folder / "index.html").is_file() else None
