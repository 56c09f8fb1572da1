"""The measured workloads, each run in its own process by benchmarks.measure.

    python -m benchmarks.workload pipeline <engine> <landing> <lakehouse>
    python -m benchmarks.workload copy <engine> <landing> <out_dir>
    python -m benchmarks.workload duckdb <landing> <out_dir>
    python -m benchmarks.workload whole <engine> <landing> <lakehouse> <output> [<day>]

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


def engine_copy(engine: str, landing: Path, out_dir: Path) -> dict:
    """The engine's floor for the pipeline's input: the landing event files read with the
    pipeline's own reader, as it reads on this engine (whole files, split into numbered lines; one
    scan per file or one scan of all, `ingest.read_files`) and written to one Delta
    table, with no parsing, validation or deduplication. The pipeline cannot be faster than this
    on the same engine; the gap between the two is the pipeline's own work."""
    from jobs.ingest.landing import list_landing, read_lines
    from sodai.config import load_settings
    from sodai.engine import engine_session

    settings = load_settings().with_overrides(engine={"kind": engine})
    files = [f for f in list_landing(landing)[0] if f.kind == "events"]
    started = time.perf_counter()
    with engine_session(settings) as (_, spark):
        ready = time.perf_counter()
        # the way the pipeline reads these files on this engine
        one_scan = settings.ingest.one_scan(engine, sum(f.size for f in files) / max(len(files), 1))
        read_lines(spark, landing, files, one_scan).write.format("delta").save(str(out_dir / "lines"))
        done = time.perf_counter()
        lines = spark.read.format("delta").load(str(out_dir / "lines")).count()
    return {"startup_s": ready - started, "work_s": done - ready, "lines": lines}


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


def whole_pipeline(engine: str, landing: str, lakehouse: str, output: Path, day: str | None = None) -> dict:
    """`sodai run [--date day]` as a user runs it (every stage, engine start-up included), timed
    per stage from the run history it writes (this run's rows: the lakehouse may hold earlier runs).

    Landing and lakehouse are local paths or object-store URIs; the store's settings
    (SODAI__OBJECT_STORE__*) and its credentials come from the environment, as does the endpoint
    of engine `remote` (SPARK_REMOTE)."""
    import os
    import subprocess

    from sodai.config import load_settings
    from sodai.history import read_history

    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAI") or k.startswith("SODAI__OBJECT_STORE__")}
    env.update(SODAI__PATHS__LANDING=landing, SODAI__PATHS__LAKEHOUSE=lakehouse, SODAI__PATHS__OUTPUT=str(output))
    if engine != "remote":
        env["SODAI__ENGINE__KIND"] = engine
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "orchestration.cli", "run", *(["--date", day] if day else [])], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"sodai run failed with exit code {done.returncode}")
    history = read_history(load_settings(environ=env).lakehouse, limit_runs=1)
    stages = {r.stage: r.duration_s for r in history.itertuples()}
    lines = int(history.set_index("stage").loc["ingest", "rows"])
    return {"startup_s": wall - sum(stages.values()), "work_s": wall, "lines": lines, "stages_s": stages}


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    if kind == "pipeline":
        result = pipeline(args[0], Path(args[1]), Path(args[2]))
    elif kind == "whole":
        result = whole_pipeline(args[0], args[1], args[2], Path(args[3]), *args[4:5])
    elif kind == "copy":
        result = engine_copy(args[0], Path(args[1]), Path(args[2]))
    elif kind == "duckdb":
        result = duckdb_convert(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"unknown workload {kind}")
    print(json.dumps(result))
