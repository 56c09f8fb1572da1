"""Published vs computed: compare report.json with the numbers a report published.

Used on the default synthetic telemetry to show the generator lands near the 2024 report
(conf/published/2024.yaml says what to compare and how); on real telemetry the differences are
simply the news. Nothing here feeds back into the pipeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field

PUBLISHED_PATH = Path(__file__).resolve().parent.parent / "conf" / "published" / "2024.yaml"

Check = Literal["relative", "absolute", "exact", "all", "all_above", "count", "argmax"]
Section = Literal["measures", "highlights", "rows"]


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    item: str
    section: Section
    where: dict[str, Any] = Field(default_factory=dict)
    column: str = "value"
    published: Any = None
    check: Check
    argmax: dict[str, Any] = Field(default_factory=dict)
    tolerance: float | None = None


class Published(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    defaults: dict[str, float]
    targets: list[Target]


def load_published(path: Path = PUBLISHED_PATH) -> Published:
    return Published.model_validate(yaml.safe_load(path.read_text()))


@dataclass(frozen=True)
class Comparison:
    target: Target
    computed: Any
    tolerance: str
    ok: bool
    unit: str | None = None


def _item(report: Mapping[str, Any], item_id: str) -> Mapping[str, Any]:
    for group in ("key_findings", "figures", "beyond"):
        for item in report[group]:
            if item["id"] == item_id:
                return item
    raise KeyError(f"report.json has no item {item_id}")


def _matches(row: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    for column, wanted in where.items():
        value = row.get(column)
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def select_rows(report: Mapping[str, Any], target: Target) -> list[Mapping[str, Any]]:
    return [row for row in _item(report, target.item)[target.section] if _matches(row, target.where)]


def compare(report: Mapping[str, Any], target: Target, defaults: Mapping[str, float]) -> Comparison:
    comparison = _compare(report, target, defaults)
    rows = select_rows(report, target)
    unit = rows[0].get("unit") if rows and target.section != "rows" else _column_unit(report, target)
    return replace(comparison, unit=unit)


def _column_unit(report: Mapping[str, Any], target: Target) -> str | None:
    """The unit report.json documents for a figure's column (from the mart's yml)."""
    columns = _item(report, target.item).get("columns", [])
    return next((column["unit"] for column in columns if column["name"] == target.column), None)


def _compare(report: Mapping[str, Any], target: Target, defaults: Mapping[str, float]) -> Comparison:
    rows = select_rows(report, target)
    values = [row.get(target.column) for row in rows]
    tolerance = target.tolerance if target.tolerance is not None else defaults.get(target.check)
    published = target.published

    if target.check == "count":
        return Comparison(target, len(rows), "exact", len(rows) == published)
    if target.check == "argmax":
        ranked = [row for row in rows if row.get(target.column) is not None]
        best = max(ranked, key=lambda row: row[target.column]) if ranked else None
        winner = {key: best.get(key) for key in target.argmax} if best else None
        return Comparison(target, winner, "highest", best is not None and _matches(best, target.argmax))
    if target.check in ("all", "all_above"):
        ok = bool(values) and all(
            value is not None and (value == published if target.check == "all" else value > published)
            for value in values
        )
        shown = values[0] if len(values) == 1 else values
        return Comparison(target, shown, "every value" if target.check == "all" else f"> {published}", ok)

    if len(values) != 1:
        return Comparison(target, f"{len(values)} rows match", "one row", False)
    computed = values[0]
    if target.check == "exact":
        return Comparison(target, computed, "exact", computed == published)
    if computed is None:
        return Comparison(target, None, "-", False)
    if target.check == "relative":
        ok = abs(computed - published) <= tolerance * abs(published)
        return Comparison(target, computed, f"{tolerance:.0%} relative", ok)
    ok = abs(computed - published) <= tolerance + 1e-12
    return Comparison(target, computed, f"{tolerance * 100:g} points", ok)


def published_display(comparison: Comparison) -> str:
    target = comparison.target
    if target.check == "argmax":
        return ", ".join(f"{key}={value}" for key, value in target.argmax.items())
    if target.check == "all_above":
        return f"> {display(target.published, comparison.unit)}"
    return display(target.published, comparison.unit)


def calibrate(report_path: Path, published: Published | None = None) -> list[Comparison]:
    published = published or load_published()
    report = json.loads(report_path.read_text())
    return [compare(report, target, published.defaults) for target in published.targets]


def display(value: Any, unit: str | None = None) -> str:
    """A value the way the report prints it: growth as +N%, shares as N%, ratios as N.NN."""
    if isinstance(value, list):
        numbers = [item for item in value if isinstance(item, (int, float)) and not isinstance(item, bool)]
        if len(value) > 3 and len(numbers) == len(value):
            low, high = min(numbers), max(numbers)
            return display(low, unit) if low == high else f"{display(low, unit)} .. {display(high, unit)}"
        return ", ".join(display(item, unit) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items())
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return value
    if unit == "growth":
        return f"{value:+.0%}"
    if unit == "share":
        return f"{value:.1%}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return f"{value:g}"
