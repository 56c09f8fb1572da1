"""Known answers: the foundation-model API (F7, F8, K7, K8, K9).

Foundation-model period 2023-12-01 .. 2024-05-19; quarter 2024-01-01 .. 03-31; K9 week
2024-05-09 .. 05-15 (scenario._foundation_models).
"""

from __future__ import annotations

import pytest

from tests.known_answers.lookup import assert_published, assert_suppressed, is_null, one, rows

pytestmark = pytest.mark.integration

F7_VALUES = ("request_count", "customers", "open_request_share")
F8_VALUES = ("request_count", "customers", "requests_per_customer", "requests_per_customer_rank")


# --- F7 ---------------------------------------------------------------------------------------

def test_f7_week_with_a_published_model_and_a_complementary_suppression(marts):
    week = rows(marts["fig07_open_model_usage_weekly"], activity_week="2024-04-22")
    assert sorted(week.model) == ["llama-2-7b", "llama-3-8b", "mixtral-8x7b"]
    llama3 = one(week, model="llama-3-8b")
    assert_published(llama3)
    assert llama3.request_count == 300                 # c02 150 + c05 150
    assert llama3.customers == 2
    assert llama3.open_request_share == pytest.approx(300 / 640)  # of 300 + 240 (llama-2-7b) + 100 (mixtral)
    assert bool(llama3.is_full_week)
    assert_suppressed(one(week, model="mixtral-8x7b"), *F7_VALUES)  # c06 alone
    # llama-2-7b (c02, c09) would be the week's total minus the rest: suppressed too (ties with
    # llama-3-8b at 2 customers, sorts first)
    assert_suppressed(one(week, model="llama-2-7b"), *F7_VALUES)


def test_f7_first_week_of_the_period_is_partial_and_excludes_the_day_before(marts):
    fig07 = marts["fig07_open_model_usage_weekly"]
    first = rows(fig07, activity_week="2023-11-27")
    # c06's mixtral on 2023-12-01; c04's llama-2-7b at 2023-12-01T08:00+09:00 is 2023-11-30 UTC, before the period
    assert list(first.model) == ["mixtral-8x7b"]
    assert not bool(first.iloc[0].is_full_week)
    assert sorted(fig07.activity_week.unique()) == [
        "2023-11-27", "2024-01-22", "2024-02-05", "2024-02-12", "2024-03-04", "2024-03-18", "2024-03-25",
        "2024-04-22", "2024-05-06", "2024-05-13"]


def test_f7_llama_2_small_to_large_requests(marts):
    row = one(marts["figure_highlights"], figure_id="F7", measure="small_to_large_requests")
    assert row.subject == "llama-2"
    # 7b + 13b: 300 (c02) + 200 (c05) + 150 (c09, 50 of it at 2024-03-31T23:00Z) + 240 (week 04-22) + 110 + 200 = 1200
    # 70b: 400 (c06) + 100 (c08) = 500
    assert row.value == pytest.approx(2.4)
    assert row.customers == 2                          # fewer of 3 (c02 c05 c09) and 2 (c06 c08)


# --- F8 ---------------------------------------------------------------------------------------

def test_f8_average_requests_per_customer_by_industry(marts):
    fig08 = marts["fig08_fm_usage_by_industry"]
    assert sorted(fig08.industry_key) == ["fs", "hls", "mfg", "other", "retail"]
    hls = one(fig08, industry_key="hls")
    assert_published(hls)
    assert (hls.request_count, hls.customers) == (1200, 2)  # c05 200 + 300, c06 400 + 300
    assert hls.requests_per_customer == pytest.approx(600.0)
    assert hls.requests_per_customer_rank == 1
    retail = one(fig08, industry_key="retail")
    assert (retail.request_count, retail.customers) == (70, 2)  # c03 20 + 10 (gemini-pro, unclassified), c04 40
    assert retail.requests_per_customer == pytest.approx(35.0)
    assert retail.requests_per_customer_rank == 2
    other = one(fig08, industry_key="other")       # c08 (not in the newest snapshot), c09 (Energy & Utilities)
    assert (other.request_count, other.customers) == (250, 2)  # c08 100, c09 100 + 50 (2024-03-31T23:00Z)
    assert other.requests_per_customer == pytest.approx(125.0)
    assert is_null(other.requests_per_customer_rank)  # ranks compare the six industries only


def test_f8_single_customer_industry_and_its_complement_are_suppressed(marts):
    fig08 = marts["fig08_fm_usage_by_industry"]
    assert_suppressed(one(fig08, industry_key="mfg"), *F8_VALUES)  # c07 alone (newest snapshot: Manufacturing)
    # the smallest other industry (all have 2 customers; fs sorts first) hides it from the total
    assert_suppressed(one(fig08, industry_key="fs"), *F8_VALUES)


# --- K7, K8, K9 -------------------------------------------------------------------------------

def test_k7_llm_customers_using_open_models(marts):
    row = one(marts["key_findings"], finding_id="K7", measure="open_model_share")
    # LLM customers in the period: c01..c09 (fm API; c01 c03 c05 c08 also openai)
    # open models: c02 c05 c06 c07 (dbrx) c08 c09; c04's only open request is 2023-11-30 UTC
    assert row.value == pytest.approx(6 / 9)
    assert (row.numerator, row.denominator) == (6, 9)
    assert row.customers == 3                          # fewer of 6 and 3 (c01 c03 c04)


def test_k8_open_model_customers_choosing_small_models(marts):
    row = one(marts["key_findings"], finding_id="K8", measure="small_open_model_share")
    # <= 13B: c02 (llama-2-7b), c05 (llama-2-13b, llama-3-8b), c09 (llama-2-7b);
    # only larger ones: c06 (llama-2-70b, mixtral 46.7B), c07 (dbrx), c08 (llama-2-70b)
    assert row.value == pytest.approx(0.5)             # 3 / 6
    assert (row.numerator, row.denominator) == (3, 6)
    assert row.customers == 3


def test_k9_llama_3_share_of_open_requests_in_the_fourth_week(marts):
    row = one(marts["key_findings"], finding_id="K9", measure="family_request_share")
    # 2024-05-09 .. 05-15: llama-3 c02 200 + c05 190 = 390; other open: c02 110, c09 200,
    # c06 300 (2024-05-15T21:00Z) = 610. Not counted: c05's 500 on 05-08, c01's gpt-4 (proprietary).
    assert row.value == pytest.approx(0.39)            # 390 / 1000
    assert (row.numerator, row.denominator) == (390, 1000)
    assert row.customers == 2                          # llama-3: c02 c05; other open: c06 c09
