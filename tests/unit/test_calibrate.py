"""Published-vs-computed checks on a hand-made report."""

from __future__ import annotations

import pytest

from sodai.calibrate import Target, compare, display, load_published

DEFAULTS = {"relative": 0.10, "absolute": 0.02}
REPORT = {
    "key_findings": [
        {"id": "K6", "measures": [{"measure": "vector_db_weekly_yoy", "value": 4.12, "unit": "growth"}]},
        {"id": "K7", "measures": [{"measure": "open_model_share", "value": 0.773, "unit": "share"}]},
    ],
    "figures": [
        {"id": "F5", "rows": [
            {"product": "Plotly Dash", "customer_rank": 1, "is_top_10": True, "is_open_source": True},
            {"product": "Fivetran", "customer_rank": 7, "is_top_10": True, "is_open_source": False},
            {"product": "Hex", "customer_rank": 19, "is_top_10": False, "is_open_source": False},
        ], "highlights": []},
        {"id": "F9", "rows": [
            {"industry_key": "fs", "compute_type": "gpu", "usage_hours_per_customer": 854.0},
            {"industry_key": "hls", "compute_type": "gpu", "usage_hours_per_customer": 562.0},
            {"industry_key": "other", "compute_type": "gpu", "usage_hours_per_customer": None},
        ], "highlights": []},
    ],
    "beyond": [],
}


def target(**fields) -> Target:
    return Target(id="X", label="x", **fields)


@pytest.mark.parametrize(("published", "ok"), [(3.77, True), (3.70, False)])
def test_relative_tolerance_is_ten_percent_of_the_published_value(published, ok):
    # |4.12 - 3.77| = 0.35 <= 0.377; |4.12 - 3.70| = 0.42 > 0.370
    t = target(item="K6", section="measures", where={"measure": "vector_db_weekly_yoy"}, published=published, check="relative")
    assert compare(REPORT, t, DEFAULTS).ok is ok


@pytest.mark.parametrize(("published", "ok"), [(0.76, True), (0.75, False)])
def test_absolute_tolerance_is_two_points(published, ok):
    t = target(item="K7", section="measures", where={"measure": "open_model_share"}, published=published, check="absolute")
    assert compare(REPORT, t, DEFAULTS).ok is ok


def test_exact_count_and_argmax_checks():
    rank = target(item="F5", section="rows", where={"product": "Fivetran"}, column="customer_rank", published=7, check="exact")
    count = target(item="F5", section="rows", where={"is_top_10": True, "is_open_source": True}, published=1, check="count")
    best = target(item="F9", section="rows", where={"compute_type": "gpu"}, column="usage_hours_per_customer",
                  argmax={"industry_key": "fs"}, check="argmax")
    wrong = best.model_copy(update={"argmax": {"industry_key": "hls"}})
    assert compare(REPORT, rank, DEFAULTS).ok
    assert compare(REPORT, count, DEFAULTS).ok
    assert compare(REPORT, best, DEFAULTS).ok and not compare(REPORT, wrong, DEFAULTS).ok


def test_a_target_matching_several_rows_or_none_is_not_ok():
    several = target(item="F5", section="rows", where={"is_top_10": True}, column="customer_rank", published=1, check="exact")
    none = target(item="F5", section="rows", where={"product": "dbt"}, column="customer_rank", published=6, check="exact")
    assert compare(REPORT, several, DEFAULTS).computed == "2 rows match"
    assert not compare(REPORT, several, DEFAULTS).ok and not compare(REPORT, none, DEFAULTS).ok


def test_a_missing_value_is_not_ok_and_units_drive_the_display():
    null = target(item="F9", section="rows", where={"industry_key": "other"}, column="usage_hours_per_customer",
                  published=500, check="relative")
    assert not compare(REPORT, null, DEFAULTS).ok
    assert display(4.12, "growth") == "+412%" and display(0.773, "share") == "77.3%"


def test_the_shipped_targets_cover_every_key_finding_and_figure():
    published = load_published()
    assert {t.id for t in published.targets} >= {f"K{i}" for i in range(1, 11)} | {f"F{i}" for i in range(1, 12)}
