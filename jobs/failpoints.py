"""Named points for recovery tests. `SODAI_FAILPOINT=<name>` kills the process (SIGKILL) when it
reaches that point, exactly like a power cut or an OOM kill would. `SODAI_FAILPOINT=<name>:pause`
stops it there (SIGSTOP) until a test that changed the world meanwhile (stopped the object store,
killed a worker) lets it go on with SIGCONT. Unset: no effect."""

from __future__ import annotations

import os
import signal

ENV = "SODAI_FAILPOINT"
PAUSE = ":pause"


def failpoint(name: str) -> None:
    wanted = os.environ.get(ENV)
    if wanted == name:
        os.kill(os.getpid(), signal.SIGKILL)
    elif wanted == name + PAUSE:
        os.kill(os.getpid(), signal.SIGSTOP)
