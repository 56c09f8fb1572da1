"""Consecutive, bounded batches of work items: what keeps a backfill's memory flat."""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")


def bounded_batches(items: Sequence[Item], size_of: Callable[[Item], int], max_count: int | None = None,
                    max_size: int | None = None) -> list[list[Item]]:
    """Split `items`, in their order, into consecutive batches of at most `max_count` items whose
    sizes add up to at most `max_size` (None: no bound). An item larger than `max_size` is a batch
    of its own; no batch is empty."""
    batches: list[list[Item]] = []
    current: list[Item] = []
    current_size = 0
    for item in items:
        size = size_of(item)
        full = max_count is not None and len(current) >= max_count
        too_big = max_size is not None and current_size + size > max_size
        if current and (full or too_big):
            batches.append(current)
            current, current_size = [], 0
        current.append(item)
        current_size += size
    if current:
        batches.append(current)
    return batches
