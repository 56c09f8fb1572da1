"""Named, independent random streams.

Every stream (a kind of activity on a day, a month's plan, the population) draws from its own
`numpy.random.Generator(PCG64(...))` seeded by (seed, stream name, indices). So a day's events do
not depend on which other days are generated in the same call (day-by-day delivery gives the
same bytes as one run), and retuning one stream's parameters leaves the others' draws unchanged.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_rng(seed: int, stream: str, *indices: int) -> np.random.Generator:
    """The generator of one named stream (optionally one day or month of it) for a seed."""
    key = zlib.crc32(stream.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, key, *indices])))
