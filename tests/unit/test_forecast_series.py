"""Series extraction from mart rows: suppressed (null) cells are dropped or skip the series, never zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sodai.forecast import registry
from sodai.forecast.series import SERIES, extract, published_tail, specs

MONTHS = pd.date_range("2023-01-01", periods=8, freq="MS")


def _f01(values) -> pd.DataFrame:
    return pd.DataFrame({"activity_month": MONTHS.date, "registered_models": values,
                         "is_suppressed": [v is None for v in values]})


def test_published_series_is_taken_whole():
    found, skipped = extract(specs(["registered_models"])[0], _f01([5, 6, 7, 8, 9, 10, 11, 12]), "marts.x@3")
    assert not skipped and len(found) == 1
    series = found[0]
    assert series.name == "registered_models" and series.group is None and series.dropped == 0
    assert list(series.values) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert series.periods[0] == pd.Timestamp("2023-01-01") and series.source == "marts.x@3"


def test_a_suppressed_cell_cuts_the_series_and_is_never_read_as_zero():
    found, _ = extract(specs(["registered_models"])[0], _f01([5, None, 7, 8, None, 10, 11, 12]), "m")
    series = found[0]
    assert series.dropped == 5
    assert list(series.values) == [10, 11, 12]
    assert list(series.periods) == list(MONTHS[5:])
    assert not np.any(series.values == 0)


def test_a_suppressed_latest_period_skips_the_series():
    found, skipped = extract(specs(["registered_models"])[0], _f01([5, 6, 7, 8, 9, 10, 11, None]), "m")
    assert not found
    assert skipped[0].name == "registered_models" and "suppressed" in skipped[0].reason


def test_a_period_missing_from_the_mart_is_a_hole_too():
    frame = _f01([5, 6, 7, 8, 9, 10, 11, 12]).drop(index=[2])
    tail, dropped = published_tail(frame, "activity_month", "registered_models", "month")
    assert dropped == 3 and list(tail) == [8, 9, 10, 11, 12]


def test_off_grid_periods_are_an_error():
    frame = pd.DataFrame({"activity_week": pd.to_datetime(["2024-01-01", "2024-01-09"]), "customers": [20, 21]})
    with pytest.raises(ValueError, match="grid"):
        published_tail(frame, "activity_week", "customers", "week")


def test_grouped_spec_gives_one_series_per_industry_and_filters_rows():
    spec = specs(["serverless_customers"])[0]
    rows = []
    for key, label, values in (("fs", "Financial Services", [11, 12, 13]), ("all", "All industries", [30, 31, 32])):
        for month, value in zip(MONTHS[:3], values):
            rows.append({"activity_month": month.date(), "serverless_product": "any", "industry": label,
                         "industry_key": key, "customers": value})
            rows.append({"activity_month": month.date(), "serverless_product": "jobs", "industry": label,
                         "industry_key": key, "customers": None})
    found, skipped = extract(spec, pd.DataFrame(rows), "m")
    assert not skipped
    assert {(s.name, s.group) for s in found} == {("serverless_customers_all", "All industries"),
                                                  ("serverless_customers_fs", "Financial Services")}
    assert list(next(s for s in found if s.group == "Financial Services").values) == [11, 12, 13]


def test_unknown_series_names_are_refused():
    assert [s.name for s in specs(None)] == [s.name for s in SERIES]
    with pytest.raises(ValueError, match="unknown forecast series"):
        specs(["nope"])


def test_registry_registers_only_what_beats_the_champion_on_the_same_data():
    from mlflow.entities.model_registry import ModelVersion, ModelVersionTag

    digest = registry.backtest_digest(MONTHS, np.arange(8.0), horizon=3)
    assert digest == registry.backtest_digest(MONTHS, np.arange(8.0), horizon=3)
    assert digest != registry.backtest_digest(MONTHS, np.arange(8.0) + 1, horizon=3)
    assert digest != registry.backtest_digest(MONTHS, np.arange(8.0), horizon=2)
    tags = [ModelVersionTag(registry.SCORE_TAG, repr(12.5)), ModelVersionTag(registry.DIGEST_TAG, digest)]
    champion = ModelVersion("sodai-x", "2", 0, tags=tags)
    assert registry.decide(None, digest, 50.0).register
    assert not registry.decide(champion, digest, 12.5).register  # as good is not better
    assert registry.decide(champion, digest, 12.4).register
    assert registry.decide(champion, "other-data", 99.0).register
