"""The gold gate: the verdict of dbt's tests in the latest `dbt build`, one suite per model.

Gold is checked where it is defined: every rule on a model is a dbt test in the model's yml
(`row_checks`, `references`, `unique_combination_of_columns`, `shares_add_up`, ...) or a singular
test in dbt_project/tests, and runs inside `dbt build`. The gate does not check gold a second time:
it reads the build's results (run_results.json with the manifest), groups the tests by the model
they test, and turns each failed test into a finding. Only for a test that failed does it run the
test's compiled query again, to show what it found (a `row_checks` row names the broken rule).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sodai.gates.state import Finding, SuiteResult

LAYER = "gold"
SAMPLE_ROWS = 5
REMEDY = ("a dbt model wrote these rows: read the model and the test named in the check (dbt docs under "
          "<output>/dbt/docs, compiled SQL under <output>/dbt/target), fix the model or the data it reads, "
          "then `sodai run`")


@dataclass(frozen=True)
class DbtOutcome:
    """One test (or a model that failed to build) of the latest build."""

    model: str  # the model (or seed) the test is attached to
    name: str  # the test's node name, e.g. row_checks_fig01_models_over_time_...
    kind: str  # the generic test's name (row_checks, unique, ...), `singular`, or `model`
    column: str | None
    status: str  # pass, fail, warn, error, skipped (dbt's)
    failures: int | None
    message: str
    compiled_code: str | None


def outcomes(target: Path) -> list[DbtOutcome] | None:
    """The tests and failed models of the latest build in `target` (None: no build yet)."""
    results_path, manifest_path = target / "run_results.json", target / "manifest.json"
    if not results_path.is_file() or not manifest_path.is_file():
        return None
    results = json.loads(results_path.read_text())
    nodes = json.loads(manifest_path.read_text())["nodes"]
    found = []
    for result in results["results"]:
        node = nodes.get(result["unique_id"])
        if node is None:
            continue
        if node["resource_type"] == "test":
            attached = node.get("attached_node") or next(iter(node["depends_on"]["nodes"]), "")
            kind = (node.get("test_metadata") or {}).get("name") or "singular"
        elif result["status"] == "error":
            attached, kind = result["unique_id"], "model"
        else:
            continue
        found.append(DbtOutcome(
            model=attached.rsplit(".", 1)[-1], name=node["name"], kind=kind, column=node.get("column_name"),
            status=result["status"], failures=result.get("failures"), message=(result.get("message") or "").strip(),
            compiled_code=result.get("compiled_code"),
        ))
    return found


def suites(target: Path, offending_rows: Callable[[str], list[dict]] | None = None) -> list[SuiteResult]:
    """gold.<model> suites from the latest build; a failed test's query is run again through
    `offending_rows` (the engine: the first SAMPLE_ROWS rows of a query) for what it found."""
    found = outcomes(target)
    if found is None:
        return [SuiteResult(LAYER, "gold.dbt_build", False, 0, [Finding(
            "dbt build", None, f"no dbt build results under {target}",
            summary="gold has not been built and tested yet.", remedy="run `sodai transform` (or `sodai run`)")])]
    by_model: dict[str, SuiteResult] = {}
    for outcome in found:
        suite = by_model.setdefault(outcome.model, SuiteResult(LAYER, f"gold.{outcome.model}", True, 0))
        if outcome.status == "skipped":
            continue
        suite.evaluated += 1
        if outcome.status == "pass":
            continue
        rows = None
        if outcome.status in ("fail", "warn") and outcome.compiled_code and offending_rows is not None:
            rows = offending_rows(outcome.compiled_code)
        finding = _finding(outcome, rows)
        (suite.warnings if outcome.status == "warn" else suite.failed).append(finding)
    for suite in by_model.values():
        suite.success = not suite.failed
    return sorted(by_model.values(), key=lambda s: s.suite)


def unbuilt_suites(target: Path, latest: dict | None, current: set[str]) -> list[SuiteResult]:
    """The previous gold suites of the models the latest build did not build (a scheduled day leaves
    the marts its telemetry cannot change, sodai/mart_scope.py): their verdict is the one of the
    build that last built them. A model the build did build has no older verdict to keep, even
    when it has no test any more; a model the project no longer has neither."""
    results_path, manifest_path = target / "run_results.json", target / "manifest.json"
    if latest is None or not results_path.is_file() or not manifest_path.is_file():
        return []
    nodes = json.loads(manifest_path.read_text())["nodes"]
    models = {uid: node["name"] for uid, node in nodes.items() if node["resource_type"] in ("model", "seed", "snapshot")}
    built = {models[r["unique_id"]] for r in json.loads(results_path.read_text())["results"] if r["unique_id"] in models}
    left = set(models.values()) - built
    return [SuiteResult.from_json(g) for g in latest.get("gates", [])
            if g["layer"] == LAYER and g["suite"] not in current and g["suite"].removeprefix(f"{LAYER}.") in left]


def _finding(outcome: DbtOutcome, rows: list[dict] | None) -> Finding:
    where = f"gold.{outcome.model}" + (f" (column {outcome.column})" if outcome.column else "")
    if outcome.kind == "model":
        summary = f"{where}: the model failed to build: {_first_line(outcome.message)}"
    elif outcome.kind == "row_checks" and rows:
        broken = "; ".join(f"{r['failing_rows']:,} rows break '{r['failed_check']}'" for r in rows)
        summary = f"{where}: {broken}."
    elif rows:
        summary = f"{where}: the dbt test {outcome.kind} found {_count(outcome)}, e.g. {rows[:3]}."
    else:
        summary = f"{where}: the dbt test {outcome.kind} {outcome.status}: {_first_line(outcome.message)}"
    return Finding(f"dbt test {outcome.kind}" if outcome.kind != "model" else "dbt model", outcome.column,
                   _first_line(outcome.message), check=outcome.name, summary=summary, remedy=REMEDY)


def _count(outcome: DbtOutcome) -> str:
    return f"{outcome.failures:,} rows" if outcome.failures is not None else "rows"


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:300]
