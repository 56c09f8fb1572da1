"""What every layer's suites share: the gate's parameters, the table a suite validates, and
builders that turn the project's declarations (DDL, contract checks, yml tests) into expectations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Iterable, Mapping

import great_expectations as gx
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.metadata_types import FailureSeverity

from jobs import storage
from jobs.layout import ddl_columns
from jobs.storage import TableName

WARNING = "warning"

# Spark SQL DDL type -> the Spark type name GE reports for a column
_SPARK_TYPES = {
    "string": "StringType", "bigint": "LongType", "int": "IntegerType", "double": "DoubleType",
    "date": "DateType", "timestamp": "TimestampType", "boolean": "BooleanType", "binary": "BinaryType",
}


@dataclass(frozen=True)
class GateParams:
    """Everything a suite depends on besides the data, from the settings and the landing zone."""

    lakehouse: Path
    freshness_max_lag_days: int
    # the newest events date folder in the landing zone, up to the run date (None: no telemetry
    # has landed yet, so nothing can be stale)
    newest_landing_date: date | None
    # the day a scheduled run processes (`--date`); None: everything landed, "now" is the newest
    # landing date
    run_date: date | None = None
    # suite -> the ingest batches it validates (sodai/gates/scope.py); a suite not named here
    # validates its whole table
    scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def freshness_date(self) -> date | None:
        """The day freshness is judged against: the run date, else the newest landing date."""
        return self.run_date or self.newest_landing_date

    def scoped(self, suite: str) -> bool:
        return suite in self.scopes

    def runs(self, suite: str) -> str:
        """SQL: the ingest batches `suite` validates: its scope, or every committed batch."""
        if not self.scoped(suite):
            return committed_runs(self)
        return "(" + ", ".join(f"'{run}'" for run in self.scopes[suite]) + ")"

    def location(self, schema: str, table: str) -> str:
        return str(storage.table_path(self.lakehouse, TableName(schema, table)))

    def ref(self, schema: str, table: str) -> str:
        """A Delta table in SQL, by location (as the jobs address tables)."""
        return f"delta.`{self.location(schema, table)}`"


@dataclass(frozen=True)
class TableSuite:
    """A suite and the Delta table it validates (`path` under the lakehouse). A `batched` table
    only grows by ingest batches (rows carry `ingest_run_id`), so a scheduled run's gate may
    validate only the batches it has not passed on yet (sodai/gates/scope.py)."""

    layer: str
    suite: gx.ExpectationSuite
    path: Path
    batched: bool = False

    @property
    def name(self) -> str:
        return self.suite.name


def new_suite(name: str, description: str, expectations: Iterable[Expectation]) -> gx.ExpectationSuite:
    # built whole (add_expectation would look the suite up in the active context's store each time)
    return gx.ExpectationSuite(name=name, expectations=list(expectations), meta={"notes": description})


def schema(ddl: str) -> list[Expectation]:
    """Exactly these columns, each of its declared type. In any order: Delta reads and writes
    columns by name, and the order differs by history (a table created partitioned puts its
    partition columns last; a column added later by jobs/layout.py comes after them)."""
    columns = ddl_columns(ddl)
    expectations: list[Expectation] = [
        gx.expectations.ExpectTableColumnsToMatchSet(column_set=[name for name, _ in columns], exact_match=True)
    ]
    expectations += [
        gx.expectations.ExpectColumnValuesToBeOfType(column=name, type_=_SPARK_TYPES[sql_type])
        for name, sql_type in columns
    ]
    return expectations


def not_null(columns: Iterable[str], where: str | None = None) -> list[Expectation]:
    return [gx.expectations.ExpectColumnValuesToNotBeNull(column=c, **condition(where)) for c in columns]


def condition(where: str | None) -> dict:
    """Keyword arguments restricting an expectation to the rows where a Spark SQL predicate holds."""
    return {"row_condition": where, "condition_parser": "spark"} if where else {}


_IN_SET = re.compile(r"^v in \((.+)\)$")
_COMPARISON = re.compile(r"^v (>=|>) (-?\d+(?:\.\d+)?)$")


def contract_check(column: str, check: str, where: str | None = None) -> Expectation:
    """A contract field check (a SQL predicate on `v`, jobs/contract.py) as an expectation:
    `v in ('a', 'b')` -> values in the set, `v >= 0` / `v > 0` -> values in range."""
    found = _IN_SET.match(check.strip())
    if found:
        values = [v.strip().strip("'") for v in found.group(1).split(",")]
        return gx.expectations.ExpectColumnValuesToBeInSet(column=column, value_set=values, **condition(where))
    found = _COMPARISON.match(check.strip())
    if found:
        operator, bound = found.groups()
        return gx.expectations.ExpectColumnValuesToBeBetween(
            column=column, min_value=float(bound) if "." in bound else int(bound),
            strict_min=operator == ">", **condition(where),
        )
    raise ValueError(f"contract check on {column} has no expectation form: {check!r}")


def contract_set(check: str) -> list[str]:
    """The values of a contract check `v in ('a', 'b')`."""
    found = _IN_SET.match(check.strip())
    if not found:
        raise ValueError(f"not a set check: {check!r}")
    return [v.strip().strip("'") for v in found.group(1).split(",")]


class ExpectNoOffendingRows(gx.expectations.UnexpectedRowsExpectation):
    """GE's UnexpectedRowsExpectation, answered with one query: how many rows its query returns.
    GE's own runs the query twice, for its rows and again for their count, and most of a silver
    gate's time went to those queries (a bronze reconciliation each). The offending rows of a
    check that fails are read by the gate itself, a few per rule (sodai/gates/run.py)."""

    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.row_count",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None,
                  execution_engine: Any = None) -> dict:
        found = metrics["unexpected_rows_query.row_count"]
        return {"success": found == 0, "result": {"observed_value": found}}


OFFENDING_ROWS = ExpectNoOffendingRows.expectation_type  # its type, in results and messages


def unexpected_rows(query: str, description: str) -> Expectation:
    """A check GE has no built-in for (a reconciliation, a sum), as SQL returning the offending
    rows; `{batch}` is the validated table. Passes when the query returns no row."""
    return ExpectNoOffendingRows(unexpected_rows_query=query, description=description)


@dataclass(frozen=True)
class RowRule:
    """A rule as SQL returning the rows that break it (`{batch}` is the validated table)."""

    name: str  # the rule's name in the offending rows (`rule`) and in messages
    query: str
    description: str


def row_rules(*rules: RowRule) -> Expectation:
    """Rules GE has no built-in for (a reconciliation, uniqueness across batches) as one
    expectation: one query, the union of the rules' queries, whose rows name the rule they break
    (`rule`) and show what was found (`found`: the rule's row as JSON). GE answers each
    unexpected-rows expectation with several engine requests whatever its query (the batch as a
    view, the query, its count), so a table's rules share one. The
    description lists them; meta.rules names each, for the message of those that do not hold."""
    query = "\nunion all\n".join(
        f"select '{rule.name}' as rule, to_json(struct(*)) as found from ({rule.query.strip()}) as {rule.name}"
        for rule in rules)
    expectation = unexpected_rows(query, " ".join(f"{rule.name}: {rule.description}" for rule in rules))
    expectation.meta = {**(expectation.meta or {}), "rules": {rule.name: rule.description for rule in rules}}
    return expectation


def first_rows_per_rule(query: str, rows: int) -> str:
    """The first `rows` offending rows of each rule a row_rules query finds: a message shows every
    broken rule, not only the first one's rows."""
    return (f"select rule, found from (select rule, found, row_number() over (partition by rule order by found) as n "
            f"from ({query}) as broken) as numbered where n <= {rows}")


def newest_at_least(column: str, minimum: date, description: str, table: str = "{batch}") -> Expectation:
    """Freshness: the newest value of a date column is at least `minimum`; an empty table fails
    too. The offending row names the newest value (`last_<column>`, null when there is none). A
    suite validating only new batches states it on its whole table (`table`, a table in SQL): a
    batch may hold only late rows, or none of this table's."""
    # Naming {batch} in a comment when the whole table is read: GE prints a caution to stdout,
    # into every scheduled run's console, for each copy of a query that does not name it.
    whole = "" if table == "{batch}" else "/* the whole table, not only {batch} */ "
    return unexpected_rows(
        f"{whole}select max({column}) as last_{column} from {table} "
        f"having max({column}) is null or max({column}) < date'{minimum}'",
        description)


def named(expectation: Expectation, check: str) -> Expectation:
    """Give an expectation a stable name (`meta.check`): what a warning or a failure is called
    on the console, in latest.json and in tests, whatever GE calls its type."""
    expectation.meta = {**(expectation.meta or {}), "check": check}
    return expectation


def warning(expectation: Expectation) -> Expectation:
    """Recorded, never stops a gate."""
    expectation.severity = FailureSeverity.WARNING
    expectation.meta = {**(expectation.meta or {}), "severity": WARNING}
    return expectation


def committed_runs(params: GateParams) -> str:
    """SQL: the ingest batches downstream may read (committed, not rolled back)."""
    return f"(select distinct ingest_run_id from {params.ref('ops', 'ingest_runs')} where state = 'committed')"
