"""Which marts a build rebuilds (sodai/mart_scope.py), on a lakehouse of hand-written Delta tables
(the refine ledger, one silver event table, silver's accounts, the marts), a small dbt project's
files and a manifest of its marts: one of the report window, one of a later period, a finding
reading the first, and one reading every date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pyarrow as pa
import pytest

from jobs import storage
from jobs.refine.tables import ACCOUNTS, EVENT_TABLES, REFINE_LEDGER
from sodai import mart_scope

VARS = {"window_start": "2023-02-01", "window_end": "2024-03-31", "fm_period_start": "2023-12-01",
        "fm_period_end": "2024-05-19", "suppression_min_customers": 10}
SILVER = next(iter(EVENT_TABLES.values()))


def _node(name: str, span: list[str] | None, reads: tuple[str, ...] = (), kind: str = "model", folder: str = "marts"):
    meta = {"event_span": span} if span else {}
    return SimpleNamespace(name=name, resource_type=kind, fqn=["sodai", folder, name], config=SimpleNamespace(meta=meta),
                           schema="reference" if kind == "seed" else folder,
                           depends_on=SimpleNamespace(nodes=[f"model.sodai.{r}" for r in reads]))


def _manifest() -> SimpleNamespace:
    nodes = [
        _node("int_days", None, folder="intermediate"),
        _node("fig_window", ["window_start", "window_end"], ("int_days",)),
        _node("fig_period", ["fm_period_start", "fm_period_end"], ("int_days",)),
        _node("findings", ["fm_period_start", "fm_period_end"], ("fig_window",)),
        _node("every_day", None, ("int_days",)),
        _node("industries", None, kind="seed", folder="industries"),
        _node("products", None, kind="seed", folder="products"),
    ]
    return SimpleNamespace(nodes={f"{n.resource_type}.sodai.{n.name}": n for n in nodes})


MARTS = ["every_day", "fig_period", "fig_window", "findings"]


PROJECT_FILES = {
    "dbt_project.yml": "name: sodai\nmodel-paths: [models]\n",
    "models/intermediate/int_days.sql": "select 1 as x",
    "models/marts/_marts.yml": "models:\n  - name: fig_window\n    description: F1.\n",
    "seeds/industries.csv": "industry\nRetail\n",
    "macros/growth.sql": "{% macro growth() %}1{% endmacro %}",
}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "dbt_project"
    for name, text in PROJECT_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "target").mkdir()
    (root / "target" / "manifest.json").write_text("{}")  # build artifacts are not the project
    return root


@pytest.fixture
def lakehouse(tmp_path, project):
    root = tmp_path / "lakehouse"
    for mart in MARTS:
        storage.write_delta(storage.mart_path(root, mart), pa.table({"x": [1]}))
    storage.write_delta(storage.dbt_table_path(root, "reference", "industries"), pa.table({"x": [1]}))
    _accounts(root)
    return root


def _accounts(root) -> None:
    storage.write_delta(storage.table_path(root, ACCOUNTS), pa.table({"customer_key": ["c1"]}), mode="overwrite")


def _refine(root, run: str, *days: date) -> None:
    """A batch `run` refined into silver now, with events on `days`."""
    storage.write_delta(storage.table_path(root, SILVER),
                        pa.table({"event_date": list(days), "ingest_run_id": [run] * len(days)}), mode="append")
    storage.write_delta(storage.table_path(root, REFINE_LEDGER), pa.table({
        "ingest_run_id": [run], "refine_run_id": [f"refine-{run}"],
        "recorded_at": pa.array([datetime.now(timezone.utc)], pa.timestamp("us", tz="UTC"))}), mode="append")


def _plan(root, dbt_vars=VARS) -> mart_scope.MartScope:
    return mart_scope.plan(root, root.parent / "dbt_project", _manifest(), dbt_vars)


def _built(root) -> mart_scope.MartScope:
    """Plan a build and record it as passed."""
    scope = _plan(root)
    mart_scope.record(root, scope)
    return scope


def test_the_first_build_rebuilds_every_mart(lakehouse):
    _refine(lakehouse, "i1", date(2024, 3, 1))
    scope = _built(lakehouse)
    assert scope.rebuilt == MARTS and scope.left == [] and scope.reason == "no earlier build recorded"
    assert scope.seeds_left == []


def test_a_day_after_the_window_leaves_the_window_marts_and_what_reads_only_them(lakehouse):
    _refine(lakehouse, "i1", date(2024, 3, 1))
    _built(lakehouse)
    _refine(lakehouse, "i2", date(2024, 5, 18), date(2024, 5, 19))
    scope = _plan(lakehouse)
    assert scope.changed_dates == [date(2024, 5, 18), date(2024, 5, 19)]
    # findings reads fig_window but its own span (the period) holds the days; every_day reads all
    assert scope.left == ["fig_window"]
    assert scope.rebuilt == ["every_day", "fig_period", "findings"]
    assert scope.seeds_left == ["industries"]  # unchanged; products has no table yet: loaded


def test_a_late_day_in_the_window_rebuilds_its_marts_and_the_marts_reading_them(lakehouse):
    _refine(lakehouse, "i1", date(2024, 3, 1))
    _built(lakehouse)
    _refine(lakehouse, "i2", date(2023, 6, 1))  # in the window, before the period
    scope = _plan(lakehouse)
    assert scope.left == ["fig_period"]
    assert "findings" in scope.rebuilt  # its own span misses the day; the mart it reads does not


def test_nothing_new_leaves_every_mart_with_a_span(lakehouse):
    _refine(lakehouse, "i1", date(2024, 3, 1))
    _built(lakehouse)
    scope = _plan(lakehouse)
    assert scope.changed_dates == [] and scope.rebuilt == ["every_day"]


@pytest.mark.parametrize("change, reason", [
    ("vars", "the dbt project or its vars changed"),
    ("model", "the dbt project or its vars changed"),
    ("description", "the dbt project or its vars changed"),
    ("seed", "the dbt project or its vars changed"),
    ("macro", "the dbt project or its vars changed"),
    ("accounts", "silver's accounts changed"),
])
def test_what_could_change_any_mart_rebuilds_every_mart(lakehouse, project, change, reason):
    _refine(lakehouse, "i1", date(2024, 3, 1))
    _built(lakehouse)
    _refine(lakehouse, "i2", date(2024, 5, 19))
    dbt_vars = VARS
    edited = {"model": "models/intermediate/int_days.sql", "description": "models/marts/_marts.yml",
              "seed": "seeds/industries.csv", "macro": "macros/growth.sql"}
    if change == "vars":
        dbt_vars = {**VARS, "suppression_min_customers": 5}
    elif change in edited:
        path = project / edited[change]
        path.write_text(path.read_text() + "\n-- edited\n")
    else:
        _accounts(lakehouse)  # a new snapshot refined: a new version of silver.accounts
    scope = _plan(lakehouse, dbt_vars)
    assert scope.rebuilt == MARTS and scope.reason.startswith(reason) and scope.seeds_left == []


def test_the_projects_build_artifacts_are_not_part_of_it(project):
    before = mart_scope.project_fingerprint(project, VARS)
    (project / "target" / "manifest.json").write_text('{"another": "parse"}')
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("a build")
    assert mart_scope.project_fingerprint(project, VARS) == before


def test_a_failed_build_is_not_recorded_so_the_next_one_sees_its_days_too(lakehouse):
    _refine(lakehouse, "i1", date(2024, 3, 1))
    _built(lakehouse)
    _refine(lakehouse, "i2", date(2023, 6, 1))
    _plan(lakehouse)  # planned, then the build failed: not recorded
    _refine(lakehouse, "i3", date(2024, 5, 19))
    scope = _plan(lakehouse)
    assert scope.changed_dates == [date(2023, 6, 1), date(2024, 5, 19)] and scope.left == []


def test_a_missing_mart_table_is_rebuilt(lakehouse):
    _refine(lakehouse, "i1", date(2024, 3, 1))
    _built(lakehouse)
    storage.mart_path(lakehouse, "fig_window").rename(lakehouse / "moved")
    assert "fig_window" in _plan(lakehouse).rebuilt


def test_a_span_is_widened_to_whole_months_and_a_week_around_them():
    node = _node("fig", ["window_end", "window_start"])
    first, last = mart_scope.span_of(node, VARS)
    assert first == date(2023, 2, 1) - timedelta(days=6) and last == date(2024, 3, 31) + timedelta(days=6)
    assert mart_scope.span_of(_node("all", None), VARS) is None
    with pytest.raises(ValueError, match="fig: meta.event_span names 'nope'"):
        mart_scope.span_of(_node("fig", ["nope"]), VARS)


def test_the_build_selects_everything_but_the_marts_left():
    scope = mart_scope.MartScope(rebuilt=["fig_period"], left=["fig_window", "findings"], seeds_left=["industries"])
    assert mart_scope.selectors(_manifest(), scope) == ["source:*", "every_day", "fig_period", "int_days", "products"]
