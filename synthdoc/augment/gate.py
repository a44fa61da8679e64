"""Stroke-aware gating per line: steps that thin, erase or blur strokes (edge noise, stroke thinning, erosion,
median / Gaussian / motion blur, low-quality JPEG) get a strength factor in [0, 1] for every line, from the
line's text height and the stroke width of its glyphs measured on the rendered glyph mask.

Stroke width of a line (px): the harmonic mean of the local width 2 * d - 1 along the strokes' centre lines,
where d is the (city-block) distance transform of the clean glyph ink (coverage >= 50 %) and the centre lines are
its local maxima (:func:`synthdoc.augment.base.stroke_ridge`, :func:`line_metrics`). The harmonic mean lets the thin strokes decide, so a display serif with heavy stems
and hairline arms measures thin. A hairline serif at 9 px measures about 1 px, a bold sans at 40 px about 6 px.

Factor of a line: ``ramp(height; min_text_height_px, 1.25 * min_text_height_px) * ramp(stroke; scale *
min_stroke_px, scale * full_stroke_px)`` where ``ramp`` rises linearly from 0 to 1 between its two bounds and
``scale`` is the step's drawn strength in units of its own (e.g. Gaussian sigma, erosion kernel - 1). The factors
are recorded in the step's params (``line_strength``, one per line in reading order, 2 decimals; absent when all
are 1), so the page replays: the step computes its full-strength result and :func:`blend_lines` mixes it with the
input inside each line's quad (grown by 2 px) by the line's factor; the page outside lines gets full strength.
"""
from __future__ import annotations

import cv2
import numpy as np

from synthdoc.augment.base import AugmentState
from synthdoc.augment.paper import grow_quad

LINE_PAD_PX = 2.0


def _line_labels_at(state: AugmentState, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """(M,) int64 index of the line whose quad (rounded to px, cv2.fillPoly, later lines win where quads overlap)
    covers each pixel (rows `ys`, columns `xs`, (M,) int64), -1 outside every line. The label map only spans the
    lines' box."""
    lines = state.page.lines
    if not lines or not len(ys):
        return np.full(len(ys), -1, np.int64)
    quads = np.round(np.asarray([line.quad for line in lines], np.float64).reshape(-1, 4, 2)).astype(np.int32)
    x0, y0 = (max(0, int(v)) for v in quads.reshape(-1, 2).min(axis=0))
    x1, y1 = min(state.width, int(quads[..., 0].max()) + 1), min(state.height, int(quads[..., 1].max()) + 1)
    if x1 <= x0 or y1 <= y0:
        return np.full(len(ys), -1, np.int64)
    labels = np.zeros((y1 - y0, x1 - x0), np.uint16 if len(lines) < 65535 else np.int32)
    for k, q in enumerate(quads - np.array([x0, y0], np.int32)):
        cv2.fillPoly(labels, [q], k + 1)
    inside = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)
    out = np.full(len(ys), -1, np.int64)
    out[inside] = labels[ys[inside] - y0, xs[inside] - x0].astype(np.int64) - 1
    return out


def line_metrics(state: AugmentState) -> tuple[np.ndarray, np.ndarray]:
    """Per line of the page (reading order): (text height px, stroke width px), both (L,) float64, measured on
    the clean glyph ink of `state` on its current geometry (cached until a geometric step moves the page).
    A line without ink measures stroke width 0."""
    cached = state.line_metrics_cache
    if cached is not None and cached[0] is state.ink_ref:
        return cached[1]
    n = len(state.page.lines)
    ys, xs, dist = state.ridge_points()
    labels = _line_labels_at(state, ys, xs)
    width = 2.0 * dist.astype(np.float64) - 1.0
    keep = labels >= 0
    count = np.bincount(labels[keep], minlength=n)
    inverse = np.bincount(labels[keep], weights=1.0 / width[keep], minlength=n)
    stroke = np.where(count > 0, count / np.maximum(inverse, 1e-9), 0.0)  # harmonic mean: thin strokes dominate
    out = (state.text_heights_px(), stroke)
    state.line_metrics_cache = (state.ink_ref, out)
    return out


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    if hi <= lo:
        return (x >= lo).astype(np.float64)
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def line_factors(state: AugmentState, min_text_height_px: float, min_stroke_px: float, full_stroke_px: float,
                 scale: float = 1.0) -> list[float]:
    """Strength factor of each line, 0-1, 2 decimals (module docstring).

    Args:
        state: the page state (its lines and clean ink).
        min_text_height_px: below this text height a line gets 0; full strength from 1.25 times it.
        min_stroke_px, full_stroke_px: stroke widths (at scale 1) where the factor leaves 0 and reaches 1, px.
        scale: the drawn strength in the step's own unit; stroke bounds are multiplied by it.
    """
    heights, strokes = line_metrics(state)
    fh = _ramp(heights, min_text_height_px, 1.25 * min_text_height_px) if min_text_height_px > 0 else 1.0
    fs = _ramp(strokes, scale * min_stroke_px, scale * full_stroke_px)
    return [round(float(v), 2) for v in np.broadcast_to(fh * fs, heights.shape)]


def gate_params(params: dict, factors: list[float]) -> dict | None:
    """`params` with ``line_strength`` when some line is weakened, or None when every line's factor is 0 (the
    step is skipped; a page without lines keeps the step)."""
    if factors and max(factors) <= 0:
        return None
    if factors and min(factors) < 1:
        params["line_strength"] = factors
    return params


def weight_map(state: AugmentState, params: dict) -> np.ndarray | None:
    """(H, W) uint8 blend weight of a step's recorded ``line_strength``, 255 = full strength: each line quad
    (grown by LINE_PAD_PX) filled with its factor, the weaker factor winning where lines overlap; None when no
    line is weakened."""
    factors = params.get("line_strength")
    if not factors:
        return None
    w = np.full((state.height, state.width), 255, np.uint8)
    lines = state.page.lines
    for k in sorted(range(len(factors)), key=lambda j: -factors[j]):
        if factors[k] < 1:
            q = grow_quad(np.asarray(lines[k].quad, np.float64), LINE_PAD_PX)
            cv2.fillPoly(w, [np.round(q).astype(np.int32)], round(255 * factors[k]))
    return w


def blend_lines(before: np.ndarray, after: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """`after` where `weight` (:func:`weight_map`) is 255, `before` where it is 0, mixed in between. Arrays
    (H, W) or (H, W, 3) uint8. Returns `after` itself, mixed in place (callers pass a step's fresh result)."""
    if weight is None:
        return after
    # only the bounding box of the weakened lines is mixed: where the weight is 255 the mix gives `after` exactly
    x, y, bw, bh = cv2.boundingRect(cv2.bitwise_not(weight))
    if bw == 0 or bh == 0:
        return after
    wr = weight[y:y + bh, x:x + bw]
    w = cv2.cvtColor(wr, cv2.COLOR_GRAY2RGB) if after.ndim == 3 else wr
    kept = cv2.multiply(before[y:y + bh, x:x + bw], cv2.bitwise_not(w), scale=1 / 255)
    roi = after[y:y + bh, x:x + bw]
    cv2.add(kept, cv2.multiply(roi, w, scale=1 / 255), dst=kept)
    roi[...] = kept
    return after
