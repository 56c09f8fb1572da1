"""Keyed pseudonyms: HMAC-SHA256 of raw identifiers, computed by the engine.

Spark SQL has SHA-256 but no HMAC, so HMAC is built from its definition (RFC 2104):
``H((K ^ opad) || H((K ^ ipad) || message))``. The padded keys are derived here once; the engine
only ever sees them, never the key string, and the raw ids never leave the engine.
"""

from __future__ import annotations

import hashlib

from pyspark.sql import functions as F
from pyspark.sql.connect.column import Column

_BLOCK = 64  # SHA-256 block size in bytes


def padded_keys(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA256 for `key`."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sha256_hex(column: Column | str, key: bytes) -> Column:
    """HMAC-SHA256(key, UTF-8 bytes of `column`) as 64 lower-case hex digits; null stays null."""
    inner_key, outer_key = padded_keys(key)
    message = F.col(column) if isinstance(column, str) else column
    inner = F.sha2(F.concat(F.unhex(F.lit(inner_key.hex())), message.cast("binary")), 256)
    return F.sha2(F.concat(F.unhex(F.lit(outer_key.hex())), F.unhex(inner)), 256)
