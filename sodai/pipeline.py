"""The pipeline's stages wired to settings: the CLI, tests and benchmarks all call these."""

from __future__ import annotations

from typing import Callable

from pyspark.sql.connect.session import SparkSession

from jobs.ingest.job import IngestJob, IngestReport
from jobs.refine.job import RefineJob, RefineReport
from sodai.config import Settings, pseudonym_key
from sodai.lakehouse import Lakehouse
from sodai.transform import TransformReport, docs, transform  # noqa: F401  silver -> gold (dbt)


def lakehouse_of(settings: Settings) -> Lakehouse:
    return Lakehouse(settings.lakehouse)


def ingest(settings: Settings, spark: SparkSession, on_batch: Callable[[int, int], None] | None = None) -> IngestReport:
    """Landing -> bronze for every file not ingested yet."""
    job = IngestJob(spark, lakehouse_of(settings), settings.landing, settings.ingest.files_per_batch)
    return job.run(on_batch)


def refine(settings: Settings, spark: SparkSession, on_table: Callable[[str], None] | None = None) -> RefineReport:
    """Bronze -> silver for every committed batch not refined yet."""
    key, _ = pseudonym_key(settings)
    return RefineJob(spark, lakehouse_of(settings), key).run(on_table)
