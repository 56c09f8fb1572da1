"""What a gate returns, and the error that stops the stages after a failed one: plain data, so
the CLI and the run can name and catch them without importing Great Expectations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sodai.gates.state import SuiteResult


@dataclass
class GateReport:
    layer: str
    run_id: str | None
    results: list[SuiteResult] = field(default_factory=list)
    data_docs: Path | None = None
    elapsed_s: float = 0.0
    scopes: dict[str, str] = field(default_factory=dict)  # suite -> what it validated, and why

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def failed(self) -> list[SuiteResult]:
        return [r for r in self.results if not r.success]

    @property
    def evaluated(self) -> int:
        return sum(r.evaluated for r in self.results)


class GateFailed(Exception):
    """A gate has a failed suite: the later stages must not run, publishing is blocked."""

    def __init__(self, report: GateReport):
        self.report = report
        suites = ", ".join(r.suite for r in report.failed)
        super().__init__(f"{report.layer} gate failed: {suites}")
