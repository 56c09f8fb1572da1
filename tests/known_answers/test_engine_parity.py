"""The same telemetry gives the same marts on both embedded engines.

The known answers are checked on the default engine; here the scenario (both deliveries, so the
incremental path too) runs again on the other engine, dbt's data tests included (they must pass on
the scenario), and every mart must be identical.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sodai import pipeline
from tests.conftest import DEFAULT_ENGINE, settings_for
from tests.known_answers import scenario
from tests.known_answers.conftest import MARTS, _read_marts

pytestmark = pytest.mark.integration

OTHER_ENGINE = "sail" if DEFAULT_ENGINE == "spark" else "spark"


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), na_position="last").reset_index(drop=True)


@pytest.fixture(scope="module")
def other_engine_marts(engines, tmp_path_factory) -> dict[str, pd.DataFrame]:
    root = tmp_path_factory.mktemp("known_answers_other_engine")
    landing = root / "landing"
    settings = settings_for(root, OTHER_ENGINE).with_overrides(
        paths={"landing": str(landing)},
        report={"suppression_min_customers": scenario.SUPPRESSION_MIN_CUSTOMERS},
    )
    handle = engines.handle(OTHER_ENGINE)
    spark = handle.session()
    for deliver in (scenario.write_first_delivery, scenario.write_late_delivery):
        deliver(landing)
        pipeline.ingest(settings, spark)
        pipeline.refine(settings, spark)
        pipeline.transform(settings, spark, handle.url)
    return _read_marts(settings.lakehouse)


@pytest.mark.parametrize("mart", MARTS)
def test_marts_are_identical_on_both_engines(mart, marts, other_engine_marts):
    default, other = _sorted(marts[mart]), _sorted(other_engine_marts[mart])
    assert list(default.columns) == list(other.columns)
    pd.testing.assert_frame_equal(default, other, check_dtype=False, check_exact=False, rtol=1e-9, obj=mart)
