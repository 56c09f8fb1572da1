"""Writing landing-zone files atomically: events NDJSON, accounts CSV, re-deliveries.

A file appears under its final name only when complete, so a scanner never reads half a file:
on a disk it is written to a `.tmp` name the pipeline never scans, then `os.replace`d; in an object
store a put is atomic already (the object appears whole when the upload completes).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip as gzip_module
import io
import json
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from jobs import storage
from jobs.storage import Location

ACCOUNT_COLUMNS = ("customer_id", "industry", "country", "segment")


def events_folder(landing: Location | Path, day: dt.date) -> Location:
    """`<landing>/events/date=YYYY-MM-DD`."""
    return storage.as_location(landing) / "events" / f"date={day.isoformat()}"


def accounts_folder(landing: Location | Path, snapshot_date: dt.date) -> Location:
    """`<landing>/accounts/snapshot=YYYY-MM-DD`."""
    return storage.as_location(landing) / "accounts" / f"snapshot={snapshot_date.isoformat()}"


def _tmp_name(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}.tmp")


write_bytes_atomic = storage.write_whole  # the generator's name for it


def _compact_json(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def write_event_file(
    landing: Location | Path, day: dt.date, events: Iterable[dict | str], name: str, gzip: bool = False
) -> Path:
    """Write events as NDJSON to `<landing>/events/date=<day>/<name>` and return the path.

    A dict is serialised as compact JSON; a str is written as the line itself (so tests can
    write deliberately broken lines). With `gzip`, the content is gzip-compressed (with a fixed
    header time, so equal events give equal bytes) and `.gz` is appended to a name lacking it.
    """
    lines = [e if isinstance(e, str) else _compact_json(e) for e in events]
    data = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    if gzip:
        if not name.endswith(".gz"):
            name += ".gz"
        data = gzip_module.compress(data, mtime=0)
    return write_bytes_atomic(events_folder(landing, day) / name, data)


def write_accounts_snapshot(
    landing: Location | Path, snapshot_date: dt.date, rows: Iterable[dict], name: str = "accounts.csv"
) -> Path:
    """Write an accounts snapshot CSV (header customer_id,industry,country,segment)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACCOUNT_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") or "" for k in ACCOUNT_COLUMNS})
    path = accounts_folder(landing, snapshot_date) / name
    return write_bytes_atomic(path, buffer.getvalue().encode("utf-8"))


def redeliver_file(landing: Location | Path, relative_path: str | Path) -> Location:
    """Deliver an existing landing file again: same name, same bytes, a newer mtime.

    The file is copied to a temporary sibling and renamed over the original, as an emitter
    re-sending it would do; its modification time is pushed strictly past the old one.
    """
    path = storage.as_location(landing) / str(relative_path)
    if not storage.is_local(path):  # the same bytes put again: the store dates the object anew
        path.write_bytes(path.read_bytes())
        return path
    old = path.stat()
    tmp = _tmp_name(path)
    shutil.copyfile(path, tmp)
    newer = max(time.time_ns(), old.st_mtime_ns + 1_000_000)
    os.utime(tmp, ns=(newer, newer))
    os.replace(tmp, path)
    return path
