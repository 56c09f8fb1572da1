"""The same telemetry gives the same marts on both embedded engines.

The known answers are checked on Sail, after a first delivery and an incremental run for the late
one. Here the JVM engine (the product's default) builds the scenario in one run, both deliveries
landed, and every mart must be identical: the same marts on either engine, and the incremental
path's marts equal to a build of everything at once.

The build runs dbt's data tests too: they must pass on the JVM engine as on Sail. This is the
suite's one build of every model with its tests on the embedded JVM engine (the stage's behaviour
is tested on Sail in tests/integration/test_transform.py; a cluster builds them in
tests/object_store/test_pipeline_on_cluster.py).
"""

from __future__ import annotations

import pandas as pd
import pytest

from sodai import pipeline
from tests.conftest import settings_for
from tests.known_answers import scenario
from tests.known_answers.conftest import ENGINE, MARTS, _read_marts

pytestmark = pytest.mark.integration

OTHER_ENGINE = "spark" if ENGINE == "sail" else "sail"


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
    scenario.write_first_delivery(landing)
    scenario.write_late_delivery(landing)
    pipeline.ingest(settings, spark)
    pipeline.refine(settings, spark)
    report = pipeline.transform(settings, spark, handle.url)
    assert report.ok and report.built and report.tests["pass"] > 0, report.failures
    return _read_marts(settings.lakehouse)


@pytest.mark.parametrize("mart", MARTS)
def test_marts_are_identical_on_both_engines(mart, marts, other_engine_marts):
    default, other = _sorted(marts[mart]), _sorted(other_engine_marts[mart])
    assert list(default.columns) == list(other.columns)
    pd.testing.assert_frame_equal(default, other, check_dtype=False, check_exact=False, rtol=1e-9, obj=mart)
