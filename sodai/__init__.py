"""sodai: the State of Data + AI pipeline (telemetry -> bronze -> silver -> gold -> report): its
configuration, engines and stages, on top of jobs/ and expectations/; the command line that runs
it is orchestration/cli (docs/architecture.md, "How the code is layered")."""

import os

__version__ = "0.2.0"  # a release that changes a table's layout says how it upgrades (docs/operations.md)

# The MLflow library's own usage reporting stays off unless asked for: runs may be on private
# telemetry, in places that reach no outside host (read by mlflow when it is first imported).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
