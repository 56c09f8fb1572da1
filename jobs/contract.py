"""Telemetry contract v1: the one place that names event types, payload fields and rejection rules.

The ingestion validator, the refinement schemas, the generator and the docs all read these
constants, so the contract cannot drift between producer and consumer.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1

INDUSTRIES: tuple[str, ...] = (
    "Communication, Media & Entertainment",
    "Public Sector & Education",
    "Financial Services",
    "Healthcare & Life Sciences",
    "Manufacturing & Automotive",
    "Retail & Consumer Goods",
)
OTHER_INDUSTRY = "Other"
SEGMENTS: tuple[str, ...] = ("enterprise", "mid_market", "smb")
CLOUDS: tuple[str, ...] = ("aws", "azure", "gcp")


@dataclass(frozen=True)
class Field:
    """A payload field: its JSON name, Spark SQL type and whether the contract requires it."""

    name: str
    sql_type: str  # "string", "bigint" or "double"
    required: bool = True
    # Extra check beyond the type, as a SQL predicate on the typed column `v` (None: no check).
    check: str | None = None
    check_rule: str = "invalid_value"


@dataclass(frozen=True)
class EventType:
    """One event type: its name on the wire, its silver table and its payload fields."""

    name: str
    table: str
    fields: tuple[Field, ...]


ENVELOPE_REQUIRED: tuple[str, ...] = (
    "event_id",
    "schema_version",
    "event_type",
    "event_ts",
    "customer_id",
    "workspace_id",
    "payload",
)
ENVELOPE_OPTIONAL: tuple[str, ...] = ("user_email", "client_ip", "cloud")
PII_FIELDS: tuple[str, ...] = ("user_email", "client_ip")

EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        "mlflow.model_logged",
        "mlflow_model_logged",
        (
            Field("experiment_id", "string"),
            Field("run_id", "string"),
            Field("model_id", "string"),
            Field("flavor", "string", required=False),
        ),
    ),
    EventType(
        "mlflow.model_registered",
        "mlflow_model_registered",
        (Field("model_name", "string"), Field("version", "bigint", check="v >= 1")),
    ),
    EventType(
        "notebook.library_imported",
        "notebook_library_imported",
        (
            Field("notebook_id", "string"),
            Field("library", "string"),
            Field("library_version", "string", required=False),
        ),
    ),
    EventType("integration.used", "integration_used", (Field("product", "string"),)),
    EventType(
        "vector_search.request",
        "vector_search_request",
        (
            Field("index_id", "string"),
            Field("requests", "bigint", check="v > 0"),
            Field("embedding_model", "string", required=False),
            Field("dimension", "bigint", required=False, check="v > 0"),
            Field(
                "modality",
                "string",
                required=False,
                check="v in ('text', 'image', 'audio', 'multimodal')",
            ),
        ),
    ),
    EventType(
        "fm_api.request",
        "fm_api_request",
        (
            Field("model", "string"),
            Field("requests", "bigint", check="v > 0"),
            Field("tokens_in", "bigint", required=False, check="v >= 0", check_rule="negative_usage"),
            Field("tokens_out", "bigint", required=False, check="v >= 0", check_rule="negative_usage"),
        ),
    ),
    EventType(
        "serving.usage",
        "serving_usage",
        (
            Field("endpoint_id", "string"),
            Field("compute", "string", check="v in ('cpu', 'gpu')"),
            Field("usage_hours", "double", check="v >= 0", check_rule="negative_usage"),
        ),
    ),
    EventType("uc.activity", "uc_activity", (Field("action", "string"),)),
    EventType(
        "serverless.usage",
        "serverless_usage",
        (
            Field(
                "product",
                "string",
                check="v in ('model_serving', 'sql_warehouse', 'lakehouse_monitoring', 'jobs')",
            ),
            Field("usage_units", "double", check="v >= 0", check_rule="negative_usage"),
        ),
    ),
)
EVENT_TYPES_BY_NAME: dict[str, EventType] = {e.name: e for e in EVENT_TYPES}


class Rule:
    """Names of the rules a rejected line can break (the `rule` column of the quarantine)."""

    INVALID_ENCODING = "invalid_encoding"
    EMPTY_LINE = "empty_line"
    INVALID_JSON = "invalid_json"
    MISSING_REQUIRED_FIELD = "missing_required_field"
    WRONG_TYPE = "wrong_type"
    INVALID_EVENT_ID = "invalid_event_id"
    UNKNOWN_SCHEMA_VERSION = "unknown_schema_version"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    INVALID_TIMESTAMP = "invalid_timestamp"
    NEGATIVE_USAGE = "negative_usage"
    INVALID_VALUE = "invalid_value"
    # whole files and accounts snapshot rows
    UNREADABLE_FILE = "unreadable_file"
    MALFORMED_CSV_ROW = "malformed_csv_row"
    DUPLICATE_CUSTOMER = "duplicate_customer_id"


ALL_RULES: tuple[str, ...] = tuple(v for k, v in vars(Rule).items() if k.isupper())
