"""Changes since the last publication, on the known-answer scenario: the report published after
the late delivery lists exactly the cells the late files changed (read from the gold marts of
both runs, not from report.json), and the first publication has nothing to compare with."""

from __future__ import annotations

import math

import pandas as pd


def _mart_cells(marts: dict[str, pd.DataFrame]) -> dict[tuple, tuple]:
    """(item, measure, industry_key, subject) -> (value, suppressed) from key_findings and
    figure_highlights as dbt built them."""
    cells = {}
    for row in marts["key_findings"].itertuples():
        cells[(row.finding_id, row.measure, "all", "all")] = (row.value, bool(row.is_suppressed))
    for row in marts["figure_highlights"].itertuples():
        cells[(row.figure_id, row.measure, str(row.industry_key or ""), str(row.subject or ""))] = (
            row.value, bool(row.is_suppressed))
    return cells


def _differs(before: tuple | None, after: tuple | None) -> bool:
    if before is None or after is None:
        return True
    (old, old_suppressed), (new, new_suppressed) = before, after
    if old_suppressed or new_suppressed:
        return old_suppressed != new_suppressed
    if pd.isna(old) or pd.isna(new):
        return pd.isna(old) != pd.isna(new)
    return not math.isclose(old, new, rel_tol=1e-9)


def test_the_first_publication_has_nothing_to_compare_with(runs):
    first = runs.reports[0]
    assert first["changes"] == [] and first["provenance"]["previous_publication"] is None


def test_the_next_publication_lists_exactly_the_cells_the_late_files_changed(runs):
    first, second = runs.reports
    assert second["provenance"]["previous_publication"] == {
        "pipeline_run_id": first["provenance"]["pipeline_run_id"], "generated_at": first["generated_at"]}
    before, after = _mart_cells(runs.first), _mart_cells(runs.final)
    moved = {key for key in before.keys() | after.keys() if _differs(before.get(key), after.get(key))}
    listed = {(c["item"], c["measure"], c["industry_key"], c["subject"]) for c in second["changes"]}
    assert listed == moved
    # c07's late first registered model (March 2024) moves the registered-models figure
    assert any(item == "F1" and "registered" in measure for item, measure, _, _ in listed), sorted(listed)
    for change in second["changes"]:
        if change["status"] == "changed":
            assert change["difference"] == change["current"] - change["previous"] != 0
    sizes = [abs(c["relative"]) for c in second["changes"] if c["status"] == "changed" and c["relative"] is not None]
    assert sizes == sorted(sizes, reverse=True)
