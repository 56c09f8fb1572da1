"""Known answers: model serving, unified governance, serverless (F9, F10, F11, K10).

6-month growth compares 2024-03 with 2023-09; the quarter is 2024-01-01 .. 03-31
(scenario._serving, _governance, _serverless).
"""

from __future__ import annotations

import pytest

from tests.known_answers.lookup import assert_published, assert_suppressed, is_null, one, rows

pytestmark = pytest.mark.integration

F9_VALUES = ("usage_hours", "customers", "usage_hours_per_customer", "base_month_usage_hours",
             "current_month_usage_hours", "six_month_growth", "six_month_growth_rank")


# --- F9, K10 ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("industry", "quarter", "per_customer", "base", "current", "growth", "rank"), [
    # FS: quarter 8 (c01 01-16) + 6 (c02 02-14) + 47; 2023-09: 10 + 15; 2024-03: c01 10 (delivered 4 times) + 12, c02 25
    ("fs", 61.0, 30.5, 25.0, 47.0, 0.88, 1),
    # HLS: quarter 10 (c06 02-20) + 50; 2023-09: 20 + 20; 2024-03: c05 30 + c06 20
    ("hls", 60.0, 30.0, 40.0, 50.0, 0.25, 2),
    # Retail: quarter 5 (c03 01-22) + 15; 2023-09: 10 + 10; 2024-03: c03 5 + c04 10
    ("retail", 20.0, 10.0, 20.0, 15.0, -0.25, 3),
])
def test_f9_gpu_serving_by_industry(marts, industry, quarter, per_customer, base, current, growth, rank):
    row = one(marts["fig09_serving_by_industry"], compute_type="gpu", industry_key=industry)
    assert_published(row)
    assert row.usage_hours == pytest.approx(quarter)
    assert row.customers == 2
    assert row.usage_hours_per_customer == pytest.approx(per_customer)
    assert row.base_month_usage_hours == pytest.approx(base)
    assert row.current_month_usage_hours == pytest.approx(current)
    assert row.six_month_growth == pytest.approx(growth)
    assert row.six_month_growth_rank == rank


def test_f9_cpu_single_customer_industry_and_its_complement_are_suppressed(marts):
    cpu = rows(marts["fig09_serving_by_industry"], compute_type="cpu")
    assert sorted(cpu.industry_key) == ["fs", "hls", "other"]
    assert_suppressed(one(cpu, industry_key="other"), *F9_VALUES)  # c09 alone
    assert_suppressed(one(cpu, industry_key="fs"), *F9_VALUES)     # 2 customers like HLS; fs sorts first
    hls = one(cpu, industry_key="hls")
    assert_published(hls)
    assert hls.usage_hours == pytest.approx(20.0)      # c05 5 (02-15) + 6, c06 9
    assert hls.usage_hours_per_customer == pytest.approx(10.0)
    assert hls.six_month_growth == pytest.approx(0.5)  # (6 + 9) / (4 + 6) - 1
    assert hls.six_month_growth_rank == 1


def test_k10_financial_services_gpu_growth_and_rank(marts):
    findings = rows(marts["key_findings"], finding_id="K10")
    growth = one(findings, measure="gpu_six_month_growth")
    assert bool(growth.is_headline)
    assert growth.value == pytest.approx(0.88)         # 47 / 25 - 1
    assert (growth.numerator, growth.denominator) == (47, 25)
    assert growth.customers == 2
    assert one(findings, measure="gpu_growth_rank").value == 1  # ahead of HLS +25% and Retail -25%


# --- F10 --------------------------------------------------------------------------------------

def test_f10_months_and_first_month(marts):
    fig10 = marts["fig10_uc_adoption_by_industry"]
    # c10's action at 2023-02-01T02:00+09:00 is 2023-01-31 UTC; c01's 2024-02-05 is after the span
    assert sorted(fig10.activity_month.unique()) == ["2023-02-01", "2023-06-01", "2024-01-01"]
    month = rows(fig10, activity_month="2023-02-01")
    assert {r.industry_key: r.customers for r in month.itertuples()} == {"fs": 2, "all": 2}  # c01, c02
    assert one(month, industry_key="fs").industry_rank == 1


def test_f10_single_customer_industry_and_its_complement_are_suppressed(marts):
    month = rows(marts["fig10_uc_adoption_by_industry"], activity_month="2023-06-01")
    fs = one(month, industry_key="fs")
    assert (fs.customers, fs.industry_rank) == (3, 1)  # c01, c02, c10 (Retail in the older snapshot)
    assert one(month, industry_key="all").customers == 6  # + c05 c06 (HLS) + c03 (Retail)
    assert_suppressed(one(month, industry_key="retail"), "customers", "industry_rank")  # c03 alone
    # all 6 - FS 3 - Retail would leave HLS = 2 + the suppressed Retail: HLS, the smallest other, is suppressed too
    assert_suppressed(one(month, industry_key="hls"), "customers", "industry_rank")


def test_f10_last_month_counts_a_utc_january_action_and_the_late_file(marts):
    month = rows(marts["fig10_uc_adoption_by_industry"], activity_month="2024-01-01")
    # FS: c01, c02; HLS: c05 (2024-02-01T06:00+09:00 = 2024-01-31 UTC) and c06 (late file)
    assert {r.industry_key: r.customers for r in month.itertuples()} == {"fs": 2, "hls": 2, "all": 4}
    ranks = {r.industry_key: r.industry_rank for r in month.itertuples() if r.industry_key != "all"}
    assert ranks == {"fs": 1, "hls": 1}                # tied


# --- F11 --------------------------------------------------------------------------------------

def _any_product(marts, month):
    frame = rows(marts["fig11_serverless_adoption_by_industry"], activity_month=month, serverless_product="any")
    return {r.industry_key: r for r in frame.itertuples()}


def test_f11_customers_by_month_and_industry(marts):
    assert {k: r.customers for k, r in _any_product(marts, "2023-03-01").items()} == {"fs": 3, "hls": 2, "all": 5}
    assert {k: r.customers for k, r in _any_product(marts, "2023-09-01").items()} == {"fs": 2, "hls": 2, "all": 4}
    # c04's only use, at 2024-03-01T07:00+09:00, is 2024-02-29 UTC: alone in February
    february = _any_product(marts, "2024-02-01")
    assert set(february) == {"retail", "all"} and all(r.is_suppressed for r in february.values())


def test_f11_current_month_suppresses_a_single_customer_industry_and_its_complement(marts):
    march = _any_product(marts, "2024-03-01")
    assert (march["fs"].customers, march["all"].customers) == (3, 6)  # c01 c02 c10; + c05 c06 c03
    assert march["retail"].is_suppressed and is_null(march["retail"].customers)  # c03 alone
    assert march["hls"].is_suppressed and is_null(march["hls"].customers)        # 2, smallest other cell


def test_f11_products_count_apart(marts):
    fig11 = rows(marts["fig11_serverless_adoption_by_industry"], activity_month="2024-03-01")
    serving = rows(fig11, serverless_product="model_serving")
    assert {r.industry_key: r.customers for r in serving.itertuples()} == {"fs": 2, "all": 2}  # c01, c02
    jobs = rows(fig11, serverless_product="jobs")
    assert set(jobs.industry_key) == {"hls", "all"} and jobs.is_suppressed.all()  # c05 alone


def test_f11_growth_and_rank_highlights(marts):
    highlights = rows(marts["figure_highlights"], figure_id="F11")
    fs = one(highlights, measure="six_month_growth", industry_key="fs")
    assert fs.value == pytest.approx(0.5)              # 3 (2024-03) / 2 (2023-09) - 1
    assert fs.customers == 2
    assert_suppressed(one(highlights, measure="six_month_growth", industry_key="hls"), "value", "customers")
    assert one(highlights, measure="rank_current_month", industry_key="fs").value == 1
    assert_suppressed(one(highlights, measure="rank_current_month", industry_key="hls"), "value", "customers")
    assert one(highlights, measure="rank_yoy_base_month", industry_key="fs").value == 1  # 2023-03: FS 3
    assert one(highlights, measure="rank_yoy_base_month", industry_key="hls").value == 2  # HLS 2
