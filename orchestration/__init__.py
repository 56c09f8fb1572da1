"""How the pipeline is run, on top of everything else: the `sodai` command line (cli/) and the
Airflow DAG (airflow/dags/), both driven by the one stage list, sodai/stages.py."""
