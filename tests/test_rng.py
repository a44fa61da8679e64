"""synthdoc.rng: one independent, reproducible stream per (seed, sample, stage, attempt)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from synthdoc.rng import STAGES, sample_rng, stage_id


def _draw(*args) -> list[int]:
    return sample_rng(*args).integers(0, 2**62, size=8).tolist()


def test_same_key_same_stream_any_key_change_another():
    base = _draw(7, 3, "layout", 0)
    assert _draw(7, 3, "layout", 0) == base
    others = [_draw(8, 3, "layout", 0), _draw(7, 4, "layout", 0), _draw(7, 3, "font", 0), _draw(7, 3, "layout", 1)]
    assert all(o != base for o in others)
    assert len({tuple(o) for o in others}) == len(others)


def test_a_sample_stream_does_not_depend_on_other_samples_drawn_before():
    first = _draw(1, 5, "text")
    for i in range(5):
        _draw(1, i, "text")
    assert _draw(1, 5, "text") == first


def test_stage_ids_are_distinct_and_independent_of_the_hash_seed():
    ids = [stage_id(s) for s in STAGES]
    assert len(set(ids)) == len(STAGES)
    code = "from synthdoc.rng import sample_rng, stage_id; print(stage_id('render'), sample_rng(3, 2, 'render').integers(1 << 30))"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": h}).stdout for h in ("0", "1", "4242")}
    assert len(outs) == 1
    assert outs.pop().split()[0] == str(stage_id("render"))


def test_streams_are_uniform():
    x = sample_rng(0, 0, "augment").random(20_000)
    hist, _ = np.histogram(x, bins=10, range=(0, 1))
    assert hist.min() > 1_800 and hist.max() < 2_200  # 2000 expected per bin


@pytest.mark.parametrize("seed,index", [(-1, 0), (0, -1)])
def test_negative_seed_or_index_is_refused(seed, index):
    with pytest.raises(ValueError, match="non-negative"):
        sample_rng(seed, index, "text")
