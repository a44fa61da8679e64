"""Page backgrounds: plain paper (the core pipeline's default: a light grey with a faint colour tint); solid
colours, gradients and procedural textures chosen by layouts (slide, scattered); and, for the augmentation
stack's background phase, procedural paper textures, user texture images, marker highlights behind words or
lines, and :func:`ensure_contrast`, which keeps ink readable against whatever now lies under it."""
from __future__ import annotations

import colorsys
import functools
import os
from pathlib import Path

import cv2
import numpy as np

from synthdoc.errors import SynthdocError


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


def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, np.float64) / 255.0
    return np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def relative_luminance(rgb) -> float:
    """WCAG 2.x relative luminance of an sRGB colour.

    Source: WCAG 2.1, "relative luminance" definition (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance):
    L = 0.2126 R + 0.7152 G + 0.0722 B over linearised channels.

    Args:
        rgb: (3,) sRGB 0-255 (any numeric type).

    Returns:
        L in [0, 1].
    """
    lin = _srgb_to_linear(np.asarray(rgb, np.float64)[:3])
    return float(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2])


def contrast_ratio(a, b) -> float:
    """WCAG 2.x contrast ratio (L_lighter + 0.05) / (L_darker + 0.05) of two sRGB colours, in [1, 21].

    Source: WCAG 2.1, "contrast ratio" definition (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio).
    """
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def hsv_rgb(h: float, s: float, v: float) -> tuple[int, int, int]:
    """sRGB 0-255 of hue `h` (turns, 0-1), saturation `s` and value `v` (0-1)."""
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, float(np.clip(s, 0, 1)), float(np.clip(v, 0, 1)))
    return int(round(r * 255)), int(round(g * 255)), int(round(b * 255))


def mean_color_under(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Mean colour of `image` inside the polygon `quad` (the pixels cv2.fillPoly fills).

    Args:
        image: (H, W, 3) uint8 RGB.
        quad: (K, 2) polygon, page pixels.

    Returns:
        (3,) float64 RGB mean; the mean of the nearest pixel when the polygon covers no pixel centre.
    """
    h, w = image.shape[:2]
    q = np.asarray(quad, np.float64).reshape(-1, 2)
    x0, y0 = int(max(0, np.floor(q[:, 0].min()))), int(max(0, np.floor(q[:, 1].min())))
    x1, y1 = int(min(w, np.ceil(q[:, 0].max()) + 1)), int(min(h, np.ceil(q[:, 1].max()) + 1))
    if x1 <= x0 or y1 <= y0:
        cx, cy = int(np.clip(q[:, 0].mean(), 0, w - 1)), int(np.clip(q[:, 1].mean(), 0, h - 1))
        return image[cy, cx].astype(np.float64)
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(mask, [np.round(q - [x0, y0]).astype(np.int32)], 255)
    if not mask.any():
        cx, cy = int(np.clip(q[:, 0].mean(), 0, w - 1)), int(np.clip(q[:, 1].mean(), 0, h - 1))
        return image[cy, cx].astype(np.float64)
    return np.asarray(cv2.mean(image[y0:y1, x0:x1], mask=mask)[:3], np.float64)


def text_color_for(background_rgb, rng: np.random.Generator, min_ratio: float, tries: int = 12,
                   saturation_range: tuple[float, float] = (0.0, 0.8)) -> tuple[int, int, int]:
    """A random ink colour with WCAG contrast >= `min_ratio` against `background_rgb`.

    Dark ink (value 0-0.35) is tried on backgrounds whose luminance is above 0.18 (where black gives more
    contrast than white), light ink (value 0.85-1, saturation at most 0.35) otherwise. After `tries` misses
    the better of black and white is returned (its contrast is at least 4.58 for any background).

    Args:
        background_rgb: (3,) sRGB 0-255 mean colour under the text.
        rng: random stream.
        min_ratio: required contrast ratio (e.g. 4.5 for WCAG AA body text, 3 for large text).
        tries: random candidates before the black / white fallback.
        saturation_range: saturation range of dark candidates.

    Returns:
        RGB 0-255.
    """
    dark = relative_luminance(background_rgb) > 0.1791  # sqrt(1.05 * 0.05) - 0.05: black and white tie
    for _ in range(tries):
        hue = float(rng.random())
        if dark:
            c = hsv_rgb(hue, rng.uniform(*saturation_range), rng.uniform(0.0, 0.35))
        else:
            c = hsv_rgb(hue, rng.uniform(0.0, 0.35), rng.uniform(0.85, 1.0))
        if contrast_ratio(c, background_rgb) >= min_ratio:
            return c
    return (0, 0, 0) if dark else (255, 255, 255)


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


# --- augmentation backgrounds (synthdoc.augment "background" phase) -------------------------------------------------
#
# These draw on (or under) the background layer of a page after the layout chose its ink colours; whatever they
# change, :func:`ensure_contrast` then re-checks every ink colour against what now lies under its lines.

TEXTURE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")

HIGHLIGHT_COLOURS = ((255, 235, 59), (255, 241, 118), (178, 255, 89), (129, 212, 250), (255, 128, 171),
                     (255, 183, 77))
"""Marker colours (yellow, pale yellow, green, blue, pink, orange), sRGB 0-255."""


def luminance_array(rgb: np.ndarray) -> np.ndarray:
    """Vectorised :func:`relative_luminance`: (..., 3) sRGB 0-255 -> (...) float64 in [0, 1]."""
    lin = _srgb_to_linear(np.asarray(rgb, np.float64)[..., :3])
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def _ratios(lum: float | np.ndarray, others: np.ndarray) -> np.ndarray:
    hi, lo = np.maximum(lum, others), np.minimum(lum, others)
    return (hi + 0.05) / (lo + 0.05)


def ensure_contrast(background: np.ndarray, masks: list[np.ndarray], colours: list, line_quads: list,
                    min_ratio: float) -> list[tuple[int, int, int]]:
    """Ink colours with a WCAG contrast ratio >= `min_ratio` against the background under every line they draw.

    For each line, the colour under it is the mean of `background` over the line quad's bounding box; a colour
    is checked against the lines whose box holds some of its ink. A colour that misses the ratio on any of them is
    replaced by the first of itself moved 25, 50, 75 or 100 % towards black or towards white (the direction with
    the higher worst-case contrast first) that meets it, else by the candidate (itself included) with the highest
    worst-case contrast. Deterministic: no random draws, so replaying a page needs no record of it.

    Args:
        background: (H, W, 3) uint8 RGB background layer (no text).
        masks: per colour, (H, W) uint8 coverage of its ink.
        colours: per mask, (3,) sRGB 0-255 ink colour.
        line_quads: (4, 2) line quads, page pixels.
        min_ratio: required contrast ratio (WCAG 2.1; 4.5 for body text, 3 for large text).

    Returns:
        One (r, g, b) per colour, unchanged where the contrast already suffices.
    """
    h, w = background.shape[:2]
    boxes, unders = [], []
    for q in line_quads:
        q = np.asarray(q, np.float64)
        x0, y0 = max(0, int(np.floor(q[:, 0].min()))), max(0, int(np.floor(q[:, 1].min())))
        x1, y1 = min(w, int(np.ceil(q[:, 0].max()))), min(h, int(np.ceil(q[:, 1].max())))
        if x1 > x0 and y1 > y0:
            boxes.append((x0, y0, x1, y1))
            unders.append(cv2.mean(background[y0:y1, x0:x1])[:3])
    under_lum = luminance_array(np.asarray(unders, np.float64).reshape(-1, 3))
    out = []
    for mask, colour in zip(masks, colours):
        colour = tuple(int(c) for c in colour)
        sel = [i for i, (x0, y0, x1, y1) in enumerate(boxes) if cv2.countNonZero(mask[y0:y1, x0:x1])]
        if not sel or _ratios(relative_luminance(colour), under_lum[sel]).min() >= min_ratio:
            out.append(colour)
            continue
        lums = under_lum[sel]
        c = np.asarray(colour, np.float64)
        ways = [[tuple(int(round(v)) for v in c * (1 - t)) for t in (0.25, 0.5, 0.75, 1.0)],
                [tuple(int(round(v)) for v in c + (255 - c) * t) for t in (0.25, 0.5, 0.75, 1.0)]]
        worst = {cand: float(_ratios(relative_luminance(cand), lums).min()) for way in ways for cand in [colour, *way]}
        ways.sort(key=lambda way: -worst[way[-1]])
        chosen = next((cand for way in ways for cand in way if worst[cand] >= min_ratio), None)
        out.append(chosen if chosen is not None else max(worst, key=worst.get))
    return out


def paper_texture(background: np.ndarray, params: dict) -> np.ndarray:
    """`background` printed on procedural paper: multiplied by a tint with mottling, a lighting gradient and
    stains (computed at 1/4 resolution), then darkened by fibres and grain (full resolution, subtracted).
    About 5-8 ms at 1240x1754.

    Args:
        background: (H, W, 3) uint8 RGB page background (paper, rules).
        params: every key is required (see :class:`synthdoc.augment.backdrop.PaperTexture`, which samples them):
            tint (3,) sRGB 0-255 paper colour multiplier; mottle (0-1) darkening of low-frequency blotches over
            mottle_cells cells; gradient (0-1) darkening along gradient_angle_deg (0 = towards +x, image
            coordinates); fibres (count) of up to fibre_darkness levels; stains (count) of stain_strength (0-1),
            brownish (blue absorbed most); grain (levels, uniform); seed of every pixel draw.

    Returns:
        (H, W, 3) uint8 RGB, a new array.
    """
    height, width = background.shape[:2]
    g = np.random.default_rng(int(params["seed"]))
    lh, lw = max(2, height // _LOWRES_DIV), max(2, width // _LOWRES_DIV)
    mult = np.empty((lh, lw, 3), np.float32)
    mult[...] = np.asarray(params["tint"], np.float32) / 255.0
    # mottling: smooth blotches (cell noise upsampled bicubically)
    cells = max(1, int(params["mottle_cells"]))
    grid = g.random((max(2, cells * lh // max(lh, lw) + 1), max(2, cells * lw // max(lh, lw) + 1)), dtype=np.float32)
    blot = np.clip(cv2.resize(grid, (lw, lh), interpolation=cv2.INTER_CUBIC), 0, 1)
    mult *= (1.0 - float(params["mottle"]) * blot)[..., None]
    # lighting gradient across the page
    a = np.deg2rad(float(params["gradient_angle_deg"]))
    xs = np.linspace(0, 1, lw, dtype=np.float32)[None, :] * np.float32(np.cos(a) * width)
    ys = np.linspace(0, 1, lh, dtype=np.float32)[:, None] * np.float32(np.sin(a) * height)
    t = xs + ys
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    mult *= (1.0 - float(params["gradient"]) * t)[..., None]
    # stains: soft blobs with a darker rim (coffee rings), brownish
    if int(params["stains"]):
        stain = np.zeros((lh, lw), np.float32)
        theta = np.linspace(0, 2 * np.pi, 48, endpoint=False)
        for _ in range(int(params["stains"])):
            cx, cy = g.uniform(0, lw), g.uniform(0, lh)
            radius = g.uniform(min(lw, lh) / 30 + 2, min(lw, lh) / 6 + 3)
            # an irregular blob: the radius wobbles with harmonics 2-4
            wobble = 1 + sum(g.uniform(0, 0.12) * np.sin(k * theta + g.uniform(0, 2 * np.pi)) for k in (2, 3, 4))
            poly = np.stack([cx + radius * wobble * np.cos(theta), cy + radius * wobble * np.sin(theta)], 1)
            poly = [np.round(poly * 4).astype(np.int32)]  # 2 fractional bits
            cv2.fillPoly(stain, poly, float(g.uniform(0.3, 0.7)), cv2.LINE_AA, 2)
            cv2.polylines(stain, poly, True, 1.0, max(1, int(radius / 8)), cv2.LINE_AA, 2)
        stain = cv2.GaussianBlur(stain, (0, 0), 1.2)
        absorb = np.array([0.45, 0.65, 0.95], np.float32) * float(params["stain_strength"])
        mult *= 1.0 - np.clip(stain, 0, 1)[..., None] * absorb
    small = np.clip(mult * 255.0 + 0.5, 0, 255).astype(np.uint8)
    out = cv2.multiply(background, cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR), scale=1 / 255)
    # fibres and grain: full-resolution darkening, subtracted (fibres in 4 shades, one polylines call each)
    dark = np.zeros((height, width), np.uint8)
    n = int(params["fibres"])
    if n:
        lo = int(params["fibre_darkness"]) // 3
        shades = np.linspace(lo, int(params["fibre_darkness"]), 4).round().astype(int)
        kind = g.integers(0, 4, n)
        # gently curving fibres: 4 segments of 2-8 px, heading turning by N(0, 0.3) rad per segment
        heading = g.uniform(0, 2 * np.pi, (n, 1)) + np.cumsum(g.normal(0, 0.3, (n, 4)), axis=1)
        seg = g.uniform(2, 8, (n, 1))
        steps = np.stack([np.cos(heading), np.sin(heading)], axis=2) * seg[..., None]
        start = np.stack([g.uniform(0, width, n), g.uniform(0, height, n)], 1)[:, None, :]
        pts = np.concatenate([start, start + np.cumsum(steps, axis=1)], axis=1)
        pts = np.round(pts).astype(np.int32)
        for k, shade in enumerate(shades):
            if int(shade) > 0:
                cv2.polylines(dark, list(pts[kind == k]), False, int(shade), 1, cv2.LINE_AA)
    amp = int(params["grain"])
    if amp > 0:
        noise = g.integers(0, amp + 1, (height // 2 + 1, width // 2 + 1), dtype=np.uint8)
        dark = cv2.add(dark, cv2.resize(noise, (width, height), interpolation=cv2.INTER_NEAREST))
    return cv2.subtract(out, cv2.merge([dark, dark, dark]))


def list_textures(dirs: list[str]) -> list[str]:
    """Absolute paths of the image files (TEXTURE_EXTENSIONS, case-insensitive) directly inside each folder of
    `dirs`, sorted per folder.

    Raises:
        SynthdocError: a folder does not exist or no folder holds an image (names the folder and the fix).
    """
    from synthdoc.errors import SynthdocError

    out = []
    for d in dirs:
        p = Path(d).expanduser().resolve()
        if not p.is_dir():
            raise SynthdocError(f"texture folder {str(d)!r} does not exist; pass a folder of images (jpg, png, webp)")
        out += sorted(str(f) for f in p.iterdir() if f.is_file() and f.suffix.lower() in TEXTURE_EXTENSIONS)
    if not out:
        raise SynthdocError(f"no images ({', '.join(TEXTURE_EXTENSIONS)}) in texture folders {', '.join(map(str, dirs))}; "
                            "add some or remove the TextureFolder step")
    return out


@functools.lru_cache(maxsize=8)  # keyed by (path, mtime, size): a pure read cache, results never depend on it
def _read_rgb(path: str, mtime_ns: int, size: int) -> np.ndarray:
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise SynthdocError(f"cannot decode texture image {path}; remove or re-save it (TextureFolder dirs)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def load_texture(path: str, height: int, width: int, crop_frac) -> np.ndarray:
    """A user texture image cropped to `crop_frac` and resized to the page.

    Args:
        path: image file (anything cv2.imread reads); decoded images are cached per (path, mtime, size).
        height, width: output size, px.
        crop_frac: (4,) [x0, y0, x1, y1] crop window in fractions of the image's width and height.

    Returns:
        (H, W, 3) uint8 RGB.

    Raises:
        SynthdocError: the file cannot be read or decoded.
    """
    try:
        st = os.stat(path)
    except OSError as e:
        raise SynthdocError(f"cannot read texture image {path}: {e.strerror}; check the TextureFolder dirs") from None
    img = _read_rgb(path, st.st_mtime_ns, st.st_size)
    ih, iw = img.shape[:2]
    x0, y0, x1, y1 = (float(v) for v in crop_frac)
    cx0, cx1 = int(x0 * iw), max(int(x0 * iw) + 1, int(round(x1 * iw)))
    cy0, cy1 = int(y0 * ih), max(int(y0 * ih) + 1, int(round(y1 * ih)))
    crop = img[cy0:min(ih, cy1), cx0:min(iw, cx1)]
    shrink = crop.shape[0] > height or crop.shape[1] > width
    return cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def grow_quad(quad: np.ndarray, pad_px: float) -> np.ndarray:
    """`quad` grown by `pad_px` along and across its own frame (vertex 0 moves back-and-up, etc.).

    Args:
        quad: (4, 2) quad, page pixels, clockwise with vertex 0 the text frame's top-left.
        pad_px: growth on every side, px.

    Returns:
        (4, 2) float64.
    """
    q = np.asarray(quad, np.float64)
    u, v = q[1] - q[0], q[3] - q[0]
    u /= max(np.hypot(*u), 1e-9)
    v /= max(np.hypot(*v), 1e-9)
    return q + pad_px * np.stack([-u - v, u - v, u + v, -u + v])


def highlight(background: np.ndarray, quads: list, colours: list, alpha: float, pad_px: float) -> None:
    """Blend semi-transparent tinted polygons (marker highlights) into `background`, in place:
    out = bg * (1 - alpha) + colour * alpha inside each grown quad (anti-aliased edge).

    Args:
        background: (H, W, 3) uint8 RGB, modified in place.
        quads: (4, 2) quads to highlight, page pixels.
        colours: one (3,) sRGB 0-255 colour per quad.
        alpha: opacity, 0-1.
        pad_px: each quad is grown by this many px (:func:`grow_quad`).
    """
    h, w = background.shape[:2]
    for quad, colour in zip(quads, colours):
        q = grow_quad(quad, pad_px)
        x0, y0 = max(0, int(np.floor(q[:, 0].min()))), max(0, int(np.floor(q[:, 1].min())))
        x1, y1 = min(w, int(np.ceil(q[:, 0].max())) + 1), min(h, int(np.ceil(q[:, 1].max())) + 1)
        if x1 <= x0 or y1 <= y0:
            continue
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(mask, [np.round((q - [x0, y0]) * 16).astype(np.int32)], int(round(255 * alpha)), cv2.LINE_AA, 4)
        a3 = cv2.merge([mask, mask, mask])
        roi = background[y0:y1, x0:x1]
        kept = cv2.multiply(roi, cv2.bitwise_not(a3), scale=1 / 255)
        ink = cv2.multiply(a3, tuple(float(c) for c in colour[:3]) + (0.0,), scale=1 / 255)
        roi[...] = cv2.add(kept, ink)
