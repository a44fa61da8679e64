"""Text phase: effects on the text layers (coverage masks) before they are composited.

Effects that add ink (outline, drop shadow, extrusion) insert an effect layer under the glyph ink; effects that
change the ink (edge noise, stroke opacity, stroke width) rewrite the ink masks. Work is restricted to the ink's
bounding box. Offsets stay a few pixels, so added ink stays next to the glyphs its labels describe.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from synthdoc.augment.base import (
    AugmentState,
    Layer,
    Step,
    check_range,
    check_rgb,
    check_value,
    contrasting_colour,
    draw,
    draw_int,
    draw_seed,
    ink_roi,
    register,
    smooth_field,
)
from synthdoc.augment.gate import blend_lines, gate_params, line_factors, weight_map


# Steps that rewrite a layer inside its ink box (ink_roi: all zero outside it) start the new mask from
# np.zeros_like, not a copy: untouched zero pages never become resident, so a page of 35 colour layers does not
# hold 35 full-page copies.


def _ink_layers(state: AugmentState) -> list[Layer]:
    return [layer for layer in state.layers if layer.ink]


def _main_ink_rgb(state: AugmentState) -> tuple[int, int, int]:
    ink = _ink_layers(state)
    if not ink:
        return (0, 0, 0)
    return max(ink, key=lambda layer: cv2.countNonZero(layer.mask)).rgb


def _union_roi(state: AugmentState, pad: int) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """(x0, y0, x1, y1) of the ink grown by `pad`, and the (y1-y0, x1-x0) uint8 max of every ink mask in it."""
    masks = [layer.mask for layer in _ink_layers(state)]
    roi = ink_roi(masks, pad, state.height, state.width)
    if roi is None:
        return None
    x0, y0, x1, y1 = roi
    union = masks[0][y0:y1, x0:x1].copy()
    for m in masks[1:]:
        np.maximum(union, m[y0:y1, x0:x1], out=union)
    return roi, union


def _add_under(state: AugmentState, roi, mask_roi: np.ndarray, rgb) -> None:
    """Insert an effect layer drawing `mask_roi` (placed at `roi`) in `rgb` under every existing layer."""
    x0, y0, x1, y1 = roi
    full = np.zeros((state.height, state.width), np.uint8)
    full[y0:y1, x0:x1] = mask_roi
    state.layers.insert(0, Layer(tuple(int(c) for c in rgb), full, ink=False))


def _shift(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """`mask` moved by integer (dx, dy) px, zero-filled."""
    h, w = mask.shape
    out = np.zeros_like(mask)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    out[max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)] = mask[max(0, -dy):h + min(0, -dy), max(0, -dx):w + min(0, -dx)]
    return out


@register
@dataclass
class Outline(Step):
    """A border around the glyphs in a colour that contrasts with the ink.

    Attributes:
        width_px_range: outline width, px (integer).
        min_contrast: WCAG contrast ratio of the outline colour against the main ink colour.
    """

    width_px_range: tuple = (1, 2)
    min_contrast: float = 3.0
    name: ClassVar[str] = "Outline"
    phase: ClassVar[str] = "text"

    def validate(self) -> None:
        self.width_px_range = check_range(self.name, "width_px_range", self.width_px_range, 1, 10, integer=True)
        self.min_contrast = check_value(self.name, "min_contrast", self.min_contrast, 1, 21)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"width_px": draw_int(rng, self.width_px_range),
                "rgb": contrasting_colour(_main_ink_rgb(state), rng, self.min_contrast)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        w = int(params["width_px"])
        got = _union_roi(state, w + 1)
        if got is None:
            return
        roi, union = got
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * w + 1, 2 * w + 1))
        _add_under(state, roi, cv2.dilate(union, kernel), params["rgb"])


@register
@dataclass
class DropShadow(Step):
    """A blurred, offset copy of the glyphs under them.

    Attributes:
        offset_px_range: shadow offset, px.
        blur_sigma_px_range: Gaussian blur sigma of the shadow, px (0 = sharp).
        opacity_range: shadow opacity, 0-1.
        rgb: shadow colour, sRGB 0-255.
    """

    offset_px_range: tuple = (1.0, 3.0)
    blur_sigma_px_range: tuple = (0.0, 1.5)
    opacity_range: tuple = (0.3, 0.7)
    rgb: tuple = (0, 0, 0)
    name: ClassVar[str] = "DropShadow"
    phase: ClassVar[str] = "text"

    def validate(self) -> None:
        self.offset_px_range = check_range(self.name, "offset_px_range", self.offset_px_range, 0, 20)
        self.blur_sigma_px_range = check_range(self.name, "blur_sigma_px_range", self.blur_sigma_px_range, 0, 10)
        self.opacity_range = check_range(self.name, "opacity_range", self.opacity_range, 0, 1)
        self.rgb = check_rgb(self.name, "rgb", self.rgb)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        d, a = draw(rng, self.offset_px_range), np.deg2rad(draw(rng, (0, 360)))
        return {"dx_px": int(round(d * np.cos(a))), "dy_px": int(round(d * np.sin(a))),
                "blur_sigma_px": draw(rng, self.blur_sigma_px_range), "opacity": draw(rng, self.opacity_range),
                "rgb": [int(c) for c in self.rgb]}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        dx, dy, sigma = int(params["dx_px"]), int(params["dy_px"]), float(params["blur_sigma_px"])
        got = _union_roi(state, abs(dx) + abs(dy) + int(np.ceil(3 * sigma)) + 1)
        if got is None:
            return
        roi, union = got
        shadow = _shift(union, dx, dy)
        if sigma > 0:
            shadow = cv2.GaussianBlur(shadow, (0, 0), sigma)
        _add_under(state, roi, cv2.convertScaleAbs(shadow, alpha=float(params["opacity"])), params["rgb"])


@register
@dataclass
class Extrusion(Step):
    """A 3-D extrusion: copies of the glyphs stepped 1 px at a time along a direction, in a second colour.

    Attributes:
        depth_px_range: extrusion depth, px (integer).
        min_contrast: contrast ratio of the extrusion colour against the main ink colour.
    """

    depth_px_range: tuple = (2, 4)
    min_contrast: float = 1.5
    name: ClassVar[str] = "Extrusion"
    phase: ClassVar[str] = "text"

    def validate(self) -> None:
        self.depth_px_range = check_range(self.name, "depth_px_range", self.depth_px_range, 1, 20, integer=True)
        self.min_contrast = check_value(self.name, "min_contrast", self.min_contrast, 1, 21)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"depth_px": draw_int(rng, self.depth_px_range), "angle_deg": draw(rng, (0, 360), 2),
                "rgb": contrasting_colour(_main_ink_rgb(state), rng, self.min_contrast)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        depth, a = int(params["depth_px"]), np.deg2rad(float(params["angle_deg"]))
        got = _union_roi(state, depth + 1)
        if got is None:
            return
        roi, union = got
        out = np.zeros_like(union)
        for k in range(1, depth + 1):
            np.maximum(out, _shift(union, int(round(k * np.cos(a))), int(round(k * np.sin(a)))), out=out)
        _add_under(state, roi, out, params["rgb"])


@register
@dataclass
class EdgeNoise(Step):
    """Sprinkle noise on glyph edges: some edge pixels of the ink are erased, some pixels just outside are
    inked (worn type, toner speckle). Gated and scaled per line by text height and stroke width.

    Attributes:
        erase_frac_range: fraction of the ink's edge pixels erased.
        add_frac_range: fraction of the pixels just outside the ink that get ink.
        min_text_height_px: lines lower than this are left alone, px (full strength from 1.25 times it).
        min_stroke_px, full_stroke_px: stroke widths (px, at unit strength) where a line's strength leaves 0 and
            reaches 1 (:mod:`synthdoc.augment.gate`).
    """

    erase_frac_range: tuple = (0.05, 0.25)
    add_frac_range: tuple = (0.0, 0.1)
    min_text_height_px: float = 18.0
    min_stroke_px: float = 1.5
    full_stroke_px: float = 3.0
    name: ClassVar[str] = "EdgeNoise"
    phase: ClassVar[str] = "text"

    def validate(self) -> None:
        self.erase_frac_range = check_range(self.name, "erase_frac_range", self.erase_frac_range, 0, 1)
        self.add_frac_range = check_range(self.name, "add_frac_range", self.add_frac_range, 0, 1)
        self.min_text_height_px = check_value(self.name, "min_text_height_px", self.min_text_height_px, 0, 1000)
        self.min_stroke_px, self.full_stroke_px = check_range(self.name, "min_stroke_px, full_stroke_px",
                                                              (self.min_stroke_px, self.full_stroke_px), 0, 100)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        params = {"erase_frac": draw(rng, self.erase_frac_range), "add_frac": draw(rng, self.add_frac_range),
                  "seed": draw_seed(rng)}
        return gate_params(params, line_factors(state, self.min_text_height_px, self.min_stroke_px,
                                                self.full_stroke_px))

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        g = np.random.default_rng(int(params["seed"]))
        erase_t = int(round(float(params["erase_frac"]) * 256))
        add_t = 256 - int(round(float(params["add_frac"]) * 256))
        k = np.ones((3, 3), np.uint8)
        weight = weight_map(state, params)
        for layer in _ink_layers(state):
            roi = ink_roi([layer.mask], 2, state.height, state.width)
            if roi is None:
                continue
            x0, y0, x1, y1 = roi
            m = layer.mask[y0:y1, x0:x1]
            u = g.integers(0, 256, m.shape, dtype=np.uint8)
            inner = cv2.compare(cv2.subtract(m, cv2.erode(m, k)), 0, cv2.CMP_GT)
            erase = cv2.bitwise_and(inner, cv2.compare(u, erase_t, cv2.CMP_LT))
            dil = cv2.dilate(m, k)
            outer = cv2.compare(cv2.subtract(dil, m), 0, cv2.CMP_GT)
            add = cv2.bitwise_and(outer, cv2.compare(u, add_t, cv2.CMP_GE))
            new = cv2.max(cv2.bitwise_and(m, cv2.bitwise_not(erase)), cv2.bitwise_and(dil, add))
            mask = np.zeros_like(layer.mask)
            mask[y0:y1, x0:x1] = new
            layer.mask = blend_lines(layer.mask, mask, weight)


@register
@dataclass
class StrokeOpacity(Step):
    """Ink opacity varying smoothly across the page (uneven inking, fading): every ink mask is multiplied by a
    smooth random field in [min_opacity, 1].

    Attributes:
        min_opacity_range: lowest opacity of the field, 0-1.
        cells_range: field cells along the page's longer side (few = slow variation).
    """

    min_opacity_range: tuple = (0.55, 0.85)
    cells_range: tuple = (2, 8)
    name: ClassVar[str] = "StrokeOpacity"
    phase: ClassVar[str] = "text"

    def validate(self) -> None:
        self.min_opacity_range = check_range(self.name, "min_opacity_range", self.min_opacity_range, 0, 1)
        self.cells_range = check_range(self.name, "cells_range", self.cells_range, 1, 200, integer=True)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"min_opacity": draw(rng, self.min_opacity_range), "cells": draw_int(rng, self.cells_range),
                "seed": draw_seed(rng)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        f = smooth_field(int(params["seed"]), state.height, state.width, int(params["cells"]),
                         float(params["min_opacity"]), 1.0)
        f8 = np.clip(f * 255 + 0.5, 0, 255).astype(np.uint8)
        for layer in _ink_layers(state):
            roi = ink_roi([layer.mask], 0, state.height, state.width)
            if roi is None:
                continue
            x0, y0, x1, y1 = roi  # zero coverage stays zero: only the ink's box is multiplied
            mask = np.zeros_like(layer.mask)
            mask[y0:y1, x0:x1] = cv2.multiply(layer.mask[y0:y1, x0:x1], f8[y0:y1, x0:x1], scale=1 / 255)
            layer.mask = mask


@register
@dataclass
class StrokeWidth(Step):
    """Stroke width varying smoothly across the page: each ink mask is blended towards its 3x3 dilation where a
    smooth random field is positive and towards its erosion where it is negative (up to 1 px either way).
    Thinning is gated and scaled per line by text height and stroke width (thickening is not).

    Attributes:
        delta_range: field range, -1 (one px thinner) to 1 (one px bolder).
        cells_range: field cells along the page's longer side.
        min_text_height_px: lines lower than this are not thinned, px (full thinning from 1.25 times it).
        min_stroke_px, full_stroke_px: stroke widths (px, at unit strength) where a line's strength leaves 0 and
            reaches 1 (:mod:`synthdoc.augment.gate`).
    """

    delta_range: tuple = (-0.6, 0.8)
    cells_range: tuple = (2, 10)
    min_text_height_px: float = 24.0
    min_stroke_px: float = 1.8
    full_stroke_px: float = 3.5
    name: ClassVar[str] = "StrokeWidth"
    phase: ClassVar[str] = "text"

    def validate(self) -> None:
        self.delta_range = check_range(self.name, "delta_range", self.delta_range, -1, 1)
        self.cells_range = check_range(self.name, "cells_range", self.cells_range, 1, 200, integer=True)
        self.min_text_height_px = check_value(self.name, "min_text_height_px", self.min_text_height_px, 0, 1000)
        self.min_stroke_px, self.full_stroke_px = check_range(self.name, "min_stroke_px, full_stroke_px",
                                                              (self.min_stroke_px, self.full_stroke_px), 0, 100)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        lo, hi = self.delta_range
        params = {"delta_min": lo, "delta_max": hi, "cells": draw_int(rng, self.cells_range), "seed": draw_seed(rng)}
        if lo >= 0:
            return params
        factors = line_factors(state, self.min_text_height_px, self.min_stroke_px, self.full_stroke_px, -lo)
        if factors and max(factors) <= 0:  # thinning off on every line; thickening still applies
            return {**params, "delta_min": 0.0, "delta_max": max(hi, 0.0)}
        return gate_params(params, factors)

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        f = smooth_field(int(params["seed"]), state.height, state.width, int(params["cells"]),
                         float(params["delta_min"]), float(params["delta_max"]))
        grow = np.clip(f * 255 + 0.5, 0, 255).astype(np.uint8)
        shrink = np.clip(-f * 255 + 0.5, 0, 255).astype(np.uint8)
        k = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
        weight = weight_map(state, params)
        for layer in _ink_layers(state):
            roi = ink_roi([layer.mask], 2, state.height, state.width)
            if roi is None:
                continue
            x0, y0, x1, y1 = roi
            m = layer.mask[y0:y1, x0:x1]
            up = cv2.multiply(cv2.subtract(cv2.dilate(m, k), m), grow[y0:y1, x0:x1], scale=1 / 255)
            down = cv2.multiply(cv2.subtract(m, cv2.erode(m, k)), shrink[y0:y1, x0:x1], scale=1 / 255)
            mask = np.zeros_like(layer.mask)
            mask[y0:y1, x0:x1] = cv2.subtract(cv2.add(m, up), down)
            if weight is not None:  # gated lines: thickening in full, thinning scaled by the line's factor
                thick = np.zeros_like(layer.mask)
                thick[y0:y1, x0:x1] = cv2.add(m, up)
                mask = blend_lines(thick, mask, weight)
            layer.mask = mask
