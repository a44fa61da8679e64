"""Procedural textures: every generator is a pure function of (size, seed, parameters), looks like what it is
named for (colour family, structure), and the ProceduralPaper step multiplies it into the page background."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthdoc.augment import STEPS, AugmentState, parse_stack
from synthdoc.augment.textures import GENERATORS, generate
from synthdoc.doc import Page
from synthdoc.errors import SynthdocError

H, W = 240, 320


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_generator_is_seeded(kind):
    a, b, c = generate(kind, H, W, 1), generate(kind, H, W, 1), generate(kind, H, W, 2)
    assert a.shape == (H, W, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert cv2.Laplacian(cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.CV_32F).std() > 0.5  # structure, not flat


def test_textures_look_like_their_names():
    mean = {k: generate(k, H, W, 3).reshape(-1, 3).mean(axis=0) for k in GENERATORS}
    assert mean["paper_grain"].min() > 200  # light paper
    assert mean["recycled_paper"].mean() < mean["paper_grain"].mean()  # greyer than fine paper
    r, g, b = mean["cardboard"]
    assert r > g > b and r - b > 50  # brown
    r, g, b = mean["wood"]
    assert r > g > b  # brown
    assert mean["dark_table"].max() < 80  # dark
    assert np.ptp(mean["concrete"]) < 10  # grey
    fabric = cv2.cvtColor(generate("fabric", H, W, 3), cv2.COLOR_RGB2GRAY).astype(np.float32)
    spectrum = np.abs(np.fft.rfft(fabric.mean(axis=0) - fabric.mean()))
    high = spectrum[W // 20:]  # periods under 20 px
    assert high.max() > 8 * np.median(high)  # woven: a sharp peak from the regular threads


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown texture 'marble'"):
        generate("marble", H, W, 0)
    with pytest.raises(SynthdocError, match="kinds must list textures"):
        parse_stack({"steps": [{"ProceduralPaper": {"kinds": ["marble"]}}]}, "t", "t")


def test_procedural_paper_step_multiplies_into_the_background():
    page = Page(W, H, "eng_Latn", "test")
    bg = np.full((H, W, 3), 250, np.uint8)
    bg[100:104] = 20  # a rule drawn by the layout
    state = AugmentState.from_render(page, bg.copy(), {})
    step = STEPS["ProceduralPaper"](kinds=["cardboard"], alpha_range=[1, 1])
    params = step.sample(np.random.default_rng(0), state)
    type(step).apply(state, params)
    out = state.background.reshape(-1, 3).mean(axis=0)
    assert out[0] > out[2] + 30  # brown now
    assert state.background[100:104].max() <= 20  # the rule stays (multiplied, not replaced)
    assert state.background_changed
