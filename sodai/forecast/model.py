"""Forecast candidates and the MLflow model that carries the winner.

Every candidate fits a regular series (numpy array, oldest first) and forecasts the next h periods
with a central value and a prediction interval. The simple ones (naive, seasonal naive, drift) are
the benchmarks the statistical ones (ETS, ARIMA) have to beat; their intervals follow the normal
approximations of Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 5.5.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import mlflow
import numpy as np
import pandas as pd
from scipy.stats import norm
from threadpoolctl import threadpool_limits


class NotApplicable(ValueError):
    """The candidate cannot fit this history (e.g. seasonal naive on less than a season)."""


@dataclass(frozen=True)
class Forecast:
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


Fitted = Callable[[int, float], Forecast]  # (horizon, interval coverage) -> forecast


def _z(interval: float) -> float:
    return float(norm.ppf(0.5 + interval / 2))


def _normal(mean: np.ndarray, sigma: np.ndarray, interval: float) -> Forecast:
    half = _z(interval) * sigma
    return Forecast(mean, mean - half, mean + half)


def _residual_sigma(residuals: np.ndarray) -> float:
    residuals = residuals[np.isfinite(residuals)]
    return float(np.sqrt(np.mean(residuals**2))) if len(residuals) else 0.0


def naive(y: np.ndarray, season_length: int) -> Fitted:
    """Every future period equals the last one; the random-walk interval widens with sqrt(h)."""
    sigma = _residual_sigma(np.diff(y))

    def forecast(h: int, interval: float) -> Forecast:
        steps = np.arange(1, h + 1)
        return _normal(np.full(h, y[-1], dtype=float), sigma * np.sqrt(steps), interval)

    return forecast


def seasonal_naive(y: np.ndarray, season_length: int) -> Fitted:
    """Every future period equals the same period a season earlier."""
    m = season_length
    if len(y) < m + 1:
        raise NotApplicable(f"needs more than one season ({m} periods), has {len(y)}")
    sigma = _residual_sigma(y[m:] - y[:-m])

    def forecast(h: int, interval: float) -> Forecast:
        steps = np.arange(h)
        mean = y[len(y) - m + steps % m].astype(float)
        return _normal(mean, sigma * np.sqrt(steps // m + 1), interval)

    return forecast


def drift(y: np.ndarray, season_length: int) -> Fitted:
    """The line from the first to the last observation, extended."""
    n = len(y)
    slope = (y[-1] - y[0]) / (n - 1)
    sigma = _residual_sigma(np.diff(y) - slope) * np.sqrt((n - 1) / max(n - 2, 1))

    def forecast(h: int, interval: float) -> Forecast:
        steps = np.arange(1, h + 1)
        return _normal(y[-1] + slope * steps, sigma * np.sqrt(steps * (1 + steps / (n - 1))), interval)

    return forecast


def ets(y: np.ndarray, season_length: int) -> Fitted:
    """Exponential smoothing with additive errors and a damped additive trend, ETS(A,Ad,N):
    a trend that levels off rather than runs away, fitted by maximum likelihood."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    if len(y) < 5:
        raise NotApplicable(f"needs 5 periods, has {len(y)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ETSModel(pd.Series(np.asarray(y, dtype=float)), error="add", trend="add", damped_trend=True).fit(disp=False)

    def forecast(h: int, interval: float) -> Forecast:
        frame = result.get_prediction(start=len(y), end=len(y) + h - 1).summary_frame(alpha=1 - interval)
        return Forecast(frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy())

    return forecast


ARIMA_ORDERS = ((0, 1, 1), (1, 1, 0), (1, 1, 1))


def arima(y: np.ndarray, season_length: int) -> Fitted:
    """ARIMA(p,1,q) with drift, the order of the few small ones with the lowest AIC."""
    from statsmodels.tsa.arima.model import ARIMA

    if len(y) < 6:
        raise NotApplicable(f"needs 6 periods, has {len(y)}")
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for order in ARIMA_ORDERS:
            try:
                result = ARIMA(np.asarray(y, dtype=float), order=order, trend="t").fit()
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.isfinite(result.aic) and (best is None or result.aic < best.aic):
                best = result
    if best is None:
        raise NotApplicable("no ARIMA order could be fitted")

    def forecast(h: int, interval: float) -> Forecast:
        prediction = best.get_forecast(h)
        bounds = np.asarray(prediction.conf_int(alpha=1 - interval))
        return Forecast(np.asarray(prediction.predicted_mean), bounds[:, 0], bounds[:, 1])

    return forecast


CANDIDATES: dict[str, Callable[[np.ndarray, int], Fitted]] = {
    "naive": naive,
    "seasonal_naive": seasonal_naive,
    "drift": drift,
    "ets": ets,
    "arima": arima,
}


def fit(method: str, y: np.ndarray, season_length: int) -> Fitted:
    """The method fitted on y. BLAS runs single-threaded: these are tiny matrices, and a
    multi-threaded BLAS on a busy machine makes each likelihood evaluation tens of times slower."""
    if method not in CANDIDATES:
        raise ValueError(f"unknown forecast method {method!r}; known: {', '.join(CANDIDATES)}")
    with threadpool_limits(1):
        fitted = CANDIDATES[method](np.asarray(y, dtype=float), season_length)

    def forecast(h: int, interval: float) -> Forecast:
        with threadpool_limits(1):
            return fitted(h, interval)

    return forecast


FREQUENCIES = {"month": "MS", "week": "W-MON"}


def future_periods(last: pd.Timestamp, frequency: str, h: int) -> pd.DatetimeIndex:
    """The h periods after `last` (months start on the 1st, weeks on Monday)."""
    return pd.date_range(pd.Timestamp(last), periods=h + 1, freq=FREQUENCIES[frequency])[1:]


def forecast_frame(method: str, periods: pd.DatetimeIndex, values: np.ndarray, frequency: str,
                   season_length: int, h: int, interval: float) -> pd.DataFrame:
    """The next h periods after the history as period, value, lower, upper. The series are
    counts: nothing below zero is forecast."""
    result = fit(method, values, season_length)(h, interval)
    return pd.DataFrame({
        "period": future_periods(periods[-1], frequency, h),
        "value": np.clip(result.mean, 0, None),
        "lower": np.clip(result.lower, 0, None),
        "upper": np.clip(result.upper, 0, None),
    })


class ForecastModel(mlflow.pyfunc.PythonModel):
    """A fitted candidate as an MLflow model: the method and its settings in the object, the
    history it was fitted on as the artifact `history`. Input: a frame with a `horizon` column
    (periods ahead); param `interval` (coverage, default the configured one). Output: one row per
    period with value, lower and upper."""

    def __init__(self, method: str, frequency: str, season_length: int, interval: float):
        self.method, self.frequency = method, frequency
        self.season_length, self.interval = season_length, interval

    def load_context(self, context) -> None:
        history = json.loads(Path(context.artifacts["history"]).read_text())
        self.periods = pd.DatetimeIndex(pd.to_datetime(history["periods"]))
        self.values = np.asarray(history["values"], dtype=float)

    def predict(self, context, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        horizon = int(pd.DataFrame(model_input)["horizon"].iloc[0])
        interval = float((params or {}).get("interval") or self.interval)
        return forecast_frame(self.method, self.periods, self.values, self.frequency, self.season_length,
                              horizon, interval)


def write_history(path: Path, periods: pd.DatetimeIndex, values: np.ndarray) -> Path:
    path.write_text(json.dumps({"periods": [p.date().isoformat() for p in periods],
                                "values": [float(v) for v in values]}))
    return path
