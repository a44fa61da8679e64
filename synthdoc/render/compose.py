"""Compositing glyph runs onto a background: coverage masks per ink colour, integer alpha blending (OpenCV)."""
from __future__ import annotations

import cv2
import numpy as np

from synthdoc.doc import Page
from synthdoc.render.raster import GlyphCache, draw_glyph


def _draw_run(mask: np.ndarray, run, glyphs: GlyphCache) -> None:
    """:func:`draw_glyph` of every glyph of `run`, with the common case (bitmap wholly inside the mask) inlined:
    origins rounded half to even by ``np.rint`` as ``round`` does in draw_glyph."""
    mh, mw = mask.shape
    xs = np.rint(run.origins[:, 0]).astype(np.int64).tolist()
    ys = np.rint(run.origins[:, 1]).astype(np.int64).tolist()
    maximum = np.maximum
    for bm, x, y in zip(glyphs.get_run(run.face, run.size_px, run.gids.tolist(), run.rotated), xs, ys):
        alpha = bm.alpha
        h, w = alpha.shape
        if not h:
            continue
        x0, y0 = x + bm.left, y + bm.top
        x1, y1 = x0 + w, y0 + h
        if x0 >= 0 and y0 >= 0 and x1 <= mw and y1 <= mh:
            dst = mask[y0:y1, x0:x1]
            maximum(dst, alpha, out=dst)
        else:
            draw_glyph(mask, bm, x, y)


def _draw_rotated_run(mask: np.ndarray, run, glyphs: GlyphCache) -> None:
    """Draw `run` upright on a local canvas, then rotate it by run.angle_deg about run.pivot into `mask`."""
    pad = 2 * run.size_px
    x0 = int(np.floor(run.origins[:, 0].min())) - pad
    y0 = int(np.floor(run.origins[:, 1].min())) - pad
    x1 = int(np.ceil(run.origins[:, 0].max())) + pad
    y1 = int(np.ceil(run.origins[:, 1].max())) + pad
    local = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for gid, (x, y) in zip(run.gids.tolist(), run.origins.tolist()):
        draw_glyph(local, glyphs.get(run.face, run.size_px, gid, run.rotated), x - x0, y - y0)
    m = cv2.getRotationMatrix2D((float(run.pivot[0]), float(run.pivot[1])), float(run.angle_deg), 1.0)
    m[:, 2] += m[:, :2] @ np.array([x0, y0], np.float64)  # local canvas -> page, then rotate
    # warp only into the page region the rotated canvas covers
    lh, lw = local.shape
    corners = np.array([[0, 0, 1], [lw, 0, 1], [lw, lh, 1], [0, lh, 1]], np.float64) @ m.T
    h, w = mask.shape
    bx0, by0 = max(0, int(np.floor(corners[:, 0].min()))), max(0, int(np.floor(corners[:, 1].min())))
    bx1, by1 = min(w, int(np.ceil(corners[:, 0].max())) + 1), min(h, int(np.ceil(corners[:, 1].max())) + 1)
    if bx1 <= bx0 or by1 <= by0:
        return
    m[:, 2] -= (bx0, by0)
    warped = cv2.warpAffine(local, m, (bx1 - bx0, by1 - by0), flags=cv2.INTER_LINEAR, borderValue=0)
    region = mask[by0:by1, bx0:bx1]
    np.maximum(region, warped, out=region)


def text_masks(page: Page, glyphs: GlyphCache) -> dict[tuple[int, int, int], np.ndarray]:
    """Rasterise every glyph run of `page` into one (H, W) uint8 coverage mask per ink colour.

    Runs with a non-zero ``angle_deg`` are rotated about their ``pivot`` with the same mapping that
    :func:`cv2.getRotationMatrix2D` gives (counter-clockwise on screen for positive angles).
    """
    masks: dict[tuple[int, int, int], np.ndarray] = {}
    for run in page.runs:
        mask = masks.get(run.color)
        if mask is None:
            mask = masks[run.color] = np.zeros((page.height, page.width), np.uint8)
        if run.angle_deg:
            _draw_rotated_run(mask, run, glyphs)
        else:
            _draw_run(mask, run, glyphs)
    return masks


def composite(background: np.ndarray, masks: dict[tuple[int, int, int], np.ndarray]) -> np.ndarray:
    """Blend ink colours over `background` ((H, W, 3) uint8 RGB) by coverage a:
    out = bg * (255 - a) / 255 + ink * a / 255, in 8-bit integer arithmetic (cv2.multiply / cv2.add,
    saturating, rounding to nearest), restricted to the bounding box of each mask's ink.

    Returns:
        (H, W, 3) uint8 RGB image (a new array).
    """
    out = background.copy()
    for color, mask in masks.items():
        x, y, w, h = cv2.boundingRect(mask)
        if w == 0 or h == 0:
            continue
        a = mask[y:y + h, x:x + w]
        a3 = cv2.merge([a, a, a])
        bg = out[y:y + h, x:x + w]
        kept = cv2.multiply(bg, cv2.bitwise_not(a3), scale=1 / 255)
        ink = cv2.multiply(a3, (float(color[0]), float(color[1]), float(color[2]), 0.0), scale=1 / 255)
        cv2.add(kept, ink, dst=bg)  # bg is a view of out: written in place
    return out
