"""The run history table: every stage recorded, failures included, newest run first."""

from __future__ import annotations

from datetime import date

import pytest

from sodai.history import RunHistory, read_history


def test_stages_are_recorded_in_order_with_status_rows_and_failures(tmp_path):
    first = RunHistory(tmp_path, "pipeline-1", date(2024, 3, 1))
    with first.stage("ingest") as record:
        record.rows = 120
    with pytest.raises(ValueError):
        with first.stage("refine"):
            raise ValueError("silver.notebook_imports: bad\nsecond line")
    second = RunHistory(tmp_path, "pipeline-2")
    with second.stage("ingest") as record:
        record.rows = 0

    history = read_history(tmp_path)
    assert list(history["run_id"]) == ["pipeline-2", "pipeline-1", "pipeline-1"]
    assert list(history["stage"]) == ["ingest", "ingest", "refine"]
    assert list(history["status"]) == ["succeeded", "succeeded", "failed"]
    assert history["rows"].tolist()[:2] == [0, 120]
    assert history.loc[2, "message"] == "ValueError: silver.notebook_imports: bad"
    assert history.loc[1, "run_date"] == date(2024, 3, 1)
    assert (history["duration_s"] >= 0).all()
    assert list(read_history(tmp_path, limit_runs=1)["run_id"]) == ["pipeline-2"]


def test_no_history_yet_is_an_empty_frame(tmp_path):
    assert read_history(tmp_path).empty
