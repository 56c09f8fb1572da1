"""A table an earlier version built, against this version's declaration: columns added in place,
anything else refused with what to do."""

import pyarrow as pa
import pytest

from jobs import storage
from jobs.layout import AddedColumn, LayoutError, ddl_columns, layout_changes, upgrade

DDL = "file_path string, line_number bigint, landing_month date, raw_bytes binary"


def test_a_declared_column_the_table_lacks_is_added():
    found = {"file_path": "string", "line_number": "long", "landing_month": "date"}
    assert layout_changes("bronze.events", DDL, ("landing_month",), found, ["landing_month"]) == [
        AddedColumn("bronze.events", "raw_bytes", "binary")]


def test_a_table_with_the_declared_layout_and_more_needs_nothing():
    found = {"file_path": "string", "line_number": "long", "landing_month": "date", "raw_bytes": "binary",
             "a_newer_column": "string"}
    assert layout_changes("bronze.events", DDL, ("landing_month",), found, ["landing_month"]) == []


@pytest.mark.parametrize(("found", "partitions", "message"), [
    ({"file_path": "string", "line_number": "integer", "landing_month": "date"}, ["landing_month"],
     "bronze.events.line_number is of type integer, this version declares bigint"),
    ({"file_path": "string", "line_number": "long", "landing_month": "date"}, [],
     "bronze.events is partitioned by nothing, this version declares ['landing_month']"),
])
def test_a_change_that_would_rewrite_the_table_is_refused_naming_it(found, partitions, message):
    with pytest.raises(LayoutError, match="rebuild") as refused:
        layout_changes("bronze.events", DDL, ("landing_month",), found, partitions)
    assert message in str(refused.value)


def test_ddl_columns_names_an_undeclarable_type():
    assert ddl_columns("a string, b bigint") == [("a", "string"), ("b", "bigint")]
    with pytest.raises(ValueError, match="b: type variant"):
        ddl_columns("a string, b variant")


def test_upgrade_adds_the_column_to_a_delta_table_and_keeps_its_rows(tmp_path):
    where = tmp_path / "events"
    rows = pa.table({"file_path": ["a.json"], "line_number": pa.array([1], pa.int64()),
                     "landing_month": pa.array([pa.scalar(19783, pa.date32())])})
    storage.write_delta(where, rows, partition_by=["landing_month"])
    assert upgrade(where, "bronze.events", DDL, ("landing_month",)) == [AddedColumn("bronze.events", "raw_bytes", "binary")]
    table = storage.open_delta(where)
    assert [f.name for f in table.schema().fields] == ["file_path", "line_number", "landing_month", "raw_bytes"]
    assert table.to_pyarrow_table().column("raw_bytes").to_pylist() == [None]
    assert upgrade(where, "bronze.events", DDL, ("landing_month",)) == []  # once
