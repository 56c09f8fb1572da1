"""How the pipeline's engine tables are declared, created, upgraded and read (where they live:
jobs/storage.py; how an earlier version's layout is upgraded: jobs/layout.py).

Tables are Delta tables at ``<lakehouse>/<schema>/<table>``. Job code addresses them by location
(``delta.`<path>` `` in SQL, ``read.format("delta").load(path)``), never by a catalog name:
catalogs differ per engine (Sail's lives in each Connect session, the local JVM's in the server's
memory and is shared by its sessions), so a name could point at another lakehouse's table.
`register` declares catalog names for readers that want them (dbt sources, notebooks).

Data goes through the engine. The few bookkeeping rows of the ops tables (a batch's states, its
ledger and reconciliation rows) are written and read in this process through deltalake
(`append_rows`, `read_rows`), and so is what a table's Delta log says of its files (`may_hold`):
one small commit or a log read, where the JVM engine spends a job on each (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from pyspark.sql.connect.dataframe import DataFrame
from pyspark.sql.connect.session import SparkSession

from jobs import layout, storage
from jobs.layout import AddedColumn
from jobs.storage import Location


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

    def __init__(self, root: Location | Path):
        self.root = storage.as_location(root)
        self._registered: set[tuple[str, str]] = set()  # (session id, table) already declared
        self._current: set[str] = set()  # tables known to exist with their declared layout

    def location(self, spec: TableSpec) -> str:
        return storage.uri(storage.table_path(self.root, spec))

    def exists(self, spec: TableSpec) -> bool:
        return storage.is_delta_table(storage.table_path(self.root, spec))

    def ref(self, spec: TableSpec) -> str:
        """The table in SQL, by location: delta.`/lakehouse/schema/table`."""
        return f"delta.`{self.location(spec)}`"

    def read(self, spark: SparkSession, spec: TableSpec) -> DataFrame:
        return spark.read.format("delta").load(self.location(spec))

    def append_rows(self, spec: TableSpec, rows: list[tuple]) -> None:
        """Append `rows` (tuples in the declared column order) in one commit, in this process."""
        if rows:
            schema = layout.arrow_schema(spec.columns)
            columns = list(zip(*rows))
            storage.write_delta(storage.table_path(self.root, spec),
                                pa.table([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema),
                                mode="append")

    def read_rows(self, spec: TableSpec, *columns: str) -> list[dict]:
        """Every row of a small table (a ledger) as dicts of `columns`, read in this process."""
        table = storage.open_delta(storage.table_path(self.root, spec))
        return table.to_pyarrow_table(columns=list(columns)).to_pylist()

    def may_hold(self, spec: TableSpec, column: str, values: list[str]) -> bool:
        """Whether a data file of the table may hold a row whose string `column` is one of
        `values`, by the files' min/max statistics in its Delta log (read in this process, no
        engine job). Only a False is certain: a file without statistics for the column may."""
        if not values:
            return False
        low, high = min(values), max(values)
        files = pa.table(storage.open_delta(storage.table_path(self.root, spec)).get_add_actions(flatten=True))
        if files.num_rows == 0:
            return False
        names = files.schema.names
        if f"min.{column}" not in names or f"max.{column}" not in names:
            return True
        # A string's statistics may be truncated: a prefix for the minimum, a prefix and a high
        # character (U+007F on the JVM engine) for the maximum, so the range still contains every
        # value of the file whose characters sort below it: the run ids compared here are ASCII.
        for file_min, file_max in zip(files.column(f"min.{column}").to_pylist(),
                                      files.column(f"max.{column}").to_pylist()):
            if file_min is None or file_max is None or (file_min <= high and file_max >= low):
                return True
        return False

    def ensure(self, *specs: TableSpec) -> list[AddedColumn]:
        """Create each table that does not exist yet, empty, with its schema and partitioning, and
        bring each one an earlier version built to its declared layout (jobs/layout.py): the
        columns added, for the run to say so. A layout is checked once per Lakehouse."""
        added: list[AddedColumn] = []
        for spec in specs:
            if not self.exists(spec):
                layout.create(storage.table_path(self.root, spec), spec.columns, spec.partitioned_by, spec.comment)
            elif spec.qualified not in self._current:
                added += layout.upgrade(storage.table_path(self.root, spec), spec.qualified, spec.columns,
                                        spec.partitioned_by)
            self._current.add(spec.qualified)
        return added

    def register(self, spark: SparkSession, *specs: TableSpec) -> None:
        """Declare catalog names (`schema.table`) for these tables in this session, creating
        empty tables first where needed. A name that points elsewhere is re-pointed here."""
        self.ensure(*specs)
        specs = tuple(s for s in specs if (spark.session_id, s.qualified) not in self._registered)
        for schema in sorted({s.schema for s in specs}):
            spark.sql(f"CREATE DATABASE IF NOT EXISTS {schema}")
        for spec in specs:
            self._registered.add((spark.session_id, spec.qualified))
            # DROP of a table declared with a LOCATION forgets the name and keeps the data.
            spark.sql(f"DROP TABLE IF EXISTS {spec.qualified}")
            spark.sql(f"CREATE TABLE {spec.qualified} USING delta LOCATION '{self.location(spec)}'")
