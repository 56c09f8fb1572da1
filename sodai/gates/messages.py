"""A failed or warning expectation in the data's words: which table, which rule, how many rows,
an example, and what to do. The console prints this before the expectation's technical name.

Pure: it reads a Great Expectations validation result and returns text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from expectations.bronze import LANDING_FRESHNESS
from expectations.common import OFFENDING_ROWS
from expectations.silver import ACCOUNTS_SNAPSHOT_MISSING, EVENT_TYPE_QUIET

_EXAMPLES = 3

# What to do, by layer, when no check-specific advice applies. The gates run on tables the
# pipeline wrote: a failure there is the pipeline's or the landing's, never the reader's.
_LAYER_REMEDY = {
    "bronze": "bronze holds the landing's lines as ingested: look at the rows above (ops.quarantine has every "
              "rejected line with its file, line and rule); fix or remove the landing file at fault, then "
              "`sodai run` again. Publication stays blocked until the gate passes.",
    "silver": "silver is refined from bronze: if bronze passed, this is a refine defect; rebuild silver with "
              "`sodai refine --rekey` (same key: a rebuild from bronze) and `sodai run` again.",
    "gold": "a dbt model wrote these rows: read the model named by the suite (dbt docs under "
            "<output>/dbt/docs), rebuild it with `sodai transform --full-refresh`, then `sodai run` again.",
}
_CHECK_REMEDY = {
    LANDING_FRESHNESS: "telemetry has stopped arriving, or this day's files have not landed yet: check the producer "
                       "delivers into <landing>/events/date=YYYY-MM-DD/ up to the run date, then run the day again "
                       "(`sodai run --date D` is idempotent).",
    EVENT_TYPE_QUIET: "nothing to do if the product has not launched yet or is quiet; otherwise check that its "
                      "producer still sends this event type.",
    ACCOUNTS_SNAPSHOT_MISSING: "deliver an accounts snapshot into <landing>/accounts/snapshot=YYYY-MM-DD/; the next "
                               "run re-resolves every customer's industry from it.",
}


@dataclass(frozen=True)
class Message:
    summary: str  # what is wrong, in the data's words
    remedy: str  # what to do


def explain(layer: str, suite: str, outcome, rows: list[dict] | None = None) -> Message:
    """The message of one unsuccessful expectation of `suite` (a table, e.g. silver.serving_usage)."""
    config = outcome.expectation_config
    kwargs, found = config.kwargs, outcome.result or {}
    check = (config.meta or {}).get("check")
    remedy = _CHECK_REMEDY.get(check) or _LAYER_REMEDY.get(layer, "")
    error = (outcome.exception_info or {})
    if error.get("raised_exception"):
        return Message(f"{suite}: the check could not run: {_first_line(error.get('exception_message'))}", remedy)
    if check in _BY_CHECK:
        return Message(_BY_CHECK[check](suite, (rows or [{}])[0]), remedy)
    rules = (config.meta or {}).get("rules")
    if rules and rows:
        return Message(_rules_summary(suite, rules, rows, found.get("observed_value")), remedy)
    return Message(_summary(suite, config.type, kwargs, found, rows, config.description), remedy)


def broken_rules(rows: list[dict]) -> dict[str, list]:
    """A row_rules expectation's offending rows (expectations/common.py) by the rule they break, in
    order, each row's `found` read back from JSON."""
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row.get("rule"), []).append(_parsed(row.get("found")))
    return found


def _rules_summary(table: str, rules: dict[str, str], rows: list[dict], offending) -> str:
    """A row_rules expectation: each rule its rows break, with what was found."""
    broken = "; ".join(f"{rules.get(rule, rule).rstrip('.')} (found: {_short(values[:_EXAMPLES])})"
                       for rule, values in broken_rules(rows).items())
    return f"{table}: this does not hold: {broken} ({offending} offending rows)."


def _parsed(text):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _quiet(table: str, row: dict) -> str:
    if "last_event_date" not in row:  # the offending row could not be read back
        return f"{table} has had no events lately."
    last = row["last_event_date"]
    return f"{table} has no events yet." if last is None else f"{table} has had no events since {last}."


def _stale_landing(table: str, row: dict) -> str:
    if "last_landing_date" not in row:
        return f"telemetry stopped arriving: {table} lags the run date."
    last = row["last_landing_date"]
    if last is None:
        return f"{table} holds no telemetry, though files have landed for the run's days."
    return f"telemetry stopped arriving: the newest landed events are of {last} ({table})."


def _no_accounts(table: str, _: dict) -> str:
    return (f"{table} is empty: no accounts snapshot has been delivered, so every customer is counted in "
            "industry Other.")


# checks whose findings have words of their own (the offending row, if any, is the argument)
_BY_CHECK = {EVENT_TYPE_QUIET: _quiet, LANDING_FRESHNESS: _stale_landing, ACCOUNTS_SNAPSHOT_MISSING: _no_accounts}


def _summary(table: str, kind: str, kwargs: dict, found: dict, rows: list[dict] | None,
             description: str | None) -> str:
    column = kwargs.get("column")
    where = f" (rows where {kwargs['row_condition']})" if kwargs.get("row_condition") else ""
    count, total = found.get("unexpected_count"), found.get("element_count")
    examples = _examples(found.get("partial_unexpected_list"))
    of_rows = f"{count:,} of {total:,} rows{where}" if count is not None and total is not None else f"rows{where}"
    if kind == "expect_column_values_to_not_be_null":
        return f"{table}: {of_rows} have no {column}."
    if kind == "expect_column_values_to_be_null":
        return f"{table}: {of_rows} show a {column} that must be hidden{examples}."
    if kind == "expect_column_values_to_be_in_set":
        return (f"{table}: {of_rows} have a {column} outside the accepted values "
                f"{_short(kwargs.get('value_set'))}{examples}.")
    if kind == "expect_column_values_to_be_between":
        return f"{table}: {of_rows} have a {column} outside {_range(kwargs)}{examples}."
    if kind == "expect_column_values_to_be_unique":
        return f"{table}: {of_rows} repeat a {column} that must be unique{examples}."
    if kind == "expect_compound_columns_to_be_unique":
        return f"{table}: {of_rows} repeat a ({', '.join(kwargs.get('column_list', []))}) that must be unique{examples}."
    if kind == "expect_column_values_to_be_of_type":
        return f"{table}: column {column} is {found.get('observed_value')}, not {kwargs.get('type_')}."
    if kind in ("expect_table_columns_to_match_ordered_list", "expect_table_columns_to_match_set"):
        return f"{table}: its columns are {_short(found.get('observed_value'))}, not the declared ones."
    if kind == "expect_table_row_count_to_be_between":
        return f"{table}: {found.get('observed_value')} rows. {description or ''}".strip()
    if kind == "expect_column_unique_value_count_to_be_between":
        return (f"{table}: {found.get('observed_value')} distinct {column} values, expected "
                f"{_range(kwargs)}. {description or ''}").strip()
    if kind == OFFENDING_ROWS:
        rule = (description or "a reconciliation").rstrip(".")
        shown = f"; found: {_short(rows[:_EXAMPLES])}" if rows else ""
        return f"{table}: this does not hold: {rule} ({found.get('observed_value')} offending rows){shown}."
    return f"{table}: {description or kind} does not hold{examples}."


def _range(kwargs: dict[str, Any]) -> str:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    low_op = ">" if kwargs.get("strict_min") else ">="
    high_op = "<" if kwargs.get("strict_max") else "<="
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"{low_op} {low}"
    return f"{high_op} {high}"


def _examples(values) -> str:
    return f", e.g. {_short(list(values)[:_EXAMPLES])}" if values else ""


def _first_line(text) -> str:
    return (str(text or "").strip().splitlines() or [""])[0][:300]


def _short(value, limit: int = 240) -> str:
    text = " ".join((value if isinstance(value, str) else repr(value)).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
