"""Where everything the pipeline keeps lives: the one module that builds a location.

Two roots come from the settings: the lakehouse (`paths.lakehouse`: Delta tables) and the output
folder (`paths.output`: the report, the gates' state and Data Docs, dbt's artifacts, MLflow's
default store, logs). Every other module asks here for a location instead of joining path parts:

    <lakehouse>/<schema>/<table>                Delta tables of the pipeline: bronze, silver, ops
    <lakehouse>/gold/<dbt schema>/<table>       dbt's tables (location_root in dbt_project.yml)
    <lakehouse>/_sodai.lock                     the run lock
    <output>/report.json, gates/latest.json, gx/, dbt/{target,logs,docs}, mlflow/, logs/, site/

It also checks the two roots before a command works on them. A landing location that does not
exist is almost always a typo in `paths.landing`: ingesting "nothing new" from it would succeed
silently. So a missing or unreadable landing stops the command, naming it; an existing, empty
landing is a normal case, reported by the ingest. A lakehouse that cannot be created or written
stops the command before any stage starts.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class Table(Protocol):
    """Anything that names a lakehouse table: TableName here, jobs.lakehouse.TableSpec."""

    schema: str
    name: str


@dataclass(frozen=True)
class TableName:
    """A table of the lakehouse by schema and name (`ops.pipeline_runs`)."""

    schema: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


# --- the lakehouse ---------------------------------------------------------------------------------

DBT_ROOT = "gold"  # dbt's schemas (reference, staging, intermediate, marts) live under <lakehouse>/gold
LOCK_FILE = "_sodai.lock"


def table_path(lakehouse: Path, table: Table) -> Path:
    """<lakehouse>/<schema>/<table>."""
    return Path(lakehouse) / table.schema / table.name


def dbt_table_path(lakehouse: Path, dbt_schema: str, name: str) -> Path:
    """A table dbt builds: <lakehouse>/gold/<dbt schema>/<table>."""
    return Path(lakehouse) / DBT_ROOT / dbt_schema / name


def mart_path(lakehouse: Path, mart: str) -> Path:
    return dbt_table_path(lakehouse, "marts", mart)


def is_delta_table(path: Path) -> bool:
    return (Path(path) / "_delta_log").is_dir()


def schema_tables(lakehouse: Path) -> list[Path]:
    """The Delta tables at <lakehouse>/<schema>/<table> (not dbt's, one level deeper), sorted."""
    return [log.parent for log in sorted(Path(lakehouse).glob("*/*/_delta_log"))]


def lock_path(lakehouse: Path) -> Path:
    return Path(lakehouse) / LOCK_FILE


# --- the output folder ----------------------------------------------------------------------------


def report_path(output: Path) -> Path:
    return Path(output) / "report.json"


def gates_state_path(output: Path) -> Path:
    return Path(output) / "gates" / "latest.json"


def gx_project_root(output: Path) -> Path:
    """Great Expectations' file context: <output>/gx (suites, checkpoints, results, Data Docs)."""
    return Path(output)


def data_docs_dir(output: Path) -> Path:
    return Path(output) / "gx" / "data_docs"


def dbt_target_dir(output: Path) -> Path:
    return Path(output) / "dbt" / "target"


def dbt_logs_dir(output: Path) -> Path:
    return Path(output) / "dbt" / "logs"


def dbt_docs_dir(output: Path) -> Path:
    return Path(output) / "dbt" / "docs"


def mlflow_store_dir(output: Path) -> Path:
    """MLflow's default store (tracking.uri unset): its SQLite database and artifacts."""
    return Path(output) / "mlflow"


def mlflow_database_path(output: Path) -> Path:
    return mlflow_store_dir(output) / "mlflow.db"


def mlflow_artifacts_dir(output: Path) -> Path:
    return mlflow_store_dir(output) / "artifacts"


def engine_logs_dir(output: Path) -> Path:
    return Path(output) / "logs"


def spark_warehouse_dir(output: Path) -> Path:
    return Path(output) / "spark-warehouse"


def site_export_dir(output: Path) -> Path:
    return Path(output) / "site"


# --- checks -------------------------------------------------------------------------------------


class StorageError(ValueError):
    """A configured location cannot be used (exit code 2: configuration)."""


def require_landing(landing: Path) -> None:
    """The landing location exists, is a folder, and can be listed and read."""
    path = Path(landing)
    if not path.exists():
        raise StorageError(f"landing location {path} does not exist (paths.landing, SODAI__PATHS__LANDING); "
                           "create it, or point the setting at the folder telemetry lands in")
    if not path.is_dir():
        raise StorageError(f"landing location {path} is not a folder (paths.landing)")
    if not os.access(path, os.R_OK | os.X_OK):
        raise StorageError(f"landing location {path} cannot be read by this user (paths.landing)")


def require_writable_lakehouse(lakehouse: Path) -> None:
    """The lakehouse location exists (created if need be) and accepts a new file."""
    path = Path(lakehouse)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".sodai-write-check-"):
            pass
    except OSError as error:
        raise StorageError(f"lakehouse location {path} cannot be created or written (paths.lakehouse, "
                           f"SODAI__PATHS__LAKEHOUSE): {error.strerror or error}") from error
