"""Reading Delta tables in-process (sodai/delta_read.py): the same frame deltalake's own reader gives,
and a process that reads exits cleanly."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from sodai.delta_read import read_arrow, read_pandas

ROWS = pa.table({
    "run_id": ["a", "b", "c"], "day": [date(2024, 5, 1), date(2024, 5, 1), date(2024, 5, 2)],
    "rows": pa.array([1, None, 3], pa.int64()), "share": [0.5, 0.25, None],
})


def test_the_frame_deltalake_reads_with_partitions_columns_and_predicates(tmp_path):
    path = tmp_path / "table"
    write_deltalake(str(path), ROWS, partition_by=["day"])
    expected = DeltaTable(str(path)).to_pandas()
    found = read_pandas(path)
    order = ["run_id"]
    pd.testing.assert_frame_equal(found[expected.columns].sort_values(order).reset_index(drop=True),
                                  expected.sort_values(order).reset_index(drop=True))
    assert read_arrow(path, ["run_id"], "day = date'2024-05-02'").to_pydict() == {"run_id": ["c"]}
    assert read_arrow(path).schema.field("run_id").type == pa.string()  # not string_view


def test_lists_of_strings_read_as_pandas(tmp_path):
    """DataFusion gives list<string_view>, which pandas cannot convert (ops.gold_builds has one)."""
    path = tmp_path / "lists"
    write_deltalake(str(path), pa.table({"names": [["fig01", "fig02"], []], "pair": [{"a": "x"}, {"a": "y"}]}))
    frame = read_pandas(path)
    assert [list(names) for names in frame["names"]] == [["fig01", "fig02"], []]
    assert list(frame["pair"]) == [{"a": "x"}, {"a": "y"}]


def test_an_empty_table_keeps_its_columns(tmp_path):
    path = tmp_path / "empty"
    write_deltalake(str(path), ROWS.schema.empty_table())
    frame = read_pandas(path)
    assert list(frame.columns) == ROWS.column_names and frame.empty


def test_a_process_that_reads_a_table_exits_cleanly(tmp_path):
    """deltalake's pyarrow reader aborted about half of such processes at exit (code 134)."""
    path = tmp_path / "table"
    write_deltalake(str(path), ROWS)
    code = f"from sodai.delta_read import read_pandas; print(len(read_pandas({str(path)!r})))"
    for _ in range(6):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert (done.returncode, done.stdout.strip()) == (0, "3"), done.stderr[-500:]
