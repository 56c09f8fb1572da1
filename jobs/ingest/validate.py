"""Validation of raw event lines against the telemetry contract, as one pure transform.

`validate_event_lines` takes ``(file_path, line_number, raw_line, raw_bytes)`` rows and returns them with the
typed envelope and, for a line that breaks a rule, the first rule it breaks (`reject_rule`) and the
field concerned (`reject_field`). Rules are plain Spark SQL expressions, so they run unchanged on
every Spark Connect engine and scale out with it.

Each line is parsed once with every envelope field read as a string (a string field takes any JSON
value: numbers as their text, objects as their JSON), and the payload once the same way. A field is
*present* when its string is not null; it has the *right type* when the string converts to the
contract's type (`try_cast`). So a number written as a JSON string holding a number is accepted.
Maps and repeated parses are avoided on purpose: they cost more than all the checks together.
"""

from __future__ import annotations

import re

from pyspark.sql import functions as F
from pyspark.sql.connect.column import Column
from pyspark.sql.connect.dataframe import DataFrame

from jobs.contract import ENVELOPE_REQUIRED, EVENT_TYPES, SCHEMA_VERSION, Field, Rule

ENVELOPE_FIELDS = (
    "event_id", "schema_version", "event_type", "event_ts", "customer_id", "workspace_id",
    "user_email", "client_ip", "cloud", "payload",
)
ENVELOPE_SCHEMA = ", ".join(f"{name} string" for name in ENVELOPE_FIELDS)

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# ISO-8601 date-time with a UTC offset or Z (CONTRACT: event_ts); fractions of a second allowed.
ISO_TS_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$"


# JSON's whitespace around a line's object (a line feed ends the line, the carriage return of a
# CRLF is dropped when it is read), a line of nothing else, and a control character JSON allows
# nowhere unescaped (tab and carriage return are whitespace between tokens).
JSON_BLANKS = " \t"
BLANK_LINE = r"^[ \t]*$"
CONTROL_CHARACTER = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def _payload_fields() -> dict[str, str]:
    """Every payload field of every event type with its SQL type (same name -> same type)."""
    fields: dict[str, str] = {}
    for event_type in EVENT_TYPES:
        for f in event_type.fields:
            if fields.setdefault(f.name, f.sql_type) != f.sql_type:
                raise ValueError(f"payload field {f.name} has two types in the contract")
    return dict(sorted(fields.items()))


PAYLOAD_FIELDS = _payload_fields()
PAYLOAD_SCHEMA = ", ".join(f"{name} string" for name in PAYLOAD_FIELDS)


Check = tuple[Column, str, str]  # (condition, rule, field): the line breaks `rule` when true


def _field_checks(field: Field) -> list[Check]:
    """The checks of one payload field (the event type is already known to match)."""
    text = F.col("_payload").getField(field.name)
    typed = F.col("_ptyped").getField(field.name)
    name = f"payload.{field.name}"
    checks: list[Check] = []
    if field.required:
        checks.append((text.isNull(), Rule.MISSING_REQUIRED_FIELD, name))
    if field.sql_type != "string":
        checks.append((text.isNotNull() & typed.isNull(), Rule.WRONG_TYPE, name))
    if field.check:
        ok = F.expr(re.sub(r"\bv\b", f"_ptyped.{field.name}", field.check))
        checks.append((typed.isNotNull() & ~ok, field.check_rule, name))
    return checks


def _text_checks() -> list[Check]:
    """Whether the line is a JSON object at all: checked first, on the text. A line that fails
    one has no envelope (the engines' parsers make different partial sense of such text)."""
    raw = F.col("raw_line")
    return [
        # raw_bytes are kept exactly when the line is not UTF-8 (jobs/ingest/landing.py).
        (F.col("raw_bytes").isNotNull(), Rule.INVALID_ENCODING, ""),
        (raw.rlike(BLANK_LINE), Rule.EMPTY_LINE, ""),
        # An object starts with '{' and ends with '}'. The engines differ on raw control
        # characters, which JSON allows nowhere (not even in a string), so they are checked
        # here, the same on every engine.
        (~_one_json_value(raw) | ~F.ltrim(raw, F.lit(JSON_BLANKS)).startswith("{")
         | ~F.rtrim(raw, F.lit(JSON_BLANKS)).endswith("}") | raw.rlike(CONTROL_CHARACTER), Rule.INVALID_JSON, ""),
    ]


def _one_json_value(raw: Column) -> Column:
    """Whether the line is exactly one JSON value, with the engine's own parser.

    A parse of the line alone stops after its first value (two objects on one line would give
    the first and drop the second), and so does a parse of an array after the array closes. So
    the line is made an element of an array, `[line,0]`: it has 2 elements exactly when the line
    is one value, unless a ']' in the line closed the array early (`{..}] x [{..}` counts 1,
    `{..},0] x [{..}` counts 2). For a line holding a ']' (rare: only inside a string in valid
    telemetry) the line is also put last, `[0,line]`: an early close counts one more there than
    in `[line,0]`, so both count 2 only for one value. CASE parses that second array only for
    the lines with a ']'.
    """
    def elements(text: Column) -> Column:
        return F.coalesce(F.json_array_length(text), F.lit(0))

    first = elements(F.concat(F.lit("["), raw, F.lit(",0]"))) == 2
    last = elements(F.concat(F.lit("[0,"), raw, F.lit("]"))) == 2
    return first & F.when(F.instr(raw, "]") > 0, last).otherwise(F.lit(True))


def _envelope_checks() -> list[Check]:
    """Checks every line goes through, in the order they are reported."""
    env, version = F.col("_env"), F.col("_version")
    checks = _text_checks()
    checks += [(env.getField(name).isNull(), Rule.MISSING_REQUIRED_FIELD, name) for name in ENVELOPE_REQUIRED]
    checks += [
        (version.isNull(), Rule.WRONG_TYPE, "schema_version"),
        (~env.getField("event_id").rlike(UUID_PATTERN), Rule.INVALID_EVENT_ID, "event_id"),
        (version != SCHEMA_VERSION, Rule.UNKNOWN_SCHEMA_VERSION, "schema_version"),
        (~env.getField("event_type").isin([e.name for e in EVENT_TYPES]), Rule.UNKNOWN_EVENT_TYPE, "event_type"),
        (~env.getField("event_ts").rlike(ISO_TS_PATTERN) | F.col("_ts").isNull(), Rule.INVALID_TIMESTAMP, "event_ts"),
        (~F.ltrim(env.getField("payload")).startswith("{"), Rule.WRONG_TYPE, "payload"),
    ]
    return checks


def _first_failed_check() -> tuple[Column, list[tuple[str, str]]]:
    """An integer column: the index of the first check the line fails (null: it passes all), and
    the (rule, field) of each index.

    The envelope checks run on every line; payload checks are nested under their event type, so
    a line only pays for its own type's checks (CASE evaluates a branch on the rows it selects).
    """
    outcomes: list[tuple[str, str]] = []

    def chain(checks: list[Check]) -> Column | None:
        expr = None
        for condition, rule, field in checks:
            outcomes.append((rule, field))
            index = F.lit(len(outcomes) - 1)
            expr = F.when(condition, index) if expr is None else expr.when(condition, index)
        return expr

    first = chain(_envelope_checks())
    for event_type in EVENT_TYPES:
        inner = chain([c for f in event_type.fields for c in _field_checks(f)])
        if inner is not None:
            first = first.when(F.col("_env.event_type") == event_type.name, inner)
    return first, outcomes


def validate_event_lines(lines: DataFrame) -> DataFrame:
    """Parse and check raw event lines.

    In: ``file_path, line_number, raw_line, raw_bytes`` (plus any other columns, kept).
    Out: the same plus the typed envelope (``event_id, schema_version, event_type, event_ts`` as a
    UTC timestamp, ``customer_id, workspace_id, user_email, client_ip, cloud, payload_json``; null
    for a line that is not a JSON object) and ``reject_rule`` / ``reject_field`` (null for a
    valid line).
    """
    envelope = lines.withColumn("_env", F.from_json("raw_line", ENVELOPE_SCHEMA))
    parsed = (
        envelope.withColumn("_version", F.col("_env.schema_version").try_cast("bigint"))
        .withColumn("_ts", F.try_to_timestamp(F.col("_env.event_ts")))
        .withColumn("_payload", F.from_json(F.col("_env.payload"), PAYLOAD_SCHEMA))
    )
    parsed = parsed.withColumn(
        "_ptyped",
        F.struct(*[F.col(f"_payload.{name}").try_cast(sql_type).alias(name) for name, sql_type in PAYLOAD_FIELDS.items()]),
    )
    failed, outcomes = _first_failed_check()
    rules = F.array(*[F.lit(rule) for rule, _ in outcomes])
    fields = F.array(*[F.lit(field) for _, field in outcomes])
    failed_index = F.col("_failed")
    # `_failed` counts from 1; the text checks come first (_envelope_checks).
    is_json = failed_index.isNull() | (failed_index > len(_text_checks()))
    envelope_columns = {
        "event_id": "_env.event_id", "schema_version": "_version", "event_type": "_env.event_type", "event_ts": "_ts",
        "customer_id": "_env.customer_id", "workspace_id": "_env.workspace_id", "user_email": "_env.user_email",
        "client_ip": "_env.client_ip", "cloud": "_env.cloud", "payload_json": "_env.payload",
    }
    checked = parsed.withColumn("_failed", failed.cast("int") + 1).select(
        *lines.columns,
        *[F.when(is_json, F.col(source)).alias(name) for name, source in envelope_columns.items()],
        F.when(F.col("_failed").isNotNull(), F.element_at(rules, F.col("_failed"))).alias("reject_rule"),
        F.when(F.col("_failed").isNotNull(), F.element_at(fields, F.col("_failed"))).alias("reject_field"),
    )
    return checked
