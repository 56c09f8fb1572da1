"""The site's data access: report.json re-read when it changes, absent pieces reported absent."""

from __future__ import annotations

import json
import os

import pandas as pd

from dashboards.data import ReportData
from tests.conftest import settings_for


def _report(value: float, suppressed: bool = False) -> dict:
    return {
        "suppression": {"min_customers": 7},
        "key_findings": [],
        "beyond": [],
        "figures": [{
            "id": "F10", "section": "regulated_industries",
            "columns": [{"name": "activity_month"}, {"name": "industry_key"}, {"name": "customers"}, {"name": "is_suppressed"}],
            "rows": [{"activity_month": "2023-02-01", "industry_key": "fs", "customers": None if suppressed else value,
                      "is_suppressed": suppressed}],
        }],
    }


def test_report_is_reloaded_when_the_file_changes_and_cached_otherwise(tmp_path):
    settings = settings_for(tmp_path)
    data = ReportData(settings)
    assert data.report() is None and data.figure("F10") is None and data.forecasts() is None
    path = settings.output / "report.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(_report(12)))
    first = data.figure("F10")
    assert first.frame["customers"].tolist() == [12]
    assert first.frame["activity_month"].dtype.kind == "M"  # dates parsed
    assert data.figure("F10") is first  # unchanged file: no re-read
    assert data.min_customers() == 7
    path.write_text(json.dumps(_report(0, suppressed=True)))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = data.figure("F10")
    assert second is not first and bool(second.frame["is_suppressed"].iloc[0])
    assert pd.isna(second.frame["customers"].iloc[0])


def test_absent_operational_pieces_are_none_or_empty(tmp_path):
    data = ReportData(settings_for(tmp_path))
    assert data.gates() is None and data.data_docs_dir() is None
    assert data.reconciliation().empty and data.ingest_runs().empty and data.tables() == []
    assert data.mart("fig01_models_over_time").empty and data.gold_freshness() == []


def _publish(path, value: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(json.dumps(_report(value)))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, max(stat.st_mtime_ns, previous + 1_000_000)))


def test_a_view_is_drawn_once_per_published_report_and_filters(tmp_path):
    settings = settings_for(tmp_path).with_overrides(site={"cached_views": 2})
    data = ReportData(settings)
    path = settings.output / "report.json"
    _publish(path, 12)
    drawn = []

    def draw(key):
        return lambda: drawn.append(key) or (key, data.figure("F10").frame["customers"].iloc[0])

    assert data.view("a", draw("a")) == ("a", 12)
    assert data.view("a", draw("a")) == ("a", 12)
    assert drawn == ["a"]  # the same filters again: not drawn again
    data.view("b", draw("b"))
    data.view("c", draw("c"))  # over the limit: the least recently used ("a") goes
    data.view("a", draw("a"))
    assert drawn == ["a", "b", "c", "a"]
    _publish(path, 30)  # a new publication: every view is drawn from it
    assert data.view("a", draw("a")) == ("a", 30)
    assert drawn == ["a", "b", "c", "a", "a"]


def test_no_cached_views_draws_every_call(tmp_path):
    settings = settings_for(tmp_path).with_overrides(site={"cached_views": 0})
    data = ReportData(settings)
    _publish(settings.output / "report.json", 12)
    drawn = []
    for _ in range(3):
        data.view("a", lambda: drawn.append(1))
    assert len(drawn) == 3
