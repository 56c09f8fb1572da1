"""The fixed frame every day's generation reads: calendar, population and adoption tables.

Built once per `generate_telemetry` call from (params, customers, seed) alone, so any day can be
generated on its own and gives the same events whichever days are generated with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from jobs.generate.params import GeneratorParams
from jobs.generate.population import Population, adoption_items, build_population
from jobs.generate.rng import stream_rng

DATE_MARGIN = 3  # days of date strings kept before the period and after it (offsets, late)


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def _in_holiday(day: dt.date, start: tuple[int, int], end: tuple[int, int]) -> bool:
    md = (day.month, day.day)
    if start <= end:
        return start <= md <= end
    return md >= start or md <= end  # the span wraps over the new year


@dataclass
class World:
    """Calendar, population and per-day adoption shares of one generation."""

    params: GeneratorParams
    seed: int
    pop: Population
    dates: list[dt.date]
    ordinals: np.ndarray
    day_weight: np.ndarray  # weekday and holiday activity factor per day
    month_of_day: np.ndarray  # month index (0 = the period's first month) per day
    adoption: dict[str, np.ndarray]  # item -> (7 profiles, days) adopted share
    date_strings: np.ndarray  # object: ISO date for ordinals from `date_base`
    date_base: int
    hour_p: np.ndarray
    cache: dict = field(default_factory=dict)  # per-world plans built on first use

    @property
    def n_days(self) -> int:
        return len(self.dates)

    def rng(self, stream: str, *indices: int) -> np.random.Generator:
        """The random stream `stream` of this world's seed."""
        return stream_rng(self.seed, stream, *indices)

    def adopted(self, item: str, day_index: int) -> np.ndarray:
        """Which customers have adopted `item` on the day (boolean per customer)."""
        share = self.adoption[item][self.pop.profile, day_index]
        return self.pop.propensity[item] < share

    def month_days(self, month: int) -> np.ndarray:
        """Day indices of a month (only the days inside the period)."""
        return np.flatnonzero(self.month_of_day == month)

    def month_fraction(self, month: int) -> float:
        """Share of the calendar month that lies inside the period (partial first/last month)."""
        days = self.month_days(month)
        first = self.dates[days[0]]
        nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return len(days) / (nxt - first.replace(day=1)).days

    def seconds_in_day(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Random UTC seconds of day following the diurnal profile."""
        hours = rng.choice(24, size=n, p=self.hour_p)
        return hours * 3600 + rng.integers(0, 3600, size=n)


def build_world(params: GeneratorParams, customers: int, seed: int) -> World:
    """Everything the day generators share, for one (params, customers, seed)."""
    start, end = params.period.start, params.period.end
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    ordinals = np.array([d.toordinal() for d in dates])
    cal = params.calendar
    hol_start, hol_end = _month_day(cal.holiday.start), _month_day(cal.holiday.end)
    weight = np.array(
        [
            (cal.weekend_factor if d.weekday() >= 5 else 1.0)
            * (cal.holiday.factor if _in_holiday(d, hol_start, hol_end) else 1.0)
            for d in dates
        ]
    )
    month = np.array([(d.year - start.year) * 12 + d.month - start.month for d in dates])
    pop = build_population(params, customers, seed)
    adoption = {name: a.table(ordinals) for name, a in adoption_items(params).items()}
    base = start.toordinal() - DATE_MARGIN
    date_strings = np.array(
        [dt.date.fromordinal(base + i).isoformat() for i in range(len(dates) + 2 * DATE_MARGIN)],
        dtype=object,
    )
    hour_w = np.asarray(cal.hour_weights, dtype=float)
    return World(
        params=params,
        seed=seed,
        pop=pop,
        dates=dates,
        ordinals=ordinals,
        day_weight=weight,
        month_of_day=month,
        adoption=adoption,
        date_strings=date_strings,
        date_base=base,
        hour_p=hour_w / hour_w.sum(),
    )
