"""`sodai`: the command line of the pipeline (orchestration/cli/app.py declares the commands).

Exit codes: 0 done; 1 the data did not pass (e.g. a reconciliation that does not add up, a dbt
model or test that failed, a quality gate); 2 bad usage or configuration; 3 the engine could not be
started or reached; 4 another run holds the lakehouse's run lock.
"""

import atexit
import gc

from orchestration.cli.app import app
from orchestration.cli.session import EXIT_BUSY, EXIT_DATA, EXIT_ENGINE, EXIT_USAGE

__all__ = ["app", "EXIT_DATA", "EXIT_USAGE", "EXIT_ENGINE", "EXIT_BUSY"]

# At exit, the interpreter's last garbage collection walks every object dbt, Great Expectations and
# MLflow left behind (about 2 s after a `sodai run`) to free memory the process gives back anyway.
# Frozen objects are left out of it. The exit handlers still run, and files and connections are
# closed by them and by reference counting, as before.
atexit.register(gc.freeze)
