"""Great Expectations suites of the quality gates, as code: one module per layer.

Each layer module has `suites(params) -> list[TableSuite]`: one `gx.ExpectationSuite` per table of
the layer (`bronze.events`, `silver.<table>`, `gold.<mart>`), bound to the Delta table it
validates. Accepted values come from the telemetry contract (jobs/contract.py), the dbt seeds and
the marts' own yml, never from lists typed here. sodai/gates.py runs them.
"""

from expectations.common import LAYERS, GateParams, TableSuite, suites_for

__all__ = ["LAYERS", "GateParams", "TableSuite", "suites_for"]
