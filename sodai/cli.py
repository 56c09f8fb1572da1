"""`sodai`: the command line of the pipeline.

Exit codes: 0 done; 1 the data did not pass (e.g. a reconciliation that does not add up, a dbt
model or test that failed); 2 bad usage or configuration; 3 the engine could not be started or
reached; 4 another run holds the lakehouse's run lock.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sodai.config import Settings, load_settings, pseudonym_key

EXIT_DATA, EXIT_USAGE, EXIT_ENGINE, EXIT_BUSY = 1, 2, 3, 4

app = typer.Typer(help="State of Data + AI pipeline: telemetry in, report out.", no_args_is_help=True)
console = Console(stderr=False)
errors = Console(stderr=True, soft_wrap=True)  # messages stay one line in logs


class State:
    settings: Settings
    traceback: bool = False


state = State()


@app.callback()
def main(
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Pipeline YAML (default conf/pipeline.yaml)."),
    engine: Optional[str] = typer.Option(None, "--engine", "-e", help="spark | sail | remote (overrides the config)."),
    remote_url: Optional[str] = typer.Option(None, "--remote-url", help="sc://host:port for --engine remote."),
    traceback: bool = typer.Option(False, "--traceback", help="Show the full traceback of an unexpected error."),
) -> None:
    state.traceback = traceback
    try:
        settings = load_settings(config)
        overrides = {k: v for k, v in {"kind": engine, "remote_url": remote_url}.items() if v}
        state.settings = settings.with_overrides(engine=overrides) if overrides else settings
    except (ValidationError, OSError, ValueError) as error:
        errors.print(f"[red]Configuration error:[/red] {error}")
        raise typer.Exit(EXIT_USAGE)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False, disable=not console.is_terminal,
    )


@contextmanager
def _engine() -> Iterator:
    """The configured engine's (handle, session); engine and unexpected errors become exit codes
    with a one-line message (the full traceback with --traceback)."""
    from pyspark.errors import PySparkException

    from sodai.engine import EngineError, start_engine
    from sodai.transform import TransformError

    try:
        handle = start_engine(state.settings)
    except EngineError as error:
        errors.print(f"[red]Engine error ({state.settings.engine.kind}):[/red] {error}")
        raise typer.Exit(EXIT_ENGINE)
    try:
        yield handle, handle.session()
    except typer.Exit:
        raise
    except (PySparkException, OSError, ValueError, TransformError) as error:
        if state.traceback:
            raise
        first = (str(error).strip().splitlines() or [repr(error)])[0]
        errors.print(f"[red]{type(error).__name__}:[/red] {first}\n(run with --traceback for details)")
        raise typer.Exit(EXIT_ENGINE if "UNAVAILABLE" in str(error) else EXIT_DATA)
    finally:
        handle.stop()


def _refuse_on_bad_setup(landing: bool = False, key: bool = False) -> None:
    """Stop (exit 2) before any work when a location cannot be used or the pseudonym key is not
    the one silver was made with: the lakehouse always, the landing and the key when asked."""
    from sodai import pipeline
    from sodai.pseudonym_keys import KeyChanged
    from sodai.storage import StorageError, require_landing, require_writable_lakehouse

    try:
        require_writable_lakehouse(state.settings.lakehouse)
        if landing:
            require_landing(state.settings.landing)
        if key:
            pipeline.check_pseudonym_key(state.settings)
    except (StorageError, KeyChanged) as refused:
        errors.print(f"[red]Refused:[/red] {escape(str(refused))}")
        raise typer.Exit(EXIT_USAGE)


@contextmanager
def _locked(run_id: str) -> Iterator:
    """Hold the lakehouse's run lock (sodai/lock.py) for a command that writes to it."""
    from sodai.lock import RunLock, RunLocked

    _refuse_on_bad_setup()
    try:
        with RunLock(state.settings.lakehouse, run_id) as lock:
            if lock.took_over is not None:
                errors.print(f"[yellow]Took over the lock of a run that died: {lock.took_over.describe()}[/yellow]")
            yield lock
    except RunLocked as refused:
        errors.print(f"[red]Refused:[/red] {refused}")
        raise typer.Exit(EXIT_BUSY)


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.print(f"[red]{option}: not a date (YYYY-MM-DD): {value!r}[/red]")
        raise typer.Exit(EXIT_USAGE)


def _warn_demo_key() -> None:
    _, is_demo = pseudonym_key(state.settings)
    if is_demo:
        errors.print(
            f"[yellow]Pseudonyms use the public demo key: set {state.settings.pseudonymization.key_env} "
            "for real telemetry.[/yellow]"
        )


@app.command()
def generate(
    customers: Optional[int] = typer.Option(None, help="Number of customer organisations (default from conf)."),
    seed: Optional[int] = typer.Option(None, help="Random seed (default from conf)."),
    until: Optional[str] = typer.Option(None, help="Deliver only days up to this date (YYYY-MM-DD)."),
    dirty: float = typer.Option(0.0, help="Share of extra dirty lines of every kind (e.g. 0.001)."),
    landing: Optional[Path] = typer.Option(None, help="Landing folder (default from conf)."),
    redeliver: Optional[str] = typer.Option(None, help="Re-deliver this landing file unchanged, e.g. events/date=2024-03-01/part-0000.json."),
) -> None:
    """Write synthetic telemetry (docs/contract.md) into the landing zone."""
    from jobs.generate import generate_telemetry, load_generator_params, redeliver_file

    settings = state.settings
    root = landing or settings.landing
    if redeliver:
        redeliver_file(root, redeliver)
        console.print(f"Re-delivered {redeliver}")
        return
    params = load_generator_params(settings.resolve(settings.generator.params))
    until_date = date.fromisoformat(until) if until else None
    started = time.perf_counter()
    with _progress() as progress:
        total_days = (params.period.end - params.period.start).days + 1
        task = progress.add_task("Generating telemetry (days)", total=total_days)
        summary = generate_telemetry(
            params, landing=root, customers=customers or settings.generator.customers,
            seed=settings.generator.seed if seed is None else seed, until=until_date, dirty_rate=dirty,
            on_day=lambda day, n: progress.advance(task),
        )
    elapsed = time.perf_counter() - started
    console.print(
        f"Wrote {summary.events:,} events ({summary.lines:,} lines, {len(summary.files)} files) for "
        f"{summary.customers:,} customers into {root} in {elapsed:.1f} s "
        f"({summary.lines / max(elapsed, 1e-9):,.0f} lines/s)."
    )
    if summary.dirty:
        console.print("Dirty lines: " + ", ".join(f"{k}={v}" for k, v in sorted(summary.dirty.items())))


def _print_ingest(report) -> None:
    table = Table(title="Ingest reconciliation (lines read = accepted + duplicates + quarantined)")
    for column in ("file", "read", "accepted", "duplicates", "quarantined", "ok"):
        table.add_column(column, justify="left" if column == "file" else "right")
    shown = report.files if len(report.files) <= 20 else report.files[:10] + report.files[-5:]
    for f in shown:
        table.add_row(f.file_path, f"{f.lines_read:,}", f"{f.accepted:,}", f"{f.duplicates:,}", f"{f.quarantined:,}",
                      "yes" if f.reconciled else "[red]NO[/red]")
    if len(report.files) > len(shown):
        table.add_row(f"... {len(report.files) - len(shown)} more files", "", "", "", "", "")
    table.add_row(f"[bold]total ({len(report.files)} files)[/bold]", f"{report.total('lines_read'):,}",
                  f"{report.total('accepted'):,}", f"{report.total('duplicates'):,}",
                  f"{report.total('quarantined'):,}", "yes" if report.reconciled else "[red]NO[/red]")
    console.print(table)
    if report.quarantine_by_rule:
        console.print("Quarantined by rule: " + ", ".join(f"{k}={v:,}" for k, v in sorted(report.quarantine_by_rule.items())))
    for example in report.examples:
        errors.print(f"[yellow]{example}[/yellow]")
    if report.total("quarantined") > len(report.examples):
        errors.print(f"[yellow]... all {report.total('quarantined'):,} rejected lines are in ops.quarantine[/yellow]")
    for path, reason in report.unreadable:
        errors.print(f"[yellow]{path}: line 0: rule unreadable_file: {reason} (quarantined)[/yellow]")
    for stray in report.strays:
        errors.print(f"[yellow]{stray.path}: not ingested: {stray.reason}[/yellow]")
    if report.redelivered:
        console.print(f"Re-delivered files with known bytes, skipped: {len(report.redelivered)}")
    if report.rolled_back:
        console.print(f"Rolled back unfinished batches of an interrupted run: {', '.join(report.rolled_back)}")


def _run_ingest(spark, until: date | None = None):
    """Ingest (files of date folders up to `until`, if given); its report."""
    from sodai import pipeline

    with _progress() as progress:
        task = progress.add_task("Ingesting landing files", total=None)
        report = pipeline.ingest(state.settings, spark, until=until,
                                 on_batch=lambda done, total: progress.update(task, completed=done, total=total))
    _print_ingest(report)
    if not report.reconciled:
        errors.print("[red]Reconciliation failed: lines read != accepted + duplicates + quarantined[/red]")
        raise typer.Exit(EXIT_DATA)
    return report


def _run_refine(spark, rekey: bool = False):
    from sodai import pipeline

    _warn_demo_key()
    with _progress() as progress:
        task = progress.add_task("Rebuilding silver from bronze with the new key (tables)" if rekey
                                 else "Refining bronze -> silver (tables)", total=None)
        report = pipeline.refine(state.settings, spark, rekey=rekey,
                                 on_progress=lambda done, total: progress.update(task, completed=done, total=total))
    if not report.ingest_runs:
        console.print("Silver is up to date: no new bronze batches.")
        return report
    groups = f" in {report.groups} groups" if report.groups > 1 else ""
    table = Table(title=f"Refine {report.refine_run_id}: {len(report.ingest_runs)} bronze batches{groups}")
    table.add_column("silver table")
    table.add_column("rows inserted", justify="right")
    for name, count in report.inserted.items():
        table.add_row(name, f"{count:,}")
    if report.accounts_snapshot:
        table.add_row(f"silver.accounts (snapshot {report.accounts_snapshot})", f"{report.accounts_rows:,}")
    console.print(table)
    return report


def _print_accounts_snapshot(run_date: date | None) -> None:
    """Which accounts snapshot the industries come from (the reference-data rule), a warning
    when none was delivered."""
    from sodai import pipeline

    choice = pipeline.accounts_snapshot(state.settings, run_date)
    if choice.rule == "none":
        errors.print(f"[yellow]warning: accounts_snapshot_missing: {choice.text}[/yellow]")
    else:
        console.print(f"Industries: {choice.text}.")


def _print_transform(report) -> None:
    table = Table(title=f"dbt {report.command}: {len(report.nodes)} nodes in {report.elapsed_s:.1f} s")
    table.add_column("")
    table.add_column("count", justify="right")
    built = Counter(n.resource_type for n in report.built)
    for kind in sorted(built):
        table.add_row(f"{kind}s built", f"{built[kind]:,}")
    for status, label in (("pass", "passed"), ("warn", "warned"), ("fail", "failed"), ("error", "errored")):
        count = report.tests.get(status, 0)
        style = {"warn": "yellow", "fail": "red", "error": "red"}.get(status) if count else None
        table.add_row(f"tests {label}", f"[{style}]{count:,}[/{style}]" if style else f"{count:,}")
    failed = Counter(n.resource_type for n in report.failures if n.resource_type not in ("test", "unit_test"))
    for kind, count in sorted(failed.items()):
        table.add_row(f"{kind}s failed", f"[red]{count:,}[/red]")
    skipped = sum(1 for n in report.nodes if n.status == "skipped")
    if skipped:
        table.add_row("skipped (after a failure)", f"{skipped:,}")
    console.print(table)
    for node in report.nodes:
        if node.status == "warn":
            errors.print(f"[yellow]warn: {node.resource_type} {node.name}: {(node.message or '').strip()}[/yellow]")
    for node in report.failures:
        errors.print(f"[red]{node.status}: {node.resource_type} {node.name}: {(node.message or '').strip()}[/red]")
    console.print(f"dbt invocation {report.invocation_id}; artifacts in {report.target_path}")


def _run_transform(handle, spark, select: list[str] | None = None, full_refresh: bool = False,
                   exclude: list[str] | None = None):
    from sodai import pipeline
    from sodai.pseudonym_keys import gold_is_stale
    from sodai.transform import TransformError

    if gold_is_stale(state.settings.lakehouse):
        console.print("Gold holds pseudonyms of an earlier key: a full dbt build rebuilds it.")
    with _progress() as progress:
        task = progress.add_task("dbt build (nodes)", total=None)
        try:
            report = pipeline.transform(state.settings, spark, handle.url, select=select, full_refresh=full_refresh,
                                        exclude=exclude, on_node=lambda name, status: progress.advance(task))
        except TransformError as error:
            report = error.report
            if report is not None:
                progress.stop()
                _print_transform(report)
            raise
    _print_transform(report)
    return report


def _rows(report) -> int | None:
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


RUN_ID_OPTION = typer.Option(None, "--run-id", help="Record this stage under this pipeline run id (an orchestrator's); default a new one.")


@contextmanager
def _one_stage(stage: str, run_id: str | None, run_date: date | None = None) -> Iterator:
    """A stage run on its own (by hand or by an orchestrator's task): locked and in the run history."""
    from sodai.history import RunHistory
    from sodai.runs import new_run_id

    run_id = run_id or new_run_id(stage)
    with _locked(run_id):
        with RunHistory(state.settings.lakehouse, run_id, run_date).stage(stage) as record:
            yield record


@app.command()
def ingest(
    day: Optional[str] = typer.Option(None, "--date", help="Only landing files of date folders up to this day (YYYY-MM-DD)."),
    run_id: Optional[str] = RUN_ID_OPTION,
) -> None:
    """Landing -> bronze: every new file, exactly once, with quarantine and reconciliation."""
    run_date = _parse_day(day, "--date") if day else None
    _refuse_on_bad_setup(landing=True)
    with _one_stage("ingest", run_id, run_date) as record, _engine() as (_, spark):
        record.rows = _rows(_run_ingest(spark, until=run_date))


@app.command()
def refine(
    run_id: Optional[str] = RUN_ID_OPTION,
    rekey: bool = typer.Option(False, "--rekey", help="Rebuild silver from bronze with this run's pseudonym key, "
                                                      "then gold (a full dbt build): after changing the key."),
) -> None:
    """Bronze -> silver: typed, deduplicated, pseudonymized tables (incremental)."""
    _refuse_on_bad_setup(key=not rekey)
    with _one_stage("refine", run_id) as record, _engine() as (handle, spark):
        record.rows = _rows(_run_refine(spark, rekey))
        if rekey:
            _run_transform(handle, spark)
            console.print("Silver and gold rebuilt with the new key: `sodai run` publishes the report.")


@app.command()
def transform(
    select: Optional[list[str]] = typer.Option(None, "--select", "-s", help="dbt node selection, e.g. +int_customer_industry (repeatable)."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude", help="dbt nodes left out, e.g. resource_type:test (repeatable)."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="dbt's --full-refresh: incremental models rebuilt from scratch."),
    run_id: Optional[str] = RUN_ID_OPTION,
) -> None:
    """Silver -> gold: `dbt build` of dbt_project/ (models and their tests) on the pipeline's engine."""
    with _one_stage("transform", run_id) as record, _engine() as (handle, spark):
        record.rows = _rows(_run_transform(handle, spark, select, full_refresh, exclude))


@app.command()
def run(
    day: Optional[str] = typer.Option(None, "--date", help="Scheduled run for this day (YYYY-MM-DD): only landing files of date folders up to it."),
) -> None:
    """Every stage, in order, on one engine session: ingest, gate bronze, refine, gate silver,
    transform (and dbt docs), gate gold, forecast, publish. A failed gate stops the stages after it.
    Tracked as one MLflow run with a nested run per stage, and in ops.pipeline_runs.

    Incremental and idempotent: a second run with nothing new changes no table's contents."""
    run_date = _parse_day(day, "--date") if day else None
    _run_days([run_date])


@app.command()
def backfill(
    first: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
    last: str = typer.Option(..., "--to", help="Last day, included."),
) -> None:
    """Replay `run --date D` for every day from --from to --to, in order, on one engine session."""
    start, end = _parse_day(first, "--from"), _parse_day(last, "--to")
    if end < start:
        errors.print(f"[red]--to {end} is before --from {start}[/red]")
        raise typer.Exit(EXIT_USAGE)
    _run_days([start + timedelta(days=n) for n in range((end - start).days + 1)])


def _run_days(days: list[date | None]) -> None:
    """The pipeline for each day in order (None: everything landed), under one lock and engine."""
    from sodai.history import RunHistory
    from sodai.runs import new_run_id
    from sodai.tracking import pipeline_run

    started = time.perf_counter()
    _refuse_on_bad_setup(landing=True, key=True)
    with _locked(new_run_id("pipeline")), _engine() as (handle, spark):
        console.print(f"Engine: {handle.kind}")
        for run_date in days:  # a backfill publishes every day, as the daily schedule would
            run_id = new_run_id("pipeline")
            with pipeline_run(state.settings, run_id) as tracker:
                run = _PipelineRun(RunHistory(state.settings.lakehouse, run_id, run_date), tracker)
                console.print(f"[bold]Run {run_id}[/bold]" + (f" for {run_date}" if run_date else "")
                              + (f", MLflow run {tracker.run_id}" if tracker.run_id else ""))
                _pipeline_stages(handle, spark, run)
    console.print(f"Pipeline finished in {time.perf_counter() - started:.1f} s.")


class _PipelineRun:
    """One run's two records: its rows in ops.pipeline_runs and its MLflow run (nested per stage)."""

    def __init__(self, history, tracker):
        self.history, self.tracker = history, tracker

    @property
    def run_id(self) -> str:
        return self.history.run_id

    @property
    def run_date(self) -> date | None:
        return self.history.run_date

    @contextmanager
    def stage(self, name: str) -> Iterator["_StageRecorder"]:
        with self.history.stage(name) as record, self.tracker.stage(name) as tracked:
            yield _StageRecorder(record, tracked)


class _StageRecorder:
    def __init__(self, record, tracked):
        self._record, self._tracked = record, tracked

    def record(self, report):
        """Log the stage's report (its metrics to MLflow, its row count to the history)."""
        self._tracked.record(report)
        self._record.rows = _rows(report)
        return report


def _pipeline_stages(handle, spark, run: _PipelineRun) -> None:
    """The stages of sodai.pipeline.RUN_STAGES in order (dbt docs after transform)."""
    from sodai import pipeline

    gates = state.settings.quality.enabled
    with run.stage("ingest") as stage:
        stage.record(_run_ingest(spark, until=run.run_date))
    if gates:
        _run_gate(spark, "bronze", run)
    with run.stage("refine") as stage:
        stage.record(_run_refine(spark))
    _print_accounts_snapshot(run.run_date)
    if gates:
        _run_gate(spark, "silver", run)
    with run.stage("transform") as stage:
        stage.record(_run_transform(handle, spark))
    with run.stage("docs"):
        docs_path = pipeline.docs(state.settings, spark, handle.url)
    console.print(f"dbt docs: {docs_path / 'index.html'}")
    if gates:
        _run_gate(spark, "gold", run)
    if state.settings.forecast.enabled:
        with run.stage("forecast") as stage:
            stage.record(_run_forecast())
    with run.stage("publish"):
        _run_publish(run.run_id, run.tracker.run_id, run.run_date)


def _run_gate(spark, layer: str, run: _PipelineRun) -> None:
    """A quality gate of `sodai run`: a failure exits 1, so the later stages do not run."""
    from sodai.gates import GateFailed

    try:
        with run.stage(f"gate_{layer}"):
            _gate(spark, layer, run.run_id, run.run_date, new_batches_only=True)
    except GateFailed:
        errors.print("[red]Later stages stopped, publication blocked.[/red]")
        raise typer.Exit(EXIT_DATA)


def _gate(spark, layer: str, run_id: str | None, as_of: date | None = None, new_batches_only: bool = False) -> None:
    """One gate, printed; GateFailed propagates (after printing) when a suite failed."""
    from sodai import pipeline
    from sodai.gate_console import print_gate
    from sodai.gates import GateFailed

    try:
        report = pipeline.gate(state.settings, spark, layer, run_id, as_of, new_batches_only)
    except GateFailed as failure:
        print_gate(console, errors, failure.report)
        errors.print(f"[red]{failure}[/red]")
        raise
    print_gate(console, errors, report)


@app.command()
def gate(
    layer: str = typer.Argument(..., help="bronze | silver | gold | all"),
    day: Optional[str] = typer.Option(None, "--date", help="The day a scheduled run processed: freshness is judged against it."),
    run_id: Optional[str] = RUN_ID_OPTION,
) -> None:
    """Run a quality gate (Great Expectations suites of expectations/); exit 1 if a suite failed."""
    from sodai.gates import LAYERS, GateFailed
    from sodai.history import RunHistory
    from sodai.runs import new_run_id

    layers = list(LAYERS) if layer == "all" else [layer]
    if any(name not in LAYERS for name in layers):
        errors.print(f"[red]Unknown layer {layer!r}:[/red] one of {', '.join(LAYERS)}, all")
        raise typer.Exit(EXIT_USAGE)
    as_of = _parse_day(day, "--date") if day else None
    run_id = run_id or new_run_id("gate")
    failed = []
    with _locked(run_id), _engine() as (_, spark):
        history = RunHistory(state.settings.lakehouse, run_id)
        for name in layers:  # every layer asked for, even after a failure: all the news at once
            try:
                with history.stage(f"gate_{name}"):
                    _gate(spark, name, run_id, as_of)
            except GateFailed:
                failed.append(name)
    if failed:
        raise typer.Exit(EXIT_DATA)


def _run_forecast():
    from sodai import pipeline

    with _progress() as progress:
        task = progress.add_task("Forecasting (series)", total=None)
        report = pipeline.forecast(state.settings, on_series=lambda name: progress.advance(task))
    candidates = state.settings.forecast.candidates
    table = Table(title=f"Forecast {report.forecast_run_id} in {report.elapsed_s:.1f} s: backtest MAPE (%) "
                        "per candidate; the champion forecasts into gold.forecasts")
    table.add_column("series")
    table.add_column("periods", justify="right")
    for method in candidates:
        table.add_column(method.replace("seasonal_naive", "snaive"), justify="right")
    table.add_column("champion")
    for result in report.results:
        scores = [f"{result.scores[m].mape:.1f}" if m in result.scores else "-" for m in candidates]
        registry = "new" if result.decision.register else "kept"
        table.add_row(result.series.name, str(len(result.series.values)), *scores,
                      f"{result.champion_method} v{result.champion_version} ({registry})")
    console.print(table)
    for result in report.results:
        if result.series.dropped:
            errors.print(f"[yellow]{result.series.name}: {result.series.dropped} periods before the latest "
                         "suppressed or missing one not used[/yellow]")
    for skipped in report.skipped:
        errors.print(f"[yellow]{skipped.name}: not forecast: {skipped.reason}[/yellow]")
    return report


@app.command()
def forecast(run_id: Optional[str] = RUN_ID_OPTION) -> None:
    """Gold -> forecasts: backtest the candidates on every series, register the champion (MLflow), write gold.forecasts."""
    from sodai.publish import PublishError

    try:
        with _one_stage("forecast", run_id) as record:
            record.rows = _rows(_run_forecast())
    except PublishError as error:  # a mart is missing
        errors.print(f"[red]Forecast failed:[/red] {error}")
        raise typer.Exit(EXIT_DATA)


def _run_publish(run_id: str | None, mlflow_run_id: str | None = None, run_date: date | None = None) -> None:
    from sodai import pipeline
    from sodai.publish import PublishError

    try:
        path = pipeline.publish(state.settings, run_id, mlflow_run_id, run_date)
    except PublishError as error:
        errors.print(f"[red]Publish failed:[/red] {error}")
        raise typer.Exit(EXIT_DATA)
    console.print(f"Report: {path}")


@app.command()
def docs() -> None:
    """dbt docs (models, columns, lineage) into <output>/dbt/docs, published with the report."""
    from sodai import pipeline

    with _engine() as (handle, spark):
        path = pipeline.docs(state.settings, spark, handle.url)
    console.print(f"dbt docs: {path / 'index.html'}")


@app.command()
def publish(
    run_id: Optional[str] = typer.Option(None, "--run-id", help="Pipeline run id recorded as provenance."),
    day: Optional[str] = typer.Option(None, "--date", help="The day a scheduled run processed (recorded with the reference data it used)."),
) -> None:
    """Gold -> report.json: every key finding and figure, validated against docs/report.schema.json."""
    from sodai.runs import new_run_id

    run_date = _parse_day(day, "--date") if day else None
    run_id = run_id or new_run_id("pipeline")
    with _one_stage("publish", run_id, run_date):
        _run_publish(run_id, run_date=run_date)


@app.command()
def calibrate(
    report: Optional[Path] = typer.Option(None, "--report", help="report.json to check (default <output>/report.json)."),
    published: Optional[Path] = typer.Option(None, "--published", help="Published numbers (default conf/published/2024.yaml)."),
) -> None:
    """Published vs computed for every key finding and figure headline; exit 1 if any is out of tolerance."""
    from sodai import pipeline
    from sodai.calibrate import PUBLISHED_PATH, calibrate as compare, display, load_published, published_display

    report = report or pipeline.report_path(state.settings)
    if not report.is_file():
        errors.print(f"[red]No report at {report}:[/red] run `sodai run` (or `sodai publish`) first.")
        raise typer.Exit(EXIT_USAGE)
    comparisons = compare(report, load_published(published or PUBLISHED_PATH))
    table = Table(title=f"Published vs computed ({report})")
    for column in ("id", "what", "published", "computed", "tolerance", ""):
        table.add_column(column, justify="right" if column in ("published", "computed") else "left")
    for c in comparisons:
        table.add_row(c.target.id, c.target.label, published_display(c), display(c.computed, c.unit), c.tolerance,
                      "[green]ok[/green]" if c.ok else "[red]outside[/red]")
    console.print(table)
    misses = [c for c in comparisons if not c.ok]
    console.print(f"{len(comparisons) - len(misses)} of {len(comparisons)} within tolerance.")
    if misses:
        raise typer.Exit(EXIT_DATA)


@app.command()
def status() -> None:
    """Tables (Delta version, rows), the latest ingest runs and the quality gates' state."""
    from sodai.gate_console import print_state
    from sodai.gate_state import read_latest
    from sodai.status import latest_ingest_runs, table_status

    print_state(console, read_latest(state.settings.output))
    _print_published_reference_data()
    lakehouse = state.settings.lakehouse
    tables = table_status(lakehouse)
    if not tables:
        console.print(f"No tables yet under {lakehouse}: run `sodai run`.")
        return
    table = Table(title=f"Lakehouse {lakehouse}")
    for column in ("table", "version", "rows", "files", "last operation", "last modified (UTC)"):
        table.add_column(column, justify="right" if column in ("version", "rows", "files") else "left")
    for t in tables:
        table.add_row(t.name, str(t.version), f"{t.rows:,}", str(t.files), t.last_operation,
                      t.last_modified.strftime("%Y-%m-%d %H:%M:%S") if t.last_modified is not None else "")
    console.print(table)
    runs = latest_ingest_runs(lakehouse, limit=5)
    if not runs.empty:
        console.print("Latest ingest batches: " + "; ".join(f"{r.ingest_run_id} {r.state}" for r in runs.itertuples()))
    _print_history(lakehouse)


def _print_published_reference_data() -> None:
    """The published report's reference data: which accounts snapshot its industries come from."""
    import json

    from sodai import pipeline

    path = pipeline.report_path(state.settings)
    if not path.is_file():
        return
    reference = json.loads(path.read_text()).get("provenance", {}).get("reference_data")
    if reference:
        console.print(f"Published report's industries: {reference['note']}.")


def _print_history(lakehouse: Path, runs: int = 3) -> None:
    from sodai.history import read_history

    history = read_history(lakehouse, limit_runs=runs)
    if history.empty:
        return
    table = Table(title="Latest pipeline runs (ops.pipeline_runs)")
    for column in ("run", "date", "stage", "status", "rows", "seconds", "started (UTC)"):
        table.add_column(column, justify="right" if column in ("rows", "seconds") else "left")
    for r in history.itertuples():
        style = "red" if r.status != "succeeded" else None
        status = f"[{style}]{r.status}[/{style}]" if style else r.status
        table.add_row(r.run_id, str(r.run_date) if r.run_date is not None and r.run_date == r.run_date else "",
                      r.stage, status, "" if r.rows is None or r.rows != r.rows else f"{int(r.rows):,}",
                      f"{r.duration_s:.1f}", r.started_at.strftime("%Y-%m-%d %H:%M:%S"))
    console.print(table)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8050, help="Port."),
) -> None:
    """Serve the report site."""
    from dashboards.app import create_app

    create_app(state.settings).run(host=host, port=port, debug=False)


@app.command("export-site")
def export_site(
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the HTML files (default <output>/site)."),
    lang: str = typer.Option("en", "--lang", help="Language of the export: en, ko or fr."),
) -> None:
    """The report site as self-contained HTML files (one per page, index.html first), for offline reading."""
    from dashboards.export import export_site as export
    from dashboards.i18n import LANGUAGES

    if lang not in LANGUAGES:
        errors.print(f"[red]Unknown language {lang!r}:[/red] choose one of {', '.join(LANGUAGES)}.")
        raise typer.Exit(EXIT_USAGE)
    if not (state.settings.output / "report.json").is_file():
        errors.print(f"[red]No report at {state.settings.output / 'report.json'}:[/red] run `sodai run` first.")
        raise typer.Exit(EXIT_USAGE)
    written = export(state.settings, out, lang)
    console.print(f"Wrote {len(written)} pages into {written[0].parent} (open {written[0].name}).")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
