"""The commands of `sodai` (exit codes: orchestration/cli/__init__.py). A command parses its options and
calls a stage (orchestration/cli/stage_runs.py) or a reader; what it prints is in orchestration/cli/render.py."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Optional

import typer
from pydantic import ValidationError

from jobs import storage
from orchestration.cli import render
from orchestration.cli.session import EXIT_DATA, EXIT_USAGE, console, errors, parse_day, progress, refuse_on_bad_setup, state
from orchestration.cli.stage_runs import run_alone, run_days, run_several
from sodai.config import load_settings

app = typer.Typer(help="State of Data + AI pipeline: telemetry in, report out.", no_args_is_help=True)


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


RUN_ID_OPTION = typer.Option(None, "--run-id", help="Record this stage under this pipeline run id (an orchestrator's); default a new one.")


@app.command()
def generate(
    customers: Optional[int] = typer.Option(None, help="Number of customer organisations (default from conf)."),
    seed: Optional[int] = typer.Option(None, help="Random seed (default from conf)."),
    until: Optional[str] = typer.Option(None, help="Deliver only days up to this date (YYYY-MM-DD)."),
    dirty: float = typer.Option(0.0, help="Share of extra dirty lines of every kind (e.g. 0.001)."),
    landing: Optional[Path] = typer.Option(None, help="Landing folder (default from conf)."),
    redeliver: Optional[str] = typer.Option(
        None, help="Re-deliver this landing file unchanged, e.g. events/date=2024-03-01/part-0000.json."),
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
    until_date = parse_day(until, "--until")
    started = time.perf_counter()
    with progress() as bar:
        total_days = (params.period.end - params.period.start).days + 1
        task = bar.add_task("Generating telemetry (days)", total=total_days)
        summary = generate_telemetry(
            params, landing=root, customers=customers or settings.generator.customers,
            seed=settings.generator.seed if seed is None else seed, until=until_date, dirty_rate=dirty,
            on_day=lambda day, n: bar.advance(task),
        )
    render.generated(summary, root, time.perf_counter() - started)


@app.command()
def ingest(
    day: Optional[str] = typer.Option(None, "--date", help="Only landing files of date folders up to this day (YYYY-MM-DD)."),
    run_id: Optional[str] = RUN_ID_OPTION,
) -> None:
    """Landing -> bronze: every new file, exactly once, with quarantine and reconciliation."""
    run_date = parse_day(day)
    refuse_on_bad_setup(landing=True)
    run_alone("ingest", run_id, run_date)


@app.command()
def refine(
    day: Optional[str] = typer.Option(
        None, "--date", help="The day a scheduled run processes: says which accounts snapshot its industries use."),
    run_id: Optional[str] = RUN_ID_OPTION,
    rekey: bool = typer.Option(False, "--rekey", help="Rebuild silver from bronze with this run's pseudonym key, "
                                                      "then gold (a full dbt build): after changing the key."),
) -> None:
    """Bronze -> silver: typed, deduplicated, pseudonymized tables (incremental)."""
    run_date = parse_day(day)
    refuse_on_bad_setup(key=not rekey)
    run_alone("refine", run_id, run_date, rekey=rekey)


@app.command()
def transform(
    select: Optional[list[str]] = typer.Option(
        None, "--select", "-s", help="dbt node selection, e.g. +int_customer_industry (repeatable)."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude", help="dbt nodes left out, e.g. resource_type:test (repeatable)."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="dbt's --full-refresh: incremental models rebuilt from scratch."),
    run_id: Optional[str] = RUN_ID_OPTION,
) -> None:
    """Silver -> gold: `dbt build` of dbt_project/ (models and their tests) on the pipeline's engine."""
    run_alone("transform", run_id, select=select, full_refresh=full_refresh, exclude=exclude)


@app.command()
def docs(run_id: Optional[str] = RUN_ID_OPTION) -> None:
    """dbt docs (models, columns, lineage) into <output>/dbt/docs, published with the report."""
    run_alone("docs", run_id)


@app.command()
def run(
    day: Optional[str] = typer.Option(
        None, "--date", help="Scheduled run for this day (YYYY-MM-DD): only landing files of date folders up to it."),
) -> None:
    """Every stage, in order, on one engine session: ingest, gate bronze, refine, gate silver,
    transform, docs, gate gold, forecast, publish (sodai/stages.py). A failed gate stops the stages
    after it. Tracked as one MLflow run with a nested run per stage, and in ops.pipeline_runs.

    Incremental and idempotent: a second run with nothing new changes no table's contents."""
    run_days([parse_day(day)])


@app.command()
def backfill(
    first: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
    last: str = typer.Option(..., "--to", help="Last day, included."),
) -> None:
    """Replay `run --date D` for every day from --from to --to, in order, on one engine session."""
    start, end = parse_day(first, "--from"), parse_day(last, "--to")
    if end < start:
        errors.print(f"[red]--to {end} is before --from {start}[/red]")
        raise typer.Exit(EXIT_USAGE)
    run_days([start + timedelta(days=n) for n in range((end - start).days + 1)])


@app.command()
def gate(
    layer: str = typer.Argument(..., help="bronze | silver | gold | all"),
    day: Optional[str] = typer.Option(None, "--date", help="The day a scheduled run processed: freshness is judged against it."),
    new_batches: bool = typer.Option(
        False, "--new-batches",
        help="Validate only the ingest batches the suites have not passed on yet, as `sodai run` does (default: whole tables)."),
    run_id: Optional[str] = RUN_ID_OPTION,
) -> None:
    """Run a quality gate (Great Expectations suites of expectations/); exit 1 if a suite failed."""
    from jobs.runs import new_run_id
    from sodai.gates import LAYERS, GateFailed

    layers = list(LAYERS) if layer == "all" else [layer]
    if any(name not in LAYERS for name in layers):
        errors.print(f"[red]Unknown layer {layer!r}:[/red] one of {', '.join(LAYERS)}, all")
        raise typer.Exit(EXIT_USAGE)
    run_date = parse_day(day)
    run_id = run_id or new_run_id("gate")
    try:  # every layer asked for, even after a failure: all the news at once, on one engine session
        run_several([f"gate_{name}" for name in layers], run_id, run_date, keep_going=True, new_batches=new_batches)
    except GateFailed:
        raise typer.Exit(EXIT_DATA)


@app.command()
def forecast(run_id: Optional[str] = RUN_ID_OPTION) -> None:
    """Gold -> forecasts: backtest the candidates on every series, register the champion (MLflow), write gold.forecasts."""
    run_alone("forecast", run_id)


@app.command()
def publish(
    run_id: Optional[str] = typer.Option(None, "--run-id", help="Pipeline run id recorded as provenance."),
    day: Optional[str] = typer.Option(None, "--date", help="The day a scheduled run processed (recorded with the reference data it used)."),
) -> None:
    """Gold -> report.json: every key finding and figure, validated against docs/report.schema.json."""
    from jobs.runs import new_run_id

    run_alone("publish", run_id or new_run_id("pipeline"), parse_day(day))


@app.command()
def diff(
    from_run: Optional[str] = typer.Option(None, "--from", help="Run id of the earlier publication (default: the one before --to)."),
    to_run: Optional[str] = typer.Option(None, "--to", help="Run id of the later publication (default: the latest)."),
) -> None:
    """What changed between two publications of the report: every key finding and figure highlight that moved."""
    from sodai import publications
    from sodai.report_changes import changes

    output = state.settings.output
    kept = publications.history(output)
    try:
        later = publications.find(output, to_run) if to_run else (kept[-1] if kept else None)
        if later is None:
            errors.print(f"No publication under {storage.publications_dir(output)} yet: run `sodai run` (or `sodai publish`).")
            raise typer.Exit(EXIT_USAGE)
        earlier = publications.find(output, from_run) if from_run else next(
            (p for p in reversed(kept) if p.sequence < later.sequence), None)
    except publications.PublicationNotFound as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(EXIT_USAGE)
    render.report_changes(earlier, later, changes(earlier.report(), later.report()) if earlier else [])


@app.command()
def calibrate(
    report: Optional[Path] = typer.Option(None, "--report", help="report.json to check (default <output>/report.json)."),
    published: Optional[Path] = typer.Option(None, "--published", help="Published numbers (default conf/published/2024.yaml)."),
) -> None:
    """Published vs computed for every key finding and figure headline; exit 1 if any is out of tolerance."""
    from sodai import pipeline
    from sodai.calibrate import PUBLISHED_PATH, load_published
    from sodai.calibrate import calibrate as compare

    report = report or pipeline.report_path(state.settings)
    if not report.is_file():
        errors.print(f"[red]No report at {report}:[/red] run `sodai run` (or `sodai publish`) first.")
        raise typer.Exit(EXIT_USAGE)
    comparisons = compare(report, load_published(published or PUBLISHED_PATH))
    render.calibration(report, comparisons)
    if any(not c.ok for c in comparisons):
        raise typer.Exit(EXIT_DATA)


@app.command()
def status() -> None:
    """Tables (Delta version, rows), the latest ingest runs and the quality gates' state."""
    from sodai import pipeline
    from sodai.gates.state import read_latest
    from sodai.history import read_history
    from sodai.status import latest_ingest_runs, published_reference_data, table_status

    lakehouse = state.settings.lakehouse
    render.gate_state(read_latest(state.settings.output))
    render.reference_data(published_reference_data(pipeline.report_path(state.settings)))
    statuses = table_status(lakehouse)
    render.tables(lakehouse, statuses)
    if statuses:
        render.ingest_batches(latest_ingest_runs(lakehouse, limit=5))
        render.history(read_history(lakehouse, limit_runs=3))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8050, help="Port."),
    workers: Optional[int] = typer.Option(None, help="Worker processes (default site.workers: one per CPU core)."),
) -> None:
    """Serve the report site on gunicorn (site.workers processes, site.threads threads each)."""
    from dashboards.serve import serve as serve_site

    console.print(f"Serving the report on http://{host}:{port} (Ctrl-C to stop)")
    serve_site(state.settings, host, port, workers)


def require_readable_report() -> None:
    """Exit with a usage error unless report.json exists and parses: the exports read it whole,
    and a truncated or hand-edited file should be named, not shown as a traceback."""
    report = storage.report_path(state.settings.output)
    if not report.is_file():
        errors.print(f"[red]No report at {report}:[/red] run `sodai run` first.")
        raise typer.Exit(EXIT_USAGE)
    try:
        json.loads(report.read_text(encoding="utf-8"))
    except ValueError as error:
        errors.print(f"[red]{report} is not a readable report[/red] ({error}): `sodai publish` writes it again.")
        raise typer.Exit(EXIT_USAGE)


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
    require_readable_report()
    written = export(state.settings, out, lang)
    console.print(f"Wrote {len(written)} pages into {written[0].parent} (open {written[0].name}).")
    if state.settings.publish is not None:
        target = storage.published_site_dir(state.settings.publish) / lang
        for page in sorted(p for p in written[0].parent.rglob("*") if p.is_file()):
            storage.put_file(page, target / page.relative_to(written[0].parent).as_posix())
        console.print(f"Published them to {target}.")


@app.command("export-pdf")
def export_pdf(
    lang: list[str] = typer.Option(["en"], "--lang", help="Language: en, ko or fr; repeat for several PDFs."),
    out: Optional[Path] = typer.Option(None, "--out", help="The PDF file, for one language (default <output>/report-<lang>.pdf)."),
) -> None:
    """The whole report as one PDF (cover, key findings, changes, every figure, methodology), printed by headless Chromium."""
    from dashboards.i18n import LANGUAGES
    from dashboards.pdf import PrintError
    from dashboards.pdf import export_pdf as export

    unknown = [code for code in lang if code not in LANGUAGES]
    if unknown:
        errors.print(f"[red]Unknown language {unknown[0]!r}:[/red] choose among {', '.join(LANGUAGES)}.")
        raise typer.Exit(EXIT_USAGE)
    if out is not None and len(lang) > 1:
        errors.print("[red]--out names one file:[/red] give one --lang with it, or leave --out out for one PDF per language.")
        raise typer.Exit(EXIT_USAGE)
    require_readable_report()
    for code in dict.fromkeys(lang):
        try:
            written = export(state.settings, code, out)
        except PrintError as error:
            errors.print(f"[red]Could not print the report:[/red] {error}")
            raise typer.Exit(EXIT_USAGE)
        console.print(f"Wrote the report in {LANGUAGES[code]} to {written}.")
        if state.settings.publish is not None:
            target = storage.put_file(written, storage.published_pdf_path(state.settings.publish, code))
            console.print(f"Published it to {target}.")

