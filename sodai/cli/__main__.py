"""`python -m sodai.cli`: the `sodai` command without its console script."""

from sodai.cli import app

app(prog_name="sodai")
