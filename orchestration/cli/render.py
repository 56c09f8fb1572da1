"""How the commands show what a stage did: tables and lines on the console, nothing else.

Every function takes a stage's report (or a state read from the lakehouse) and prints it; none
runs a stage or reads settings, so a run and a stage command run alone print the same.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from orchestration.cli.session import console, errors
from sodai.gates.state import LAYERS


def ingest(report) -> None:
    """The reconciliation of every file read: lines read = accepted + duplicates + quarantined."""
    for added in report.upgraded:
        console.print(f"Lakehouse upgraded in place: {added.text}")
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

def transform(report) -> None:
    """dbt build: what it built, how its tests went, each warning and failure."""
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
    if report.marts is not None and report.marts.left:
        console.print(f"Marts: {len(report.marts.rebuilt)} rebuilt, {len(report.marts.left)} left as they were "
                      f"({report.marts.reason}; no new event in their spans)")
    elif report.marts is not None and report.marts.rebuilt:  # why a scheduled day costs a whole build
        console.print(f"Marts: all {len(report.marts.rebuilt)} rebuilt ({report.marts.reason})")
    for node in report.nodes:
        if node.status == "warn":
            errors.print(f"[yellow]warn: {node.resource_type} {node.name}: {(node.message or '').strip()}[/yellow]")
    for node in report.failures:
        errors.print(f"[red]{node.status}: {node.resource_type} {node.name}: {(node.message or '').strip()}[/red]")
    console.print(f"dbt invocation {report.invocation_id}; artifacts in {report.target_path}")


def history(history) -> None:
    """The latest rows of ops.pipeline_runs."""
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


def gate(report) -> None:
    """One gate run: a row per suite, then each failure (red) and warning (yellow)."""
    verdict = "[green]passed[/green]" if report.success else "[red]FAILED[/red]"
    table = Table(title=f"Gate {report.layer}: {verdict} ({report.evaluated} expectations, {report.elapsed_s:.1f} s)")
    for column in ("suite", "validated", "expectations", "failed", "warnings"):
        table.add_column(column, justify="left" if column in ("suite", "validated") else "right")
    for r in report.results:
        table.add_row(r.suite, report.scopes.get(r.suite, "whole table"), str(r.evaluated),
                      f"[red]{len(r.failed)}[/red]" if r.failed else "0",
                      f"[yellow]{len(r.warnings)}[/yellow]" if r.warnings else "0")
    console.print(table)
    for r in report.results:
        for f in r.failed:
            errors.print(f"[red]{escape(_finding('failed', r.suite, f))}[/red]", soft_wrap=True)
        for f in r.warnings:
            errors.print(f"[yellow]{escape(_finding('warning', r.suite, f))}[/yellow]", soft_wrap=True)
    if report.data_docs:
        console.print(f"Data Docs: {report.data_docs}")


def _finding(kind: str, suite: str, f) -> str:
    """What is wrong in the data's words and what to do, then the check's technical name."""
    name = f"{f.check} " if f.check else ""
    technical = f"{f.expectation}{f' (column {f.column})' if f.column else ''}: {f.details}"
    if not f.summary:
        return f"{kind}: {name}suite {suite}: {technical}"
    return (f"{kind}: {name}{f.summary}\n  what to do: {f.remedy}\n"
            f"  check: suite {suite}: {technical}")


def gate_state(state: dict | None) -> None:
    """gates/latest.json for `sodai status`: the latest result of each layer."""
    if not state:
        console.print("Quality gates: not run yet.")
        return
    table = Table(title=f"Quality gates (run {state.get('run_id') or '-'}, checked {state['checked_at']})")
    for column in ("layer", "suites", "passed", "failed", "warnings"):
        table.add_column(column, justify="left" if column in ("layer", "failed") else "right")
    for layer in LAYERS:
        gates = [g for g in state["gates"] if g["layer"] == layer]
        if not gates:
            table.add_row(layer, "-", "-", "not run", "-")
            continue
        failed = [g["suite"] for g in gates if not g["success"]]
        table.add_row(layer, str(len(gates)), str(len(gates) - len(failed)),
                      f"[red]{', '.join(failed)}[/red]" if failed else "0",
                      str(sum(len(g["warnings"]) for g in gates)))
    console.print(table)
    if state.get("publication_blocked"):
        console.print("[red]Publication blocked[/red] by the failed suites above.")
    if state.get("data_docs"):
        console.print(f"Data Docs: {state['data_docs']}")


def refine(report) -> None:
    if not report.ingest_runs:
        console.print("Silver is up to date: no new bronze batches.")
        return
    groups = f" in {report.groups} groups" if report.groups > 1 else ""
    table = Table(title=f"Refine {report.refine_run_id}: {len(report.ingest_runs)} bronze batches{groups}")
    table.add_column("silver table")
    table.add_column("rows inserted", justify="right")
    for name, count in report.inserted.items():
        table.add_row(name, f"{count:,}")
    if report.accounts_snapshot:
        table.add_row(f"silver.accounts (snapshot {report.accounts_snapshot})", f"{report.accounts_rows:,}")
    console.print(table)


def accounts_snapshot(choice) -> None:
    """Which accounts snapshot the industries come from (the reference-data rule), a warning
    when none was delivered."""
    if choice.rule == "none":
        errors.print(f"[yellow]warning: accounts_snapshot_missing: {choice.text}[/yellow]")
    else:
        console.print(f"Industries: {choice.text}.")


def forecast(report, candidates) -> None:
    table = Table(title=f"Forecast {report.forecast_run_id} in {report.elapsed_s:.1f} s: backtest MAPE (%) "
                        "per candidate; the champion forecasts into gold.forecasts")
    table.add_column("series")
    table.add_column("periods", justify="right")
    for method in candidates:
        table.add_column(method.replace("seasonal_naive", "snaive"), justify="right")
    table.add_column("champion")
    for result in report.results:
        scores = [f"{result.scores[m].mape:.1f}" if m in result.scores else "-" for m in candidates]
        registry = "same values: forecast kept" if result.kept_from else "new" if result.decision.register else "kept"
        table.add_row(result.series.name, str(len(result.series.values)), *scores,
                      f"{result.champion_method} v{result.champion_version} ({registry})")
    console.print(table)
    for result in report.results:
        if result.series.dropped:
            errors.print(f"[yellow]{result.series.name}: {result.series.dropped} periods before the latest "
                         "suppressed or missing one not used[/yellow]")
    for skipped in report.skipped:
        errors.print(f"[yellow]{skipped.name}: not forecast: {skipped.reason}[/yellow]")


def calibration(report: Path, comparisons) -> None:
    from sodai.calibrate import display, published_display

    table = Table(title=f"Published vs computed ({report})")
    for column in ("id", "what", "published", "computed", "tolerance", ""):
        table.add_column(column, justify="right" if column in ("published", "computed") else "left")
    for c in comparisons:
        table.add_row(c.target.id, c.target.label, published_display(c), display(c.computed, c.unit), c.tolerance,
                      "[green]ok[/green]" if c.ok else "[red]outside[/red]")
    console.print(table)
    misses = sum(1 for c in comparisons if not c.ok)
    console.print(f"{len(comparisons) - misses} of {len(comparisons)} within tolerance.")


_CHANGE_NOTES = {"became_suppressed": "now suppressed (too few customers)", "published": "published again",
                 "added": "new in this report", "removed": "no longer in the report"}


def report_changes(earlier, later, changes) -> None:
    """`sodai diff`: the cells that differ between two publications (sodai.report_changes)."""
    from sodai.calibrate import display
    from sodai.report_changes import PERCENTAGE_UNITS

    if earlier is None:
        console.print(f"Publication {later.pipeline_run_id} ({later.generated_at}) is the first: there is nothing to compare it with.")
        return
    if not changes:
        console.print(f"No key finding or figure highlight changed from {earlier.pipeline_run_id} to {later.pipeline_run_id}.")
        return
    table = Table(title=f"Changes from {earlier.pipeline_run_id} ({earlier.generated_at}) to "
                        f"{later.pipeline_run_id} ({later.generated_at})")
    for column in ("item", "measure", "industry / subject", "previous", "now", "difference", ""):
        table.add_column(column, justify="right" if column in ("previous", "now", "difference") else "left")
    for change in changes:
        item, measure, industry, subject = change.key
        where = " / ".join(part for part in (industry, subject) if part and part != "all") or "all"
        def shown(value):
            return "-" if value is None else display(value, change.unit)  # noqa: B023 - used in this iteration

        # growth and shares are percentages: their difference is in points, not a percentage of them
        points = change.difference is not None and change.unit in PERCENTAGE_UNITS
        difference = f"{change.difference * 100:+.1f} pts" if points else shown(change.difference)
        table.add_row(item, measure, escape(where), shown(change.previous), shown(change.current), difference,
                      _CHANGE_NOTES.get(change.status, ""))
    console.print(table)
    console.print(f"{len(changes)} cells changed.")


def tables(lakehouse: Path, statuses) -> None:
    """The lakehouse's tables for `sodai status`."""
    if not statuses:
        console.print(f"No tables yet under {lakehouse}: run `sodai run`.")
        return
    table = Table(title=f"Lakehouse {lakehouse}")
    for column in ("table", "version", "rows", "files", "last operation", "last modified (UTC)"):
        table.add_column(column, justify="right" if column in ("version", "rows", "files") else "left")
    for t in statuses:
        table.add_row(t.name, str(t.version), f"{t.rows:,}", str(t.files), t.last_operation,
                      t.last_modified.strftime("%Y-%m-%d %H:%M:%S") if t.last_modified is not None else "")
    console.print(table)


def ingest_batches(runs) -> None:
    if not runs.empty:
        console.print("Latest ingest batches: " + "; ".join(f"{r.ingest_run_id} {r.state}" for r in runs.itertuples()))


def generated(summary, root: Path, elapsed: float) -> None:
    console.print(
        f"Wrote {summary.events:,} events ({summary.lines:,} lines, {len(summary.files)} files) for "
        f"{summary.customers:,} customers into {root} in {elapsed:.1f} s "
        f"({summary.lines / max(elapsed, 1e-9):,.0f} lines/s)."
    )
    if summary.dirty:
        console.print("Dirty lines: " + ", ".join(f"{k}={v}" for k, v in sorted(summary.dirty.items())))


def reference_data(reference: dict | None) -> None:
    """The published report's reference data: which accounts snapshot its industries come from."""
    if reference:
        console.print(f"Published report's industries: {reference['note']}.")
