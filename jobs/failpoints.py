"""Named crash points for recovery tests: `SODAI_FAILPOINT=<name>` kills the process (SIGKILL)
when it reaches that point, exactly like a power cut or an OOM kill would. Unset: no effect."""

from __future__ import annotations

import os
import signal

ENV = "SODAI_FAILPOINT"


def failpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
