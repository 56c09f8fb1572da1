"""Incremental gold equals a full rebuild: day-by-day delivery, late files and all.

The incremental intermediate models recompute only the days (or months) that received silver rows
since their last build (docs/report.md), and a build leaves the marts whose event span no new row
falls in (sodai/mart_scope.py). If either bookkeeping missed a period, or a mart's declared span
were narrower than what its SQL reads, gold after an incremental run would differ from a rebuild
from scratch of the same silver.
Runs on Sail: the question is the models' bookkeeping, which is the same SQL on every engine.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from deltalake import DeltaTable

from sodai import pipeline
from tests.conftest import settings_for
from tests.integration.conftest import generate_small

pytestmark = pytest.mark.integration

# Deliveries by date folder (a late file sits in the folder of the day it belongs to): first the
# days up to FIRST_DELIVERY_UNTIL but one file of a March day, then the days after (past the report
# window and quarter, within the foundation-model period), then that March file, late.
FIRST_DELIVERY_UNTIL = date(2024, 4, 20)
HELD_BACK_DAY = date(2024, 3, 12)
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


def _deliver(source: Path, landing: Path, folders: list[Path], skip: Path | None = None) -> None:
    """Copy these date folders of `source` into `landing` (but `skip`)."""
    for folder in folders:
        target = landing / folder.relative_to(source)
        target.mkdir(parents=True, exist_ok=True)
        for file in folder.iterdir():
            if file != skip:
                shutil.copy2(file, target / file.name)


def _day(folder: Path) -> date:
    return date.fromisoformat(folder.name.removeprefix("date="))


def _assert_equal_to_a_rebuild(settings, handle, incremental: dict[str, pd.DataFrame]) -> None:
    _run(settings, handle, full_refresh=True)
    rebuilt = _gold(settings.lakehouse)
    assert incremental.keys() == rebuilt.keys()
    for name in rebuilt:
        pd.testing.assert_frame_equal(incremental[name], rebuilt[name], check_exact=False, rtol=1e-9, obj=name)


def test_incremental_runs_equal_a_full_rebuild(tmp_path, engines):
    source, landing = tmp_path / "source", tmp_path / "landing"
    # k = 2: small cells publish, so the comparison sees numbers rather than suppressed nulls
    settings = settings_for(tmp_path, "sail").with_overrides(
        paths={"landing": str(landing)}, report={"suppression_min_customers": 2},
    )
    handle = engines.handle("sail")
    generate_small(source)
    shutil.copytree(source / "accounts", landing / "accounts")
    days = sorted((source / "events").glob("date=*"), key=_day)
    held_back = sorted((source / "events" / f"date={HELD_BACK_DAY}").iterdir())[0]

    _deliver(source, landing, [d for d in days if _day(d) <= FIRST_DELIVERY_UNTIL], skip=held_back)
    first = _run(settings, handle)
    assert first.marts.left == [] and first.marts.reason == "no earlier build recorded"
    first_gold = _gold(settings.lakehouse)

    # Days past the report window: the marts of the window are left, those of the period rebuilt
    _deliver(source, landing, [d for d in days if _day(d) > FIRST_DELIVERY_UNTIL])
    second = _run(settings, handle)
    assert min(second.marts.changed_dates) >= FIRST_DELIVERY_UNTIL
    assert {"fig01_models_over_time", "fig05_top_products", "fig08_fm_usage_by_industry"} <= set(second.marts.left)
    assert {"fig07_open_model_usage_weekly", "key_findings"} <= set(second.marts.rebuilt)
    built = {n.name for n in second.built}
    assert set(INCREMENTAL_MODELS) <= built and not built & set(second.marts.left)
    incremental = _gold(settings.lakehouse)
    assert incremental["intermediate/int_tool_use_days"].shape[0] > first_gold["intermediate/int_tool_use_days"].shape[0]
    for mart in second.marts.left:
        pd.testing.assert_frame_equal(incremental[f"marts/{mart}"], first_gold[f"marts/{mart}"], obj=mart)
    _assert_equal_to_a_rebuild(settings, handle, incremental)

    # A late file for a day of the window: those marts are rebuilt, the UC months' (to January) left
    shutil.copy2(held_back, landing / held_back.relative_to(source))
    third = _run(settings, handle)
    assert HELD_BACK_DAY in third.marts.changed_dates  # (and the day before: a file holds a few late events)
    assert min(third.marts.changed_dates) >= HELD_BACK_DAY - timedelta(days=1)
    assert "fig01_models_over_time" in third.marts.rebuilt and "fig10_uc_adoption_by_industry" in third.marts.left
    _assert_equal_to_a_rebuild(settings, handle, _gold(settings.lakehouse))
