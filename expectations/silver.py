"""Silver gate (after refine): one suite per silver event table, and silver.accounts."""

from __future__ import annotations

from datetime import timedelta

import great_expectations as gx

from expectations.common import (
    GateParams,
    RowRule,
    TableSuite,
    committed_runs,
    contract_check,
    named,
    new_suite,
    newest_at_least,
    not_null,
    row_rules,
    schema,
    unexpected_rows,
    warning,
)
from jobs import storage
from jobs.contract import CLOUDS, EVENT_TYPES, INDUSTRIES, OTHER_INDUSTRY, SEGMENTS, EventType
from jobs.refine import tables as T

# the warnings' names (meta.check): an event type with no events yet or none lately, and no
# accounts snapshot delivered at all
EVENT_TYPE_QUIET = "event_type_quiet"
ACCOUNTS_SNAPSHOT_MISSING = "accounts_snapshot_missing"
# silver columns every event row has (ids pseudonymized, lineage kept); cloud is optional
REQUIRED_COMMON = ["event_id", "event_ts", "event_date", "customer_key", "workspace_key", "payload_json",
                   "ingest_run_id", "source_file", "source_line", "event_month"]


def event_table(event_type: EventType, params: GateParams) -> TableSuite:
    spec = T.EVENT_TABLES[event_type.name]
    bronze_events = params.ref("bronze", "events")
    runs = params.runs(spec.qualified)
    scoped = params.scoped(spec.qualified)
    expectations = [
        *schema(spec.columns),
        *not_null(REQUIRED_COMMON + [f.name for f in event_type.fields if f.required]),
        gx.expectations.ExpectColumnValuesToBeUnique(column="event_id"),
        gx.expectations.ExpectColumnValuesToBeInSet(column="cloud", value_set=list(CLOUDS)),
        *(contract_check(f.name, f.check) for f in event_type.fields if f.check),
    ]
    rules = [
        RowRule(
            "reconciled",
            f"""
            select s.rows as silver_rows, b.event_ids as bronze_event_ids
            from (select count(*) as rows from {{batch}}) s
            cross join (select count(distinct event_id) as event_ids from {bronze_events}
                        where status = 'accepted' and event_type = '{event_type.name}'
                          and ingest_run_id in {runs}) b
            where s.rows != b.event_ids
            """,
            f"Rows = distinct accepted `{event_type.name}` event ids of committed bronze batches.",
        ),
        RowRule(
            "dates_consistent",
            "select event_id, event_date, event_month from {batch} "
            "where event_date != to_date(event_ts) or event_month != trunc(event_date, 'MM')",
            "event_date is the UTC date of event_ts, event_month its month (the partition).",
        ),
    ]
    if scoped:  # the new batches' event ids against the rest of the table
        rules.append(RowRule(
            "event_id_new",
            f"""
            select b.event_id, b.ingest_run_id, t.ingest_run_id as earlier_ingest_run_id
            from {{batch}} b join {params.ref(spec.schema, spec.name)} t on t.event_id = b.event_id
            where t.ingest_run_id not in {runs}
            """,
            "An event id of the new batches is in no earlier batch.",
        ))
    expectations.append(row_rules(*rules))
    if params.newest_landing_date is not None:
        lag = params.freshness_max_lag_days
        expectations.append(named(warning(newest_at_least(
            "event_date", params.freshness_date - timedelta(days=lag),
            f"`{event_type.name}` events keep coming: the last event date in {spec.qualified} is at most "
            f"{lag} days before the run date ({params.freshness_date}). A product not launched yet, or "
            "quiet for a while, is reported, never a failure: the landing's own freshness is bronze's.",
            params.ref(spec.schema, spec.name) if scoped else "{batch}")), EVENT_TYPE_QUIET))
    suite = new_suite(spec.qualified, spec.comment, expectations)
    return TableSuite("silver", suite, storage.table_path(params.lakehouse, spec), batched=True)


def accounts(params: GateParams) -> TableSuite:
    spec = T.ACCOUNTS
    bronze_accounts = params.ref("bronze", "accounts")
    expectations = [
        *schema(spec.columns),
        *not_null(["customer_key", "industry", "snapshot_date"]),
        gx.expectations.ExpectColumnValuesToBeUnique(column="customer_key"),
        gx.expectations.ExpectColumnValuesToBeInSet(column="industry", value_set=[*INDUSTRIES, OTHER_INDUSTRY]),
        gx.expectations.ExpectColumnUniqueValueCountToBeBetween(column="snapshot_date", min_value=0, max_value=1),
        named(warning(gx.expectations.ExpectTableRowCountToBeBetween(
            min_value=1, description="An accounts snapshot has been delivered: without one, every customer is "
                                     "counted in industry Other.")), ACCOUNTS_SNAPSHOT_MISSING),
        warning(gx.expectations.ExpectColumnValuesToBeInSet(column="segment", value_set=list(SEGMENTS))),
        unexpected_rows(
            f"""
            select s.rows as silver_rows, s.snapshot_date, b.rows as bronze_accepted_rows, b.snapshot_date as bronze_newest
            from (select count(*) as rows, max(snapshot_date) as snapshot_date from {{batch}}) s
            cross join (select count(*) as rows, max(snapshot_date) as snapshot_date from {bronze_accounts}
                        where status = 'accepted' and ingest_run_id in {committed_runs(params)}
                          and snapshot_date = (select max(snapshot_date) from {bronze_accounts}
                                               where status = 'accepted'
                                                 and ingest_run_id in {committed_runs(params)})) b
            where s.rows != b.rows or s.snapshot_date != b.snapshot_date
            """,
            "One row per accepted row of the newest committed accounts snapshot in bronze.",
        ),
    ]
    suite = new_suite(spec.qualified, spec.comment, expectations)
    return TableSuite("silver", suite, storage.table_path(params.lakehouse, spec))


def suites(params: GateParams) -> list[TableSuite]:
    return [*(event_table(e, params) for e in EVENT_TYPES), accounts(params)]
