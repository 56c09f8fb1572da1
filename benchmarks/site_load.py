"""`make bench`: the report site under load, as served in production (`sodai serve`, gunicorn).

    python -m benchmarks.site_load [--clients 16] [--requests 40] [--output data/output]

Starts `sodai serve` on a free port, then 16 clients (one asyncio connection each) send real filter
callbacks (POST /_dash-update-component, the same inputs as benchmarks/site_callbacks.py) as fast
as the server answers. The peer, measured in the same run against the same server, is one client
alone: the ratio of throughputs says how much of the machine the server puts to work, and the p95
latency at 16 clients is the target (< 200 ms). Both are measured twice: as served (each worker
keeps the figures it drew until the next publication, `site.cached_views`) and with every
callback drawn anew (`cached_views: 0`), which is what a reader's first visit to a filter state
costs. The clients run on the same machine as the server and take some of its cores. Results:
benchmarks/results/site_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.measure import machine
from benchmarks.site_callbacks import RESULTS, TARGET_P95_MS, _cases, _payload, _percentiles
from sodai.engine import free_port

CLIENTS = 16


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"`sodai serve` exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"`sodai serve` did not answer {url} within {seconds:.0f} s")


async def _client(session, url: str, payloads: list[dict], latencies: list[float]) -> None:
    for payload in payloads:
        started = time.perf_counter()
        async with session.post(url, json=payload) as response:
            await response.read()
            assert response.status == 200, response.status
        latencies.append((time.perf_counter() - started) * 1000)


async def _load(url: str, per_client: list[list[dict]]) -> tuple[list[float], float]:
    """Every client's payloads sent concurrently; (latencies in ms, wall seconds)."""
    import aiohttp

    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=len(per_client))
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(_client(session, url, payloads, latencies) for payloads in per_client))
        return latencies, time.perf_counter() - started


def run(settings, clients: int, requests: int) -> dict:
    from dashboards.app import create_app

    app = create_app(settings)
    data = app.server.config["SODAI_DATA"]
    if data.report() is None:
        raise SystemExit(f"No report at {data.report_path}: run `sodai run` first.")
    app.server.test_client().get("/")  # finalises the callback map, to learn the output key
    output_key = next(key for key in app.callback_map if "fig-graph" in key)
    cases = _cases(data)
    languages = ("en", "ko", "fr")

    def payloads(offset: int, count: int) -> list[dict]:
        return [_payload(output_key, cases[(offset + i) % len(cases)], languages[(offset + i) % 3]) for i in range(count)]

    modes = {"drawn_every_call": "0", "cached_views": str(settings.site.cached_views)}
    measured = {mode: _measure(settings, cached, clients, requests, payloads, len(cases)) for mode, cached in modes.items()}
    loaded = measured["cached_views"]["concurrent_clients"]
    return {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "report": str(data.report_path),
        "server": {"workers": settings.site.workers or os.cpu_count(), "threads": settings.site.threads},
        "clients": clients,
        "modes": measured,
        "target_p95_ms": TARGET_P95_MS,
        "target_met": loaded["p95_ms"] < TARGET_P95_MS,
    }


def _measure(settings, cached_views: str, clients: int, requests: int, payloads, cases: int) -> dict:
    """`sodai serve` with this many cached views: one client alone, then `clients` at once."""
    port = free_port()
    env = {**os.environ, "SODAI__PATHS__OUTPUT": str(settings.output), "SODAI__SITE__CACHED_VIEWS": cached_views}
    server = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + "/", server)
        url = base + "/_dash-update-component"
        asyncio.run(_load(url, [payloads(i * 7, cases) for i in range(clients)]))  # warm every worker
        alone, alone_s = asyncio.run(_load(url, [payloads(0, requests * 2)]))
        loaded, loaded_s = asyncio.run(_load(url, [payloads(i * 7, requests) for i in range(clients)]))
    finally:
        server.terminate()
        server.wait(timeout=30)
    single, concurrent = _percentiles(alone), _percentiles(loaded)
    single["requests_per_s"] = len(alone) / alone_s
    concurrent["requests_per_s"] = len(loaded) / loaded_s
    return {"one_client": single, "concurrent_clients": concurrent,
            "throughput_ratio": concurrent["requests_per_s"] / single["requests_per_s"]}


def main() -> None:
    from sodai.config import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--requests", type=int, default=40, help="callbacks per client")
    parser.add_argument("--output", type=Path, default=None, help="pipeline output folder holding report.json")
    args = parser.parse_args()
    settings = load_settings()
    if args.output:
        settings = settings.with_overrides(paths={"output": str(args.output.resolve())})
    results = run(settings, args.clients, args.requests)
    console = Console()
    table = Table(title=f"`sodai serve` ({results['server']['workers']} workers x {results['server']['threads']} threads): "
                        "filter callbacks over HTTP")
    for column in ("views", "load", "requests", "requests/s", "p50 ms", "p95 ms", "max ms"):
        table.add_column(column, justify="left" if column in ("views", "load") else "right")
    for mode, measured in results["modes"].items():
        for label, key in (("one client", "one_client"), (f"{results['clients']} concurrent clients", "concurrent_clients")):
            s = measured[key]
            table.add_row(mode.replace("_", " "), label, str(s["calls"]), f"{s['requests_per_s']:.1f}", f"{s['p50_ms']:.1f}",
                          f"{s['p95_ms']:.1f}", f"{s['max_ms']:.1f}")
    console.print(table)
    console.print(f"target p95 < {TARGET_P95_MS:.0f} ms at {results['clients']} clients (as served, cached views): "
                  f"{'met' if results['target_met'] else 'NOT met'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "site_load.json").write_text(json.dumps(results, indent=2))
    console.print(f"Wrote {RESULTS / 'site_load.json'}")


if __name__ == "__main__":
    main()
