"""`make bench`: ingest + refine throughput per engine against DuckDB's bare NDJSON -> Parquet.

    python -m benchmarks.throughput [--customers 1000 9000] [--engines sail spark]

For each size it generates telemetry once (cached under benchmarks/work/), then measures, each in
a fresh process: the pipeline's ingest + refine (validation, dedup, quarantine, pseudonyms, Delta
MERGE) on every engine, on the generated files (one a day) and on the same lines as 24 files a
day (hourly or per-shard producers); the same engines' floor (the same files read with the pipeline's reader
and written to Delta, no other work); and DuckDB's plain conversion of the same files. It prints
a table and writes benchmarks/results/latest.json with events/s, peak RSS and the ratios.
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.measure import machine, measure

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
RESULTS = ROOT / "results"


def landing_for(customers: int, seed: int) -> tuple[Path, dict]:
    """Generated telemetry for this size, reused across runs (generation is not measured)."""
    from jobs.generate import generate_telemetry, load_generator_params
    from sodai.config import load_settings

    landing = WORK / f"landing-c{customers}-s{seed}"
    manifest = landing / "_manifest" / "generation.json"
    if not manifest.exists():
        shutil.rmtree(landing, ignore_errors=True)
        settings = load_settings()
        params = load_generator_params(settings.resolve(settings.generator.params))
        generate_telemetry(params, landing=landing, customers=customers, seed=seed, until=None, dirty_rate=0.001)
    return landing, json.loads(manifest.read_text())


# Producers that write hourly or per-shard files: the same lines, each day's file dealt into
# this many files of consecutive lines.
FILES_PER_DAY = 24


def split_landing(landing: Path, parts: int = FILES_PER_DAY) -> Path:
    """`landing` with each events file split into `parts` files (cached beside it)."""
    split = landing.with_name(f"{landing.name}-{parts}-a-day")
    if (split / "_manifest" / "split.json").exists():
        return split
    shutil.rmtree(split, ignore_errors=True)
    for source in sorted(landing.rglob("*")):
        relative = source.relative_to(landing)
        if source.is_dir() or relative.parts[0] == "_manifest":
            continue
        target = split / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.parts[0] != "events":
            shutil.copy2(source, target)
            continue
        lines = source.read_bytes().splitlines(keepends=True)
        for part in range(parts):
            chunk = lines[part * len(lines) // parts:(part + 1) * len(lines) // parts]
            if chunk:
                target.with_name(f"{source.stem}-{part:02d}.json").write_bytes(b"".join(chunk))
    (split / "_manifest").mkdir(parents=True, exist_ok=True)
    (split / "_manifest" / "split.json").write_text(json.dumps({"from": landing.name, "parts": parts}))
    return split


def _measured(workload: list[str], out: Path) -> dict:
    """`python -m benchmarks.workload <workload> <out>` in a fresh process, `out` emptied before
    and removed after: its results, wall time and peak RSS."""
    shutil.rmtree(out, ignore_errors=True)
    m = measure([*workload, str(out)])
    shutil.rmtree(out, ignore_errors=True)
    return {**m.result, "wall_s": m.seconds, "peak_rss_mb": m.peak_rss_mb}


def run(customer_counts: list[int], engines: list[str], seed: int) -> dict:
    console = Console()
    sizes = []
    for customers in customer_counts:
        landing, manifest = landing_for(customers, seed)
        entry: dict = {"customers": customers, "lines": manifest["lines"], "events": manifest["events"], "runs": {}}
        for engine in engines:
            entry["runs"][engine] = _measured(["pipeline", engine, str(landing)], WORK / f"lakehouse-{engine}")
        split = split_landing(landing)
        for engine in engines:
            entry["runs"][f"{engine}-{FILES_PER_DAY}-a-day"] = _measured(["pipeline", engine, str(split)],
                                                                         WORK / f"lakehouse-{engine}")
        for engine in engines:
            entry["runs"][f"{engine}-copy"] = _measured(["copy", engine, str(landing)], WORK / f"copy-{engine}")
        entry["runs"]["duckdb"] = _measured(["duckdb", str(landing)], WORK / "duckdb-out")
        for r in entry["runs"].values():
            r["events_per_s"] = r["lines"] / r["work_s"] if r["work_s"] else None
            r["seconds_per_million"] = r["work_s"] / (r["lines"] / 1e6)
        fastest = max(engines, key=lambda e: entry["runs"][e]["events_per_s"])
        entry["fastest_engine"] = fastest
        entry["ratio_project_vs_duckdb"] = entry["runs"][fastest]["events_per_s"] / entry["runs"]["duckdb"]["events_per_s"]
        for engine in engines:  # how much of the pipeline's time its own work is, on top of the engine's copy
            entry[f"ratio_{engine}_vs_its_copy"] = entry["runs"][engine]["work_s"] / entry["runs"][f"{engine}-copy"]["work_s"]
            entry[f"ratio_{engine}_{FILES_PER_DAY}_a_day_vs_one"] = (
                entry["runs"][f"{engine}-{FILES_PER_DAY}-a-day"]["work_s"] / entry["runs"][engine]["work_s"])
        entry["ratio_copy_vs_duckdb"] = (
            entry["runs"][f"{fastest}-copy"]["events_per_s"] / entry["runs"]["duckdb"]["events_per_s"]
        )
        if {"sail", "spark"} <= set(engines):
            entry["ratio_sail_vs_spark"] = entry["runs"]["sail"]["events_per_s"] / entry["runs"]["spark"]["events_per_s"]
        sizes.append(entry)
        _print(console, entry)
    if len(sizes) > 1:
        for engine in engines:
            per_million = [s["runs"][engine]["seconds_per_million"] for s in sizes]
            console.print(f"{engine}: seconds per million lines across sizes: "
                          + ", ".join(f"{p:.1f}" for p in per_million)
                          + f" (largest/smallest = {per_million[-1] / per_million[0]:.2f})")
    return {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": sizes,
    }


def _print(console: Console, entry: dict) -> None:
    table = Table(title=f"{entry['customers']:,} customers, {entry['lines']:,} lines")
    for column in ("workload", "start-up s", "work s", "events/s", "s per 1M", "peak RSS MiB"):
        table.add_column(column, justify="left" if column == "workload" else "right")
    for name, r in entry["runs"].items():
        if name == "duckdb":
            label = "duckdb read_ndjson -> parquet"
        elif name.endswith("-copy"):
            label = f"{name.removesuffix('-copy')} floor: lines -> delta, nothing else"
        elif name.endswith("-a-day"):
            label = f"pipeline on {name.split('-')[0]}, the same lines as {FILES_PER_DAY} files a day"
        else:
            label = f"pipeline on {name} (ingest+refine)"
        table.add_row(label, f"{r['startup_s']:.1f}", f"{r['work_s']:.1f}", f"{r['events_per_s']:,.0f}",
                      f"{r['seconds_per_million']:.1f}", f"{r['peak_rss_mb']:,.0f}")
    console.print(table)
    console.print(f"project ({entry['fastest_engine']}) / duckdb speed ratio: {entry['ratio_project_vs_duckdb']:.2f}"
                  + (f"; sail / spark: {entry['ratio_sail_vs_spark']:.2f}" if "ratio_sail_vs_spark" in entry else ""))
    console.print(f"{entry['fastest_engine']} floor / duckdb speed ratio: {entry['ratio_copy_vs_duckdb']:.2f}; "
                  + "; ".join(f"pipeline / floor time on {k.split('_')[1]}: {v:.1f}x"
                              for k, v in entry.items() if k.endswith("_vs_its_copy")))
    console.print("; ".join(f"{FILES_PER_DAY} files a day / one file a day, time on {k.split('_')[1]}: {v:.1f}x"
                            for k, v in entry.items() if k.endswith("_a_day_vs_one")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[1000])
    parser.add_argument("--engines", nargs="+", default=["sail", "spark"], choices=["sail", "spark"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    results = run(args.customers, args.engines, args.seed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    Console().print(f"Wrote {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
