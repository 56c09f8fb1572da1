"""The scaling benchmark's table: what docs/benchmarks.md shows is computed from the measured rows."""

from benchmarks.scale import COLUMNS, markdown


def _row(lines: int, engine: str, wall: float, stages: dict, store: str = "local") -> dict:
    millions = lines / 1e6
    return {"customers": 10, "events": lines - 5, "lines": lines, "engine": engine, "store": store, "wall_s": wall,
            "stages_s": stages, "peak_rss_mb": 2048.0, "seconds_per_million": wall / millions,
            "core_seconds_per_million": 2 * wall / millions, "usd_per_million": wall / 3600 * 0.1 / millions}


def test_the_table_sums_stages_and_lists_failed_runs():
    results = {
        "measured_at": "2026-01-01T00:00:00+00:00", "machine": {"cpus": 2, "python": "3.11.7"}, "usd_per_hour": 0.1,
        "rows": [
            _row(2_000_000, "sail", 60.0, {"ingest": 10.0, "refine": 5.0, "gate_bronze": 1.0, "gate_silver": 2.0,
                                           "gate_gold": 3.0, "transform": 20.0, "publish": 1.0}),
            _row(2_000_000, "sail", 90.0, {"ingest": 20.0, "transform": 30.0}, store="s3"),
            _row(2_000_000, "spark", 200.0, {"transform": 100.0}),
            _row(2_000_000, "cluster", 300.0, {"transform": 150.0}, store="s3"),
            {"customers": 10, "events": 9_000_000, "engine": "spark", "error": "workload failed with exit code 1"},
        ],
    }
    lines = markdown(results).splitlines()
    assert lines[0] == f"| {' | '.join(COLUMNS)} |"
    assert lines[2] == "| 2,000,000 | sail | local |  | 60 | 15 | 6 | 20 | 30 | 60 | 0.0008 | 2,048 |"
    # a store row's overhead is over the local row of its engine family (the cluster's: the JVM engine's)
    assert lines[3].startswith("| 2,000,000 | sail | s3 | 1.50 | 90 | 20 | 0 | 30 | 45 |")
    assert lines[5].startswith("| 2,000,000 | cluster | s3 | 1.50 | 300 | 0 | 0 | 150 |")
    assert lines[6] == "| 9,000,000 events | spark | local | failed: workload failed with exit code 1 |"
    assert "on 2 cores" in lines[-1] and "$0.1/hour" in lines[-1]
