"""`sodai serve`: the report site on gunicorn, as deployed: worker processes that each answer pages
and filter callbacks, and pick up a new publication without a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from benchmarks.site_callbacks import _cases, _payload
from dashboards.app import create_app
from sodai.engine import free_port
from tests.integration.conftest import PROJECT_ROOT

pytestmark = pytest.mark.sail


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def _post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


@pytest.fixture
def served(site_data):
    port = free_port()
    env = {**os.environ, "SODAI__PATHS__OUTPUT": str(site_data.settings.output),
           "SODAI__PATHS__LAKEHOUSE": str(site_data.settings.lakehouse)}
    server = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "serve", "--port", str(port), "--workers", "2"],
                              cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, server.stdout.read()
        try:
            _get(base + "/")
            break
        except OSError:
            assert time.monotonic() < deadline, "sodai serve did not answer within 60 s"
            time.sleep(0.3)
    yield base, server
    server.terminate()
    server.wait(timeout=30)


def _callback(site_data):
    """The filter callback's output key and the inputs of a figure with an industry filter."""
    app = create_app(site_data.settings)
    app.server.test_client().get("/")
    output_key = next(key for key in app.callback_map if "fig-graph" in key)
    case = next(c for c in _cases(app.server.config["SODAI_DATA"]) if c["has_industry"] and c["industries"])
    return output_key, case


def _drawn(base: str, output_key: str, case: dict) -> tuple[dict, list]:
    response = _post(base + "/_dash-update-component", _payload(output_key, case, "en"))["response"]
    graph, table = (next(v for k, v in response.items() if kind in k) for kind in ("fig-graph", "fig-table"))
    return graph["figure"], table["data"]


def test_gunicorn_workers_answer_pages_and_filter_callbacks(served, site_data):
    base, server = served
    assert len(psutil.Process(server.pid).children()) == 2  # the arbiter's two worker processes
    status, page = _get(base + "/regulated-industries")
    assert status == 200 and b"_dash-config" in page
    output_key, case = _callback(site_data)
    for _ in range(4):  # more calls than workers: every worker draws and answers alike
        figure, rows = _drawn(base, output_key, case)
        assert figure["layout"]["title"]["text"] and figure["data"] and rows


def test_a_new_publication_is_served_without_a_restart(served, site_data):
    base, _ = served
    output_key, case = _callback(site_data)
    _, rows = _drawn(base, output_key, case)
    assert len(rows) > 1
    report = site_data.settings.output / "report.json"
    original = report.read_bytes()
    published = json.loads(original)
    figures = [dict(m, rows=m["rows"][:1]) if m["id"] == case["figure"] else m for m in published["figures"]]
    try:
        report.write_text(json.dumps(dict(published, figures=figures)))
        for _ in range(4):  # every worker, though each has this view drawn from the old report
            assert len(_drawn(base, output_key, case)[1]) < len(rows)
    finally:
        report.write_bytes(original)
