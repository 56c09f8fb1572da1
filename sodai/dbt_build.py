"""Silver -> gold: the dbt project (`dbt_project/`), built in-process on the pipeline's session.

dbt-spark's `session` method asks pyspark for a session on every statement
(`SparkSession.builder.getOrCreate()`): the calling thread's active Spark Connect session, else the
process's default one. The pipeline's session is made both for the invocation, so dbt runs on the
pipeline's engine and sees its catalog (docs/dbt.md, "Catalogs across sessions").
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from pyspark.sql.connect.session import SparkSession

from jobs import storage
from jobs.failpoints import failpoint
from sodai import mart_scope
from sodai.catalog import missing_views, point_catalog_at
from sodai.config import Settings
from sodai.engine import current_session

# Statuses dbt gives a node that did not do its job (a test that found rows is `fail`).
FAILED = frozenset({"error", "fail", "runtime error"})
BUILT_TYPES = frozenset({"model", "seed", "snapshot"})


class TransformError(RuntimeError):
    """dbt did not build the gold layer: a model, seed or hook errored, or a test failed."""

    def __init__(self, message: str, report: "TransformReport | None" = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class NodeResult:
    """One node of a dbt invocation, as dbt reported it."""

    unique_id: str
    name: str
    resource_type: str  # model, seed, test, operation (hooks), ...
    status: str  # success, error, skipped (models, seeds, hooks); pass, warn, fail, error (tests)
    execution_time: float
    rows_affected: int | None = None
    failures: int | None = None
    message: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in FAILED


@dataclass
class TransformReport:
    """What one `dbt build` did: per-node results, the invocation id, where its artifacts are."""

    command: str
    invocation_id: str
    nodes: list[NodeResult]
    elapsed_s: float
    target_path: Path
    marts: "mart_scope.MartScope | None" = None  # which marts were rebuilt and left (whole-project builds)

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.failed]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def built(self) -> list[NodeResult]:
        """Models, seeds and snapshots written."""
        return [n for n in self.nodes if n.resource_type in BUILT_TYPES and n.status == "success"]

    @property
    def tests(self) -> Counter:
        """Test outcomes by status (pass, warn, fail, error, skipped)."""
        return Counter(n.status for n in self.nodes if n.resource_type in ("test", "unit_test"))


@dataclass(frozen=True)
class DocsReport:
    path: Path  # the docs folder (index.html)
    generated: bool  # False: the docs there already describe this project and vars


@dataclass(frozen=True)
class DbtPaths:
    """Where the project is read from and where dbt writes (under the output folder)."""

    project_dir: Path
    profiles_dir: Path
    target_path: Path
    log_path: Path

    @property
    def docs_path(self) -> Path:
        """dbt docs (index.html, manifest, catalog), published with the report."""
        return storage.dbt_docs_dir(self.target_path.parent.parent)

    @classmethod
    def of(cls, settings: Settings) -> "DbtPaths":
        project = settings.resolve(settings.dbt.project_dir)
        profiles = settings.resolve(settings.dbt.profiles_dir) if settings.dbt.profiles_dir else project
        return cls(project, profiles, storage.dbt_target_dir(settings.output), storage.dbt_logs_dir(settings.output))


def dbt_vars(settings: Settings) -> dict[str, Any]:
    """The --vars of every invocation: the report parameters, the data tests' thresholds and the
    absolute lakehouse root."""
    quality = settings.quality
    return {**settings.report.model_dump(mode="json"), "lakehouse": str(settings.lakehouse),
            "share_tolerance": quality.share_tolerance,
            "unclassified_library_share_warn": quality.warn.unclassified_library_share}


def dbt_args(settings: Settings, command: list[str], target_path: Path | None = None) -> list[str]:
    """`dbt <command>` on this project with the pipeline's paths and vars."""
    paths = DbtPaths.of(settings)
    return [
        *command,
        "--project-dir", str(paths.project_dir),
        "--profiles-dir", str(paths.profiles_dir),
        "--target-path", str(target_path or paths.target_path),
        "--log-path", str(paths.log_path),
        "--log-level", settings.dbt.log_level,
        "--vars", json.dumps(dbt_vars(settings), sort_keys=True),
    ]


@contextmanager
def bound_session(spark: SparkSession, url: str, lakehouse: Path) -> Iterator[None]:
    """Make `spark` the session dbt-spark gets from pyspark, for the duration of the block.

    It becomes the process's default Connect session (dbt's worker threads have no active one)
    and this thread's active one. pyspark's classic builder also insists on a URL in
    SPARK_REMOTE before it looks for an existing session; SODAI_LAKEHOUSE is set for any macro
    that reads it. Both are restored afterwards: SPARK_REMOTE left behind would make the next
    `load_settings()` in this process select the remote engine.
    """
    environ = {"SPARK_REMOTE": url, "SODAI_LAKEHOUSE": str(lakehouse)}
    saved_environ = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    try:
        with current_session(spark), warnings.catch_warnings():
            # dbt-spark asks every session for Hive support, a static setting a running server
            # refuses: the JVM engine warns once per statement.
            warnings.filterwarnings("ignore", message=".*spark.sql.catalogImplementation", category=UserWarning)
            yield
    finally:
        for name, value in saved_environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _node_callback(on_node: Callable[[str, str], None] | None) -> list[Callable]:
    def callback(event) -> None:
        if event.info.name == "NodeFinished":
            info = event.data.node_info
            failpoint(f"transform.after_node.{info.node_name}")  # recovery tests: a kill mid-build
            if on_node is not None:
                on_node(info.node_name, info.node_status)

    return [callback]


def _node_results(execution) -> list[NodeResult]:
    nodes = []
    for result in getattr(execution, "results", None) or []:
        node = result.node
        rows = (result.adapter_response or {}).get("rows_affected")
        nodes.append(NodeResult(
            unique_id=node.unique_id, name=node.name, resource_type=str(node.resource_type),
            status=str(result.status), execution_time=round(float(result.execution_time or 0), 3),
            rows_affected=rows if isinstance(rows, int) and rows >= 0 else None,
            failures=result.failures, message=result.message,
        ))
    return nodes


def _first_line(text: str | None) -> str:
    return (str(text or "").strip().splitlines() or [""])[0]


def _reason(result, paths: DbtPaths) -> str:
    """Why an invocation failed without a failed node: dbt's exception, else where its log is."""
    return _first_line(str(result.exception or "")) or f"see {paths.log_path / 'dbt.log'}"


def _failure_message(report: TransformReport) -> str:
    failed = report.failures
    parts = [f"{n.resource_type} {n.name}: {_first_line(n.message) or n.status}" for n in failed]
    return f"dbt {report.command} failed ({len(failed)} of {len(report.nodes)} nodes): " + "; ".join(parts)


def _invoke(settings: Settings, command: list[str], manifest=None, callbacks: list | None = None,
            target_path: Path | None = None):
    from dbt.cli.main import dbtRunner

    return dbtRunner(manifest=manifest, callbacks=callbacks or []).invoke(dbt_args(settings, command, target_path))


def _parse(settings: Settings, target_path: Path | None = None):
    """The project's manifest (parsed with the pipeline's vars, so locations are this lakehouse's)."""
    result = _invoke(settings, ["parse"], target_path=target_path)
    if not result.success or result.result is None:
        raise TransformError(f"dbt parse failed: {_reason(result, DbtPaths.of(settings))}")
    return result.result


def parse_manifest_json(settings: Settings, target_path: Path) -> dict[str, Any]:
    """`dbt parse` into `target_path` (no engine needed) and its manifest.json, as publish reads it
    after a build."""
    _parse(settings, target_path)
    return json.loads((target_path / "manifest.json").read_text())


def _prepare_catalog(settings: Settings, spark: SparkSession, manifest, views: bool) -> None:
    """Point the session's catalog at this lakehouse's tables (sodai/catalog.py) and, with `views`,
    `dbt run` the view models the session does not hold (a statement each, no tests): before a
    selective build, whose tests may read a view it does not build, and before the docs, whose
    compilation queries the staging views. A view has no location to declare it from."""
    point_catalog_at(spark, manifest, settings.lakehouse)
    missing = missing_views(spark, manifest) if views else []
    if missing:
        result = _invoke(settings, ["run", "--select", *missing], manifest)
        if not result.success:
            raise TransformError(f"dbt run of the views {', '.join(missing)} failed: {_reason(result, DbtPaths.of(settings))}")


def transform(
    settings: Settings,
    spark: SparkSession,
    url: str,
    select: list[str] | None = None,
    full_refresh: bool = False,
    exclude: list[str] | None = None,
    on_node: Callable[[str, str], None] | None = None,
    data_tests: bool = True,
) -> TransformReport:
    """`dbt build` of the project on this session (`url` is its engine's Spark Connect URL);
    without its data tests with `data_tests` false (they are the gold gate: off with the gates).

    Raises TransformError naming every failed model, seed, hook or test; warnings do not fail.
    """
    from dbt_common.invocation import get_invocation_id

    paths = DbtPaths.of(settings)
    command = ["build", "--threads", str(settings.dbt.threads)]
    for selector in select or ():
        command += ["--select", selector]
    for selector in exclude or ():
        command += ["--exclude", selector]
    if not data_tests:
        command += ["--exclude", "resource_type:test"]
    if full_refresh:
        command.append("--full-refresh")
    # The whole project (no selection of the caller's): marts no new event can change are left as
    # they are, and the build is recorded so that the next one can tell (sodai/mart_scope.py).
    whole_project = not select and not exclude
    started = time.perf_counter()
    with bound_session(spark, url, settings.lakehouse):
        manifest = _parse(settings)
        try:
            scope = mart_scope.plan(settings.lakehouse, paths.project_dir, manifest, dbt_vars(settings),
                                    everything=full_refresh, data_tests=data_tests) if whole_project else None
        except ValueError as error:  # a mart's event_span names no report parameter
            raise TransformError(f"dbt project {paths.project_dir}: {error}") from None
        if scope is not None and (scope.left or scope.seeds_left):
            command += ["--select", *mart_scope.selectors(manifest, scope)]
        _prepare_catalog(settings, spark, manifest, views=bool(select))
        result = _invoke(settings, command, manifest, _node_callback(on_node))
        invocation_id = get_invocation_id()
    report = TransformReport(
        command="build", invocation_id=invocation_id, nodes=_node_results(result.result),
        elapsed_s=time.perf_counter() - started, target_path=paths.target_path, marts=scope,
    )
    if report.failures:
        raise TransformError(_failure_message(report), report)
    if not result.success:
        raise TransformError(f"dbt build failed: {_reason(result, paths)}", report)
    if scope is not None:
        mart_scope.record(settings.lakehouse, scope)
    return report


DOCS_FINGERPRINT = "project_fingerprint.txt"  # beside the docs: the project and vars they describe


def docs(settings: Settings, spark: SparkSession, url: str) -> DocsReport:
    """`dbt docs generate` into <output>/dbt/docs (index.html, catalog.json).

    Its own folder: docs generate writes run_results.json too, and the build's (its invocation id
    is the report's provenance) must survive it. Not generated again while the docs there describe
    this project's files with these vars (sodai/mart_scope.py's fingerprint): the docs are its
    descriptions, and the catalog its tables' columns and types, with no statistics."""
    paths = DbtPaths.of(settings)
    marker = paths.docs_path / DOCS_FINGERPRINT
    fingerprint = mart_scope.project_fingerprint(paths.project_dir, dbt_vars(settings))
    current = all((paths.docs_path / name).is_file() for name in ("index.html", "catalog.json", "manifest.json"))
    if current and marker.is_file() and marker.read_text() == fingerprint:
        return DocsReport(paths.docs_path, generated=False)
    marker.unlink(missing_ok=True)
    with bound_session(spark, url, settings.lakehouse):
        manifest = _parse(settings)
        _prepare_catalog(settings, spark, manifest, views=True)
        result = _invoke(settings, ["docs", "generate"], manifest, target_path=paths.docs_path)
    if not result.success:
        raise TransformError(f"dbt docs generate failed: {_reason(result, paths)}")
    marker.write_text(fingerprint)
    return DocsReport(paths.docs_path, generated=True)
