"""A failed expectation in the data's words, then what to do (sodai/gates/messages.py)."""

from __future__ import annotations

from types import SimpleNamespace

from expectations.common import OFFENDING_ROWS
from sodai.gates.messages import explain


def _outcome(kind, kwargs, result, description=None, check=None, meta=None):
    config = SimpleNamespace(type=kind, kwargs=kwargs, description=description,
                             meta={**({"check": check} if check else {}), **(meta or {})})
    return SimpleNamespace(expectation_config=config, result=result, exception_info={})


def test_a_column_rule_says_table_rule_rows_and_an_example():
    outcome = _outcome("expect_column_values_to_be_in_set", {"column": "compute", "value_set": ["cpu", "gpu"]},
                       {"unexpected_count": 3, "element_count": 1200, "partial_unexpected_list": ["tpu", "tpu", "npu"]})
    message = explain("silver", "silver.serving_usage", outcome)
    assert message.summary == ("silver.serving_usage: 3 of 1,200 rows have a compute outside the accepted values "
                               "['cpu', 'gpu'], e.g. ['tpu', 'tpu', 'npu'].")
    assert "sodai refine --rekey" in message.remedy


def test_a_reconciliation_names_what_it_found():
    outcome = _outcome(OFFENDING_ROWS, {"unexpected_rows_query": "select ..."}, {"observed_value": 1},
                       description="Every quarantined line is in ops.quarantine.")
    message = explain("bronze", "bronze.events", outcome, [{"bronze_quarantined": 4, "quarantine_rows": 3}])
    assert message.summary == ("bronze.events: this does not hold: Every quarantined line is in ops.quarantine "
                               "(1 offending rows); found: [{'bronze_quarantined': 4, 'quarantine_rows': 3}].")
    assert "ops.quarantine" in message.remedy


def test_a_tables_rules_name_each_rule_that_does_not_hold_with_what_it_found():
    """A table's row rules are one expectation (expectations/common.py row_rules); its message names
    the broken ones, not the ones that hold."""
    from expectations.common import RowRule, row_rules

    expectation = row_rules(RowRule("reconciled", "select 1 as n from {batch} where false", "Rows = lines read."),
                            RowRule("quarantine_complete", "select 2 as n", "Every quarantined line is in ops.quarantine."))
    outcome = _outcome(OFFENDING_ROWS, {"unexpected_rows_query": expectation.unexpected_rows_query},
                       {"observed_value": 2}, description=expectation.description, meta=expectation.meta)
    rows = [{"rule": "quarantine_complete", "found": '{"bronze_quarantined":4,"quarantine_rows":3}'},
            {"rule": "quarantine_complete", "found": '{"bronze_quarantined":5,"quarantine_rows":3}'}]
    message = explain("bronze", "bronze.events", outcome, rows)
    assert message.summary == ("bronze.events: this does not hold: Every quarantined line is in ops.quarantine (found: "
                               "[{'bronze_quarantined': 4, 'quarantine_rows': 3}, {'bronze_quarantined': 5, "
                               "'quarantine_rows': 3}]) (2 offending rows).")
    assert "Rows = lines read" not in message.summary


def test_named_checks_have_words_of_their_own():
    quiet = _outcome(OFFENDING_ROWS, {}, {"observed_value": 1}, check="event_type_quiet")
    assert explain("silver", "silver.fm_api_request", quiet, [{"last_event_date": None}]).summary == \
        "silver.fm_api_request has no events yet."
    assert explain("silver", "silver.serving_usage", quiet, [{"last_event_date": "2024-03-04"}]).summary == \
        "silver.serving_usage has had no events since 2024-03-04."
    stale = _outcome(OFFENDING_ROWS, {}, {"observed_value": 1}, check="landing_freshness")
    message = explain("bronze", "bronze.events", stale, [{"last_landing_date": "2024-02-20"}])
    assert message.summary == "telemetry stopped arriving: the newest landed events are of 2024-02-20 (bronze.events)."
    assert "sodai run --date D" in message.remedy
