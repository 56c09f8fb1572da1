"""`python -m orchestration.cli`: the `sodai` command without its console script."""

from orchestration.cli import app

app(prog_name="sodai")
