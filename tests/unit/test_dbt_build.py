"""The transform stage without an engine: settings -> dbt's arguments, session binding, the gate."""

from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from pydantic import ValidationError

from sodai import dbt_build as stage
from sodai.config import PROJECT_ROOT, load_settings

DBT_PROJECT = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text())


def _vars_passed(settings) -> dict:
    args = stage.dbt_args(settings, ["build"])
    return json.loads(args[args.index("--vars") + 1])


def test_report_defaults_are_the_vars_dbt_project_declares():
    declared = {k: v for k, v in DBT_PROJECT["vars"].items() if k != "source_registration"}
    passed = _vars_passed(load_settings(environ={}))
    assert set(passed) == set(declared) | {"lakehouse"}
    for name, value in declared.items():
        assert passed[name] == value, name


def test_overrides_and_the_absolute_lakehouse_reach_dbt(tmp_path):
    settings = load_settings(environ={
        "SODAI__REPORT__WINDOW_END": "2025-03-31",
        "SODAI__REPORT__SUPPRESSION_MIN_CUSTOMERS": "25",
        "SODAI__PATHS__LAKEHOUSE": "relative/lakehouse",
        "SODAI__PATHS__OUTPUT": str(tmp_path / "out"),
    })
    assert settings.report.window_end == date(2025, 3, 31)
    passed = _vars_passed(settings)
    assert passed["window_end"] == "2025-03-31" and passed["suppression_min_customers"] == 25
    assert passed["lakehouse"] == str(PROJECT_ROOT / "relative" / "lakehouse")

    args = stage.dbt_args(settings, ["build"])
    option = {name: args[args.index(name) + 1] for name in ("--project-dir", "--profiles-dir", "--target-path", "--log-path")}
    assert option["--project-dir"] == option["--profiles-dir"] == str(PROJECT_ROOT / "dbt_project")
    assert option["--target-path"] == str(tmp_path / "out" / "dbt" / "target")
    assert option["--log-path"] == str(tmp_path / "out" / "dbt" / "logs")


@pytest.mark.parametrize("override", [
    {"SODAI__REPORT__YOY_BASE_MONTH": "2023-03-15"},  # months are compared with event_month
    {"SODAI__REPORT__WINDOW_START": "2024-04-01"},  # after window_end
    {"SODAI__REPORT__WEEKLY_YOY_WEEKS": "0"},
])
def test_inconsistent_report_parameters_are_refused(override):
    with pytest.raises(ValidationError):
        load_settings(environ=override)


@pytest.fixture
def offline_session():
    """A Spark Connect session object that never talks to a server (channels connect lazily)."""
    from pyspark.sql.connect.session import SparkSession

    session = SparkSession(connection="sc://localhost:1")
    yield session
    session.client.close()


def test_dbt_gets_the_pipeline_session_in_every_thread_and_the_process_is_restored(offline_session, monkeypatch):
    from pyspark.sql import SparkSession
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    default_before = ConnectSession._default_session
    seen = {}
    with stage.bound_session(offline_session, "sc://localhost:1", Path("/lake")):
        worker = threading.Thread(target=lambda: seen.setdefault("worker", SparkSession.builder.getOrCreate()))
        worker.start()
        worker.join()
        seen["caller"] = SparkSession.builder.getOrCreate()
        seen["lakehouse"] = os.environ["SODAI_LAKEHOUSE"]
    assert seen["worker"] is offline_session and seen["caller"] is offline_session
    assert seen["lakehouse"] == "/lake"
    assert "SPARK_REMOTE" not in os.environ  # else load_settings() would now pick the remote engine
    assert ConnectSession._default_session is default_before


def _result(success: bool, nodes: list[tuple[str, str, str, str]]):
    results = [
        SimpleNamespace(
            node=SimpleNamespace(unique_id=f"{kind}.sodai.{name}", name=name, resource_type=kind),
            status=status, execution_time=0.5, adapter_response={"rows_affected": 3} if kind == "seed" else {},
            failures=2 if status == "fail" else None, message=message,
        )
        for kind, name, status, message in nodes
    ]
    return SimpleNamespace(success=success, exception=None, result=SimpleNamespace(results=results))


@pytest.fixture
def fake_dbt(monkeypatch):
    """transform() with dbt and the catalog replaced: `build` returns what the test sets."""
    calls = []
    outcome = {}

    def invoke(settings, command, manifest=None, callbacks=None, target_path=None):
        calls.append(command)
        parsed = outcome.get("parsed", SimpleNamespace(sources={}, nodes={}))
        return SimpleNamespace(success=True, result=parsed) if command == ["parse"] else outcome["build"]

    monkeypatch.setattr(stage, "_invoke", invoke)
    monkeypatch.setattr(stage, "point_catalog_at", lambda spark, manifest, lakehouse: [])
    return SimpleNamespace(calls=calls, outcome=outcome)


def test_a_failed_test_stops_the_stage_and_names_the_test(fake_dbt, offline_session, tmp_path):
    settings = load_settings(environ={"SODAI__PATHS__OUTPUT": str(tmp_path), "SODAI__PATHS__LAKEHOUSE": str(tmp_path / "lakehouse")})
    fake_dbt.outcome["build"] = _result(False, [
        ("seed", "industries", "success", "INSERT 3"),
        ("model", "stg_silver__uc_activity", "success", "OK"),
        ("test", "not_null_stg_silver__uc_activity_event_id", "pass", None),
        ("test", "accepted_values_stg_silver__uc_activity_cloud", "warn", "Got 1 result, configured to warn if != 0"),
        ("test", "unique_stg_silver__uc_activity_event_id", "fail", "Got 2 results, configured to fail if != 0"),
        ("model", "int_customer_industry", "skipped", None),
    ])
    with pytest.raises(stage.TransformError, match="unique_stg_silver__uc_activity_event_id: Got 2 results") as caught:
        stage.transform(settings, offline_session, "sc://localhost:1", select=["+stg_silver__uc_activity"], full_refresh=True)
    report = caught.value.report
    assert [n.name for n in report.failures] == ["unique_stg_silver__uc_activity_event_id"]
    assert report.tests == {"pass": 1, "warn": 1, "fail": 1}
    assert [n.name for n in report.built] == ["industries", "stg_silver__uc_activity"]
    assert report.nodes[0].rows_affected == 3 and report.nodes[1].rows_affected is None
    uuid.UUID(report.invocation_id)
    build = fake_dbt.calls[-1]
    assert build[:2] == ["build", "--threads"] and "--full-refresh" in build
    assert build[build.index("--select") + 1] == "+stg_silver__uc_activity"


def test_warnings_do_not_stop_the_stage(fake_dbt, offline_session, tmp_path):
    settings = load_settings(environ={"SODAI__PATHS__OUTPUT": str(tmp_path), "SODAI__PATHS__LAKEHOUSE": str(tmp_path / "lakehouse")})
    fake_dbt.outcome["build"] = _result(True, [
        ("model", "stg_silver__accounts", "success", "OK"),
        ("test", "accepted_values_stg_silver__accounts_segment", "warn", "Got 1 result, configured to warn if != 0"),
    ])
    report = stage.transform(settings, offline_session, "sc://localhost:1")
    assert report.ok and report.tests == {"warn": 1}
    assert report.target_path == tmp_path / "dbt" / "target"


def test_an_invocation_that_fails_before_any_node_is_an_error(fake_dbt, offline_session, tmp_path):
    settings = load_settings(environ={"SODAI__PATHS__OUTPUT": str(tmp_path), "SODAI__PATHS__LAKEHOUSE": str(tmp_path / "lakehouse")})
    fake_dbt.outcome["build"] = SimpleNamespace(success=False, exception=RuntimeError("Compilation Error in model x"), result=None)
    with pytest.raises(stage.TransformError, match="Compilation Error in model x"):
        stage.transform(settings, offline_session, "sc://localhost:1")


def test_a_mart_span_naming_no_report_parameter_fails_the_stage_naming_the_mart(fake_dbt, offline_session, tmp_path):
    settings = load_settings(environ={"SODAI__PATHS__OUTPUT": str(tmp_path), "SODAI__PATHS__LAKEHOUSE": str(tmp_path / "lakehouse")})
    mart = SimpleNamespace(name="fig_x", resource_type="model", fqn=["sodai", "marts", "fig_x"], schema="marts",
                           config=SimpleNamespace(meta={"event_span": ["window_start", "windw_end"]}),
                           depends_on=SimpleNamespace(nodes=[]))
    fake_dbt.outcome["parsed"] = SimpleNamespace(sources={}, nodes={"model.sodai.fig_x": mart})
    with pytest.raises(stage.TransformError, match="fig_x: meta.event_span names 'windw_end'"):
        stage.transform(settings, offline_session, "sc://localhost:1")
    assert fake_dbt.calls == [["parse"]]  # refused before anything was built
