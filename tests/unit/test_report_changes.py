"""Two publications compared cell by cell (sodai/report_changes.py) and the history that keeps
them (sodai/publications.py)."""

import json

import pytest

from sodai import publications
from sodai.report_changes import as_json, changes


def _report(k1: float | None, f1_all: float | None, f1_retail: float | None, suppressed_retail: bool = False,
            run_id: str = "pipeline-1", generated_at: str = "2026-12-01T06:00:00+00:00") -> dict:
    def measure(value, unit="multiple", suppressed=False):
        return {"measure": "registered_models_multiple", "is_headline": True, "value": None if suppressed else value,
                "unit": unit, "is_suppressed": suppressed}

    def highlight(industry, value, suppressed=False):
        return {"measure": "registered_models_yoy", "industry_key": industry, "subject": "all",
                "value": None if suppressed else value, "unit": "growth", "customers": 12, "is_suppressed": suppressed}

    return {
        "generated_at": generated_at,
        "key_findings": [{"id": "K1", "title": "More models registered", "measures": [measure(k1)]}],
        "figures": [{"id": "F1", "title": "Models registered", "highlights": [
            highlight("all", f1_all), highlight("retail", f1_retail, suppressed_retail)]}],
        "beyond": [],
        "provenance": {"pipeline_run_id": run_id},
    }


def test_the_numbers_that_moved_come_largest_relative_move_first_then_suppression_changes():
    before = _report(k1=4.0, f1_all=1.00, f1_retail=0.50)
    after = _report(k1=4.2, f1_all=1.50, f1_retail=None, suppressed_retail=True)
    found = changes(before, after)
    assert [(c.key[0], c.key[2], c.status) for c in found] == [
        ("F1", "all", "changed"),  # +50 %
        ("K1", "all", "changed"),  # +5 %
        ("F1", "retail", "became_suppressed"),
    ]
    assert found[0].difference == pytest.approx(0.5) and found[0].relative == pytest.approx(0.5)
    assert (found[2].previous, found[2].current) == (0.5, None)  # a suppressed value is never shown


def test_a_cell_published_again_and_unchanged_numbers():
    before = _report(k1=4.0, f1_all=1.0, f1_retail=None, suppressed_retail=True)
    after = _report(k1=4.0 * (1 + 1e-12), f1_all=1.0, f1_retail=0.7)
    assert [(c.key[2], c.status, c.current) for c in changes(before, after)] == [("retail", "published", 0.7)]
    assert changes(after, after) == []


def test_the_report_lists_no_change_for_the_first_publication():
    first = _report(1.0, 1.0, 1.0)
    assert as_json(None, first) == []
    cells = as_json(first, _report(2.0, 1.0, 1.0, run_id="pipeline-2"))
    assert [(c["item"], c["previous"], c["current"], c["difference"], c["relative"]) for c in cells] == [
        ("K1", 1.0, 2.0, 1.0, 1.0)]


def test_the_history_keeps_every_publication_in_order_and_finds_one_by_run(tmp_path):
    for n in (1, 2, 3):
        report = tmp_path / "report.json"
        report.write_text(json.dumps(_report(float(n), 1.0, 1.0, run_id=f"pipeline-{n}",
                                             generated_at=f"2026-12-0{n}T06:00:00+00:00")))
        publications.keep(tmp_path, report)
    kept = publications.history(tmp_path)
    assert [(p.sequence, p.pipeline_run_id, p.generated_at) for p in kept] == [
        (1, "pipeline-1", "20261201T060000Z"), (2, "pipeline-2", "20261202T060000Z"), (3, "pipeline-3", "20261203T060000Z")]
    assert publications.find(tmp_path, "pipeline-2").report()["key_findings"][0]["measures"][0]["value"] == 2.0
    with pytest.raises(publications.PublicationNotFound, match="pipeline-9.*the latest: pipeline-1, pipeline-2, pipeline-3"):
        publications.find(tmp_path, "pipeline-9")


def test_sodai_diff_prints_the_cells_that_moved_between_two_publications(tmp_path):
    from typer.testing import CliRunner

    from orchestration.cli import app

    for n, k1 in ((1, 4.0), (2, 5.0)):
        report = tmp_path / "report.json"
        report.write_text(json.dumps(_report(k1, 1.0, 0.5, run_id=f"pipeline-{n}")))
        publications.keep(tmp_path, report)
    env = {"SODAI__PATHS__OUTPUT": str(tmp_path)}
    latest = CliRunner().invoke(app, ["diff"], env=env, terminal_width=200)
    assert latest.exit_code == 0, latest.output
    assert "Changes from pipeline-1" in latest.output and "to pipeline-2" in latest.output
    assert "K1" in latest.output and "F1" not in latest.output and "1 cells changed" in latest.output
    first = CliRunner().invoke(app, ["diff", "--to", "pipeline-1"], env=env, terminal_width=200)
    assert first.exit_code == 0 and "is the first: there is nothing to compare it with" in " ".join(first.output.split())
    unknown = CliRunner().invoke(app, ["diff", "--from", "pipeline-9"], env=env, terminal_width=200)
    assert unknown.exit_code == 2 and "the latest: pipeline-1, pipeline-2" in " ".join(unknown.output.split())
