"""Rolling-origin backtests on series whose best method is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from sodai.forecast.backtest import SeriesTooShort, backtest, compare, mape, origins, winner
from sodai.forecast.model import CANDIDATES, NotApplicable, fit, future_periods

ALL = list(CANDIDATES)


def test_mape_by_hand():
    assert mape([10, 20], [12, 15]) == pytest.approx((2 / 10 + 5 / 20) / 2 * 100)
    with pytest.raises(ValueError, match="zero"):
        mape([0, 1], [1, 1])


def test_origins_end_where_the_last_fold_is_scored_in_full():
    assert origins(20, horizon=2, folds=3, min_train=5) == (16, 17, 18)
    assert origins(9, horizon=3, folds=3, min_train=5) == (5, 6)  # the first would train on 4
    with pytest.raises(SeriesTooShort):
        origins(8, horizon=3, folds=3, min_train=6)


def test_a_straight_line_is_won_by_drift_and_naive_scores_as_computed_by_hand():
    y = 10.0 + 2.0 * np.arange(20)  # 10, 12, ..., 48
    scored, skipped = compare(y, ALL, horizon=2, folds=2, min_train=5, season_length=4)
    assert winner(scored).method == "drift"
    assert scored["drift"].mape == 0.0
    # naive from origin 17 (last seen 42) and 18 (last seen 44) against 44, 46 and 46, 48
    by_hand = np.mean([2 / 44, 4 / 46, 2 / 46, 4 / 48]) * 100
    assert scored["naive"].origins == (17, 18)
    assert scored["naive"].mape == pytest.approx(by_hand)
    assert scored["naive"].errors.shape == (2, 2)
    assert all(result.mape > 0 for method, result in scored.items() if method != "drift")


def test_a_repeating_season_is_won_by_seasonal_naive():
    y = np.tile([10.0, 30.0, 20.0, 40.0], 6)
    scored, _ = compare(y, ALL, horizon=4, folds=3, min_train=8, season_length=4)
    assert winner(scored).method == "seasonal_naive"
    assert scored["seasonal_naive"].mape == 0.0
    assert scored["naive"].mape > 10


def test_a_method_that_cannot_fit_is_left_out_with_its_reason():
    y = np.arange(1.0, 11.0)
    scored, skipped = compare(y, ["naive", "seasonal_naive"], horizon=2, folds=2, min_train=5, season_length=12)
    assert list(scored) == ["naive"]
    assert "season" in skipped["seasonal_naive"]
    with pytest.raises(NotApplicable):
        winner({})


def test_zeros_are_refused_rather_than_scored():
    with pytest.raises(ValueError, match="zeros"):
        backtest("naive", np.array([3.0, 0.0, 4.0, 5.0, 6.0, 7.0, 8.0]), horizon=1, folds=1, min_train=3,
                 season_length=2)


@pytest.mark.parametrize("method", ALL)
def test_every_candidate_forecasts_inside_its_interval(method):
    rng = np.random.default_rng(3)
    y = 50 + np.arange(30) + rng.normal(0, 2, 30) + np.tile([0, 3, -3], 10)
    result = fit(method, y, season_length=3)(6, 0.8)
    assert result.mean.shape == (6,)
    assert np.all(result.lower < result.mean) and np.all(result.mean < result.upper)
    wider = fit(method, y, season_length=3)(6, 0.95)
    assert np.all(wider.upper - wider.lower > result.upper - result.lower)


def test_future_periods_follow_the_frequency():
    import pandas as pd

    assert list(future_periods(pd.Timestamp("2024-03-01"), "month", 2)) == [pd.Timestamp("2024-04-01"),
                                                                            pd.Timestamp("2024-05-01")]
    assert list(future_periods(pd.Timestamp("2024-04-29"), "week", 1)) == [pd.Timestamp("2024-05-06")]
