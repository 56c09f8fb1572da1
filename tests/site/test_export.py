"""`sodai export-site`: every page as a self-contained HTML file, links between the files, the
figures' data as CSV links, in the chosen language."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from dashboards.components import PAGES
from dashboards.export import export_site, page_file
from sodai.cli import app

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
