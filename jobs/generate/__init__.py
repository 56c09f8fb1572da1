"""Synthetic telemetry generator: a landing zone of contract-v1 events and accounts snapshots.

The default configuration (conf/generator.yaml) is calibrated so that the report's definitions,
computed on the generated data, land near the published 2024 figures. See docs/generator.md.
"""

from jobs.generate.params import GeneratorParams, load_generator_params
from jobs.generate.telemetry import GenerationSummary, generate_telemetry
from jobs.generate.writer import redeliver_file, write_accounts_snapshot, write_event_file

__all__ = [
    "GenerationSummary",
    "GeneratorParams",
    "generate_telemetry",
    "load_generator_params",
    "redeliver_file",
    "write_accounts_snapshot",
    "write_event_file",
]
