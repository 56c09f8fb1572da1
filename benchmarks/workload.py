"""The measured workloads, each run in its own process by benchmarks.measure.

    python -m benchmarks.workload pipeline <engine> <landing> <lakehouse>
    python -m benchmarks.workload duckdb <landing> <out_dir>

Each prints one JSON line: its own timing of the work (engine start-up excluded and reported
apart, since a long-lived deployment pays it once) and the number of events handled.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def pipeline(engine: str, landing: Path, lakehouse: Path) -> dict:
    from sodai import pipeline as stages
    from sodai.config import load_settings
    from sodai.engine import engine_session

    settings = load_settings().with_overrides(
        engine={"kind": engine},
        paths={"landing": str(landing), "lakehouse": str(lakehouse), "output": str(lakehouse.parent / "output")},
    )
    started = time.perf_counter()
    with engine_session(settings) as (_, spark):
        ready = time.perf_counter()
        ingest = stages.ingest(settings, spark)
        ingested = time.perf_counter()
        refine = stages.refine(settings, spark)
        done = time.perf_counter()
    return {
        "startup_s": ready - started,
        "ingest_s": ingested - ready,
        "refine_s": done - ingested,
        "work_s": done - ready,
        "lines": ingest.total("lines_read"),
        "accepted": ingest.total("accepted"),
        "quarantined": ingest.total("quarantined"),
        "silver_rows": sum(refine.inserted.values()),
        "reconciled": ingest.reconciled,
    }


def duckdb_convert(landing: Path, out_dir: Path) -> dict:
    import duckdb

    out_dir.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    started = time.perf_counter()
    connection.execute(
        f"COPY (SELECT * FROM read_ndjson('{landing}/events/*/*.json', ignore_errors = true)) "
        f"TO '{out_dir}/events.parquet' (FORMAT parquet)"
    )
    work = time.perf_counter() - started
    rows = connection.execute(f"SELECT count(*) FROM '{out_dir}/events.parquet'").fetchone()[0]
    return {"startup_s": 0.0, "work_s": work, "lines": rows}


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    if kind == "pipeline":
        result = pipeline(args[0], Path(args[1]), Path(args[2]))
    elif kind == "duckdb":
        result = duckdb_convert(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"unknown workload {kind}")
    print(json.dumps(result))
