"""Pure bronze -> silver transforms (DataFrame in, DataFrame out)."""

from __future__ import annotations

from pyspark.sql import functions as F
from pyspark.sql.connect.column import Column
from pyspark.sql.connect.dataframe import DataFrame

from jobs.contract import INDUSTRIES, OTHER_INDUSTRY, EventType
from jobs.refine.pseudonymize import hmac_sha256_hex


def pseudonymize_events(events: DataFrame, key: bytes) -> DataFrame:
    """Replace customer_id and workspace_id by keyed pseudonyms; drop the PII fields."""
    return events.withColumn("customer_key", hmac_sha256_hex("customer_id", key)).withColumn(
        "workspace_key", hmac_sha256_hex("workspace_id", key)
    ).drop("customer_id", "workspace_id", "user_email", "client_ip")


def flatten_event_type(events: DataFrame, event_type: EventType) -> DataFrame:
    """Rows of one event type with its payload fields as typed columns, in silver's layout.

    In: pseudonymized bronze rows (`event_id, event_ts, customer_key, workspace_key, cloud,
    event_type, payload_json, ingest_run_id, file_path, line_number`).
    """
    schema = ", ".join(f"{f.name} {f.sql_type}" for f in event_type.fields)
    typed = events.where(F.col("event_type") == event_type.name).withColumn(
        "_payload", F.from_json("payload_json", schema)
    )
    return typed.select(
        "event_id",
        "event_ts",
        F.to_date("event_ts").alias("event_date"),
        "customer_key",
        "workspace_key",
        "cloud",
        *[F.col(f"_payload.{f.name}").alias(f.name) for f in event_type.fields],
        "payload_json",
        "ingest_run_id",
        F.col("file_path").alias("source_file"),
        F.col("line_number").alias("source_line"),
        F.trunc(F.to_date("event_ts"), "month").alias("event_month"),
    )


def canonical_industry(column: str) -> Column:
    """One of the six industries (matched ignoring case and spaces), else Other."""
    cleaned = F.lower(F.trim(F.col(column)))
    expr = F.lit(OTHER_INDUSTRY)
    for industry in reversed(INDUSTRIES):
        expr = F.when(cleaned == industry.lower(), F.lit(industry)).otherwise(expr)
    return expr


def newest_accounts(accounts: DataFrame, key: bytes) -> DataFrame:
    """The accounts dimension from the newest snapshot among accepted bronze account rows."""
    newest = accounts.agg(F.max("snapshot_date").alias("snapshot_date"))
    latest = accounts.join(newest, on="snapshot_date", how="inner")
    return latest.select(
        hmac_sha256_hex("customer_id", key).alias("customer_key"),
        canonical_industry("industry").alias("industry"),
        F.col("industry").alias("industry_reported"),
        F.upper(F.col("country")).alias("country"),
        F.lower(F.col("segment")).alias("segment"),
        "snapshot_date",
    )
