"""Page backgrounds the layouts ask for: plain paper (the core pipeline's default: a light grey with a faint colour
tint), and the solid colours, gradients and procedural textures chosen by layouts (slide, scattered), replayed
from their recorded parameters by :func:`render_background`. Colour science lives in :mod:`synthdoc.colour`;
the augmentation stack's paper textures, user texture images and highlights in :mod:`synthdoc.augment.paper`."""
from __future__ import annotations

import cv2
import numpy as np

from synthdoc.colour import hsv_rgb


def paper(height: int, width: int, rng: np.random.Generator, gray_range: tuple[float, float] = (228, 255),
          tint_range: float = 6.0) -> tuple[np.ndarray, dict]:
    """A solid paper-coloured background.

    Args:
        height, width: size in pixels.
        rng: random stream.
        gray_range: base grey level range (0-255).
        tint_range: maximum per-channel deviation from grey.

    Returns:
        ((H, W, 3) uint8 RGB image, applied parameters {"kind", "rgb"}).
    """
    base = rng.uniform(*gray_range)
    rgb = np.clip(base + rng.uniform(-tint_range, tint_range, 3), 0, 255).round().astype(np.uint8)
    img = cv2.merge([np.full((height, width), int(c), np.uint8) for c in rgb])  # 3x faster than a 3-value np.full
    return img, {"kind": "paper", "rgb": rgb.tolist()}


# --- coloured backgrounds (slide, scattered) -------------------------------------------------------------------------
#
# Each function draws the parameters it is not given from `rng` and returns them complete, so that
# `render_background(h, w, params, rng)` replays the same pixels (the layout stage samples a background, measures the
# colour under its text, and records the parameters in `page.meta["background"]`; the render stage replays them).

BACKGROUND_KINDS = ("solid", "gradient", "texture")
"""Kinds :func:`render_background` draws from a ``{"kind": ..., ...}`` spec (``paper`` stays the default)."""

GRADIENT_SHAPES = ("linear", "radial")
TEXTURE_STYLES = ("noise", "shapes")
_LOWRES_DIV = 4  # gradients and textures are computed at 1/4 (textures 1/8) resolution and upsampled


def _rgb_list(c) -> list[int]:
    return [int(np.clip(round(float(v)), 0, 255)) for v in list(c)[:3]]


def solid(height: int, width: int, rng: np.random.Generator, rgb=None) -> tuple[np.ndarray, dict]:
    """A single-colour background.

    Args:
        height, width: size in pixels.
        rng: random stream (draws the colour when `rgb` is None: any hue, saturation 0-0.8, value 0.1-1).
        rgb: (3,) sRGB 0-255 colour.

    Returns:
        ((H, W, 3) uint8 RGB image, parameters {"kind": "solid", "rgb"}).
    """
    if rgb is None:
        rgb = hsv_rgb(float(rng.random()), rng.uniform(0, 0.8), rng.uniform(0.1, 1.0))
    rgb = _rgb_list(rgb)
    img = cv2.merge([np.full((height, width), c, np.uint8) for c in rgb])
    return img, {"kind": "solid", "rgb": rgb}


def gradient(height: int, width: int, rng: np.random.Generator, colors=None, angle_deg: float | None = None,
             shape: str | None = None, center_frac=None) -> tuple[np.ndarray, dict]:
    """A two-colour linear or radial gradient (computed at 1/4 resolution, upsampled bilinearly).

    Linear: colour 0 at the page corner furthest against the direction `angle_deg` (0 = left to right,
    90 = top to bottom, image coordinates), colour 1 at the opposite corner. Radial: colour 0 at
    `center_frac` (fractions of width and height), colour 1 at the furthest page corner.

    Args:
        height, width: size in pixels.
        rng: random stream; draws whatever is None (colours: any hue, value 0.1-1, second colour near the first).
        colors: two (3,) sRGB 0-255 colours.
        angle_deg: direction of a linear gradient, degrees.
        shape: "linear" or "radial".
        center_frac: (2,) centre of a radial gradient, fractions of width and height.

    Returns:
        ((H, W, 3) uint8 RGB image, parameters {"kind": "gradient", "shape", "colors", "angle_deg", "center_frac"}).

    Raises:
        ValueError: unknown shape or not two colours.
    """
    if shape is None:
        shape = GRADIENT_SHAPES[int(rng.integers(len(GRADIENT_SHAPES)))]
    if shape not in GRADIENT_SHAPES:
        raise ValueError(f"gradient shape {shape!r}: use one of {', '.join(GRADIENT_SHAPES)}")
    if colors is None:
        h0, s0, v0 = float(rng.random()), rng.uniform(0, 0.8), rng.uniform(0.1, 1.0)
        colors = [hsv_rgb(h0, s0, v0), hsv_rgb(h0 + rng.uniform(-0.1, 0.1), s0 + rng.uniform(-0.2, 0.2),
                                               v0 + rng.uniform(-0.25, 0.25))]
    if len(colors) != 2:
        raise ValueError(f"gradient needs two colours, got {len(colors)}")
    if angle_deg is None:
        angle_deg = float(rng.uniform(0, 360))
    if center_frac is None:
        center_frac = [float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.2, 0.8))]
    c0, c1 = (np.asarray(_rgb_list(c), np.float32) for c in colors)
    lw, lh = max(2, width // _LOWRES_DIV + 1), max(2, height // _LOWRES_DIV + 1)
    xs = (np.arange(lw, dtype=np.float32) + 0.5) * (width / lw)
    ys = (np.arange(lh, dtype=np.float32) + 0.5) * (height / lh)
    if shape == "linear":
        a = np.deg2rad(angle_deg)
        dx, dy = np.float32(np.cos(a)), np.float32(np.sin(a))
        corners = np.array([0, width * dx, height * dy, width * dx + height * dy], np.float32)
        lo, hi = corners.min(), corners.max()
        t = (xs[None, :] * dx + ys[:, None] * dy - lo) / max(hi - lo, 1e-6)
    else:
        cx, cy = center_frac[0] * width, center_frac[1] * height
        r = max(np.hypot(max(cx, width - cx), max(cy, height - cy)), 1e-6)
        t = np.sqrt((xs[None, :] - cx) ** 2 + (ys[:, None] - cy) ** 2) / r
    t = np.clip(t, 0, 1)[..., None]
    small = np.clip(c0 + t * (c1 - c0) + 0.5, 0, 255).astype(np.uint8)
    img = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    params = {"kind": "gradient", "shape": shape, "colors": [_rgb_list(c0), _rgb_list(c1)],
              "angle_deg": round(float(angle_deg), 3), "center_frac": [round(float(v), 4) for v in center_frac]}
    return img, params


def _texture_palette(rng: np.random.Generator) -> list[list[int]]:
    """2-4 colours around one hue family, mostly light, mostly dark or mid-tone (scene-like)."""
    n = int(rng.integers(2, 5))
    tone = rng.choice(["light", "dark", "mid"], p=[0.45, 0.3, 0.25])
    v_range = {"light": (0.7, 1.0), "dark": (0.05, 0.35), "mid": (0.35, 0.75)}[tone]
    h0, spread = float(rng.random()), float(rng.uniform(0.03, 0.5))
    return [_rgb_list(hsv_rgb(h0 + rng.uniform(-spread, spread), rng.uniform(0.05, 0.85), rng.uniform(*v_range)))
            for _ in range(n)]


def texture(height: int, width: int, rng: np.random.Generator, style: str | None = None, palette=None,
            cells: int | None = None, grain: float | None = None, seed: int | None = None) -> tuple[np.ndarray, dict]:
    """A procedural photo-like background: smooth coloured blobs ("noise") or soft out-of-focus shapes ("shapes"),
    with film grain.

    Both styles are composed at 1/8 resolution (palette colours, cell noise upsampled bicubically, optional
    ellipses / polygons, a Gaussian blur), upsampled to full size with cv2.resize (uint8, bilinear), and get
    grain drawn at half resolution. About 5 ms at 1240x1754.

    Args:
        height, width: size in pixels.
        rng: random stream; draws every parameter that is None.
        style: "noise" or "shapes".
        palette: 2-4 (3,) sRGB 0-255 colours the texture mixes.
        cells: number of noise cells along the longer side (low frequency = few cells).
        grain: grain amplitude, 0-255 levels.
        seed: seed of the pixel noise (np.random.default_rng(seed)); recorded so the texture replays.

    Returns:
        ((H, W, 3) uint8 RGB image, parameters {"kind": "texture", "style", "palette", "cells", "grain", "seed"}).

    Raises:
        ValueError: unknown style or an empty palette.
    """
    if style is None:
        style = TEXTURE_STYLES[int(rng.integers(len(TEXTURE_STYLES)))]
    if style not in TEXTURE_STYLES:
        raise ValueError(f"texture style {style!r}: use one of {', '.join(TEXTURE_STYLES)}")
    palette = _texture_palette(rng) if palette is None else [_rgb_list(c) for c in palette]
    if not palette:
        raise ValueError("texture palette is empty")
    cells = int(rng.integers(3, 10)) if cells is None else int(cells)
    grain = float(rng.uniform(0, 14)) if grain is None else float(grain)
    seed = int(rng.integers(2**31)) if seed is None else int(seed)
    g = np.random.default_rng(seed)
    lw, lh = max(4, width // 8), max(4, height // 8)
    pal = np.asarray(palette, np.float32)
    # cell noise: each cell picks a palette mix; bicubic upsampling gives smooth blobs
    cw = max(2, int(round(cells * lw / max(lw, lh)))) + 1
    ch = max(2, int(round(cells * lh / max(lw, lh)))) + 1
    weights = g.random((ch, cw, len(pal)), dtype=np.float32) ** 3
    weights /= weights.sum(axis=2, keepdims=True)
    small = (weights @ pal).astype(np.float32)
    small = cv2.resize(small, (lw, lh), interpolation=cv2.INTER_CUBIC)
    if style == "shapes":
        canvas = np.clip(small, 0, 255).astype(np.uint8)
        for _ in range(int(g.integers(4, 14))):
            col = tuple(int(v) for v in pal[int(g.integers(len(pal)))])
            cx, cy = int(g.integers(lw)), int(g.integers(lh))
            if g.random() < 0.5:
                axes = (int(g.integers(lw // 12 + 1, lw // 3 + 2)), int(g.integers(lh // 12 + 1, lh // 3 + 2)))
                cv2.ellipse(canvas, (cx, cy), axes, float(g.uniform(0, 180)), 0, 360, col, -1, cv2.LINE_AA)
            else:
                r = max(lw, lh) / 5
                pts = np.stack([cx + g.uniform(-r, r, 4), cy + g.uniform(-r, r, 4)], 1)
                cv2.fillConvexPoly(canvas, cv2.convexHull(pts.astype(np.int32)), col, cv2.LINE_AA)
        small = canvas.astype(np.float32)
    k = max(3, (max(lw, lh) // 40) | 1)
    small = cv2.GaussianBlur(small, (k, k), 0)
    img = cv2.resize(np.clip(small + 0.5, 0, 255).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR)
    amp = int(round(grain))
    if amp > 0:
        noise = g.integers(0, 2 * amp + 1, (height // 2 + 1, width // 2 + 1), dtype=np.uint8)
        noise = cv2.resize(noise, (width, height), interpolation=cv2.INTER_NEAREST)
        img = cv2.subtract(cv2.add(img, cv2.merge([noise, noise, noise])), (amp, amp, amp, 0))
    params = {"kind": "texture", "style": style, "palette": palette, "cells": cells, "grain": round(grain, 3),
              "seed": seed}
    return img, params


def render_background(height: int, width: int, spec: dict, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Draw the background a layout recorded in ``page.meta["background"]``.

    Args:
        height, width: page size in pixels.
        spec: {"kind": "solid" | "gradient" | "texture", ...parameters of that function}; parameters left out
            are drawn from `rng`, so a complete spec (as the functions return it) replays the same pixels.
        rng: random stream for missing parameters.

    Returns:
        ((H, W, 3) uint8 RGB image, complete parameters).

    Raises:
        ValueError: unknown kind or parameter.
    """
    kind = spec.get("kind")
    fn = {"solid": solid, "gradient": gradient, "texture": texture}.get(kind)
    if fn is None:
        raise ValueError(f"background kind {kind!r}: use one of {', '.join(BACKGROUND_KINDS)}")
    kwargs = {k: v for k, v in spec.items() if k != "kind"}
    try:
        return fn(height, width, rng, **kwargs)
    except TypeError as e:
        raise ValueError(f"background {kind}: {e}") from None
