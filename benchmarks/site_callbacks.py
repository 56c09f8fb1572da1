"""`make bench`: latency of the report site's filter callbacks, against building the same figure
directly.

    python -m benchmarks.site_callbacks [--calls 240] [--report-dir data/output]

Every call goes through the Flask test client's /_dash-update-component endpoint, as the browser's
does (request parsing, the callback, the figure and table, JSON encoding), cycling over every figure
that has a filter, several industry selections and periods. The peer, measured in the same run on
the same inputs, is the pure work: filter the frame and build the figure with its builder. The
ratio site / peer is the site's overhead. Results: benchmarks/results/site_callbacks.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.measure import machine

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_P95_MS = 200.0


def _cases(data) -> list[dict]:
    """(figure, industries, start, end) inputs: every filtered figure, a few selections each."""
    from dashboards import specs

    cases = []
    for figure_id, spec in specs.SPECS.items():
        figure = data.figure(figure_id)
        if figure is None or figure.frame.empty or not (spec.industry or spec.date_column):
            continue
        industry_sets = [None]
        if spec.industry:
            keys = specs.industry_keys(figure.frame)
            named = [k for k in keys if k not in ("all", "other")]
            industry_sets = [specs.default_industries(spec, figure.frame), named[:1], named[:3]]
        periods = [(None, None)]
        bounds = specs.date_bounds(spec, figure.frame)
        if bounds:
            start, end = bounds
            middle = start + (end - start) / 2
            periods = [(start.isoformat(), end.isoformat()), (middle.isoformat(), end.isoformat())]
        for industries, (start, end) in itertools.product(industry_sets, periods):
            cases.append({"figure": figure_id, "industries": industries, "start": start, "end": end,
                          "has_industry": spec.industry, "has_dates": bool(bounds)})
    return cases


def _payload(output_key: str, case: dict, language: str) -> dict:
    figure = case["figure"]

    def indexed(kind: str, prop: str, value, present: bool) -> list[dict]:
        return [{"id": {"fig": figure, "n": 0, "type": kind}, "property": prop, "value": value}] if present else []

    return {
        "output": output_key,
        "outputs": [{"id": {"fig": figure, "type": "fig-graph"}, "property": "figure"},
                    {"id": {"fig": figure, "type": "fig-table"}, "property": "data"}],
        "inputs": [indexed("fig-industry", "value", case["industries"], case["has_industry"]),
                   indexed("fig-dates", "start_date", case["start"], case["has_dates"]),
                   indexed("fig-dates", "end_date", case["end"], case["has_dates"])],
        "state": [{"id": "language", "property": "value", "value": language}],
        "changedPropIds": [json.dumps({"fig": figure, "n": 0, "type": "fig-industry" if case["has_industry"] else "fig-dates"},
                                      separators=(",", ":")) + (".value" if case["has_industry"] else ".start_date")],
    }


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"calls": len(ordered), "p50_ms": q[49], "p95_ms": q[94], "max_ms": ordered[-1], "mean_ms": statistics.fmean(ordered)}


def run(calls: int, settings) -> dict:
    from dashboards import specs
    from dashboards.app import create_app
    from dashboards.i18n import Translator

    # every call drawn anew: the overhead of the site over the builder, not the cache's hit rate
    # (benchmarks/site_load.py measures the site as served, cache included)
    app = create_app(settings.with_overrides(site={"cached_views": 0}))
    data = app.server.config["SODAI_DATA"]
    if data.report() is None:
        raise SystemExit(f"No report at {data.report_path}: run `sodai run` first.")
    client = app.server.test_client()
    client.get("/")  # the first request finalises the app's routes and callback map
    output_key = next(key for key in app.callback_map if "fig-graph" in key)
    cases = _cases(data)
    languages = ("en", "ko", "fr")
    k = data.min_customers()
    for case in cases:  # warm-up: caches, imports, first JSON encodings
        response = client.post("/_dash-update-component", json=_payload(output_key, case, "en"))
        assert response.status_code == 200, (case, response.status_code, response.data[:300])
    site, peer = [], []
    per_figure: dict[str, list[float]] = {}
    for i in range(calls):
        case, language = cases[i % len(cases)], languages[i % len(languages)]
        payload = _payload(output_key, case, language)
        started = time.perf_counter()
        response = client.post("/_dash-update-component", json=payload)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        site.append(elapsed)
        per_figure.setdefault(case["figure"], []).append(elapsed)

        spec, figure = specs.SPECS[case["figure"]], data.figure(case["figure"])
        started = time.perf_counter()
        frame = specs.filter_frame(spec, figure.frame, case["industries"], case["start"], case["end"])
        t = Translator(language)
        specs.build(spec, frame, t, k, t.report_text(figure.meta, "title"))
        peer.append((time.perf_counter() - started) * 1000)
    site_stats, peer_stats = _percentiles(site), _percentiles(peer)
    return {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "report": str(data.report_path),
        "cases": len(cases),
        "site_callback": site_stats,
        "peer_builder": peer_stats,
        "ratio_p50": site_stats["p50_ms"] / peer_stats["p50_ms"],
        "ratio_p95": site_stats["p95_ms"] / peer_stats["p95_ms"],
        "target_p95_ms": TARGET_P95_MS,
        "target_met": site_stats["p95_ms"] < TARGET_P95_MS,
        "per_figure_p95_ms": {f: _percentiles(v)["p95_ms"] if len(v) > 1 else v[0] for f, v in sorted(per_figure.items())},
    }


def main() -> None:
    from sodai.config import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=240, help="measured callback calls (>= 200)")
    parser.add_argument("--output", type=Path, default=None, help="pipeline output folder holding report.json")
    args = parser.parse_args()
    settings = load_settings()
    if args.output:
        settings = settings.with_overrides(paths={"output": str(args.output)})
    results = run(max(args.calls, 200), settings)
    console = Console()
    table = Table(title=f"Site filter callbacks: {results['site_callback']['calls']} calls over {results['cases']} inputs")
    for column in ("workload", "p50 ms", "p95 ms", "max ms"):
        table.add_column(column, justify="left" if column == "workload" else "right")
    for label, key in (("site: POST /_dash-update-component", "site_callback"), ("peer: filter + builder", "peer_builder")):
        s = results[key]
        table.add_row(label, f"{s['p50_ms']:.1f}", f"{s['p95_ms']:.1f}", f"{s['max_ms']:.1f}")
    console.print(table)
    console.print(f"site / peer: p50 {results['ratio_p50']:.2f}x, p95 {results['ratio_p95']:.2f}x; "
                  f"target p95 < {TARGET_P95_MS:.0f} ms: {'met' if results['target_met'] else 'NOT met'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "site_callbacks.json").write_text(json.dumps(results, indent=2))
    console.print(f"Wrote {RESULTS / 'site_callbacks.json'}")


if __name__ == "__main__":
    main()
