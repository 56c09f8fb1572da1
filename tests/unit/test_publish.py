"""report.json building blocks and its schema."""

from __future__ import annotations

import copy
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from sodai.publish import PublishError, frame_rows, json_value, validate_report


def test_cells_become_plain_json():
    assert json_value(np.float64("nan")) is None and json_value(None) is None and json_value(pd.NaT) is None
    assert json_value(date(2024, 3, 1)) == "2024-03-01"
    assert json_value(np.int64(7)) == 7 and isinstance(json_value(np.int64(7)), int)
    assert json_value(np.bool_(True)) is True
    assert json_value(datetime(2024, 3, 1, 12)) == "2024-03-01T12:00:00"
    # the same sum accumulated in another order (as on another engine) publishes the same number
    assert json_value(0.8462567738169329) == json_value(0.8462567738169335) == 0.846256773817


def test_rows_are_ordered_so_equal_marts_give_equal_files():
    frame = pd.DataFrame({"industry_key": ["fs", "all", "cme"], "customers": [12.0, np.nan, 30.0]})
    shuffled = frame.sample(frac=1, random_state=3)
    assert frame_rows(frame) == frame_rows(shuffled)
    assert frame_rows(frame)[0] == {"industry_key": "all", "customers": None}


def _minimal_report() -> dict:
    window = {"start": "2023-02-01", "end": "2024-03-31"}
    finding = {"id": "K1", "title": "t", "definition": "d", "figure": "F1", "window": window, "value": 11.2,
               "unit": "multiple", "measure": "m", "suppressed": False,
               "measures": [{"measure": "m", "is_headline": True, "value": 11.2, "unit": "multiple",
                             "numerator": 1035.0, "denominator": 92.0, "customers": 92, "is_suppressed": False}]}
    figure = {"id": "F1", "title": "t", "section": "s", "definition": "d", "window": window, "table": "marts.f",
              "columns": [{"name": "customers", "type": "float64", "unit": "customers", "description": None}],
              "rows": [{"customers": 12.0}], "suppressed_rows": 0, "highlights": []}
    return {
        "schema_version": "1.0", "title": "State of Data + AI", "report_year": 2024,
        "generated_at": "2024-05-20T00:00:00+00:00", "window": window, "telemetry": window,
        "suppression": {"min_customers": 10}, "parameters": {"window_start": "2023-02-01"},
        "key_findings": [dict(finding, id=f"K{i}") for i in range(1, 11)],
        "figures": [dict(figure, id=f"F{i}") for i in range(1, 12)], "beyond": [],
        "changes": [{"item": "K1", "measure": "m", "industry_key": "all", "subject": "all", "title": "t",
                     "unit": "multiple", "status": "changed", "previous": 10.0, "current": 11.2, "difference": 1.2,
                     "relative": 0.12}],
        "provenance": {"pipeline_run_id": None, "dbt_invocation_id": None, "engine": "spark", "tables": {},
                       "generator": None,
                       "previous_publication": {"pipeline_run_id": "pipeline-1", "generated_at": "2024-05-19T00:00:00+00:00"},
                       "reference_data": {"accounts_snapshot": "2024-03-20", "run_date": "2024-03-04",
                                          "rule": "earliest_after", "note": "accounts snapshot 2024-03-20, ..."}},
    }


def test_the_schema_accepts_a_complete_report():
    validate_report(_minimal_report())


@pytest.mark.parametrize("break_it", [
    lambda r: r["key_findings"].pop(),                                      # K10 missing
    lambda r: r["key_findings"][0].update(suppressed=True),                 # suppressed with a value
    lambda r: r["key_findings"][0]["measures"][0].update(is_suppressed=True),
    lambda r: r["figures"][0]["rows"].append({"nested": {"a": 1}}),         # cells are scalars
    lambda r: r["provenance"].pop("dbt_invocation_id"),
    lambda r: r["provenance"]["reference_data"].update(rule="latest"),    # not a rule of the reference data
    lambda r: r["changes"][0].update(status="moved"),                      # not a change's status
    lambda r: r["provenance"].pop("previous_publication"),                 # null for the first, never absent
])
def test_the_schema_refuses_a_broken_report(break_it):
    report = copy.deepcopy(_minimal_report())
    break_it(report)
    with pytest.raises(PublishError, match="report.schema.json"):
        validate_report(report)
