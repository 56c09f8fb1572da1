"""Orchestration: generate the landing zone day by day and record what was delivered.

`generate_telemetry` streams one day at a time (memory stays bounded by a day's and a month's
events), writes each day's `part-0000.json`, the scheduled late files and the accounts
snapshots, and keeps a cumulative manifest in `<landing>/_manifest/generation.json`. Called
again with a later `until`, it adds the missing days and leaves existing files untouched.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from jobs import storage
from jobs.generate.behaviour import day_batches, late_file_batch
from jobs.generate.dirty import dirty_lines
from jobs.generate.events import Batch, format_batch, offset_choice, timestamp_columns, uuid4_strings
from jobs.generate.params import DIRTY_KINDS, GeneratorParams
from jobs.generate.population import accounts_snapshots
from jobs.generate.world import World, build_world
from jobs.generate.writer import (
    accounts_folder,
    events_folder,
    write_accounts_snapshot,
    write_bytes_atomic,
    write_event_file,
)

MANIFEST = Path("_manifest") / "generation.json"
PART_NAME = "part-0000.json"
SAMPLES_PER_TYPE = 32  # valid lines per event type kept as templates for dirty lines


class GenerationSummary(BaseModel):
    """What a landing zone holds, cumulatively over the calls that filled it."""

    seed: int
    customers: int
    start: dt.date
    end: dt.date
    until: dt.date | None = None
    dirty_rate: float = 0.0
    params_digest: str = ""
    files: list[str] = []  # relative to the landing, in delivery order
    events: int = 0  # valid events written, duplicates included
    duplicates: int = 0  # valid events written a second time (same event_id)
    late: int = 0  # valid events written in a file of a later UTC date or a late file
    dirty: dict[str, int] = {}  # dirty lines by rule broken
    lines: int = 0  # all lines written: events + dirty


def _relative(landing: Path, path: Path) -> str:
    return path.relative_to(landing).as_posix()


def _load_summary(landing: Path, fresh: GenerationSummary) -> GenerationSummary:
    """The landing's manifest if it was made by the same generation, else `fresh`."""
    path = landing / MANIFEST
    if not path.exists():
        return fresh
    old = GenerationSummary.model_validate_json(path.read_text(encoding="utf-8"))
    same = ("seed", "customers", "start", "end", "dirty_rate", "params_digest")
    if any(getattr(old, k) != getattr(fresh, k) for k in same):
        raise ValueError(f"{landing} holds telemetry of another generation; use an empty landing")
    return old


def _apply_late_shift(world: World, day: int, batches: list[Batch]) -> int:
    """Move a share of late-capable events to the previous UTC day (still in this day's file).

    Not on a month's first day, so monthly distinct counts are not spread over two months.
    """
    lp = world.params.late
    if day == 0 or world.dates[day].day == 1 or lp.next_day_share <= 0:
        return 0
    rng = world.rng("late", day)
    moved = 0
    for batch in batches:
        if batch.event_type in lp.event_types and len(batch):
            mask = rng.random(len(batch)) < lp.next_day_share
            batch.sec = np.where(mask, batch.sec - 86_400, batch.sec)
            moved += int(mask.sum())
    return moved


def _format_lines(
    world: World, day: int, stream: str, batches: list[Batch]
) -> tuple[list[str], dict[str, list[str]]]:
    """Lines of the batches in time order, and a few sample lines per event type."""
    n = sum(len(b) for b in batches)
    ids = uuid4_strings(world.rng(f"ids:{stream}", day), n)
    env = world.params.envelope
    minutes, suffix = offset_choice(world.rng(f"offsets:{stream}", day), n, env.offset_share, env.offsets)
    ordinal = int(world.ordinals[day])
    lines: list[str] = []
    samples: dict[str, list[str]] = {}
    at = 0
    for batch in batches:
        k = len(batch)
        if k == 0:
            continue
        dates, times = timestamp_columns(
            ordinal, batch.sec, minutes[at : at + k], suffix[at : at + k], world.date_strings, world.date_base
        )
        formatted = format_batch(batch, world.pop, ids[at : at + k], dates, times)
        samples.setdefault(batch.event_type, []).extend(formatted[:SAMPLES_PER_TYPE])
        lines += formatted
        at += k
    order = np.argsort(np.concatenate([b.sec for b in batches]), kind="stable") if n else []
    return [lines[i] for i in order.tolist()] if n else [], samples


def _day_lines(world: World, day: int) -> tuple[list[str], dict[str, list[str]], int]:
    """The day's valid lines (time order), samples per type, and how many are late."""
    batches = day_batches(world, day)
    late = _apply_late_shift(world, day, batches)
    lines, samples = _format_lines(world, day, "day", batches)
    return lines, samples, late


def _with_dirt(
    world: World,
    day: int,
    valid: list[str],
    samples: dict[str, list[str]],
    previous: list[str] | None,
    rate: float,
) -> tuple[list[str], int, Counter]:
    """Mix dirty lines and duplicates of the previous day's events into the day's lines."""
    if rate <= 0:
        return valid, 0, Counter()
    rng = world.rng("dirty", day)
    n_dirty = int(rng.binomial(len(valid), rate)) if valid else 0
    dirty, counts = dirty_lines(rng, n_dirty, world.params.dirty.kinds, samples, uuid4_strings(rng, n_dirty))
    duplicates: list[str] = []
    if previous:
        n_dup = int(rng.binomial(len(previous), min(rate * world.params.dirty.duplicate_factor, 1.0)))
        duplicates = [previous[i] for i in rng.choice(len(previous), size=n_dup, replace=False).tolist()]
    extra = dirty + duplicates
    positions = rng.uniform(0, max(len(valid), 1), len(extra))
    keys = np.concatenate([np.arange(len(valid), dtype=float), positions])
    merged = valid + extra
    return [merged[i] for i in np.argsort(keys, kind="stable").tolist()], len(duplicates), counts


def _late_schedule(world: World) -> dict[int, list[tuple[int, str]]]:
    """Late files by delivery day: (target day, file name), drawn once for the whole period."""
    lp = world.params.late
    rng = world.rng("late:schedule")
    deliver = rng.random(world.n_days) < 1.0 / lp.file_every_days
    lag = rng.integers(lp.file_lag_days[0], lp.file_lag_days[1] + 1, size=world.n_days)
    per_target: Counter = Counter()
    out: dict[int, list[tuple[int, str]]] = {}
    for day in np.flatnonzero(deliver).tolist():
        target = day - int(lag[day])
        if target < 0:
            continue
        out.setdefault(day, []).append((target, f"late-{per_target[target]:04d}.json"))
        per_target[target] += 1
    return out


def _record(
    summary: GenerationSummary,
    landing: Path,
    path: Path,
    events: int,
    duplicates: int,
    late: int,
    dirty: Counter,
) -> None:
    """Add one written events file to the summary."""
    summary.files.append(_relative(landing, path))
    summary.events += events
    summary.duplicates += duplicates
    summary.late += late
    for kind, count in dirty.items():
        summary.dirty[kind] = summary.dirty.get(kind, 0) + count
    summary.lines += events + sum(dirty.values())


def _write_snapshots(world: World, landing: Path, last: dt.date, summary: GenerationSummary) -> None:
    for snapshot_date, rows in accounts_snapshots(world.params, world.pop, world.seed).items():
        path = accounts_folder(landing, snapshot_date) / "accounts.csv"
        if snapshot_date <= last and not path.exists():
            write_accounts_snapshot(landing, snapshot_date, rows)
            summary.files.append(_relative(landing, path))


def _write_late_file(
    world: World, landing: Path, delivery: int, target: int, name: str, summary: GenerationSummary
) -> None:
    """Write the late file `name` of `target` (delivered on `delivery`) unless it exists."""
    path = events_folder(landing, world.dates[target]) / name
    if path.exists():
        return
    lines, _ = _format_lines(world, target, f"late:{delivery}", [late_file_batch(world, target, delivery)])
    write_event_file(landing, world.dates[target], lines, name)
    _record(summary, landing, path, len(lines), 0, len(lines), Counter())


def generate_telemetry(
    params: GeneratorParams,
    landing: Path,
    customers: int | None = None,
    seed: int = 42,
    until: dt.date | None = None,
    dirty_rate: float = 0.0,
    on_day: Callable[[dt.date, int], None] | None = None,
) -> GenerationSummary:
    """Generate the landing zone's telemetry for days up to `until` (default: the period end).

    Deterministic: the same params, customers and seed give byte-identical files, whichever
    `until` steps they are delivered in. Existing files are never rewritten. `dirty_rate` adds
    that fraction of dirty lines, and re-emits some of the previous day's events as duplicates
    (`dirty.duplicate_factor` per dirty line), on top of the valid events.
    """
    landing = storage.as_location(landing)
    customers = params.population.customers if customers is None else customers
    if customers <= 0:
        raise ValueError("customers must be positive")
    if not 0.0 <= dirty_rate <= 1.0:
        raise ValueError("dirty_rate is a fraction in [0, 1]")
    world = build_world(params, customers, seed)
    start, end = params.period.start, params.period.end
    last = min(until, end) if until else end
    fresh = GenerationSummary(
        seed=seed,
        customers=customers,
        start=start,
        end=end,
        dirty_rate=dirty_rate,
        params_digest=params.digest(),
    )
    summary = _load_summary(landing, fresh)
    summary.until = until
    _write_snapshots(world, landing, last, summary)
    last_day = (last - start).days
    missing = [
        d for d in range(last_day + 1) if not (events_folder(landing, world.dates[d]) / PART_NAME).exists()
    ]
    schedule = _late_schedule(world)
    first = missing[0] if missing else last_day + 1
    for delivery in [d for d in schedule if d < first]:  # late files of days already delivered
        for target, name in schedule[delivery]:
            _write_late_file(world, landing, delivery, target, name, summary)
    to_write = set(missing)
    previous: list[str] | None = None
    loop_start = first - 1 if dirty_rate > 0 and first > 0 else first
    for day in range(loop_start, last_day + 1):
        valid, samples, late = _day_lines(world, day)
        if day in to_write:
            lines, n_dup, dirty = _with_dirt(world, day, valid, samples, previous, dirty_rate)
            path = write_event_file(landing, world.dates[day], lines, PART_NAME)
            _record(summary, landing, path, len(valid) + n_dup, n_dup, late, dirty)
            if on_day is not None:
                on_day(world.dates[day], len(valid) + n_dup)
        for target, name in schedule.get(day, []):
            _write_late_file(world, landing, day, target, name, summary)
        previous = valid
    if dirty_rate > 0:  # every kind is listed, even one a short run happened not to draw
        for kind in DIRTY_KINDS:
            summary.dirty.setdefault(kind, 0)
    write_bytes_atomic(landing / MANIFEST, summary.model_dump_json(indent=2).encode("utf-8"))
    return summary
