"""The one session factory: a Spark Connect session on the configured engine.

Every engine is reached the same way, as a Spark Connect client, so job code only ever sees the
Spark Connect DataFrame/SQL API:

- ``spark``: Apache Spark 4 on the JVM with Delta's jars, as a Spark Connect server in a child
  process on a loopback port of its own choosing (it binds port 0 and its log says which port it
  got) with a random auth token. (pyspark's own ``remote("local[*]")``
  always dials port 15002, so two pipelines, or the pipeline and a notebook, would collide; and
  its in-process JVM makes every later ``SparkSession.builder`` in the process, dbt's included,
  refuse a remote URL. A child process on its own port has neither problem.)
- ``sail``: the Sail engine's Spark Connect server (pysail) in a child process, on a loopback port
  chosen the same way; it reads its object-store settings from its environment, which the child gets alone.
- ``remote``: any ``sc://`` endpoint.

`EngineHandle.url` is the full connection string (token included) for other clients in this
process, such as dbt's session adapter; it is known once the server says it serves.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from jobs.storage import ObjectStoreConfig
from sodai.config import PROJECT_ROOT, EngineConfig, Settings

# pyspark.sql.functions dispatches on this variable: set before any session exists so that
# `from pyspark.sql import functions as F` builds Spark Connect expressions everywhere.
os.environ.setdefault("SPARK_CONNECT_MODE_ENABLED", "1")

from pyspark.sql.connect.session import SparkSession  # noqa: E402

from jobs import storage

DELTA_POM = PROJECT_ROOT / "jars" / "pom.xml"

# Runtime settings every session gets: UTC everywhere (docs/contract.md: timestamps are stored in UTC).
SESSION_CONF = {"spark.sql.session.timeZone": "UTC"}

# What a JVM Spark server needs for Delta (the local engine here; a cluster's Connect server too).
SPARK_DELTA_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    "spark.sql.session.timeZone": "UTC",
    # Delta rebuilds table state with this many tasks; the default (50) is slow on 2 cores.
    "spark.databricks.delta.snapshotPartitions": "2",
}


# What each server logs once it serves, with the port it bound. Both are started on port 0 and
# pick their own: a port picked here first could be taken by another process before the server
# binds it, and a client would then wait on that process.
SPARK_CONNECT_SERVING = re.compile(r"Spark Connect server started at: \S+:(\d+)")
SAIL_SERVING = re.compile(r"Starting the Spark Connect server on \S+:(\d+)")


class EngineError(RuntimeError):
    """The engine could not be started or reached; the message says what to do."""


@dataclass
class EngineHandle:
    """A started engine: its kind, how to wait until it serves (which gives its Spark Connect URL),
    and how to stop it."""

    kind: str
    wait_for_url: Callable[[], str] = field(repr=False)
    stop_server: Callable[[], None] = field(repr=False)
    log_path: Path | None = None
    _url: str | None = field(default=None, repr=False)
    _sessions: list[SparkSession] = field(default_factory=list, repr=False)

    @classmethod
    def at(cls, kind: str, url: str) -> EngineHandle:
        """An engine that is already serving at `url` (a remote one: nothing to start or stop)."""
        return cls(kind, lambda: url, lambda: None, _url=url)

    def ready(self) -> EngineHandle:
        """Wait until the server serves (once). EngineError if it exited or did not say it was
        serving in time; it is stopped then."""
        if self._url is None:
            self._url = self.wait_for_url()
        return self

    @property
    def url(self) -> str:
        """The full connection string (token included), once the server serves."""
        self.ready()
        assert self._url is not None
        return self._url

    def session(self) -> SparkSession:
        """A new Spark Connect session on this engine (each call: a session of its own), once
        the server serves."""
        spark = SparkSession.builder.remote(self.url).create()
        for key, value in SESSION_CONF.items():
            spark.conf.set(key, value)
        self._sessions.append(spark)
        return spark

    def stop(self) -> None:
        """Close every session opened here, then the server (a client left open on a dead
        server would retry for minutes at interpreter exit)."""
        for spark in self._sessions:
            try:
                spark.stop()
            except Exception:  # the server may already be gone; stopping must not mask an error
                pass
        self._sessions.clear()
        self.stop_server()


def free_port() -> int:
    """A port free now, for a server that cannot say which port it bound (tests and benchmarks
    use it; the engines below pick their own)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_log_line(log: Path, line: re.Pattern[str], timeout_s: float, alive: Callable[[], bool],
                      what: str) -> re.Match[str]:
    """The first line of the log `log` that matches `line`, once the server writing it has written
    it. EngineError, with the log's last lines, if the server exits first or not within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    partial = ""
    with log.open(errors="replace") as reader:
        while True:
            *complete, partial = (partial + reader.read()).split("\n")
            for text in complete:
                if found := line.search(text):
                    return found
            if not alive():
                raise EngineError(f"{what} exited before it was ready.{_tail(log)}")
            if time.monotonic() > deadline:
                raise EngineError(f"{what} did not say it was serving within {timeout_s:.0f} s.{_tail(log)}")
            time.sleep(0.1)


def _tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return f"\nLast lines of {log}:\n" + "\n".join(text)


def delta_jars(jars_dir: Path) -> list[Path]:
    return sorted(jars_dir.glob("*.jar"))


def fetch_delta_jars(jars_dir: Path) -> list[Path]:
    """Copy Delta's JVM jars from Maven Central into `jars_dir` (once; cached there)."""
    if not delta_jars(jars_dir):
        mvn = shutil.which("mvn")
        if mvn is None:
            raise EngineError("Maven (mvn) is needed once to fetch Delta's jars; install it or run `make jars`.")
        subprocess.run(
            [mvn, "-q", "-B", "-f", str(DELTA_POM), "dependency:copy-dependencies", f"-DoutputDir={jars_dir}"],
            check=True,
        )
    jars = delta_jars(jars_dir)
    if not jars:
        raise EngineError(f"No Delta jars in {jars_dir} after fetching them with {DELTA_POM}.")
    return jars


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to kill the JVM when this process dies (even by kill -9): no orphan servers."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    os.setsid()


def _serve(command: list[str], env: dict[str, str], ready_line: re.Pattern[str], timeout_s: float, what: str,
           log_path: Path) -> tuple[Callable[[], None], Callable[[], int]]:
    """Start a server process that dies with this one; returns how to stop it and how to wait
    until its log says it serves (which gives the port it bound, and stops it if it does not)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def wait() -> int:
        try:
            return int(wait_for_log_line(log_path, ready_line, timeout_s, lambda: process.poll() is None, what)[1])
        except BaseException:
            stop()
            raise

    return stop, wait


def _server_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment for a server, without the client-side Spark Connect settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED")}
    return env | extra


def _new_log(output: Path, server: str) -> Path:
    """A log file of its own for a server started now (several may run at once; the port is not
    known before it starts)."""
    return storage.engine_logs_dir(output) / f"{server}-{os.getpid()}-{uuid.uuid4().hex[:8]}.log"


def start_spark_jvm(config: EngineConfig, output: Path, store: ObjectStoreConfig = ObjectStoreConfig()) -> EngineHandle:
    """Start Spark 4 + Delta as a Spark Connect server in a child JVM on a loopback port it picks.
    Its log and its warehouse (the folders of the catalog's databases; every table has its own
    location in the lakehouse) go under `output`, never into the working directory. s3:// goes
    through Hadoop's S3A client (jars/pom.xml), set up by jobs.storage.spark_conf."""
    import pyspark

    spark_home = Path(pyspark.__file__).parent
    jars = fetch_delta_jars(PROJECT_ROOT / config.spark.jars_dir)  # an absolute jars_dir stays as it is
    token = uuid.uuid4().hex
    conf = {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": "0",
        "spark.connect.authenticate.token": token,
        **SPARK_DELTA_CONF,
        "spark.sql.shuffle.partitions": str(config.spark.shuffle_partitions),
        "spark.sql.warehouse.dir": str(storage.spark_warehouse_dir(output)),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        **storage.spark_conf(store),
        **config.spark.conf,
    }
    command = [
        str(spark_home / "bin" / "spark-submit"),
        "--master", config.spark.master,
        "--driver-memory", config.spark.driver_memory,
        "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--jars", ",".join(str(j) for j in jars),
    ]
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    command.append("spark-internal")
    log_path = _new_log(output, "spark-connect")
    stop, wait = _serve(command, _server_environment({"SPARK_HOME": str(spark_home)}), SPARK_CONNECT_SERVING,
                        config.spark.startup_timeout_s, "The Spark Connect server", log_path)
    return EngineHandle("spark", lambda: f"sc://localhost:{wait()}/;token={token}", stop, log_path)


def start_sail(config: EngineConfig, output: Path, store: ObjectStoreConfig = ObjectStoreConfig()) -> EngineHandle:
    """Start the Sail engine's Spark Connect server as a child process on a loopback port it picks.
    Sail takes its object-store client from its environment (jobs.storage.sail_environment)."""
    command = [sys.executable, "-m", "pysail", "spark", "server", "--ip", "127.0.0.1", "--port", "0"]
    log_path = _new_log(output, "sail")
    # The line that says it serves is logged at INFO: keep it whatever RUST_LOG the user set.
    env = _server_environment(storage.sail_environment(store))
    if env.get("RUST_LOG"):
        env["RUST_LOG"] += ",sail_cli::spark::server=info"
    stop, wait = _serve(command, env, SAIL_SERVING, config.sail.startup_timeout_s, "The Sail server", log_path)
    return EngineHandle("sail", lambda: f"sc://localhost:{wait()}", stop, log_path)


def start_engine(settings: Settings) -> EngineHandle:
    """Start (or, for `remote`, just address) the configured engine. Returns as soon as the server
    process is started: the first `session()` (or `ready()`) waits until it answers, so a caller
    can do its own start-up meanwhile (a JVM server takes several seconds to open its port)."""
    config = settings.engine
    if config.kind == "spark":
        return start_spark_jvm(config, settings.output, settings.object_store)
    if config.kind == "sail":
        return start_sail(config, settings.output, settings.object_store)
    return EngineHandle.at("remote", config.remote_url or "")


@contextmanager
def engine_session(settings: Settings) -> Iterator[tuple[EngineHandle, SparkSession]]:
    """Start the configured engine, yield (handle, session), and stop both afterwards."""
    handle = start_engine(settings)
    try:
        yield handle, handle.session()
    finally:
        handle.stop()


@contextmanager
def current_session(spark: SparkSession) -> Iterator[SparkSession]:
    """Make `spark` this process's default Spark Connect session and this thread's active one for
    the block, then restore both. Libraries that look their session up themselves (dbt-spark,
    Great Expectations' Spark execution engine) then run on the pipeline's session, also in a
    process that holds sessions on several engines (the last one created would win otherwise)."""
    with SparkSession._lock:
        saved_default = SparkSession._default_session
        SparkSession._default_session = spark
    saved_active = getattr(SparkSession._active_session, "session", None)
    SparkSession._active_session.session = spark
    try:
        yield spark
    finally:
        SparkSession._active_session.session = saved_active
        with SparkSession._lock:
            SparkSession._default_session = saved_default
