"""`make bench-daily`: what a scheduled day costs once the history is in, by history size.

    python -m benchmarks.daily [--customers 1000 4500] [--engines sail spark]

For each size (the telemetry of benchmarks.throughput, generated once and cached) and engine, in a
fresh lakehouse: the landing zone holds every day but the last (hard links to the cached files),
`sodai run --date <last day - 1>` ingests that history (the backfill: the peer), then the last
day's folder arrives and `sodai run --date <last day>` runs (the daily run). Each run is its own
process, engine start-up included, timed per stage from the run history. A daily run should cost
about the same whatever the history: the ratio daily / backfill and the daily run's seconds across
sizes show whether it does. Writes benchmarks/results/daily.json. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.measure import machine, measure
from benchmarks.throughput import RESULTS, WORK, landing_for


def _history_landing(full: Path, target: Path) -> tuple[date, Path]:
    """`target`: the landing zone without its last day (hard links); returns that day and its folder."""
    shutil.rmtree(target, ignore_errors=True)
    days = sorted((full / "events").glob("date=*"))
    last = days[-1]
    (target / "events").mkdir(parents=True)
    shutil.copytree(full / "accounts", target / "accounts", copy_function=os.link)
    for day in days[:-1]:
        shutil.copytree(day, target / "events" / day.name, copy_function=os.link)
    return date.fromisoformat(last.name.removeprefix("date=")), last


def run(customer_counts: list[int], engines: list[str], seed: int) -> dict:
    console = Console()
    rows: list[dict] = []
    results = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "rows": rows,
    }
    for customers in customer_counts:
        full, _ = landing_for(customers, seed)
        for engine in engines:
            root = WORK / f"daily-{engine}"
            shutil.rmtree(root, ignore_errors=True)
            landing = root / "landing"
            last_day, last_folder = _history_landing(full, landing)
            whole = ["whole", engine, str(landing), str(root / "lakehouse"), str(root / "output")]
            try:
                history = measure([*whole, (last_day - timedelta(days=1)).isoformat()])
                shutil.copytree(last_folder, landing / "events" / last_folder.name, copy_function=os.link)
                daily = measure([*whole, last_day.isoformat()])
            except RuntimeError as failure:  # recorded, and the other sizes and engines still run
                rows.append({"customers": customers, "engine": engine, "error": str(failure)})
                console.print(f"{customers:,} customers, {engine}: failed ({failure})")
                _write(results)
                continue
            finally:
                shutil.rmtree(root, ignore_errors=True)
            row = {
                "customers": customers, "engine": engine, "history_lines": history.result["lines"],
                "day_lines": daily.result["lines"], "day": last_day.isoformat(),
                "backfill_s": history.seconds, "daily_s": daily.seconds,
                "daily_over_backfill": daily.seconds / history.seconds,
                "backfill_stages_s": history.result["stages_s"], "daily_stages_s": daily.result["stages_s"],
                "daily_peak_rss_mb": daily.peak_rss_mb,
            }
            rows.append(row)
            console.print(f"{customers:,} customers, {engine}: backfill {history.seconds:.0f} s, "
                          f"daily {daily.seconds:.0f} s")
            _write(results)
    _print(console, [r for r in rows if "error" not in r])
    return results


def _write(results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "daily.json").write_text(json.dumps(results, indent=2))


GROUPS = {  # the daily run's stages, grouped so that the table fits a terminal
    "ingest+refine": ("ingest", "refine"), "gates": ("gate_bronze", "gate_silver", "gate_gold"),
    "transform+docs": ("transform", "docs"), "forecast+publish": ("forecast", "publish"),
}


def _print(console: Console, rows: list[dict]) -> None:
    table = Table(title="A scheduled day after the history (`sodai run --date`)")
    columns = ["history lines", "engine", "day lines", "backfill s", "daily s", "daily / backfill", *GROUPS,
               "daily peak MiB"]
    for column in columns:
        table.add_column(column, justify="left" if column == "engine" else "right")
    for r in rows:
        stages = r["daily_stages_s"]
        table.add_row(f"{r['history_lines']:,}", r["engine"], f"{r['day_lines']:,}", f"{r['backfill_s']:.0f}",
                      f"{r['daily_s']:.1f}", f"{r['daily_over_backfill']:.2f}",
                      *(f"{sum(stages.get(s, 0) for s in group):.1f}" for group in GROUPS.values()),
                      f"{r['daily_peak_rss_mb']:,.0f}")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[1000, 4500])
    parser.add_argument("--engines", nargs="+", default=["sail", "spark"], choices=["sail", "spark"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(args.customers, args.engines, args.seed)
    Console().print(f"Wrote {RESULTS / 'daily.json'}")


if __name__ == "__main__":
    main()
