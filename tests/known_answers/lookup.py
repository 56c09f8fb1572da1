"""Finding rows in a mart and checking their suppression."""

from __future__ import annotations

import pandas as pd


def rows(frame: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame[mask]


def one(frame: pd.DataFrame, **where) -> pd.Series:
    """The single row matching `where` (column == value for each)."""
    found = rows(frame, **where)
    assert len(found) == 1, f"expected one row where {where}, found {len(found)}"
    return found.iloc[0]


def is_null(value) -> bool:
    return value is None or bool(pd.isna(value))


def assert_suppressed(row: pd.Series, *value_columns: str) -> None:
    """The row is flagged suppressed and shows none of its values."""
    assert bool(row["is_suppressed"]) is True
    shown = {c: row[c] for c in value_columns if not is_null(row[c])}
    assert not shown, f"suppressed row shows {shown}"


def assert_published(row: pd.Series) -> None:
    assert bool(row["is_suppressed"]) is False
