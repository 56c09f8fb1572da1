"""The landing zone: which files are there, and their lines as a DataFrame.

Listing and hashing happen here, at the edge, on the store the landing zone is in (a local disk,
a shared mount, or an object store: jobs/storage.py); reading the lines happens in the engine.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from pyspark.sql import functions as F
from pyspark.sql.connect.dataframe import DataFrame
from pyspark.sql.connect.session import SparkSession

from jobs import storage
from jobs.storage import Location

EVENTS_DIR = "events"
ACCOUNTS_DIR = "accounts"
# An events file's path under the landing root (docs/contract.md); group 1 is its date folder's day.
_EVENTS_PATH = r"events/date=(\d{4}-\d{2}-\d{2})/[^/]+\.json(?:\.gz)?"
_EVENTS_FILE = re.compile(f"^{_EVENTS_PATH}$")
_ACCOUNTS_FILE = re.compile(r"^accounts/snapshot=(\d{4}-\d{2}-\d{2})/[^/]+\.csv$")


@dataclass(frozen=True)
class LandingFile:
    """A file in the landing zone, addressed by its path relative to the landing root."""

    path: str  # e.g. "events/date=2024-03-01/part-0000.json"
    kind: str  # "events" or "accounts"
    partition_date: date  # the date= or snapshot= folder
    size: int
    mtime_ns: int

    @property
    def compressed(self) -> bool:
        return self.path.endswith(".gz")


@dataclass(frozen=True)
class StrayFile:
    """A file under events/ or accounts/ whose name the contract does not allow."""

    path: str
    reason: str


def list_landing(root: Location) -> tuple[list[LandingFile], list[StrayFile]]:
    """Every contract-conforming file under root/events and root/accounts, in path order, and
    the files there that do not conform (reported, never silently skipped)."""
    files: list[LandingFile] = []
    strays: list[StrayFile] = []
    for top in (EVENTS_DIR, ACCOUNTS_DIR):
        for entry in storage.list_files(root, top):
            name = entry.relative.rsplit("/", 1)[-1]
            if name.startswith(".") or name.endswith(".tmp"):
                continue  # a writer's temporary file: not delivered yet
            match = (_EVENTS_FILE if top == EVENTS_DIR else _ACCOUNTS_FILE).match(entry.relative)
            if match is None:
                strays.append(StrayFile(entry.relative, f"not a {top} file name allowed by the contract"))
                continue
            files.append(LandingFile(entry.relative, top, date.fromisoformat(match.group(1)), entry.size, entry.mtime_ns))
    return files, strays


def files_for_day(files: list[LandingFile], day: date) -> list[LandingFile]:
    """What a run for `day` takes from the landing zone: events files of date folders up to
    `day`, and the accounts snapshots dated on or before it. When no snapshot is dated on or
    before `day`, the earliest snapshot delivered is taken instead: a team's first snapshot is
    usually exported after the history it describes, and industries must come from somewhere.
    A later snapshot is taken by the run of its own date, and re-resolves industries then."""
    events = [f for f in files if f.kind == EVENTS_DIR and f.partition_date <= day]
    snapshots = sorted({f.partition_date for f in files if f.kind == ACCOUNTS_DIR})
    usable = [d for d in snapshots if d <= day] or snapshots[:1]
    accounts = [f for f in files if f.kind == ACCOUNTS_DIR and f.partition_date in usable]
    return events + accounts


@dataclass(frozen=True)
class AccountsSnapshotChoice:
    """Which accounts snapshot a run's industries come from, and by which part of the rule of
    `files_for_day`: what the run prints and report.json's provenance records."""

    snapshot_date: date | None
    run_date: date | None
    rule: str  # newest | on_or_before | earliest_after | none

    @property
    def text(self) -> str:
        if self.rule == "none":
            return "no accounts snapshot delivered: every customer is counted in industry Other"
        if self.rule == "earliest_after":
            return (f"accounts snapshot {self.snapshot_date}, dated after the run date {self.run_date}: "
                    "no snapshot is dated on or before it, so the earliest delivered is used")
        if self.rule == "on_or_before":
            return f"accounts snapshot {self.snapshot_date}, the newest dated on or before the run date {self.run_date}"
        return f"accounts snapshot {self.snapshot_date}, the newest delivered"


def accounts_snapshot_choice(snapshot_date: date | None, run_date: date | None) -> AccountsSnapshotChoice:
    """The rule that chose `snapshot_date` (silver.accounts') for a run of `run_date` (None: a
    run over everything landed)."""
    if snapshot_date is None:
        rule = "none"
    elif run_date is None:
        rule = "newest"
    else:
        rule = "on_or_before" if snapshot_date <= run_date else "earliest_after"
    return AccountsSnapshotChoice(snapshot_date, run_date, rule)


def sha256_of(path: Location, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


BYTE_ORDER_MARK = "\ufeff"  # U+FEFF, as UTF-8 the bytes EF BB BF


def _union_all(frames: list[DataFrame]) -> DataFrame:
    """Union as a balanced tree: a plan log2(n) deep rather than n deep."""
    while len(frames) > 1:
        frames = [frames[i].unionByName(frames[i + 1]) if i + 1 < len(frames) else frames[i] for i in range(0, len(frames), 2)]
    return frames[0]


# The landing-relative path of an events file at the end of a scan's absolute `path` column
# (file:/..., s3://...): the same pattern as list_landing's, as group 1.
_RELATIVE_EVENTS_PATH = f"({_EVENTS_PATH})$"


def _text_per_file(spark: SparkSession, root: Location, f: LandingFile) -> DataFrame:
    """``file_path, _text`` of one file, from a scan of its own."""
    location = storage.uri(root / f.path)
    if f.compressed:
        text = spark.read.text(location, wholetext=True).select(F.col("value").alias("_text"))
    else:
        text = spark.read.format("binaryFile").load(location).select(F.col("content").cast("string").alias("_text"))
    # limit(1): an engine that splits a big file into ranges returns its whole content once
    # per range; one copy is the file.
    return text.limit(1).select(F.lit(f.path).alias("file_path"), "_text")


def _texts_in_one_scan(spark: SparkSession, root: Location, files: list[LandingFile]) -> DataFrame:
    """``file_path, _text`` of plain (not compressed) events files, from one binary scan; one
    row per path, since an engine may return a file once per range it split the file into."""
    scan = spark.read.format("binaryFile").load([storage.uri(root / f.path) for f in files])
    return scan.select(
        F.regexp_extract("path", _RELATIVE_EVENTS_PATH, 1).alias("file_path"),
        F.col("content").cast("string").alias("_text"),
    ).dropDuplicates(["file_path"])


def read_lines(spark: SparkSession, root: Location, files: list[LandingFile], one_scan: bool = False) -> DataFrame:
    """The lines of `files` as ``file_path, landing_date, line_number, raw_line``.

    Whole files are read as one value and split here, so line numbers are exact on every engine
    (a splittable text scan gives no line numbers, and not every engine exposes the file name).
    By default each file is its own scan, labelled with its path: cheap on Sail, but a job per
    file on the JVM engine. With `one_scan` a batch's plain files are read by one binary scan
    (4x faster on the JVM engine for 840 files, 2x slower on Sail); gzip files, which the engine
    decompresses as text, are always read one by one.
    """
    files = [f for f in files if f.size > 0]  # an empty file has no lines
    plain = [f for f in files if not f.compressed] if one_scan else []
    parts = [_text_per_file(spark, root, f) for f in files if f.compressed or not one_scan]
    if plain:
        parts.append(_texts_in_one_scan(spark, root, plain))
    if not parts:
        return spark.createDataFrame([], "file_path string, landing_date date, line_number bigint, raw_line string")
    texts = _union_all(parts)
    # Per file first, then one row per line: 1-based numbers, the empty string after a final
    # newline is not a line, and the CR of CRLF line ends is dropped. Everything per file
    # (the line count included) is computed before the explode: an expression on the array next
    # to the explode would be evaluated on every line, with the whole file, on some engines.
    # A byte-order mark opening a file (editors and Windows tools write one) is not part of its
    # first line: the line would not parse as JSON.
    text = F.col("_text")
    text = F.when(text.startswith(BYTE_ORDER_MARK), F.expr("substring(_text, 2)")).otherwise(text)
    per_file = texts.select(
        "file_path",
        F.to_date(F.regexp_extract("file_path", r"date=(\d{4}-\d{2}-\d{2})", 1)).alias("landing_date"),
        F.split(text, "\n").alias("_lines"),
    ).withColumn("_n", F.size("_lines"))
    exploded = per_file.select("file_path", "landing_date", "_n", F.posexplode("_lines").alias("_pos", "_line"))
    line = F.col("_line")
    return exploded.where((F.col("_pos") < F.col("_n") - 1) | (line != "")).select(
        "file_path",
        "landing_date",
        (F.col("_pos") + 1).cast("bigint").alias("line_number"),
        F.when(line.endswith("\r"), F.expr("substring(_line, 1, length(_line) - 1)")).otherwise(line).alias("raw_line"),
    )
