"""Rolling-origin backtest: how well each candidate would have forecast the history we have.

From each of `folds` origins (one period apart, the last one leaving exactly `horizon` periods
after it) the candidate is fitted on the periods before the origin and forecasts the next
`horizon`; MAPE pools every (origin, step) error. The origins all lie in the recent past, so the
score says how a method does on the series as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sodai.forecast.model import NotApplicable, fit


class SeriesTooShort(ValueError):
    """Not a single backtest fold fits the series with the configured lengths."""


@dataclass(frozen=True)
class Backtest:
    method: str
    horizon: int
    origins: tuple[int, ...]  # index of the first forecast period of every fold
    mape: float  # percent
    errors: np.ndarray  # (fold, step) absolute percentage errors, percent


def mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute percentage error in percent; undefined when an actual value is zero."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    if np.any(actual == 0):
        raise ValueError("MAPE is undefined when an actual value is zero")
    return float(np.mean(np.abs(actual - predicted) / np.abs(actual)) * 100)


def origins(n: int, horizon: int, folds: int, min_train: int) -> tuple[int, ...]:
    """Up to `folds` origins, the last at n - horizon, none with fewer than min_train periods
    before it."""
    last = n - horizon
    found = tuple(o for o in range(last - folds + 1, last + 1) if o >= min_train)
    if not found:
        raise SeriesTooShort(
            f"{n} periods: a fold needs {min_train} to fit and {horizon} to score ({min_train + horizon})")
    return found


def backtest(method: str, y: np.ndarray, *, horizon: int, folds: int, min_train: int,
             season_length: int) -> Backtest:
    """Raises NotApplicable when the method cannot fit a fold's history."""
    y = np.asarray(y, dtype=float)
    if np.any(y == 0):
        raise ValueError("MAPE is undefined on a series with zeros")
    starts = origins(len(y), horizon, folds, min_train)
    errors = []
    for origin in starts:
        predicted = fit(method, y[:origin], season_length)(horizon, 0.8).mean
        actual = y[origin: origin + horizon]
        errors.append(np.abs(actual - predicted) / np.abs(actual) * 100)
    errors = np.vstack(errors)
    return Backtest(method, horizon, starts, float(errors.mean()), errors)


def compare(y: np.ndarray, methods: list[str], *, horizon: int, folds: int, min_train: int,
            season_length: int) -> tuple[dict[str, Backtest], dict[str, str]]:
    """Every method's backtest, and the reason of those that could not take part."""
    scored, skipped = {}, {}
    for method in methods:
        try:
            scored[method] = backtest(method, y, horizon=horizon, folds=folds, min_train=min_train,
                                      season_length=season_length)
        except NotApplicable as reason:
            skipped[method] = str(reason)
    return scored, skipped


def winner(scored: dict[str, Backtest]) -> Backtest:
    """Lowest MAPE; on a tie the method listed first (the simpler one) wins."""
    if not scored:
        raise NotApplicable("no candidate could be backtested")
    return min(scored.values(), key=lambda b: b.mape)


__all__ = ["Backtest", "NotApplicable", "SeriesTooShort", "backtest", "compare", "mape", "origins", "winner"]
