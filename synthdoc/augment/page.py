"""Page phase: photometric degradation of the finished page (contrast and brightness, colour shift, blur,
motion blur, shadows, Gaussian noise, JPEG re-compression). Pixels only: quads are unchanged.

Per-page costs at 1240x1754 (A4, 150 dpi), one thread, are printed by ``benchmarks/augment.py``.
"""
from __future__ import annotations

from statistics import NormalDist
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
)
from synthdoc.augment.gate import blend_lines, gate_params, line_factors, weight_map


def _lut(values: np.ndarray) -> np.ndarray:
    return np.clip(np.round(values), 0, 255).astype(np.uint8)


@register
@dataclass
class BrightnessContrast(Step):
    """Contrast and brightness jitter by a lookup table: v -> (v - 128) * contrast + 128 + brightness.

    Attributes:
        brightness_range: offset, levels (0-255 scale).
        contrast_range: gain about mid-grey.
    """

    brightness_range: tuple = (-20.0, 20.0)
    contrast_range: tuple = (0.85, 1.15)
    name: ClassVar[str] = "BrightnessContrast"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.brightness_range = check_range(self.name, "brightness_range", self.brightness_range, -128, 128)
        self.contrast_range = check_range(self.name, "contrast_range", self.contrast_range, 0.1, 3)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"brightness": draw(rng, self.brightness_range, 2), "contrast": draw(rng, self.contrast_range)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        v = np.arange(256, dtype=np.float64)
        state.image = cv2.LUT(state.image, _lut((v - 128) * float(params["contrast"]) + 128 + float(params["brightness"])))


@register
@dataclass
class ColorShift(Step):
    """Per-channel gain and offset (white balance, ageing): channel c -> v * gain[c] + offset[c].

    Attributes:
        gain_range: per-channel gain.
        offset_range: per-channel offset, levels.
    """

    gain_range: tuple = (0.92, 1.08)
    offset_range: tuple = (-10.0, 10.0)
    name: ClassVar[str] = "ColorShift"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.gain_range = check_range(self.name, "gain_range", self.gain_range, 0.1, 3)
        self.offset_range = check_range(self.name, "offset_range", self.offset_range, -128, 128)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"gain": [draw(rng, self.gain_range) for _ in range(3)],
                "offset": [draw(rng, self.offset_range, 2) for _ in range(3)]}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        v = np.arange(256, dtype=np.float64)[:, None]
        lut = _lut(v * np.asarray(params["gain"], np.float64) + np.asarray(params["offset"], np.float64))
        state.image = cv2.LUT(state.image, lut.reshape(1, 256, 3))


@register
@dataclass
class GaussianBlur(Step):
    """Gaussian blur (defocus, scanner optics), kernel size from sigma (cv2.GaussianBlur with ksize (0, 0)).

    Attributes:
        sigma_px_range: standard deviation, px.
        min_stroke_px, full_stroke_px: stroke widths (px, per unit of the step's strength) where a line's strength
            leaves 0 and reaches 1 (:mod:`synthdoc.augment.gate`).
    """

    sigma_px_range: tuple = (0.3, 0.9)
    min_stroke_px: float = 0.6
    full_stroke_px: float = 1.4
    name: ClassVar[str] = "GaussianBlur"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.sigma_px_range = check_range(self.name, "sigma_px_range", self.sigma_px_range, 0.05, 10)
        self.min_stroke_px, self.full_stroke_px = check_range(self.name, "min_stroke_px, full_stroke_px",
                                                              (self.min_stroke_px, self.full_stroke_px), 0, 100)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        sigma = draw(rng, self.sigma_px_range)
        return gate_params({"sigma_px": sigma}, line_factors(state, 0, self.min_stroke_px, self.full_stroke_px, sigma))

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        out = cv2.GaussianBlur(state.image, (0, 0), float(params["sigma_px"]))
        state.image = blend_lines(state.image, out, weight_map(state, params))


@register
@dataclass
class MotionBlur(Step):
    """Linear motion blur: the page convolved with an anti-aliased line of length_px at angle_deg.

    Attributes:
        length_px_range: blur length, px (integer, >= 2).
        min_stroke_px, full_stroke_px: stroke widths (px, per unit of the step's strength: length / 3) where a line's strength
            leaves 0 and reaches 1 (:mod:`synthdoc.augment.gate`).
    """

    length_px_range: tuple = (3, 6)
    min_stroke_px: float = 0.6
    full_stroke_px: float = 1.4
    name: ClassVar[str] = "MotionBlur"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.length_px_range = check_range(self.name, "length_px_range", self.length_px_range, 2, 50, integer=True)
        self.min_stroke_px, self.full_stroke_px = check_range(self.name, "min_stroke_px, full_stroke_px",
                                                              (self.min_stroke_px, self.full_stroke_px), 0, 100)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        n = draw_int(rng, self.length_px_range)
        params = {"length_px": n, "angle_deg": draw(rng, (0, 180), 2)}
        return gate_params(params, line_factors(state, 0, self.min_stroke_px, self.full_stroke_px, n / 3))

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        n = int(params["length_px"])
        k = n | 1
        a = np.deg2rad(float(params["angle_deg"]))
        c = (k - 1) / 2
        dx, dy = (n - 1) / 2 * np.cos(a), (n - 1) / 2 * np.sin(a)
        kernel = np.zeros((k * 8, k * 8), np.uint8)  # drawn 8x larger, then area-averaged: an anti-aliased line
        p0 = (int(round((c - dx + 0.5) * 8 - 0.5)), int(round((c - dy + 0.5) * 8 - 0.5)))
        p1 = (int(round((c + dx + 0.5) * 8 - 0.5)), int(round((c + dy + 0.5) * 8 - 0.5)))
        cv2.line(kernel, p0, p1, 255, 8)
        kernel = cv2.resize(kernel.astype(np.float32), (k, k), interpolation=cv2.INTER_AREA)
        kernel /= kernel.sum()
        out = cv2.filter2D(state.image, -1, kernel, borderType=cv2.BORDER_REPLICATE)
        state.image = blend_lines(state.image, out, weight_map(state, params))


@register
@dataclass
class Shadow(Step):
    """A shadow over part of the page: a soft linear gradient towards one side ("gradient") or the region beyond
    a soft, curved edge ("cast", a hand or phone over the page), multiplied in: v -> v * (1 - strength * shade).

    Attributes:
        strength_range: darkening at the shadow's core, fraction.
        cast_p: probability of a cast shadow (else a gradient).
        softness_frac_range: blur of a cast shadow's edge, fraction of the page's longer side (the edge is a
            parabola through a random point, bent by a random curvature).
    """

    strength_range: tuple = (0.1, 0.35)
    cast_p: float = 0.5
    softness_frac_range: tuple = (0.01, 0.05)
    name: ClassVar[str] = "Shadow"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.strength_range = check_range(self.name, "strength_range", self.strength_range, 0, 1)
        self.softness_frac_range = check_range(self.name, "softness_frac_range", self.softness_frac_range, 0, 0.5)
        self.cast_p = check_value(self.name, "cast_p", self.cast_p, 0, 1)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        kind = "cast" if rng.random() < self.cast_p else "gradient"
        out = {"kind": kind, "strength": draw(rng, self.strength_range), "angle_deg": draw(rng, (0, 360), 2)}
        if kind == "gradient":
            out["reach_frac"] = draw(rng, (0.3, 1.0))
        else:
            out["softness_frac"] = draw(rng, self.softness_frac_range)
            out["centre_frac"] = [draw(rng, (0.2, 0.8)), draw(rng, (0.2, 0.8))]
            out["curve"] = draw(rng, (-1.5, 1.5))
        return out

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        h, w = state.height, state.width
        lh, lw = max(2, h // 8), max(2, w // 8)
        a = np.deg2rad(float(params["angle_deg"]))
        ux, uy = np.cos(a), np.sin(a)  # direction from the lit side into the shadow
        if params["kind"] == "gradient":
            xs = np.linspace(0, 1, lw, dtype=np.float32)[None, :] * np.float32(ux)
            ys = np.linspace(0, 1, lh, dtype=np.float32)[:, None] * np.float32(uy)
            t = xs + ys
            t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)  # 0 at the lit corner, 1 at the far corner
            start = 1.0 - float(params["reach_frac"])
            shade = np.clip((t - start) / max(1.0 - start, 1e-6), 0, 1)
        else:  # the side of a curved edge through centre_frac that the direction points to
            cx, cy = params["centre_frac"]
            xs = np.linspace(0, 1, lw, dtype=np.float32)[None, :] - np.float32(cx)
            ys = np.linspace(0, 1, lh, dtype=np.float32)[:, None] - np.float32(cy)
            along, across = xs * np.float32(ux) + ys * np.float32(uy), ys * np.float32(ux) - xs * np.float32(uy)
            shade = ((along + np.float32(params["curve"]) * across * across) > 0).astype(np.float32)
            shade = cv2.GaussianBlur(shade, (0, 0), max(0.5, float(params["softness_frac"]) * max(lh, lw)))
        mult = np.clip((1.0 - float(params["strength"]) * shade) * 255 + 0.5, 0, 255).astype(np.uint8)
        mult = cv2.resize(mult, (w, h), interpolation=cv2.INTER_LINEAR)
        state.image = cv2.multiply(state.image, cv2.merge([mult, mult, mult]), scale=1 / 255)


# standard normal quantiles at (k + 0.5) / 256 (Python's statistics.NormalDist, Wichura's AS241 algorithm, as
# scipy.special.ndtri to within 1e-15; scipy.special would cost ~0.2 s of start-up)
_NORMAL_QUANTILES = np.array([NormalDist().inv_cdf((k + 0.5) / 256) for k in range(256)])


def _gauss_luts(sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables turning uniform bytes into the positive and negative parts of N(0, sigma) noise
    (inverse normal CDF at the 256 byte quantiles (k + 0.5) / 256)."""
    v = sigma * _NORMAL_QUANTILES
    return _lut(np.maximum(v, 0)), _lut(np.maximum(-v, 0))


@register
@dataclass
class GaussianNoise(Step):
    """Additive Gaussian noise (sensor noise), grey (same on every channel) or per channel, from uniform
    random bytes through the inverse normal CDF (256 quantiles; about 4 ms grey at A4 150 dpi).

    Attributes:
        sigma_range: standard deviation, levels.
        colour_p: probability of independent noise per channel.
    """

    sigma_range: tuple = (2.0, 8.0)
    colour_p: float = 0.3
    name: ClassVar[str] = "GaussianNoise"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.sigma_range = check_range(self.name, "sigma_range", self.sigma_range, 0, 64)
        self.colour_p = check_value(self.name, "colour_p", self.colour_p, 0, 1)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"sigma": draw(rng, self.sigma_range, 3), "colour": bool(rng.random() < self.colour_p),
                "seed": draw_seed(rng)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        g = np.random.default_rng(int(params["seed"]))
        h, w = state.height, state.width
        pos_lut, neg_lut = _gauss_luts(float(params["sigma"]))
        u = g.integers(0, 256, (h, w, 3) if params["colour"] else (h, w), dtype=np.uint8)
        pos, neg = cv2.LUT(u, pos_lut), cv2.LUT(u, neg_lut, dst=u)
        if not params["colour"]:
            pos, neg = cv2.cvtColor(pos, cv2.COLOR_GRAY2RGB), cv2.cvtColor(neg, cv2.COLOR_GRAY2RGB)
        out = cv2.add(state.image, pos, dst=pos)  # in place: pos and neg are this step's own arrays
        state.image = cv2.subtract(out, neg, dst=out)


_IMREAD_COLOR_RGB = getattr(cv2, "IMREAD_COLOR_RGB", None)  # OpenCV >= 4.11


def _decode_rgb(buf: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB of the encoded image `buf`: decoded straight to RGB where OpenCV can (the same values
    as decoding to BGR and swapping, one pass less)."""
    if _IMREAD_COLOR_RGB is not None:
        return cv2.imdecode(buf, _IMREAD_COLOR_RGB)
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@register
@dataclass
class Jpeg(Step):
    """JPEG re-compression (cv2.imencode / imdecode, 4:2:0) at a random quality. When it is the last step a page
    gets and no line gate blends it, a JPEG dataset stores the page as this step's bytes (one compression at this
    quality, not a second one at ``jpeg_quality``: the file decodes to the very pixels the legibility check judged;
    :attr:`synthdoc.augment.stack.Augmented.jpeg`).

    Attributes:
        quality_range: JPEG quality, 1-100.
        min_stroke_px, full_stroke_px: stroke widths (px, per unit of the step's strength: (75 - quality) / 25, so quality >= 75 is never gated) where a line's strength
            leaves 0 and reaches 1 (:mod:`synthdoc.augment.gate`).
    """

    quality_range: tuple = (55, 95)
    min_stroke_px: float = 0.5
    full_stroke_px: float = 1.0
    name: ClassVar[str] = "Jpeg"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.quality_range = check_range(self.name, "quality_range", self.quality_range, 1, 100, integer=True)
        self.min_stroke_px, self.full_stroke_px = check_range(self.name, "min_stroke_px, full_stroke_px",
                                                              (self.min_stroke_px, self.full_stroke_px), 0, 100)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        q = draw_int(rng, self.quality_range)
        scale = max(0.0, (75 - q) / 25)
        if scale == 0:
            return {"quality": q}
        return gate_params({"quality": q}, line_factors(state, 0, self.min_stroke_px, self.full_stroke_px, scale))

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        bgr = cv2.cvtColor(state.image, cv2.COLOR_RGB2BGR)
        ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(params["quality"])])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        out = _decode_rgb(buf)
        weight = weight_map(state, params)
        state.image = blend_lines(state.image, out, weight)
        state.jpeg = buf if weight is None else None  # unblended: the page is these bytes, decoded
