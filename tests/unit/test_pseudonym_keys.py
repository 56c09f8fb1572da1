"""Which key made the pseudonyms (ops.pseudonym_keys), on deltalake tables, without an engine."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from sodai import pseudonym_keys as keys

DEMO, OWN = b"demo-key", b"own-key"


def test_a_fingerprint_tells_keys_apart_and_is_not_the_key():
    assert keys.fingerprint(DEMO) != keys.fingerprint(OWN)
    assert keys.fingerprint(DEMO) == keys.fingerprint(DEMO) and len(keys.fingerprint(DEMO)) == 16
    assert DEMO.hex() not in keys.fingerprint(DEMO) and keys.pseudonym(DEMO, "ka-c01") != keys.fingerprint(DEMO)


def test_the_first_key_is_recorded_and_another_is_refused(tmp_path):
    keys.check_silver(tmp_path, DEMO, "SODAI_PSEUDONYM_KEY")  # a new lakehouse: recorded
    assert keys.recorded(tmp_path, keys.SILVER) == keys.fingerprint(DEMO)
    keys.check_silver(tmp_path, DEMO, "SODAI_PSEUDONYM_KEY")  # the same key: fine
    with pytest.raises(keys.KeyChanged, match=r"sodai refine --rekey.*SODAI_PSEUDONYM_KEY back"):
        keys.check_silver(tmp_path, OWN, "SODAI_PSEUDONYM_KEY")


def test_gold_is_rebuilt_after_a_rekey_and_only_then(tmp_path):
    keys.record(tmp_path, keys.SILVER, keys.fingerprint(DEMO), "first refine")
    assert not keys.gold_is_stale(tmp_path)  # nothing built yet
    keys.record_gold_built(tmp_path)
    assert not keys.gold_is_stale(tmp_path)
    keys.record(tmp_path, keys.SILVER, keys.fingerprint(OWN), "rekey")
    assert keys.gold_is_stale(tmp_path)
    keys.record_gold_built(tmp_path)
    assert not keys.gold_is_stale(tmp_path) and keys.recorded(tmp_path, keys.GOLD) == keys.fingerprint(OWN)


def _previous_release_lakehouse(root, key: bytes) -> None:
    """Silver and bronze as a release without fingerprints left them: one refined event."""
    path = "events/date=2024-03-04/part-0000.json"
    write_deltalake(str(root / "bronze" / "events"), pa.table({
        "file_path": [path, path], "line_number": [1, 2], "status": ["accepted", "quarantined"],
        "customer_id": ["ka-c01", "ka-c02"], "landing_month": [date(2024, 3, 1)] * 2}), partition_by=["landing_month"])
    write_deltalake(str(root / "silver" / "uc_activity"), pa.table({
        "customer_key": [keys.pseudonym(key, "ka-c01")], "source_file": [path], "source_line": [1]}))


def test_a_lakehouse_of_the_previous_release_has_its_key_checked_on_a_row_then_adopted(tmp_path):
    _previous_release_lakehouse(tmp_path, DEMO)
    with pytest.raises(keys.KeyChanged, match="another key"):
        keys.check_silver(tmp_path, OWN, "SODAI_PSEUDONYM_KEY")
    assert keys.recorded(tmp_path, keys.SILVER) is None  # nothing recorded on a refusal
    keys.check_silver(tmp_path, DEMO, "SODAI_PSEUDONYM_KEY")
    assert keys.recorded(tmp_path, keys.SILVER) == keys.recorded(tmp_path, keys.GOLD) == keys.fingerprint(DEMO)
