"""Image phase: morphology, median blur and elastic distortion of the composited page.

Morphology and median blur are gated and scaled per line by the line's text height (the line quad side across
the text, :meth:`synthdoc.augment.base.AugmentState.text_heights_px`) and stroke width
(:mod:`synthdoc.augment.gate`), so hairlines and small text are never destroyed while bold large lines on the
same page still get the step. Elastic is gated by the page's smallest text height. "Ink" follows the page's polarity: for dark text on light paper, growing
the ink is a grey-level erosion (minimum filter), for light text on a dark background a dilation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from synthdoc.augment.base import (
    AugmentState,
    Step,
    check_range,
    check_value,
    draw,
    draw_int,
    draw_seed,
    register,
    smooth_field,
)
from synthdoc.augment.gate import blend_lines, gate_params, line_factors, weight_map


def _morph(state: AugmentState, kernel_px: int, strength: float, grow: bool) -> np.ndarray:
    k = cv2.getStructuringElement(cv2.MORPH_RECT if kernel_px == 2 else cv2.MORPH_ELLIPSE, (kernel_px, kernel_px))
    darker = state.ink_darker()
    op = cv2.erode if grow == darker else cv2.dilate  # min filter grows dark ink, max filter grows light ink
    out = op(state.image, k)
    return out if strength >= 1 else cv2.addWeighted(state.image, 1.0 - strength, out, strength, 0.0)


@dataclass
class _Morphology(Step):
    """Shared fields of :class:`InkDilate` and :class:`InkErode`.

    Attributes:
        kernel_px_range: structuring element side, px (2: rectangle, 3+: ellipse).
        strength_range: weight of the filtered page in a blend with the original (1 = fully filtered).
        min_text_height_px: lines lower than this are left alone, px (scaled by kernel / 2 for larger kernels).
        min_stroke_px, full_stroke_px: stroke widths (px, per unit of the step's strength) where a line's strength
            leaves 0 and reaches 1 (:mod:`synthdoc.augment.gate`).
    """

    kernel_px_range: tuple = (2, 3)
    strength_range: tuple = (0.6, 1.0)
    min_text_height_px: float = 22.0
    min_stroke_px: float = 0.0
    full_stroke_px: float = 0.0
    phase: ClassVar[str] = "image"
    grow: ClassVar[bool] = True

    def validate(self) -> None:
        self.kernel_px_range = check_range(self.name, "kernel_px_range", self.kernel_px_range, 2, 9, integer=True)
        self.strength_range = check_range(self.name, "strength_range", self.strength_range, 0, 1)
        self.min_text_height_px = check_value(self.name, "min_text_height_px", self.min_text_height_px, 0, 1000)
        self.min_stroke_px, self.full_stroke_px = check_range(self.name, "min_stroke_px, full_stroke_px",
                                                              (self.min_stroke_px, self.full_stroke_px), 0, 100)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        k = draw_int(rng, self.kernel_px_range)
        params = {"kernel_px": k, "strength": draw(rng, self.strength_range)}
        factors = line_factors(state, self.min_text_height_px * k / 2, self.min_stroke_px, self.full_stroke_px, k - 1)
        return gate_params(params, factors)

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        out = _morph(state, int(params["kernel_px"]), float(params["strength"]), grow=cls.grow)
        state.image = blend_lines(state.image, out, weight_map(state, params))


@register
@dataclass
class InkDilate(_Morphology):
    """Bolder strokes (ink spread): the ink grows by a kernel_px structuring element."""

    name: ClassVar[str] = "InkDilate"


@register
@dataclass
class InkErode(_Morphology):
    """Thinner strokes (faint print): the ink shrinks by a kernel_px structuring element."""

    min_text_height_px: float = 30.0
    kernel_px_range: tuple = (2, 2)
    min_stroke_px: float = 2.0
    full_stroke_px: float = 3.5
    name: ClassVar[str] = "InkErode"
    grow: ClassVar[bool] = False


@register
@dataclass
class MedianBlur(Step):
    """Median filter (cv2.medianBlur): rounds corners and removes speckle.

    Attributes:
        ksize_range: odd aperture, px; a drawn even value is rounded down to odd.
        min_text_height_px: lines lower than this are left alone for ksize 3 (ksize k needs k / 3 times it), px.
        min_stroke_px, full_stroke_px: stroke widths (px, per unit of the step's strength) where a line's strength
            leaves 0 and reaches 1 (:mod:`synthdoc.augment.gate`).
    """

    ksize_range: tuple = (3, 5)
    min_text_height_px: float = 18.0
    min_stroke_px: float = 1.2
    full_stroke_px: float = 2.5
    name: ClassVar[str] = "MedianBlur"
    phase: ClassVar[str] = "image"

    def validate(self) -> None:
        self.ksize_range = check_range(self.name, "ksize_range", self.ksize_range, 3, 9, integer=True)
        self.min_text_height_px = check_value(self.name, "min_text_height_px", self.min_text_height_px, 0, 1000)
        self.min_stroke_px, self.full_stroke_px = check_range(self.name, "min_stroke_px, full_stroke_px",
                                                              (self.min_stroke_px, self.full_stroke_px), 0, 100)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        k = draw_int(rng, self.ksize_range)
        k = k if k % 2 else k - 1
        factors = line_factors(state, self.min_text_height_px * k / 3, self.min_stroke_px, self.full_stroke_px,
                               (k - 1) / 2)
        return gate_params({"ksize": k}, factors)

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        out = cv2.medianBlur(state.image, int(params["ksize"]))
        state.image = blend_lines(state.image, out, weight_map(state, params))


@register
@dataclass
class Elastic(Step):
    """Elastic distortion: every pixel moves by a smooth random displacement of at most alpha_px (a coarse
    random grid upsampled, then cv2.remap, bilinear). The displacement is capped at max_alpha_frac of the
    smallest text height, so labels stay within a pixel or two of the ink they describe.

    Attributes:
        alpha_px_range: largest displacement, px.
        cells_range: displacement grid cells along the page's longer side (more = finer wrinkles).
        max_alpha_frac: cap on the displacement as a fraction of the smallest line height.
        min_text_height_px: skipped when a line is lower than this, px.
    """

    alpha_px_range: tuple = (0.5, 1.5)
    cells_range: tuple = (20, 60)
    max_alpha_frac: float = 0.06
    min_text_height_px: float = 20.0
    name: ClassVar[str] = "Elastic"
    phase: ClassVar[str] = "image"

    def validate(self) -> None:
        self.alpha_px_range = check_range(self.name, "alpha_px_range", self.alpha_px_range, 0, 20)
        self.cells_range = check_range(self.name, "cells_range", self.cells_range, 1, 500, integer=True)
        self.max_alpha_frac = check_value(self.name, "max_alpha_frac", self.max_alpha_frac, 0, 1)
        self.min_text_height_px = check_value(self.name, "min_text_height_px", self.min_text_height_px, 0, 1000)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        h = state.min_text_height_px()
        if h < self.min_text_height_px:
            return None
        alpha = min(draw(rng, self.alpha_px_range), np.floor(self.max_alpha_frac * h * 1e4) / 1e4)
        return {"alpha_px": float(alpha), "cells": draw_int(rng, self.cells_range), "seed": draw_seed(rng)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        h, w = state.height, state.width
        a, cells, seed = float(params["alpha_px"]), int(params["cells"]), int(params["seed"])
        map_x = smooth_field(seed, h, w, cells, -a, a)
        map_y = smooth_field(seed + 1, h, w, cells, -a, a)
        map_x += np.arange(w, dtype=np.float32)[None, :]
        map_y += np.arange(h, dtype=np.float32)[:, None]
        state.warp_with_refs(lambda r: cv2.remap(r, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))
