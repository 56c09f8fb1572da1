"""Great Expectations suites of the quality gates, as code: one module per layer GE gates.

Each layer module has `suites(params) -> list[TableSuite]`: one `gx.ExpectationSuite` per table of
the layer (`bronze.events`, `silver.<table>`), bound to the Delta table it validates. Accepted
values come from the telemetry contract (jobs/contract.py), never from lists typed here. Gold is
checked by dbt's own tests, in `dbt build` (dbt_project/); sodai/gates/run.py runs both gates.
"""

from expectations.common import GateParams, TableSuite, suites_for

__all__ = ["GateParams", "TableSuite", "suites_for"]
