"""Accounts snapshots (small CSV dimension files): parsed at the edge, row by row.

A snapshot holds one row per customer, so it is small; Python's csv module gives exact,
quote-aware rows with line numbers on every engine, which engine-side CSV readers do not.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from jobs.contract import Rule

REQUIRED_COLUMNS = ("customer_id", "industry")
COLUMNS = ("customer_id", "industry", "country", "segment")


@dataclass(frozen=True)
class AccountRow:
    line_number: int
    raw_line: str
    status: str  # accepted | quarantined
    reject_rule: str | None
    reject_field: str | None
    customer_id: str | None
    industry: str | None
    country: str | None
    segment: str | None
    raw_bytes: bytes | None = None  # a row that is not UTF-8: its exact bytes (as bronze.events)


BOM = b"\xef\xbb\xbf"  # spreadsheet tools put it first; it would be part of the first column's name


def snapshot_rows(data: bytes) -> list[AccountRow]:
    """Every data row of one snapshot file's bytes (decompressed), validated.

    A snapshot that is not UTF-8 throughout (a spreadsheet's Latin-1 export, a stray byte) is
    parsed as ISO-8859-1, one character per byte, so the CSV structure, all ASCII, is read exactly;
    each row is then decoded as UTF-8, and a row that is not UTF-8 is quarantined as
    invalid_encoding with its exact bytes.
    """
    data = data.removeprefix(BOM)
    try:
        return parse_accounts_csv(data.decode("utf-8"))
    except UnicodeDecodeError:
        return parse_accounts_csv(data.decode("latin-1"), encoded_in_latin1=True)


def _shown(exact: bytes) -> str:
    """A row that is not UTF-8 as text, as bronze.events shows such a line: its ASCII, and U+FFFD
    for every other byte."""
    return "".join(chr(b) if b < 0x80 else "\ufffd" for b in exact)


def _from_latin1(text: str) -> str:
    return text.encode("latin-1").decode("utf-8")


def parse_accounts_csv(text: str, encoded_in_latin1: bool = False) -> list[AccountRow]:
    """Every data row of one snapshot, validated: customer_id required and unique in the file.
    `encoded_in_latin1`: `text` holds the file's bytes one per character (snapshot_rows)."""
    physical = text.splitlines()
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return []
    header = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    rows: list[AccountRow] = []
    seen: set[str] = set()
    start = reader.line_num
    for values in reader:
        line_number = start + 1
        raw = "\n".join(physical[start : reader.line_num])
        start = reader.line_num
        if encoded_in_latin1:
            try:
                raw, values = _from_latin1(raw), [_from_latin1(v) for v in values]
            except UnicodeDecodeError:
                exact = raw.encode("latin-1")
                rows.append(AccountRow(line_number, _shown(exact), "quarantined", Rule.INVALID_ENCODING, "",
                                       None, None, None, None, exact))
                continue
        if not values or all(v.strip() == "" for v in values):
            rows.append(AccountRow(line_number, raw, "quarantined", Rule.EMPTY_LINE, "", None, None, None, None))
            continue
        record = dict(zip(header, (v.strip() for v in values)))
        get = lambda c: (record.get(c) or None)  # noqa: E731, B023 - empty cells are absent values; used in this iteration
        rule, field = None, None
        if missing:
            rule, field = Rule.MISSING_REQUIRED_FIELD, missing[0]
        elif len(values) != len(header):
            rule, field = Rule.MALFORMED_CSV_ROW, f"{len(values)} cells for {len(header)} columns"
        elif get("customer_id") is None:
            rule, field = Rule.MISSING_REQUIRED_FIELD, "customer_id"
        elif get("customer_id") in seen:
            rule, field = Rule.DUPLICATE_CUSTOMER, "customer_id"
        if rule is None:
            seen.add(get("customer_id"))
        rows.append(
            AccountRow(
                line_number, raw, "accepted" if rule is None else "quarantined", rule, field,
                get("customer_id"), get("industry"), get("country"), get("segment"),
            )
        )
    return rows
