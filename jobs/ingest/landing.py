"""The landing zone: which files are there, and their lines as a DataFrame.

Listing happens here, at the edge, on the store the landing zone is in (a local disk, a shared
mount, or an object store: jobs/storage.py), and so does a first look at each new file's bytes
(jobs/ingest/inspection.py); reading the lines happens in the engine.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pyspark.sql import functions as F
from pyspark.sql.connect.column import Column
from pyspark.sql.connect.dataframe import DataFrame
from pyspark.sql.connect.session import SparkSession

from jobs import storage
from jobs.ingest.inspection import Reader
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


BYTE_ORDER_MARK = "\ufeff"  # U+FEFF, as UTF-8 the bytes EF BB BF
# Text read as bytes is held as ISO-8859-1 (Latin-1) text: every byte one character of the same
# number, so nothing is lost, and every engine can split, compare and encode it back exactly.
LATIN1 = "ISO-8859-1"
LATIN1_BYTE_ORDER_MARK = "\u00ef\u00bb\u00bf"
NON_ASCII = r"[\x80-\xff]"
# A well-formed UTF-8 multi-byte sequence (RFC 3629: no overlong forms, no surrogates, at most
# U+10FFFF), as Latin-1 characters. Removing these from a line leaves a byte of 0x80 or more
# exactly when the line is not UTF-8. (A pattern for a whole valid line would be a repeated
# group, which Java's regex engine matches recursively: a long line would overflow its stack.)
UTF8_MULTIBYTE = (
    r"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    r"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    r"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
REPLACEMENT_CHARACTER = "\ufffd"


def _union_all(frames: list[DataFrame]) -> DataFrame:
    """Union as a balanced tree: a plan log2(n) deep rather than n deep."""
    while len(frames) > 1:
        frames = [frames[i].unionByName(frames[i + 1]) if i + 1 < len(frames) else frames[i] for i in range(0, len(frames), 2)]
    return frames[0]


# The landing-relative path of an events file at the end of a scan's absolute `path` column
# (file:/..., s3://...): the same pattern as list_landing's, as group 1.
_RELATIVE_EVENTS_PATH = f"({_EVENTS_PATH})$"


def _as_latin1(content: Column) -> Column:
    return F.decode(content, LATIN1)


def _text_per_file(spark: SparkSession, root: Location, f: LandingFile, reader: Reader) -> DataFrame:
    """``file_path, _text, _bytes`` of one file, from a scan of its own (`_bytes`: `_text` holds
    the file's bytes as Latin-1, to be decoded line by line)."""
    location = storage.uri(root / f.path)
    if reader is Reader.TEXT:
        text = spark.read.format("binaryFile").load(location).select(
            F.col("content").cast("string").alias("_text"), F.lit(False).alias("_bytes"))
    elif reader is Reader.GZIP_TEXT:
        text = spark.read.text(location, wholetext=True).select(F.col("value").alias("_text"), F.lit(False).alias("_bytes"))
    elif reader is Reader.GUNZIPPED_HERE:
        content = gzip.decompress((root / f.path).read_bytes())
        text = spark.createDataFrame([(content,)], "content binary").select(
            _as_latin1(F.col("content")).alias("_text"), F.lit(True).alias("_bytes"))
    else:
        text = spark.read.format("binaryFile").load(location).select(
            _as_latin1(F.col("content")).alias("_text"), F.lit(True).alias("_bytes"))
    # limit(1): an engine that splits a big file into ranges returns its whole content once
    # per range; one copy is the file.
    return text.limit(1).select(F.lit(f.path).alias("file_path"), "_text", "_bytes")


def _texts_in_one_scan(spark: SparkSession, root: Location, files: list[LandingFile]) -> DataFrame:
    """``file_path, _text, _bytes`` of plain UTF-8 files, from one binary scan; one row per path,
    since an engine may return a file once per range it split the file into."""
    scan = spark.read.format("binaryFile").load([storage.uri(root / f.path) for f in files])
    return scan.select(
        F.regexp_extract("path", _RELATIVE_EVENTS_PATH, 1).alias("file_path"),
        F.col("content").cast("string").alias("_text"),
        F.lit(False).alias("_bytes"),
    ).dropDuplicates(["file_path"])


def read_lines(spark: SparkSession, root: Location, files: list[LandingFile], one_scan: bool = False,
               readers: Mapping[str, Reader] | None = None) -> DataFrame:
    """The lines of `files` as ``file_path, landing_date, line_number, raw_line, raw_bytes``.

    `raw_line` is the line as text. A line that is not UTF-8 cannot be: its `raw_bytes` hold its
    exact bytes, and its `raw_line` their ASCII, with U+FFFD for every other byte (for every other
    line `raw_bytes` is null and `raw_line` is exact).

    Whole files are read as one value and split here, so line numbers are exact on every engine
    (a splittable text scan gives no line numbers, and not every engine exposes the file name).
    `readers` says how each file is read (jobs/ingest/inspection.py; by default by its name: a
    .gz file as gzip text, any other as plain text). By default each file is its own scan,
    labelled with its path: cheap on Sail, but a job per file on the JVM engine. With `one_scan`
    a batch's plain text files are read by one binary scan (4x faster on the JVM engine for 840
    files, 2x slower on Sail).
    """
    files = [f for f in files if f.size > 0]  # an empty file has no lines
    readers = readers or {}
    reader = {f.path: readers.get(f.path, Reader.GZIP_TEXT if f.compressed else Reader.TEXT) for f in files}
    in_one_scan = [f for f in files if reader[f.path] is Reader.TEXT] if one_scan else []
    parts = [_text_per_file(spark, root, f, reader[f.path]) for f in files if f not in in_one_scan]
    if in_one_scan:
        parts.append(_texts_in_one_scan(spark, root, in_one_scan))
    if not parts:
        return spark.createDataFrame(
            [], "file_path string, landing_date date, line_number bigint, raw_line string, raw_bytes binary")
    as_bytes = any(reader[f.path] in (Reader.BYTES, Reader.GUNZIPPED_HERE) for f in files)
    return _split_lines(_union_all(parts), as_bytes)


def _split_lines(texts: DataFrame, as_bytes: bool) -> DataFrame:
    """``file_path, _text, _bytes`` -> one row per line (read_lines' columns). Without files
    read `as_bytes` (nearly every batch) no line is decoded: each is its text, exactly."""
    # Per file first, then one row per line: 1-based numbers, the empty string after a final
    # newline is not a line, and the CR of CRLF line ends is dropped. Everything per file
    # (the line count included) is computed before the explode: an expression on the array next
    # to the explode would be evaluated on every line, with the whole file, on some engines.
    # A byte-order mark opening a file (editors and Windows tools write one) is not part of its
    # first line: the line would not parse as JSON.
    text, held_as_bytes = F.col("_text"), F.col("_bytes")
    text = (F.when(held_as_bytes & text.startswith(LATIN1_BYTE_ORDER_MARK), F.expr("substring(_text, 4)"))
            .when(~held_as_bytes & text.startswith(BYTE_ORDER_MARK), F.expr("substring(_text, 2)"))
            .otherwise(text))
    per_file = texts.select(
        "file_path",
        F.to_date(F.regexp_extract("file_path", r"date=(\d{4}-\d{2}-\d{2})", 1)).alias("landing_date"),
        "_bytes",
        F.split(text, "\n").alias("_lines"),
    ).withColumn("_n", F.size("_lines"))
    exploded = per_file.select("file_path", "landing_date", "_bytes", "_n",
                               F.posexplode("_lines").alias("_pos", "_line"))
    line = F.col("_line")
    line = F.when(line.endswith("\r"), F.expr("substring(_line, 1, length(_line) - 1)")).otherwise(line)
    lines = exploded.where((F.col("_pos") < F.col("_n") - 1) | (F.col("_line") != "")).select(
        "file_path", "landing_date", (F.col("_pos") + 1).cast("bigint").alias("line_number"), "_bytes",
        line.alias("_line"))
    if not as_bytes:
        return lines.select("file_path", "landing_date", "line_number", F.col("_line").alias("raw_line"),
                            F.lit(None).cast("binary").alias("raw_bytes"))
    return lines.select("file_path", "landing_date", "line_number", *_decoded(F.col("_line"), F.col("_bytes")))


def _decoded(line: Column, as_bytes: Column) -> list[Column]:
    """`raw_line` and `raw_bytes` of a line; `as_bytes`: the line is Latin-1 held bytes.

    Only lines held as bytes with a byte of 0x80 or more need decoding (a Latin-1 string has more
    bytes as UTF-8 than characters exactly then). A CASE tests each WHEN on the rows no earlier
    one took and runs each branch only on its own rows, so text lines cost one test, and the
    UTF-8 decode never sees a line that is not UTF-8 (Sail's fails on it)."""
    as_is = ~as_bytes | (F.octet_length(line) == F.length(line))
    not_utf8 = F.regexp_replace(line, UTF8_MULTIBYTE, "").rlike(NON_ASCII)
    raw_line = (F.when(as_is, line)
                .when(~not_utf8, F.decode(F.encode(line, LATIN1), "UTF-8"))
                .otherwise(F.regexp_replace(line, NON_ASCII, REPLACEMENT_CHARACTER)))
    raw_bytes = F.when(as_is, F.lit(None).cast("binary")).when(not_utf8, F.encode(line, LATIN1))
    return [raw_line.alias("raw_line"), raw_bytes.alias("raw_bytes")]
