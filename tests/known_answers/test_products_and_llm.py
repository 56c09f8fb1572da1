"""Known answers: data & AI products and LLM library usage (F5, F6, K4, K5, K6).

Weekly YoY compares the Monday weeks 2024-03-04 .. 03-25 with 2023-03-06 .. 03-27; the preview week
is 2023-12-04; the holiday weeks are 2023-12-18, 12-25 and 2024-01-01 (scenario._tools).
"""

from __future__ import annotations

import pytest

from tests.known_answers.lookup import assert_published, assert_suppressed, is_null, one, rows

pytestmark = pytest.mark.integration


# --- F5, K5 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("product", "customers", "rank"), [
    ("Plotly Dash", 5, 1),    # c01 c03 (plotly), c02 (dash), c04 (plotly), c05 (dash at 2024-03-31T23:00Z)
    ("LangChain", 4, 2),      # c01 c06 c03 c05
    ("dbt", 3, 3),            # c02, c06 (integration), c04 (dbt-core)
    ("Fivetran", 2, 4),       # c05, c07 (c08 used it on 2023-01-31, before the window)
    ("Pinecone", 2, 5),       # c01, c04 (pinecone-client); tied with Fivetran, ranked by name
])
def test_f5_published_products_and_ranks(marts, product, customers, rank):
    row = one(marts["fig05_top_products"], product=product)
    assert_published(row)
    assert (row.customers, row.customer_rank) == (customers, rank)
    assert bool(row.is_top_10)


def test_f5_products_of_a_single_customer_are_suppressed(marts):
    fig05 = marts["fig05_top_products"]
    # Great Expectations (c02) and Hugging Face Transformers (c01, transformers in nb-fs-3): one customer each
    for product in ("Great Expectations", "Hugging Face Transformers"):
        row = one(fig05, product=product)
        assert_suppressed(row, "customers", "customer_rank", "rank_change")
        assert not bool(row.is_top_10)
    published = set(rows(fig05, is_suppressed=False)["product"])
    assert published == {"Plotly Dash", "LangChain", "dbt", "Fivetran", "Pinecone"}


def test_f5_last_year_ranks_and_rank_change(marts):
    fig05 = marts["fig05_top_products"]
    # last year = 2022-02-01 .. 2023-03-31
    plotly = one(fig05, product="Plotly Dash")
    assert (plotly.last_year_customers, plotly.last_year_rank) == (3, 1)  # c01, c03, c09 (2023-01-31T18:00Z)
    assert plotly.rank_change == 0                     # 1 -> 1
    fivetran = one(fig05, product="Fivetran")
    assert (fivetran.last_year_customers, fivetran.last_year_rank) == (2, 2)  # c05, c08
    assert fivetran.rank_change == -2                  # 2 -> 4
    # one customer last year: LangChain (c01), dbt (c02), Pinecone (c01)
    for product in ("LangChain", "dbt", "Pinecone"):
        row = one(fig05, product=product)
        assert bool(row.is_last_year_suppressed)
        assert is_null(row.last_year_customers) and is_null(row.last_year_rank) and is_null(row.rank_change)


def test_k5_langchain_rank(marts):
    row = one(marts["key_findings"], finding_id="K5", measure="product_rank")
    assert row.value == 2                              # 4 customers, behind Plotly Dash's 5
    assert row.customers == 4


# --- F6, K6 -----------------------------------------------------------------------------------

def _weekly(marts, category):
    frame = rows(marts["fig06_llm_library_usage_weekly"], llm_category=category)
    return {r.activity_week: r for r in frame.itertuples()}


def test_f6_vector_db_weeks(marts):
    weeks = _weekly(marts, "vector_db")
    expected = {
        "2023-03-06": 2, "2023-03-13": 2, "2023-03-20": 2, "2023-03-27": 2,  # c01 pinecone-client, c03 chromadb
        "2023-12-04": 3,                                                     # + c02 vector search on 2023-12-07
        "2024-03-04": 4, "2024-03-11": 4,                                    # c01 c03 c04 libraries + c02 vector search
        "2024-03-18": 5,                                                     # + c05 vector search
        "2024-03-25": 5,                                                     # + c09 vector search at 2024-03-31T22:00Z
    }
    assert {w: weeks[w].customers for w in expected} == expected
    # c06's only request is at 2024-04-01T01:00Z: the next week, alone
    assert weeks["2024-04-01"].is_suppressed and is_null(weeks["2024-04-01"].customers)


def test_f6_holiday_mean_is_hidden_when_a_holiday_week_is_suppressed(marts):
    weeks = _weekly(marts, "vector_db")
    assert weeks["2023-12-18"].customers == 2          # c01, c02
    assert weeks["2024-01-01"].customers == 3          # c01, c03, c02
    assert weeks["2023-12-25"].is_suppressed           # c02 alone
    assert all(weeks[w].is_holiday_week for w in ("2023-12-18", "2023-12-25", "2024-01-01"))
    # the mean (2 + 1 + 3) / 3 would reveal the suppressed week
    assert all(is_null(weeks[w].smoothed_customers) for w in ("2023-12-18", "2023-12-25", "2024-01-01"))


def test_f6_saas_llm_weeks_and_holiday_smoothing(marts):
    weeks = _weekly(marts, "saas_llm")
    # base weeks: c01, c05; current: c01, c05, c08 (+ c03 in the week of 2024-03-18)
    assert [weeks[w].customers for w in ("2023-03-06", "2023-03-13", "2023-03-20", "2023-03-27")] == [2, 2, 2, 2]
    assert [weeks[w].customers for w in ("2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25")] == [3, 3, 4, 3]
    assert [weeks[w].customers for w in ("2023-12-18", "2023-12-25", "2024-01-01")] == [2, 2, 3]
    for week in ("2023-12-18", "2023-12-25", "2024-01-01"):
        assert weeks[week].smoothed_customers == pytest.approx(7 / 3)  # (2 + 2 + 3) / 3
    assert weeks["2024-03-04"].smoothed_customers == 3  # outside the holidays: the week itself


def test_f6_transformer_training_and_llm_tools_weeks(marts):
    training = _weekly(marts, "transformer_training")
    assert list(training) == ["2024-03-11"]
    assert training["2024-03-11"].customers == 2       # c01 transformers, c02 accelerate
    tools = _weekly(marts, "llm_tools")
    assert tools["2024-03-11"].customers == 2          # c03, c05 langchain
    assert tools["2023-03-06"].is_suppressed           # c01 alone
    assert tools["2023-09-04"].is_suppressed           # c06 alone


@pytest.mark.parametrize(("category", "measure", "expected", "customers"), [
    ("vector_db", "weekly_yoy", 1.25, 2),                  # mean(4, 4, 5, 5) = 4.5 / mean(2, 2, 2, 2) - 1
    ("vector_db", "growth_since_preview_week", 0.5, 3),    # 4.5 / 3 - 1
    ("saas_llm", "weekly_yoy", 0.625, 2),                  # mean(3, 3, 4, 3) = 3.25 / 2 - 1
    ("saas_llm", "growth_since_preview_week", 0.625, 2),   # 3.25 / 2 (c01, c05 in 2023-12-04) - 1
])
def test_f6_growth_highlights(marts, category, measure, expected, customers):
    row = one(marts["figure_highlights"], figure_id="F6", measure=measure, subject=category)
    assert_published(row)
    assert row.value == pytest.approx(expected)
    assert row.customers == customers


def test_f6_growth_without_a_full_year_of_published_weeks_is_suppressed(marts):
    highlights = marts["figure_highlights"]
    # transformer_training has one week and no base week; llm_tools' base week 2023-03-06 is suppressed
    for category in ("transformer_training", "llm_tools"):
        assert_suppressed(one(highlights, figure_id="F6", measure="weekly_yoy", subject=category), "value", "customers")


def test_k6_vector_db_weekly_yoy(marts):
    row = one(marts["key_findings"], finding_id="K6", measure="vector_db_weekly_yoy")
    assert row.value == pytest.approx(1.25)            # 4.5 / 2 - 1, as F6
    assert row.customers == 2


# --- K4 ---------------------------------------------------------------------------------------

def test_k4_genai_customers_using_tools_or_vector_dbs(marts):
    row = one(marts["key_findings"], finding_id="K4", measure="tools_or_vector_db_share")
    # GenAI customers in the window: c01..c09 (c07 and c08 only through the fm API / openai);
    # with LLM tools or vector DBs: c01 c02 c03 c04 c05 c06 (langchain 2023-09-05) c09 (2024-03-31T22:00Z).
    # c06's vector search (2024-04-01 UTC) is after the window.
    assert row.value == pytest.approx(7 / 9)
    assert (row.numerator, row.denominator) == (7, 9)
    assert row.customers == 2                          # fewer of 7 with and 2 without (c07, c08)
