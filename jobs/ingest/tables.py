"""Tables the ingestion writes: bronze (every line read) and its operational ledgers."""

from jobs.lakehouse import TableSpec

BRONZE_EVENTS = TableSpec(
    "bronze",
    "events",
    "file_path string, landing_date date, line_number bigint, raw_line string, "
    "ingest_run_id string, ingested_at timestamp, status string, reject_rule string, reject_field string, "
    "event_id string, schema_version bigint, event_type string, event_ts timestamp, "
    "customer_id string, workspace_id string, user_email string, client_ip string, cloud string, "
    "payload_json string, landing_month date, raw_bytes binary",
    # Monthly partitions: daily ones would make a file per day and batch (thousands of tiny
    # files on a backfill); run ids and dates still skip files through Delta's statistics.
    partitioned_by=("landing_month",),
    # raw_bytes: the exact bytes of a line that is not UTF-8 (raw_line is then its ASCII, with
    # U+FFFD for every other byte); null when raw_line is the line exactly. Added in 0.2.0: rows
    # ingested before have it null (jobs/layout.py adds the column to an older bronze).
    comment="Every line of every landing events file, as read, with its validation status.",
)

BRONZE_ACCOUNTS = TableSpec(
    "bronze",
    "accounts",
    "file_path string, snapshot_date date, line_number bigint, raw_line string, "
    "ingest_run_id string, ingested_at timestamp, status string, reject_rule string, reject_field string, "
    "customer_id string, industry string, country string, segment string, raw_bytes binary",
    # raw_bytes: as in bronze.events (added in 0.2.0)
    comment="Every row of every accounts snapshot file.",
)

QUARANTINE = TableSpec(
    "ops",
    "quarantine",
    "file_path string, line_number bigint, rule string, field string, raw_line string, "
    "ingest_run_id string, ingested_at timestamp, raw_bytes binary",
    comment="Rejected lines with the rule they broke (raw_bytes: as in bronze.events).",
)

RECONCILIATION = TableSpec(
    "ops",
    "ingest_reconciliation",
    "ingest_run_id string, file_path string, lines_read bigint, accepted bigint, duplicates bigint, "
    "quarantined bigint, reconciled boolean, ingested_at timestamp",
    comment="Per run and file: lines read = accepted + duplicates + quarantined.",
)

LEDGER = TableSpec(
    "ops",
    "ingest_ledger",
    "file_path string, size bigint, mtime_ns bigint, sha256 string, ingest_run_id string, "
    "outcome string, recorded_at timestamp",
    comment="Files seen: ingested, or a re-delivery of bytes already ingested (exactly-once ledger).",
)

INGEST_RUNS = TableSpec(
    "ops",
    "ingest_runs",
    "ingest_run_id string, state string, files bigint, lines bigint, recorded_at timestamp",
    comment="Ingest batch states: started, committed, rolled_back. Only committed batches are read downstream.",
)

ALL = (BRONZE_EVENTS, BRONZE_ACCOUNTS, QUARANTINE, RECONCILIATION, LEDGER, INGEST_RUNS)
