"""The refine job: committed, not yet refined bronze batches -> silver, idempotently.

A group of batches is appended to each silver event table; where a refine of the same batches was
cut off after writing to the table (before the refine ledger row), ``MERGE ... WHEN NOT MATCHED
THEN INSERT`` on event_id instead, so re-running after a crash inserts nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from pyspark.sql import functions as F
from pyspark.sql.connect.session import SparkSession

from jobs.batching import bounded_batches
from jobs.contract import EVENT_TYPES
from jobs.failpoints import failpoint
from jobs.ingest import tables as bronze
from jobs.lakehouse import Lakehouse
from jobs.refine import tables as T
from jobs.refine.transforms import flatten_event_type, newest_accounts, pseudonymize_events
from jobs.runs import new_run_id


@dataclass
class RefineReport:
    refine_run_id: str | None = None
    ingest_runs: list[str] = field(default_factory=list)
    groups: int = 0  # groups of ingest batches refined one after the other (lines_per_batch)
    inserted: dict[str, int] = field(default_factory=dict)  # silver table -> rows inserted
    accounts_snapshot: str | None = None
    accounts_rows: int = 0


def pending_ingest_runs(lakehouse: Lakehouse) -> list[tuple[str, int]]:
    """Committed ingest batches not yet in the refine ledger, oldest first, with their lines read."""
    done = {r["ingest_run_id"] for r in lakehouse.read_rows(T.REFINE_LEDGER, "ingest_run_id")}
    return sorted((r["ingest_run_id"], r["lines"] or 0)
                  for r in lakehouse.read_rows(bronze.INGEST_RUNS, "ingest_run_id", "state", "lines")
                  if r["state"] == "committed" and r["ingest_run_id"] not in done)


class RefineJob:
    """Refines the pending ingest batches in groups of at most `lines_per_batch` bronze lines
    (None: all at once). Each group is refined and recorded in the refine ledger before the next,
    so the engine holds one group at a time and a crash loses at most the group in flight."""

    def __init__(self, spark: SparkSession, lakehouse: Lakehouse, pseudonym_key: bytes,
                 lines_per_batch: int | None = None):
        self.spark, self.lakehouse, self.key = spark, lakehouse, pseudonym_key
        self.lines_per_batch = lines_per_batch

    def run(self, on_progress: Callable[[int, int], None] | None = None) -> RefineReport:
        """Refine every pending batch; `on_progress(done, total)` counts silver tables written."""
        lakehouse = self.lakehouse
        lakehouse.ensure(*bronze.ALL, *T.ALL)
        report = RefineReport()
        pending = pending_ingest_runs(lakehouse)
        if not pending:
            return report
        report.refine_run_id, report.ingest_runs = new_run_id("refine"), [run for run, _ in pending]
        groups = bounded_batches(pending, lambda run: run[1], max_size=self.lines_per_batch)
        report.groups = len(groups)
        written, total = 0, len(groups) * len(EVENT_TYPES)

        def table_written() -> None:
            nonlocal written
            written += 1
            if on_progress:
                on_progress(written, total)

        for group in groups:
            self._refine_group([run for run, _ in group], report, table_written)
            failpoint("refine.after_group")
        return report

    def rebuild(self, on_progress: Callable[[int, int], None] | None = None,
                after_clear: Callable[[], None] | None = None) -> RefineReport:
        """Silver again from bronze alone: the refine ledger and every silver table emptied, then
        every committed batch refined (a new pseudonym key). The ledger is emptied first: a crash
        at any point leaves silver either as it was or refinable by the next run."""
        lakehouse = self.lakehouse
        lakehouse.ensure(*bronze.ALL, *T.ALL)
        for spec in (T.REFINE_LEDGER, *T.EVENT_TABLES.values(), T.ACCOUNTS):
            self.spark.sql(f"DELETE FROM {lakehouse.ref(spec)}")
        if after_clear:
            after_clear()
        return self.run(on_progress)

    def _refine_group(self, runs: list[str], report: RefineReport, table_written: Callable[[], None]) -> None:
        """Refine these ingest batches into silver, then record them in the refine ledger."""
        spark, lakehouse = self.spark, self.lakehouse
        accepted = lakehouse.read(spark, bronze.BRONZE_EVENTS).where(
            F.col("ingest_run_id").isin(runs) & (F.col("status") == "accepted")
        )
        events = pseudonymize_events(accepted, self.key)
        counts = self._counts_by_type_and_month(accepted)
        for event_type in EVENT_TYPES:
            spec = T.EVENT_TABLES[event_type.name]
            inserted = self._insert_new(spec, flatten_event_type(events, event_type), counts.get(event_type.name, {}),
                                        runs)
            report.inserted[spec.qualified] = report.inserted.get(spec.qualified, 0) + inserted
            failpoint(f"refine.after_merge.{spec.name}")
            table_written()
        self._refresh_accounts(runs, report)
        now = datetime.now(timezone.utc)
        lakehouse.append_rows(T.REFINE_LEDGER, [(r, report.refine_run_id, now) for r in runs])

    def _insert_new(self, spec, rows, month_counts: dict[str, int], runs: list[str]) -> int:
        """Insert rows whose event_id is not in the table yet; return how many were inserted.

        Accepted event ids are unique across bronze batches (jobs/ingest/job.py), so a row of
        these batches can only be in the table already if a refine of them was cut off after
        writing it. When the table's Delta log shows that no file may hold a row of these batches
        (their ids against each file's min/max statistics, read in this process), the rows are
        appended: the MERGE's result without its join, on every run but one after a crash.
        Otherwise a MERGE on event_id within the event months, spelled out in the condition so
        that every engine prunes the target to those partitions before joining.
        """
        if not month_counts:
            return 0
        location = self.lakehouse.location(spec)
        if not self.lakehouse.may_hold(spec, "ingest_run_id", runs):
            rows.write.format("delta").mode("append").save(location)
            return sum(month_counts.values())
        in_months = ", ".join(f"DATE'{m}'" for m in sorted(month_counts))
        view = f"_refine_{spec.name}"
        rows.createOrReplaceTempView(view)
        result = self.spark.sql(
            f"MERGE INTO {self.lakehouse.ref(spec)} AS target USING {view} AS source "
            f"ON target.event_month IN ({in_months}) AND target.event_month = source.event_month "
            "AND target.event_id = source.event_id "
            "WHEN NOT MATCHED THEN INSERT *"
        ).collect()
        return _inserted_count(result)

    @staticmethod
    def _counts_by_type_and_month(accepted) -> dict[str, dict[str, int]]:
        """{event type: {event month: accepted rows}} of the batch, in one query."""
        rows = accepted.groupBy("event_type", F.trunc(F.to_date("event_ts"), "month").alias("m")).count().collect()
        counts: dict[str, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(row.event_type, {})[row.m.isoformat()] = row["count"]
        return counts

    def _refresh_accounts(self, runs: list[str], report: RefineReport) -> None:
        """Rebuild the accounts dimension when a batch brought a snapshot."""
        account_rows = self.lakehouse.read(self.spark, bronze.BRONZE_ACCOUNTS)
        if account_rows.where(F.col("ingest_run_id").isin(runs)).limit(1).count() == 0:
            return
        committed = self.lakehouse.read(self.spark, bronze.INGEST_RUNS).where(F.col("state") == "committed").select(
            "ingest_run_id"
        ).distinct()
        accepted = account_rows.join(committed, "ingest_run_id").where(F.col("status") == "accepted")
        dimension = newest_accounts(accepted, self.key)
        dimension.write.format("delta").mode("overwrite").save(self.lakehouse.location(T.ACCOUNTS))
        row = self.lakehouse.read(self.spark, T.ACCOUNTS).agg(F.count(F.lit(1)).alias("n"), F.max("snapshot_date").alias("d")).first()
        report.accounts_rows, report.accounts_snapshot = row.n, str(row.d)


def _inserted_count(result: list) -> int:
    """MERGE's metrics row names the inserted count differently per engine."""
    if not result:
        return 0
    row = result[0].asDict()
    for key in ("num_inserted_rows", "num_affected_rows", "count"):
        if key in row and row[key] is not None:
            return int(row[key])
    return 0
