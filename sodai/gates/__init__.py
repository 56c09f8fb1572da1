"""The quality gates: what the pipeline checks between its stages, and what blocks publication.

    report.py    what a gate returns (GateReport) and GateFailed, without Great Expectations
    run.py       a layer's gate: bronze and silver as Great Expectations suites (expectations/) on
                 the engine, gold as the verdict of dbt's tests of the latest build
    dbt_tests.py dbt's test results as the gold gate's suites, one per model
    scope.py     which ingest batches a scheduled run's gate validates (ops.gate_ledger)
    state.py     gates/latest.json: the latest result of each layer, and whether it blocks publishing
    messages.py  a failed check in the data's words, and what to do
"""

from importlib import import_module
from typing import TYPE_CHECKING

from sodai.gates.report import GateFailed, GateReport
from sodai.gates.state import LAYERS

if TYPE_CHECKING:
    from sodai.gates.run import docs_index, gate_params, gx_context, run_gate, suite_result

_RUNNER = ("docs_index", "gate_params", "gx_context", "run_gate", "suite_result")

__all__ = ["LAYERS", "GateFailed", "GateReport", "docs_index", "gate_params", "gx_context", "run_gate", "suite_result"]


def __getattr__(name: str):
    """The gate's runner on first use: it imports Great Expectations (about 2.7 s), which whatever
    reads only the gates' state (gates/latest.json: the CLI's rendering, `sodai status`, `sodai
    publish`) does not need."""
    if name in _RUNNER:
        return getattr(import_module("sodai.gates.run"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
