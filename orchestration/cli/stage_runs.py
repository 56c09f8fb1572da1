"""Each stage of sodai/stages.py with its progress bar and its report on the console.

The same function runs a stage inside `sodai run` and as the stage's own command (what an
orchestrator's task calls), so both do and print the same. `RUNNERS` maps every declared stage to
its function; a stage's declared options are passed as keyword arguments.
"""

from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from functools import partial
from importlib import import_module
from typing import Any, Callable, Iterator

import typer

from orchestration.cli import render
from orchestration.cli.session import EXIT_DATA, console, engine, errors, locked, progress, refuse_on_bad_setup, state, warn_demo_key
from sodai.stages import STAGES, Stage
from sodai.stages import stage as declared


@dataclass(frozen=True)
class StageInputs:
    """What a stage runs with: the engine (None for stages without one), the pipeline run it
    belongs to, the day it processes (None: everything landed) and its MLflow run, if tracked."""

    handle: Any
    spark: Any
    run_id: str
    run_date: date | None = None
    mlflow_run_id: str | None = None


def ingest(inputs: StageInputs):
    from sodai import pipeline

    with progress() as bar:
        task = bar.add_task("Ingesting landing files", total=None)
        report = pipeline.ingest(state.settings, inputs.spark, until=inputs.run_date,
                                 on_batch=lambda done, total: bar.update(task, completed=done, total=total))
    render.ingest(report)
    if not report.reconciled:
        errors.print("[red]Reconciliation failed: lines read != accepted + duplicates + quarantined[/red]")
        raise typer.Exit(EXIT_DATA)
    return report


def refine(inputs: StageInputs, rekey: bool = False):
    from sodai import pipeline

    warn_demo_key()
    with progress() as bar:
        task = bar.add_task("Rebuilding silver from bronze with the new key (tables)" if rekey
                            else "Refining bronze -> silver (tables)", total=None)
        report = pipeline.refine(state.settings, inputs.spark, rekey=rekey,
                                 on_progress=lambda done, total: bar.update(task, completed=done, total=total))
    render.refine(report)
    render.accounts_snapshot(pipeline.accounts_snapshot(state.settings, inputs.run_date))
    if rekey:  # gold holds the old key's pseudonyms: rebuilt now, on the same engine session
        transform(inputs)
        console.print("Silver and gold rebuilt with the new key: `sodai run` publishes the report.")
    return report


def gate(inputs: StageInputs, layer: str, new_batches: bool = False):
    """One gate, printed; GateFailed propagates (after printing) when a suite failed."""
    from sodai import pipeline
    from sodai.gates import GateFailed

    try:
        report = pipeline.gate(state.settings, inputs.spark, layer, inputs.run_id, inputs.run_date, new_batches)
    except GateFailed as failure:
        render.gate(failure.report)
        errors.print(f"[red]{failure}[/red]")
        raise
    render.gate(report)
    return report


def transform(inputs: StageInputs, select: list[str] | None = None, full_refresh: bool = False,
              exclude: list[str] | None = None):
    from sodai import pipeline
    from sodai.dbt_build import TransformError
    from sodai.pseudonym_keys import gold_is_stale

    if gold_is_stale(state.settings.lakehouse):
        console.print("Gold holds pseudonyms of an earlier key: a full dbt build rebuilds it.")
    with progress() as bar:
        task = bar.add_task("dbt build (nodes)", total=None)
        try:
            report = pipeline.transform(state.settings, inputs.spark, inputs.handle.url, select=select,
                                        full_refresh=full_refresh, exclude=exclude,
                                        on_node=lambda name, status: bar.advance(task))
        except TransformError as error:
            if error.report is not None:
                bar.stop()
                render.transform(error.report)
            raise
    render.transform(report)
    return report


def docs(inputs: StageInputs) -> None:
    from sodai import pipeline

    report = pipeline.docs(state.settings, inputs.spark, inputs.handle.url)
    unchanged = "" if report.generated else " (unchanged: they describe this project and its vars)"
    console.print(f"dbt docs: {report.path / 'index.html'}{unchanged}")


def forecast(inputs: StageInputs):
    from sodai import pipeline
    from sodai.delta_read import MissingTable

    with progress() as bar:
        task = bar.add_task("Forecasting (series)", total=None)
        try:
            report = pipeline.forecast(state.settings, on_series=lambda name: bar.advance(task))
        except MissingTable as error:  # a mart is missing
            errors.print(f"[red]Forecast failed:[/red] {error}")
            raise typer.Exit(EXIT_DATA)
    render.forecast(report, state.settings.forecast.candidates)
    return report


def publish(inputs: StageInputs) -> None:
    from sodai import pipeline
    from sodai.publish import PublishError

    try:
        path = pipeline.publish(state.settings, inputs.run_id, inputs.mlflow_run_id, inputs.run_date)
    except PublishError as error:
        errors.print(f"[red]Publish failed:[/red] {error}")
        raise typer.Exit(EXIT_DATA)
    console.print(f"Report: {path}")


RUNNERS: dict[str, Callable[..., Any]] = {
    "ingest": ingest,
    "gate_bronze": partial(gate, layer="bronze"),
    "refine": refine,
    "gate_silver": partial(gate, layer="silver"),
    "transform": transform,
    "docs": docs,
    "gate_gold": partial(gate, layer="gold"),
    "forecast": forecast,
    "publish": publish,
}
# Stages that work on files and the MLflow store only: run alone, they start no engine.
WITHOUT_ENGINE = frozenset({"forecast", "publish"})

# What a stage imports on first use that is slow to import (on a 2-core machine: Great
# Expectations about 2.5 s, dbt 1.3 s, MLflow 1.1 s). A command imports them while its engine
# starts, time it waits anyway: a JVM server takes 7 to 8 s to open its port, Sail about 1 s.
SLOW_IMPORTS = {
    "gate_bronze": ("sodai.gates.run",),
    "gate_silver": ("sodai.gates.run",),
    "gate_gold": ("sodai.gates.run",),
    "transform": ("dbt.cli.main",),
    "docs": ("dbt.cli.main",),
}


def _importer(stages: list[Stage], *modules: str) -> Callable[[], None]:
    """Imports `modules` and what `stages` import on first use (engine(while_starting=...))."""
    def load() -> None:
        for module in dict.fromkeys([*modules, *(m for s in stages for m in SLOW_IMPORTS.get(s.name, ()))]):
            import_module(module)
    return load


def rows(report) -> int | None:
    """What the run history counts for a stage's report: lines read, silver rows inserted, dbt
    nodes built, series forecast."""
    kind = type(report).__name__
    if kind == "IngestReport":
        return report.total("lines_read")
    if kind == "RefineReport":
        return sum(report.inserted.values())
    if kind == "TransformReport":
        return len(report.built)
    if kind == "ForecastReport":
        return len(report.results)
    return None


def _skipped(stage: Stage) -> bool:
    if stage.enabled(state.settings):
        return False
    console.print(f"{stage.name}: turned off ({stage.switch}.enabled is false in the configuration), skipped.")
    return True


@contextmanager
def _recorded(history, tracker, name: str) -> Iterator[Callable[[Any], Any]]:
    """A stage's row in ops.pipeline_runs and its nested MLflow run; yields `record(report)`."""
    with history.stage(name) as row, tracker.stage(name) as tracked:
        def record(report):
            tracked.record(report)
            row.rows = rows(report)
        yield record


def run_alone(name: str, run_id: str | None, run_date: date | None = None, **options):
    """One stage as its own command: under the run lock, in the run history (under the
    orchestrator's `run_id` when given), with an engine unless it needs none."""
    return run_several([name], run_id, run_date, **options)[0]


def run_several(names: list[str], run_id: str | None, run_date: date | None = None, keep_going: bool = False,
                **options) -> list:
    """Stages run alone, in order, under one run lock and one engine session (`sodai gate all`);
    their reports. With `keep_going`, a failed gate does not stop the ones after it: every
    GateFailed is raised, the first one, once all have run."""
    from jobs.runs import new_run_id
    from sodai.gates import GateFailed
    from sodai.history import RunHistory

    stages = [s for s in map(declared, names) if not _skipped(s)]
    if not stages:
        return [None] * len(names)
    run_id = run_id or new_run_id(stages[0].name)
    reports, failures = [], []
    needs_engine = any(s.name not in WITHOUT_ENGINE for s in stages)
    with locked(run_id) as lock, (engine(_importer(stages)) if needs_engine else nullcontext((None, None))) as (handle, spark):
        history = RunHistory(state.settings.lakehouse, run_id, run_date)
        for stage in stages:
            lock.ensure_held()
            try:
                with history.stage(stage.name) as row:
                    report = RUNNERS[stage.name](StageInputs(handle, spark, run_id, run_date), **options)
                    row.rows = rows(report)
                reports.append(report)
            except GateFailed as failed:
                if not keep_going:
                    raise
                failures.append(failed)
                reports.append(failed.report)
    if failures:
        raise failures[0]
    return reports


def run_days(days: list[date | None]) -> None:
    """Every declared stage for each day in order (None: everything landed), under one lock and
    one engine session; a failed gate stops the day's later stages and exits 1."""
    from jobs.runs import new_run_id
    from sodai.gates import GateFailed
    from sodai.history import RunHistory

    started = time.perf_counter()
    refuse_on_bad_setup(landing=True, key=True)
    stages = [s for s in STAGES if s.enabled(state.settings)]
    with locked(new_run_id("pipeline")) as lock, engine(_importer(stages, "sodai.tracking")) as (handle, spark):
        from sodai.tracking import pipeline_run

        console.print(f"Engine: {handle.kind}")
        for run_date in days:  # a backfill publishes every day, as the daily schedule would
            run_id = new_run_id("pipeline")
            with pipeline_run(state.settings, run_id) as tracker:
                console.print(f"[bold]Run {run_id}[/bold]" + (f" for {run_date}" if run_date else "")
                              + (f", MLflow run {tracker.run_id}" if tracker.run_id else ""))
                inputs = StageInputs(handle, spark, run_id, run_date, tracker.run_id)
                history = RunHistory(state.settings.lakehouse, run_id, run_date)
                try:
                    for stage in stages:
                        lock.ensure_held()  # a lease lost while the last stage ran: stop before writing more
                        with _recorded(history, tracker, stage.name) as record:
                            record(RUNNERS[stage.name](inputs, **stage.options))
                except GateFailed:
                    errors.print("[red]Later stages stopped, publication blocked.[/red]")
                    raise typer.Exit(EXIT_DATA)
    console.print(f"Pipeline finished in {time.perf_counter() - started:.1f} s.")
