"""Run one measured workload in a child process: wall time and peak RSS of its process tree."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import psutil


@dataclass
class Measurement:
    seconds: float
    peak_rss_mb: float
    result: dict


def _tree_rss(process: psutil.Process) -> int:
    """RSS of the process and all its descendants (0 once it has exited)."""
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in members:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(argv: list[str], env: dict[str, str] | None = None) -> Measurement:
    """Run `python -m benchmarks.workload <argv>`; it prints one JSON line of results last."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "benchmarks.workload", *argv], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env, text=True)
    peak = 0
    process = psutil.Process(child.pid)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(process))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    stop.set()
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"workload {argv} failed with exit code {child.returncode}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1])
    return Measurement(time.perf_counter() - started, peak / 2**20, result)


def machine() -> dict:
    """What a result was measured on, stored with it."""
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
