"""What changed between two publications of the report, cell by cell.

A *cell* is one number a reader quotes: a key finding's measure, or a figure's highlight (one
measure for one industry and subject). Two reports are compared cell by cell: a number that
moved, a cell that became suppressed (too few customers now) or published (enough now), a cell
one of them does not have. Pure functions of two report.json documents; `sodai.publications`
keeps the documents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Mapping

CellKey = tuple[str, str, str, str]  # item id, measure, industry_key, subject
Status = Literal["changed", "became_suppressed", "published", "added", "removed"]
# Units that are percentages: a difference between two of them is in percentage points.
PERCENTAGE_UNITS = ("growth", "share")
# Two values closer than this, relative to the larger, are the same number (float noise of the
# engines' arithmetic, not news).
SAME_NUMBER = 1e-9


@dataclass(frozen=True)
class Cell:
    title: str
    unit: str | None
    value: float | None
    suppressed: bool


def cells(report: Mapping[str, Any]) -> dict[CellKey, Cell]:
    """Every quotable number of a report: key-finding measures and figure highlights."""
    found: dict[CellKey, Cell] = {}
    for finding in report["key_findings"]:
        for measure in finding["measures"]:
            found[(finding["id"], measure["measure"], "all", "all")] = Cell(
                finding["title"], measure.get("unit"), measure.get("value"), bool(measure.get("is_suppressed")))
    for group in ("figures", "beyond"):
        for item in report.get(group, []):
            for highlight in item.get("highlights") or []:
                key = (item["id"], highlight["measure"], str(highlight.get("industry_key") or ""), str(highlight.get("subject") or ""))
                found[key] = Cell(item["title"], highlight.get("unit"), highlight.get("value"),
                                  bool(highlight.get("is_suppressed")))
    return found


@dataclass(frozen=True)
class Change:
    key: CellKey
    title: str
    unit: str | None
    previous: float | None
    current: float | None
    status: Status

    @property
    def difference(self) -> float | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous

    @property
    def relative(self) -> float | None:
        """The difference as a share of the previous value (None without one, inf from 0)."""
        if self.difference is None:
            return None
        return math.inf if self.previous == 0 else self.difference / abs(self.previous)

    def as_json(self) -> dict[str, Any]:
        item, measure, industry_key, subject = self.key
        relative = self.relative
        return {
            "item": item, "measure": measure, "industry_key": industry_key, "subject": subject,
            "title": self.title, "unit": self.unit, "status": self.status,
            "previous": self.previous, "current": self.current, "difference": self.difference,
            "relative": None if relative is None or math.isinf(relative) else relative,
        }


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=SAME_NUMBER, abs_tol=0.0)


def _status(before: Cell | None, after: Cell | None) -> Status | None:
    if before is None:
        return "added"
    if after is None:
        return "removed"
    if before.suppressed != after.suppressed:
        return "became_suppressed" if after.suppressed else "published"
    if after.suppressed or _same(before.value, after.value):
        return None
    return "changed"


def _size(change: Change) -> float:
    relative = change.relative
    if relative is None:  # a value on one side only
        return math.inf
    return abs(relative)


def changes(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    """The cells that differ between two reports: the numbers that moved, largest relative move
    first, then the cells that became suppressed or published, appeared or went (by item)."""
    before, after = cells(previous), cells(current)
    found = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        status = _status(old, new)
        if status is None:
            continue
        shown = new or old
        found.append(Change(
            key, shown.title, shown.unit,
            None if old is None or old.suppressed else old.value,
            None if new is None or new.suppressed else new.value,
            status))
    moved = sorted((c for c in found if c.status == "changed"), key=lambda c: (-_size(c), c.key))
    return moved + [c for c in found if c.status != "changed"]



def as_json(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[dict[str, Any]]:
    """report.json's `changes`: every cell that differs from the previous publication, in
    `changes` order; empty for the first publication (provenance.previous_publication is null)."""
    return [] if previous is None else [change.as_json() for change in changes(previous, current)]


def identity(report: Mapping[str, Any]) -> dict[str, Any]:
    """Which publication a report is, as a later report's provenance names it."""
    return {"pipeline_run_id": report["provenance"].get("pipeline_run_id"), "generated_at": report["generated_at"]}
