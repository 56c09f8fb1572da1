"""A table's layout on disk against its declaration: what a run upgrades in place, what it refuses.

A lakehouse outlives the version that built it. When a new version declares a column a table does
not have yet (a `TableSpec` gained it), the run adds it in place before writing: one metadata-only
Delta commit (`ADD COLUMN`), the data files untouched, the column null in every row written before.
Anything else that differs (a column's type, the partitioning) cannot be changed in place without
rewriting the table; the run refuses it with a `LayoutError` that names the table, the difference
and what to do, before any stage has written anything.

The comparison is pure (`layout_changes`); reading and altering the table goes through deltalake,
so it is the same on every engine and store.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from jobs import storage

# The SQL DDL types TableSpecs may use: each as Delta's schema names it, and as the Arrow type
# deltalake writes for it (Delta's `timestamp` is microseconds in UTC).
DECLARABLE_TYPES = {
    "string": ("string", pa.string()), "bigint": ("long", pa.int64()), "int": ("integer", pa.int32()),
    "integer": ("integer", pa.int32()), "double": ("double", pa.float64()), "boolean": ("boolean", pa.bool_()),
    "date": ("date", pa.date32()), "timestamp": ("timestamp", pa.timestamp("us", tz="UTC")),
    "binary": ("binary", pa.binary()),
}
DELTA_TYPES = {sql_type: delta for sql_type, (delta, _) in DECLARABLE_TYPES.items()}


class LayoutError(RuntimeError):
    """A table's layout differs from its declaration in a way the run does not change in place."""


@dataclass(frozen=True)
class AddedColumn:
    """A column a run added to an existing table."""

    table: str  # schema.name
    column: str
    type: str  # as declared (SQL DDL)

    @property
    def text(self) -> str:
        return f"{self.table}: added column {self.column} {self.type} (null in the rows written before)"


def ddl_columns(ddl: str) -> list[tuple[str, str]]:
    """`name type` pairs of a TableSpec's DDL, in order (its types are all primitive)."""
    pairs = []
    for part in ddl.split(","):
        name, sql_type = part.strip().split(None, 1)
        if sql_type.lower() not in DELTA_TYPES:
            raise ValueError(f"column {name}: type {sql_type} is not one a table declaration may use (primitive types only)")
        pairs.append((name, sql_type.lower()))
    return pairs


def arrow_schema(ddl: str) -> pa.Schema:
    """A TableSpec's DDL as the Arrow schema deltalake writes for it."""
    return pa.schema([pa.field(name, DECLARABLE_TYPES[sql_type][1]) for name, sql_type in ddl_columns(ddl)])


def layout_changes(table: str, ddl: str, partitioned_by: tuple[str, ...],
                   found_columns: dict[str, str], found_partitions: list[str]) -> list[AddedColumn]:
    """The columns to add to the table found (`found_columns`: name -> Delta type) so that it has
    the declared layout; a LayoutError for any other difference. Columns the table has beyond
    its declaration are kept: a newer version may have added them, and they harm no reader."""
    if list(found_partitions) != list(partitioned_by):
        raise LayoutError(
            f"{table} is partitioned by {found_partitions or 'nothing'}, this version declares "
            f"{list(partitioned_by) or 'nothing'}; the table cannot be re-partitioned in place: rebuild it "
            "from the landing zone into a new lakehouse (paths.lakehouse) with `sodai run`")
    added = []
    for name, sql_type in ddl_columns(ddl):
        found = found_columns.get(name)
        if found is None:
            added.append(AddedColumn(table, name, sql_type))
        elif found != DELTA_TYPES[sql_type]:
            raise LayoutError(
                f"{table}.{name} is of type {found}, this version declares {sql_type}; the column cannot be "
                "changed in place: rebuild the table from the landing zone into a new lakehouse "
                "(paths.lakehouse) with `sodai run`")
    return added


def create(where, ddl: str, partitioned_by: tuple[str, ...], description: str) -> None:
    """A new, empty Delta table at `where` with the declared layout: one metadata commit through
    deltalake. (Through an engine it was a job per table: about 1.5 s each on the JVM engine, and
    a fresh lakehouse has 23 tables.) Every engine reads and writes it as one it had created."""
    from deltalake import DeltaTable
    from deltalake.schema import Field, Schema

    schema = Schema([Field(name, DELTA_TYPES[sql_type], nullable=True) for name, sql_type in ddl_columns(ddl)])
    DeltaTable.create(storage.uri(where), schema=schema, partition_by=list(partitioned_by) or None,
                      description=description or None, storage_options=storage.delta_storage_options(where))


def upgrade(where, table: str, ddl: str, partitioned_by: tuple[str, ...]) -> list[AddedColumn]:
    """Bring the Delta table at `where` to its declared layout; what was added."""
    from deltalake.schema import Field

    delta = storage.open_delta(where)
    found = {f.name: getattr(f.type, "type", str(f.type)) for f in delta.schema().fields}
    added = layout_changes(table, ddl, partitioned_by, found, delta.metadata().partition_columns)
    if added:
        delta.alter.add_columns([Field(a.column, DELTA_TYPES[a.type], nullable=True) for a in added])
    return added
