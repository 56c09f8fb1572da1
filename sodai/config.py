"""The one config loader: `conf/pipeline.yaml` plus environment overrides -> typed objects.

Nothing else in the project reads the environment for settings; it receives a `Settings`.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "conf" / "pipeline.yaml"
ENV_PREFIX = "SODAI__"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SparkEngineConfig(_Strict):
    master: str = "local[*]"
    driver_memory: str = "6g"
    shuffle_partitions: int = Field(4, ge=1)
    jars_dir: Path = Path("jars/lib")
    startup_timeout_s: float = Field(120, gt=0)
    conf: dict[str, str] = {}


class SailEngineConfig(_Strict):
    startup_timeout_s: float = Field(30, gt=0)


class EngineConfig(_Strict):
    kind: Literal["spark", "sail", "remote"] = "spark"
    remote_url: str | None = None
    spark: SparkEngineConfig = SparkEngineConfig()
    sail: SailEngineConfig = SailEngineConfig()

    @model_validator(mode="after")
    def _remote_needs_url(self) -> "EngineConfig":
        if self.kind == "remote" and not (self.remote_url or "").startswith("sc://"):
            raise ValueError("engine.kind 'remote' needs engine.remote_url = 'sc://host:port'")
        return self


class PathsConfig(_Strict):
    data_dir: Path = Path("data")
    landing: Path = Path("data/landing")
    lakehouse: Path = Path("data/lakehouse")
    output: Path = Path("data/output")


class PseudonymizationConfig(_Strict):
    key_env: str = "SODAI_PSEUDONYM_KEY"
    demo_key: str = "sodai-public-demo-key-do-not-use-in-production"


class IngestConfig(_Strict):
    files_per_batch: int = Field(1000, ge=1)


class GeneratorConfig(_Strict):
    params: Path = Path("conf/generator.yaml")
    customers: int = Field(1000, ge=1)
    seed: int = 42


class Settings(_Strict):
    engine: EngineConfig = EngineConfig()
    paths: PathsConfig = PathsConfig()
    pseudonymization: PseudonymizationConfig = PseudonymizationConfig()
    ingest: IngestConfig = IngestConfig()
    generator: GeneratorConfig = GeneratorConfig()

    def resolve(self, path: Path) -> Path:
        """An absolute path: relative ones are taken from the project root."""
        return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()

    @property
    def landing(self) -> Path:
        return self.resolve(self.paths.landing)

    @property
    def lakehouse(self) -> Path:
        return self.resolve(self.paths.lakehouse)

    @property
    def output(self) -> Path:
        return self.resolve(self.paths.output)

    def fingerprint(self) -> str:
        """A short stable hash of the effective settings (recorded with every run)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def with_overrides(self, **sections: dict[str, Any]) -> "Settings":
        """A copy with some keys of some sections replaced, e.g. with_overrides(engine={"kind": "sail"})."""
        data = self.model_dump()
        for section, values in sections.items():
            data[section] = _deep_merge(data[section], values)
        return Settings.model_validate(data)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    """SODAI__A__B=value -> {"a": {"b": value}}; values are parsed as YAML scalars."""
    overrides: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        keys = [k.lower() for k in name[len(ENV_PREFIX) :].split("__") if k]
        node = overrides
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = yaml.safe_load(raw) if raw != "" else None
    remote = environ.get("SPARK_REMOTE")
    if remote and remote.startswith("sc://") and "engine" not in overrides:
        overrides["engine"] = {"kind": "remote", "remote_url": remote}
    return overrides


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the YAML (default conf/pipeline.yaml, or $SODAI_CONFIG), apply env overrides, validate."""
    environ = dict(os.environ if environ is None else environ)
    path = path or Path(environ.get("SODAI_CONFIG", DEFAULT_CONFIG))
    data = yaml.safe_load(path.read_text()) or {}
    data = _deep_merge(data, _env_overrides(environ))
    return Settings.model_validate(data)


def pseudonym_key(settings: Settings, environ: dict[str, str] | None = None) -> tuple[bytes, bool]:
    """The HMAC key for pseudonyms and whether it is the public demo key (env var unset)."""
    environ = os.environ if environ is None else environ
    value = environ.get(settings.pseudonymization.key_env)
    if value:
        return value.encode(), False
    return settings.pseudonymization.demo_key.encode(), True
