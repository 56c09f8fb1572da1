"""Known answers: experiment vs registered models (F1, F2, K1, K2)."""

from __future__ import annotations

import pytest

from tests.known_answers.lookup import assert_published, assert_suppressed, one, rows

pytestmark = pytest.mark.integration

F1_VALUES = ("experiment_models", "registered_models", "experiment_to_registered_ratio", "experimenting_customers",
             "registering_customers", "experiment_models_per_customer", "registered_models_per_customer")
F2_VALUES = ("experiment_models", "registered_models", "experiment_to_registered_ratio", "experimenting_customers",
             "registering_customers")


# --- F1 ---------------------------------------------------------------------------------------

def test_f1_has_a_row_for_each_window_month_with_mlflow_activity_only(marts):
    # 2023-01 (c01 on 2023-01-31, c03 at 2023-02-01T05:00+09:00 = 2023-01-31 UTC) is before the window
    assert sorted(marts["fig01_models_over_time"].activity_month) == [
        "2023-02-01", "2023-03-01", "2023-06-01", "2024-02-01", "2024-03-01"]


def test_f1_first_month_counts_distinct_models_and_companies(marts):
    row = one(marts["fig01_models_over_time"], activity_month="2023-02-01")
    assert_published(row)
    assert row.experiment_models == 8        # c01 3 (m-c01-feb-1 logged in two runs, once) + c02 1 + c03 2 + c04 2
    # c01 fraud v1, c02 risk v1, c03 churn v1 + v2 (2023-03-01T07:00+09:00 = 2023-02-28 UTC), c04 basket v1
    assert row.registered_models == 5        # 1 + 1 + 2 + 1
    assert row.experiment_to_registered_ratio == pytest.approx(1.6)    # 8 / 5
    assert row.experimenting_customers == 4  # c01, c02, c03, c04
    assert row.registering_customers == 4    # the same four
    assert row.experiment_models_per_customer == pytest.approx(2.0)    # 8 / 4
    assert row.registered_models_per_customer == pytest.approx(1.25)   # 5 / 4


def test_f1_yoy_base_month_excludes_the_registration_made_on_its_first_local_morning(marts):
    row = one(marts["fig01_models_over_time"], activity_month="2023-03-01")
    assert_published(row)
    assert row.experiment_models == 4        # c01 2 + c03 2
    assert row.registered_models == 2        # c01 fraud v2 + c03 churn v3 (churn v2 is 2023-02-28 in UTC)
    assert row.experiment_to_registered_ratio == pytest.approx(2.0)    # 4 / 2
    assert row.experimenting_customers == 2  # c01, c03
    assert row.registering_customers == 2    # c01, c03


def test_f1_current_month_counts_a_version_registered_twice_once(marts):
    row = one(marts["fig01_models_over_time"], activity_month="2024-03-01")
    assert_published(row)
    assert row.experiment_models == 8        # c01 2 + c02 1 + c03 1 + c04 1 + c05 1 + c07 2
    # c01 fraud v4 (registered twice, counted once) + aml v1, c02 risk v3 + v4, c03 churn v5, c04 basket v3,
    # c05 trial v1 (2024-04-01T08:30+09:00 = 2024-03-31 UTC), c07 plant v1 (late file)
    assert row.registered_models == 8        # 2 + 2 + 1 + 1 + 1 + 1
    assert row.experiment_to_registered_ratio == pytest.approx(1.0)    # 8 / 8
    assert row.experimenting_customers == 6  # c01, c02, c03, c04, c05, c07
    assert row.registering_customers == 6    # c01, c02, c03, c04, c05, c07
    assert row.experiment_models_per_customer == pytest.approx(8 / 6)  # 8 models / 6 companies
    assert row.registered_models_per_customer == pytest.approx(8 / 6)  # 8 models / 6 companies


def test_f1_month_with_a_single_company_is_suppressed(marts):
    # 2023-06: only c01 (1 model logged, fraud-shadow v1 registered) < 2 customers
    assert_suppressed(one(marts["fig01_models_over_time"], activity_month="2023-06-01"), *F1_VALUES)


@pytest.mark.parametrize(("measure", "expected"), [
    ("experiment_models_yoy", 1.0),                    # 8 / 4 - 1
    ("registered_models_yoy", 3.0),                    # 8 / 2 - 1
    ("experimenting_customers_yoy", 2.0),              # 6 / 2 - 1
    ("registering_customers_yoy", 2.0),                # 6 / 2 - 1
    ("experiment_models_per_customer_yoy", -1 / 3),    # (8 / 6) / (4 / 2) - 1
    ("registered_models_per_customer_yoy", 1 / 3),     # (8 / 6) / (2 / 2) - 1
])
def test_f1_yoy_highlights(marts, measure, expected):
    row = one(marts["figure_highlights"], figure_id="F1", measure=measure)
    assert_published(row)
    assert row.value == pytest.approx(expected)
    assert row.customers == 2                          # fewest registering companies of the two months (2023-03)


# --- K1, K2 -----------------------------------------------------------------------------------

def test_k1_registered_models_multiple_and_growth(marts):
    findings = marts["key_findings"]
    multiple = one(findings, finding_id="K1", measure="registered_models_multiple")
    assert bool(multiple.is_headline)
    assert multiple.value == pytest.approx(4.0)        # 8 registered in 2024-03 / 2 in 2023-03
    assert (multiple.numerator, multiple.denominator) == (8, 2)
    assert multiple.customers == 2                     # registering companies in 2023-03
    growth = one(findings, finding_id="K1", measure="registered_models_yoy")
    assert growth.value == pytest.approx(3.0)          # 8 / 2 - 1


def test_k2_ratio_in_first_and_last_month_and_their_quotient(marts):
    findings = marts["key_findings"]
    assert one(findings, finding_id="K2", measure="ratio_first_month").value == pytest.approx(1.6)  # 2023-02: 8 / 5
    assert one(findings, finding_id="K2", measure="ratio_last_month").value == pytest.approx(1.0)   # 2024-03: 8 / 8
    efficiency = one(findings, finding_id="K2", measure="efficiency_multiple")
    assert bool(efficiency.is_headline)
    assert efficiency.value == pytest.approx(1.6)      # 1.6 / 1.0
    assert efficiency.customers == 4                   # fewest registering companies: 4 in 2023-02 (6 in 2024-03)


# --- F2 ---------------------------------------------------------------------------------------

def test_f2_first_month_by_industry(marts):
    fig02 = marts["fig02_model_ratio_by_industry"]
    assert sorted(rows(fig02, activity_month="2023-02-01").industry_key) == ["fs", "retail"]
    fs = one(fig02, activity_month="2023-02-01", industry_key="fs")
    assert (fs.experiment_models, fs.registered_models) == (4, 2)   # c01 3 + c02 1; c01 fraud v1 + c02 risk v1
    assert fs.experiment_to_registered_ratio == pytest.approx(2.0)  # 4 / 2
    assert (fs.experimenting_customers, fs.registering_customers) == (2, 2)
    retail = one(fig02, activity_month="2023-02-01", industry_key="retail")
    assert (retail.experiment_models, retail.registered_models) == (4, 3)  # c03 2 + c04 2; c03 2 + c04 1
    assert retail.experiment_to_registered_ratio == pytest.approx(4 / 3)


def test_f2_last_month_uses_the_newest_snapshot_and_suppresses_single_customer_industries(marts):
    fig02 = marts["fig02_model_ratio_by_industry"]
    # c07 is Manufacturing in the newest snapshot (Financial Services in the older one)
    assert sorted(rows(fig02, activity_month="2024-03-01").industry_key) == ["fs", "hls", "mfg", "retail"]
    fs = one(fig02, activity_month="2024-03-01", industry_key="fs")
    assert_published(fs)
    assert (fs.experiment_models, fs.registered_models) == (3, 4)   # c01 2 + c02 1; c01 2 + c02 2
    assert fs.experiment_to_registered_ratio == pytest.approx(0.75)  # 3 / 4
    retail = one(fig02, activity_month="2024-03-01", industry_key="retail")
    assert (retail.experiment_models, retail.registered_models) == (2, 2)  # c03 1 + c04 1 each
    assert retail.experiment_to_registered_ratio == pytest.approx(1.0)
    assert_suppressed(one(fig02, activity_month="2024-03-01", industry_key="hls"), *F2_VALUES)  # c05 alone
    assert_suppressed(one(fig02, activity_month="2024-03-01", industry_key="mfg"), *F2_VALUES)  # c07 alone


def test_f2_recent_span_ratio_and_rank(marts):
    highlights = rows(marts["figure_highlights"], figure_id="F2")
    fs = one(highlights, measure="ratio_recent_span", industry_key="fs")
    assert fs.value == pytest.approx(7 / 6)            # (2024-02: 4 + 2024-03: 3) / (2 + 4)
    assert fs.customers == 2
    retail = one(highlights, measure="ratio_recent_span", industry_key="retail")
    assert retail.value == pytest.approx(1.0)          # (2 + 2) / (2 + 2)
    assert one(highlights, measure="ratio_recent_span_rank", industry_key="retail").value == 1  # lowest ratio
    assert one(highlights, measure="ratio_recent_span_rank", industry_key="fs").value == 2
    for industry in ("hls", "mfg"):                    # their 2024-03 cell is suppressed
        assert_suppressed(one(highlights, measure="ratio_recent_span", industry_key=industry), "value", "customers")


def test_f2_ratio_in_first_and_last_month_by_industry(marts):
    highlights = rows(marts["figure_highlights"], figure_id="F2")
    assert one(highlights, measure="ratio_first_month", industry_key="fs").value == pytest.approx(2.0)      # 4 / 2
    assert one(highlights, measure="ratio_first_month", industry_key="retail").value == pytest.approx(4 / 3)  # 4 / 3
    assert one(highlights, measure="ratio_last_month", industry_key="fs").value == pytest.approx(0.75)     # 3 / 4
    assert one(highlights, measure="ratio_last_month", industry_key="retail").value == pytest.approx(1.0)  # 2 / 2
    assert_suppressed(one(highlights, measure="ratio_last_month", industry_key="hls"), "value", "customers")
