"""Landing -> bronze: exactly-once file ingestion with validation, quarantine and reconciliation."""
