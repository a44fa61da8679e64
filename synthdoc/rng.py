"""Per-sample, per-stage random streams (DESIGN.md "Randomness").

Sample i of a run with seed s draws from ``np.random.SeedSequence(s, spawn_key=(i, stage, attempt))``,
so its output is a pure function of (config, s, i) at any worker count, shard size or ordering.
"""
from __future__ import annotations

import zlib

import numpy as np

STAGES = ("text", "layout", "font", "render", "background", "augment", "encode")


def stage_id(stage: str) -> int:
    """Stable integer for a stage name (CRC32, independent of Python's hash seed)."""
    return zlib.crc32(stage.encode("utf-8"))


def sample_rng(seed: int, index: int, stage: str, attempt: int = 0) -> np.random.Generator:
    """Generator for one stage of sample `index` (attempt > 0 for retries after a failed sample).

    Raises:
        ValueError: negative seed or index.
    """
    if seed < 0 or index < 0:
        raise ValueError("seed and index must be non-negative integers")
    ss = np.random.SeedSequence(seed, spawn_key=(index, stage_id(stage), attempt))
    return np.random.Generator(np.random.PCG64(ss))
