"""Validation of raw event lines against the telemetry contract, as one pure transform.

`validate_event_lines` takes ``(file_path, line_number, raw_line)`` rows and returns them with the
typed envelope and, for a line that breaks a rule, the first rule it breaks (`reject_rule`) and the
field concerned (`reject_field`). Rules are plain Spark SQL expressions, so they run unchanged on
every Spark Connect engine and scale out with it.

Presence and type are told apart by parsing each line twice: as ``map<string,string>`` (a key that
is there, whatever its JSON type) and with the contract's types (a key whose value does not fit the
type comes back null). Present in the first but null in the second means a wrong type.
"""

from __future__ import annotations

import re

from pyspark.sql.connect.column import Column
from pyspark.sql.connect.dataframe import DataFrame
from pyspark.sql import functions as F

from jobs.contract import ENVELOPE_REQUIRED, EVENT_TYPES, SCHEMA_VERSION, Field, Rule

ENVELOPE_SCHEMA = (
    "event_id string, schema_version bigint, event_type string, event_ts string, "
    "customer_id string, workspace_id string, user_email string, client_ip string, "
    "cloud string, payload string"
)
ENVELOPE_TYPES = {"schema_version": "bigint"}

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# ISO-8601 date-time with a UTC offset or Z (CONTRACT: event_ts); fractions of a second allowed.
ISO_TS_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$"


def _payload_union_schema() -> str:
    """One struct with every payload field of every event type (same name -> same type)."""
    fields: dict[str, str] = {}
    for event_type in EVENT_TYPES:
        for f in event_type.fields:
            if fields.setdefault(f.name, f.sql_type) != f.sql_type:
                raise ValueError(f"payload field {f.name} has two types in the contract")
    return ", ".join(f"{name} {sql_type}" for name, sql_type in sorted(fields.items()))


PAYLOAD_SCHEMA = _payload_union_schema()


def _field_checks(event_type: str, field: Field) -> list[tuple[Column, str, str]]:
    """(condition, rule, field) triples for one payload field of one event type."""
    is_type = F.col("event_type") == event_type
    present = F.col("_pmap").getItem(field.name).isNotNull()
    typed = F.col("_ptyped").getField(field.name)
    name = f"payload.{field.name}"
    checks: list[tuple[Column, str, str]] = []
    if field.required:
        checks.append((is_type & ~present, Rule.MISSING_REQUIRED_FIELD, name))
    checks.append((is_type & present & typed.isNull(), Rule.WRONG_TYPE, name))
    if field.check:
        ok = F.expr(re.sub(r"\bv\b", f"_ptyped.{field.name}", field.check))
        checks.append((is_type & present & typed.isNotNull() & ~F.coalesce(ok, F.lit(False)), field.check_rule, name))
    return checks


def _rules() -> list[tuple[Column, str, str]]:
    """Every rule as (condition, rule, field), in the order they are reported: first hit wins."""
    raw, env, typed = F.col("raw_line"), F.col("_env"), F.col("_typed")
    rules: list[tuple[Column, str, str]] = [
        (F.trim(raw) == "", Rule.EMPTY_LINE, ""),
        (env.isNull(), Rule.INVALID_JSON, ""),
    ]
    for name in ENVELOPE_REQUIRED:
        rules.append((env.getItem(name).isNull(), Rule.MISSING_REQUIRED_FIELD, name))
    rules += [
        (typed.getField("schema_version").isNull(), Rule.WRONG_TYPE, "schema_version"),
        (~typed.getField("event_id").rlike(UUID_PATTERN), Rule.INVALID_EVENT_ID, "event_id"),
        (typed.getField("schema_version") != SCHEMA_VERSION, Rule.UNKNOWN_SCHEMA_VERSION, "schema_version"),
        (~typed.getField("event_type").isin([e.name for e in EVENT_TYPES]), Rule.UNKNOWN_EVENT_TYPE, "event_type"),
        (~typed.getField("event_ts").rlike(ISO_TS_PATTERN) | F.col("_ts").isNull(), Rule.INVALID_TIMESTAMP, "event_ts"),
        (F.col("_pmap").isNull(), Rule.WRONG_TYPE, "payload"),
    ]
    for event_type in EVENT_TYPES:
        for field in event_type.fields:
            rules += _field_checks(event_type.name, field)
    return rules


def _first_hit(rules: list[tuple[Column, str, str]], pick: int) -> Column:
    expr = None
    for rule in rules:
        condition, value = F.coalesce(rule[0], F.lit(False)), F.lit(rule[pick])
        expr = F.when(condition, value) if expr is None else expr.when(condition, value)
    return expr.otherwise(F.lit(None).cast("string"))


def validate_event_lines(lines: DataFrame) -> DataFrame:
    """Parse and check raw event lines.

    In: ``file_path, line_number, raw_line`` (plus any other columns, kept).
    Out: the same plus the typed envelope (``event_id, schema_version, event_type, event_ts`` as a
    UTC timestamp, ``customer_id, workspace_id, user_email, client_ip, cloud, payload_json``) and
    ``reject_rule`` / ``reject_field`` (null for a valid line).
    """
    parsed = (
        lines.withColumn("_env", F.from_json("raw_line", "map<string,string>"))
        .withColumn("_typed", F.from_json("raw_line", ENVELOPE_SCHEMA))
        .withColumn("_ts", F.try_to_timestamp(F.col("_typed.event_ts")))
        .withColumn("_pmap", F.from_json(F.col("_typed.payload"), "map<string,string>"))
        .withColumn("_ptyped", F.from_json(F.col("_typed.payload"), PAYLOAD_SCHEMA))
    )
    rules = _rules()
    checked = parsed.withColumn("event_type", F.col("_typed.event_type")).select(
        *lines.columns,
        F.col("_typed.event_id").alias("event_id"),
        F.col("_typed.schema_version").alias("schema_version"),
        F.col("event_type"),
        F.col("_ts").alias("event_ts"),
        F.col("_typed.customer_id").alias("customer_id"),
        F.col("_typed.workspace_id").alias("workspace_id"),
        F.col("_typed.user_email").alias("user_email"),
        F.col("_typed.client_ip").alias("client_ip"),
        F.col("_typed.cloud").alias("cloud"),
        F.col("_typed.payload").alias("payload_json"),
        _first_hit(rules, 1).alias("reject_rule"),
        _first_hit(rules, 2).alias("reject_field"),
    )
    return checked
