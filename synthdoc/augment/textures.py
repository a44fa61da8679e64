"""Procedural textures without the internet: paper grain, recycled paper, cardboard, fabric, wood, concrete and
a dark table top, each a pure function of its parameters and a seed.

Every generator takes ``(height, width, seed, **params)`` and returns an (H, W, 3) uint8 RGB image; the
parameters are plain numbers (JSON in a step's record). Low-frequency structure is computed on a coarse grid
and upsampled (:func:`synthdoc.augment.base.smooth_field`), so a 1240x1754 texture costs a few ms to ~20 ms.

Used by :class:`synthdoc.augment.backdrop.ProceduralPaper` (paper grain, recycled paper, cardboard multiplied
into the page) and :class:`synthdoc.augment.photo.PhotoSheet` (fabric, wood, concrete, dark table as the surface
a photographed sheet lies on). For photographs of real surfaces use ``TextureFolder`` with a folder of images.
"""
from __future__ import annotations

import cv2
import numpy as np

from synthdoc.augment.base import smooth_field


def _rgb(base, shade: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: the colour `base` (3 values 0-255) times the (H, W) float32 `shade` (around 1)."""
    shade = np.asarray(shade, np.float32)
    out = cv2.multiply(cv2.merge([shade, shade, shade]), tuple(float(c) for c in base[:3]) + (0.0,))
    return cv2.convertScaleAbs(out)  # rounds and saturates to 0-255 (the product is never negative here)


def _grain(g: np.random.Generator, height: int, width: int, amount: float) -> np.ndarray:
    """(H, W) float32 zero-mean uniform noise of +-amount."""
    return (g.random((height, width), dtype=np.float32) - 0.5) * np.float32(2 * amount)


def paper_grain(height: int, width: int, seed: int, tint=(246, 242, 232), grain: float = 0.04,
                mottle: float = 0.04) -> np.ndarray:
    """Fine paper: a tint with soft mottling and pixel grain (fractions of the tint's brightness)."""
    g = np.random.default_rng(seed)
    shade = smooth_field(seed + 1, height, width, 10, 1 - mottle, 1.0) + _grain(g, height, width, grain / 2)
    return _rgb(tint, shade)


def recycled_paper(height: int, width: int, seed: int, tint=(226, 220, 204), flecks: int = 1500,
                   grain: float = 0.06) -> np.ndarray:
    """Recycled paper: greyish beige, mottled, with dark and coloured flecks of 1-3 px."""
    g = np.random.default_rng(seed)
    img = _rgb(tint, smooth_field(seed + 1, height, width, 16, 0.93, 1.0) + _grain(g, height, width, grain / 2))
    n = int(flecks * height * width / 2e6)
    xs, ys = g.integers(0, width, n), g.integers(0, height, n)
    colours = g.integers(60, 200, (n, 3))
    for x, y, c, r in zip(xs, ys, colours, g.integers(1, 3, n)):
        cv2.circle(img, (int(x), int(y)), int(r) - 1 if r > 1 else 0, tuple(int(v) for v in c), -1, cv2.LINE_AA)
    return img


def cardboard(height: int, width: int, seed: int, tint=(181, 146, 104), flute_px: float = 9.0,
              flute: float = 0.03, grain: float = 0.08) -> np.ndarray:
    """Brown cardboard: mottled, with faint corrugation flutes (horizontal waves flute_px apart) and fibre grain."""
    g = np.random.default_rng(seed)
    ys = np.arange(height, dtype=np.float32)[:, None]
    shade = smooth_field(seed + 1, height, width, 8, 0.9, 1.05) + flute * np.sin(2 * np.pi * ys / flute_px)
    fibres = cv2.blur(_grain(g, height, width, grain), (7, 1))  # streaks along x
    return _rgb(tint, shade + fibres)


def fabric(height: int, width: int, seed: int, colour=(70, 90, 130), period_px: float = 6.0,
           weave: float = 0.18, grain: float = 0.05) -> np.ndarray:
    """Woven fabric: warp and weft threads (alternating sinusoidal ridges period_px apart) with slow folds."""
    g = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    k = np.float32(2 * np.pi / period_px)
    threads = np.where(np.sin(k * xs / 2) * np.sin(k * ys / 2) > 0, np.sin(k * xs) ** 2, np.sin(k * ys) ** 2)
    shade = 1 - weave + weave * threads + smooth_field(seed + 1, height, width, 4, -0.12, 0.12)
    return _rgb(colour, shade + _grain(g, height, width, grain / 2))


def wood(height: int, width: int, seed: int, colour=(150, 104, 62), ring_px: float = 22.0,
         rings: float = 0.22, turbulence_px: float = 30.0) -> np.ndarray:
    """Wood (a desk): growth rings along x, ring_px apart, bent by a smooth turbulence field, with fine grain."""
    g = np.random.default_rng(seed)
    ys = np.arange(height, dtype=np.float32)[:, None]
    bend = smooth_field(seed + 1, height, width, 6, -turbulence_px, turbulence_px)
    phase = (ys + bend + 0.02 * np.arange(width, dtype=np.float32)[None, :]) / ring_px
    ring = 0.5 + 0.5 * np.sin(2 * np.pi * phase) ** 3
    streaks = cv2.blur(_grain(g, height, width, 0.12), (25, 1))
    return _rgb(colour, 1 - rings + rings * ring + streaks)


def concrete(height: int, width: int, seed: int, grey: float = 150.0, roughness: float = 0.12,
             pits: int = 3000) -> np.ndarray:
    """Concrete: grey with blotches at two scales, fine grain and small dark pits."""
    g = np.random.default_rng(seed)
    shade = (smooth_field(seed + 1, height, width, 6, 1 - roughness, 1 + roughness)
             + smooth_field(seed + 2, height, width, 40, -roughness / 2, roughness / 2) + _grain(g, height, width, 0.08))
    img = _rgb((grey, grey, grey * 0.97), shade)
    n = int(pits * height * width / 2e6)
    for x, y in zip(g.integers(0, width, n), g.integers(0, height, n)):
        cv2.circle(img, (int(x), int(y)), 1, (int(grey * 0.5),) * 3, -1, cv2.LINE_AA)
    return img


def dark_table(height: int, width: int, seed: int, grey: float = 38.0, sheen: float = 0.35) -> np.ndarray:
    """A dark table top: near-black with a broad soft reflection and a little grain."""
    g = np.random.default_rng(seed)
    shade = smooth_field(seed + 1, height, width, 2, 1.0, 1.0 + sheen) + _grain(g, height, width, 0.06)
    return _rgb((grey, grey * 1.02, grey * 1.08), shade)


GENERATORS = {"paper_grain": paper_grain, "recycled_paper": recycled_paper, "cardboard": cardboard,
              "fabric": fabric, "wood": wood, "concrete": concrete, "dark_table": dark_table}
"""Texture kind -> generator ``(height, width, seed, **params) -> (H, W, 3) uint8 RGB``."""

PAPERS = ("paper_grain", "recycled_paper", "cardboard")
SURFACES = ("fabric", "wood", "concrete", "dark_table")


def generate(kind: str, height: int, width: int, seed: int, **params) -> np.ndarray:
    """The texture `kind` (a key of :data:`GENERATORS`).

    Raises:
        ValueError: unknown kind (lists the known ones) or parameter.
    """
    fn = GENERATORS.get(kind)
    if fn is None:
        raise ValueError(f"unknown texture {kind!r}; known: {', '.join(GENERATORS)}")
    return fn(height, width, seed, **params)
