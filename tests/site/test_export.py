"""`sodai export-site`: every page as a self-contained HTML file, links between the files, the
figures' data as CSV links, in the chosen language."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from dashboards.components import PAGES
from dashboards.export import export_site, page_file
from orchestration.cli import app

pytestmark = pytest.mark.sail


def test_every_page_is_written_self_contained_and_linked(site_data, tmp_path):
    written = export_site(site_data.settings, tmp_path / "site", "en")
    assert [p.name for p in written] == [page_file(path) for _, path in PAGES]
    assert written[0].name == "index.html"
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and '<html lang="en">' in text
        assert "<script src=" not in text  # nothing fetched from elsewhere
        for href in re.findall(r'href="([^"#:]+\.html)', text):
            assert (path.parent / href).is_file(), f"{path.name} links to a missing {href}"
    regulated = (tmp_path / "site" / "regulated-industries.html").read_text(encoding="utf-8")
    assert regulated.count("Plotly.newPlot") >= 3  # F8, F9, F11 (F10 may be outside the small telemetry)
    assert regulated.count("plotly.js v") == 1  # the library embedded once per file
    csv = unquote(re.search(r'download="F8.csv" href="data:text/csv;charset=utf-8,([^"]+)"', regulated).group(1))
    header, *rows = csv.strip().splitlines()
    f8 = next(m for m in site_data.report["figures"] if m["id"] == "F8")
    assert header.split(",")[:2] == ["industry", "industry_key"] and len(rows) == len(f8["rows"])
    assert "suppressed (&lt; 10 customers)" in regulated


def test_the_cli_exports_in_the_chosen_language(site_data, tmp_path, monkeypatch):
    monkeypatch.setenv("SODAI__PATHS__OUTPUT", str(site_data.settings.output))
    monkeypatch.setenv("SODAI__PATHS__LAKEHOUSE", str(site_data.settings.lakehouse))
    result = CliRunner().invoke(app, ["export-site", "--out", str(tmp_path / "fr"), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "fr" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in index and "Conclusions clés" in index
    assert CliRunner().invoke(app, ["export-site", "--lang", "de"]).exit_code == 2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "report.json").write_text('{"report_year": 20', encoding="utf-8")  # cut off mid-write
    monkeypatch.setenv("SODAI__PATHS__OUTPUT", str(broken))
    unreadable = CliRunner().invoke(app, ["export-site", "--out", str(tmp_path / "none")])
    assert unreadable.exit_code == 2 and "is not a readable report" in " ".join(unreadable.output.split())
    assert not (tmp_path / "none").exists()


def test_forecasts_gates_data_docs_and_mlflow_run_are_shown_when_present(site_data, tmp_path):
    """The contracts of the forecast and gate stages (report.json `forecasts`, provenance
    `mlflow_run_id`, gates/latest.json, gx/data_docs) rendered when present."""
    import json

    from dashboards.app import create_app

    output = tmp_path / "output"
    (output / "gates").mkdir(parents=True)
    (output / "gx" / "data_docs").mkdir(parents=True)
    (output / "gx" / "data_docs" / "index.html").write_text("<html>expectation suites</html>")
    report = dict(site_data.report)
    report["provenance"] = {**report["provenance"], "mlflow_run_id": "0123abcd"}
    report["forecasts"] = [{
        "series": "vector_db_customers", "title": "Vector database customers", "unit": "customers",
        "frequency": "month", "group": None, "model": "ets", "model_uri": "models:/vector_db_customers@champion",
        "model_version": 3, "backtest": {"metric": "MAPE", "horizon": 3, "value": 0.0834},
        "history": [{"period": "2024-01-01", "value": 80.0}, {"period": "2024-02-01", "value": 90.0}],
        "points": [{"period": "2024-03-01", "value": 97.0, "lower": 91.0, "upper": 104.0}], "interval": 0.8,
    }]
    (output / "report.json").write_text(json.dumps(report))
    (output / "gates" / "latest.json").write_text(json.dumps({
        "run_id": "pipeline-x", "checked_at": "2024-05-20T06:00:00Z", "publication_blocked": True,
        "data_docs": str(output / "gx" / "data_docs" / "index.html"),
        "gates": [{"layer": "silver", "suite": "silver_events", "success": False, "evaluated": 42,
                   "failed": [{"expectation": "expect_column_values_to_not_be_null", "column": "customer_key",
                               "details": "3 nulls"}], "warnings": []}],
    }))
    settings = site_data.settings.with_overrides(paths={"output": str(output)})
    written = {p.name: p.read_text(encoding="utf-8") for p in export_site(settings, tmp_path / "site", "en")}
    forecasts = written["forecasts.html"]
    assert "Vector database customers" in forecasts and "80% prediction interval" in forecasts
    assert "models:/vector_db_customers@champion" in forecasts and "8.3%" in forecasts
    status = written["status.html"]
    assert "Publication blocked by a failed gate" in status and "silver_events" in status and "3 nulls" in status
    assert 'href="/data-docs/"' in status and "0123abcd" in status
    client = create_app(settings).server.test_client()
    assert b"expectation suites" in client.get("/data-docs/").data


def test_absent_pieces_say_they_are_absent(site_data, tmp_path):
    settings = site_data.settings.with_overrides(paths={"output": str(site_data.settings.output)})
    written = {p.name: p.read_text(encoding="utf-8") for p in export_site(settings, tmp_path / "site", "en")}
    assert "No forecasts yet" in written["forecasts.html"]
    status = written["status.html"]
    for absent in ("gates/latest.json is absent", "gx/data_docs is absent", "provenance.mlflow_run_id is absent"):
        assert absent in status
