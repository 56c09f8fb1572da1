"""Notebook library imports: the monthly plan behind F3-F6 (applications, products, LLM libraries).

Each customer opens Poisson(per_customer_month * activity) notebooks a month; each notebook runs
on 1 + Poisson(runs_extra) days and imports its library set on every run. A library is in the
set with its usage probability (times its category's industry level and yearly growth) if the
customer has adopted it by the notebook's first run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jobs.generate.events import json_string
from jobs.generate.params import PROFILE_KEYS, profile_vector
from jobs.generate.plans import DayPlan, pick_below, ragged_within, sorted_plan
from jobs.generate.world import World

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class LibraryTable:
    """The library catalogue as arrays, in the YAML's order."""

    names: list[str]
    json_names: np.ndarray  # object
    version_fragments: np.ndarray  # object, flat: ',"library_version":"x"' per library version
    version_offset: np.ndarray
    version_count: np.ndarray
    fallback: int  # library given to a notebook that drew none


def library_table(world: World) -> LibraryTable:
    """Arrays of the library catalogue (cached on the world)."""
    if "libraries" not in world.cache:
        libs = world.params.libraries
        names = list(libs)
        fragments, offsets, counts = [], [], []
        for name in names:
            versions = libs[name].versions
            offsets.append(len(fragments))
            counts.append(len(versions))
            fragments += [',"library_version":' + json_string(v) for v in versions]
        world.cache["libraries"] = LibraryTable(
            names=names,
            json_names=np.array([json_string(n) for n in names], dtype=object),
            version_fragments=np.array(fragments + [""], dtype=object),
            version_offset=np.array(offsets),
            version_count=np.array(counts),
            fallback=names.index("pandas") if "pandas" in names else 0,
        )
    return world.cache["libraries"]


def _usage_probability(world: World, name: str, ordinal: int) -> np.ndarray:
    """Per profile: probability that an adopter's notebook of this month imports the library."""
    params = world.params
    lib = params.libraries[name]
    base = float(lib.usage.values(np.array([ordinal]))[0])
    if lib.category is None:
        return np.full(len(PROFILE_KEYS), base)
    cat = params.categories[lib.category]
    years = (ordinal - params.notebooks.growth_reference.toordinal()) / DAYS_PER_YEAR
    level = profile_vector(cat.level)
    growth = profile_vector(cat.growth)
    return np.clip(base * level * growth**years, 0.0, 1.0)


def plan_notebook_month(world: World, month: int) -> DayPlan:
    """All `notebook.library_imported` events of a month.

    Each customer opens Poisson(per_customer_month * activity) notebooks; each notebook runs on
    1 + Poisson(runs_extra) days of the month and imports its library set on every run. A
    library is in the set with the library's usage probability (times its category's industry
    level and yearly growth) if the customer has adopted it by the notebook's first run.
    """
    params, pop = world.params, world.pop
    rng = world.rng("notebooks", month)
    days = world.month_days(month)
    mid = int(world.ordinals[days[len(days) // 2]])
    lam = params.notebooks.per_customer_month.values(np.array([mid]))[0]
    per_customer = rng.poisson(lam * pop.activity * world.month_fraction(month))
    nb_cust = np.repeat(np.arange(pop.n), per_customer)
    nb_number = ragged_within(per_customer)
    m = len(nb_cust)
    runs = 1 + rng.poisson(params.notebooks.runs_extra, size=m)
    run_nb = np.repeat(np.arange(m), runs)
    p_day = world.day_weight[days] / world.day_weight[days].sum()
    run_day = days[rng.choice(len(days), size=len(run_nb), p=p_day)]
    first_day = np.minimum.reduceat(run_day, np.cumsum(runs) - runs) if m else run_day
    nb_profile = pop.profile[nb_cust]

    table = library_table(world)
    include = np.zeros((m, len(table.names)), dtype=bool)
    for j, name in enumerate(table.names):
        p_use = _usage_probability(world, name, mid)[nb_profile]
        take = rng.random(m) < p_use
        item = f"lib:{name}"
        if item in world.adoption:
            share = world.adoption[item][nb_profile, first_day]
            take &= pop.propensity[item][nb_cust] < share
        include[:, j] = take
    include[~include.any(axis=1), table.fallback] = True

    n_libs = include.sum(axis=1)
    lib_nb, lib_idx = np.nonzero(include)  # grouped by notebook
    lib_start = np.cumsum(n_libs) - n_libs
    libs_per_run = n_libs[run_nb]
    ev_run = np.repeat(np.arange(len(run_nb)), libs_per_run)
    within = ragged_within(libs_per_run)
    ev_nb = run_nb[ev_run]
    ev_lib = lib_idx[lib_start[ev_nb] + within]
    run_sec = world.seconds_in_day(rng, len(run_nb))
    ev_sec = np.minimum(run_sec[ev_run] + 2 * within, 86_399)

    nb_ws = pick_below(rng, pop.n_workspaces[nb_cust])
    nb_user = pick_below(rng, pop.n_users[nb_cust])
    nb_ids = np.array(
        [f"nb-{c:06d}-{month:03d}-{k:05d}" for c, k in zip(nb_cust.tolist(), nb_number.tolist())],
        dtype=object,
    )
    ev_day = run_day[ev_run]
    # Newer library versions over time, with some spread between notebooks.
    progress = (ev_day / max(world.n_days - 1, 1)) * table.version_count[ev_lib]
    v_idx = np.floor(progress + rng.normal(0.0, 0.7, size=len(ev_lib))).astype(np.int64)
    v_idx = np.clip(v_idx, 0, np.maximum(table.version_count[ev_lib] - 1, 0))
    has_version = (rng.random(len(ev_lib)) < params.notebooks.version_share) & (
        table.version_count[ev_lib] > 0
    )
    frag_index = np.where(has_version, table.version_offset[ev_lib] + v_idx, len(table.version_fragments) - 1)
    return sorted_plan(
        "notebook.library_imported",
        ev_day,
        cust=nb_cust[ev_nb],
        ws=nb_ws[ev_nb],
        user=nb_user[ev_nb],
        sec=ev_sec,
        payload=[nb_ids[ev_nb], table.json_names[ev_lib], table.version_fragments[frag_index]],
    )
