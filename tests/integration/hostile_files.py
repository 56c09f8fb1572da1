"""Hostile landing files, as a table: what a producer may deliver, and what the ingest must make
of it (tests/integration/test_hostile_files.py runs it on both engines)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field

DAY = "2024-03-01"


def event(n: int, **changes) -> dict:
    """A valid serving.usage event, the n-th of its kind."""
    record = {
        "event_id": f"00000000-0000-4000-8000-{n:012d}", "schema_version": 1, "event_type": "serving.usage",
        "event_ts": "2024-03-01T10:00:00Z", "customer_id": "cust-1", "workspace_id": "ws-1",
        "payload": {"endpoint_id": "e1", "compute": "gpu", "usage_hours": 1.5},
    }
    for key, value in changes.items():
        if key.startswith("p_"):
            record["payload"][key[2:]] = value
        else:
            record[key] = value
    return record


def line(n: int, **changes) -> bytes:
    return json.dumps(event(n, **changes), ensure_ascii=False).encode()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@dataclass(frozen=True)
class Case:
    """One landing file and what the ingest must find in it."""

    name: str  # file name in the date folder
    content: bytes
    accepted: int
    duplicates: int = 0
    rules: dict[int, str] = field(default_factory=dict)  # line number -> rule of each quarantined line
    kind: str = "events"  # or "accounts": a snapshot (rows counted without its header)

    @property
    def path(self) -> str:
        return f"events/date={DAY}/{self.name}" if self.kind == "events" else f"accounts/snapshot={DAY}/{self.name}"


CASES = [
    Case("latin1.json", line(1) + b"\n" + line(2, p_endpoint_id="caf\u00e9").replace(b"\xc3\xa9", b"\xe9") + b"\n"
         + line(3, p_endpoint_id="caf\u00e9") + b"\n", accepted=2, rules={2: "invalid_encoding"}),
    # bytes 0..9 are one line (control characters: text, not JSON), 11..255 the next (not UTF-8)
    Case("binary.json", bytes(range(256)), accepted=0, rules={1: "invalid_json", 2: "invalid_encoding"}),
    Case("nul.json", line(4).replace(b'"e1"', b'"e\x001"') + b"\n" + line(5) + b"\x00\n" + line(6) + b"\n",
         accepted=1, rules={1: "invalid_json", 2: "invalid_json"}),
    # two objects on one line (a producer's missing newline): neither is taken, the line is kept
    Case("two-objects-a-line.json", line(35) + line(36) + b"\n" + line(37) + b" " + line(38) + b"\n"
         + line(39) + b", " + line(40) + b"\n" + line(41) + b"\n", accepted=1,
         rules={1: "invalid_json", 2: "invalid_json", 3: "invalid_json"}),
    # text after an early ']' that an array-wrapping parse would not see; a ']' inside a string is fine
    Case("bracket-then-text.json", line(80) + b'] x [{"b": 2}\n' + line(81) + b',0] x [{"b": 2}\n'
         + line(82, p_endpoint_id="e[1]") + b"\n", accepted=1, rules={1: "invalid_json", 2: "invalid_json"}),
    Case("bom.json", b"\xef\xbb\xbf" + line(7) + b"\n" + line(8) + b"\n", accepted=2),
    # the same, in a file read as bytes (one line is not UTF-8), with CRLF line ends
    Case("bom-crlf-latin1.json", b"\xef\xbb\xbf" + line(32) + b"\r\n" + line(33, p_endpoint_id="\u00e9").replace(b"\xc3\xa9", b"\xe9")
         + b"\r\n" + line(34, p_endpoint_id="caf\u00e9") + b"\r\n", accepted=2, rules={2: "invalid_encoding"}),
    Case("crlf.json", line(9) + b"\r\n" + line(10) + b"\r\n", accepted=2),
    Case("blank.json", line(11) + b"\n\n  \t\n" + line(12) + b"\n", accepted=2, rules={2: "empty_line", 3: "empty_line"}),
    Case("no-final-newline.json", line(13) + b"\n" + line(14), accepted=2),
    Case("huge.json", line(15, p_note="x" * 3_000_000) + b"\n" + line(16) + b"\n", accepted=2),
    Case("deep.json", line(17, p_extra=nested(5000)).replace(b'"' + nested(5000).encode() + b'"', nested(5000).encode())
         + b"\n" + line(18) + b"\n", accepted=1, rules={1: "invalid_json"}),
    Case("wrong-types.json", line(19, p_usage_hours="many") + b"\n" + line(20, event_ts=1709287200) + b"\n"
         + line(21, payload=[1]) + b"\n", accepted=0,
         rules={1: "wrong_type", 2: "invalid_timestamp", 3: "wrong_type"}),
    Case("truncated.json.gz", gzip.compress(line(22) + b"\n" + line(23) + b"\n")[:-12], accepted=0,
         rules={0: "unreadable_file"}),
    Case("gzip-named-plain.json", gzip.compress(line(24) + b"\n" + line(25) + b"\n"), accepted=2),
    Case("plain-named-gzip.json.gz", line(26) + b"\n", accepted=1),
    Case("gzip-latin1.json.gz", gzip.compress(line(27) + b"\n" + line(28, p_endpoint_id="\u00e9").replace(b"\xc3\xa9", b"\xe9")
                                              + b"\n"), accepted=1, rules={2: "invalid_encoding"}),
    Case("zstd.json", b"\x28\xb5\x2f\xfd" + bytes(range(64)), accepted=0, rules={0: "unreadable_file"}),
    Case("repeat.json", line(1) + b"\n" + line(29) + b"\n", accepted=1, duplicates=1),
    Case("part 0001 (copy) \u00e9.json", line(30) + b"\n", accepted=1),
    Case("odd#%20&+=.json", line(31) + b"\n", accepted=1),
]


SNAPSHOT_HEADER = b"customer_id,industry,country,segment\n"
ACCOUNTS_CASES = [
    # a spreadsheet's Latin-1 export: the row that is not UTF-8 is quarantined with its bytes
    Case("latin1.csv", SNAPSHOT_HEADER + "a-1,Financial Services,FR,\u00e9lite\n".encode()
         + "a-2,Retail & Consumer Goods,FR,Soci\u00e9t\u00e9\n".encode("latin-1") + b"a-3,Energy,US,smb\n",
         accepted=2, rules={3: "invalid_encoding"}, kind="accounts"),
    Case("gzip-under-a-csv-name.csv", gzip.compress(SNAPSHOT_HEADER + b"b-1,Financial Services,KR,smb\n"),
         accepted=1, kind="accounts"),
    Case("truncated-gzip.csv", gzip.compress(SNAPSHOT_HEADER + b"c-1,Energy,US,smb\n" * 50)[:60],
         accepted=0, rules={0: "unreadable_file"}, kind="accounts"),
    Case("zstd.csv", b"\x28\xb5\x2f\xfd" + bytes(40), accepted=0, rules={0: "unreadable_file"}, kind="accounts"),
]
