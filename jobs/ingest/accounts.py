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


def decode_snapshot(data: bytes) -> str:
    """A snapshot file's text: UTF-8, with the byte-order mark spreadsheet tools put first
    dropped (it would be part of the first column's name)."""
    return data.decode("utf-8-sig", errors="replace")


def parse_accounts_csv(text: str) -> list[AccountRow]:
    """Every data row of one snapshot, validated: customer_id required and unique in the file."""
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
