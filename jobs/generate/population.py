"""Customers, their workspaces and users, their propensities, and the accounts snapshots.

A customer's *profile* is the industry the pipeline will resolve for it from the newest accounts
snapshot (0..5: `jobs.contract.INDUSTRIES`, 6: Other). Behaviour is drawn by profile, so the
generated telemetry is calibrated against exactly what the pipeline will see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from jobs.contract import INDUSTRIES, OTHER_INDUSTRY, SEGMENTS
from jobs.generate.params import OTHER_PROFILE, PROFILE_KEYS, Adoption, GeneratorParams
from jobs.generate.rng import stream_rng

DOCUMENTATION_NETS = ("192.0.2", "198.51.100", "203.0.113")  # RFC 5737 ranges


@dataclass(frozen=True)
class Population:
    """Per-customer attributes as arrays indexed by customer number 0..n-1."""

    n: int
    profile: np.ndarray  # int: 0..5 industry (contract order), 6 Other
    segment: np.ndarray  # int: index into SEGMENTS
    country: np.ndarray  # object: ISO alpha-2
    activity: np.ndarray  # float: volume multiplier, mean about 1
    n_workspaces: np.ndarray  # int >= 1
    n_users: np.ndarray  # int >= 1
    max_workspaces: int
    customer_ids: np.ndarray  # object: "cust-000123"
    workspace_ids: np.ndarray  # object, flat: customer * max_workspaces + workspace
    workspace_clouds: np.ndarray  # object, same layout
    ip_prefixes: np.ndarray  # object: first three octets of the customer's client IPs
    propensity: dict[str, np.ndarray]  # adoption item -> rank in [0, 1) within the profile


def adoption_items(params: GeneratorParams) -> dict[str, Adoption]:
    """Every adoptable item of the behaviour model, by item name."""
    items: dict[str, Adoption] = {"mlflow": params.mlflow.experimenting}
    for name, lib in params.libraries.items():
        if lib.adoption is not None:
            items[f"lib:{name}"] = lib.adoption
    for key, integration in params.integrations.items():
        items[f"integration:{key}"] = integration.adoption
    items["uc"] = params.uc.adoption
    items["serverless"] = params.serverless.adoption
    items["serving:cpu"] = params.serving.cpu.adoption
    items["serving:gpu"] = params.serving.gpu.adoption
    items["vector_search"] = params.vector_search.adoption
    items["fm_api"] = params.fm_api.adoption
    items["fm_api:llama3"] = params.fm_api.llama3
    if params.fm_api.dbrx is not None:
        items["fm_api:dbrx"] = params.fm_api.dbrx
    return items


def _exact_assignment(rng: np.random.Generator, n: int, shares: list[float]) -> np.ndarray:
    """Labels 0..k-1 in proportion to `shares` (largest remainder), in random order.

    Exact proportions keep industry sizes, and so every per-industry figure, stable across seeds.
    """
    w = np.asarray(shares, dtype=float)
    w = w / w.sum()
    counts = np.floor(w * n).astype(int)
    remainder = w * n - counts
    for i in np.argsort(-remainder)[: n - counts.sum()]:
        counts[i] += 1
    return rng.permutation(np.repeat(np.arange(len(w)), counts))


def _ranks_within(profile: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each customer's rank of `score` within its profile, as (rank + 0.5) / profile size.

    Ranks instead of raw uniforms make the adopters of a profile at share a exactly the
    round(a * size) customers with the lowest scores: adoption counts follow the curves.
    """
    out = np.empty(len(profile))
    for p in np.unique(profile):
        idx = np.flatnonzero(profile == p)
        order = idx[np.argsort(score[idx], kind="stable")]
        out[order] = (np.arange(len(idx)) + 0.5) / len(idx)
    return out


def _propensities(
    params: GeneratorParams, seed: int, profile: np.ndarray, activity: np.ndarray
) -> dict[str, np.ndarray]:
    n = len(profile)
    log_activity = np.log(activity)
    busy = (log_activity - log_activity.mean()) / (log_activity.std() or 1.0)
    items = adoption_items(params)
    groups = sorted({g for a in items.values() for g in a.latents})
    latent = {g: stream_rng(seed, f"latent:{g}").standard_normal(n) for g in groups}
    out = {}
    for name, adoption in items.items():
        own = stream_rng(seed, f"propensity:{name}").standard_normal(n)
        shared = sum(adoption.latents.values())
        score = np.sqrt(max(1.0 - shared, 0.0)) * own
        for group, loading in adoption.latents.items():
            score = score + np.sqrt(loading) * latent[group]
        score = score - adoption.activity_tilt * busy  # low score adopts first
        out[name] = _ranks_within(profile, score)
    return out


def build_population(params: GeneratorParams, customers: int, seed: int) -> Population:
    """Draw `customers` customers deterministically from `seed`."""
    pp = params.population
    rng = stream_rng(seed, "population")
    n = customers
    profile = _exact_assignment(rng, n, [pp.industry_share.get(k, 0.0) for k in PROFILE_KEYS])
    segment = rng.choice(len(SEGMENTS), size=n, p=_norm([pp.segment_share[s] for s in SEGMENTS]))
    seg_activity = np.array([pp.segment_activity[s] for s in SEGMENTS])
    sigma = pp.activity_sigma
    activity = seg_activity[segment] * rng.lognormal(-sigma * sigma / 2, sigma, size=n)
    activity = activity / activity.mean()
    countries = list(pp.country_share)
    country = np.array(countries, dtype=object)[
        rng.choice(len(countries), size=n, p=_norm(list(pp.country_share.values())))
    ]
    max_ws = pp.workspaces_max
    n_ws = np.minimum(1 + rng.poisson(pp.workspaces_mean - 1.0, size=n), max_ws)
    n_users = pp.users_base + rng.poisson(pp.users_per_activity * activity)
    clouds = list(pp.cloud_share)
    primary = rng.choice(len(clouds), size=n, p=_norm(list(pp.cloud_share.values())))
    # Most of a customer's workspaces sit on its primary cloud; a few on another one.
    ws_cloud = np.repeat(primary, max_ws).reshape(n, max_ws)
    other = rng.random((n, max_ws)) < 0.15
    ws_cloud = np.where(other, rng.integers(0, len(clouds), size=(n, max_ws)), ws_cloud)
    customer_ids = np.array([f"cust-{c:06d}" for c in range(n)], dtype=object)
    workspace_ids = np.array(
        [f"ws-{c:06d}-{w + 1}" for c in range(n) for w in range(max_ws)], dtype=object
    )
    doc = rng.random(n) < pp.documentation_ip_share
    doc_net = rng.integers(0, len(DOCUMENTATION_NETS), size=n)
    ip_prefixes = np.array(
        [
            DOCUMENTATION_NETS[doc_net[c]] if doc[c] else f"10.{(c // 250) % 256}.{c % 250}"
            for c in range(n)
        ],
        dtype=object,
    )
    return Population(
        n=n,
        profile=profile,
        segment=segment,
        country=country,
        activity=activity,
        n_workspaces=n_ws,
        n_users=n_users,
        max_workspaces=max_ws,
        customer_ids=customer_ids,
        workspace_ids=workspace_ids,
        workspace_clouds=np.array(clouds, dtype=object)[ws_cloud.ravel()],
        ip_prefixes=ip_prefixes,
        propensity=_propensities(params, seed, profile, activity),
    )


def _norm(weights: list[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def accounts_snapshots(
    params: GeneratorParams, pop: Population, seed: int
) -> dict[dt.date, list[dict[str, str]]]:
    """Rows of every accounts snapshot, by snapshot date.

    The newest snapshot gives each customer its profile's industry; `other` customers are either
    absent from it or listed under an industry outside the six. Older snapshots list every
    customer, some under a different industry (they changed since, the newest wins) and the
    absent ones under one of the six.
    """
    ap = params.accounts
    rng = stream_rng(seed, "accounts")
    n = pop.n
    is_other = pop.profile == OTHER_PROFILE
    absent = is_other & (rng.random(n) < ap.other_absent_share)
    off_list = np.array(ap.off_list_industries + [OTHER_INDUSTRY], dtype=object)
    newest_name = np.where(
        is_other,
        off_list[rng.integers(0, len(off_list), size=n)],
        np.array(INDUSTRIES + ("",), dtype=object)[np.minimum(pop.profile, OTHER_PROFILE)],
    )
    changed = ~is_other & (rng.random(n) < ap.industry_change_share)
    shift = rng.integers(1, len(INDUSTRIES), size=n)
    older_industry = np.where(changed, (pop.profile + shift) % len(INDUSTRIES), pop.profile)
    older_name = newest_name.copy()
    older_name[changed] = np.array(INDUSTRIES, dtype=object)[older_industry[changed]]
    older_name[absent] = np.array(INDUSTRIES, dtype=object)[rng.integers(0, len(INDUSTRIES), size=n)][absent]
    no_country = rng.random(n) < ap.missing_country_share
    country = np.where(no_country, "", pop.country)
    segment = np.array(SEGMENTS, dtype=object)[pop.segment]

    def rows(names: np.ndarray, keep: np.ndarray) -> list[dict[str, str]]:
        return [
            {
                "customer_id": pop.customer_ids[c],
                "industry": names[c],
                "country": country[c],
                "segment": segment[c],
            }
            for c in np.flatnonzero(keep)
        ]

    snapshots = sorted(ap.snapshots)
    out = {d: rows(older_name, np.ones(n, dtype=bool)) for d in snapshots[:-1]}
    out[snapshots[-1]] = rows(newest_name, ~absent)
    return out
