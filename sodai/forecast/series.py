"""The series the report forecasts, read from the gold marts (deltalake, no engine).

Each spec names a mart, its period and value columns, a filter, and optionally a column whose
values split the mart into one series per group (an industry). The marts publish counts with
privacy suppression: a suppressed cell is null, never zero. A regular series cannot have holes,
so only the published periods after the last unpublished one are kept (the caller warns with
the count dropped); a series whose latest period is unpublished is not forecast at all.

The report's F9 (GPU serving hours by industry) is a quarter total and a two-month growth: no
mart holds serving hours by month. The nearest monthly series by industry the marts hold is F11's
serverless adoption (customers per month and industry, any serverless product).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from sodai.delta_read import read_mart


@dataclass(frozen=True)
class SeriesSpec:
    name: str
    title: str
    unit: str
    frequency: Literal["month", "week"]
    mart: str
    period: str
    value: str
    where: dict[str, str] = field(default_factory=dict)
    group_key: str | None = None  # one series per value of this column...
    group_label: str | None = None  # ...named by this one


SERIES: tuple[SeriesSpec, ...] = (
    SeriesSpec("registered_models", "Registered models per month (F1)", "models", "month",
               "fig01_models_over_time", "activity_month", "registered_models"),
    SeriesSpec("vector_db_customers", "Customers using vector databases per week (F6, holiday weeks smoothed)",
               "customers", "week", "fig06_llm_library_usage_weekly", "activity_week", "smoothed_customers",
               where={"llm_category": "vector_db"}),
    SeriesSpec("serverless_customers", "Serverless customers per month by industry (F11, any product)",
               "customers", "month", "fig11_serverless_adoption_by_industry", "activity_month", "customers",
               where={"serverless_product": "any"}, group_key="industry_key", group_label="industry"),
)


def specs(names: list[str] | None = None) -> list[SeriesSpec]:
    known = {spec.name: spec for spec in SERIES}
    unknown = sorted(set(names or ()) - set(known))
    if unknown:
        raise ValueError(f"unknown forecast series: {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[name] for name in names] if names is not None else list(SERIES)


@dataclass(frozen=True)
class Series:
    name: str  # unique: the spec's name, plus _<group key> for grouped specs
    spec: SeriesSpec
    group: str | None
    periods: pd.DatetimeIndex
    values: np.ndarray
    dropped: int  # periods before the last unpublished one, not used
    source: str  # marts.<mart>@<Delta version>

    @property
    def frequency(self) -> str:
        return self.spec.frequency


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


FREQ = {"month": "MS", "week": "W-MON"}


def published_tail(frame: pd.DataFrame, period: str, value: str, frequency: str) -> tuple[pd.Series, int]:
    """The regular series of published values after the last unpublished period (a suppressed
    cell, or a period missing from the mart), and how many periods were dropped before it.
    Empty when the latest period is unpublished."""
    values = frame.set_index(pd.to_datetime(frame[period]))[value].astype("float64").sort_index()
    if values.index.has_duplicates:
        raise ValueError(f"{period} is not unique in the series")
    if values.empty:
        return values, 0
    grid = pd.date_range(values.index.min(), values.index.max(), freq=FREQ[frequency])
    off_grid = values.index.difference(grid)
    if len(off_grid):
        raise ValueError(f"{period} has values off the {frequency} grid: {list(off_grid[:3])}")
    full = values.reindex(grid)
    holes = np.flatnonzero(full.isna().to_numpy())
    start = holes[-1] + 1 if len(holes) else 0
    return full.iloc[start:], int(start)


def extract(spec: SeriesSpec, frame: pd.DataFrame, source: str) -> tuple[list[Series], list[Skipped]]:
    """Pure: the mart's rows -> the spec's series (one per group), and those it cannot forecast."""
    for column, wanted in spec.where.items():
        frame = frame[frame[column] == wanted]
    if spec.group_key:
        groups = [(f"{spec.name}_{key}", rows[spec.group_label].iloc[0], rows)
                  for key, rows in sorted(frame.groupby(spec.group_key), key=lambda item: str(item[0]))]
    else:
        groups = [(spec.name, None, frame)]
    found, skipped = [], []
    for name, group, rows in groups:
        tail, dropped = published_tail(rows, spec.period, spec.value, spec.frequency)
        if tail.empty:
            skipped.append(Skipped(name, "the latest period is suppressed" if len(rows) else "no rows"))
            continue
        found.append(Series(name, spec, group, pd.DatetimeIndex(tail.index), tail.to_numpy(), dropped, source))
    return found, skipped


def read_series(lakehouse: Path, spec: SeriesSpec) -> tuple[list[Series], list[Skipped]]:
    snapshot = read_mart(lakehouse, spec.mart)
    return extract(spec, snapshot.frame, f"{snapshot.name}@{snapshot.version}")
