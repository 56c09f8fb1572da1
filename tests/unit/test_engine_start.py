"""An engine is ready when its own log names the port it bound: never a port picked beforehand,
which another process can take first (a client would then wait on that process)."""

from __future__ import annotations

import socket
import sys

import pytest

from sodai import engine
from sodai.config import EngineConfig

# A stand-in server: binds port 0 as the engines do, writes the line that names its port in two
# pieces (a reader must not act on half a line), then serves until it is stopped.
FAKE_SERVER = """
import socket, sys, time
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
port = listener.getsockname()[1]
print("warming up", flush=True)
print("Starting the Spark Connect server on 127.0.0.1:", end="", flush=True)
time.sleep(0.3)
print(f"{port}...", flush=True)
time.sleep(60)
"""


def test_the_port_is_the_one_the_server_logs_it_bound(tmp_path):
    stop, wait = engine._serve([sys.executable, "-c", FAKE_SERVER], {}, engine.SAIL_SERVING, 30,
                               "The test server", tmp_path / "server.log")
    try:
        port = wait()
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        stop()


def test_a_server_that_exits_before_saying_it_serves_is_an_error_with_its_log(tmp_path):
    stop, wait = engine._serve([sys.executable, "-c", "print('Address already in use'); raise SystemExit(1)"],
                               {}, engine.SAIL_SERVING, 30, "The test server", tmp_path / "server.log")
    with pytest.raises(engine.EngineError, match="exited before it was ready(.|\n)*Address already in use"):
        wait()


def test_a_server_that_never_says_it_serves_is_stopped_after_its_timeout(tmp_path):
    stop, wait = engine._serve([sys.executable, "-c", "import time; print('busy', flush=True); time.sleep(60)"],
                               {}, engine.SAIL_SERVING, 1, "The test server", tmp_path / "server.log")
    with pytest.raises(engine.EngineError, match="did not say it was serving within 1 s(.|\n)*busy"):
        wait()


def test_sail_serves_on_the_port_its_log_names_even_with_a_quiet_rust_log(tmp_path, monkeypatch):
    monkeypatch.setenv("RUST_LOG", "warn")
    handle = engine.start_sail(EngineConfig(kind="sail"), tmp_path)
    try:
        port = int(handle.url.rsplit(":", 1)[1])
        assert f"127.0.0.1:{port}" in handle.log_path.read_text()
        assert handle.session().sql("SELECT 41 + 1 AS answer").collect()[0].answer == 42
    finally:
        handle.stop()
