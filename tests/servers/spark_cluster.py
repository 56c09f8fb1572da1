"""A Spark standalone cluster from the pip-installed pyspark (it has no sbin/start-*, but
bin/spark-class runs each daemon): a master, workers, and a Spark Connect server submitted to the
cluster with Delta and S3A, as a team's cluster would run it.

    with SparkCluster(tmp_path / "cluster", store, credentials_env, workers=2) as cluster:
        run `sodai` with SPARK_REMOTE=cluster.url
        cluster.kill_worker_mid_task(0)   # kill -9 of a worker and its executor while a task runs
        cluster.restart_worker(0)

Every process gets the store's credentials in its environment (as an instance role gives them on
a real cluster): the driver and the executors read and write the lakehouse themselves.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from jobs import storage
from jobs.storage import ObjectStoreConfig
from sodai.config import PROJECT_ROOT, SparkEngineConfig
from sodai.engine import SPARK_CONNECT_SERVING, SPARK_DELTA_CONF, fetch_delta_jars, wait_for_log_line

# How long a frozen worker's last messages may take to reach the driver and its log (a task's
# result sent just before the freeze).
DRIVER_CATCH_UP_S = 1.0

# Every daemon binds port 0 (the system picks a free one as it binds) and logs the port it got: a
# port picked beforehand could be taken by another daemon first.
MASTER_SERVING = re.compile(r"Starting Spark master at (spark://\S+)")


def _task_id(log_line: str) -> str:
    """'TID 42' of an executor's or the driver's log line about a task."""
    return log_line.split("(TID ", 1)[1].split(")", 1)[0]


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


class SparkCluster:
    def __init__(self, folder: Path, store: ObjectStoreConfig, credentials_env: dict[str, str], workers: int = 2,
                 worker_memory: str = "1g"):
        self.folder, self.store, self.credentials_env = folder, store, credentials_env
        self.worker_count, self.worker_memory = workers, worker_memory
        self.master_url = ""  # spark://127.0.0.1:<port>, once the master serves
        self.connect_port = 0  # once the Spark Connect server serves
        self._master: subprocess.Popen | None = None
        self._workers: list[subprocess.Popen] = []
        self._work: dict[int, Path] = {}  # worker index -> its current work folder
        self._started: dict[int, int] = {}  # worker index -> how many times one was started
        self._connect: subprocess.Popen | None = None

    # --- processes ------------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED")}
        return env | self.credentials_env | {"SPARK_HOME": str(_spark_home()), "SPARK_LOCAL_IP": "127.0.0.1",
                                              "SPARK_LOG_DIR": str(self.folder / "logs")}

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / f"{name}.log").open("w") as log:
            # its own process group: a kill of the group takes a worker and its executors
            return subprocess.Popen(command, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)

    def _wait_for_line(self, process: subprocess.Popen, name: str, line: re.Pattern[str],
                       timeout_s: float = 120) -> re.Match[str]:
        return wait_for_log_line(self.folder / f"{name}.log", line, timeout_s, lambda: process.poll() is None, name)

    @property
    def url(self) -> str:
        """The Spark Connect server's URL, once it serves (its port is the one its log names)."""
        if not self.connect_port:
            raise RuntimeError("the cluster's Spark Connect server is not serving: start() the cluster first")
        return f"sc://127.0.0.1:{self.connect_port}"

    def _wait_for_workers(self, count: int, timeout_s: float = 60) -> None:
        """Until the master's log says `count` workers registered."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (self.folder / "master.log").read_text().count("Registering worker") >= count:
                return
            time.sleep(0.3)
        raise TimeoutError(f"{count} workers did not register with {self.master_url}")

    def start(self) -> "SparkCluster":
        self._master = self._spawn("master", [
            str(_spark_home() / "bin" / "spark-class"), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
            "--port", "0", "--webui-port", "0"])
        self.master_url = self._wait_for_line(self._master, "master", MASTER_SERVING)[1]
        for index in range(self.worker_count):
            self._workers.append(self._start_worker(index))
        self._wait_for_workers(self.worker_count)
        self._connect = self._spawn("connect", self._connect_command())
        self.connect_port = int(self._wait_for_line(self._connect, "connect", SPARK_CONNECT_SERVING)[1])
        return self

    def _start_worker(self, index: int) -> subprocess.Popen:
        """Worker `index`, in a work folder of its own (a restarted one's is new, so the logs of
        the executors it runs are told from those of the killed one)."""
        name = f"worker-{index}" + (f"-{self._started[index]}" if self._started.get(index) else "")
        self._started[index] = self._started.get(index, 0) + 1
        work = self._work[index] = self.folder / name
        work.mkdir(parents=True, exist_ok=True)
        return self._spawn(name, [
            str(_spark_home() / "bin" / "spark-class"), "org.apache.spark.deploy.worker.Worker",
            "--cores", "1", "--memory", self.worker_memory, "--host", "127.0.0.1",
            "--webui-port", "0", "--work-dir", str(work), self.master_url])

    def _connect_command(self) -> list[str]:
        jars = fetch_delta_jars(PROJECT_ROOT / SparkEngineConfig().jars_dir)
        conf = {
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": "0",
            **SPARK_DELTA_CONF,
            "spark.sql.shuffle.partitions": "4",
            "spark.executor.memory": "768m",
            "spark.sql.warehouse.dir": str(self.folder / "warehouse"),
            "spark.ui.enabled": "false",
            **storage.spark_conf(self.store),
        }
        command = [str(_spark_home() / "bin" / "spark-submit"), "--master", self.master_url,
                   "--driver-memory", "2g",
                   "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
                   "--jars", ",".join(str(j) for j in jars)]
        for key, value in conf.items():
            command += ["--conf", f"{key}={value}"]
        return [*command, "spark-internal"]

    def kill_worker(self, index: int) -> None:
        """kill -9 of a worker and the executors it launched (its process group)."""
        process = self._workers[index]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def kill_worker_mid_task(self, index: int, timeout_s: float = 300) -> str:
        """kill -9 of a worker and its executor while the executor runs a task; returns that
        task's id (the driver's log names it as lost). The worker's process group is frozen
        first, so the task seen running is still running when the kill lands, and the driver is
        given a moment to take in what the executor sent before it froze: a task whose result
        reached the driver is finished, whatever the executor's log (written after it sends)
        says yet. Only tasks started after the call count: a task that ended in a fetch failure
        logs no end in the executor's log, and it would otherwise look in flight for ever."""
        deadline = time.monotonic() + timeout_s
        group = self._workers[index].pid
        earlier = set(self._tasks_in_flight(index))
        while time.monotonic() < deadline:
            if set(self._tasks_in_flight(index)) - earlier:
                os.killpg(group, signal.SIGSTOP)
                time.sleep(DRIVER_CATCH_UP_S)
                finished = self._tasks_finished_on_driver()
                in_flight = [task for task in self._tasks_in_flight(index) if task not in earlier | finished]
                if in_flight:
                    self.kill_worker(index)
                    return in_flight[0]
                os.killpg(group, signal.SIGCONT)
            time.sleep(0.05)
        raise TimeoutError(f"worker {index} ran no task within {timeout_s:.0f} s")

    def _tasks_finished_on_driver(self) -> set[str]:
        """Task ids the driver's log says finished."""
        return {_task_id(line) for line in self.driver_log().splitlines()
                if "TaskSetManager: Finished task" in line and "(TID " in line}

    def _tasks_in_flight(self, index: int) -> list[str]:
        """Task ids the worker's executors started and have not finished, from their logs."""
        started, ended = [], set()
        for log in self._work[index].glob("app-*/*/stderr"):
            for line in log.read_text(errors="replace").splitlines():
                if "Executor: Running task" in line:
                    started.append(_task_id(line))
                elif "Executor: Finished task" in line or "Executor: Exception in task" in line:
                    ended.add(_task_id(line))
        return [task for task in started if task not in ended]

    def restart_worker(self, index: int) -> None:
        """A new worker in place of a killed one; the master gives the running application an
        executor on it."""
        registered = (self.folder / "master.log").read_text().count("Registering worker")
        self._workers[index] = self._start_worker(index)
        self._wait_for_workers(registered + 1)

    def driver_log(self) -> str:
        """The Spark Connect server's (the driver's) log."""
        return (self.folder / "connect.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in [self._connect, *self._workers, self._master]:
            if process is not None and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=30)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def __enter__(self) -> "SparkCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
