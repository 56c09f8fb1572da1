"""Run identifiers: sortable by time (so Delta's min/max file statistics can skip old runs)."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone


def new_run_id(stage: str) -> str:
    """e.g. ``ingest-20240301T101500123456Z-9f2c1a``: the stage, UTC start time, random suffix."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stage}-{stamp}-{secrets.token_hex(3)}"
