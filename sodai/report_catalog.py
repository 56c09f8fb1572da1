"""The report's catalogue: every key finding (K), figure (F) and item beyond the report (B), as the
dbt project defines them, read from dbt's manifest.

Each item is defined once, in the yml beside its SQL (dbt_project/models/marts/<section>/):

- a figure mart's `config.meta.report_item`: id, title, caption and window (two report
  parameters); its description is the definition, its folder the report section, and each
  measure column's `config.meta.unit` the unit the report and the site show it in;
- key_findings' `config.meta.key_findings`: per finding its title, definition, window, the figure
  it comes from, its measures with their units and the headline one.

publish, the site (through report.json), calibrate and docs/metrics.md all read this; nothing
else holds a title, a definition or a unit.
"""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sodai.config import PROJECT_ROOT, ReportConfig

if TYPE_CHECKING:
    from sodai.config import Settings

REPORT_SCHEMA = PROJECT_ROOT / "docs" / "report.schema.json"
KEY_FINDINGS_MODEL = "key_findings"


class CatalogError(RuntimeError):
    """The dbt project's report definitions are missing or inconsistent (names the yml)."""


@lru_cache(maxsize=1)
def units() -> frozenset[str]:
    """The units report.json allows (docs/report.schema.json, $defs.unit)."""
    schema = json.loads(REPORT_SCHEMA.read_text())
    return frozenset(unit for unit in schema["$defs"]["unit"]["enum"] if unit is not None)


def _known_unit(unit: str | None) -> str | None:
    if unit is not None and unit not in units():
        raise ValueError(f"unknown unit {unit!r} (one of {', '.join(sorted(units()))})")
    return unit


class _Definition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str
    window: tuple[str, str]


class ReportColumn(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    description: str | None
    unit: str | None

    _unit = field_validator("unit")(_known_unit)


class ReportItem(_Definition):
    """A figure (F) or an item beyond the report (B): one gold mart."""

    id: str = Field(pattern=r"^[FB][0-9]+$")
    caption: str
    definition: str
    mart: str
    section: str
    columns: dict[str, ReportColumn]


class KeyFinding(_Definition):
    id: str = Field(pattern=r"^K[0-9]+$")
    definition: str
    figure: str
    headline: str
    measures: dict[str, str]

    @field_validator("measures")
    @classmethod
    def _measure_units(cls, measures: dict[str, str]) -> dict[str, str]:
        for unit in measures.values():
            _known_unit(unit)
        return measures


class ReportCatalog(BaseModel):
    model_config = ConfigDict(frozen=True)
    key_findings: dict[str, KeyFinding]
    figures: dict[str, ReportItem]
    beyond: dict[str, ReportItem]

    @property
    def marts(self) -> dict[str, ReportItem]:
        """Figures then items beyond the report, by id."""
        return {**self.figures, **self.beyond}


def _problems(error: ValidationError) -> str:
    """pydantic's findings in one line: `field: message; ...`."""
    return "; ".join(f"{'.'.join(str(part) for part in problem['loc']) or 'meta'}: {problem['msg']}"
                     for problem in error.errors())


def _order(item_id: str) -> tuple[str, int]:
    """K2 before K10: ids are a letter and a number."""
    return item_id[0], int(item_id[1:])


def _meta(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    return (entry.get("config") or {}).get("meta") or entry.get("meta") or {}


def _report_item(node: Mapping[str, Any], meta: Mapping[str, Any]) -> ReportItem:
    columns = {}
    for name, column in node.get("columns", {}).items():
        try:
            columns[name] = ReportColumn(name=name, description=column.get("description") or None,
                                         unit=_meta(column).get("unit"))
        except ValidationError as error:
            raise CatalogError(f"column {name}: {_problems(error)}") from error
    return ReportItem(
        **meta,
        definition=(node.get("description") or meta.get("title", "")).strip(),
        mart=node["name"],
        section=node["fqn"][-2],
        columns=columns,
    )


def catalog_from_manifest(manifest: Mapping[str, Any]) -> ReportCatalog:
    """The catalogue from a dbt manifest (target/manifest.json, as a dict)."""
    items: dict[str, ReportItem] = {}
    findings_yml = f"the {KEY_FINDINGS_MODEL} model's yml"
    findings: dict[str, KeyFinding] = {}
    for node in manifest["nodes"].values():
        if node.get("resource_type") != "model":
            continue
        meta, where = _meta(node), node.get("original_file_path") or node["name"]
        try:
            if "report_item" in meta:
                item = _report_item(node, meta["report_item"])
                if item.id in items:
                    raise CatalogError(f"report item {item.id} is also defined by {items[item.id].mart}")
                items[item.id] = item
            if node["name"] == KEY_FINDINGS_MODEL:
                findings_yml = where
                for finding_id, finding in (meta.get("key_findings") or {}).items():
                    findings[finding_id] = KeyFinding(id=finding_id, **finding)
        except ValidationError as error:
            raise CatalogError(f"{where}: invalid report definition in its meta: {_problems(error)}") from error
        except CatalogError as error:
            raise CatalogError(f"{where}: {error}") from error
    catalog = ReportCatalog(
        key_findings={key: findings[key] for key in sorted(findings, key=_order)},
        figures={key: items[key] for key in sorted(items, key=_order) if key.startswith("F")},
        beyond={key: items[key] for key in sorted(items, key=_order) if key.startswith("B")},
    )
    _check(catalog, findings_yml)
    return catalog


def _check(catalog: ReportCatalog, where: str) -> None:
    if not catalog.key_findings or not catalog.figures:
        raise CatalogError("the dbt manifest defines no key findings or no figures (meta.key_findings, meta.report_item)")
    for item in (*catalog.key_findings.values(), *catalog.marts.values()):
        unknown = [name for name in item.window if name not in ReportConfig.model_fields]
        if unknown:
            owner = where if isinstance(item, KeyFinding) else f"the yml of {item.mart}"
            raise CatalogError(f"{owner}: {item.id}'s window names unknown report parameters: {', '.join(unknown)}"
                               " (conf/pipeline.yaml, section report)")
    for finding in catalog.key_findings.values():
        if finding.figure not in catalog.figures:
            raise CatalogError(f"{where}: {finding.id} names figure {finding.figure}, which no mart defines")
        if finding.headline not in finding.measures:
            raise CatalogError(f"{where}: {finding.id}'s headline {finding.headline} is not one of its measures")


def read_manifest(dbt_target: Path) -> dict[str, Any]:
    path = dbt_target / "manifest.json"
    if not path.is_file():
        raise CatalogError(f"no dbt manifest at {path} (run `sodai transform` first)")
    return json.loads(path.read_text())


def parse_catalog(settings: "Settings") -> ReportCatalog:
    """The catalogue of the project as it is on disk: `dbt parse` into a scratch target (a few
    seconds, no engine), for the docs and the tests that have no build at hand."""
    from sodai.dbt_build import parse_manifest_json

    with tempfile.TemporaryDirectory(prefix="sodai-parse-") as scratch:
        return catalog_from_manifest(parse_manifest_json(settings, Path(scratch)))
