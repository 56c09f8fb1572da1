"""`make bench-scale`: the whole pipeline (`sodai run`) at growing sizes, per engine.

    python -m benchmarks.scale [--customers 1000 4500 9000] [--engines sail spark] [--usd-per-hour 0.10]

For each size (generated once, cached under benchmarks/work/) and engine it runs `sodai run` in a
fresh process on a fresh lakehouse, and reports wall seconds, seconds per stage (from the run
history), seconds and core-seconds per million events, peak RSS, and the compute cost per million
events at the given price of this machine per hour (an input, printed with the result). Writes
benchmarks/results/scale.json and, as the table docs/benchmarks.md shows, scale.md. "Per million" is
per million landed lines (events plus the duplicates and dirty lines delivered with them).
A benchmark, not a test: nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from datetime import datetime, timezone

from rich.console import Console
from rich.table import Table

from benchmarks.measure import machine, measure
from benchmarks.throughput import RESULTS, WORK, landing_for


def run(customer_counts: list[int], engines: list[str], seed: int, usd_per_hour: float) -> dict:
    console = Console()
    cores = os.cpu_count() or 1
    rows: list[dict] = []
    results = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "usd_per_hour": usd_per_hour,
        "rows": rows,
    }
    for customers in customer_counts:
        landing, manifest = landing_for(customers, seed)
        for engine in engines:
            root = WORK / f"scale-{engine}"
            shutil.rmtree(root, ignore_errors=True)
            try:
                m = measure(["whole", engine, str(landing), str(root)])
            except RuntimeError as failure:  # recorded, and the other sizes and engines still run
                rows.append({"customers": customers, "events": manifest["events"], "engine": engine,
                             "error": str(failure)})
                console.print(f"{customers:,} customers, {engine}: failed ({failure})")
                continue
            finally:
                shutil.rmtree(root, ignore_errors=True)
            millions = m.result["lines"] / 1e6
            row = {
                "customers": customers, "events": manifest["events"], "lines": m.result["lines"], "engine": engine,
                "wall_s": m.seconds, "stages_s": m.result["stages_s"], "peak_rss_mb": m.peak_rss_mb,
                "seconds_per_million": m.seconds / millions,
                "core_seconds_per_million": m.seconds * cores / millions,
                "usd_per_million": m.seconds / 3600 * usd_per_hour / millions,
            }
            rows.append(row)
            console.print(f"{customers:,} customers, {engine}: {m.seconds:.0f} s "
                          f"({row['seconds_per_million']:.0f} s per million events)")
            _write(results)  # after every row: a long run cut short keeps what it measured
    _print(console, [r for r in rows if "error" not in r], usd_per_hour)
    return results


COLUMNS = ("lines", "engine", "wall s", "ingest+refine s", "gates s", "transform s", "s per 1M",
           "core-s per 1M", "$ per 1M", "peak RSS MiB")


def _cells(row: dict) -> list[str]:
    """One measured row as the table shows it (the console's and the Markdown one)."""
    s = row["stages_s"]
    gates = sum(v for k, v in s.items() if k.startswith("gate_"))
    return [f"{row['lines']:,}", row["engine"], f"{row['wall_s']:.0f}", f"{s.get('ingest', 0) + s.get('refine', 0):.0f}",
            f"{gates:.0f}", f"{s.get('transform', 0):.0f}", f"{row['seconds_per_million']:.0f}",
            f"{row['core_seconds_per_million']:.0f}", f"{row['usd_per_million']:.4f}", f"{row['peak_rss_mb']:,.0f}"]


def markdown(results: dict) -> str:
    """The table for docs/benchmarks.md, with the conditions it was measured under."""
    lines = [f"| {' | '.join(COLUMNS)} |", f"|{'---|' * len(COLUMNS)}"]
    lines += [f"| {' | '.join(_cells(r))} |" for r in results["rows"] if "error" not in r]
    lines += [f"| {r['events']:,} events | {r['engine']} | failed: {r['error']} |" for r in results["rows"] if "error" in r]
    host = results["machine"]
    lines.append("")
    lines.append(f"Measured {results['measured_at']} on {host['cpus']} cores, Python {host['python']}; "
                 f"cost at ${results['usd_per_hour']}/hour for the machine.")
    return "\n".join(lines) + "\n"


def _write(results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "scale.md").write_text(markdown(results))


def _print(console: Console, rows: list[dict], usd_per_hour: float) -> None:
    table = Table(title=f"Whole pipeline (`sodai run`) by size and engine; cost at ${usd_per_hour}/hour")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "engine" else "right")
    for r in rows:
        table.add_row(*_cells(r))
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[1000, 4500, 9000])
    parser.add_argument("--engines", nargs="+", default=["sail", "spark"], choices=["sail", "spark"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--usd-per-hour", type=float, default=0.10,
                        help="Price of this machine per hour (default: an assumed on-demand 2-vCPU VM).")
    args = parser.parse_args()
    run(args.customers, args.engines, args.seed, args.usd_per_hour)
    Console().print(f"Wrote {RESULTS / 'scale.json'} and {RESULTS / 'scale.md'}")


if __name__ == "__main__":
    main()
