"""The one place that knows where tables live and how they are declared.

Tables are Delta tables at ``<lakehouse>/<schema>/<table>``. Catalogs differ per engine (Sail's
lives in each Connect session, the local JVM's in the server's memory), so every session
re-declares the tables it uses with ``CREATE TABLE IF NOT EXISTS ... LOCATION``: idempotent on a
table that exists, and the way to create it (empty, with its schema) when it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyspark.sql.connect.session import SparkSession


@dataclass(frozen=True)
class TableSpec:
    """A Delta table: `schema.name`, its columns as SQL DDL, and its partition columns."""

    schema: str
    name: str
    columns: str
    partitioned_by: tuple[str, ...] = ()
    comment: str = ""

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


class Lakehouse:
    """Resolves table locations under one root and registers tables in a session's catalog."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def location(self, spec: TableSpec) -> str:
        return str(self.root / spec.schema / spec.name)

    def exists(self, spec: TableSpec) -> bool:
        return (self.root / spec.schema / spec.name / "_delta_log").is_dir()

    def register(self, spark: SparkSession, *specs: TableSpec) -> None:
        """Declare each table in this session's catalog, creating it empty if it is new."""
        for schema in sorted({s.schema for s in specs}):
            spark.sql(f"CREATE DATABASE IF NOT EXISTS {schema}")
        for spec in specs:
            if self.exists(spec):
                # An existing table brings its own schema; declaring it again would make some
                # engines compare the declaration with what they infer from the data files.
                spark.sql(f"CREATE TABLE IF NOT EXISTS {spec.qualified} USING delta LOCATION '{self.location(spec)}'")
                continue
            partition = f" PARTITIONED BY ({', '.join(spec.partitioned_by)})" if spec.partitioned_by else ""
            spark.sql(
                f"CREATE TABLE IF NOT EXISTS {spec.qualified} ({spec.columns}) USING delta"
                f"{partition} LOCATION '{self.location(spec)}'"
            )
