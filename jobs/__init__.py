"""The ground floor of the pipeline: the telemetry contract (contract.py), where every table lives
(storage.py), how tables are declared (lakehouse.py), and the Spark jobs that generate telemetry,
ingest it to bronze and refine it to silver. Imports nothing of the project above it."""
