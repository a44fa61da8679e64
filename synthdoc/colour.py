"""Colour science for text on backgrounds: sRGB <-> relative luminance, WCAG 2.x contrast ratios, HSV colours,
the mean colour under a polygon, an ink colour for a background, and :func:`ensure_contrast`, which keeps ink
readable against whatever lies under its lines. A leaf module: numpy and OpenCV only."""
from __future__ import annotations

import colorsys

import cv2
import numpy as np


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
