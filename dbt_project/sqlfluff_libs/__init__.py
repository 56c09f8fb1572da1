"""What dbt gives a model at compile time, for sqlfluff's Jinja templater (.sqlfluff): `modules`,
`var` (the vars of dbt_project.yml) and an empty `graph`, so models lint as dbt renders them, with no engine."""

import datetime
import re
import types
from pathlib import Path

import yaml

modules = types.SimpleNamespace(datetime=datetime, re=re)

_VARS = yaml.safe_load((Path(__file__).resolve().parents[1] / "dbt_project.yml").read_text())["vars"]
_VARS.setdefault("lakehouse", "/lakehouse")  # set per run by the pipeline; any absolute path renders


def var(name, default=None):
    return _VARS.get(name, default)


# dbt's graph of the project (nodes by unique id), which the tests comparing a table with its yml
# read; linting renders them with an empty one
graph = types.SimpleNamespace(nodes={})
