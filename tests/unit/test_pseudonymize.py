import hashlib
import hmac

from jobs.refine.pseudonymize import hmac_sha256_hex, padded_keys


def test_padded_keys_follow_rfc_2104():
    inner, outer = padded_keys(b"k")
    assert len(inner) == len(outer) == 64
    assert inner[0] == ord("k") ^ 0x36 and outer[1] == 0x5C
    long_key = b"x" * 100
    assert padded_keys(long_key)[0][:32] == bytes(b ^ 0x36 for b in hashlib.sha256(long_key).digest())


def test_engine_hmac_equals_python_hmac(spark):
    ids = ["cust-000123", "ws-1-2", "ünïcode-é", ""]
    for key in (b"demo", b"k" * 80):
        frame = spark.createDataFrame([(i,) for i in ids] + [(None,)], "id string")
        got = [r.h for r in frame.select(hmac_sha256_hex("id", key).alias("h")).collect()]
        expected = [hmac.new(key, i.encode(), hashlib.sha256).hexdigest() for i in ids] + [None]
        assert got == expected
