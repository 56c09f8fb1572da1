"""docs/metrics.md is generated from the definitions and stays what they generate."""

from __future__ import annotations

from sodai.metrics_doc import METRICS_DOC, generate, mart_descriptions
from sodai.publish import load_catalog


def test_the_committed_metrics_doc_is_what_the_definitions_generate():
    assert METRICS_DOC.read_text() == generate(), "run `python -m sodai.metrics_doc`"


def test_every_item_has_its_definition_and_window():
    catalog, descriptions = load_catalog(), mart_descriptions()
    text = generate()
    for key in [*catalog.key_findings, *catalog.figures, *catalog.beyond]:
        assert f"\n| {key} | " in text, key
    for item in [*catalog.figures.values(), *catalog.beyond.values()]:
        assert descriptions[item.mart], item.mart  # every mart describes itself in its yml
