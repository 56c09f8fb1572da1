"""gates/latest.json: the latest result of each layer's gate, and whether publishing is blocked.

Pure merge logic plus an atomic write, so `sodai publish` and `sodai status` read the gates'
state without an engine. A layer's new result replaces all its previous suites; publishing is
blocked while the latest result of any layer has a failed suite, so a failed gate blocks until
a later run passes that layer again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jobs import storage

# The layers a gate validates, in the pipeline's order: the one list (stages, CLI and site use it).
LAYERS = ("bronze", "silver", "gold")


@dataclass(frozen=True)
class Finding:
    """One failed (or warning) expectation, as latest.json and the console show it."""

    expectation: str
    column: str | None
    details: str  # the expectation's arguments and what was observed, technically
    check: str | None = None  # the check's own name, for those that have one (meta.check)
    summary: str = ""  # what is wrong, in the data's words (sodai/gates/messages.py)
    remedy: str = ""  # what to do about it


@dataclass
class SuiteResult:
    layer: str
    suite: str
    success: bool
    evaluated: int
    failed: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SuiteResult":
        return cls(data["layer"], data["suite"], data["success"], data["evaluated"],
                   [Finding(**f) for f in data.get("failed", [])], [Finding(**f) for f in data.get("warnings", [])])


def latest_path(output: Path) -> Path:
    return storage.gates_state_path(output)


def read_latest(output: Path) -> dict[str, Any] | None:
    path = latest_path(output)
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def merge(previous: dict[str, Any] | None, layer: str, results: list[SuiteResult], run_id: str | None,
          data_docs: str | None, checked_at: datetime | None = None) -> dict[str, Any]:
    """The new latest.json: this layer's suites replace its previous ones, the other layers'
    latest results are kept; blocked while any kept or new suite failed."""
    kept = [g for g in (previous or {}).get("gates", []) if g["layer"] != layer]
    gates = kept + [r.to_json() for r in results]
    gates.sort(key=lambda g: (LAYERS.index(g["layer"]) if g["layer"] in LAYERS else len(LAYERS)))
    return {
        "run_id": run_id,
        "checked_at": (checked_at or datetime.now(timezone.utc)).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "publication_blocked": any(not g["success"] for g in gates),
        "data_docs": data_docs,
        "gates": gates,
    }


def write_latest(output: Path, state: dict[str, Any]) -> Path:
    """Replace latest.json atomically (a reader sees the old or the new state, never half)."""
    path = latest_path(output)
    storage.write_whole(path, (json.dumps(state, indent=1) + "\n").encode("utf-8"))
    return path


def failed_suites(state: dict[str, Any] | None) -> list[str]:
    """The suites that block publishing (empty: not blocked)."""
    if not state or not state.get("publication_blocked"):
        return []
    return [g["suite"] for g in state.get("gates", []) if not g["success"]] or ["(unknown suite)"]


def publication_blocked_error(output: Path):
    """A PublishError naming the failed suites while the gates block publishing, else None."""
    from sodai.publish import PublishError

    suites = failed_suites(read_latest(output))
    if not suites:
        return None
    return PublishError(
        f"publication blocked by the quality gates: failed suite(s) {', '.join(suites)} "
        f"(see {latest_path(output)}; fix the data and run `sodai run`, or `sodai gate <layer>`). "
        "report.json keeps the last good version."
    )
