"""Backgrounds: WCAG helpers, ink contrast after background changes, procedural paper, user textures, highlights."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthdoc.augment.paper import grow_quad, highlight, list_textures, load_texture, paper_texture
from synthdoc.colour import contrast_ratio, ensure_contrast, luminance_array, relative_luminance
from synthdoc.errors import SynthdocError
from synthdoc.types import rect_quad

PAPER = {"tint": [252, 246, 232], "mottle": 0.05, "mottle_cells": 6, "gradient": 0.05, "gradient_angle_deg": 30.0,
         "fibres": 200, "fibre_darkness": 30, "stains": 0, "stain_strength": 0.0, "grain": 5, "seed": 11}


def test_wcag_reference_values():
    assert relative_luminance((255, 255, 255)) == pytest.approx(1.0)
    assert relative_luminance((0, 0, 0)) == 0.0
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)  # WCAG's #777 on white
    colours = np.random.default_rng(0).integers(0, 256, (50, 3))
    assert np.allclose(luminance_array(colours), [relative_luminance(c) for c in colours])


def _page_with_lines(under: list[int]):
    """A 200 x 400 background with 4 horizontal line boxes, box k filled with grey level under[k]; one ink mask
    with a glyph-like blob in every box."""
    bg = np.full((200, 400, 3), 235, np.uint8)
    mask = np.zeros((200, 400), np.uint8)
    quads = []
    for k, level in enumerate(under):
        y0 = 10 + 45 * k
        bg[y0:y0 + 30, 20:380] = level
        mask[y0 + 8:y0 + 22, 30:60] = 255
        quads.append(rect_quad(20, y0, 380, y0 + 30))
    return bg, mask, quads


def test_ensure_contrast_keeps_readable_ink():
    bg, mask, quads = _page_with_lines([235, 230, 240, 228])
    assert ensure_contrast(bg, [mask], [(30, 30, 30)], quads, 4.5) == [(30, 30, 30)]


def test_ensure_contrast_lightens_ink_on_dark_paper():
    bg, mask, quads = _page_with_lines([40, 35, 50, 45])
    (new,) = ensure_contrast(bg, [mask], [(30, 30, 30)], quads, 4.5)
    assert new != (30, 30, 30)
    assert min(contrast_ratio(new, (lv,) * 3) for lv in (40, 35, 50, 45)) >= 4.5
    assert ensure_contrast(bg, [mask], [(30, 30, 30)], quads, 4.5) == [new]  # deterministic: nothing random


def test_ensure_contrast_checks_only_lines_holding_the_colour():
    bg, mask, quads = _page_with_lines([235, 235, 40, 40])
    top = mask.copy()
    top[100:] = 0  # ink of this colour only on the two light lines
    bottom = mask.copy()
    bottom[:100] = 0
    out = ensure_contrast(bg, [top, bottom], [(20, 20, 20), (20, 20, 20)], quads, 4.5)
    assert out[0] == (20, 20, 20)
    assert contrast_ratio(out[1], (40, 40, 40)) >= 4.5


def test_ensure_contrast_best_effort_when_impossible():
    bg, mask, quads = _page_with_lines([250, 5, 250, 5])  # no colour reaches 7:1 on both

    def worst(c):
        return min(contrast_ratio(c, (v,) * 3) for v in (250, 5))

    (new,) = ensure_contrast(bg, [mask], [(40, 40, 40)], quads, 7.0)
    assert worst(new) > max(worst((40,) * 3), worst((0,) * 3), worst((255,) * 3))
    assert ensure_contrast(bg, [mask], [(118, 118, 118)], quads, 7.0) == [(118, 118, 118)]  # already the best


def test_paper_texture_is_seeded_light_and_keeps_rules():
    bg = np.full((300, 200, 3), 240, np.uint8)
    bg[100:103] = 20  # a table rule
    a, b = paper_texture(bg, PAPER), paper_texture(bg, PAPER)
    assert a.shape == bg.shape and a.dtype == np.uint8 and np.array_equal(a, b)
    assert not np.array_equal(a, paper_texture(bg, {**PAPER, "seed": 12}))
    assert not np.array_equal(bg, a)
    paper = np.delete(a, [100, 101, 102], axis=0)
    assert paper.mean() > 200 and np.percentile(paper, 1) > 150
    assert a[100:103].max() <= 20  # the rule is still there (only darkened)


def test_paper_texture_stains_are_brownish():
    bg = np.full((400, 400, 3), 240, np.uint8)
    plain = {**PAPER, "tint": [255, 255, 255], "mottle": 0.0, "gradient": 0.0, "fibres": 0, "grain": 0}
    assert np.array_equal(paper_texture(bg, plain), bg)  # neutral parameters change nothing
    stained = paper_texture(bg, {**plain, "stains": 3, "stain_strength": 0.3})
    loss = (bg.astype(int) - stained.astype(int)).reshape(-1, 3).sum(axis=0)
    assert loss[2] > loss[1] > loss[0] > 0  # blue absorbed most


def test_list_textures(tmp_path):
    with pytest.raises(SynthdocError, match="texture folder .*nope.* does not exist"):
        list_textures([str(tmp_path / "nope")])
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(SynthdocError, match="no images"):
        list_textures([str(tmp_path)])
    for name in ("b.PNG", "a.jpg"):
        cv2.imwrite(str(tmp_path / name), np.zeros((4, 4, 3), np.uint8))
    assert list_textures([str(tmp_path)]) == [str(tmp_path.resolve() / n) for n in ("a.jpg", "b.PNG")]


def test_load_texture_crops_and_resizes(tmp_path):
    img = np.zeros((40, 80, 3), np.uint8)
    img[:, :40] = (0, 0, 255)  # BGR red on the left
    img[:, 40:] = (255, 0, 0)  # blue on the right
    path = tmp_path / "t.png"
    cv2.imwrite(str(path), img)
    left = load_texture(str(path), 30, 50, [0.0, 0.0, 0.5, 1.0])
    assert left.shape == (30, 50, 3) and (left == (255, 0, 0)).all()  # RGB red
    right = load_texture(str(path), 30, 50, [0.5, 0.0, 1.0, 1.0])
    assert (right == (0, 0, 255)).all()
    with pytest.raises(SynthdocError, match="cannot read"):
        load_texture(str(tmp_path / "missing.png"), 10, 10, [0, 0, 1, 1])


def test_grow_quad_follows_the_text_frame():
    ltr = grow_quad(rect_quad(10, 20, 50, 30), 2)
    assert np.allclose(ltr, [[8, 18], [52, 18], [52, 32], [8, 32]])
    ttb = grow_quad(rect_quad(10, 20, 30, 80, "ttb"), 2)  # TR, BR, BL, TL
    assert np.allclose(ttb, [[32, 18], [32, 82], [8, 82], [8, 18]])


def test_highlight_tints_only_inside_the_grown_quad():
    bg = np.full((60, 100, 3), 200, np.uint8)
    out = bg.copy()
    highlight(out, [rect_quad(20, 20, 60, 40)], [(255, 235, 59)], 0.5, 2.0)
    inside = out[25:35, 25:55].reshape(-1, 3)
    assert np.allclose(inside, [228, 218, 130], atol=1)  # 200 * 0.5 + colour * 0.5
    assert np.array_equal(out[:15], bg[:15]) and np.array_equal(out[:, 65:], bg[:, 65:])
    assert (out[19, 30] != bg[19, 30]).any()  # the 2 px pad is tinted too
