"""Which marts a `dbt build` rebuilds, and which it may leave as they are.

The intermediate models are incremental: a build recomputes only the days or months that received
silver rows (dbt_project/macros/incremental.sql). The marts are tables rebuilt from them. Most of
them read a span of event dates only (the report window, the foundation-model period, a quarter),
declared beside their SQL as `meta.event_span` in the mart's yml: the report parameters (dbt vars)
its SQL filters event dates by. A day's telemetry that falls outside a mart's span cannot change it,
so a scheduled day after the report window rebuilds the few marts that follow the telemetry's end
rather than all of them, and their tests run with them.

A build leaves a mart as it is only when all of these hold, and rebuilds every mart otherwise:
- gold was built before and the build was recorded here (ops.gold_builds, written with deltalake
  after a build that passed), of the same project (every file dbt reads of it) with the same vars
  (the report parameters, the quality thresholds), its data tests run as in this build;
- silver's accounts dimension is the version that build read (a new snapshot can move any customer
  to another industry);
- the mart's table exists;
- no silver row refined since that build has an event date within the mart's span, widened to the
  whole months and weeks around it (the marts count by month and by Monday-started week);
- no mart it reads is rebuilt (the findings read the figure marts).
A mart without `event_span` (one that reads every date) is always rebuilt. The seeds are left too
when the project is unchanged and their tables exist: their CSV files are in the fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa

from jobs import storage
from jobs.storage import TableName
from sodai.delta_read import read_arrow

TABLE = TableName("ops", "gold_builds")
SCHEMA = pa.schema(
    [
        ("built_at", pa.timestamp("us", tz="UTC")),
        ("project_fingerprint", pa.string()),  # the dbt project's files and the vars
        ("refined_through", pa.timestamp("us", tz="UTC")),  # newest refine ledger entry the build read
        ("accounts_version", pa.int64()),  # silver.accounts' Delta version the build read (-1: none)
        ("rebuilt_marts", pa.list_(pa.string())),
    ]
)
SPAN_KEY = "event_span"
# A span's dates are widened to whole months, then by a week on each side: a monthly mart's month
# holds days around a month var, a weekly mart's Monday-started week days before and after a bound.
_WEEK = timedelta(days=6)


@dataclass(frozen=True)
class LastBuild:
    project_fingerprint: str
    refined_through: datetime | None
    accounts_version: int


@dataclass
class MartScope:
    """The marts this build rebuilds and leaves, and why; `record` is what the build records
    once it has passed."""

    rebuilt: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    reason: str = ""
    project_fingerprint: str = ""
    refined_through: datetime | None = None
    accounts_version: int = -1
    changed_dates: list[date] = field(default_factory=list)
    seeds_left: list[str] = field(default_factory=list)  # unchanged seeds (their files are in the fingerprint)


def table_path(lakehouse: Path) -> Path:
    return storage.table_path(lakehouse, TABLE)


# --- what the project is -----------------------------------------------------------------------------


def _marts(manifest) -> dict[str, Any]:
    """unique_id -> node of every model of the project's marts folder."""
    return {uid: node for uid, node in manifest.nodes.items()
            if getattr(node, "resource_type", None) == "model" and list(node.fqn[1:2]) == ["marts"]}


def _seeds(manifest) -> list[Any]:
    return [node for node in manifest.nodes.values() if getattr(node, "resource_type", None) == "seed"]


def _exists(lakehouse: Path, node) -> bool:
    return storage.is_delta_table(storage.dbt_table_path(lakehouse, node.schema, node.name))


# The folders of dbt_project.yml that hold what dbt reads (dbt's own defaults where it names none)
_PROJECT_FOLDERS = {"model-paths": ["models"], "seed-paths": ["seeds"], "macro-paths": ["macros"],
                    "test-paths": ["tests"]}


def project_fingerprint(project_dir: Path, dbt_vars: dict[str, Any], data_tests: bool = True) -> str:
    """One hash of the dbt project as dbt reads it, with the vars: dbt_project.yml and every file of
    its model, seed, macro and test folders (SQL, yml with its descriptions and configs, seeds'
    CSV). Any edit of the project changes it; its build artifacts (target, logs) are not read.
    A build without the data tests (quality gates off) has another: a build with them after it
    rebuilds every mart, so none is left untested."""
    import yaml

    config_file = project_dir / "dbt_project.yml"
    config = yaml.safe_load(config_file.read_text()) or {}
    files = [config_file]
    for key, default in _PROJECT_FOLDERS.items():
        for folder in config.get(key, default):
            files += [path for path in (project_dir / folder).rglob("*") if path.is_file()]
    digest = hashlib.sha256()
    for path in sorted(set(files)):
        digest.update(f"{path.relative_to(project_dir)}\0".encode() + path.read_bytes() + b"\0")
    digest.update(json.dumps(dbt_vars, sort_keys=True, default=str).encode())
    if not data_tests:
        digest.update(b"\0without data tests")
    return digest.hexdigest()[:32]


def span_of(node, dbt_vars: dict[str, Any]) -> tuple[date, date] | None:
    """The event dates a mart reads, widened (None: it reads every date)."""
    names = node.config.meta.get(SPAN_KEY)
    if not names:
        return None
    try:
        days = [date.fromisoformat(str(dbt_vars[name])) for name in names]
    except KeyError as missing:
        raise ValueError(f"{node.name}: meta.{SPAN_KEY} names {missing}, which is not a report parameter") from None
    first, last = min(days), max(days)
    month_end = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first.replace(day=1) - _WEEK, month_end + _WEEK


# --- what changed since the last build ---------------------------------------------------------------


def last_build(lakehouse: Path) -> LastBuild | None:
    path = table_path(lakehouse)
    if not storage.is_delta_table(path):
        return None
    rows = read_arrow(path, ["built_at", "project_fingerprint", "refined_through", "accounts_version"]).to_pylist()
    if not rows:
        return None
    newest = max(rows, key=lambda r: r["built_at"])
    return LastBuild(newest["project_fingerprint"], newest["refined_through"], newest["accounts_version"])


def _accounts_version(lakehouse: Path) -> int:
    from jobs.refine.tables import ACCOUNTS

    path = storage.table_path(lakehouse, ACCOUNTS)
    return storage.open_delta(path).version() if storage.is_delta_table(path) else -1


def _refine_ledger(lakehouse: Path) -> list[dict]:
    from jobs.refine.tables import REFINE_LEDGER

    path = storage.table_path(lakehouse, REFINE_LEDGER)
    return read_arrow(path, ["ingest_run_id", "recorded_at"]).to_pylist() if storage.is_delta_table(path) else []


def changed_event_dates(lakehouse: Path, runs: list[str]) -> list[date]:
    """The event dates of silver's rows from these ingest batches (every event table)."""
    from jobs.refine.tables import EVENT_TABLES

    if not runs:
        return []
    quoted = ", ".join("'" + run.replace("'", "''") + "'" for run in sorted(runs))
    dates: set[date] = set()
    for spec in EVENT_TABLES.values():
        path = storage.table_path(lakehouse, spec)
        if storage.is_delta_table(path):
            found = read_arrow(path, ["event_date"], where=f"ingest_run_id in ({quoted})").column("event_date")
            dates.update(d for d in found.unique().to_pylist() if d is not None)
    return sorted(dates)


def _descendants(marts: dict[str, Any], rebuilt: set[str]) -> set[str]:
    """`rebuilt` and every mart reading one of them, transitively."""
    grown = set(rebuilt)
    while True:
        more = {uid for uid, node in marts.items() if uid not in grown and grown & set(node.depends_on.nodes)}
        if not more:
            return grown
        grown |= more


def plan(lakehouse: Path, project_dir: Path, manifest, dbt_vars: dict[str, Any], everything: bool = False,
         data_tests: bool = True) -> MartScope:
    """Which marts this build of the project in `project_dir` (parsed: `manifest`) rebuilds: every
    one unless the conditions above hold, and every one with `everything` (a full refresh).
    `data_tests`: whether the build runs them (part of the fingerprint)."""
    marts = _marts(manifest)
    spans = {uid: span_of(node, dbt_vars) for uid, node in marts.items()}  # a wrong span fails every build
    ledger = _refine_ledger(lakehouse)
    scope = MartScope(
        project_fingerprint=project_fingerprint(project_dir, dbt_vars, data_tests),
        refined_through=max((r["recorded_at"] for r in ledger), default=None),
        accounts_version=_accounts_version(lakehouse),
    )

    def all_marts(reason: str) -> MartScope:
        scope.rebuilt, scope.left, scope.reason = sorted(node.name for node in marts.values()), [], reason
        return scope

    if everything:
        return all_marts("a full refresh")
    last = last_build(lakehouse)
    if last is None:
        return all_marts("no earlier build recorded")
    if last.project_fingerprint != scope.project_fingerprint:
        return all_marts("the dbt project or its vars changed since the last build")
    if last.accounts_version != scope.accounts_version:
        return all_marts("silver's accounts changed since the last build")
    since = last.refined_through
    new_runs = [r["ingest_run_id"] for r in ledger if since is None or r["recorded_at"] > since]
    scope.changed_dates = changed_event_dates(lakehouse, new_runs)
    direct = set()
    for uid, node in marts.items():
        span = spans[uid]
        if span is None or not _exists(lakehouse, node) or any(span[0] <= day <= span[1] for day in scope.changed_dates):
            direct.add(uid)
    rebuilt = _descendants(marts, direct)
    scope.rebuilt = sorted(marts[uid].name for uid in rebuilt)
    scope.left = sorted(marts[uid].name for uid in marts if uid not in rebuilt)
    scope.seeds_left = sorted(node.name for node in _seeds(manifest) if _exists(lakehouse, node))
    days = scope.changed_dates
    scope.reason = (f"silver rows of {len(days)} event date(s) since the last build"
                    + (f" ({days[0]} .. {days[-1]})" if days else ""))
    return scope


def selectors(manifest, scope: MartScope) -> list[str]:
    """`dbt build --select` of everything but the marts and seeds left: the sources (for their
    tests) and every other model, seed and snapshot by name. Not `--exclude <left marts>`: dbt
    would then drop every test reading a left mart, those of rebuilt marts among them (a test
    comparing the suppression of four marts); selected this way, a test runs when any mart it
    reads is rebuilt."""
    left = set(scope.left) | set(scope.seeds_left)
    return ["source:*", *sorted(node.name for node in manifest.nodes.values()
                                if getattr(node, "resource_type", None) in ("model", "seed", "snapshot")
                                and node.name not in left)]


def record(lakehouse: Path, scope: MartScope) -> None:
    """The build that `scope` planned passed: every mart is current as of its refine ledger."""
    row = {
        "built_at": [datetime.now(timezone.utc)], "project_fingerprint": [scope.project_fingerprint],
        "refined_through": [scope.refined_through], "accounts_version": [scope.accounts_version],
        "rebuilt_marts": [scope.rebuilt],
    }
    storage.write_delta(table_path(lakehouse), pa.table(row, schema=SCHEMA), mode="append")
