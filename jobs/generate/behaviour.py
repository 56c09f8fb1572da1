"""The daily activity streams and the assembly of one day's events.

Governance actions, partner integrations, serverless use, model serving and vector search are
drawn per day from each stream's own random stream; notebooks, MLflow and foundation-model calls
live in their own modules. `day_batches` gathers every stream of a day.
"""

from __future__ import annotations

import numpy as np

from jobs.generate.events import Batch, json_string
from jobs.generate.foundation_models import fm_batch
from jobs.generate.mlflow_models import plan_mlflow
from jobs.generate.notebooks import plan_notebook_month
from jobs.generate.params import SERVERLESS_PRODUCTS
from jobs.generate.plans import active_today, pick_below, ragged_within
from jobs.generate.world import World


def uc_batch(world: World, day: int, rng: np.random.Generator | None = None) -> Batch:
    """`uc.activity`: adopters active today perform 1 + Poisson(events_extra * activity) actions."""
    up, pop = world.params.uc, world.pop
    rng = rng or world.rng("uc", day)
    active = active_today(world, rng, "uc", day, up.daily_probability)
    count = np.where(active, 1 + rng.poisson(up.events_extra * pop.activity), 0)
    cust = np.repeat(np.arange(pop.n), count)
    actions = np.array([json_string(a) for a in up.actions], dtype=object)
    w = np.array(list(up.actions.values()), dtype=float)
    action = actions[rng.choice(len(actions), size=len(cust), p=w / w.sum())]
    return Batch(
        "uc.activity",
        cust,
        pick_below(rng, pop.n_workspaces[cust]),
        pick_below(rng, pop.n_users[cust]),
        world.seconds_in_day(rng, len(cust)),
        [action.tolist()],
    )


def integration_batch(world: World, day: int) -> Batch:
    """`integration.used`: each adopter of a partner integration uses it on some days."""
    pop = world.pop
    rng = world.rng("integrations", day)
    custs, products = [], []
    for key, integration in world.params.integrations.items():
        active = active_today(world, rng, f"integration:{key}", day, integration.daily_probability)
        idx = np.flatnonzero(active)
        custs.append(idx)
        products += [json_string(key)] * len(idx)
    cust = np.concatenate(custs) if custs else np.array([], dtype=np.int64)
    return Batch(
        "integration.used",
        cust,
        pick_below(rng, pop.n_workspaces[cust]),
        pick_below(rng, pop.n_users[cust]),
        world.seconds_in_day(rng, len(cust)),
        [products],
    )


def _serverless_products(world: World) -> np.ndarray:
    """Which serverless products each adopter uses (customers x products), cached."""
    if "serverless_products" not in world.cache:
        sp = world.params.serverless
        rng = world.rng("serverless:products")
        uses = np.column_stack(
            [rng.random(world.pop.n) < sp.products[p].share for p in SERVERLESS_PRODUCTS]
        )
        # Everyone adopting serverless starts with the earliest-launched product.
        first = int(np.argmin([sp.products[p].launch.toordinal() for p in SERVERLESS_PRODUCTS]))
        uses[:, first] = True
        world.cache["serverless_products"] = uses
    return world.cache["serverless_products"]


def serverless_batch(world: World, day: int) -> Batch:
    """`serverless.usage`: per adopter and launched product it uses, some days, gamma units."""
    sp, pop = world.params.serverless, world.pop
    rng = world.rng("serverless", day)
    adopted = world.adopted("serverless", day)
    today = world.dates[day]
    launched = np.array([sp.products[p].launch <= today for p in SERVERLESS_PRODUCTS])
    uses = _serverless_products(world) & launched[None, :] & adopted[:, None]
    on = rng.random(uses.shape) < sp.daily_probability * world.day_weight[day]
    cust, product = np.nonzero(uses & on)
    units = rng.gamma(sp.units_shape, sp.units_mean / sp.units_shape, size=len(cust)) * pop.activity[cust]
    names = np.array(SERVERLESS_PRODUCTS, dtype=object)
    return Batch(
        "serverless.usage",
        cust,
        pick_below(rng, pop.n_workspaces[cust]),
        None,
        world.seconds_in_day(rng, len(cust)),
        [names[product].tolist(), units.tolist()],
    )


def _endpoint_capacity(world: World, compute: str) -> np.ndarray:
    key = f"serving:capacity:{compute}"
    if key not in world.cache:
        world.cache[key] = world.rng(key).exponential(1.0, size=world.pop.n)
    return world.cache[key]


def serving_batch(world: World, day: int, compute: str) -> Batch:
    """`serving.usage`: each endpoint of an adopter runs on most days for gamma hours (<= 24).

    An adopter runs 1 + floor(capacity * endpoints(t)) endpoints, capacity ~ Exp(1) per customer.
    """
    sc = getattr(world.params.serving, compute)
    pop = world.pop
    rng = world.rng(f"serving:{compute}", day)
    adopted = world.adopted(f"serving:{compute}", day)
    endpoints_mean = sc.endpoints.table(world.ordinals[day : day + 1])[:, 0]
    hours_mean = sc.hours_mean.table(world.ordinals[day : day + 1])[:, 0]
    n_ep = np.where(
        adopted, 1 + np.floor(_endpoint_capacity(world, compute) * endpoints_mean[pop.profile]), 0
    ).astype(np.int64)
    n_ep = np.minimum(n_ep, 30)
    cust = np.repeat(np.arange(pop.n), n_ep)
    endpoint = ragged_within(n_ep)
    # Draw for every endpoint before filtering, so tuning daily_on keeps the other draws.
    on = rng.random(len(cust)) < sc.daily_on
    spread = rng.gamma(sc.hours_shape, 1.0 / sc.hours_shape, size=len(cust))
    cust, endpoint, spread = cust[on], endpoint[on], spread[on]
    hours = np.minimum(spread * hours_mean[pop.profile[cust]], 24.0)
    ids = [f"ep-{c:06d}-{compute}-{k}" for c, k in zip(cust.tolist(), endpoint.tolist())]
    return Batch(
        "serving.usage",
        cust,
        pick_below(rng, pop.n_workspaces[cust]),
        None,
        world.seconds_in_day(rng, len(cust)),
        [ids, [compute] * len(cust), hours.tolist()],
    )


def _index_models(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: number of vector indexes, and the embedding fragment of each index."""
    if "vector_indexes" not in world.cache:
        vp = world.params.vector_search
        rng = world.rng("vector_search:indexes")
        n_idx = np.minimum(1 + rng.poisson(vp.indexes_extra, size=world.pop.n), 8)
        by_name = {m.name: m for m in vp.catalogue}
        names = list(vp.embedding_models)
        w = np.array(list(vp.embedding_models.values()), dtype=float)
        frags = []
        for name in names:
            m = by_name[name]
            dim = f',"dimension":{m.dimension}' if m.dimension else ""
            modality = ',"modality":' + json_string(m.modality)
            frags.append(',"embedding_model":' + json_string(name) + dim + modality)
        choice = rng.choice(len(names), size=(world.pop.n, 8), p=w / w.sum())
        world.cache["vector_indexes"] = (n_idx, np.array(frags, dtype=object)[choice])
    return world.cache["vector_indexes"]


def vector_search_batch(world: World, day: int) -> Batch:
    """`vector_search.request`: per active adopter and index, the day's request count."""
    vp, pop = world.params.vector_search, world.pop
    rng = world.rng("vector_search", day)
    active = active_today(world, rng, "vector_search", day, vp.daily_probability)
    n_idx, frags = _index_models(world)
    count = np.where(active, n_idx, 0)
    cust = np.repeat(np.arange(pop.n), count)
    index = ragged_within(count)
    keep = (index == 0) | (rng.random(len(cust)) < 0.7)
    cust, index = cust[keep], index[keep]
    spread = rng.lognormal(np.log(vp.requests_median), vp.requests_sigma, size=len(cust))
    requests = np.maximum(1, np.round(spread * pop.activity[cust])).astype(np.int64)
    with_fields = rng.random(len(cust)) < vp.optional_fields_share
    fragment = np.where(with_fields, frags[cust, index], "")
    ids = [f"vs-{c:06d}-{k}" for c, k in zip(cust.tolist(), index.tolist())]
    return Batch(
        "vector_search.request",
        cust,
        pick_below(rng, pop.n_workspaces[cust]),
        None,
        world.seconds_in_day(rng, len(cust)),
        [ids, requests.tolist(), fragment.tolist()],
    )


def day_batches(world: World, day: int) -> list[Batch]:
    """Every valid event of one day's activity, one batch per stream."""
    month = int(world.month_of_day[day])
    cached = world.cache.get("notebook_month")
    if cached is None or cached[0] != month:
        world.cache["notebook_month"] = (month, plan_notebook_month(world, month))
    notebooks = world.cache["notebook_month"][1]
    logged, registered = plan_mlflow(world)
    return [
        notebooks.batch(day),
        logged.batch(day),
        registered.batch(day),
        uc_batch(world, day),
        integration_batch(world, day),
        serverless_batch(world, day),
        serving_batch(world, day, "cpu"),
        serving_batch(world, day, "gpu"),
        vector_search_batch(world, day),
        fm_batch(world, day),
    ]


def late_file_batch(world: World, target_day: int, delivery_day: int) -> Batch:
    """Events of `target_day` held back by a slow emitter and delivered on `delivery_day`.

    They are extra governance actions, a sample of a regular day's volume on the target day.
    """
    rng = world.rng("late_file", delivery_day)
    batch = uc_batch(world, target_day, rng)
    keep = rng.random(len(batch)) < world.params.late.file_share_of_day
    idx = np.flatnonzero(keep)
    return Batch(
        batch.event_type,
        batch.cust[idx],
        batch.ws[idx],
        batch.user[idx],
        batch.sec[idx],
        [[col[i] for i in idx.tolist()] for col in batch.payload],
    )
