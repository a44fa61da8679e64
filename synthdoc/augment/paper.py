"""Paper and texture helpers of the augmentation stack's background phase (:mod:`synthdoc.augment.backdrop`):
procedural paper, user texture images, marker highlights behind words or lines.

These draw on (or under) the background layer of a page after the layout chose its ink colours; whatever they
change, :func:`synthdoc.colour.ensure_contrast` then re-checks every ink colour against what now lies under its
lines."""
from __future__ import annotations

import functools
import os
from pathlib import Path

import cv2
import numpy as np

from synthdoc.errors import SynthdocError

_LOWRES_DIV = 4  # the paper's tint, mottling, gradient and stains are computed at 1/4 resolution and upsampled

TEXTURE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")

HIGHLIGHT_COLOURS = ((255, 235, 59), (255, 241, 118), (178, 255, 89), (129, 212, 250), (255, 128, 171),
                     (255, 183, 77))
"""Marker colours (yellow, pale yellow, green, blue, pink, orange), sRGB 0-255."""


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
    # the multiplier, one (lh, lw) float32 plane per channel (the same float32 products as an (lh, lw, 3) array
    # multiplied by broadcasting, without its 3-element inner loops)
    mult = [np.full((lh, lw), c, np.float32) for c in np.asarray(params["tint"], np.float32) / 255.0]
    # mottling: smooth blotches (cell noise upsampled bicubically)
    cells = max(1, int(params["mottle_cells"]))
    grid = g.random((max(2, cells * lh // max(lh, lw) + 1), max(2, cells * lw // max(lh, lw) + 1)), dtype=np.float32)
    blot = np.clip(cv2.resize(grid, (lw, lh), interpolation=cv2.INTER_CUBIC), 0, 1)
    _scale_planes(mult, 1.0 - float(params["mottle"]) * blot)
    # lighting gradient across the page
    a = np.deg2rad(float(params["gradient_angle_deg"]))
    xs = np.linspace(0, 1, lw, dtype=np.float32)[None, :] * np.float32(np.cos(a) * width)
    ys = np.linspace(0, 1, lh, dtype=np.float32)[:, None] * np.float32(np.sin(a) * height)
    t = xs + ys
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    _scale_planes(mult, 1.0 - float(params["gradient"]) * t)
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
        stain = np.clip(stain, 0, 1)
        for plane, k in zip(mult, absorb):
            plane *= 1.0 - stain * k
    small = cv2.merge([np.clip(plane * 255.0 + 0.5, 0, 255).astype(np.uint8) for plane in mult])
    out = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    cv2.multiply(background, out, dst=out, scale=1 / 255)
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
        cv2.add(dark, cv2.resize(noise, (width, height), interpolation=cv2.INTER_NEAREST), dst=dark)
    return cv2.subtract(out, cv2.cvtColor(dark, cv2.COLOR_GRAY2RGB), dst=out)


def _scale_planes(planes: list[np.ndarray], factor: np.ndarray) -> None:
    """Multiply each (h, w) float32 plane of `planes` in place by the (h, w) `factor`."""
    for plane in planes:
        plane *= factor


def list_textures(dirs: list[str]) -> list[str]:
    """Absolute paths of the image files (TEXTURE_EXTENSIONS, case-insensitive) directly inside each folder of
    `dirs`, sorted per folder.

    Raises:
        SynthdocError: a folder does not exist or no folder holds an image (names the folder and the fix).
    """

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
