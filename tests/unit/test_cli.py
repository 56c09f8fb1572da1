"""The CLI's contract: help, exit codes for bad usage, status without an engine."""

from typer.testing import CliRunner

from orchestration.cli import EXIT_USAGE, app

runner = CliRunner()


def test_help_lists_every_stage():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("generate", "ingest", "refine", "transform", "run", "status", "serve"):
        assert command in result.output


def test_unknown_engine_is_a_usage_error():
    result = runner.invoke(app, ["--engine", "duckdb", "status"])
    assert result.exit_code == EXIT_USAGE
    assert "Configuration error" in result.output


def test_status_of_an_empty_lakehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SODAI__PATHS__LAKEHOUSE", str(tmp_path / "lakehouse"))
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0
    assert "No tables yet" in result.output


def _fake_engine(monkeypatch, tmp_path, transform):
    """`sodai transform` with the engine and dbt replaced: exit codes without a server. The run
    history, lock and logs go under `tmp_path`, never into the project's data folder."""
    from types import SimpleNamespace

    import sodai.engine
    from sodai import pipeline

    monkeypatch.setenv("SODAI__PATHS__LAKEHOUSE", str(tmp_path / "lakehouse"))
    monkeypatch.setenv("SODAI__PATHS__OUTPUT", str(tmp_path / "output"))

    handle = SimpleNamespace(kind="fake", url="sc://localhost:1", ready=lambda: None, session=lambda: object(),
                             stop=lambda: None)
    monkeypatch.setattr(sodai.engine, "start_engine", lambda settings: handle)
    monkeypatch.setattr(pipeline, "transform", transform)


def _report(status: str, message: str):
    from pathlib import Path

    from sodai.dbt_build import NodeResult, TransformReport

    nodes = [NodeResult("model.sodai.stg", "stg", "model", "success", 0.1),
             NodeResult("test.sodai.unique_stg_event_id", "unique_stg_event_id", "test", status, 0.1, message=message)]
    return TransformReport("build", "0b7d2c1e-0000-4000-8000-000000000000", nodes, 0.2, Path("/out/dbt/target"))


def test_transform_summary_and_a_failed_test_exits_1(monkeypatch, tmp_path):
    from orchestration.cli import EXIT_DATA
    from sodai.dbt_build import TransformError

    def failing(*args, **kwargs):
        report = _report("fail", "Got 2 results, configured to fail if != 0")
        raise TransformError("dbt build failed (1 of 2 nodes): test unique_stg_event_id: Got 2 results", report)

    _fake_engine(monkeypatch, tmp_path, failing)
    result = runner.invoke(app, ["transform", "--select", "stg"])
    assert result.exit_code == EXIT_DATA
    assert "tests failed" in result.output and "unique_stg_event_id" in result.output


def test_transform_passes_selection_and_prints_the_summary(monkeypatch, tmp_path):
    calls = []

    def passing(settings, spark, url, select=None, full_refresh=False, exclude=None, on_node=None):
        calls.append((url, select, exclude, full_refresh))
        return _report("pass", None)

    _fake_engine(monkeypatch, tmp_path, passing)
    result = runner.invoke(app, ["transform", "-s", "+stg", "-s", "industries", "--exclude", "resource_type:test",
                                 "--full-refresh"])
    assert result.exit_code == 0, result.output
    assert calls == [("sc://localhost:1", ["+stg", "industries"], ["resource_type:test"], True)]
    assert "models built" in result.output and "0b7d2c1e-0000-4000-8000-000000000000" in result.output


def test_transform_says_why_every_mart_was_rebuilt_or_which_were_left(monkeypatch, tmp_path):
    from sodai.mart_scope import MartScope

    scopes = [MartScope(rebuilt=["fig01", "fig02"], reason="the dbt project or its vars changed since the last build"),
              MartScope(rebuilt=["fig07"], left=["fig01", "fig02"], reason="silver rows of 1 event date(s) since the last build")]

    def passing(*args, **kwargs):
        report = _report("pass", None)
        report.marts = scopes.pop(0)
        return report

    _fake_engine(monkeypatch, tmp_path, passing)
    everything = runner.invoke(app, ["transform"])
    assert everything.exit_code == 0, everything.output
    assert ("Marts: all 2 rebuilt (the dbt project or its vars changed since the last build)"
            in " ".join(everything.output.split()))
    some = runner.invoke(app, ["transform"])
    assert "Marts: 1 rebuilt, 2 left as they were (silver rows of 1 event date(s)" in " ".join(some.output.split())


def test_an_unreachable_engine_during_transform_exits_3(monkeypatch, tmp_path):
    from orchestration.cli import EXIT_ENGINE
    from sodai.dbt_build import TransformError

    def unreachable(*args, **kwargs):
        raise TransformError("dbt build failed (1 of 1 nodes): model stg: StatusCode.UNAVAILABLE failed to connect")

    _fake_engine(monkeypatch, tmp_path, unreachable)
    assert runner.invoke(app, ["transform"]).exit_code == EXIT_ENGINE


def test_a_server_that_dies_while_starting_exits_3_with_its_log_after_the_commands_own_start_up(monkeypatch, tmp_path):
    """start_engine returns while the server boots (the command meanwhile imports what its stages
    need); a server that exits before it answers is an engine error naming the tail of its log."""
    import sys

    import sodai.engine
    from orchestration.cli import EXIT_ENGINE, stage_runs

    monkeypatch.setenv("SODAI__PATHS__LAKEHOUSE", str(tmp_path / "lakehouse"))
    monkeypatch.setenv("SODAI__PATHS__OUTPUT", str(tmp_path / "output"))
    log = tmp_path / "server.log"
    events = []

    def dying_server(settings):
        events.append("started")
        stop, wait = sodai.engine._serve(
            [sys.executable, "-c", "import sys, time; time.sleep(0.5); print('no such catalog'); sys.exit(1)"],
            {}, sodai.engine.SAIL_SERVING, 30, "The test server", log)
        return sodai.engine.EngineHandle("sail", lambda: f"sc://localhost:{wait()}", stop, log)

    monkeypatch.setattr(sodai.engine, "start_engine", dying_server)
    monkeypatch.setattr(stage_runs, "SLOW_IMPORTS", {"transform": ("json",)})
    monkeypatch.setattr(stage_runs, "import_module", lambda name: events.append(f"import {name}"))
    result = runner.invoke(app, ["transform"])
    assert result.exit_code == EXIT_ENGINE, result.output
    assert events == ["started", "import json"]
    output = " ".join(result.output.split())
    assert "The test server exited before it was ready" in output and "no such catalog" in output


def test_a_landing_that_does_not_exist_stops_ingest_with_exit_2_naming_it(tmp_path):
    missing = tmp_path / "landnig"
    result = _invoke_with_paths(tmp_path, ["ingest"], landing=missing)
    assert result.exit_code == 2
    assert f"landing location {missing} does not exist" in " ".join(result.output.split())
    empty = tmp_path / "landing"
    empty.mkdir()
    from jobs.storage import require_landing

    require_landing(empty)  # an empty landing is a normal case, reported by the ingest


def test_a_lakehouse_that_cannot_be_created_stops_the_run_with_exit_2(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "landing").mkdir()
    result = _invoke_with_paths(tmp_path, ["run"], landing=tmp_path / "landing", lakehouse=tmp_path / "a-file" / "lh")
    assert result.exit_code == 2
    assert f"lakehouse location {tmp_path / 'a-file' / 'lh'} cannot be created or written" in " ".join(result.output.split())


def _invoke_with_paths(tmp_path, args, landing, lakehouse=None):
    from typer.testing import CliRunner

    from orchestration.cli import app

    env = {"SODAI__PATHS__LANDING": str(landing), "SODAI__PATHS__LAKEHOUSE": str(lakehouse or tmp_path / "lakehouse"),
           "SODAI__PATHS__OUTPUT": str(tmp_path / "output")}
    return CliRunner().invoke(app, args, env=env)
