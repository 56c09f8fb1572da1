"""The ingest job: new landing files -> bronze, exactly once, in atomic batches.

Exactly-once protocol (works on every engine, no streaming needed):
1. A batch gets a run id and a `started` row in ops.ingest_runs.
2. Its lines are validated and appended to bronze.events (one Delta commit), then its quarantine,
   reconciliation and ledger rows are appended.
3. A `committed` row in ops.ingest_runs makes the batch real: downstream reads committed batches only.
A crash anywhere before 3 leaves a batch that is `started` but not `committed`; the next run first
deletes every row that batch wrote (`rolled_back`), then ingests its files again. A re-delivered
file (same path, same bytes) is recognised by its SHA-256 in the ledger and adds nothing.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from pyspark.sql import Window
from pyspark.sql import functions as F
from pyspark.sql.connect.dataframe import DataFrame
from pyspark.sql.connect.session import SparkSession

from jobs import storage
from jobs.batching import bounded_batches
from jobs.contract import Rule
from jobs.failpoints import failpoint
from jobs.ingest import tables as T
from jobs.ingest.accounts import snapshot_rows
from jobs.ingest.inspection import Inspection, inspect_file
from jobs.ingest.landing import LandingFile, StrayFile, files_for_day, list_landing, read_lines
from jobs.ingest.validate import validate_event_lines
from jobs.lakehouse import Lakehouse
from jobs.layout import AddedColumn
from jobs.runs import new_run_id
from jobs.storage import Location


@dataclass
class FileReconciliation:
    file_path: str
    lines_read: int
    accepted: int
    duplicates: int
    quarantined: int

    @property
    def reconciled(self) -> bool:
        return self.lines_read == self.accepted + self.duplicates + self.quarantined


@dataclass
class IngestReport:
    """What one `ingest` call did."""

    run_ids: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    files: list[FileReconciliation] = field(default_factory=list)
    redelivered: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    strays: list[StrayFile] = field(default_factory=list)
    quarantine_by_rule: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # "file:line: rule (field)" of a few rejects
    upgraded: list[AddedColumn] = field(default_factory=list)  # layout changes made to older tables

    def total(self, attribute: str) -> int:
        return sum(getattr(f, attribute) for f in self.files)

    @property
    def reconciled(self) -> bool:
        return all(f.reconciled for f in self.files)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _set_state(lakehouse: Lakehouse, run_id: str, state: str, files: int = 0, lines: int = 0) -> None:
    lakehouse.append_rows(T.INGEST_RUNS, [(run_id, state, files, lines, _now())])


def dangling_batches(states: Iterable[dict]) -> list[str]:
    """Batches of ops.ingest_runs rows (`ingest_run_id`, `state`) that started and neither
    committed nor were rolled back, in the order they started."""
    seen: dict[str, set[str]] = {}
    for row in states:
        seen.setdefault(row["ingest_run_id"], set()).add(row["state"])
    return [run_id for run_id, found in seen.items() if "started" in found and not {"committed", "rolled_back"} & found]


def recover(spark: SparkSession, lakehouse: Lakehouse) -> list[str]:
    """Delete everything written by batches that started but never committed; return their ids."""
    dangling = dangling_batches(lakehouse.read_rows(T.INGEST_RUNS, "ingest_run_id", "state"))
    if dangling:
        ids = ", ".join(f"'{run_id}'" for run_id in dangling)
        for spec in (T.BRONZE_EVENTS, T.BRONZE_ACCOUNTS, T.QUARANTINE, T.RECONCILIATION, T.LEDGER):
            spark.sql(f"DELETE FROM {lakehouse.ref(spec)} WHERE ingest_run_id IN ({ids})")
        for run_id in dangling:
            _set_state(lakehouse, run_id, "rolled_back")
    return dangling


# Event ids are hashed into this many window partitions. With a partition per event id (nearly
# every id is unique) the window cost the engine more than the sort it needs (docs/benchmarks.md);
# buckets of ids keep the sort and make the window one pass over each bucket.
DEDUP_BUCKETS = 64


def mark_duplicates(batch: DataFrame, seen_event_ids: DataFrame) -> DataFrame:
    """Add `status`: quarantined (a rule broken), duplicate (a valid line whose event_id was
    accepted in an earlier batch, or appears on a valid line before it in this one, by landing
    date, file and line: the first wins) or accepted. A quarantined line never takes an event's
    place: a valid copy after a broken one is accepted. `seen_event_ids` holds each accepted
    event id of earlier batches once."""
    valid = F.col("reject_rule").isNull()
    # Within an event id, valid lines sort first and in landing order, so a valid line is a
    # duplicate exactly when the line before it has the same event id.
    order = Window.partitionBy(F.pmod(F.hash("event_id"), F.lit(DEDUP_BUCKETS))).orderBy(
        "event_id", F.when(valid, 0).otherwise(1), "landing_date", "file_path", "line_number"
    )
    repeated = F.coalesce(F.lag("event_id").over(order) == F.col("event_id"), F.lit(False))
    # No distinct: accepted event ids are unique in bronze. This function makes them so, one
    # ingest runs at a time (sodai.lock), and the bronze gate checks it. Making them distinct
    # again cost a daily batch 10 s against a 5 M-event history on Sail, growing with the
    # history; the join alone took 0.25 s.
    seen = seen_event_ids.select("event_id", F.lit(True).alias("_seen"))
    marked = batch.join(seen, on="event_id", how="left").withColumn("_repeated", repeated)
    return marked.withColumn(
        "status",
        F.when(~valid, F.lit("quarantined"))
        .when(F.col("_seen").isNotNull() | F.col("_repeated"), F.lit("duplicate"))
        .otherwise(F.lit("accepted")),
    ).drop("_seen", "_repeated")


def _reconcile(spark: SparkSession, lakehouse: Lakehouse, spec, run_id: str, files: Iterable[str]) -> list[FileReconciliation]:
    rows = (
        lakehouse.read(spark, spec)
        .where(F.col("ingest_run_id") == run_id)
        .groupBy("file_path")
        .agg(
            F.count(F.lit(1)).alias("lines_read"),
            F.sum(F.when(F.col("status") == "accepted", 1).otherwise(0)).alias("accepted"),
            F.sum(F.when(F.col("status") == "duplicate", 1).otherwise(0)).alias("duplicates"),
            F.sum(F.when(F.col("status") == "quarantined", 1).otherwise(0)).alias("quarantined"),
        )
        .collect()
    )
    found = {r.file_path: FileReconciliation(r.file_path, r.lines_read, r.accepted, r.duplicates, r.quarantined) for r in rows}
    return [found.get(path, FileReconciliation(path, 0, 0, 0, 0)) for path in files]


class IngestJob:
    """Ingests what is new in one landing zone into one lakehouse."""

    def __init__(self, spark: SparkSession, lakehouse: Lakehouse, landing: Location | Path, files_per_batch: int = 1000,
                 until: date | None = None, one_scan_below: float = 0, bytes_per_batch: int | None = None):
        self.spark, self.lakehouse, self.landing = spark, lakehouse, storage.as_location(landing)
        self.files_per_batch, self.bytes_per_batch = files_per_batch, bytes_per_batch
        self.until = until  # a scheduled run for day D takes what files_for_day(D) gives
        # a batch whose files' mean size is below this is read in one scan (see read_lines)
        self.one_scan_below = one_scan_below

    def run(self, on_batch: Callable[[int, int], None] | None = None) -> IngestReport:
        """Ingest every new file; `on_batch(done_files, total_files)` reports progress."""
        spark, lakehouse = self.spark, self.lakehouse
        upgraded = lakehouse.ensure(*T.ALL)
        report = IngestReport(rolled_back=recover(spark, lakehouse), upgraded=upgraded)
        files, report.strays = list_landing(self.landing)
        if self.until is not None:
            files = files_for_day(files, self.until)
        new_files = self._new_files(files, report)
        events = [f for f, _ in new_files if f.kind == "events"]
        accounts = [f for f, _ in new_files if f.kind == "accounts"]
        inspections = {f.path: i for f, i in new_files}
        done = 0
        for chunk in bounded_batches(events, lambda f: f.size, self.files_per_batch, self.bytes_per_batch):
            self._ingest_events(chunk, inspections, report)
            done += len(chunk)
            if on_batch:
                on_batch(done, len(events) + len(accounts))
        if accounts:
            self._ingest_accounts(accounts, inspections, report)
            if on_batch:
                on_batch(done + len(accounts), len(events) + len(accounts))
        report.quarantine_by_rule, report.examples = self._quarantine_by_rule(report.run_ids)
        return report

    # -- steps ---------------------------------------------------------------------------------

    def _new_files(self, files: list[LandingFile], report: IngestReport) -> list[tuple[LandingFile, Inspection]]:
        """Files whose bytes are not in the ledger yet, with what one pass over their bytes found
        (their SHA-256 among it). Re-deliveries of known bytes are recorded in the ledger (so they
        are not read again) and skipped."""
        ledger = self.lakehouse.read_rows(T.LEDGER, "file_path", "size", "mtime_ns", "sha256")
        known_stat = {(r["file_path"], r["size"], r["mtime_ns"]) for r in ledger}
        known_hash = {(r["file_path"], r["sha256"]) for r in ledger}
        new: list[tuple[LandingFile, Inspection]] = []
        redelivered: list[tuple] = []
        for file in files:
            if (file.path, file.size, file.mtime_ns) in known_stat:
                continue
            inspection = inspect_file(self.landing / file.path)
            if (file.path, inspection.sha256) in known_hash:
                redelivered.append((file.path, file.size, file.mtime_ns, inspection.sha256, None, "redelivered", _now()))
                report.redelivered.append(file.path)
            else:
                new.append((file, inspection))
        self.lakehouse.append_rows(T.LEDGER, redelivered)
        return new

    def _ingest_events(self, files: list[LandingFile], inspections: dict[str, Inspection], report: IngestReport) -> None:
        spark, lakehouse = self.spark, self.lakehouse
        run_id = new_run_id("ingest")
        _set_state(lakehouse, run_id, "started", files=len(files))
        now = _now()
        readable = [f for f in files if inspections[f.path].problem is None]
        unreadable = [f for f in files if inspections[f.path].problem is not None]
        readers = {f.path: inspections[f.path].reader(f.path) for f in readable}
        batch = mark_duplicates(
            validate_event_lines(read_lines(spark, self.landing, readable, self._one_scan(files), readers)),
            lakehouse.read(spark, T.BRONZE_EVENTS).where(F.col("status") == "accepted").select("event_id"),
        )
        unreadable_rows = [
            (f.path, f.partition_date, 0, "", run_id, now, "quarantined", Rule.UNREADABLE_FILE, inspections[f.path].problem,
             None, None, None, None, None, None, None, None, None, None, f.partition_date.replace(day=1), None)
            for f in unreadable
        ]
        bronze = batch.select(
            "file_path", "landing_date", "line_number", "raw_line",
            F.lit(run_id).alias("ingest_run_id"), F.lit(now).cast("timestamp").alias("ingested_at"),
            "status", "reject_rule", "reject_field", "event_id", "schema_version", "event_type", "event_ts",
            "customer_id", "workspace_id", "user_email", "client_ip", "cloud", "payload_json",
            F.trunc("landing_date", "month").alias("landing_month"), "raw_bytes",
        )
        if unreadable_rows:
            bronze = bronze.unionByName(spark.createDataFrame(unreadable_rows, T.BRONZE_EVENTS.columns))
            report.unreadable += [(f.path, inspections[f.path].problem) for f in unreadable]
        bronze.write.format("delta").mode("append").partitionBy("landing_month").save(
            lakehouse.location(T.BRONZE_EVENTS)
        )
        failpoint("ingest.after_bronze_write")
        self._finish(run_id, T.BRONZE_EVENTS, files, inspections, report)

    def _one_scan(self, files: list[LandingFile]) -> bool:
        return bool(files) and sum(f.size for f in files) / len(files) < self.one_scan_below

    def _ingest_accounts(self, files: list[LandingFile], inspections: dict[str, Inspection], report: IngestReport) -> None:
        spark, lakehouse = self.spark, self.lakehouse
        run_id = new_run_id("ingest")
        _set_state(lakehouse, run_id, "started", files=len(files))
        now = _now()
        rows = []
        for file in files:
            inspection = inspections[file.path]
            if inspection.problem is not None:  # quarantined whole, as an events file would be
                rows.append((file.path, file.partition_date, 0, "", run_id, now, "quarantined", Rule.UNREADABLE_FILE,
                             inspection.problem, None, None, None, None, None))
                report.unreadable.append((file.path, inspection.problem))
                continue
            data = (self.landing / file.path).read_bytes()
            for row in snapshot_rows(gzip.decompress(data) if inspection.compression == "gzip" else data):
                rows.append(
                    (file.path, file.partition_date, row.line_number, row.raw_line, run_id, now, row.status,
                     row.reject_rule, row.reject_field, row.customer_id, row.industry, row.country, row.segment,
                     row.raw_bytes)
                )
        if rows:
            spark.createDataFrame(rows, T.BRONZE_ACCOUNTS.columns).write.format("delta").mode("append").save(
                lakehouse.location(T.BRONZE_ACCOUNTS))
        self._finish(run_id, T.BRONZE_ACCOUNTS, files, inspections, report)

    def _finish(self, run_id: str, spec, files: list[LandingFile], inspections: dict[str, Inspection],
                report: IngestReport) -> None:
        """Quarantine, reconciliation and ledger rows for a written batch, then its commit."""
        spark, lakehouse = self.spark, self.lakehouse
        rejected = lakehouse.read(spark, spec).where(
            (F.col("ingest_run_id") == run_id) & (F.col("status") == "quarantined")
        )
        rejected.select(
            "file_path", "line_number", F.col("reject_rule").alias("rule"), F.col("reject_field").alias("field"),
            "raw_line", "ingest_run_id", "ingested_at",
            "raw_bytes",
        ).write.format("delta").mode("append").save(lakehouse.location(T.QUARANTINE))
        reconciliation = _reconcile(spark, lakehouse, spec, run_id, [f.path for f in files])
        # Every non-empty events file has a line: never commit a batch that lost one. (An accounts
        # snapshot may hold only its header, which is not a row.)
        unread = [r.file_path for r, f in zip(reconciliation, files)
                  if spec is T.BRONZE_EVENTS and f.size > 0 and r.lines_read == 0]
        if unread:
            raise ValueError(f"ingest read no line of {len(unread)} non-empty landing file(s), first {unread[0]}; "
                             f"batch {run_id} is not committed and the next run ingests its files again")
        now = _now()
        lakehouse.append_rows(
            T.RECONCILIATION,
            [(run_id, r.file_path, r.lines_read, r.accepted, r.duplicates, r.quarantined, r.reconciled, now)
             for r in reconciliation],
        )
        lakehouse.append_rows(
            T.LEDGER,
            [(f.path, f.size, f.mtime_ns, inspections[f.path].sha256, run_id, "ingested", now) for f in files],
        )
        failpoint("ingest.before_commit")
        _set_state(lakehouse, run_id, "committed", files=len(files),
                   lines=sum(r.lines_read for r in reconciliation))
        report.run_ids.append(run_id)
        report.files += reconciliation

    def _quarantine_by_rule(self, run_ids: list[str]) -> tuple[dict[str, int], list[str]]:
        """Per rule broken in these batches, in one query: how many lines, and its first line as
        `file:line: rule rule (field)` for the console."""
        if not run_ids:
            return {}, []
        rows = (
            self.lakehouse.read(self.spark, T.QUARANTINE)
            .where(F.col("ingest_run_id").isin(run_ids))
            .groupBy("rule")
            .agg(F.count(F.lit(1)).alias("lines"), F.min(F.struct("file_path", "line_number", "field")).alias("first"))
            .orderBy("rule")
            .collect()
        )
        examples = [
            f"{r.first.file_path}:{r.first.line_number}: rule {r.rule}"
            + (f" (field {r.first.field})" if r.first.field else "")
            for r in rows
        ]
        return {r.rule: r.lines for r in rows}, examples
