"""The run lock: a live holder refuses a second run by name; a dead holder's lock is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from sodai.lock import LOCK_NAME, RunLock, RunLocked

HOLD = """
import sys, time
from pathlib import Path
from sodai.lock import RunLock
lock = RunLock(Path(sys.argv[1]), "holder-run").acquire()  # kept: the lock lives with its file
print("held", flush=True)
time.sleep(600)
"""


def _start_holder(lakehouse) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(lakehouse)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_second_run_is_refused_naming_the_holder(tmp_path):
    holder = _start_holder(tmp_path)
    try:
        with pytest.raises(RunLocked) as refused:
            RunLock(tmp_path, "second-run").acquire()
        assert refused.value.holder.run_id == "holder-run"
        assert refused.value.holder.pid == holder.pid
        assert "holder-run" in str(refused.value) and str(holder.pid) in str(refused.value)
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_is_taken_over(tmp_path):
    holder = _start_holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with RunLock(tmp_path, "next-run") as lock:
        assert lock.took_over is not None and lock.took_over.run_id == "holder-run"
        assert "next-run" in (tmp_path / LOCK_NAME).read_text()


def test_release_leaves_no_holder_and_allows_the_next_run(tmp_path):
    with RunLock(tmp_path, "first") as first:
        assert first.took_over is None
        with pytest.raises(RunLocked):
            RunLock(tmp_path, "overlapping").acquire()
    with RunLock(tmp_path, "second") as second:
        assert second.took_over is None  # released cleanly: nobody to take over from
