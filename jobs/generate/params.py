"""Typed, validated form of conf/generator.yaml: the behaviour parameters of the telemetry generator.

The YAML holds behaviour (adoption curves, propensities, volumes), never the numbers the report
publishes: those must come out of the pipeline's computation on the generated telemetry.

Industries are written in the YAML by short keys (`PROFILE_KEYS`) that map onto
`jobs.contract.INDUSTRIES`; the seventh profile, `other`, is everything the newest accounts
snapshot does not place in one of the six.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jobs.contract import CLOUDS, EVENT_TYPES_BY_NAME, INDUSTRIES, OTHER_INDUSTRY, SEGMENTS, Rule

INDUSTRY_KEYS: tuple[str, ...] = ("cme", "public", "fs", "hls", "mfg", "retail")
PROFILE_KEYS: tuple[str, ...] = INDUSTRY_KEYS + ("other",)
OTHER_PROFILE = len(INDUSTRY_KEYS)
INDUSTRY_BY_KEY: dict[str, str] = dict(zip(INDUSTRY_KEYS, INDUSTRIES)) | {"other": OTHER_INDUSTRY}


def _allowed_values(event_type: str, field: str) -> tuple[str, ...]:
    """The values a payload field may take, read from the contract's check predicate."""
    check = next(f.check for f in EVENT_TYPES_BY_NAME[event_type].fields if f.name == field)
    return tuple(re.findall(r"'([^']+)'", check or ""))


SERVERLESS_PRODUCTS = _allowed_values("serverless.usage", "product")
MODALITIES = _allowed_values("vector_search.request", "modality")
# Kinds of dirty lines: the contract rules a generated bad line breaks.
DIRTY_KINDS: tuple[str, ...] = (
    Rule.INVALID_JSON,
    Rule.MISSING_REQUIRED_FIELD,
    Rule.WRONG_TYPE,
    Rule.UNKNOWN_EVENT_TYPE,
    Rule.UNKNOWN_SCHEMA_VERSION,
    Rule.INVALID_TIMESTAMP,
    Rule.NEGATIVE_USAGE,
)
DEFAULT_CONF = Path(__file__).resolve().parents[2] / "conf" / "generator.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_profile_keys(mapping: dict[str, Any], allow_default: bool = True) -> dict[str, Any]:
    allowed = set(PROFILE_KEYS) | ({"default"} if allow_default else set())
    unknown = set(mapping) - allowed
    if unknown:
        raise ValueError(f"unknown industry keys {sorted(unknown)}; use {sorted(allowed)}")
    return mapping


def profile_vector(mapping: dict[str, float], default: float = 1.0) -> np.ndarray:
    """One value per profile (six industries then `other`): the key's value, else `default` key."""
    base = mapping.get("default", default)
    return np.array([mapping.get(k, base) for k in PROFILE_KEYS], dtype=float)


def _weights(mapping: dict[str, float]) -> dict[str, float]:
    if not mapping or any(v < 0 for v in mapping.values()) or sum(mapping.values()) <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    return mapping


# ---------------------------------------------------------------------------------------- curves
class Logistic(_Model):
    """S-curve lo + (hi - lo) / (1 + exp(-(t - mid) / width_days))."""

    lo: float = 0.0
    hi: float
    mid: dt.date
    width_days: float = Field(gt=0)


class Curve(_Model):
    """A value over time.

    YAML shorthands: a number (constant), or a mapping of dates to values (piecewise-linear
    knots, flat before the first and after the last). Full form: `knots` or `logistic`, and
    optionally `start`/`end` (the value is 0 before start and after end: a launch or a stop).
    """

    knots: dict[dt.date, float] | None = None
    logistic: Logistic | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, (int, float)):
            return {"knots": {dt.date(2000, 1, 1): float(value)}}
        if isinstance(value, dict) and value and all(isinstance(k, dt.date) for k in value):
            return {"knots": value}
        return value

    @model_validator(mode="after")
    def _one_shape(self) -> Curve:
        if (self.knots is None) == (self.logistic is None):
            raise ValueError("a curve has either knots or logistic")
        return self

    def values(self, ordinals: np.ndarray) -> np.ndarray:
        """The curve at each day (given as `date.toordinal()` integers)."""
        x = np.asarray(ordinals, dtype=float)
        if self.knots is not None:
            items = sorted(self.knots.items())
            xp = np.array([d.toordinal() for d, _ in items], dtype=float)
            fp = np.array([v for _, v in items], dtype=float)
            out = np.interp(x, xp, fp)
        else:
            lg = self.logistic
            z = (x - lg.mid.toordinal()) / lg.width_days
            out = lg.lo + (lg.hi - lg.lo) / (1.0 + np.exp(-z))
        if self.start is not None:
            out = np.where(x < self.start.toordinal(), 0.0, out)
        if self.end is not None:
            out = np.where(x > self.end.toordinal(), 0.0, out)
        return out


class Adoption(_Model):
    """Share of a profile's customers that have taken something up by a date.

    A customer has adopted at day t when its propensity rank for this item (a uniform in
    [0, 1), ranked within its industry so that counts follow the curve closely) is below
    `curve(t) * industry[profile]` (or the profile's own curve in `industry_curves`). The
    propensity is a factor model: items that load on the same `latents` group share that part
    of it (loadings summing to 1: adopter sets nested; 0: independent), which is how GenAI
    tools go together; `activity_tilt` makes busier customers (more notebooks) adopt earlier.
    """

    curve: Curve
    industry: dict[str, float] = {}
    industry_curves: dict[str, Curve] = {}
    latents: dict[str, float] = {}  # shared propensity group -> loading (sum <= 1)
    activity_tilt: float = Field(0.0, ge=0.0)  # > 0: busier customers adopt first

    @field_validator("industry", "industry_curves")
    @classmethod
    def _industry_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_profile_keys(v)

    @field_validator("latents")
    @classmethod
    def _loadings(cls, v: dict[str, float]) -> dict[str, float]:
        if any(x < 0 for x in v.values()) or sum(v.values()) > 1.0 + 1e-9:
            raise ValueError("latent loadings are >= 0 and sum to at most 1")
        return v

    def table(self, ordinals: np.ndarray) -> np.ndarray:
        """Adopted share per profile and day: shape (7, len(ordinals)), clipped to [0, 1]."""
        base = self.curve.values(ordinals)
        factors = profile_vector(self.industry)
        out = factors[:, None] * base[None, :]
        for key, curve in self.industry_curves.items():
            if key == "default":
                continue
            out[PROFILE_KEYS.index(key)] = curve.values(ordinals)
        if "default" in self.industry_curves:
            default = self.industry_curves["default"].values(ordinals)
            for i, key in enumerate(PROFILE_KEYS):
                if key not in self.industry_curves:
                    out[i] = factors[i] * default
        return np.clip(out, 0.0, 1.0)


class ScaledCurve(_Model):
    """A curve times a per-industry factor, or a profile's own curve (a volume, not a share)."""

    curve: Curve
    industry: dict[str, float] = {}
    industry_curves: dict[str, Curve] = {}

    @field_validator("industry", "industry_curves")
    @classmethod
    def _industry_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_profile_keys(v, allow_default=False)

    def table(self, ordinals: np.ndarray) -> np.ndarray:
        """Value per profile and day: shape (7, len(ordinals))."""
        out = profile_vector(self.industry)[:, None] * self.curve.values(ordinals)[None, :]
        for key, curve in self.industry_curves.items():
            out[PROFILE_KEYS.index(key)] = curve.values(ordinals)
        return out


class Span(_Model):
    """A window of days with a multiplier (e.g. a one-off campaign)."""

    start: dt.date
    end: dt.date
    factor: float = Field(gt=0)


# ------------------------------------------------------------------------------ general groups
class PeriodParams(_Model):
    start: dt.date = dt.date(2022, 2, 1)
    end: dt.date = dt.date(2024, 5, 19)

    @model_validator(mode="after")
    def _ordered(self) -> PeriodParams:
        if self.end < self.start:
            raise ValueError("period end before start")
        return self


class PopulationParams(_Model):
    customers: int = Field(1000, gt=0)
    industry_share: dict[str, float]
    segment_share: dict[str, float]
    segment_activity: dict[str, float]
    activity_sigma: float = Field(0.4, ge=0)
    workspaces_mean: float = Field(2.0, ge=1)
    workspaces_max: int = Field(6, ge=1)
    users_base: int = Field(3, ge=1)
    users_per_activity: float = Field(20.0, ge=0)
    cloud_share: dict[str, float]
    country_share: dict[str, float]
    documentation_ip_share: float = Field(0.1, ge=0, le=1)

    @field_validator("industry_share")
    @classmethod
    def _industries(cls, v: dict[str, float]) -> dict[str, float]:
        _check_profile_keys(v, allow_default=False)
        return _weights(v)

    @field_validator("segment_share", "segment_activity")
    @classmethod
    def _segments(cls, v: dict[str, float]) -> dict[str, float]:
        if set(v) != set(SEGMENTS):
            raise ValueError(f"segments must be exactly {SEGMENTS}")
        return _weights(v)

    @field_validator("cloud_share")
    @classmethod
    def _clouds(cls, v: dict[str, float]) -> dict[str, float]:
        if not set(v) <= set(CLOUDS):
            raise ValueError(f"clouds must be among {CLOUDS}")
        return _weights(v)

    @field_validator("country_share")
    @classmethod
    def _countries(cls, v: dict[str, float]) -> dict[str, float]:
        if any(len(c) != 2 or not c.isupper() for c in v):
            raise ValueError("countries are ISO 3166 alpha-2 codes")
        return _weights(v)


class AccountsParams(_Model):
    snapshots: list[dt.date]
    industry_change_share: float = Field(0.03, ge=0, le=1)
    other_absent_share: float = Field(0.3, ge=0, le=1)
    off_list_industries: list[str]
    missing_country_share: float = Field(0.02, ge=0, le=1)

    @field_validator("snapshots")
    @classmethod
    def _two(cls, v: list[dt.date]) -> list[dt.date]:
        if len(v) < 2:
            raise ValueError("at least two accounts snapshots")
        return sorted(v)

    @field_validator("off_list_industries")
    @classmethod
    def _off_list(cls, v: list[str]) -> list[str]:
        if not v or set(v) & set(INDUSTRIES):
            raise ValueError("off-list industries must be outside the six")
        return v


class Holiday(_Model):
    start: str = "12-18"  # MM-DD, inclusive
    end: str = "01-01"  # MM-DD, inclusive, may wrap over the new year
    factor: float = Field(0.45, gt=0)


class CalendarParams(_Model):
    weekend_factor: float = Field(0.3, gt=0)
    holiday: Holiday = Holiday()
    hour_weights: list[float]

    @field_validator("hour_weights")
    @classmethod
    def _hours(cls, v: list[float]) -> list[float]:
        if len(v) != 24:
            raise ValueError("24 hour weights (UTC)")
        _weights(dict(enumerate(v)))  # type: ignore[arg-type]
        return v


class EnvelopeParams(_Model):
    offset_share: float = Field(0.05, ge=0, le=1)
    offsets: list[str] = ["+09:00", "-05:00", "+01:00", "+05:30"]

    @field_validator("offsets")
    @classmethod
    def _offsets(cls, v: list[str]) -> list[str]:
        for o in v:
            if len(o) != 6 or o[0] not in "+-" or o[3] != ":":
                raise ValueError(f"offset {o!r} is not +HH:MM")
        return v


class LateParams(_Model):
    next_day_share: float = Field(0.002, ge=0, le=1)
    event_types: list[str] = ["uc.activity", "notebook.library_imported"]
    file_every_days: float = Field(45.0, gt=0)
    file_lag_days: tuple[int, int] = (2, 30)
    file_share_of_day: float = Field(0.05, ge=0, le=1)

    @field_validator("event_types")
    @classmethod
    def _types(cls, v: list[str]) -> list[str]:
        unknown = set(v) - set(EVENT_TYPES_BY_NAME)
        if unknown:
            raise ValueError(f"unknown event types {sorted(unknown)}")
        return v


# ------------------------------------------------------------------------------------ streams
class MlflowParams(_Model):
    experimenting: Adoption
    registering: Adoption
    monthly_presence: float = Field(0.95, gt=0, le=1)
    models_per_company: ScaledCurve
    registered_per_company: ScaledCurve
    registration_waves: list[Span] = []
    activity_elasticity: float = Field(0.5, ge=0)
    logs_per_model_extra: float = Field(0.3, ge=0)
    experiments_per_customer: int = Field(8, ge=1)
    model_names: list[str]
    flavors: dict[str, float]
    flavor_share: float = Field(0.8, ge=0, le=1)

    @field_validator("flavors")
    @classmethod
    def _flavor_weights(cls, v: dict[str, float]) -> dict[str, float]:
        return _weights(v)


class NotebookParams(_Model):
    per_customer_month: Curve
    runs_extra: float = Field(0.5, ge=0)
    version_share: float = Field(0.8, ge=0, le=1)
    growth_reference: dt.date = dt.date(2023, 9, 15)


class CategoryParams(_Model):
    """Per application category: industry level and yearly growth of notebook use."""

    level: dict[str, float] = {}
    growth: dict[str, float] = {}

    @field_validator("level", "growth")
    @classmethod
    def _industry_keys(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_profile_keys(v)


class LibraryParams(_Model):
    category: str | None = None  # application category (F3/F4), None: generic or other
    llm_category: str | None = None  # F6 category
    reference: bool = True  # False: in no reference list (reported as unclassified)
    adoption: Adoption | None = None  # None: every customer may import it
    usage: Curve  # probability that an adopter's notebook imports it
    versions: list[str] = []


class ProductParams(_Model):
    name: str
    libraries: list[str] = []
    integrations: list[str] = []
    category: str
    open_source: bool

    @model_validator(mode="after")
    def _something(self) -> ProductParams:
        if not self.libraries and not self.integrations:
            raise ValueError(f"product {self.name} has neither libraries nor integrations")
        return self


class IntegrationParams(_Model):
    adoption: Adoption
    daily_probability: float = Field(0.05, gt=0, le=1)


class UcParams(_Model):
    adoption: Adoption
    daily_probability: float = Field(0.5, gt=0, le=1)
    events_extra: float = Field(1.0, ge=0)
    actions: dict[str, float]

    @field_validator("actions")
    @classmethod
    def _action_weights(cls, v: dict[str, float]) -> dict[str, float]:
        return _weights(v)


class ServerlessProduct(_Model):
    share: float = Field(ge=0, le=1)  # share of serverless adopters that use it
    launch: dt.date


class ServerlessParams(_Model):
    adoption: Adoption
    products: dict[str, ServerlessProduct]
    daily_probability: float = Field(0.25, gt=0, le=1)
    units_mean: float = Field(10.0, gt=0)
    units_shape: float = Field(2.0, gt=0)

    @field_validator("products")
    @classmethod
    def _products(cls, v: dict[str, ServerlessProduct]) -> dict[str, ServerlessProduct]:
        if set(v) != set(SERVERLESS_PRODUCTS):
            raise ValueError(f"serverless products must be exactly {SERVERLESS_PRODUCTS}")
        return v


class ServingCompute(_Model):
    adoption: Adoption
    endpoints: ScaledCurve  # mean extra endpoints per adopter (beyond the first)
    hours_mean: ScaledCurve  # mean hours per endpoint-day when it runs
    hours_shape: float = Field(3.0, gt=0)
    daily_on: float = Field(0.8, gt=0, le=1)


class ServingParams(_Model):
    cpu: ServingCompute
    gpu: ServingCompute


class EmbeddingModel(_Model):
    name: str
    dimension: int | None = Field(None, gt=0)
    modality: str

    @field_validator("modality")
    @classmethod
    def _modality(cls, v: str) -> str:
        if v not in MODALITIES:
            raise ValueError(f"modality is one of {MODALITIES}")
        return v


class VectorSearchParams(_Model):
    adoption: Adoption
    daily_probability: float = Field(0.5, gt=0, le=1)
    indexes_extra: float = Field(0.7, ge=0)
    requests_median: float = Field(200.0, gt=0)
    requests_sigma: float = Field(1.0, ge=0)
    optional_fields_share: float = Field(0.9, ge=0, le=1)
    embedding_models: dict[str, float]  # name -> weight (names from the catalogue)
    catalogue: list[EmbeddingModel]

    @model_validator(mode="after")
    def _known(self) -> VectorSearchParams:
        names = {m.name for m in self.catalogue}
        if set(self.embedding_models) - names:
            raise ValueError("embedding model weights name models outside the catalogue")
        _weights(self.embedding_models)
        return self


class FoundationModel(_Model):
    name: str
    open: bool
    params_b: float | None = Field(None, gt=0)  # billions of parameters (MoE: total); None: undisclosed
    launch: dt.date
    family: str
    request_weight: float = Field(1.0, gt=0)  # relative request volume of a customer's use


class FmApiParams(_Model):
    adoption: Adoption
    catalogue: list[FoundationModel]
    open_share: float = Field(ge=0, le=1)  # adopters whose portfolio has an open model
    proprietary_share: float = Field(ge=0, le=1)  # of those, also a proprietary model
    primary_weights: dict[str, float]  # first open model
    second_open_share: float = Field(0.3, ge=0, le=1)
    second_weight: float = Field(0.5, gt=0)
    proprietary_weights: dict[str, float]
    proprietary_weight: float = Field(0.6, gt=0)  # request weight beside an open model
    llama3: Adoption  # share of open-model customers that have moved to Llama 3
    llama3_models: dict[str, float]  # which Llama 3 size an adopter uses
    llama3_both_share: float = Field(0.2, ge=0, le=1)
    llama3_switch: float = Field(0.6, ge=0, le=1)  # share of open requests moved to Llama 3
    dbrx: Adoption | None = None
    dbrx_weight: float = Field(0.3, gt=0)
    daily_probability: float = Field(0.3, gt=0, le=1)
    hours_extra: float = Field(1.0, ge=0)
    requests_per_day: ScaledCurve
    requests_sigma: float = Field(0.6, ge=0)
    customer_sigma: float = Field(0.8, ge=0)
    tokens_share: float = Field(0.9, ge=0, le=1)

    @model_validator(mode="after")
    def _known(self) -> FmApiParams:
        by = {m.name: m for m in self.catalogue}
        for group, want_open in (
            (self.primary_weights, True),
            (self.proprietary_weights, False),
            (self.llama3_models, True),
        ):
            _weights(group)
            for name in group:
                if name not in by or by[name].open != want_open:
                    raise ValueError(f"model {name} missing from the catalogue or wrongly open")
        return self


class DirtyParams(_Model):
    kinds: dict[str, float]
    duplicate_factor: float = Field(0.5, ge=0)  # duplicates per dirty line

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: dict[str, float]) -> dict[str, float]:
        if set(v) != set(DIRTY_KINDS):
            raise ValueError(f"dirty kinds must be exactly {DIRTY_KINDS}")
        return _weights(v)


class GeneratorParams(_Model):
    """Everything the generator needs besides the seed, the size and the delivery day."""

    period: PeriodParams = PeriodParams()
    population: PopulationParams
    accounts: AccountsParams
    calendar: CalendarParams
    envelope: EnvelopeParams = EnvelopeParams()
    late: LateParams = LateParams()
    mlflow: MlflowParams
    notebooks: NotebookParams
    categories: dict[str, CategoryParams]
    libraries: dict[str, LibraryParams]
    products: list[ProductParams]
    integrations: dict[str, IntegrationParams]
    uc: UcParams
    serverless: ServerlessParams
    serving: ServingParams
    vector_search: VectorSearchParams
    fm_api: FmApiParams
    dirty: DirtyParams

    @model_validator(mode="after")
    def _consistent(self) -> GeneratorParams:
        for name, lib in self.libraries.items():
            if lib.category is not None and lib.category not in self.categories:
                raise ValueError(f"library {name}: unknown category {lib.category}")
        for product in self.products:
            missing = set(product.libraries) - set(self.libraries)
            missing |= set(product.integrations) - set(self.integrations)
            if missing:
                raise ValueError(f"product {product.name} names unknown keys {sorted(missing)}")
        for snapshot in self.accounts.snapshots:
            if not self.period.start <= snapshot <= self.period.end:
                raise ValueError(f"snapshot {snapshot} outside the period")
        return self

    def digest(self) -> str:
        """A short hash of every parameter: two runs with equal digests generate the same data."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_generator_params(path: Path | str | None = None) -> GeneratorParams:
    """Read and validate the generator's YAML (default: conf/generator.yaml of this tree)."""
    with open(path or DEFAULT_CONF, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return GeneratorParams.model_validate(raw)
