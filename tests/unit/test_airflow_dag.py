"""The Airflow DAG loads, and runs the stages of `sodai run` in its order with retries."""

from __future__ import annotations

from pathlib import Path

import pytest

from sodai.pipeline import RUN_STAGES

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
    assert tuple(order) == RUN_STAGES
    assert len(dag.tasks) == len(RUN_STAGES)


def test_daily_one_run_at_a_time_with_retries(dag):
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    for task in dag.tasks:
        assert task.retries == 2
        assert task.depends_on_past


def test_every_task_is_the_stage_command_for_the_runs_day(dag):
    commands = {t.task_id: t.bash_command for t in dag.tasks}
    assert commands["ingest"].split()[1:3] == ["ingest", "--date"] and "{{ ds }}" in commands["ingest"]
    assert commands["gate_silver"].split()[1:3] == ["gate", "silver"]
    run_ids = {c.split("--run-id ")[1] for c in commands.values()}
    assert len(run_ids) == 1  # one run id: the tasks of a DAG run are one pipeline run in the history
