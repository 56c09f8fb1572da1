"""Which key made the lakehouse's pseudonyms: ops.pseudonym_keys.

Silver's customer and workspace pseudonyms are HMACs under a key (jobs/refine/pseudonymize.py).
Refining new batches under another key would give the same customer two pseudonyms, and every
distinct-customer count downstream would silently grow. So each layer built from pseudonyms
records the key's fingerprint (never the key) when it is built: `silver` when refine starts with
a key, `gold` when dbt has built the marts from that silver. A run whose key differs from
silver's is refused (`KeyChanged`); `sodai refine --rekey` rebuilds silver from bronze under the
new key, and the next dbt build sees gold's older fingerprint and rebuilds gold in full.

Written with deltalake, like the run history: the check runs before the engine does any work.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
from deltalake import QueryBuilder

from jobs import storage
from jobs.storage import TableName
from sodai.delta_read import read_arrow

TABLE = TableName("ops", "pseudonym_keys")
SILVER, GOLD = "silver", "gold"
SCHEMA = pa.schema(
    [
        ("layer", pa.string()),  # silver | gold
        ("fingerprint", pa.string()),
        ("recorded_at", pa.timestamp("us", tz="UTC")),
        ("note", pa.string()),  # why it was recorded: first refine, rekey, adopted, gold built
    ]
)
# A fixed message MACed under the key: the fingerprint identifies the key and reveals nothing a
# pseudonym does not (both are HMACs under it); 64 bits tell keys apart.
_FINGERPRINT_MESSAGE = b"sodai pseudonym key fingerprint v1"


def fingerprint(key: bytes) -> str:
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def pseudonym(key: bytes, raw_id: str) -> str:
    """The pseudonym refine gives `raw_id` under `key` (HMAC-SHA256, hex), computed here."""
    return hmac.new(key, raw_id.encode("utf-8"), hashlib.sha256).hexdigest()


def table_path(lakehouse: Path) -> Path:
    return storage.table_path(lakehouse, TABLE)


def recorded(lakehouse: Path, layer: str) -> str | None:
    """The fingerprint `layer` was last built with (None: never recorded)."""
    path = table_path(lakehouse)
    if not storage.is_delta_table(path):
        return None
    rows = read_arrow(path, ["fingerprint", "recorded_at"], where=f"layer = '{layer}'").to_pylist()
    return max(rows, key=lambda r: r["recorded_at"])["fingerprint"] if rows else None


def record(lakehouse: Path, layer: str, key_fingerprint: str, note: str) -> None:
    row = {"layer": [layer], "fingerprint": [key_fingerprint], "recorded_at": [datetime.now(timezone.utc)],
           "note": [note]}
    storage.write_delta(table_path(lakehouse), pa.table(row, schema=SCHEMA), mode="append")


@dataclass
class KeyChanged(Exception):
    """This run's key is not the one silver's pseudonyms were made with."""

    silver_fingerprint: str | None  # None: a lakehouse from before fingerprints whose rows disagree
    run_fingerprint: str
    key_env: str

    def __str__(self) -> str:
        made_by = (f"the key with fingerprint {self.silver_fingerprint}" if self.silver_fingerprint
                   else "another key (checked on one of its rows)")
        return (
            f"the pseudonym key changed: silver's pseudonyms were made by {made_by}, and this run's key "
            f"({self.key_env}) has fingerprint {self.run_fingerprint}. Refining with it would give every "
            "customer a second pseudonym and inflate every distinct-customer count. If the change is "
            "intended, run `sodai refine --rekey` to rebuild silver and gold from bronze with the new key; "
            f"otherwise set {self.key_env} back to the key this lakehouse was built with."
        )


def check_silver(lakehouse: Path, key: bytes, key_env: str) -> None:
    """Refuse (KeyChanged) unless `key` made silver's pseudonyms; record the key when silver has
    none recorded yet. A lakehouse from before fingerprints has its key checked on one refined
    row (its bronze customer_id against its silver pseudonym) and, when it matches, adopted for
    silver and gold."""
    own = fingerprint(key)
    silver = recorded(lakehouse, SILVER)
    if silver is not None:
        if silver != own:
            raise KeyChanged(silver, own, key_env)
        return
    sample = _refined_sample(lakehouse)
    if sample is None:
        record(lakehouse, SILVER, own, "first refine")
        return
    customer_id, customer_key = sample
    if pseudonym(key, customer_id) != customer_key:
        raise KeyChanged(None, own, key_env)
    record(lakehouse, SILVER, own, "adopted: silver's rows were made by this key")
    record(lakehouse, GOLD, own, "adopted: gold was built from that silver")


def gold_is_stale(lakehouse: Path) -> bool:
    """Gold was built from pseudonyms of another key than silver's now: rebuild it in full."""
    silver, gold = recorded(lakehouse, SILVER), recorded(lakehouse, GOLD)
    return silver is not None and gold is not None and silver != gold


def record_gold_built(lakehouse: Path) -> None:
    """Gold now holds the pseudonyms of silver's key."""
    silver = recorded(lakehouse, SILVER)
    if silver is not None and recorded(lakehouse, GOLD) != silver:
        record(lakehouse, GOLD, silver, "gold built")


def _refined_sample(lakehouse: Path) -> tuple[str, str] | None:
    """(bronze customer_id, silver customer_key) of one refined event, or None if silver is empty."""
    from jobs.ingest.tables import BRONZE_EVENTS
    from jobs.refine.tables import EVENT_TABLES

    bronze = storage.table_path(lakehouse, BRONZE_EVENTS)
    for spec in EVENT_TABLES.values():
        path = storage.table_path(lakehouse, spec)
        if not storage.is_delta_table(path):
            continue
        row = _first(path, "select customer_key, source_file, source_line from t limit 1")
        if row is None:
            continue
        month = row["source_file"].split("date=", 1)[1][:7] + "-01"
        file_path = row["source_file"].replace("'", "''")
        found = _first(bronze, f"select customer_id from t where landing_month = date'{month}' and "
                               f"file_path = '{file_path}' and line_number = {row['source_line']} "
                               "and status = 'accepted' limit 1")
        if found is not None:
            return found["customer_id"], row["customer_key"]
    return None


def _first(path: Path, query: str) -> dict | None:
    rows = pa.table(QueryBuilder().register("t", storage.open_delta(path)).execute(query).read_all()).to_pylist()
    return rows[0] if rows else None
