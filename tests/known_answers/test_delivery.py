"""Known answers before and after the late delivery (scenario.write_late_delivery).

The second ingest run brings new files in old date= folders: c07's first registered model
(2024-03-05), c06's governance action (2024-01-10), and c01's duplicated GPU event once more
(2024-03-21). The incremental marts must change exactly as the new events say.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.known_answers.lookup import assert_published, assert_suppressed, one, rows

pytestmark = pytest.mark.integration


def _finding(marts, finding_id, measure):
    return one(marts["key_findings"], finding_id=finding_id, measure=measure).value


def test_late_registration_reaches_f1_and_k1_k2(runs):
    before = one(runs.first["fig01_models_over_time"], activity_month="2024-03-01")
    after = one(runs.final["fig01_models_over_time"], activity_month="2024-03-01")
    assert (before.registered_models, before.registering_customers) == (7, 5)  # without c07's plant v1
    assert (after.registered_models, after.registering_customers) == (8, 6)
    assert after.experiment_models == before.experiment_models == 8  # the month is recomputed from all its rows

    assert _finding(runs.first, "K1", "registered_models_multiple") == pytest.approx(3.5)  # 7 / 2
    assert _finding(runs.final, "K1", "registered_models_multiple") == pytest.approx(4.0)  # 8 / 2
    assert _finding(runs.first, "K2", "ratio_last_month") == pytest.approx(8 / 7)
    assert _finding(runs.final, "K2", "ratio_last_month") == pytest.approx(1.0)
    assert _finding(runs.first, "K2", "efficiency_multiple") == pytest.approx(1.4)         # 1.6 / (8 / 7)
    assert _finding(runs.final, "K2", "efficiency_multiple") == pytest.approx(1.6)         # 1.6 / 1.0


def test_late_governance_action_publishes_the_month(runs):
    before = rows(runs.first["fig10_uc_adoption_by_industry"], activity_month="2024-01-01")
    # before: FS c01 c02, HLS c05 alone -> HLS suppressed, and FS (2 < all's 3) as its complement
    assert one(before, industry_key="all").customers == 3
    assert_suppressed(one(before, industry_key="hls"), "customers", "industry_rank")
    assert_suppressed(one(before, industry_key="fs"), "customers", "industry_rank")
    after = rows(runs.final["fig10_uc_adoption_by_industry"], activity_month="2024-01-01")
    # after: c06 joins HLS on 2024-01-10
    assert {r.industry_key: r.customers for r in after.itertuples()} == {"fs": 2, "hls": 2, "all": 4}
    assert not after.is_suppressed.any()


def test_broken_copy_is_quarantined_and_the_valid_copies_are_one_event(runs):
    first, late = runs.ingests
    assert first.reconciled and late.reconciled
    # the broken copy before the GPU event's first valid line: its only rejected line
    assert first.quarantine_by_rule == {"wrong_type": 1}
    # the event's second line in its day's file and its line in the next day's file
    assert (first.total("duplicates"), late.total("duplicates")) == (2, 1)
    assert late.total("accepted") == 2 and not late.quarantine_by_rule


def test_duplicated_event_counts_once_in_both_runs(runs):
    for marts in (runs.first, runs.final):
        fs_gpu = one(marts["fig09_serving_by_industry"], compute_type="gpu", industry_key="fs")
        assert_published(fs_gpu)
        # c01 10 (the event delivered twice on 03-20, once on 03-21, once more in the second run) + 12, c02 25
        assert fs_gpu.current_month_usage_hours == pytest.approx(47.0)
        assert fs_gpu.usage_hours == pytest.approx(61.0)  # 8 + 6 + 47
        k10 = one(marts["key_findings"], finding_id="K10", measure="gpu_six_month_growth")
        assert k10.value == pytest.approx(0.88)             # 47 / 25 - 1


@pytest.mark.parametrize(("mart", "keys"), [
    ("fig03_application_share_by_industry", ["industry_key", "application_category"]),
    ("fig05_top_products", ["product"]),
    ("fig08_fm_usage_by_industry", ["industry_key"]),
    ("vector_search_embeddings", ["embedding_dimension", "embedding_modality"]),
])
def test_marts_without_late_events_are_unchanged_by_the_second_run(runs, mart, keys):
    first, final = (r[mart].sort_values(keys).reset_index(drop=True) for r in (runs.first, runs.final))
    pd.testing.assert_frame_equal(first, final)
