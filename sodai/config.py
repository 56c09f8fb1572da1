"""The one config loader: `conf/pipeline.yaml` plus environment overrides -> typed objects.

Nothing else in the project reads the environment for settings; it receives a `Settings`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ByteSize, ConfigDict, Field, field_validator, model_validator

from jobs.storage import Location, ObjectStoreConfig, location

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
    # A local path or an object-store URI (s3://bucket/prefix): text, since a Path would fold "//".
    landing: str = "data/landing"
    lakehouse: str = "data/lakehouse"
    output: Path = Path("data/output")  # always local: logs, dbt's target, MLflow's default store
    # Where readers fetch the report: report.json and the site export are also put here (a local
    # folder or an object-store prefix); null: only under `output`.
    publish: str | None = None

    @field_validator("landing", "lakehouse", "publish", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return os.fspath(value) if isinstance(value, os.PathLike) else value


class RunLockConfig(_Strict):
    # In an object store the run lock is a lease (sodai/lock.py): renewed every third of this,
    # taken over by the next run this long after its holder died.
    lease_seconds: float = Field(120, gt=0)


class PseudonymizationConfig(_Strict):
    key_env: str = "SODAI_PSEUDONYM_KEY"
    demo_key: str = "sodai-public-demo-key-do-not-use-in-production"


class IngestConfig(_Strict):
    files_per_batch: int = Field(1000, ge=1)
    # Landed bytes per batch ("512MiB", "2GB", a number; null: no bound). The engine holds a
    # batch's lines while it finds duplicates, so this is what bounds its memory on a backfill.
    bytes_per_batch: ByteSize | None = Field(ByteSize(512 << 20), gt=0)
    # How landing files are read: one scan per file, or one scan of a batch's files. `auto`:
    # one scan on the JVM engines (each scan is a job); on Sail per file for files of a day's
    # size (a scan per file is cheap there and runs them side by side), one scan for a batch of
    # small files (hourly or per-shard files: a scan per file costs ~5 ms; docs/benchmarks.md).
    read_files: Literal["auto", "per_file", "one_scan"] = "auto"

    def one_scan_below(self, engine_kind: str) -> float:
        """A batch is read in one scan when its files' mean size (bytes) is below this."""
        if self.read_files != "auto":
            return math.inf if self.read_files == "one_scan" else 0
        return SAIL_ONE_SCAN_BELOW if engine_kind == "sail" else math.inf

    def one_scan(self, engine_kind: str, mean_file_bytes: float) -> bool:
        return mean_file_bytes < self.one_scan_below(engine_kind)


# Measured on Sail, 160 days of the benchmark's telemetry (docs/benchmarks.md): files of 80 KB
# read 2x faster in one scan, files of 450 KB 2x faster one scan per file.
SAIL_ONE_SCAN_BELOW = 256 * 1024


class RefineConfig(_Strict):
    # Bronze lines refined per group of ingest batches (null: all pending batches at once): the
    # engine's memory follows the group, as ingest's follows its batch.
    lines_per_batch: int | None = Field(4_000_000, gt=0)


class GeneratorConfig(_Strict):
    params: Path = Path("conf/generator.yaml")
    customers: int = Field(1000, ge=1)
    seed: int = 42


class ReportConfig(_Strict):
    """The report's parameters. dbt reads them as vars (dbt_project.yml declares the same names
    and defaults, for runs outside the pipeline); the pipeline passes these values on every run."""

    report_year: int = 2024
    telemetry_start: date = date(2022, 2, 1)
    telemetry_end: date = date(2024, 5, 19)
    window_start: date = date(2023, 2, 1)
    window_end: date = date(2024, 3, 31)
    last_year_window_start: date = date(2022, 2, 1)
    last_year_window_end: date = date(2023, 3, 31)
    yoy_current_month: date = date(2024, 3, 1)
    yoy_base_month: date = date(2023, 3, 1)
    six_month_base_month: date = date(2023, 9, 1)
    ratio_first_month: date = date(2023, 2, 1)
    ratio_last_month: date = date(2024, 3, 1)
    f2_recent_start: date = date(2024, 2, 1)
    f2_recent_end: date = date(2024, 3, 31)
    weekly_yoy_end: date = date(2024, 3, 31)
    weekly_yoy_weeks: int = Field(4, ge=1)
    holiday_start: date = date(2023, 12, 18)
    holiday_end: date = date(2024, 1, 1)
    vector_search_preview: date = date(2023, 12, 7)
    fm_period_start: date = date(2023, 12, 1)
    fm_period_end: date = date(2024, 5, 19)
    llama3_launch: date = date(2024, 4, 18)
    k9_week_start: date = date(2024, 5, 9)
    k9_week_end: date = date(2024, 5, 15)
    small_model_max_parameters_billion: float = Field(13, gt=0)
    quarter_start: date = date(2024, 1, 1)
    quarter_end: date = date(2024, 3, 31)
    uc_month_start: date = date(2023, 2, 1)
    uc_month_end: date = date(2024, 1, 1)
    suppression_min_customers: int = Field(10, ge=1)
    # what the key findings single out (seed values)
    k3_application_category: str = "nlp"
    k5_product: str = "LangChain"
    k9_model_family: str = "llama-3"
    k10_industry_key: str = "fs"
    f7_model_family: str = "llama-2"

    @model_validator(mode="after")
    def _consistent(self) -> "ReportConfig":
        # Months are compared with event_month (the first of a month): another day matches nothing.
        months = ("yoy_current_month", "yoy_base_month", "six_month_base_month", "ratio_first_month",
                  "ratio_last_month", "uc_month_start", "uc_month_end")
        not_first = [name for name in months if getattr(self, name).day != 1]
        if not_first:
            raise ValueError(f"report months must be the first day of a month: {', '.join(not_first)}")
        fields = type(self).model_fields
        spans = [(name, name.removesuffix("_start") + "_end") for name in fields if name.endswith("_start")]
        reversed_ = [f"{start} > {end}" for start, end in spans if end in fields and getattr(self, start) > getattr(self, end)]
        if reversed_:
            raise ValueError(f"report spans end before they start: {', '.join(reversed_)}")
        return self


class DbtConfig(_Strict):
    """How the transform stage runs the dbt project (its target and log folders go under
    paths.output, so runs never write into the source tree)."""

    project_dir: Path = Path("dbt_project")
    profiles_dir: Path | None = None  # default: the project folder (dbt_project/profiles.yml)
    threads: int = Field(2, ge=1)
    log_level: Literal["debug", "info", "warn", "error", "none"] = "warn"  # console; dbt.log has all


class QualityWarnConfig(_Strict):
    """Thresholds of the warning-severity expectations (recorded, never stop a gate)."""

    unclassified_library_share: float = Field(0.01, ge=0, le=1)


class QualityConfig(_Strict):
    """The quality gates (Great Expectations) between the stages: docs/quality.md."""

    enabled: bool = True
    freshness_max_lag_days: int = Field(7, ge=0)
    share_tolerance: float = Field(1e-6, gt=0, lt=1)
    warn: QualityWarnConfig = QualityWarnConfig()


class TrackingConfig(_Strict):
    """Where every run is recorded (MLflow). The default store is SQLite under the output folder,
    so a fresh checkout tracks without a server; any MLflow tracking URI works
    (MLFLOW_TRACKING_URI is honoured when tracking.uri is not set)."""

    enabled: bool = True
    uri: str | None = None  # default sqlite:///<output>/mlflow/mlflow.db
    registry_uri: str | None = None  # default: the tracking URI
    # where new experiments keep artifacts; default <output>/mlflow/artifacts with the default
    # store, the server's choice otherwise
    artifact_location: str | None = None
    experiment: str = "sodai/pipeline"


class FrequencyConfig(_Strict):
    """Forecast and backtest lengths for series of one frequency, in periods."""

    horizon: int = Field(ge=1)  # periods forecast ahead
    backtest_horizon: int = Field(ge=1)  # periods ahead scored at every backtest origin
    min_train: int = Field(ge=3)  # shortest history a backtest fold fits on
    season_length: int = Field(ge=2)  # periods in a year (seasonal naive)


class ForecastConfig(_Strict):
    """The forecast stage: candidates backtested on every series, the best registered as champion."""

    enabled: bool = True
    series: list[str] | None = None  # default: every series of sodai/forecast/series.py
    candidates: list[Literal["naive", "seasonal_naive", "drift", "ets", "arima"]] = [
        "naive", "seasonal_naive", "drift", "ets", "arima"]
    folds: int = Field(3, ge=1)  # rolling backtest origins, one period apart
    interval: float = Field(0.8, gt=0, lt=1)  # prediction-interval coverage
    month: FrequencyConfig = FrequencyConfig(horizon=6, backtest_horizon=3, min_train=6, season_length=12)
    week: FrequencyConfig = FrequencyConfig(horizon=26, backtest_horizon=8, min_train=26, season_length=52)
    model_prefix: str = "sodai-"  # registered model name = prefix + series
    alias: str = "champion"


class SiteConfig(_Strict):
    """`sodai serve`: the report site behind gunicorn (docs/site.md)."""

    workers: int | None = Field(None, ge=1)  # worker processes; None: one per CPU core
    threads: int = Field(2, ge=1)  # threads per worker: a slow client does not hold a worker
    timeout_s: int = Field(60, ge=1)  # a worker silent this long is restarted
    cached_views: int = Field(2048, ge=0)  # figures kept drawn per worker, per report; 0: none


class DocumentConfig(_Strict):
    """`sodai export-pdf`: the report printed by headless Chromium (docs/site.md)."""

    chromium: str | None = None  # the browser's executable; None: chromium, chromium-browser or google-chrome on PATH
    timeout_s: int = Field(120, ge=1)  # one document's printing


class Settings(_Strict):
    engine: EngineConfig = EngineConfig()
    paths: PathsConfig = PathsConfig()
    object_store: ObjectStoreConfig = ObjectStoreConfig()
    run_lock: RunLockConfig = RunLockConfig()
    pseudonymization: PseudonymizationConfig = PseudonymizationConfig()
    ingest: IngestConfig = IngestConfig()
    refine: RefineConfig = RefineConfig()
    generator: GeneratorConfig = GeneratorConfig()
    report: ReportConfig = ReportConfig()
    dbt: DbtConfig = DbtConfig()
    quality: QualityConfig = QualityConfig()
    tracking: TrackingConfig = TrackingConfig()
    forecast: ForecastConfig = ForecastConfig()
    site: SiteConfig = SiteConfig()
    document: DocumentConfig = DocumentConfig()

    def resolve(self, path: Path) -> Path:
        """An absolute path: relative ones are taken from the project root."""
        return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()

    @property
    def landing(self) -> Location:
        return location(self.paths.landing, self.object_store, PROJECT_ROOT)

    @property
    def lakehouse(self) -> Location:
        return location(self.paths.lakehouse, self.object_store, PROJECT_ROOT)

    @property
    def publish(self) -> Location | None:
        return location(self.paths.publish, self.object_store, PROJECT_ROOT) if self.paths.publish else None

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
    mlflow_uri = environ.get("MLFLOW_TRACKING_URI")
    if mlflow_uri and "uri" not in overrides.get("tracking", {}):
        overrides.setdefault("tracking", {})["uri"] = mlflow_uri
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
