"""Every published report, kept: the history that "changes since the last publication" and
`sodai diff` read.

Each successful publish copies the report.json it wrote into `<paths.output>/publications/`,
named `<sequence>_<generated_at>_<pipeline run id>.json`, so the history lists in publication
order and the report a publish replaces stays readable after it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jobs import storage

_NAME = re.compile(r"^(\d{6})_(\d{8}T\d{6}Z)_(.+)\.json$")


class PublicationNotFound(LookupError):
    """No publication with that run id (the message lists the ones there are)."""


@dataclass(frozen=True)
class Publication:
    path: Path
    sequence: int
    generated_at: str  # as in the report, compact: 20261205T134000Z
    pipeline_run_id: str

    def report(self) -> dict[str, Any]:
        return json.loads(self.path.read_text())


def history(output: Path) -> list[Publication]:
    """The publications kept under `output`, oldest first."""
    folder = storage.publications_dir(output)
    found = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        name = _NAME.match(path.name)
        if name:
            found.append(Publication(path, int(name.group(1)), name.group(2), name.group(3)))
    return sorted(found, key=lambda p: p.sequence)


def latest(output: Path) -> Publication | None:
    kept = history(output)
    return kept[-1] if kept else None


def keep(output: Path, report_file: Path) -> Publication:
    """Add the report just published to the history. Written whole or not at all (a temporary file
    renamed into place): a crash mid-copy must not leave a half report that the next publish
    would fail to read."""
    content = Path(report_file).read_bytes()
    report = json.loads(content)
    before = latest(output)
    sequence = before.sequence + 1 if before else 1
    generated = datetime.fromisoformat(report["generated_at"]).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_id = report["provenance"].get("pipeline_run_id") or "no-run-id"
    target = storage.publications_dir(output) / f"{sequence:06d}_{generated}_{run_id}.json"
    storage.write_whole(target, content)  # its temporary sibling is not a publication's name: never listed
    return Publication(target, sequence, generated, run_id)


def find(output: Path, run_id: str) -> Publication:
    """The publication of pipeline run `run_id` (its last, if it published twice)."""
    kept = history(output)
    matching = [p for p in kept if p.pipeline_run_id == run_id]
    if not matching:
        known = ", ".join(p.pipeline_run_id for p in kept[-5:]) or "none yet"
        raise PublicationNotFound(f"no publication of run {run_id} under {storage.publications_dir(output)} "
                                  f"(the latest: {known})")
    return matching[-1]
