"""Incremental gold equals a full rebuild: day-by-day delivery, late files and all.

The incremental intermediate models recompute only the days (or months) that received silver rows
since their last build (docs/report.md). If that bookkeeping missed a period, the marts after a
second, incremental run would differ from a rebuild from scratch of the same silver.
Runs on Sail: the question is the models' bookkeeping, which is the same SQL on every engine.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from deltalake import DeltaTable

from sodai import pipeline
from tests.conftest import settings_for
from tests.integration.conftest import generate_small

pytestmark = pytest.mark.integration

FIRST_DELIVERY_UNTIL = date(2024, 3, 20)
INCREMENTAL_MODELS = (
    "int_mlflow_customer_months", "int_notebook_library_months", "int_tool_use_days",
    "int_vector_search_days", "int_fm_api_days", "int_usage_days",
)


def _gold(lakehouse: Path) -> dict[str, pd.DataFrame]:
    """Every mart and incremental model, sorted, without build bookkeeping."""
    tables = {f"marts/{p.name}": p for p in sorted((lakehouse / "gold" / "marts").iterdir())}
    tables |= {f"intermediate/{name}": lakehouse / "gold" / "intermediate" / name for name in INCREMENTAL_MODELS}
    frames = {}
    for name, path in tables.items():
        frame = DeltaTable(str(path)).to_pandas().drop(columns=["refined_through"], errors="ignore")
        frames[name] = frame.sort_values(list(frame.columns), na_position="last").reset_index(drop=True)
    return frames


def _run(settings, handle, full_refresh: bool = False):
    spark = handle.session()
    pipeline.ingest(settings, spark)
    pipeline.refine(settings, spark)
    return pipeline.transform(settings, spark, handle.url, full_refresh=full_refresh)


def test_incremental_run_equals_full_rebuild(tmp_path, engines):
    landing = tmp_path / "landing"
    # k = 2: small cells publish, so the comparison sees numbers rather than suppressed nulls
    settings = settings_for(tmp_path, "sail").with_overrides(
        paths={"landing": str(landing)}, report={"suppression_min_customers": 2},
    )
    handle = engines.handle("sail")

    generate_small(landing, until=FIRST_DELIVERY_UNTIL)
    _run(settings, handle)
    first = _gold(settings.lakehouse)

    summary = generate_small(landing)  # the remaining days, and late files for old days
    assert summary.late > 0, "the second delivery must carry late events for the test to mean anything"
    second_report = _run(settings, handle)
    incremental = _gold(settings.lakehouse)
    assert incremental["intermediate/int_tool_use_days"].shape[0] > first["intermediate/int_tool_use_days"].shape[0]
    merged = {n.name for n in second_report.built}
    assert set(INCREMENTAL_MODELS) <= merged

    _run(settings, handle, full_refresh=True)
    rebuilt = _gold(settings.lakehouse)

    assert incremental.keys() == rebuilt.keys()
    for name in rebuilt:
        pd.testing.assert_frame_equal(incremental[name], rebuilt[name], check_exact=False, rtol=1e-9, obj=name)
