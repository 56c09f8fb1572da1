"""MLflow activity: experiment models logged and model versions registered (F1, F2)."""

from __future__ import annotations

import numpy as np

from jobs.generate.events import hex_strings, json_string
from jobs.generate.plans import DayPlan, pick_below, poisson_quantile, ragged_within, sorted_plan
from jobs.generate.world import World


def _wave_factor(world: World, ordinal: int) -> float:
    factor = 1.0
    for wave in world.params.mlflow.registration_waves:
        if wave.start.toordinal() <= ordinal <= wave.end.toordinal():
            factor *= wave.factor
    return factor


def plan_mlflow(world: World) -> tuple[DayPlan, DayPlan]:
    """Experiment-model logging and model registration over the whole period.

    Per month, a customer experiments if its MLflow propensity is below the experimenting share
    (and it is present that month), and registers if below the registering share; experimenting
    customers log 1 + Poisson(models_per_company - 1) new models, each in one or more runs of one
    day; registering customers register 1 + Poisson(registered_per_company - 1) model versions.
    Whole-period planning lets versions count up per (customer, model name).
    """
    if "mlflow" in world.cache:
        return world.cache["mlflow"]
    mp = world.params.mlflow
    pop = world.pop
    u = pop.propensity["mlflow"]
    exp_table = mp.experimenting.table(world.ordinals)
    reg_table = mp.registering.table(world.ordinals)
    models_table = mp.models_per_company.table(world.ordinals)
    registered_table = mp.registered_per_company.table(world.ordinals)
    scale = pop.activity**mp.activity_elasticity
    logged: list[tuple] = []
    registered: list[tuple] = []
    for month in range(int(world.month_of_day[-1]) + 1):
        # Separate streams per quantity keep experiments and registrations independent draws.
        rng_e, rng_r = world.rng("mlflow:logged", month), world.rng("mlflow:registered", month)
        days = world.month_days(month)
        mid = days[len(days) // 2]
        frac = world.month_fraction(month)
        p_day = world.day_weight[days] / world.day_weight[days].sum()
        present_e = rng_e.random(pop.n) < mp.monthly_presence
        present_r = rng_r.random(pop.n) < mp.monthly_presence
        experimenting = (u < exp_table[pop.profile, mid]) & present_e
        registering = (u < reg_table[pop.profile, mid]) & present_r
        mu_e = models_table[pop.profile, mid] * scale * frac
        wave = _wave_factor(world, int(world.ordinals[mid]))
        mu_r = registered_table[pop.profile, mid] * scale * frac * wave
        extra_e = poisson_quantile(rng_e.random(pop.n), np.maximum(mu_e - 1.0, 0.0))
        extra_r = poisson_quantile(rng_r.random(pop.n), np.maximum(mu_r - 1.0, 0.0))
        k_e = np.where(experimenting, 1 + extra_e, 0)
        k_r = np.where(registering, 1 + extra_r, 0)
        cust_e = np.repeat(np.arange(pop.n), k_e)
        number_e = ragged_within(k_e)
        day_e = days[rng_e.choice(len(days), size=len(cust_e), p=p_day)]
        logged.append((cust_e, number_e, day_e, np.full(len(cust_e), month)))
        cust_r = np.repeat(np.arange(pop.n), k_r)
        day_r = days[rng_r.choice(len(days), size=len(cust_r), p=p_day)]
        registered.append((cust_r, day_r))
    world.cache["mlflow"] = (
        _logged_plan(world, world.rng("mlflow:logged:details"), logged),
        _registered_plan(world, world.rng("mlflow:registered:details"), registered),
    )
    return world.cache["mlflow"]


def _logged_plan(world: World, rng: np.random.Generator, parts: list[tuple]) -> DayPlan:
    mp, pop = world.params.mlflow, world.pop
    cust, number, day, month = (np.concatenate(c) for c in zip(*parts))
    n_models = len(cust)
    logs = 1 + rng.poisson(mp.logs_per_model_extra, size=n_models)
    ev_model = np.repeat(np.arange(n_models), logs)
    n_ev = len(ev_model)
    model_ids = np.array(
        [f"m-{c:06d}-{mo:03d}-{k:05d}" for c, mo, k in zip(cust.tolist(), month.tolist(), number.tolist())],
        dtype=object,
    )
    experiment = rng.integers(0, mp.experiments_per_customer, size=n_models)
    experiment_ids = np.array(
        [f"{c:06d}{e:03d}" for c, e in zip(cust.tolist(), experiment.tolist())], dtype=object
    )
    flavors = list(mp.flavors)
    weights = np.array(list(mp.flavors.values()), dtype=float)
    flavor = rng.choice(len(flavors), size=n_models, p=weights / weights.sum())
    flavor_frag = np.array([',"flavor":' + json_string(f) for f in flavors] + [""], dtype=object)
    has_flavor = rng.random(n_models) < mp.flavor_share
    model_flavor = flavor_frag[np.where(has_flavor, flavor, len(flavors))]
    model_sec = world.seconds_in_day(rng, n_models)
    sec = np.minimum(model_sec[ev_model] + 60 * ragged_within(logs), 86_399)
    ws = pick_below(rng, pop.n_workspaces[cust])
    user = pick_below(rng, pop.n_users[cust])
    run_ids = np.array(hex_strings(rng, n_ev), dtype=object)
    return sorted_plan(
        "mlflow.model_logged",
        day[ev_model],
        cust=cust[ev_model],
        ws=ws[ev_model],
        user=user[ev_model],
        sec=sec,
        payload=[experiment_ids[ev_model], run_ids, model_ids[ev_model], model_flavor[ev_model]],
    )


def _registered_plan(world: World, rng: np.random.Generator, parts: list[tuple]) -> DayPlan:
    mp, pop = world.params.mlflow, world.pop
    cust, day = (np.concatenate(c) for c in zip(*parts))
    n = len(cust)
    names = mp.model_names
    # Each customer keeps a small pool of registered model names and adds versions to them.
    pool = np.minimum(1 + world.rng("mlflow:pools").poisson(3.0, size=pop.n), len(names))
    offset = world.rng("mlflow:pool_offsets").integers(0, len(names), size=pop.n)
    name_idx = (offset[cust] + pick_below(rng, pool[cust])) % len(names)
    sec = world.seconds_in_day(rng, n)
    order = np.lexsort((sec, day, name_idx, cust))
    group_key = cust[order] * len(names) + name_idx[order]
    starts = np.r_[0, np.flatnonzero(np.diff(group_key)) + 1] if n else np.array([], dtype=int)
    counts = np.diff(np.r_[starts, n]) if n else np.array([], dtype=int)
    version = np.empty(n, dtype=np.int64)
    version[order] = ragged_within(counts) + 1
    json_names = np.array([json_string(f"main.ml.{x}") for x in names], dtype=object)
    return sorted_plan(
        "mlflow.model_registered",
        day,
        cust=cust,
        ws=pick_below(rng, pop.n_workspaces[cust]),
        user=pick_below(rng, pop.n_users[cust]),
        sec=sec,
        payload=[json_names[name_idx], version],
    )
