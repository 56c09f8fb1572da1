"""Foundation-model API calls: model portfolios, Llama 3 uptake, hourly request counts (F7, F8, K7-K9)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jobs.generate.events import Batch, json_string
from jobs.generate.plans import active_today, pick_below, ragged_within
from jobs.generate.world import World


@dataclass(frozen=True)
class FmPortfolio:
    """Per customer: request weights over the model catalogue and Llama 3 choices."""

    names_json: np.ndarray  # object, per model
    is_open: np.ndarray  # bool, per model
    launch: np.ndarray  # ordinal, per model
    base: np.ndarray  # (customers, models) request weights before Llama 3 / DBRX
    llama3: np.ndarray  # (customers, models) split of the switched share over Llama 3 models
    dbrx: int | None  # model index of DBRX
    scale: np.ndarray  # per customer request volume multiplier


def fm_portfolio(world: World) -> FmPortfolio:
    """Draw each customer's foundation-model portfolio (cached on the world).

    open_share of customers pick a first open model (primary_weights) and maybe a second one;
    of those, proprietary_share also call a proprietary model; the rest use only a proprietary
    model. Llama 3 adopters later use llama3_models (sometimes both sizes).
    """
    if "fm" in world.cache:
        return world.cache["fm"]
    fp, pop = world.params.fm_api, world.pop
    rng = world.rng("fm_api:portfolio")
    cat = fp.catalogue
    index = {m.name: i for i, m in enumerate(cat)}
    n, k = pop.n, len(cat)
    base = np.zeros((n, k))

    def draw(weights: dict[str, float], size: int) -> np.ndarray:
        names = list(weights)
        w = np.array(list(weights.values()), dtype=float)
        return np.array([index[x] for x in names])[rng.choice(len(names), size=size, p=w / w.sum())]

    has_open = rng.random(n) < fp.open_share
    has_prop = ~has_open | (rng.random(n) < fp.proprietary_share)
    primary = draw(fp.primary_weights, n)
    secondary = draw(fp.primary_weights, n)
    second = has_open & (rng.random(n) < fp.second_open_share) & (secondary != primary)
    prop = draw(fp.proprietary_weights, n)
    rows = np.arange(n)
    base[rows[has_open], primary[has_open]] = 1.0
    base[rows[second], secondary[second]] = fp.second_weight
    base[rows[has_prop], prop[has_prop]] = np.where(has_open[has_prop], fp.proprietary_weight, 1.0)
    request_weight = np.array([m.request_weight for m in cat])
    base *= request_weight  # e.g. small models get more calls per customer
    llama3 = np.zeros((n, k))
    l3_first = draw(fp.llama3_models, n)
    l3_names = list(fp.llama3_models)
    both = rng.random(n) < fp.llama3_both_share
    llama3[rows, l3_first] = 1.0
    for name in l3_names:
        llama3[rows[both], index[name]] = 1.0
    llama3 /= llama3.sum(axis=1, keepdims=True)
    llama3 *= request_weight
    llama3 /= llama3.sum(axis=1, keepdims=True)
    llama3[~has_open] = 0.0
    scale = pop.activity * rng.lognormal(-fp.customer_sigma**2 / 2, fp.customer_sigma, size=n)
    world.cache["fm"] = FmPortfolio(
        names_json=np.array([json_string(m.name) for m in cat], dtype=object),
        is_open=np.array([m.open for m in cat]),
        launch=np.array([m.launch.toordinal() for m in cat]),
        base=base,
        llama3=llama3,
        dbrx=index.get("dbrx"),
        scale=scale,
    )
    return world.cache["fm"]


def fm_batch(world: World, day: int) -> Batch:
    """`fm_api.request`: per active adopter, model and hour, the hour's request count.

    The day's volume is split over the customer's models by weight; after its launch, Llama 3
    adopters move `llama3_switch` of their open-model weight to Llama 3, and DBRX adopters add
    DBRX. Each model is called over 1 + Poisson(hours_extra) consecutive hours.
    """
    fp, pop = world.params.fm_api, world.pop
    pf = fm_portfolio(world)
    rng = world.rng("fm_api", day)
    active = active_today(world, rng, "fm_api", day, fp.daily_probability)
    ordinal = int(world.ordinals[day])
    idx = np.flatnonzero(active)
    w = pf.base[idx].copy()
    l3 = world.adopted("fm_api:llama3", day)[idx] & (pf.llama3[idx].sum(axis=1) > 0)
    if l3.any():
        open_total = (w[l3] * pf.is_open).sum(axis=1, keepdims=True)
        w[l3] = np.where(pf.is_open, w[l3] * (1.0 - fp.llama3_switch), w[l3])
        w[l3] += fp.llama3_switch * open_total * pf.llama3[idx[l3]]
    if pf.dbrx is not None and "fm_api:dbrx" in world.adoption:
        dbrx = world.adopted("fm_api:dbrx", day)[idx] & (pf.llama3[idx].sum(axis=1) > 0)
        w[dbrx, pf.dbrx] += fp.dbrx_weight
    w[:, pf.launch > ordinal] = 0.0
    total = w.sum(axis=1, keepdims=True)
    w = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    volume_mean = fp.requests_per_day.table(world.ordinals[day : day + 1])[:, 0]
    volume = (
        pf.scale[idx] * volume_mean[pop.profile[idx]]
        * rng.lognormal(-fp.requests_sigma**2 / 2, fp.requests_sigma, size=len(idx))
    )
    row, model = np.nonzero(w > 0)
    cust = idx[row]
    hours = np.minimum(1 + rng.poisson(fp.hours_extra, size=len(row)), 24)
    start_hour = rng.choice(24, size=len(row), p=world.hour_p)
    ev = np.repeat(np.arange(len(row)), hours)
    hour = (start_hour[ev] + ragged_within(hours)) % 24
    per_hour = volume[row] * w[row, model] / hours
    jitter = rng.lognormal(-0.045, 0.3, size=len(ev))  # hour-to-hour noise, mean 1
    requests = np.maximum(1, np.round(per_hour[ev] * jitter)).astype(np.int64)
    tokens_in = (requests * rng.uniform(150, 900, size=len(ev))).astype(np.int64)
    tokens_out = (requests * rng.uniform(40, 400, size=len(ev))).astype(np.int64)
    with_tokens = rng.random(len(ev)) < fp.tokens_share
    fragment = [
        f',"tokens_in":{a},"tokens_out":{b}' if t else ""
        for a, b, t in zip(tokens_in.tolist(), tokens_out.tolist(), with_tokens.tolist())
    ]
    cust_ev = cust[ev]
    return Batch(
        "fm_api.request",
        cust_ev,
        pick_below(rng, pop.n_workspaces[cust_ev]),
        None,
        hour * 3600 + rng.integers(0, 60, size=len(ev)),
        [pf.names_json[model[ev]].tolist(), requests.tolist(), fragment],
    )
