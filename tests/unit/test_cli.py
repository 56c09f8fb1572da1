"""The CLI's contract: help, exit codes for bad usage, status without an engine."""

from typer.testing import CliRunner

from sodai.cli import EXIT_USAGE, app

runner = CliRunner()


def test_help_lists_every_stage():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("generate", "ingest", "refine", "run", "status", "serve"):
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
