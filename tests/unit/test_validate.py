"""validate_event_lines on tiny inline DataFrames: one line per rule, and valid lines untouched."""

import json
from datetime import datetime

import pytest

from jobs.contract import Rule
from jobs.ingest.validate import validate_event_lines

BASE = {
    "event_id": "8c1b7a7e-1f2e-4a3b-9c8d-0e1f2a3b4c5d",
    "schema_version": 1,
    "event_type": "serving.usage",
    "event_ts": "2024-03-01T10:00:00+09:00",
    "customer_id": "cust-1",
    "workspace_id": "ws-1",
    "user_email": "a@example.com",
    "payload": {"endpoint_id": "e1", "compute": "gpu", "usage_hours": 1.5, "unknown_extra": {"k": 1}},
}


def event(**changes) -> str:
    record = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        target, name = (record["payload"], key[2:]) if key.startswith("p_") else (record, key)
        if value is ...:
            target.pop(name)
        else:
            target[name] = value
    return json.dumps(record)


CASES = [
    ("valid", event(), None, None),
    ("not json", "{not json", Rule.INVALID_JSON, ""),
    ("json array", "[1, 2]", Rule.INVALID_JSON, ""),
    ("blank", "   ", Rule.EMPTY_LINE, ""),
    ("no customer", event(customer_id=...), Rule.MISSING_REQUIRED_FIELD, "customer_id"),
    ("null workspace", event(workspace_id=None), Rule.MISSING_REQUIRED_FIELD, "workspace_id"),
    ("no payload", event(payload=...), Rule.MISSING_REQUIRED_FIELD, "payload"),
    ("version as text", event(schema_version="one"), Rule.WRONG_TYPE, "schema_version"),
    ("version 2", event(schema_version=2), Rule.UNKNOWN_SCHEMA_VERSION, "schema_version"),
    ("bad uuid", event(event_id="42"), Rule.INVALID_EVENT_ID, "event_id"),
    ("unknown type", event(event_type="billing.charged"), Rule.UNKNOWN_EVENT_TYPE, "event_type"),
    ("words for time", event(event_ts="yesterday"), Rule.INVALID_TIMESTAMP, "event_ts"),
    ("impossible date", event(event_ts="2024-13-45T00:00:00Z"), Rule.INVALID_TIMESTAMP, "event_ts"),
    ("no offset", event(event_ts="2024-03-01T10:00:00"), Rule.INVALID_TIMESTAMP, "event_ts"),
    ("payload not object", event(payload=5), Rule.WRONG_TYPE, "payload"),
    ("negative hours", event(p_usage_hours=-0.5), Rule.NEGATIVE_USAGE, "payload.usage_hours"),
    ("hours as text", event(p_usage_hours="n/a"), Rule.WRONG_TYPE, "payload.usage_hours"),
    ("tpu", event(p_compute="tpu"), Rule.INVALID_VALUE, "payload.compute"),
    ("no endpoint", event(p_endpoint_id=...), Rule.MISSING_REQUIRED_FIELD, "payload.endpoint_id"),
    ("zero requests", event(event_type="fm_api.request", payload={"model": "m", "requests": 0}),
     Rule.INVALID_VALUE, "payload.requests"),
    ("fractional requests", event(event_type="fm_api.request", payload={"model": "m", "requests": 1.5}),
     Rule.WRONG_TYPE, "payload.requests"),
    ("negative units", event(event_type="serverless.usage", payload={"product": "jobs", "usage_units": -1}),
     Rule.NEGATIVE_USAGE, "payload.usage_units"),
    ("optional absent", event(event_type="fm_api.request", payload={"model": "m", "requests": 3}), None, None),
    ("bad modality", event(event_type="vector_search.request",
                           payload={"index_id": "i", "requests": 2, "modality": "smell"}),
     Rule.INVALID_VALUE, "payload.modality"),
]


@pytest.fixture(scope="module")
def validated(spark):
    rows = [("f.json", i + 1, line, None) for i, (_, line, _, _) in enumerate(CASES)]
    frame = spark.createDataFrame(rows, "file_path string, line_number bigint, raw_line string, raw_bytes binary")
    return {r.line_number: r for r in validate_event_lines(frame).collect()}


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_each_line_gets_its_rule(validated, index):
    _, _, rule, field = CASES[index]
    row = validated[index + 1]
    assert (row.reject_rule, row.reject_field) == (rule, field)


def test_valid_line_is_typed_and_in_utc(validated):
    row = validated[1]
    assert row.event_ts == datetime(2024, 3, 1, 1, 0)  # 10:00 at +09:00
    assert row.schema_version == 1 and row.customer_id == "cust-1"
    assert json.loads(row.payload_json)["unknown_extra"] == {"k": 1}  # extra fields kept
    assert row.file_path == "f.json" and row.line_number == 1
