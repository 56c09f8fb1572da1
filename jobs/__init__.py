"""Spark jobs of the pipeline: generate telemetry, ingest it to bronze, refine it to silver."""
