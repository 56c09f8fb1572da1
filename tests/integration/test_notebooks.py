"""The analysts' notebooks run top to bottom on the small telemetry, on the pipeline's engine."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.integration.conftest import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))

pytestmark = [pytest.mark.integration, pytest.mark.sail]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, window_run, monkeypatch, tmp_path):
    # The window run: the report window on a few customers with k = 3, enough published months
    # for the deep-dive to compare and for the forecasts to have champions.
    for name, value in window_run.env.items():
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
