"""`make bench-scale`: the whole pipeline (`sodai run`) at growing sizes, per engine and store.

    python -m benchmarks.scale [--customers 1000 4500 9000] [--engines sail spark] [--stores local s3]
                               [--usd-per-hour 0.10]

For each size (generated once, cached under benchmarks/work/) and engine it runs `sodai run` in a
fresh process on a fresh lakehouse, and reports wall seconds, seconds per stage (from the run
history), seconds and core-seconds per million events, peak RSS, and the compute cost per million
events at the given price of this machine per hour (an input, printed with the result). Writes
benchmarks/results/scale.json and, as the table docs/benchmarks.md shows, scale.md. "Per million" is
per million landed lines (events plus the duplicates and dirty lines delivered with them).

With store `s3`, the same telemetry runs with landing and lakehouse in an S3-compatible store
started for the benchmark (s3proxy, on this machine): on Sail, and on a Spark standalone cluster
(two workers of 1 core; its Connect server is the driver) in place of the embedded JVM engine.
Each such row carries its object-storage overhead: its wall time over the local row of the same
engine family (the cluster's over the embedded JVM engine's, so the cluster's own cost is in it).
A cluster row's peak RSS is the `sodai` client's alone: the cluster's daemons are not its children.
A benchmark, not a test: nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import uuid
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.measure import machine, measure
from benchmarks.throughput import RESULTS, WORK, landing_for

# The engine each store's rows run on, for the engines asked for: on S3 the JVM engine is a cluster
ON_STORE = {"local": {"sail": "sail", "spark": "spark"}, "s3": {"sail": "sail", "spark": "cluster"}}
BUCKET = "bench"


def run(customer_counts: list[int], engines: list[str], stores: list[str], seed: int, usd_per_hour: float) -> dict:
    console = Console()
    rows: list[dict] = []
    results = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "usd_per_hour": usd_per_hour,
        "rows": rows,
    }
    with ExitStack() as servers:
        places = {store: _place(store, engines, servers) for store in stores}
        for customers in customer_counts:
            landing, manifest = landing_for(customers, seed)
            for store, place in places.items():
                for engine in engines:
                    row = _measure(place, ON_STORE[store][engine], landing, customers, manifest, usd_per_hour)
                    rows.append(row)
                    console.print(f"{customers:,} customers, {row['engine']} on {store}: "
                                  + (f"failed ({row['error']})" if "error" in row else
                                     f"{row['wall_s']:.0f} s ({row['seconds_per_million']:.0f} s per million events)"))
                    _write(results)  # after every row: a long run cut short keeps what it measured
    _print(console, [r for r in rows if "error" not in r], usd_per_hour)
    return results


class _Place:
    """Where a store's rows run: local folders, or the benchmark's S3 store (and its cluster)."""

    def __init__(self, store: str, env: dict[str, str] | None = None, s3=None, cluster_url: str | None = None):
        self.store, self.env, self.s3, self.cluster_url = store, env, s3, cluster_url
        self._uploaded: dict[Path, str] = {}

    def landing(self, local: Path) -> str:
        if self.s3 is None:
            return str(local)
        if local not in self._uploaded:  # uploading is not measured
            self._uploaded[local] = f"s3://{BUCKET}/{local.name}"
            self.s3.upload(local, self._uploaded[local])
        return self._uploaded[local]

    def lakehouse(self, engine: str) -> str:
        root = f"scale-{engine}-{uuid.uuid4().hex[:8]}"
        return f"s3://{BUCKET}/{root}/lakehouse" if self.s3 is not None else str(WORK / root / "lakehouse")

    def env_for(self, engine: str) -> dict[str, str] | None:
        if engine == "cluster":
            return {**self.env, "SPARK_REMOTE": self.cluster_url}
        return self.env


def _place(store: str, engines: list[str], servers: ExitStack) -> _Place:
    """The store's place; for S3, a store (and, for the JVM engine's rows, a cluster) started on
    this machine and stopped when the benchmark ends."""
    if store == "local":
        return _Place(store)
    from jobs.storage import ObjectStoreConfig
    from tests.servers.s3proxy import S3Proxy
    from tests.servers.spark_cluster import SparkCluster

    s3 = servers.enter_context(S3Proxy(WORK / "s3proxy"))
    s3.create_bucket(BUCKET)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODAI")} | s3.credentials_env | {
        "SODAI__OBJECT_STORE__ENDPOINT_URL": s3.endpoint, "SODAI__OBJECT_STORE__REGION": "us-east-1"}
    cluster_url = None
    if "spark" in engines:
        cluster = servers.enter_context(SparkCluster(WORK / "cluster", ObjectStoreConfig(**s3.object_store),
                                                     s3.credentials_env))
        cluster_url = cluster.url
    return _Place(store, env, s3, cluster_url)


def _measure(place: _Place, engine: str, landing: Path, customers: int, manifest: dict, usd_per_hour: float) -> dict:
    lakehouse = place.lakehouse(engine)
    output = WORK / f"scale-{engine}-{place.store}-output"
    shutil.rmtree(output, ignore_errors=True)
    try:
        m = measure(["whole", "remote" if engine == "cluster" else engine, place.landing(landing), lakehouse,
                     str(output)], env=place.env_for(engine))
    except RuntimeError as failure:  # recorded, and the other sizes and engines still run
        return {"customers": customers, "events": manifest["events"], "engine": engine, "store": place.store,
                "error": str(failure)}
    finally:
        shutil.rmtree(output, ignore_errors=True)
        if place.s3 is None:
            shutil.rmtree(Path(lakehouse).parent, ignore_errors=True)
        elif place.s3.client().exists(lakehouse.removeprefix("s3://")):  # a failed run may have written nothing
            place.s3.client().rm(lakehouse.removeprefix("s3://"), recursive=True)
    millions = m.result["lines"] / 1e6
    return {
        "customers": customers, "events": manifest["events"], "lines": m.result["lines"], "engine": engine,
        "store": place.store, "wall_s": m.seconds, "stages_s": m.result["stages_s"], "peak_rss_mb": m.peak_rss_mb,
        "seconds_per_million": m.seconds / millions,
        "core_seconds_per_million": m.seconds * (os.cpu_count() or 1) / millions,
        "usd_per_million": m.seconds / 3600 * usd_per_hour / millions,
    }


def overhead(row: dict, rows: list[dict]) -> float | None:
    """A store row's wall time over the local row of the same size and engine family."""
    if row.get("store", "local") == "local":
        return None
    family = {"cluster": "spark"}.get(row["engine"], row["engine"])
    local = next((r for r in rows if r.get("store", "local") == "local" and r["engine"] == family
                  and r["customers"] == row["customers"] and "error" not in r), None)
    return row["wall_s"] / local["wall_s"] if local else None


COLUMNS = ("lines", "engine", "store", "vs local", "wall s", "ingest+refine s", "gates s", "transform s", "s per 1M",
           "core-s per 1M", "$ per 1M", "peak RSS MiB")


def _cells(row: dict, rows: list[dict]) -> list[str]:
    """One measured row as the table shows it (the console's and the Markdown one)."""
    s = row["stages_s"]
    gates = sum(v for k, v in s.items() if k.startswith("gate_"))
    ratio = overhead(row, rows)
    return [f"{row['lines']:,}", row["engine"], row.get("store", "local"), f"{ratio:.2f}" if ratio else "",
            f"{row['wall_s']:.0f}", f"{s.get('ingest', 0) + s.get('refine', 0):.0f}",
            f"{gates:.0f}", f"{s.get('transform', 0):.0f}", f"{row['seconds_per_million']:.0f}",
            f"{row['core_seconds_per_million']:.0f}", f"{row['usd_per_million']:.4f}",
            f"{row['peak_rss_mb']:,.0f}" + (" (client)" if row["engine"] == "cluster" else "")]


def markdown(results: dict) -> str:
    """The table for docs/benchmarks.md, with the conditions it was measured under."""
    lines = [f"| {' | '.join(COLUMNS)} |", f"|{'---|' * len(COLUMNS)}"]
    lines += [f"| {' | '.join(_cells(r, results['rows']))} |" for r in results["rows"] if "error" not in r]
    lines += [f"| {r['events']:,} events | {r['engine']} | {r.get('store', 'local')} | failed: {r['error']} |"
              for r in results["rows"] if "error" in r]
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
        table.add_row(*_cells(r, rows))
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[1000, 4500, 9000])
    parser.add_argument("--engines", nargs="+", default=["sail", "spark"], choices=["sail", "spark"])
    parser.add_argument("--stores", nargs="+", default=["local", "s3"], choices=["local", "s3"],
                        help="s3: the same runs with landing and lakehouse in a local S3-compatible store "
                             "(the JVM engine's as a Spark standalone cluster)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--usd-per-hour", type=float, default=0.10,
                        help="Price of this machine per hour (default: an assumed on-demand 2-vCPU VM).")
    args = parser.parse_args()
    run(args.customers, args.engines, args.stores, args.seed, args.usd_per_hour)
    Console().print(f"Wrote {RESULTS / 'scale.json'} and {RESULTS / 'scale.md'}")


if __name__ == "__main__":
    main()
