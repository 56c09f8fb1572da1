"""Bad lines the ingestion must quarantine: one per kind of rule of telemetry contract v1.

Every dirty line breaks exactly the rule it is counted under (its kind is a `jobs.contract.Rule`
name), so the quarantine's counts per rule can be checked against the generation summary.
Dirty lines are extra lines beside the valid events; they never replace one.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np

from jobs.contract import ENVELOPE_REQUIRED, EVENT_TYPES_BY_NAME, Rule

UNKNOWN_EVENT_TYPES = ("notebook.opened", "cluster.started", "mlflow.run_deleted", "genie.query")
BAD_TIMESTAMPS = ("yesterday", "2024-13-45T00:00:00Z", "not a time", "31/02/2023 25:61")
NOT_NUMBERS = ("many", "n/a", "one", "12,5 h", "")
PLAIN_TEXT = (
    "WARN emitter restarted, flushing buffer",
    "<html><body>502 Bad Gateway</body></html>",
    "event_id,event_type,event_ts",
)
# Usage fields whose negative value breaks the negative_usage rule.
USAGE_FIELDS = {
    name: [f.name for f in et.fields if f.check_rule == Rule.NEGATIVE_USAGE and f.required]
    for name, et in EVENT_TYPES_BY_NAME.items()
}
NUMERIC_FIELDS = {
    name: [f.name for f in et.fields if f.sql_type in ("bigint", "double") and f.required]
    for name, et in EVENT_TYPES_BY_NAME.items()
}


def _dumps(obj: dict) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(0, len(options)))]


def _invalid_json(rng: np.random.Generator, event: dict) -> str:
    if rng.random() < 0.7:
        text = _dumps(event)
        return text[: int(rng.integers(10, len(text) - 1))]  # cut before the closing brace
    return _pick(rng, PLAIN_TEXT)


def _missing_required_field(rng: np.random.Generator, event: dict) -> str:
    required_payload = [f.name for f in EVENT_TYPES_BY_NAME[event["event_type"]].fields if f.required]
    choices = [("", f) for f in ENVELOPE_REQUIRED if f != "payload"]
    choices += [("payload", f) for f in required_payload]
    where, name = _pick(rng, choices)
    (event["payload"] if where else event).pop(name)
    return _dumps(event)


def _wrong_type(rng: np.random.Generator, event: dict) -> str:
    numeric = NUMERIC_FIELDS[event["event_type"]]
    if numeric and rng.random() < 0.75:
        event["payload"][_pick(rng, numeric)] = _pick(rng, NOT_NUMBERS)
    else:
        event["schema_version"] = "one"
    return _dumps(event)


def _unknown_event_type(rng: np.random.Generator, event: dict) -> str:
    event["event_type"] = _pick(rng, UNKNOWN_EVENT_TYPES)
    return _dumps(event)


def _unknown_schema_version(rng: np.random.Generator, event: dict) -> str:
    event["schema_version"] = 2
    return _dumps(event)


def _invalid_timestamp(rng: np.random.Generator, event: dict) -> str:
    event["event_ts"] = _pick(rng, BAD_TIMESTAMPS)
    return _dumps(event)


def _negative_usage(rng: np.random.Generator, event: dict) -> str:
    fields = USAGE_FIELDS[event["event_type"]]
    if not fields:  # no usage event that day to start from: turn this one into one
        event["event_type"] = "serverless.usage"
        event["payload"] = {"product": "sql_warehouse"}
        fields = ["usage_units"]
    event["payload"][_pick(rng, fields)] = -round(float(rng.uniform(0.1, 30.0)), 3)
    return _dumps(event)


BREAKERS = {
    Rule.INVALID_JSON: _invalid_json,
    Rule.MISSING_REQUIRED_FIELD: _missing_required_field,
    Rule.WRONG_TYPE: _wrong_type,
    Rule.UNKNOWN_EVENT_TYPE: _unknown_event_type,
    Rule.UNKNOWN_SCHEMA_VERSION: _unknown_schema_version,
    Rule.INVALID_TIMESTAMP: _invalid_timestamp,
    Rule.NEGATIVE_USAGE: _negative_usage,
}


def dirty_lines(
    rng: np.random.Generator,
    count: int,
    kind_weights: dict[str, float],
    samples: dict[str, list[str]],
    event_ids: list[str],
) -> tuple[list[str], Counter]:
    """`count` dirty lines made from the day's valid sample lines (by event type).

    Each gets a fresh event_id from `event_ids` so it can never shadow a valid event.
    Returns the lines and how many of each kind were made.
    """
    kinds = list(kind_weights)
    w = np.array([kind_weights[k] for k in kinds], dtype=float)
    chosen = rng.choice(len(kinds), size=count, p=w / w.sum())
    types = sorted(t for t, lines in samples.items() if lines)
    usage_types = [t for t in types if USAGE_FIELDS[t]]
    lines, counts = [], Counter()
    for i, k in enumerate(chosen.tolist()):
        kind = kinds[k]
        pool = usage_types if kind == Rule.NEGATIVE_USAGE and usage_types else types
        event = json.loads(_pick(rng, samples[_pick(rng, pool)]))
        event["event_id"] = event_ids[i]
        lines.append(BREAKERS[kind](rng, event))
        counts[kind] += 1
    return lines, counts
