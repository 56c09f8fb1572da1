"""Silver tables: one per event type (payload flattened and typed) and the accounts dimension."""

from __future__ import annotations

from jobs.contract import EVENT_TYPES, EventType
from jobs.lakehouse import TableSpec

COMMON_COLUMNS = (
    "event_id string, event_ts timestamp, event_date date, customer_key string, workspace_key string, "
    "cloud string"
)
LINEAGE_COLUMNS = (
    "payload_json string, ingest_run_id string, source_file string, source_line bigint, event_month date"
)


def event_table(event_type: EventType) -> TableSpec:
    fields = ", ".join(f"{f.name} {f.sql_type}" for f in event_type.fields)
    return TableSpec(
        "silver",
        event_type.table,
        f"{COMMON_COLUMNS}, {fields}, {LINEAGE_COLUMNS}",
        # Partitioned by the month of event_date: a partition per day would mean a file per day
        # and table on every backfill; queries on event_date still skip files by statistics.
        partitioned_by=("event_month",),
        comment=f"Accepted `{event_type.name}` events, deduplicated by event_id, ids pseudonymized.",
    )


EVENT_TABLES = {e.name: event_table(e) for e in EVENT_TYPES}

ACCOUNTS = TableSpec(
    "silver",
    "accounts",
    "customer_key string, industry string, industry_reported string, country string, segment string, "
    "snapshot_date date",
    comment="Customers of the newest accounts snapshot; industry outside the six becomes Other.",
)

REFINE_LEDGER = TableSpec(
    "ops",
    "refine_ledger",
    "ingest_run_id string, refine_run_id string, recorded_at timestamp",
    comment="Committed ingest batches already refined into silver.",
)

ALL = (*EVENT_TABLES.values(), ACCOUNTS, REFINE_LEDGER)
