"""Where everything the pipeline keeps lives: the one module that builds a location, on a local
disk or in an object store.

Three locations come from the settings: the landing zone (`paths.landing`: telemetry files), the
lakehouse (`paths.lakehouse`: Delta tables) and the output folder (`paths.output`: the report, the
gates' state and Data Docs, dbt's artifacts, MLflow's default store, logs). Landing and lakehouse
are a local path or an object-store URI (`s3://bucket/prefix`); the output folder is always local.
Every other module asks here for a location instead of joining path parts:

    <lakehouse>/<schema>/<table>                Delta tables of the pipeline: bronze, silver, ops
    <lakehouse>/gold/<dbt schema>/<table>       dbt's tables (location_root in dbt_project.yml)
    <lakehouse>/_sodai.lock                     the run lock (a lease object on an object store)
    <output>/report.json, gates/latest.json, gx/, dbt/{target,logs,docs}, mlflow/, logs/, site/

A location is a `UPath` (universal_pathlib): pathlib's API over fsspec, so `location / "x"`,
`.is_dir()`, `.rglob()` and `.open()` mean the same on a disk and in a bucket, and a local
location is a plain `pathlib.Path`. Each consumer of a location gets its settings from here:

- files (listing and reading the landing zone, the run lock): fsspec, through the UPath;
- Delta tables read and written in-process (deltalake): `open_delta`, `write_delta`;
- the engines: `sail_environment` (the Sail server reads its object store from its environment)
  and `spark_conf` (the JVM engine's s3a settings).

Credentials are never settings: every client takes them from the standard chain of its store
(for S3: the environment, the shared profile, the instance or pod role). The endpoint of an
S3-compatible store and the region are settings (`object_store`).

It also checks the locations before a command works on them. A landing location that does not
exist is almost always a typo in `paths.landing`: ingesting "nothing new" from it would succeed
silently. So a missing or unreadable landing stops the command, naming it; an existing, empty
landing is a normal case, reported by the ingest. A lakehouse that cannot be created or written
stops the command before any stage starts.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict
from upath import UPath

Location = UPath  # a local path (a pathlib.Path too) or an object-store URI with its client settings

LOCAL_PROTOCOLS = ("", "file", "local")
S3_SCHEMES = ("s3", "s3a")  # s3a:// (Hadoop's name) is read as s3://, the name every other client uses


class ObjectStoreConfig(BaseModel):
    """How to reach an S3-compatible store (settings section `object_store`). Both are optional:
    on AWS the region comes from the standard chain, and the endpoint is AWS's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint_url: str | None = None  # an S3-compatible store, e.g. http://127.0.0.1:9000
    region: str | None = None

    @property
    def allow_http(self) -> bool:
        return (self.endpoint_url or "").startswith("http://")


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


# --- locations ------------------------------------------------------------------------------------


def _s3_options(store: ObjectStoreConfig) -> dict[str, Any]:
    """s3fs's settings. No listing cache: the engines write the same prefixes behind its back."""
    client: dict[str, Any] = {}
    if store.endpoint_url:
        client["endpoint_url"] = store.endpoint_url
    if store.region:
        client["region_name"] = store.region
    options: dict[str, Any] = {"use_listings_cache": False}
    if client:
        options["client_kwargs"] = client
    if store.endpoint_url:  # S3-compatible stores address buckets by path, not by host name
        options["config_kwargs"] = {"s3": {"addressing_style": "path"}}
    return options


def location(value: str | os.PathLike, store: ObjectStoreConfig | None = None, base: Path | None = None) -> Location:
    """A configured location: a URI (`s3://bucket/prefix`, `abfss://...`, `gs://...`) or a local
    path, relative ones taken from `base`."""
    text = os.fspath(value) if not isinstance(value, str) else value
    scheme, sep, rest = text.partition("://")
    if not sep or scheme == "file":
        path = Path(rest if sep else text)
        if not path.is_absolute():  # an absolute path stays as written (a symlinked mount keeps its name)
            path = ((base or Path.cwd()) / path).resolve()
        return UPath(path)
    if scheme in S3_SCHEMES:
        return UPath(f"s3://{rest.rstrip('/')}", **_s3_options(store or ObjectStoreConfig()))
    # Other stores (adlfs for abfss://, gcsfs for gs://) read their settings from the environment.
    return UPath(text.rstrip("/"))


def as_location(where: Location | Path | str) -> Location:
    """`where` as a Location: one already is (it keeps its store's settings); a path or URI is read."""
    return where if isinstance(where, UPath) else location(where)


def is_local(where: Location | Path) -> bool:
    return not isinstance(where, UPath) or where.protocol in LOCAL_PROTOCOLS


def uri(where: Location | Path) -> str:
    """The location as every engine and deltalake name it: an absolute path, or `s3://...`."""
    return str(where)


def store_name(where: Location | Path) -> str:
    """The store a location is in, for error messages: "s3://bucket at http://host:port"."""
    if is_local(where):
        return f"local disk ({where})"
    bucket = str(where).split("://", 1)[1].split("/", 1)[0]
    endpoint = (where.storage_options.get("client_kwargs") or {}).get("endpoint_url")
    return f"{where.protocol}://{bucket}" + (f" at {endpoint}" if endpoint else "")


def like(root: Location, text: str) -> Location:
    """A location given as text (a table's location in a catalog), with `root`'s store settings."""
    if is_local(root):
        return location(text)
    return UPath(text.rstrip("/"), **dict(root.storage_options))


@dataclass(frozen=True)
class FileEntry:
    """A file found under a location: its path relative to that location, size and modification time."""

    relative: str  # "/"-separated
    size: int
    mtime_ns: int


def list_files(root: Location | Path, under: str) -> list[FileEntry]:
    """Every file below `root/under`, in path order, from one listing: a walk of the disk, or
    the store's paginated listing (one request per thousand keys, not one per file)."""
    root = as_location(root)
    base = root / under
    if is_local(root):
        base_path = Path(base)
        if not base_path.is_dir():
            return []
        found = [FileEntry(p.relative_to(root).as_posix(), (st := p.stat()).st_size, st.st_mtime_ns)
                 for p in base_path.rglob("*") if p.is_file()]
    else:
        prefix = root.path.rstrip("/") + "/"
        found = []
        for key, info in base.fs.find(base.path, detail=True).items():
            if info.get("type") != "file" or not key.startswith(prefix):
                continue
            modified = info.get("LastModified") or info.get("last_modified") or info.get("mtime")
            stamp = modified.timestamp() if hasattr(modified, "timestamp") else float(modified or 0)
            found.append(FileEntry(key[len(prefix):], int(info["size"]), int(round(stamp * 1e9))))
    return sorted(found, key=lambda f: f.relative)


# --- Delta tables read and written in-process (deltalake) -----------------------------------------


def delta_storage_options(where: Location | Path) -> dict[str, str] | None:
    """deltalake's settings for a table's store (credentials come from the environment's chain)."""
    if is_local(where) or where.protocol not in S3_SCHEMES:
        return None
    client = where.storage_options.get("client_kwargs") or {}
    options: dict[str, str] = {}
    if client.get("endpoint_url"):
        options["AWS_ENDPOINT_URL"] = client["endpoint_url"]
        if client["endpoint_url"].startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    if client.get("region_name"):
        options["AWS_REGION"] = client["region_name"]
    return options


def open_delta(where: Location | Path, version: int | None = None):
    """The Delta table at `where` (deltalake), at its current or a given version."""
    from deltalake import DeltaTable

    return DeltaTable(uri(where), version=version, storage_options=delta_storage_options(where))


def write_delta(where: Location | Path, data, **options) -> None:
    """deltalake's write_deltalake to `where` (append, overwrite: as `options` say)."""
    from deltalake import write_deltalake

    write_deltalake(uri(where), data, storage_options=delta_storage_options(where), **options)


def is_delta_table(where: Location | Path) -> bool:
    return (UPath(where) if not isinstance(where, UPath) else where).joinpath("_delta_log").is_dir()


# --- the engines ----------------------------------------------------------------------------------


def sail_environment(store: ObjectStoreConfig, environ: dict[str, str] | None = None) -> dict[str, str]:
    """What the Sail server needs in its environment to reach the store (it reads no other
    setting). It refuses to start an S3 client without a region: us-east-1 unless one is set,
    which S3-compatible stores ignore."""
    environ = os.environ if environ is None else environ
    env = {"AWS_REGION": store.region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"}
    if store.endpoint_url:
        env["AWS_ENDPOINT_URL"] = store.endpoint_url
        if store.allow_http:
            env["AWS_ALLOW_HTTP"] = "true"
    return env


def mlflow_environment(store: ObjectStoreConfig) -> dict[str, str]:
    """What MLflow's S3 artifact repository (boto3) reads from the environment to reach the
    store: MLflow takes no other setting for it. Credentials stay with boto3's standard chain."""
    env = {}
    if store.endpoint_url:
        env["MLFLOW_S3_ENDPOINT_URL"] = store.endpoint_url
    if store.region:
        env["AWS_DEFAULT_REGION"] = store.region
    return env


def spark_conf(store: ObjectStoreConfig) -> dict[str, str]:
    """The JVM engine's settings for s3:// (Hadoop's S3A client, from jars/pom.xml). s3:// is
    mapped to S3A so that every client names a location alike; credentials come from S3A's
    default chain (environment, profile, instance role)."""
    conf = {
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.AbstractFileSystem.s3.impl": "org.apache.hadoop.fs.s3a.S3A",
    }
    if store.endpoint_url:
        conf |= {
            "spark.hadoop.fs.s3a.endpoint": store.endpoint_url,
            "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": "false" if store.allow_http else "true",
        }
    if store.region:
        conf["spark.hadoop.fs.s3a.endpoint.region"] = store.region
    return conf


# --- the lakehouse ---------------------------------------------------------------------------------

DBT_ROOT = "gold"  # dbt's schemas (reference, staging, intermediate, marts) live under <lakehouse>/gold
LOCK_FILE = "_sodai.lock"


def table_path(lakehouse: Location | Path, table: Table) -> Location:
    """<lakehouse>/<schema>/<table>."""
    return as_location(lakehouse) / table.schema / table.name


def dbt_table_path(lakehouse: Location | Path, dbt_schema: str, name: str) -> Location:
    """A table dbt builds: <lakehouse>/gold/<dbt schema>/<table>."""
    return as_location(lakehouse) / DBT_ROOT / dbt_schema / name


def mart_path(lakehouse: Location | Path, mart: str) -> Location:
    return dbt_table_path(lakehouse, "marts", mart)


def schema_tables(lakehouse: Location | Path) -> list[Location]:
    """The Delta tables at <lakehouse>/<schema>/<table> (not dbt's, one level deeper), sorted."""
    root = as_location(lakehouse)
    if not root.is_dir():
        return []
    tables = [table for schema in root.iterdir() if schema.is_dir() for table in schema.iterdir()
              if not table.name.startswith((".", "_")) and is_delta_table(table)]
    return sorted(tables, key=str)


def lock_path(lakehouse: Location | Path) -> Location:
    return as_location(lakehouse) / LOCK_FILE


# --- the output folder ----------------------------------------------------------------------------


def report_path(output: Path) -> Path:
    return Path(output) / "report.json"


def publications_dir(output: Path) -> Path:
    """Every published report.json, kept (sodai/publications.py)."""
    return Path(output) / "publications"


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


def report_pdf_path(output: Path, language: str) -> Path:
    """The printed report in one language (`sodai export-pdf`), beside report.json."""
    return Path(output) / f"report-{language}.pdf"


# --- the publication prefix (paths.publish) -----------------------------------------------------


def published_report_path(publish: Location) -> Location:
    return publish / "report.json"


def published_site_dir(publish: Location) -> Location:
    return publish / "site"


def published_pdf_path(publish: Location, language: str) -> Location:
    return publish / f"report-{language}.pdf"


def write_whole(target: Location | Path, data: bytes) -> Location:
    """Write `data` to `target` so that no reader sees it half written: one put in a store (an
    object appears complete), a `.tmp` sibling (which no scan of the landing reads) and an
    atomic rename on a disk."""
    target = as_location(target)
    if not is_local(target):
        target.write_bytes(data)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:  # the umask's mode (0644 usually): readable by a web server
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)  # the previous file stays, and no stray one
        raise
    return target


def put_file(local: Path, target: Location) -> Location:
    """Copy a local file to `target` whole (write_whole)."""
    return write_whole(target, Path(local).read_bytes())


# --- checks -------------------------------------------------------------------------------------


class StorageError(ValueError):
    """A configured location cannot be used (exit code 2: configuration)."""


def _object_store_error(where: Location, setting: str, error: Exception) -> StorageError:
    return StorageError(f"{setting} {where}: the object store {store_name(where)} cannot be reached or "
                        f"refused the request ({type(error).__name__}: {error}); check the endpoint "
                        "(object_store.endpoint_url), the bucket and the credentials of the environment")


def unreachable(where: Location | Path) -> str | None:
    """Why the store holding `where` does not answer now (None: it answers, or it is a disk).
    Asked after a stage failed, so that an outage is named as one instead of as the first error
    some client happened to raise."""
    if is_local(where):
        return None
    try:
        where.fs.ls(where.path.split("/", 1)[0], detail=False, refresh=True)
    except Exception as error:  # connection refused, timeouts, DNS, credentials refused
        return f"the object store {store_name(where)} does not answer ({type(error).__name__}: {error})"
    return None


def require_landing(landing: Location | Path) -> None:
    """The landing location exists, is a folder, and can be listed and read. In an object store
    a prefix exists only while something is under it, so there it is the bucket that must exist
    and answer; an empty prefix is an empty landing zone."""
    if not is_local(landing):
        try:
            landing.fs.ls(landing.path, detail=False)
        except FileNotFoundError:
            bucket = landing.path.split("/", 1)[0]
            if not landing.fs.exists(bucket):
                raise StorageError(f"landing location {landing}: bucket {bucket} does not exist in "
                                   f"{store_name(landing)} (paths.landing)") from None
        except Exception as error:
            raise _object_store_error(landing, "landing location", error) from error
        return
    path = Path(landing)
    if not path.exists():
        raise StorageError(f"landing location {path} does not exist (paths.landing, SODAI__PATHS__LANDING); "
                           "create it, or point the setting at the folder telemetry lands in")
    if not path.is_dir():
        raise StorageError(f"landing location {path} is not a folder (paths.landing)")
    if not os.access(path, os.R_OK | os.X_OK):
        raise StorageError(f"landing location {path} cannot be read by this user (paths.landing)")


def require_writable_lakehouse(lakehouse: Location | Path) -> None:
    """The lakehouse location exists (created if need be) and accepts a new file."""
    if not is_local(lakehouse):
        probe = lakehouse / f".sodai-write-check-{uuid.uuid4().hex}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except Exception as error:
            raise _object_store_error(lakehouse, "lakehouse location", error) from error
        return
    path = Path(lakehouse)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".sodai-write-check-"):
            pass
    except OSError as error:
        raise StorageError(f"lakehouse location {path} cannot be created or written (paths.lakehouse, "
                           f"SODAI__PATHS__LAKEHOUSE): {error.strerror or error}") from error
