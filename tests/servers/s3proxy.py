"""s3proxy: a real S3 gateway (HTTP, SigV4, conditional puts) over a local folder, on a free port.

    with S3Proxy(tmp_path / "s3") as s3:
        s3.create_bucket("lake")
        settings = settings.with_overrides(object_store=s3.object_store, paths={"lakehouse": "s3://lake/h"})
        env = s3.credentials_env  # what every client process needs (the standard chain's variables)

`stop()` and `start()` again keep the objects (they are files under the folder) and the endpoint:
a store outage. The port is therefore picked once, before the first start (a client's settings name
it), and the server is ready when its own log says it listens there: an answer on the port could
come from another process that took it in between, and a port taken fails the start, naming it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from jobs.storage import ObjectStoreConfig
from sodai.engine import free_port, wait_for_log_line

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POM = PROJECT_ROOT / "jars" / "s3proxy" / "pom.xml"
LIB = POM.parent / "lib"
LOGBACK = POM.parent / "logback.xml"
ACCESS_KEY, SECRET_KEY = "sodai-test", "sodai-test-secret"  # the test server's own, not a real account's
# Jetty's line once the connector listens (logback.xml keeps it at INFO): "Started ServerConnector@..{127.0.0.1:PORT}"
LISTENING = re.compile(r"Started .*ServerConnector.*\{[^}]*:(\d+)\}")
STARTUP_TIMEOUT_S = 60


def s3proxy_jars() -> list[Path]:
    """s3proxy's jars, fetched from Maven Central on first use."""
    if not any(LIB.glob("s3proxy-*.jar")):
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("Maven (mvn) is needed once to fetch s3proxy's jars")
        subprocess.run([mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies"], check=True)
    return sorted(LIB.glob("*.jar"))


class S3Proxy:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None
        self._starts = 0

    @property
    def object_store(self) -> dict:
        """The `object_store` settings section for this server."""
        return {"endpoint_url": self.endpoint, "region": "us-east-1"}

    @property
    def credentials_env(self) -> dict[str, str]:
        """Credentials as the standard chain reads them (never as settings)."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def start(self) -> "S3Proxy":
        jars = s3proxy_jars()
        data = self.folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        properties = self.folder / "s3proxy.properties"
        properties.write_text("\n".join([
            f"s3proxy.endpoint={self.endpoint}",
            "s3proxy.authorization=aws-v2-or-v4",
            f"s3proxy.identity={ACCESS_KEY}",
            f"s3proxy.credential={SECRET_KEY}",
            "jclouds.provider=filesystem-nio2",
            f"jclouds.filesystem.basedir={data}",
        ]) + "\n")
        self._starts += 1
        log_path = self.folder / f"s3proxy-{self._starts}.log"  # one per start: its own lines only
        with log_path.open("w") as log:
            self._process = subprocess.Popen(
                ["java", "-Xmx256m", f"-Dlogback.configurationFile={LOGBACK}", "-cp", os.pathsep.join(map(str, jars)),
                 "org.gaul.s3proxy.Main", "--properties", str(properties)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            listening = wait_for_log_line(log_path, LISTENING, STARTUP_TIMEOUT_S,
                                          lambda: self._process.poll() is None, f"s3proxy on port {self.port}")
            if int(listening.group(1)) != self.port:
                raise RuntimeError(f"s3proxy listens on {listening.group(1)}, not {self.port}: {log_path}")
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def client(self):
        """An s3fs filesystem on this server (for setting up buckets and looking at objects)."""
        import s3fs

        return s3fs.S3FileSystem(key=ACCESS_KEY, secret=SECRET_KEY, use_listings_cache=False,
                                 client_kwargs={"endpoint_url": self.endpoint, "region_name": "us-east-1"},
                                 config_kwargs={"s3": {"addressing_style": "path"}})

    def create_bucket(self, name: str) -> None:
        self.client().call_s3("create_bucket", Bucket=name)

    def upload(self, local: Path, uri: str) -> None:
        """Copy a local folder to `s3://bucket/prefix` (a landing zone delivered to the store)."""
        fs = self.client()
        target = uri.removeprefix("s3://").rstrip("/")
        for path in sorted(p for p in local.rglob("*") if p.is_file()):
            fs.put_file(str(path), f"{target}/{path.relative_to(local).as_posix()}")

    def __enter__(self) -> "S3Proxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def object_store_config(s3: S3Proxy) -> ObjectStoreConfig:
    return ObjectStoreConfig(**s3.object_store)
