"""report.json: every key finding and figure of the report, read from the gold marts.

The values come from the Delta tables dbt built (read with `deltalake`, no engine needed); every
title, definition, window and unit comes from the dbt manifest of the same build
(sodai.report_catalog), the report's own title from conf/report.yaml; provenance names the
pipeline run, the dbt invocation and the Delta version of every table read.
The file is validated against docs/report.schema.json before it replaces the previous one.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import jsonschema
import pandas as pd
import yaml

from jobs import storage
from jobs.storage import TableName
from sodai import delta_read, report_changes
from sodai.delta_read import TableSnapshot, read_arrow
from sodai.publications import Publication
from sodai.report_catalog import CatalogError, KeyFinding, ReportCatalog, ReportItem, catalog_from_manifest, read_manifest

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"
REPORT_CONF = Path(__file__).resolve().parent.parent / "conf" / "report.yaml"


class PublishError(RuntimeError):
    """The report cannot be published (a mart or the dbt manifest is missing, or it is invalid)."""


def report_title(path: Path = REPORT_CONF) -> str:
    return str(yaml.safe_load(path.read_text())["title"])


# --- reading gold -------------------------------------------------------------------------------

def read_mart(lakehouse: Path, mart: str) -> TableSnapshot:
    try:
        return delta_read.read_mart(lakehouse, mart)
    except delta_read.MissingTable as error:
        raise PublishError(str(error)) from error


def silver_versions(lakehouse: Path) -> dict[str, int]:
    """Version of every silver table the marts are built from (those that exist)."""
    from jobs.refine.tables import ACCOUNTS, EVENT_TABLES

    versions = {}
    for spec in (*EVENT_TABLES.values(), ACCOUNTS):
        path = storage.table_path(lakehouse, spec)
        if storage.is_delta_table(path):
            versions[spec.qualified] = storage.open_delta(path).version()
    return versions


def accounts_snapshot_date(lakehouse: Path) -> date | None:
    """The date of the accounts snapshot in silver (None: no snapshot refined yet)."""
    from jobs.refine.tables import ACCOUNTS

    path = storage.table_path(lakehouse, ACCOUNTS)
    if not storage.is_delta_table(path):
        return None
    dates = read_arrow(path, ["snapshot_date"]).column("snapshot_date").drop_null().to_pylist()
    return max(dates) if dates else None


def accounts_snapshot(lakehouse: Path, run_date: date | None = None):
    """Which accounts snapshot silver's industries come from, and by which part of the rule
    (jobs.ingest.landing.accounts_snapshot_choice)."""
    from jobs.ingest.landing import accounts_snapshot_choice

    return accounts_snapshot_choice(accounts_snapshot_date(lakehouse), run_date)


def reference_data(lakehouse: Path, run_date: date | None) -> dict[str, Any]:
    """report.json's provenance of the reference data: the accounts snapshot the industries come
    from, and which part of the rule chose it (docs/operations.md, "Reference data")."""
    choice = accounts_snapshot(lakehouse, run_date)
    return {"accounts_snapshot": json_value(choice.snapshot_date), "run_date": json_value(choice.run_date),
            "rule": choice.rule, "note": choice.text}


# --- JSON conversion ----------------------------------------------------------------------------

def json_value(value: Any) -> Any:
    """A cell as JSON: NaN/NaT/None -> null, dates as ISO strings, numpy scalars as Python,
    floats to 12 significant digits."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        # 12 significant digits: sums of doubles differ in the last bits between engines and
        # partitionings; the report must not
        return float(f"{value:.12g}")
    return value


def frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows in a stable order (every column, nulls last) so equal marts give equal files."""
    ordered = frame.sort_values(list(frame.columns), na_position="last", kind="mergesort") if len(frame) else frame
    return [{column: json_value(value) for column, value in row.items()} for row in ordered.to_dict("records")]


# --- the report ---------------------------------------------------------------------------------

def dbt_invocation_id(dbt_target: Path) -> str | None:
    path = dbt_target / "run_results.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text()).get("metadata", {}).get("invocation_id")


def _window(names: tuple[str, str], parameters: Mapping[str, Any]) -> dict[str, str]:
    """A window's dates (its names are report parameters: the catalogue checks them)."""
    start, end = (json_value(parameters[name]) for name in names)
    return {"start": str(start), "end": str(end)}


def _figure(item: ReportItem, snapshot: TableSnapshot, highlights: pd.DataFrame,
            parameters: Mapping[str, Any]) -> dict[str, Any]:
    documented = item.columns
    columns = [
        {
            "name": column,
            "type": str(snapshot.frame[column].dtype),
            "unit": documented[column].unit if column in documented else None,
            "description": documented[column].description if column in documented else None,
        }
        for column in snapshot.frame.columns
    ]
    suppressed = int(snapshot.frame["is_suppressed"].fillna(False).astype(bool).sum()) \
        if "is_suppressed" in snapshot.frame else 0
    own_highlights = highlights[highlights["figure_id"] == item.id] if len(highlights) else highlights
    return {
        "id": item.id,
        "title": item.title,
        "caption": item.caption,
        "section": item.section,
        "definition": item.definition,
        "window": _window(item.window, parameters),
        "table": snapshot.name,
        "columns": columns,
        "rows": frame_rows(snapshot.frame),
        "suppressed_rows": suppressed,
        "highlights": frame_rows(own_highlights.drop(columns=["figure_id"])) if len(own_highlights) else [],
    }


def _finding(finding: KeyFinding, rows: pd.DataFrame, parameters: Mapping[str, Any]) -> dict[str, Any]:
    if rows.empty:
        raise PublishError(f"marts.key_findings has no row for {finding.id}")
    measures = frame_rows(rows.drop(columns=["finding_id"]))
    headline = next((m for m in measures if m["is_headline"]), measures[0])
    return {
        "id": finding.id,
        "title": finding.title,
        "definition": finding.definition,
        "figure": finding.figure,
        "window": _window(finding.window, parameters),
        "value": headline["value"],
        "unit": headline["unit"],
        "measure": headline["measure"],
        "suppressed": bool(headline["is_suppressed"]),
        "measures": measures,
    }


def _generator(landing: Path) -> dict[str, Any] | None:
    manifest = landing / "_manifest" / "generation.json"
    if not manifest.is_file():
        return None
    summary = json.loads(manifest.read_text())
    return {key: summary.get(key) for key in ("seed", "customers", "params_digest", "dirty_rate")}


def build_report(
    *,
    lakehouse: Path,
    landing: Path,
    dbt_target: Path,
    parameters: Mapping[str, Any],
    pipeline_run_id: str | None,
    engine: str,
    mlflow_run_id: str | None = None,
    run_date: date | None = None,
    catalog: ReportCatalog | None = None,
    generated_at: datetime | None = None,
    previous: Publication | None = None,
) -> dict[str, Any]:
    """The report as a JSON-ready dict (see docs/report.schema.json); its `changes` are those since
    the `previous` publication (none for the first)."""
    try:
        catalog = catalog or catalog_from_manifest(read_manifest(dbt_target))
    except CatalogError as error:
        raise PublishError(str(error)) from error
    key_findings = read_mart(lakehouse, "key_findings")
    highlights = read_mart(lakehouse, "figure_highlights")
    snapshots = {key_findings.name: key_findings, highlights.name: highlights}

    def figures(items: Mapping[str, ReportItem]) -> list[dict[str, Any]]:
        out = []
        for item in items.values():
            snapshot = read_mart(lakehouse, item.mart)
            snapshots[snapshot.name] = snapshot
            out.append(_figure(item, snapshot, highlights.frame, parameters))
        return out

    figure_items, beyond_items = figures(catalog.figures), figures(catalog.beyond)
    findings = [
        _finding(finding, key_findings.frame[key_findings.frame["finding_id"] == finding.id], parameters)
        for finding in catalog.key_findings.values()
    ]
    forecasts = _forecasts(lakehouse, snapshots)
    report = {
        "schema_version": SCHEMA_VERSION,
        "title": report_title(),
        "report_year": json_value(parameters.get("report_year")),
        "generated_at": (generated_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "window": _window(("window_start", "window_end"), parameters),
        "telemetry": _window(("telemetry_start", "telemetry_end"), parameters),
        "suppression": {"min_customers": int(parameters["suppression_min_customers"])},
        "parameters": {name: json_value(value) for name, value in parameters.items()},
        "key_findings": findings,
        "figures": figure_items,
        "beyond": beyond_items,
        "provenance": {
            "pipeline_run_id": pipeline_run_id,
            "dbt_invocation_id": dbt_invocation_id(dbt_target),
            "engine": engine,
            "tables": {
                name: {"path": snapshot.path, "version": snapshot.version}
                for name, snapshot in sorted(snapshots.items())
            } | {name: {"path": str(storage.table_path(lakehouse, TableName(*name.split(".")))), "version": version}
                 for name, version in silver_versions(lakehouse).items()},
            "generator": _generator(landing),
            "reference_data": reference_data(lakehouse, run_date),
        },
    }
    before = previous.report() if previous else None
    report["provenance"]["previous_publication"] = report_changes.identity(before) if before else None
    report["changes"] = report_changes.as_json(before, report)
    if forecasts is not None:
        report["forecasts"] = forecasts
    if mlflow_run_id:
        report["provenance"]["mlflow_run_id"] = mlflow_run_id
    return report


def _forecasts(lakehouse: Path, snapshots: dict[str, TableSnapshot]) -> list[dict[str, Any]] | None:
    """gold.forecasts as the report's `forecasts` list; None when no forecast has run."""
    from sodai.forecast import table

    read = table.read(lakehouse)
    if read is None:
        return None
    frame, version = read
    snapshots["gold.forecasts"] = TableSnapshot("gold.forecasts", str(table.location(lakehouse)), version, frame)
    return table.report_entries(frame)


def validate_report(report: Mapping[str, Any], schema_path: Path = SCHEMA_PATH) -> None:
    schema = json.loads(schema_path.read_text())
    try:
        jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise PublishError(f"report.json does not match {schema_path.name} at {where}: {error.message}") from error


def write_report(report: Mapping[str, Any], path: Path) -> Path:
    """Validate, then replace `path` atomically: readers see the old or the new report, never half."""
    validate_report(report)
    text = json.dumps(report, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    storage.write_whole(path, text.encode("utf-8"))
    return path
