"""The analysts' notebooks run top to bottom on the small telemetry, on the pipeline's engine."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import settings_for
from tests.integration.conftest import PROJECT_ROOT, generate_window, run_cli

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
# The report window on a few customers with k = 3: enough published months for the deep-dive
# to compare and for the forecasts to have champions.
SMALL_K = 3

pytestmark = [pytest.mark.integration, pytest.mark.sail]


@pytest.fixture(scope="module")
def pipeline_env(engines, tmp_path_factory) -> dict[str, str]:
    """The environment a notebook's kernel gets: a small set's paths and the running Sail engine."""
    root = tmp_path_factory.mktemp("notebooks")
    generate_window(root / "landing", dirty_rate=0.01)
    url = engines.handle("sail").url
    settings = settings_for(root, "sail").with_overrides(report={"suppression_min_customers": SMALL_K})
    env = {
        "SODAI__PATHS__LANDING": str(settings.landing), "SODAI__PATHS__LAKEHOUSE": str(settings.lakehouse),
        "SODAI__PATHS__OUTPUT": str(settings.output), "SODAI__ENGINE__KIND": "remote",
        "SODAI__ENGINE__REMOTE_URL": url, "SODAI__REPORT__SUPPRESSION_MIN_CUSTOMERS": str(SMALL_K),
        "MLFLOW_TRACKING_URI": "",  # the store under the output folder
    }
    assert run_cli(settings, "run", remote_url=url,
                   extra_env={"SODAI__REPORT__SUPPRESSION_MIN_CUSTOMERS": str(SMALL_K), "MLFLOW_TRACKING_URI": ""}) == 0
    return env


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, pipeline_env, monkeypatch, tmp_path):
    for name, value in pipeline_env.items():
        monkeypatch.setenv(name, value)  # the kernel inherits this process's environment
    notebook = nbformat.read(path, as_version=4)
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(PROJECT_ROOT)}}).execute()
    finally:
        nbformat.write(notebook, tmp_path / path.name)  # the executed copy, to read when it fails
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_notebooks_are_committed_without_outputs():
    assert len(NOTEBOOKS) >= 4
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        dirty = [i for i, c in enumerate(notebook.cells)
                 if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
        assert dirty == [], f"{path.name}: outputs in cells {dirty} (run `make notebooks-clean`)"
