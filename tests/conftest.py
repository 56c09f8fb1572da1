"""Shared fixtures: one engine (and session) per engine kind per test session (per worker process
when the suite runs under pytest-xdist, as `make test` does)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Callable

import pytest

from sodai.config import Settings, load_settings

# The engine the suite treats as the default (the product's default); CI may override it.
DEFAULT_ENGINE = os.environ.get("SODAI_TEST_ENGINE", "spark")


TESTS = Path(__file__).resolve().parent
# Directories whose tests share one expensive session fixture (a known-answer build, a published
# report): under xdist they stay in one worker, so it is built once.
SHARED_BUILD_DIRS = {"known_answers", "site"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into the test ids
def pytest_collection_modifyitems(items):
    """Group tests for `pytest -n N --dist loadgroup`: a directory that shares a build goes whole
    to one worker, any other test module goes whole to one worker (its module fixtures are built
    once). Without xdist the marks do nothing.

    And order them as the groups should be handed out: the cluster tests first (two tests that
    take a quarter of an hour: started last, they would run alone while the other worker idles),
    then the groups with the most tests first, as xdist would order them itself. `make test`
    passes --no-loadscope-reorder so that xdist keeps this order."""
    group_of = {}
    for item in items:
        parts = Path(item.fspath).resolve().relative_to(TESTS).parts
        group_of[item.nodeid] = group = parts[0] if parts[0] in SHARED_BUILD_DIRS else "/".join(parts)
        item.add_marker(pytest.mark.xdist_group(group))
    size = Counter(group_of.values())
    items.sort(key=lambda item: (item.get_closest_marker("cluster") is None, -size[group_of[item.nodeid]]))


def report_contents(settings: Settings) -> dict:
    """report.json without what differs between any two runs of the same telemetry: the time it
    was generated, its provenance (run ids, versions) and its changes since the previous
    publication (which depend on what was published before: one backfill has none, a week of
    daily runs has the last day's)."""
    report = json.loads((settings.output / "report.json").read_text())
    return {k: v for k, v in report.items() if k not in ("generated_at", "provenance", "changes")}


def settings_for(root: Path, engine: str = DEFAULT_ENGINE) -> Settings:
    """Settings whose landing, lakehouse and output live under `root`."""
    return load_settings(environ={}).with_overrides(
        engine={"kind": engine},
        paths={
            "data_dir": str(root),
            "landing": str(root / "landing"),
            "lakehouse": str(root / "lakehouse"),
            "output": str(root / "output"),
        },
    )


class Engines:
    """Starts each engine kind at most once per test session and hands out its handle."""

    def __init__(self, root: Path):
        self.root = root
        self.handles: dict = {}

    def handle(self, kind: str):
        from sodai.engine import start_engine

        if kind not in self.handles:
            self.handles[kind] = start_engine(settings_for(self.root / f"engine-{kind}", kind))
        return self.handles[kind]

    def stop(self) -> None:
        for handle in self.handles.values():
            handle.stop()


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder `name`, built by `build(folder)` once per test session however many xdist
    workers ask for it (pytest-xdist's recipe for a session fixture computed once: the workers'
    base temporary folders share a parent). The first to ask builds it under a file lock; the
    others wait for it, then read it. A failed build leaves nothing behind: the next asker
    builds it again (and fails the same way)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder, built = base / f"once-{name}", base / f"once-{name}.built"
    with open(base / f"once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                build(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            built.touch()
    return folder


@pytest.fixture(scope="session")
def engines(tmp_path_factory):
    engines = Engines(tmp_path_factory.mktemp("engines"))
    yield engines
    engines.stop()


@pytest.fixture(scope="session")
def spark(engines):
    """A session on the default engine, shared by the whole test session."""
    return engines.handle(DEFAULT_ENGINE).session()


@pytest.fixture(scope="session")
def report_catalog():
    """The report's definitions as the dbt project on disk declares them (`dbt parse`, no engine)."""
    from sodai.config import load_settings
    from sodai.report_catalog import parse_catalog

    return parse_catalog(load_settings(environ={}))
