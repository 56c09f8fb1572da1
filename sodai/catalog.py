"""Point the session's catalog names for the dbt project at this lakehouse before dbt runs.

Catalog names outlive a run on some engines (the JVM server's catalog lives as long as the
server, a cluster's metastore for good) and die with the session on others (Sail). Before a build:

- a name that points at another location (another lakehouse, on a shared server) is dropped:
  dbt would otherwise read another lakehouse's silver, and Delta refuses to replace a table at a
  different location (DELTA_TABLE_LOCATION_MISMATCH);
- a missing name whose Delta table exists is declared, so a `--select` of some models finds the
  parents an earlier run built (a new session knows none of them).

Dropping a table declared with a LOCATION forgets the name and keeps the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyspark.sql.connect.session import SparkSession

from jobs import storage
from jobs.storage import Location, TableName


@dataclass(frozen=True)
class CatalogTable:
    schema: str
    name: str
    location: str

    @property
    def qualified(self) -> str:
        return f"`{self.schema}`.`{self.name}`"


def project_tables(manifest, lakehouse: Location) -> list[CatalogTable]:
    """Every source and every seed, model or snapshot the project keeps at a location."""
    tables = [CatalogTable(s.schema, s.identifier, str(storage.table_path(lakehouse, TableName(s.schema, s.identifier))))
              for s in manifest.sources.values()]
    for node in manifest.nodes.values():
        root = node.config.get("location_root") if str(node.resource_type) in ("model", "seed", "snapshot") else None
        if root and node.config.materialized != "view":
            tables.append(CatalogTable(node.schema, node.alias, f"{str(root).rstrip('/')}/{node.alias}"))
    return sorted(set(tables), key=lambda t: (t.schema, t.name))


def _normalized(location: str) -> str:
    for prefix in ("file://", "file:"):
        if location.startswith(prefix):
            location = location[len(prefix):]
            break
    return location.rstrip("/")


def catalog_locations(spark: SparkSession, schema: str) -> dict[str, str] | None:
    """name -> location of the tables the catalog holds in `schema`; None: no such schema."""
    if not spark.catalog.databaseExists(schema):
        return None
    locations = {}
    for row in spark.sql(f"show table extended in `{schema}` like '*'").collect():
        if row["isTemporary"]:
            continue
        for line in (row["information"] or "").splitlines():
            if line.startswith("Location:"):
                locations[row["tableName"]] = _normalized(line.split(":", 1)[1].strip())
    return locations


def _delta_exists(lakehouse: Location, location: str) -> bool:
    """A Delta table at `location`, a table of this lakehouse (in its store) or a local path."""
    return storage.is_delta_table(storage.like(lakehouse, location))


def point_catalog_at(spark: SparkSession, manifest, lakehouse: Location) -> list[str]:
    """Drop names that point elsewhere, declare missing ones whose Delta table exists; returns the
    statements run."""
    statements = []
    tables = project_tables(manifest, lakehouse)
    for schema in sorted({t.schema for t in tables}):
        known = catalog_locations(spark, schema)
        create_schema = [f"create schema if not exists `{schema}`"] if known is None else []
        known = known or {}
        for table in (t for t in tables if t.schema == schema):
            current = known.get(table.name)
            if current == _normalized(table.location):
                continue
            if current is not None:
                statements.append(f"drop table {table.qualified}")
            if _delta_exists(lakehouse, table.location):
                statements += create_schema
                create_schema = []
                statements.append(f"create table {table.qualified} using delta location '{table.location}'")
    for statement in statements:
        spark.sql(statement)
    return statements


def missing_views(spark: SparkSession, manifest) -> list[str]:
    """The project's view models the session's catalog does not hold. A view has no location to
    declare it from: on an engine whose catalog dies with the session (Sail), a new session knows
    none, and a selection's tests may read one it does not build."""
    views = [node for node in manifest.nodes.values()
             if str(node.resource_type) == "model" and node.config.materialized == "view"]
    return sorted(node.name for node in views if not spark.catalog.tableExists(f"{node.schema}.{node.alias}"))


def manifest_from_json(path: Path):
    """target/manifest.json as the few attributes `project_tables` reads (for a process that did
    not parse the project itself, such as a gate re-running a failed test's query)."""
    import json
    from types import SimpleNamespace

    raw = json.loads(Path(path).read_text())

    def node(entry: dict) -> SimpleNamespace:
        config = entry.get("config") or {}
        return SimpleNamespace(
            schema=entry["schema"], alias=entry.get("alias"), identifier=entry.get("identifier"),
            resource_type=entry["resource_type"],
            config=SimpleNamespace(get=config.get, materialized=config.get("materialized")))

    return SimpleNamespace(sources={k: node(v) for k, v in raw.get("sources", {}).items()},
                           nodes={k: node(v) for k, v in raw.get("nodes", {}).items()})
