"""The report's definitions, read from dbt's manifest: complete, consistent, and a broken one named."""

from __future__ import annotations

import copy

import pytest

from sodai.report_catalog import CatalogError, catalog_from_manifest, units


def test_every_finding_figure_and_item_beyond_is_defined_once_in_order(report_catalog):
    assert list(report_catalog.key_findings) == [f"K{i}" for i in range(1, 11)]
    assert list(report_catalog.figures) == [f"F{i}" for i in range(1, 12)]
    assert list(report_catalog.beyond) == ["B1", "B2", "B3"]
    marts = [item.mart for item in report_catalog.marts.values()]
    assert len(set(marts)) == len(marts)


def test_each_definition_is_complete(report_catalog):
    for finding in report_catalog.key_findings.values():
        assert finding.figure in report_catalog.figures and finding.headline in finding.measures
        assert finding.title and finding.definition and len(finding.window) == 2
    for item in report_catalog.marts.values():
        assert item.title and item.caption and item.definition and item.section
        assert "is_suppressed" not in item.columns or item.columns["is_suppressed"].unit is None
        measured = [column for column in item.columns.values() if column.unit]
        assert measured, f"{item.mart} documents no unit"
        assert {column.unit for column in measured} <= units()


def _manifest(report_catalog) -> dict:
    """A manifest shaped like dbt's, rebuilt from the parsed definitions."""
    nodes = {}
    for item in report_catalog.marts.values():
        nodes[f"model.sodai.{item.mart}"] = {
            "resource_type": "model", "name": item.mart, "original_file_path": f"models/marts/{item.section}/{item.mart}.yml",
            "fqn": ["sodai", "marts", item.section, item.mart], "description": item.definition,
            "config": {"meta": {"report_item": {"id": item.id, "title": item.title, "caption": item.caption,
                                                "window": list(item.window)}}},
            "columns": {name: {"description": column.description, "config": {"meta": {"unit": column.unit} if column.unit else {}}}
                        for name, column in item.columns.items()},
        }
    nodes["model.sodai.key_findings"] = {
        "resource_type": "model", "name": "key_findings", "original_file_path": "models/marts/findings/key_findings.yml",
        "fqn": ["sodai", "marts", "findings", "key_findings"], "description": "", "columns": {},
        "config": {"meta": {"key_findings": {
            key: finding.model_dump(exclude={"id"}) for key, finding in report_catalog.key_findings.items()}}},
    }
    return {"nodes": nodes}


def test_a_manifest_round_trips(report_catalog):
    assert catalog_from_manifest(_manifest(report_catalog)) == report_catalog


@pytest.mark.parametrize(("break_it", "message"), [
    (lambda m: m["nodes"]["model.sodai.fig01_models_over_time"]["columns"]["experiment_models"]["config"]["meta"]
     .update(unit="widgets"), "fig01_models_over_time.yml: .*unknown unit 'widgets'"),
    (lambda m: m["nodes"]["model.sodai.key_findings"]["config"]["meta"]["key_findings"]["K4"].update(figure="F99"),
     "key_findings.yml: K4 names figure F99"),
    (lambda m: m["nodes"]["model.sodai.key_findings"]["config"]["meta"]["key_findings"]["K1"].update(headline="nope"),
     "K1's headline nope is not one of its measures"),
    (lambda m: m["nodes"]["model.sodai.fig02_model_ratio_by_industry"]["config"]["meta"]["report_item"].update(id="F1"),
     "report item F1 is also defined by"),
    (lambda m: m["nodes"]["model.sodai.fig03_application_share_by_industry"]["config"]["meta"]["report_item"].pop("caption"),
     "fig03_application_share_by_industry.yml: .*caption"),
    (lambda m: m["nodes"]["model.sodai.fig04_application_growth_by_industry"]["config"]["meta"]["report_item"].update(id="G4"),
     "fig04_application_growth_by_industry.yml: .*id: String should match pattern"),
    (lambda m: m["nodes"]["model.sodai.key_findings"]["config"]["meta"]["key_findings"]["K9"].update(
        window=["k9_week_start", "k9_week_finish"]), "K9's window names unknown report parameters: k9_week_finish"),
])
def test_a_broken_definition_is_refused_naming_its_yml(report_catalog, break_it, message):
    manifest = copy.deepcopy(_manifest(report_catalog))
    break_it(manifest)
    with pytest.raises(CatalogError, match=message):
        catalog_from_manifest(manifest)
