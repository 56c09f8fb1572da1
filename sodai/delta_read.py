"""Reading a Delta table in-process, without an engine (the CLI's status, the run history, gate
bookkeeping, publishing, the forecasts, the report site).

deltalake's pyarrow-dataset readers (`to_pandas`, `to_pyarrow_table`, `to_pyarrow_dataset`) leave
threads that abort the Python process at exit, after its work is done, in about half of the runs
on this stack (deltalake 1.6, pyarrow 21 to 25; delta-io/delta-rs#2184): a command that succeeded
would exit 134. Its own query engine (`QueryBuilder`, DataFusion) does not, so every read goes
through it. View types (`string_view`) are cast to the plain types pandas and JSON expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable, QueryBuilder

from jobs import storage

_PLAIN = {pa.string_view(): pa.string(), pa.binary_view(): pa.binary()}


def _plain_type(kind: pa.DataType) -> pa.DataType:
    """The type with every view type in it (a list's items, a struct's fields) made plain: pandas
    cannot convert a list of string_view."""
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_list_view(kind):
        return pa.list_(kind.value_field.with_type(_plain_type(kind.value_type)))
    if pa.types.is_struct(kind):
        return pa.struct([f.with_type(_plain_type(f.type)) for f in kind])
    return _PLAIN.get(kind, kind)


def _plain(table: pa.Table) -> pa.Table:
    schema = pa.schema([f.with_type(_plain_type(f.type)) for f in table.schema])
    return table if schema == table.schema else table.cast(schema)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_arrow(table: DeltaTable | Path | str, columns: list[str] | None = None, where: str | None = None) -> pa.Table:
    """The table's current version (or the DeltaTable's loaded one) as Arrow; `where` is a SQL
    predicate on its columns."""
    delta = table if isinstance(table, DeltaTable) else storage.open_delta(table)
    names = columns or [f.name for f in delta.schema().fields]
    query = f"select {', '.join(_quoted(n) for n in names)} from t" + (f" where {where}" if where else "")
    result = pa.table(QueryBuilder().register("t", delta).execute(query).read_all())
    if result.num_rows == 0 and result.num_columns == 0:  # no file to read: the table's empty schema
        schema = pa.schema(delta.schema().to_arrow())
        result = pa.schema([schema.field(n) for n in names]).empty_table()
    return _plain(result)


def read_pandas(table: DeltaTable | Path | str, columns: list[str] | None = None, where: str | None = None) -> pd.DataFrame:
    return read_arrow(table, columns, where).to_pandas()



class MissingTable(RuntimeError):
    """No Delta table where one was expected (names the table and its location)."""


@dataclass(frozen=True)
class TableSnapshot:
    """A Delta table as read: its rows and the version they come from."""

    name: str
    path: str
    version: int
    frame: pd.DataFrame


def read_snapshot(path: Path, name: str) -> TableSnapshot:
    if not storage.is_delta_table(path):
        raise MissingTable(f"{name}: no Delta table at {path} (run `sodai transform` first)")
    table = storage.open_delta(path)
    return TableSnapshot(name, str(path), table.version(), read_pandas(table))


def read_mart(lakehouse: Path, mart: str) -> TableSnapshot:
    """A gold mart (marts.<mart>) with the version read."""
    return read_snapshot(storage.mart_path(lakehouse, mart), f"marts.{mart}")
