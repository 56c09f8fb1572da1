"""The daily pipeline as an Apache Airflow DAG: one task per stage of `sodai run --date`, in its order.

The tasks are built from the pipeline's one list of stages (sodai/stages.py): each is the stage's
own CLI command with the options `sodai run` gives it (`sodai ingest --date {{ ds }}`, `sodai gate
bronze --new-batches --date {{ ds }}`, ...), so a failed stage is retried alone, its log is the
stage's, and it does what the stage does inside `sodai run`. Every task of a DAG run records
itself in ops.pipeline_runs under one run id. The stages are idempotent, so a retry after a
failure or a kill is safe, and the lakehouse's run lock refuses any overlap with a manual run.

Settings come from the environment of the Airflow worker, as for any `sodai` command:
SODAI_PROJECT_DIR (the checkout; default: three levels above this file), SODAI_CONFIG or
SODAI__* overrides, SPARK_REMOTE for a cluster, SODAI_PSEUDONYM_KEY (a secret: set it in the
worker's environment or an Airflow connection, never in this file). docs/operations.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

from sodai.stages import STAGES

PROJECT_DIR = os.environ.get("SODAI_PROJECT_DIR", str(Path(__file__).resolve().parents[3]))
SODAI = os.environ.get("SODAI_BIN", "sodai")
RUN_ID = "airflow-{{ ds_nodash }}-{{ run_id | replace(':', '') | replace('+', '') }}"


def stage_command(stage) -> str:
    """The stage's command line for the DAG run's day, under the DAG run's id."""
    return " ".join([SODAI, *stage.argv(run_date="{{ ds }}", run_id=RUN_ID)])


with DAG(
    dag_id="sodai_daily",
    description="State of Data + AI: yesterday's telemetry through bronze, silver, gold, gates, forecasts and the report.",
    schedule="@daily",  # the run for day D starts once D is over: {{ ds }} is D
    start_date=pendulum.datetime(2024, 5, 19, tz="UTC"),
    catchup=False,  # history is replayed with `airflow dags backfill` (or `sodai backfill`)
    max_active_runs=1,  # days in order: one lakehouse, one run at a time
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "depends_on_past": True,  # a day waits for the previous day's same stage
        "execution_timeout": timedelta(hours=2),
    },
    tags=["sodai"],
) as dag:
    previous = None
    for stage in STAGES:
        task = BashOperator(task_id=stage.name, bash_command=stage_command(stage), cwd=PROJECT_DIR, append_env=True)
        if previous is not None:
            previous >> task
        previous = task
