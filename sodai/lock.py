"""One pipeline run at a time per lakehouse.

The lock lives at <lakehouse>/_sodai.lock and records who holds it (run id, pid, host, start
time), so a refused run can name the holder and a takeover can name the dead one. How it is held
depends on where the lakehouse is:

- On a local disk (or a mount), an advisory `flock` on that file, held for the whole run. The
  kernel releases it when the holder exits, however it exits (kill -9 and OOM kills included),
  so a dead holder never blocks the next run: its lock is stale by construction and is taken
  over. flock is per host; on a shared mount seen by several hosts (NFS), run the schedule from
  one host, as the orchestrator's `max_active_runs=1` does (docs/operations.md).
- In an object store, a lease: an object created only if none exists (a conditional put,
  `If-None-Match: *`), renewed by the holder every third of its length (a put conditional on the
  holder's own last version, `If-Match: <etag>`), deleted on release. Nothing releases the lease
  of a process that died: it expires, and the next run takes it over with a put conditional on
  the expired version, so of two runs racing to take it over exactly one wins. A run on the
  holder's own host need not wait for that: when the holder's process is gone (a crash, or a run
  that failed while the store was down and could not delete its lease) it takes over at once.
  A holder that failed to renew in time (paused longer than the lease) has lost it, and stops at the next
  stage rather than write beside the new holder. Expiry is judged on this host's clock against
  the store's time of the last renewal: hosts' clocks must agree to well within the lease.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from jobs import storage
from jobs.storage import Location

LOCK_NAME = storage.LOCK_FILE
DEFAULT_LEASE_S = 120.0


@dataclass(frozen=True)
class Holder:
    run_id: str
    pid: int
    host: str
    started_at: str  # ISO-8601 UTC

    def describe(self) -> str:
        return f"run {self.run_id} (pid {self.pid} on {self.host}, since {self.started_at})"

    @classmethod
    def me(cls, run_id: str) -> "Holder":
        return cls(run_id, os.getpid(), socket.gethostname(), datetime.now(timezone.utc).isoformat(timespec="seconds"))


class RunLocked(RuntimeError):
    """Another run holds the lock."""

    def __init__(self, path, holder: Holder | None):
        self.path, self.holder = path, holder
        who = holder.describe() if holder else "an unknown process"
        super().__init__(f"another pipeline run is in progress: {who}; lock {path}")


class LeaseLost(RuntimeError):
    """This run's lease expired before it could renew it, and another run may hold it now."""


def _holder_from(text: str | bytes) -> Holder | None:
    try:
        data = json.loads(text) if str(text).strip() else None
        return Holder(**{k: data[k] for k in ("run_id", "pid", "host", "started_at")}) if data else None
    except (ValueError, TypeError, KeyError):
        return None


class RunLock:
    """`with RunLock(lakehouse, run_id) as lock:`; `lock.took_over` names a dead previous holder;
    `lock.ensure_held()` raises LeaseLost once the lock is no longer this run's."""

    def __init__(self, lakehouse: Location | Path, run_id: str, lease_s: float = DEFAULT_LEASE_S):
        self.path = storage.lock_path(lakehouse)
        self.run_id = run_id
        self.took_over: Holder | None = None
        self._held = _FileLock(self.path) if storage.is_local(self.path) else _Lease(self.path, lease_s)

    def acquire(self) -> "RunLock":
        self.took_over = self._held.acquire(Holder.me(self.run_id))
        return self

    def ensure_held(self) -> None:
        self._held.ensure_held()

    def release(self) -> None:
        self._held.release()

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


class _FileLock:
    """flock on a local file."""

    def __init__(self, path: Location):
        self.path = Path(path)
        self._handle = None

    def acquire(self, me: Holder) -> Holder | None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # never truncates before we hold it
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _holder_from(handle.read())
            handle.close()
            raise RunLocked(self.path, holder) from None
        # We hold it. A holder still written in the file finished without cleaning up: dead.
        handle.seek(0)
        dead = _holder_from(handle.read())
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(asdict(me)))
        handle.flush()
        os.fsync(handle.fileno())
        self._handle = handle
        return dead

    def ensure_held(self) -> None:
        """The kernel holds a flock for as long as this process lives."""

    def release(self) -> None:
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()  # an empty file: released cleanly
        self._handle.flush()
        fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


def _precondition_failed(error: Exception) -> bool:
    """S3's 412 (the object exists, or is not the version named) as s3fs raises it."""
    text = f"{error} {getattr(error, '__cause__', '')}"
    return "PreconditionFailed" in text or "preconditions you specified did not hold" in text or "412" in text


def _dead_on_this_host(holder: Holder) -> bool:
    """The holder ran on this host and its process is gone (a pid reused since by a younger
    process does not count as the holder)."""
    import psutil

    if holder.host != socket.gethostname():
        return False
    try:
        started = datetime.fromisoformat(holder.started_at).timestamp()
        return psutil.Process(holder.pid).create_time() > started + 1
    except psutil.NoSuchProcess:
        return True
    except ValueError:
        return False


class _Lease:
    """A lease object in an object store (see the module's docstring)."""

    def __init__(self, path: Location, lease_s: float):
        self.path, self.lease_s = path, lease_s
        self.fs, self.key = path.fs, path.path
        self._etag: str | None = None
        self._body: dict | None = None
        self._lost: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def _put(self, body: dict, **condition) -> str:
        """Write the lease object if `condition` holds; returns the version written (its ETag)."""
        written = self.fs.pipe_file(self.key, json.dumps(body).encode(), **condition)
        return (written or {}).get("ETag") or self.fs.info(self.key)["ETag"]

    def acquire(self, me: Holder) -> Holder | None:
        body = asdict(me) | {"lease_s": self.lease_s}
        try:
            self._etag = self._put(body, mode="create")
            dead = None
        except Exception as error:
            if not _precondition_failed(error):
                raise
            dead = self._take_over_if_expired(body)
        self._body = body
        self._renewer = threading.Thread(target=self._renew_until_released, name="sodai-lease", daemon=True)
        self._renewer.start()
        return dead

    def _take_over_if_expired(self, body: dict) -> Holder:
        info = self.fs.info(self.key)
        text = self.fs.cat_file(self.key)
        holder = _holder_from(text)
        try:
            lease_s = float(json.loads(text).get("lease_s", self.lease_s))
        except (ValueError, AttributeError):
            lease_s = self.lease_s
        renewed = info["LastModified"]
        expired = datetime.now(timezone.utc) >= renewed + timedelta(seconds=lease_s)
        if not expired and not (holder is not None and _dead_on_this_host(holder)):
            raise RunLocked(self.path, holder)
        try:  # of several runs taking over the same expired lease, the first put wins
            self._etag = self._put(body, IfMatch=info["ETag"])
        except Exception as error:
            if _precondition_failed(error):
                raise RunLocked(self.path, _holder_from(self.fs.cat_file(self.key))) from None
            raise
        return holder or Holder("unknown", 0, "unknown", renewed.isoformat(timespec="seconds"))

    def _renew_until_released(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                self._etag = self._put(self._body, IfMatch=self._etag)
            except Exception as error:  # lost to a takeover, or the store unreachable for a while
                if _precondition_failed(error):
                    self._lost = "another run took the lease over"
                    return
                continue  # retried at the next tick; the lease outlives a short outage

    def ensure_held(self) -> None:
        if self._lost:
            raise LeaseLost(f"this run no longer holds the lock {self.path}: {self._lost}; "
                            "it stops here so that two runs never write at once")

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        if self._etag is None or self._lost:
            return
        try:
            if self.fs.info(self.key)["ETag"] == self._etag:  # still ours: let the next run in now
                self.fs.rm_file(self.key)
        except FileNotFoundError:
            pass
        except Exception:  # the store does not answer: the lease expires by itself, and the error
            pass           # that ended the run (most likely the same outage) is the one to report
        self._etag = None
