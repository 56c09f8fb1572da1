"""The gates on the console: a gate's suites and every failed or warning expectation."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sodai.gate_state import LAYER_ORDER


def print_gate(console: Console, errors: Console, report) -> None:
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


def print_state(console: Console, state: dict | None) -> None:
    """gates/latest.json for `sodai status`: the latest result of each layer."""
    if not state:
        console.print("Quality gates: not run yet.")
        return
    table = Table(title=f"Quality gates (run {state.get('run_id') or '-'}, checked {state['checked_at']})")
    for column in ("layer", "suites", "passed", "failed", "warnings"):
        table.add_column(column, justify="left" if column in ("layer", "failed") else "right")
    for layer in LAYER_ORDER:
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
