"""Stroke-aware gating per line: a hairline line (small or large) is spared by erosion, median blur, edge noise
and blur while a bold large line on the same page still gets the step; the per-line strengths are recorded and
replay byte for byte."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from synthdoc.augment import STEPS, AugmentState, replay
from synthdoc.augment.gate import line_metrics
from synthdoc.doc import Line, Page, Paragraph, Word
from synthdoc.types import rect_quad

INK = (20, 20, 20)
# (x, y top, text height px, stroke px): a hairline at 10 px, a hairline at 40 px, a bold line at 40 px
LINES = [(20, 20, 10, 1), (20, 80, 40, 1), (20, 170, 40, 7)]


def _draw_line(mask: np.ndarray, x: int, y: int, height: int, stroke: int) -> tuple[int, int, int, int]:
    """Twelve letter-like strokes (stem, diagonal, bar) of `stroke` px drawn into `mask`; returns their box."""
    cell = int(height * 0.7)
    for k in range(12):
        x0 = x + k * cell
        pts = np.array([[x0, y + height], [x0, y], [x0 + cell // 2, y + height // 2], [x0 + cell - stroke - 2, y]])
        cv2.polylines(mask, [pts.astype(np.int32)], False, 255, stroke, cv2.LINE_AA)
    return x - stroke, y - stroke, x + 12 * cell + stroke, y + height + stroke


def _page() -> tuple[Page, np.ndarray, dict]:
    h, w = 240, 640
    mask = np.zeros((h, w), np.uint8)
    lines = []
    for k, (x, y, height, stroke) in enumerate(LINES):
        quad = rect_quad(*_draw_line(mask, x, y, height, stroke))
        lines.append(Line([Word(f"line{k}", quad)], quad))
    paras = [Paragraph([line], line.quad) for line in lines]
    page = Page(w, h, "eng_Latn", "test", paras)
    bg = np.full((h, w, 3), 245, np.uint8)
    return page, bg, {INK: mask}


def _line_box(page, k):
    q = np.asarray(page.lines[k].quad)
    return slice(int(q[:, 1].min()), int(np.ceil(q[:, 1].max()))), slice(int(q[:, 0].min()), int(np.ceil(q[:, 0].max())))


def test_stroke_width_is_measured_from_the_glyph_mask():
    page, bg, masks = _page()
    heights, strokes = line_metrics(AugmentState.from_render(page, bg, masks))
    assert strokes[0] < 1.6 and strokes[1] < 1.6 and strokes[2] > 5  # hairlines vs a 7 px bold stroke
    assert heights[0] < 14 and heights[1] > 30 and heights[2] > 30


@pytest.mark.parametrize("name,kwargs", [("InkErode", {"min_text_height_px": 20}), ("MedianBlur", {}),
                                         ("EdgeNoise", {"erase_frac_range": [0.4, 0.4]}),
                                         ("GaussianBlur", {"sigma_px_range": [1.2, 1.2]})])
def test_hairlines_spared_bold_line_gets_the_step(name, kwargs):
    page, bg, masks = _page()
    step = STEPS[name](**kwargs)
    state = AugmentState.from_render(page, bg.copy(), {c: m.copy() for c, m in masks.items()})
    clean = state.__class__.from_render(page, bg.copy(), {c: m.copy() for c, m in masks.items()}).finish()
    state.advance(step.phase)
    params = json.loads(json.dumps(step.sample(np.random.default_rng(1), state)))
    assert params is not None
    strength = params["line_strength"]
    assert strength[0] <= 0.35 and strength[1] <= 0.35 and strength[2] == 1.0, strength
    full = AugmentState.from_render(page, bg.copy(), {c: m.copy() for c, m in masks.items()})
    full.advance(step.phase)
    type(step).apply(full, {k: v for k, v in params.items() if k != "line_strength"})  # every line at full strength
    full_img = full.finish()
    type(step).apply(state, params)
    out = state.finish()

    def change(img, k):
        return np.abs(img[_line_box(page, k)].astype(int) - clean[_line_box(page, k)]).sum()

    ratio = [change(out, k) / max(change(full_img, k), 1) for k in range(3)]
    assert change(full_img, 0) > 0 and change(full_img, 1) > 0  # the step would change the hairlines
    assert ratio[0] <= 0.4 and ratio[1] <= 0.4 and ratio[2] > 0.97, ratio  # they are spared, the bold line is not
    if strength[0] == 0:
        assert change(out, 0) == 0  # a skipped line is untouched
    record = {"steps": [{"name": name, "params": params}]}
    again, _ = replay(record, page, bg.copy(), {c: m.copy() for c, m in masks.items()})
    assert np.array_equal(again, out)


def test_step_is_skipped_when_every_line_is_hairline():
    page, bg, masks = _page()
    page = Page(page.width, page.height, page.lang, page.layout, page.paragraphs[:1])
    state = AugmentState.from_render(page, bg, masks)
    state.advance("image")
    assert STEPS["InkErode"]().sample(np.random.default_rng(0), state) is None
