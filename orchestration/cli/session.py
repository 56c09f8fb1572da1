"""What every command shares: the settings, the consoles, and how a command takes the engine and
the lakehouse's run lock, turning what goes wrong into an exit code and one line."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Callable, Iterator

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sodai.config import Settings, pseudonym_key

EXIT_DATA, EXIT_USAGE, EXIT_ENGINE, EXIT_BUSY = 1, 2, 3, 4

console = Console(stderr=False)
errors = Console(stderr=True, soft_wrap=True)  # messages stay one line in logs


class State:
    settings: Settings
    traceback: bool = False


state = State()


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False, disable=not console.is_terminal,
    )


@contextmanager
def engine(while_starting: Callable[[], object] = lambda: None) -> Iterator:
    """The configured engine's (handle, session); engine and unexpected errors become exit codes
    with a one-line message (the full traceback with --traceback). `while_starting` runs between
    starting the server and its first session, while the server boots."""
    from pyspark.errors import PySparkException

    from sodai.dbt_build import TransformError
    from sodai.engine import EngineError, start_engine

    try:
        handle = start_engine(state.settings)
        try:
            while_starting()
            handle.ready()
        except BaseException:
            handle.stop()
            raise
    except EngineError as error:
        errors.print(f"[red]Engine error ({state.settings.engine.kind}):[/red] {error}")
        raise typer.Exit(EXIT_ENGINE)
    try:
        yield handle, handle.session()
    except typer.Exit:
        raise
    except Exception as error:
        if state.traceback:
            raise
        first = (str(error).strip().splitlines() or [repr(error)])[0]
        outage = store_outage()
        if outage:  # whichever client failed first, the cause is the store: say so, exit as for the engine
            errors.print(f"[red]Object store unreachable:[/red] {outage}\n  the stage failed with "
                         f"{type(error).__name__}: {escape(first[:500])}\n  nothing is lost: run again once the "
                         "store answers; every stage resumes from its last commit")
            raise typer.Exit(EXIT_ENGINE)
        if not isinstance(error, (PySparkException, OSError, ValueError, TransformError)):
            raise
        errors.print(f"[red]{type(error).__name__}:[/red] {first}\n(run with --traceback for details)")
        raise typer.Exit(EXIT_ENGINE if "UNAVAILABLE" in str(error) else EXIT_DATA)
    finally:
        handle.stop()


def store_outage() -> str | None:
    """Why the lakehouse's or the landing's object store does not answer (None: both answer)."""
    from jobs.storage import unreachable

    return unreachable(state.settings.lakehouse) or unreachable(state.settings.landing)


def refuse_on_bad_setup(landing: bool = False, key: bool = False) -> None:
    """Stop (exit 2) before any work when a location cannot be used or the pseudonym key is not
    the one silver was made with: the lakehouse always, the landing and the key when asked."""
    from jobs.storage import StorageError, require_landing, require_writable_lakehouse
    from sodai import pipeline
    from sodai.pseudonym_keys import KeyChanged

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
def locked(run_id: str) -> Iterator:
    """Hold the lakehouse's run lock (sodai/lock.py) for a command that writes to it."""
    from sodai.lock import LeaseLost, RunLock, RunLocked

    refuse_on_bad_setup()
    try:
        with RunLock(state.settings.lakehouse, run_id, state.settings.run_lock.lease_seconds) as lock:
            if lock.took_over is not None:
                errors.print(f"[yellow]Took over the lock of a run that died: {lock.took_over.describe()}[/yellow]")
            yield lock
    except RunLocked as refused:
        errors.print(f"[red]Refused:[/red] {refused}")
        raise typer.Exit(EXIT_BUSY)
    except LeaseLost as lost:
        errors.print(f"[red]Stopped:[/red] {lost}")
        raise typer.Exit(EXIT_BUSY)


def parse_day(value: str | None, option: str = "--date") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.print(f"[red]{option}: not a date (YYYY-MM-DD): {value!r}[/red]")
        raise typer.Exit(EXIT_USAGE)


def warn_demo_key() -> None:
    _, is_demo = pseudonym_key(state.settings)
    if is_demo:
        errors.print(
            f"[yellow]Pseudonyms use the public demo key: set {state.settings.pseudonymization.key_env} "
            "for real telemetry.[/yellow]"
        )
