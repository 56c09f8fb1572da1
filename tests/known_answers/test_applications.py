"""Known answers: DS/ML applications by industry (F3, F4, K3).

Notebooks with an application category (scenario._notebooks), in the window 2023-02 .. 2024-03:

    FS      nlp: nb-fs-1, fs-2, fs-7, fs-4, fs-5, fs-3 (6, c01 c02)   geospatial: fs-6, fs-3 (2, c01 c02)
    HLS     nlp: hl-1, hl-4, hl-5 (3, c05 c06)   time_series: hl-2, hl-3, hl-4, hl-6 (4)   geospatial: hl-7, hl-8 (2)
    Retail  nlp: rt-1, rt-3, rt-4 (3, c03 c04)   time_series: rt-2, rt-5, rt-6 (3)         geospatial: rt-7 (1, c03)

nb-fs-0 (2023-01-31) is before the window.
"""

from __future__ import annotations

import pytest

from tests.known_answers.lookup import assert_published, assert_suppressed, one, rows

pytestmark = pytest.mark.integration

F3_VALUES = ("notebooks", "notebook_share", "customers", "share_rank")
F4_VALUES = ("base_month_notebooks", "current_month_notebooks", "yoy_growth", "customers", "growth_rank")


# --- F3 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("category", "notebooks", "share", "customers", "rank"), [
    ("nlp", 12, 12 / 24, 6, 1),             # 6 FS + 3 HLS + 3 Retail of 24 categorised notebooks
    ("time_series", 7, 7 / 24, 4, 2),       # 4 HLS + 3 Retail; c05 c06 c03 c04
    ("geospatial", 5, 5 / 24, 5, 3),        # 2 FS + 2 HLS + 1 Retail; c01 c02 c05 c06 c03
])
def test_f3_all_industries_shares(marts, category, notebooks, share, customers, rank):
    row = one(marts["fig03_application_share_by_industry"], industry_key="all", application_category=category)
    assert_published(row)
    assert row.notebooks == notebooks
    assert row.notebook_share == pytest.approx(share)
    assert row.customers == customers
    assert row.share_rank == rank


def test_f3_industry_with_every_cell_published(marts):
    fig03 = marts["fig03_application_share_by_industry"]
    hls = {r.application_category: r for r in rows(fig03, industry_key="hls").itertuples()}
    assert {c: r.notebooks for c, r in hls.items()} == {"nlp": 3, "time_series": 4, "geospatial": 2}
    assert hls["nlp"].notebook_share == pytest.approx(3 / 9)          # of HLS's 9 categorised notebooks
    assert hls["time_series"].notebook_share == pytest.approx(4 / 9)  # hl-4 counts in nlp and in time_series
    assert hls["geospatial"].notebook_share == pytest.approx(2 / 9)
    assert {c: r.share_rank for c, r in hls.items()} == {"time_series": 1, "nlp": 2, "geospatial": 3}
    assert not any(r.is_suppressed for r in hls.values())


def test_f3_single_customer_cell_is_suppressed_with_its_complements(marts):
    fig03 = marts["fig03_application_share_by_industry"]
    # Retail geospatial: only c03 (rt-7) -> suppressed.
    assert_suppressed(one(fig03, industry_key="retail", application_category="geospatial"), *F3_VALUES)
    # The all-industries geospatial row would give it away: the smallest other geospatial cell,
    # FS (2 customers; HLS also 2, fs sorts first), is suppressed too ...
    assert_suppressed(one(fig03, industry_key="fs", application_category="geospatial"), *F3_VALUES)
    # ... and so is one more cell in each of the two industry rows (their shares add up to 1):
    # FS nlp, and Retail nlp (2 customers, tied with Retail time_series; nlp sorts first).
    assert_suppressed(one(fig03, industry_key="fs", application_category="nlp"), *F3_VALUES)
    assert_suppressed(one(fig03, industry_key="retail", application_category="nlp"), *F3_VALUES)
    # Retail time_series stays published: 3 of Retail's 7 categorised notebooks
    retail_ts = one(fig03, industry_key="retail", application_category="time_series")
    assert_published(retail_ts)
    assert retail_ts.notebooks == 3
    assert retail_ts.notebook_share == pytest.approx(3 / 7)
    assert retail_ts.customers == 2
    assert int(fig03.is_suppressed.sum()) == 4         # no other cell is withheld


# --- F4 ---------------------------------------------------------------------------------------

def test_f4_all_industries_growth(marts):
    fig04 = marts["fig04_application_growth_by_industry"]
    nlp = one(fig04, industry_key="all", application_category="nlp")
    assert_published(nlp)
    assert nlp.base_month_notebooks == 4     # 2023-03: fs-1, fs-2, hl-1, rt-1
    assert nlp.current_month_notebooks == 7  # 2024-03: fs-3, fs-4, fs-5, hl-4, hl-5 (2024-03-31T21:00Z), rt-3, rt-4
    assert nlp.yoy_growth == pytest.approx(0.75)       # 7 / 4 - 1
    assert nlp.customers == 4                # fewer of 4 (2023-03) and 6 (2024-03) customers
    assert nlp.growth_rank == 1
    ts = one(fig04, industry_key="all", application_category="time_series")
    assert (ts.base_month_notebooks, ts.current_month_notebooks) == (3, 4)  # hl-2 hl-3 rt-2; hl-4 hl-6 rt-5 rt-6
    assert ts.yoy_growth == pytest.approx(1 / 3)       # 4 / 3 - 1
    assert ts.growth_rank == 2


def test_f4_industry_growth_and_suppression(marts):
    fig04 = marts["fig04_application_growth_by_industry"]
    fs_nlp = one(fig04, industry_key="fs", application_category="nlp")
    assert_published(fs_nlp)
    assert (fs_nlp.base_month_notebooks, fs_nlp.current_month_notebooks) == (2, 3)  # fs-1 fs-2; fs-3 fs-4 fs-5
    assert fs_nlp.yoy_growth == pytest.approx(0.5)     # 3 / 2 - 1
    assert fs_nlp.customers == 2
    # one customer in the base month: HLS nlp (c05), Retail nlp (c03), Retail time_series (c03)
    for industry, category in [("hls", "nlp"), ("retail", "nlp"), ("retail", "time_series")]:
        assert_suppressed(one(fig04, industry_key=industry, application_category=category), *F4_VALUES)
    # HLS time_series (2 customers in both months) would be all (3 -> 4) minus Retail: suppressed too
    assert_suppressed(one(fig04, industry_key="hls", application_category="time_series"), *F4_VALUES)
    # geospatial had no notebook in 2023-03: no growth to publish
    for industry in ("all", "fs"):
        assert_suppressed(one(fig04, industry_key=industry, application_category="geospatial"), *F4_VALUES)


# --- K3 ---------------------------------------------------------------------------------------

def test_k3_nlp_share_growth_and_rank(marts):
    findings = rows(marts["key_findings"], finding_id="K3")
    share = one(findings, measure="category_share")
    assert bool(share.is_headline)
    assert share.value == pytest.approx(0.5)           # 12 of 24 categorised notebooks (F3)
    assert share.numerator == 12
    assert share.customers == 6
    growth = one(findings, measure="category_yoy_growth")
    assert growth.value == pytest.approx(0.75)         # 7 / 4 - 1 (F4)
    assert (growth.numerator, growth.denominator) == (7, 4)
    assert one(findings, measure="category_growth_rank").value == 1  # nlp +75% ahead of time_series +33%
