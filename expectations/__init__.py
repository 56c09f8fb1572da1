"""Great Expectations suites of the quality gates, as code: one module per layer GE gates.

Each layer module has `suites(params) -> list[TableSuite]`: one `gx.ExpectationSuite` per table of
the layer (`bronze.events`, `silver.<table>`), bound to the Delta table it validates. Accepted
values come from the telemetry contract (jobs/contract.py), never from lists typed here. Gold is
checked by dbt's own tests, in `dbt build` (dbt_project/); sodai/gates/run.py runs both gates.
"""

from expectations import bronze, silver
from expectations.common import GateParams, TableSuite

_LAYERS = {"bronze": bronze, "silver": silver}


def suites_for(layer: str, params: GateParams) -> list[TableSuite]:
    """The suites of a layer Great Expectations gates: bronze and silver (gold is dbt's tests')."""
    if layer not in _LAYERS:
        raise ValueError(f"no Great Expectations suites for layer {layer!r}: one of {', '.join(_LAYERS)}")
    return _LAYERS[layer].suites(params)


__all__ = ["GateParams", "TableSuite", "suites_for"]
