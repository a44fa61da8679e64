"""Seamless geometry: after every geometric step the area the page no longer covers continues the background
(texture, grain, gradient), never a flat patch; every invariant holds on heavily warped pages."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from synthdoc.augment import STEPS, AugmentState
from synthdoc.augment.paper import paper_texture
from synthdoc.background import gradient, texture
from synthdoc.doc import check
from synthdoc.render.compose import text_masks

GEOMETRIC = {"Rotate": {"angle_deg_range": [4, 4]}, "Perspective": {"corner_frac_range": [0.05, 0.05]},
             "ScaleCrop": {"scale_range": [0.85, 0.85]}}
FACTOR = 3.0  # border local variance must be at least interior variance / FACTOR (a flat fill gives ~0)
GRAIN = {"tint": [250, 244, 230], "mottle": 0.05, "mottle_cells": 6, "gradient": 0.05, "gradient_angle_deg": 30.0,
         "fibres": 300, "fibre_darkness": 30, "stains": 0, "stain_strength": 0.0, "grain": 8, "seed": 4}


def _backgrounds(h, w):
    g = np.random.default_rng(0)
    paper = paper_texture(np.full((h, w, 3), 240, np.uint8), GRAIN)
    tex, _ = texture(h, w, g, style="noise", grain=6.0)
    grad, _ = gradient(h, w, g, colors=[[30, 60, 160], [230, 200, 90]], angle_deg=20.0, shape="linear")
    return {"paper grain": paper, "texture": tex, "gradient": grad}


def _local_std(img: np.ndarray, k: int = 9) -> np.ndarray:
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.blur(g, (k, k))
    return np.sqrt(np.maximum(cv2.blur(g * g, (k, k)) - mean * mean, 0))


@pytest.fixture(scope="module")
def page_and_masks(factory_for):
    f = factory_for(["en"], seed=2, layouts={"multi_column": 1})
    page, _ = f.layout_page(0, 0)
    return page, text_masks(page, f.glyph_cache)


@pytest.mark.parametrize("bg_name", ["paper grain", "texture", "gradient"])
@pytest.mark.parametrize("name", sorted(GEOMETRIC))
def test_uncovered_area_continues_the_background(name, bg_name, page_and_masks):
    page, masks = page_and_masks
    bg = _backgrounds(page.height, page.width)[bg_name]
    state = AugmentState.from_render(page, bg.copy(), {c: m.copy() for c, m in masks.items()})
    step = STEPS[name](**GEOMETRIC[name])
    state.advance("geometric")
    params = json.loads(json.dumps(step.sample(np.random.default_rng(3), state)))
    type(step).apply(state, params)
    m = np.asarray(params["matrix"], np.float64)
    covered = cv2.warpPerspective(np.full((page.height, page.width), 255, np.uint8), m, (page.width, page.height))
    uncovered = cv2.erode((covered == 0).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0  # fill, away from seam
    assert uncovered.sum() > 500, "the step left no uncovered area to test"
    ink = cv2.dilate(state.drawn, np.ones((15, 15), np.uint8)) > 0
    interior = cv2.erode(covered, np.ones((41, 41), np.uint8)) > 0
    interior &= ~ink
    std = _local_std(state.finish())
    if bg_name == "gradient":  # smooth: the fill must continue the colour ramp, not sit at one colour (std ~0)
        grey = cv2.cvtColor(state.image, cv2.COLOR_RGB2GRAY)[uncovered].astype(np.float64)
        assert grey.std() > 3.0, grey.std()
    else:
        assert np.median(std[uncovered]) >= np.median(std[interior]) / FACTOR, \
            (np.median(std[uncovered]), np.median(std[interior]))


def test_flat_fill_is_still_available_on_request(page_and_masks):
    page, masks = page_and_masks
    bg = _backgrounds(page.height, page.width)["texture"]
    state = AugmentState.from_render(page, bg, masks)
    step = STEPS["ScaleCrop"](scale_range=[0.8, 0.8], border_rgb=[0, 0, 0])
    state.advance("geometric")
    type(step).apply(state, json.loads(json.dumps(step.sample(np.random.default_rng(0), state))))
    assert (state.finish()[:3, :3] == 0).all()


@pytest.mark.slow
def test_invariants_hold_on_100_heavily_warped_pages(factory_for):
    heavy_warp = {"steps": [{"Elastic": {"alpha_px_range": [1.5, 2.5], "min_text_height_px": 0}},
                            {"Rotate": {"p": 0.7, "angle_deg_range": [-8, 8]}},
                            {"Perspective": {"p": 0.7, "corner_frac_range": [0.03, 0.08]}},
                            {"ScaleCrop": {"p": 0.5, "scale_range": [0.8, 1.2]}},
                            {"PhotoSheet": {"p": 0.5, "curl_frac_range": [0.01, 0.03],
                                            "corner_frac_range": [0.03, 0.08]}}]}
    f = factory_for(["en", "ja", "ru", "zh-Hant"], seed=9, augment=heavy_warp,
                    layouts={"multi_column": 2, "table": 1, "slide": 1, "scattered": 1, "toc": 1})
    for i in range(100):
        s = f.make(i)
        check(s.page)
        q = np.asarray([w.quad for w in s.page.words], np.float64).reshape(-1, 2)
        assert (q >= 0).all() and (q[:, 0] <= s.page.width).all() and (q[:, 1] <= s.page.height).all()


def _photo(page_and_masks, seed=4, **kwargs):
    page, masks = page_and_masks
    bg = _backgrounds(page.height, page.width)["paper grain"]
    state = AugmentState.from_render(page, bg, {c: m.copy() for c, m in masks.items()})
    step = STEPS["PhotoSheet"](**kwargs)
    state.advance("geometric")
    params = json.loads(json.dumps(step.sample(np.random.default_rng(seed), state)))
    type(step).apply(state, params)
    return state, params


def test_photo_sheet_quads_follow_the_curl_and_perspective(page_and_masks):
    state, params = _photo(page_and_masks, curl_frac_range=[0.03, 0.03], corner_frac_range=[0.06, 0.06])
    assert params["curl_px"] > 30
    check(state.page)
    words = np.zeros(state.ink_ref.shape, np.uint8)
    for w in state.page.words:
        cv2.fillPoly(words, [np.round(np.asarray(w.quad)).astype(np.int32)], 255)
    ink = state.ink_ref >= 128
    assert (words[ink] > 0).mean() > 0.995  # the moved glyph ink lies inside the moved word quads
    heights = [np.hypot(*(np.asarray(w.quad[3]) - w.quad[0])) for w in state.page.words]
    clean = [np.hypot(*(np.asarray(w.quad[3]) - w.quad[0])) for w in page_and_masks[0].words]
    assert np.median(np.asarray(heights) / clean) < 1.0  # the sheet is smaller than the frame; quads not inflated


def test_photo_sheet_lies_on_a_surface(page_and_masks):
    state, _ = _photo(page_and_masks, surfaces=["wood"])
    img = state.finish()
    corner = img[:8, :8].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - [240, 236, 224]).max() > 30  # a wood surface, not paper, around the sheet
    assert _local_std(img)[:40, :40].mean() > 1.0  # textured, not a flat fill
