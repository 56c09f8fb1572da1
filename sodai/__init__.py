"""sodai: the State of Data + AI pipeline (telemetry -> bronze -> silver -> gold -> report)."""

__version__ = "0.1.0"
