"""What a scheduled run's gate validates (sodai/gates/scope.py), on small Delta tables written with
deltalake: the batches a suite has not passed on, or the whole table when that is not safe."""

from __future__ import annotations

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from sodai.gates.scope import Scope, ledger_path, record_pass, scope_for

SUITE = "silver.example"


def _append(table, runs: list[str], mode: str = "append") -> None:
    rows = pa.table({"ingest_run_id": runs, "value": list(range(len(runs)))})
    write_deltalake(str(table), rows, mode=mode)


@pytest.fixture
def lakehouse(tmp_path):
    return tmp_path / "lakehouse"


@pytest.fixture
def table(lakehouse):
    path = lakehouse / "silver" / "example"
    _append(path, ["r1", "r2"])
    return path


def test_a_suite_never_passed_validates_the_whole_table(lakehouse, table):
    scope = scope_for(lakehouse, SUITE, table, ["r1", "r2"])
    assert scope.whole_table and scope.reason == "whole table (first time)"


def test_after_a_pass_only_the_new_batches_are_validated(lakehouse, table):
    record_pass(lakehouse, SUITE, scope_for(lakehouse, SUITE, table, ["r1", "r2"]), ["r1", "r2"], "gate-1")
    _append(table, ["r3", "r3", "r4"])
    scope = scope_for(lakehouse, SUITE, table, ["r1", "r2", "r3", "r4"])
    assert scope.runs == ("r3", "r4") and scope.reason == "2 new batches"
    assert scope.version == DeltaTable(str(table)).version()
    # the pass on that scope is recorded: the next run has nothing new
    record_pass(lakehouse, SUITE, scope, ["r1", "r2", "r3", "r4"], "gate-2")
    assert scope_for(lakehouse, SUITE, table, ["r1", "r2", "r3", "r4"]).reason == "whole table (no new batch)"
    passed = DeltaTable(str(ledger_path(lakehouse))).to_pandas()
    assert sorted(passed.ingest_run_id) == ["r1", "r2", "r3", "r4"]
    assert set(passed[passed.ingest_run_id == "r3"].gate_run_id) == {"gate-2"}


def test_a_batch_not_committed_is_not_in_the_scope(lakehouse, table):
    record_pass(lakehouse, SUITE, scope_for(lakehouse, SUITE, table, ["r1", "r2"]), ["r1", "r2"], "gate-1")
    _append(table, ["r3"])
    assert scope_for(lakehouse, SUITE, table, ["r1", "r2", "r3", "r5"]).runs == ("r3", "r5")


def test_rows_rewritten_since_the_pass_send_the_gate_back_to_the_whole_table(lakehouse, table):
    record_pass(lakehouse, SUITE, scope_for(lakehouse, SUITE, table, ["r1", "r2"]), ["r1", "r2"], "gate-1")
    _append(table, ["r1", "r2", "r3"], mode="overwrite")  # a file the suite passed on is gone
    scope = scope_for(lakehouse, SUITE, table, ["r1", "r2", "r3"])
    assert scope.whole_table and scope.reason == "whole table (rows rewritten)"


def test_a_delete_since_the_pass_sends_the_gate_back_to_the_whole_table(lakehouse, table):
    record_pass(lakehouse, SUITE, scope_for(lakehouse, SUITE, table, ["r1", "r2"]), ["r1", "r2"], "gate-1")
    _append(table, ["r3"])
    DeltaTable(str(table)).delete("ingest_run_id = 'r1'")
    assert scope_for(lakehouse, SUITE, table, ["r2", "r3"]).whole_table


def test_passes_are_kept_per_suite(lakehouse, table):
    record_pass(lakehouse, "silver.other", Scope(None, 0, "whole table"), ["r1", "r2"], "gate-1")
    assert scope_for(lakehouse, SUITE, table, ["r1", "r2"]).reason == "whole table (first time)"
