"""The known-answer scenario run through the whole pipeline once per test session, on Sail.

First delivery: ingest, refine, dbt build (its data tests included: they must pass on the
scenario), publish. Then the late delivery (new files in old date= folders) and a second,
incremental run. Tests read the gold marts, or the report, after either run.

On Sail, because each run takes seconds there: on the JVM engine a build is statement latency
(a few hundred statements at a fraction of a second each), minutes per run. The JVM engine builds
the same scenario once in test_engine_parity, and every mart must equal these.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from jobs.ingest.job import IngestReport
from sodai import pipeline
from tests.conftest import settings_for
from tests.known_answers import scenario

ENGINE = "sail"

MARTS = (
    "fig01_models_over_time",
    "fig02_model_ratio_by_industry",
    "fig03_application_share_by_industry",
    "fig04_application_growth_by_industry",
    "fig05_top_products",
    "fig06_llm_library_usage_weekly",
    "fig07_open_model_usage_weekly",
    "fig08_fm_usage_by_industry",
    "fig09_serving_by_industry",
    "fig10_uc_adoption_by_industry",
    "fig11_serverless_adoption_by_industry",
    "figure_highlights",
    "key_findings",
    "vector_search_products_weekly",
    "vector_search_embeddings",
    "unclassified_libraries",
)


@dataclass
class Runs:
    first: dict[str, pd.DataFrame]  # marts after the first delivery
    final: dict[str, pd.DataFrame]  # marts after the late delivery and the incremental run
    ingests: list[IngestReport]  # both runs' ingest: reconciliation, quarantine by rule
    reports: list[dict]  # both runs' report.json


def _read_marts(lakehouse: Path) -> dict[str, pd.DataFrame]:
    """Every mart as a pandas frame, dates as ISO strings (so tests compare plain literals)."""
    from deltalake import DeltaTable

    frames = {}
    for mart in MARTS:
        frame = DeltaTable(str(lakehouse / "gold" / "marts" / mart)).to_pandas()
        for column in frame.columns:
            values = frame[column].dropna()
            if len(values) and isinstance(values.iloc[0], (dt.date, pd.Timestamp)):
                frame[column] = frame[column].map(lambda v: None if pd.isna(v) else pd.Timestamp(v).date().isoformat())
        frames[mart] = frame
    return frames


@pytest.fixture(scope="session")
def runs(engines, tmp_path_factory) -> Runs:
    root = tmp_path_factory.mktemp("known_answers")
    landing = root / "landing"
    scenario.write_first_delivery(landing)
    settings = settings_for(root, ENGINE).with_overrides(
        paths={"landing": str(landing)},
        report={"suppression_min_customers": scenario.SUPPRESSION_MIN_CUSTOMERS},
    )
    handle = engines.handle(ENGINE)
    spark = handle.session()

    ingests: list[IngestReport] = []
    reports: list[dict] = []

    def run() -> None:
        ingests.append(pipeline.ingest(settings, spark))
        pipeline.refine(settings, spark)
        report = pipeline.transform(settings, spark, handle.url)
        assert report.built and report.tests, "the build built nothing or ran no dbt test"
        published = pipeline.publish(settings, pipeline_run_id=f"known-answers-{len(ingests)}")
        reports.append(json.loads(published.read_text()))

    run()
    first = _read_marts(settings.lakehouse)
    scenario.write_late_delivery(landing)
    run()
    return Runs(first=first, final=_read_marts(settings.lakehouse), ingests=ingests, reports=reports)


@pytest.fixture(scope="session")
def marts(runs) -> dict[str, pd.DataFrame]:
    """The marts after both deliveries: what every known answer is about."""
    return runs.final
