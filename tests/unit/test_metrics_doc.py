"""docs/metrics.md is generated from the definitions and stays what they generate."""

from __future__ import annotations

from sodai.metrics_doc import METRICS_DOC, generate


def test_the_committed_metrics_doc_is_what_the_definitions_generate(report_catalog):
    assert METRICS_DOC.read_text() == generate(report_catalog), "run `python -m sodai.metrics_doc`"


def test_every_item_has_its_definition_and_window(report_catalog):
    text = generate(report_catalog)
    for key in [*report_catalog.key_findings, *report_catalog.marts]:
        assert f"\n| {key} | " in text, key
    for item in report_catalog.marts.values():
        assert item.definition != item.title, item.mart  # every mart describes itself in its yml
        assert f"`{item.mart}`" in text
