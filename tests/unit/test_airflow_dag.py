"""The Airflow DAG is built from the pipeline's one list of stages: the same stages, in the same
order, each task the stage's command with the options `sodai run` gives the stage."""

from __future__ import annotations

import shlex
from pathlib import Path

import jinja2
import pytest
import typer

from orchestration.cli import app
from orchestration.cli.stage_runs import RUNNERS
from sodai.stages import STAGE_NAMES, STAGES

DAGS = Path(__file__).resolve().parents[2] / "orchestration" / "airflow" / "dags"


@pytest.fixture(scope="module")
def dag(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AIRFLOW_HOME", str(home))
        env.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    return bag.dags["sodai_daily"]


def test_the_dag_runs_every_stage_once_in_the_pipeline_order(dag):
    order = []
    task = next(t for t in dag.tasks if not t.upstream_task_ids)
    while task is not None:
        order.append(task.task_id)
        downstream = list(task.downstream_list)
        assert len(downstream) <= 1  # a chain: no stage runs beside another on the one lakehouse
        task = downstream[0] if downstream else None
    assert tuple(order) == STAGE_NAMES
    assert len(dag.tasks) == len(STAGES)


def test_sodai_run_has_a_runner_for_every_declared_stage():
    assert set(RUNNERS) == set(STAGE_NAMES)


def test_daily_one_run_at_a_time_with_retries(dag):
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    for task in dag.tasks:
        assert task.retries == 2
        assert task.depends_on_past


DAY = "2024-05-19"
CONTEXT = {"ds": DAY, "ds_nodash": DAY.replace("-", ""), "run_id": f"scheduled__{DAY}T00:00:00+00:00"}


def _parsed(command_template: str) -> tuple[str, dict]:
    """The `sodai` command a task calls on a day, and the parameters it parses into."""
    argv = shlex.split(jinja2.Template(command_template).render(**CONTEXT))[1:]
    group = typer.main.get_command(app)
    name, command, rest = group.resolve_command(group.make_context("sodai", ["--help"], resilient_parsing=True), argv)
    return name, command.make_context(name, rest).params


def test_every_task_does_what_its_stage_does_in_sodai_run(dag):
    commands = {t.task_id: t.bash_command for t in dag.tasks}
    run_ids = set()
    for stage in STAGES:
        name, params = _parsed(commands[stage.name])
        assert name == stage.command[0]
        if len(stage.command) > 1:  # gate <layer>
            assert params["layer"] == stage.command[1]
        for option, value in stage.options.items():
            assert params[option] == value, (stage.name, option)
        if stage.dated:
            assert params["day"] == DAY, stage.name
        run_ids.add(params["run_id"])
    assert commands["gate_bronze"].split()[1:4] == ["gate", "bronze", "--new-batches"]
    assert run_ids == {"airflow-20240519-scheduled__2024-05-19T0000000000"}  # one pipeline run
