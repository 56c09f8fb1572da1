"""The pipeline's stages, declared once, in order.

This tuple is the only list of stages. `sodai run` and `sodai backfill` run it in one process on one
engine session; each stage is also a command of its own (`sodai ingest`, `sodai gate bronze`, ...)
that an orchestrator runs as a task, and the Airflow DAG (orchestration/airflow) is built from it.
A stage's `options` are what the run passes to it and what the DAG's command line says, so a task
does the same work as the stage inside `sodai run` (a scheduled gate validates only new batches).

Nothing here imports an engine: the DAG file imports this module on the Airflow scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping

Switch = Literal["quality", "forecast"]


@dataclass(frozen=True)
class Stage:
    """One stage: its name (in ops.pipeline_runs, MLflow and the DAG's task ids), the command that
    runs it alone, whether it takes the run's day (`--date`), its options, and the setting that
    turns it off (`quality.enabled`, `forecast.enabled`), if any."""

    name: str
    command: tuple[str, ...]
    dated: bool = False
    options: Mapping[str, bool] = field(default_factory=dict)
    switch: Switch | None = None

    def enabled(self, settings) -> bool:
        return self.switch is None or getattr(settings, self.switch).enabled

    def argv(self, run_date: str | None = None, run_id: str | None = None) -> list[str]:
        """The command line that runs this stage alone, as `sodai run` runs it."""
        argv = list(self.command)
        argv += [f"--{name.replace('_', '-')}" for name, on in self.options.items() if on]
        if self.dated and run_date:
            argv += ["--date", run_date]
        if run_id:
            argv += ["--run-id", run_id]
        return argv


def _gate(layer: str) -> Stage:
    # A scheduled run's gate validates the batches its suites have not passed on yet (sodai/gates).
    return Stage(f"gate_{layer}", ("gate", layer), dated=True, options={"new_batches": True}, switch="quality")


STAGES: tuple[Stage, ...] = (
    Stage("ingest", ("ingest",), dated=True),
    _gate("bronze"),
    Stage("refine", ("refine",), dated=True),
    _gate("silver"),
    Stage("transform", ("transform",)),
    Stage("docs", ("docs",)),
    _gate("gold"),
    Stage("forecast", ("forecast",), switch="forecast"),
    Stage("publish", ("publish",), dated=True),
)

STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)


def stage(name: str) -> Stage:
    return next(s for s in STAGES if s.name == name)
