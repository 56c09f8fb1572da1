"""One pipeline run at a time per lakehouse.

The lock is an advisory `flock` on <lakehouse>/_sodai.lock, held for the whole run. The kernel
releases it when the holder exits, however it exits (kill -9 and OOM kills included), so a dead
holder never blocks the next run: its lock is stale by construction and is taken over. The file
also records who holds it (run id, pid, host, start time), so a refused run can name the holder
and a takeover can name the dead one.

flock is per host; on a shared mount seen by several hosts (NFS), run the schedule from one host,
as the orchestrator's `max_active_runs=1` does (docs/operations.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from jobs import storage

LOCK_NAME = storage.LOCK_FILE


@dataclass(frozen=True)
class Holder:
    run_id: str
    pid: int
    host: str
    started_at: str  # ISO-8601 UTC

    def describe(self) -> str:
        return f"run {self.run_id} (pid {self.pid} on {self.host}, since {self.started_at})"


class RunLocked(RuntimeError):
    """Another run holds the lock."""

    def __init__(self, path: Path, holder: Holder | None):
        self.path, self.holder = path, holder
        who = holder.describe() if holder else "an unknown process"
        super().__init__(f"another pipeline run is in progress: {who}; lock {path}")


def _read_holder(handle) -> Holder | None:
    handle.seek(0)
    text = handle.read()
    try:
        return Holder(**json.loads(text)) if text.strip() else None
    except (ValueError, TypeError):
        return None


class RunLock:
    """`with RunLock(lakehouse, run_id) as lock:`; `lock.took_over` names a dead previous holder."""

    def __init__(self, lakehouse: Path, run_id: str):
        self.path = storage.lock_path(lakehouse)
        self.run_id = run_id
        self.took_over: Holder | None = None
        self._handle = None

    def acquire(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # never truncates before we hold it
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            handle.close()
            raise RunLocked(self.path, holder) from None
        # We hold it. A holder still written in the file finished without cleaning up: dead.
        self.took_over = _read_holder(handle)
        me = Holder(self.run_id, os.getpid(), socket.gethostname(),
                    datetime.now(timezone.utc).isoformat(timespec="seconds"))
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(asdict(me)))
        handle.flush()
        os.fsync(handle.fileno())
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()  # an empty file: released cleanly
        self._handle.flush()
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
