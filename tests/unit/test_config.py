from pathlib import Path

import pytest
from pydantic import ValidationError

from sodai.config import DEFAULT_CONFIG, load_settings, pseudonym_key


def test_defaults_come_from_the_shipped_yaml():
    settings = load_settings(environ={})
    assert settings.engine.kind == "spark"
    assert settings.landing.is_absolute() and settings.landing.name == "landing"


def test_nested_environment_overrides_are_typed():
    settings = load_settings(environ={"SODAI__ENGINE__KIND": "sail", "SODAI__INGEST__FILES_PER_BATCH": "7"})
    assert settings.engine.kind == "sail"
    assert settings.ingest.files_per_batch == 7


def test_batch_bytes_take_units_or_no_bound():
    assert load_settings(environ={"SODAI__INGEST__BYTES_PER_BATCH": "512MiB"}).ingest.bytes_per_batch == 512 << 20
    assert load_settings(environ={"SODAI__INGEST__BYTES_PER_BATCH": "null"}).ingest.bytes_per_batch is None
    with pytest.raises(ValidationError):
        load_settings(environ={"SODAI__INGEST__BYTES_PER_BATCH": "0"})


def test_spark_remote_selects_the_remote_engine():
    settings = load_settings(environ={"SPARK_REMOTE": "sc://cluster:15002"})
    assert (settings.engine.kind, settings.engine.remote_url) == ("remote", "sc://cluster:15002")


def test_unknown_keys_and_bad_values_are_refused(tmp_path: Path):
    with pytest.raises(ValidationError):
        load_settings(environ={"SODAI__ENGINE__KIND": "duckdb"})
    bad = tmp_path / "p.yaml"
    bad.write_text(DEFAULT_CONFIG.read_text() + "\nnot_a_section: {}\n")
    with pytest.raises(ValidationError):
        load_settings(bad, environ={})
    with pytest.raises(ValidationError, match="remote_url"):
        load_settings(environ={"SODAI__ENGINE__KIND": "remote"})


def test_pseudonym_key_from_environment_else_demo_key():
    settings = load_settings(environ={})
    assert pseudonym_key(settings, {"SODAI_PSEUDONYM_KEY": "s3cret"}) == (b"s3cret", False)
    key, is_demo = pseudonym_key(settings, {})
    assert is_demo and key == settings.pseudonymization.demo_key.encode()


def test_fingerprint_changes_with_settings():
    a = load_settings(environ={})
    assert a.fingerprint() == load_settings(environ={}).fingerprint()
    assert a.fingerprint() != a.with_overrides(engine={"kind": "sail"}).fingerprint()


DAY_FILE, HOUR_FILE = 450_000, 19_000  # bytes: a day's file of the benchmark, and a 24th of it


@pytest.mark.parametrize(
    ("read_files", "kind", "mean_file_bytes", "one_scan"),
    [("auto", "sail", DAY_FILE, False), ("auto", "sail", HOUR_FILE, True), ("auto", "spark", DAY_FILE, True),
     ("auto", "remote", HOUR_FILE, True), ("per_file", "spark", HOUR_FILE, False), ("one_scan", "sail", DAY_FILE, True)],
)
def test_how_landing_files_are_read_follows_the_engine_and_file_size_unless_set(read_files, kind, mean_file_bytes,
                                                                                 one_scan):
    settings = load_settings(environ={"SODAI__INGEST__READ_FILES": read_files})
    assert settings.ingest.one_scan(kind, mean_file_bytes) is one_scan
