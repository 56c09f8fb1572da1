"""Bronze gate (after ingest): bronze.events and bronze.accounts as the ingest wrote them."""

from __future__ import annotations

from datetime import timedelta

import great_expectations as gx

from expectations.common import (
    GateParams,
    RowRule,
    TableSuite,
    committed_runs,
    condition,
    named,
    new_suite,
    newest_at_least,
    not_null,
    row_rules,
    schema,
    unexpected_rows,
)
from jobs import storage
from jobs.contract import ALL_RULES, CLOUDS, ENVELOPE_REQUIRED, EVENT_TYPES, SCHEMA_VERSION
from jobs.ingest import tables as T

STATUSES = ["accepted", "duplicate", "quarantined"]  # jobs/ingest/job.py mark_duplicates
ACCEPTED = "status = 'accepted'"
EVENTS_SUITE = "bronze.events"
# Telemetry that stops arriving is judged once, here, on the landing as ingested: the newest
# landed events lag the run date. Single event types going quiet are silver's warnings.
LANDING_FRESHNESS = "landing_freshness"
# the envelope's required fields as bronze columns (the payload is kept as JSON)
_ENVELOPE_COLUMNS = {"payload": "payload_json"}


def events(params: GateParams) -> TableSuite:
    required = [_ENVELOPE_COLUMNS.get(name, name) for name in ENVELOPE_REQUIRED]
    reconciliation = params.ref("ops", "ingest_reconciliation")
    runs = params.runs(EVENTS_SUITE)
    expectations = [
        *schema(T.BRONZE_EVENTS.columns),
        *not_null(["file_path", "landing_date", "line_number", "raw_line", "ingest_run_id", "ingested_at",
                   "status", "landing_month"]),
        *not_null(required, where=ACCEPTED),
        gx.expectations.ExpectColumnValuesToBeInSet(column="status", value_set=STATUSES),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="event_type", value_set=[e.name for e in EVENT_TYPES], **condition(ACCEPTED)),
        gx.expectations.ExpectColumnValuesToBeInSet(column="reject_rule", value_set=list(ALL_RULES)),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="reject_rule", **condition("status = 'quarantined'")),
        gx.expectations.ExpectColumnValuesToBeInSet(column="cloud", value_set=list(CLOUDS), **condition(ACCEPTED)),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="schema_version", value_set=[SCHEMA_VERSION], **condition(ACCEPTED)),
        gx.expectations.ExpectColumnValuesToBeBetween(column="line_number", min_value=0),
        gx.expectations.ExpectColumnValuesToBeUnique(column="event_id", **condition(ACCEPTED)),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["file_path", "line_number"]),
    ]
    rules = [
        RowRule(
            "reconciled",
            f"""
            select b.rows as bronze_rows, r.lines_read, b.accepted as bronze_accepted, r.accepted
            from (select count(*) as rows, count_if(status = 'accepted') as accepted
                  from {{batch}} where ingest_run_id in {runs}) b
            cross join (select coalesce(sum(lines_read), 0) as lines_read, coalesce(sum(accepted), 0) as accepted
                        from {reconciliation}
                        where ingest_run_id in {runs} and file_path like 'events/%') r
            where b.rows != r.lines_read or b.accepted != r.accepted
            """,
            "Rows of committed batches = lines read, and accepted rows = accepted lines, "
            "in ops.ingest_reconciliation.",
        ),
        RowRule(
            "quarantine_complete",
            f"""
            select b.quarantined as bronze_quarantined, q.quarantined as quarantine_rows
            from (select count_if(status = 'quarantined') as quarantined from {{batch}}
                  where ingest_run_id in {runs}) b
            cross join (select count(*) as quarantined from {params.ref('ops', 'quarantine')}
                        where ingest_run_id in {runs} and file_path like 'events/%') q
            where b.quarantined != q.quarantined
            """,
            "Every quarantined line is in ops.quarantine.",
        ),
    ]
    if params.scoped(EVENTS_SUITE):
        rules += _across_batches(params, runs)
    expectations.append(row_rules(*rules))
    if params.newest_landing_date is not None:
        lag = params.freshness_max_lag_days
        expectations.append(named(newest_at_least(
            "landing_date", params.freshness_date - timedelta(days=lag),
            f"Telemetry keeps arriving: the newest landing date in bronze is at most {lag} days before "
            f"the run date ({params.freshness_date}).",
            params.ref("bronze", "events") if params.scoped(EVENTS_SUITE) else "{batch}"), LANDING_FRESHNESS))
    suite = new_suite(EVENTS_SUITE, "Every landing events line as ingested.", expectations)
    return TableSuite("bronze", suite, storage.table_path(params.lakehouse, T.BRONZE_EVENTS),
                      batched=True)


def _across_batches(params: GateParams, runs: str) -> list[RowRule]:
    """A scoped suite's uniqueness rules against the batches it does not validate again: an
    accepted event id, and a file line, appear in one batch only."""
    bronze = params.ref("bronze", "events")
    return [
        RowRule(
            "event_id_new",
            f"""
            select b.event_id, b.ingest_run_id, t.ingest_run_id as earlier_ingest_run_id
            from {{batch}} b join {bronze} t on t.event_id = b.event_id
            where b.status = 'accepted' and t.status = 'accepted' and t.ingest_run_id not in {runs}
            """,
            "An accepted event id of the new batches is not accepted in an earlier batch.",
        ),
        RowRule(
            "file_line_new",
            f"""
            select b.file_path, b.line_number, b.ingest_run_id, t.ingest_run_id as earlier_ingest_run_id
            from {{batch}} b join {bronze} t on t.file_path = b.file_path and t.line_number = b.line_number
            where t.ingest_run_id not in {runs}
            """,
            "A file line of the new batches is in no earlier batch.",
        ),
    ]


def accounts(params: GateParams) -> TableSuite:
    reconciliation = params.ref("ops", "ingest_reconciliation")
    expectations = [
        *schema(T.BRONZE_ACCOUNTS.columns),
        *not_null(["file_path", "snapshot_date", "line_number", "raw_line", "ingest_run_id", "status"]),
        *not_null(["customer_id"], where=ACCEPTED),
        gx.expectations.ExpectColumnValuesToBeInSet(column="reject_rule", value_set=list(ALL_RULES)),
        gx.expectations.ExpectColumnValuesToBeInSet(column="status", value_set=["accepted", "quarantined"]),
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["file_path", "customer_id"], **condition(ACCEPTED)),
        unexpected_rows(
            f"""
            select b.rows as bronze_rows, r.lines_read
            from (select count(*) as rows from {{batch}} where ingest_run_id in {committed_runs(params)}) b
            cross join (select coalesce(sum(lines_read), 0) as lines_read from {reconciliation}
                        where ingest_run_id in {committed_runs(params)} and file_path like 'accounts/%') r
            where b.rows != r.lines_read
            """,
            "Rows of committed batches = lines read in ops.ingest_reconciliation.",
        ),
    ]
    suite = new_suite("bronze.accounts", "Every accounts snapshot row as ingested.", expectations)
    return TableSuite("bronze", suite, storage.table_path(params.lakehouse, T.BRONZE_ACCOUNTS))


def suites(params: GateParams) -> list[TableSuite]:
    return [events(params), accounts(params)]
