"""The forecast stage: series -> backtested candidates -> champion -> gold.forecasts.

For every series: each candidate's rolling-origin backtest is an MLflow run in experiment
`sodai/forecast/<series>` (params, MAPE overall and per step ahead); the lowest MAPE wins; the
registry decides whether it becomes a new version with the `champion` alias (sodai/forecast/
registry.py); then the champion, loaded back from the registry as `models:/<name>@champion`,
forecasts the configured horizon with prediction intervals. Series that cannot be forecast
(latest period suppressed, too short, zeros) are skipped with the reason.

A series whose forecast in gold.forecasts was made from the same values, by the same champion
version, candidates, lengths, interval and forecasting code (its `fit_key`) keeps that forecast:
backtesting the same values again gives the same scores, so the registry would keep its
champion, and the champion would forecast the same points. A scheduled day usually changes
one or two series; the others cost a registry lookup.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import tempfile
import time
import warnings
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from jobs.runs import new_run_id
from sodai.config import Settings
from sodai.forecast import registry, table
from sodai.forecast.backtest import Backtest, SeriesTooShort, compare, winner
from sodai.forecast.model import ForecastModel, NotApplicable, write_history
from sodai.forecast.series import Series, Skipped, read_series, specs


@dataclass
class SeriesResult:
    series: Series
    scores: dict[str, Backtest]  # empty when the forecast was kept
    not_applicable: dict[str, str]
    decision: registry.Decision
    model_name: str
    champion_version: int
    champion_method: str
    champion_mape: float
    forecast: pd.DataFrame  # period, value, lower, upper
    fit_key: str
    kept_from: str | None = None  # the forecast run whose forecast of these same values is kept
    made_at: datetime | None = None  # when that run made it


@dataclass
class ForecastReport:
    forecast_run_id: str
    results: list[SeriesResult] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    table_version: int | None = None
    elapsed_s: float = 0.0


def _signature():
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema

    return ModelSignature(
        inputs=Schema([ColSpec("long", "horizon")]),
        outputs=Schema([ColSpec("datetime", "period"), ColSpec("double", "value"), ColSpec("double", "lower"),
                        ColSpec("double", "upper")]),
        params=ParamSchema([ParamSpec("interval", "double", 0.8)]),
    )


def _requirements() -> list[str]:
    import mlflow
    import scipy
    import statsmodels

    return [f"mlflow=={mlflow.__version__}", f"statsmodels=={statsmodels.__version__}", f"scipy=={scipy.__version__}",
            f"pandas=={pd.__version__}", f"numpy=={np.__version__}"]


def _log_candidates(series: Series, scores: dict[str, Backtest], experiment: str, settings: Settings,
                    forecast_run_id: str) -> dict[str, str]:
    """One run per backtested candidate; returns their run ids by method."""
    import mlflow

    lengths = getattr(settings.forecast, series.frequency)
    run_ids = {}
    for method, result in scores.items():
        with mlflow.start_run(experiment_id=experiment, run_name=method,
                              tags={"sodai.forecast_run_id": forecast_run_id, "sodai.series": series.name}) as run:
            mlflow.log_params({
                "method": method, "series": series.name, "frequency": series.frequency, "source": series.source,
                "periods": len(series.values), "first_period": series.periods[0].date().isoformat(),
                "last_period": series.periods[-1].date().isoformat(), "dropped_unpublished": series.dropped,
                "backtest_horizon": result.horizon, "backtest_origins": len(result.origins),
                "min_train": lengths.min_train, "season_length": lengths.season_length,
            })
            steps = {f"backtest.mape.h{step + 1}.pct": float(value)
                     for step, value in enumerate(result.errors.mean(axis=0))}
            mlflow.log_metrics({"backtest.mape.pct": result.mape, **steps})
            run_ids[method] = run.info.run_id
    return run_ids


@contextmanager
def _quiet_mlflow() -> Iterator[None]:
    """MLflow's advice on model logging (cloudpickle, type hints) and registration chatter, which
    the stage's own output covers."""
    loggers = [logging.getLogger(name) for name in ("mlflow.pyfunc", "mlflow.models.model",
                                                     "mlflow.tracking._model_registry.fluent")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


def _register(mlflow_client, series: Series, best: Backtest, run_id: str, name: str, digest: str,
              settings: Settings) -> int:
    """Log the winner's model into its run, register it and move the alias to it."""
    import mlflow

    from sodai.forecast import model as model_module

    lengths = getattr(settings.forecast, series.frequency)
    python_model = ForecastModel(best.method, series.frequency, lengths.season_length, settings.forecast.interval)
    with tempfile.TemporaryDirectory() as scratch, mlflow.start_run(run_id=run_id), _quiet_mlflow():
        history = write_history(Path(scratch) / "history.json", series.periods, series.values)
        info = mlflow.pyfunc.log_model(
            name="model", python_model=python_model, artifacts={"history": str(history)},
            signature=_signature(), input_example=pd.DataFrame({"horizon": [lengths.horizon]}),
            pip_requirements=_requirements(), code_paths=[str(Path(model_module.__file__).resolve().parents[1])],
        )
        mlflow.set_tag("sodai.registered", "true")
        with redirect_stderr(io.StringIO()):  # "Successfully registered ...": the stage's table says it
            version = mlflow.register_model(info.model_uri, name, tags={"series": series.name})
    registry.promote(mlflow_client, name, settings.forecast.alias, version, mape=best.mape, digest=digest,
                     method=best.method)
    return int(version.version)


_FORECASTING_CODE = ("model.py", "backtest.py")


@functools.cache
def _forecasting_code_digest() -> str:
    """The forecasting code's source, hashed once per process (it does not change under a run)."""
    return hashlib.sha256(b"".join((Path(__file__).parent / name).read_bytes()
                                   for name in _FORECASTING_CODE)).hexdigest()


def fit_key(digest: str, settings: Settings, frequency: str, champion_version: int) -> str:
    """Everything a series' published forecast depends on besides its values' digest: the
    champion that forecasts it, the candidates it was chosen among, the lengths, the interval and
    the forecasting code itself."""
    config = settings.forecast
    lengths = getattr(config, frequency)
    blob = json.dumps({"digest": digest, "champion_version": champion_version, "candidates": list(config.candidates),
                       "lengths": lengths.model_dump(), "interval": config.interval,
                       "code": _forecasting_code_digest()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _kept(series: Series, previous: pd.DataFrame | None, key: str, name: str, champion) -> SeriesResult | None:
    """The series' forecast in gold.forecasts when it was made under the same fit key."""
    if previous is None or "fit_key" not in previous.columns:
        return None  # a table written before fit keys: forecast again (and write them)
    rows = previous[(previous["series"] == series.name) & (previous["fit_key"] == key)]
    points = rows[rows["kind"] == "forecast"].sort_values("period")
    if points.empty:
        return None
    first = rows.iloc[0]
    made_by = str(first["forecast_run_id"])
    return SeriesResult(
        series=series, scores={}, not_applicable={},
        decision=registry.Decision(False, f"the same values as forecast run {made_by}: its forecast is kept"),
        model_name=name, champion_version=int(champion.version), champion_method=str(first["model"]),
        champion_mape=float(first["backtest_value"]),
        forecast=points[["period", "value", "lower", "upper"]].reset_index(drop=True),
        fit_key=key, kept_from=made_by, made_at=first["forecast_at"].to_pydatetime(),
    )


def forecast_series(series: Series, settings: Settings, mlflow_client, forecast_run_id: str,
                    previous: pd.DataFrame | None = None) -> SeriesResult:
    """Backtest, log, maybe register, and forecast one series with its champion; or keep its
    forecast in `previous` (gold.forecasts) when that was made under the same fit key."""
    import mlflow

    from sodai.tracking import experiment_id

    config = settings.forecast
    lengths = getattr(config, series.frequency)
    name = f"{config.model_prefix}{series.name}"
    digest = registry.backtest_digest(series.periods, series.values, horizon=lengths.backtest_horizon,
                                      folds=config.folds, min_train=lengths.min_train,
                                      season_length=lengths.season_length)
    current = registry.champion(mlflow_client, name, config.alias)
    if current is not None:
        kept = _kept(series, previous, fit_key(digest, settings, series.frequency, int(current.version)), name,
                     current)
        if kept is not None:
            return kept
    scores, not_applicable = compare(series.values, list(config.candidates), horizon=lengths.backtest_horizon,
                                     folds=config.folds, min_train=lengths.min_train,
                                     season_length=lengths.season_length)
    best = winner(scores)
    experiment = experiment_id(mlflow_client, f"sodai/forecast/{series.name}", settings)
    run_ids = _log_candidates(series, scores, experiment, settings, forecast_run_id)
    decision = registry.decide(current, digest, best.mape)
    mlflow_client.set_tag(run_ids[best.method], "sodai.winner", "true")
    mlflow_client.set_tag(run_ids[best.method], "sodai.registry_decision", decision.reason)
    if decision.register:
        _register(mlflow_client, series, best, run_ids[best.method], name, digest, settings)
    champion = registry.champion(mlflow_client, name, config.alias)
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@{config.alias}")
    forecast = loaded.predict(pd.DataFrame({"horizon": [lengths.horizon]}), params={"interval": config.interval})
    return SeriesResult(
        series=series, scores=scores, not_applicable=not_applicable, decision=decision,
        model_name=name, champion_version=int(champion.version),
        champion_method=champion.tags.get(registry.METHOD_TAG, best.method),
        champion_mape=float(champion.tags.get(registry.SCORE_TAG, best.mape)), forecast=forecast,
        fit_key=fit_key(digest, settings, series.frequency, int(champion.version)),
    )


def table_rows(result: SeriesResult, settings: Settings, forecast_run_id: str, at: datetime) -> pd.DataFrame:
    """Pure: one series' history and champion forecast as gold.forecasts rows (a kept forecast
    keeps the run and time that made it)."""
    series, lengths = result.series, getattr(settings.forecast, result.series.frequency)
    history = pd.DataFrame({"kind": "history", "period": series.periods, "value": series.values,
                            "lower": np.nan, "upper": np.nan})
    points = result.forecast.assign(kind="forecast")[["kind", "period", "value", "lower", "upper"]]
    rows = pd.concat([history, points], ignore_index=True)
    return rows.assign(
        series=series.name, title=series.spec.title, unit=series.spec.unit, frequency=series.frequency,
        group=series.group, model=result.champion_method,
        model_uri=f"models:/{result.model_name}@{settings.forecast.alias}",
        model_version=result.champion_version, backtest_metric="MAPE", backtest_horizon=lengths.backtest_horizon,
        backtest_value=result.champion_mape, interval=settings.forecast.interval,
        period=pd.to_datetime(rows["period"]).dt.date, fit_key=result.fit_key,
        forecast_run_id=result.kept_from or forecast_run_id, forecast_at=result.made_at or at,
    )


def run_forecast(settings: Settings, on_series: Callable[[str], None] | None = None) -> ForecastReport:
    """Every configured series; gold.forecasts replaced with the champions' forecasts."""
    from sodai.tracking import use_store

    started = time.perf_counter()
    report = ForecastReport(new_run_id("forecast"))
    frames = []
    at = datetime.now(timezone.utc)
    stored = table.read(settings.lakehouse)
    previous = stored[0] if stored else None
    with use_store(settings) as mlflow_client:
        for spec in specs(settings.forecast.series):
            found, skipped = read_series(settings.lakehouse, spec)
            report.skipped.extend(skipped)
            for series in found:
                try:
                    result = forecast_series(series, settings, mlflow_client, report.forecast_run_id, previous)
                except (SeriesTooShort, NotApplicable, ValueError) as reason:
                    report.skipped.append(Skipped(series.name, str(reason)))
                    continue
                finally:
                    if on_series:
                        on_series(series.name)
                report.results.append(result)
                frames.append(table_rows(result, settings, report.forecast_run_id, at))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=table.SCHEMA.names)
    report.table_version = table.write(settings.lakehouse, rows)
    report.elapsed_s = time.perf_counter() - started
    return report
