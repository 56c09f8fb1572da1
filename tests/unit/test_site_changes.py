"""The overview page's "changes since the last publication" section, rendered from report.json
(dashboards/components.py, changes_section), in every language."""

from __future__ import annotations

import pytest

from dashboards.components import changes_section
from dashboards.i18n import LANGUAGES, Translator


def _texts(component) -> list[str]:
    """Every string in a Dash component tree, in order."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    if children is None:
        return []
    if not isinstance(children, (list, tuple)):
        children = [children]
    return [text for child in children for text in _texts(child)]


def _change(**fields) -> dict:
    base = {"item": "F1", "measure": "registered_models_yoy", "industry_key": "all", "subject": "all", "title": "t",
            "unit": "growth", "status": "changed", "previous": 2.5, "current": 3.0, "difference": 0.5,
            "relative": 0.2}
    return base | fields


REPORT = {
    "figures": [{"id": "F1", "section": "ML in production"}], "beyond": [],
    "changes": [
        _change(),
        _change(item="K1", measure="registered_models_multiple", unit="multiple", previous=3.5, current=4.0,
                difference=0.5, relative=0.1429),
        _change(industry_key="Retail & Consumer Goods", status="became_suppressed", previous=0.4, current=None,
                difference=None, relative=None),
        _change(item="K2", measure="ratio_last_month", unit="ratio", previous=1.14, current=1.0, difference=-0.14,
                relative=-0.1228),
    ],
    "provenance": {"previous_publication": {"pipeline_run_id": "pipeline-1", "generated_at": "2024-05-19T06:00:00+00:00"}},
}


def test_each_changed_cell_is_a_row_with_before_now_and_the_difference():
    texts = _texts(changes_section(REPORT, Translator("en"), 10))
    assert "Changes since the last publication" in texts
    assert any("pipeline-1" in text and "2024-05-19" in text for text in texts)
    assert "+50 pts" in texts  # growth moves in percentage points
    assert "−0.14" in texts  # a ratio N:1 moves by a number
    assert "−0,14" in _texts(changes_section(REPORT, Translator("fr"), 10))  # in the language's digits
    # the cell that became suppressed: its published value before, "suppressed" now, no difference
    at = texts.index("now suppressed (too few customers)")
    assert texts[at - 3:at] == ["+40%", Translator("en").suppressed(10), ""]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_first_publication_says_there_is_nothing_to_compare_with(language):
    first = {"changes": [], "provenance": {"previous_publication": None}, "figures": [], "beyond": []}
    t = Translator(language)
    assert t("changes.first") in _texts(changes_section(first, t, 10))
    unchanged = first | {"provenance": REPORT["provenance"]}
    assert t("changes.none") in _texts(changes_section(unchanged, t, 10))


def test_a_rank_moves_by_places_and_other_units_are_signed_in_the_language():
    report = {**REPORT, "changes": [
        _change(item="K5", measure="rank", unit="rank", previous=4, current=2, difference=-2, relative=-0.5),
        _change(item="K1", measure="registered_models_multiple", unit="multiple", previous=3.5, current=4.0,
                difference=0.5, relative=0.14),
    ]}
    texts = _texts(changes_section(report, Translator("en"), 10))
    assert "−2" in texts and "#-2" not in " ".join(texts)
    assert "+0.5×" in texts
