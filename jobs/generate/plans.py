"""Vectorised sampling helpers and day-sliceable plans shared by the activity models."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jobs.generate.events import Batch
from jobs.generate.world import World


def ragged_within(counts: np.ndarray) -> np.ndarray:
    """0..k-1 for each group of a repeat by `counts` (position inside its group)."""
    total = int(counts.sum())
    starts = np.cumsum(counts) - counts
    return np.arange(total) - np.repeat(starts, counts)


def poisson_quantile(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson(lam) draws by inversion of the uniforms `u`.

    Unlike `rng.poisson`, the draw for a fixed uniform never decreases as lam grows, so a small
    change of a rate moves counts by a little instead of reshuffling them.
    """
    lam = np.broadcast_to(np.asarray(lam, dtype=float), u.shape)
    k = np.zeros(u.shape, dtype=np.int64)
    term = np.exp(-lam)
    cdf = term.copy()
    active = u > cdf
    i = 0
    while active.any() and i < 1000:
        i += 1
        term = term * lam / i
        cdf = cdf + term
        k += active
        active &= u > cdf
    return k


def pick_below(rng: np.random.Generator, limits: np.ndarray) -> np.ndarray:
    """A uniform integer in [0, limit) for each limit."""
    return (rng.random(len(limits)) * limits).astype(np.int64)


@dataclass
class DayPlan:
    """Rows of a multi-day plan sorted by day, sliceable into one day's batch."""

    event_type: str
    day: np.ndarray
    cust: np.ndarray
    ws: np.ndarray
    user: np.ndarray
    sec: np.ndarray
    payload: list[np.ndarray]  # object arrays, one per template field

    def batch(self, day_index: int) -> Batch:
        """The rows of one day as a batch."""
        lo, hi = np.searchsorted(self.day, [day_index, day_index + 1])
        return Batch(
            self.event_type,
            self.cust[lo:hi],
            self.ws[lo:hi],
            self.user[lo:hi],
            self.sec[lo:hi],
            [col[lo:hi].tolist() for col in self.payload],
        )


def sorted_plan(event_type: str, day: np.ndarray, **columns) -> DayPlan:
    """A plan from per-row columns (and a `payload` list of columns), sorted by day."""
    order = np.argsort(day, kind="stable")
    payload = [np.asarray(c, dtype=object)[order] for c in columns.pop("payload")]
    return DayPlan(event_type, day[order], payload=payload, **{k: v[order] for k, v in columns.items()})


def active_today(
    world: World, rng: np.random.Generator, item: str, day: int, probability: float
) -> np.ndarray:
    """Adopters of `item` that are active today (weekday/holiday factor applied)."""
    draw = rng.random(world.pop.n)
    return world.adopted(item, day) & (draw < probability * world.day_weight[day])
