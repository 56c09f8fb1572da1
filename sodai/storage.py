"""The landing and lakehouse locations checked before a command works on them.

A landing location that does not exist is almost always a typo in `paths.landing`: ingesting
"nothing new" from it would succeed silently. So a missing or unreadable landing stops the
command, naming it; an existing, empty landing is a normal case, reported by the ingest. A
lakehouse that cannot be created or written stops the command before any stage starts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class StorageError(ValueError):
    """A configured location cannot be used (exit code 2: configuration)."""


def require_landing(landing: Path) -> None:
    """The landing location exists, is a folder, and can be listed and read."""
    path = Path(landing)
    if not path.exists():
        raise StorageError(f"landing location {path} does not exist (paths.landing, SODAI__PATHS__LANDING); "
                           "create it, or point the setting at the folder telemetry lands in")
    if not path.is_dir():
        raise StorageError(f"landing location {path} is not a folder (paths.landing)")
    if not os.access(path, os.R_OK | os.X_OK):
        raise StorageError(f"landing location {path} cannot be read by this user (paths.landing)")


def require_writable_lakehouse(lakehouse: Path) -> None:
    """The lakehouse location exists (created if need be) and accepts a new file."""
    path = Path(lakehouse)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".sodai-write-check-"):
            pass
    except OSError as error:
        raise StorageError(f"lakehouse location {path} cannot be created or written (paths.lakehouse, "
                           f"SODAI__PATHS__LAKEHOUSE): {error.strerror or error}") from error
