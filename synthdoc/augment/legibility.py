"""Legibility measured, not assumed: after the whole augmentation stack (and on clean pages too), every word's
glyph ink is compared with what survives in the final page, and words that are no longer legible are marked
``ignore`` ("don't care": HierText ``legible: false``, ICDAR / PaddleOCR ``###``).

The reference is the clean ink of the render: the union of the ink coverage masks before any text step, moved
by every geometric and elastic step with the page (so it lies on the same transformed geometry as the final
quads). One vectorised pass per page, over the pixels inside word quads only:

* ``core`` pixels of a word: reference ink coverage >= 25 % inside the word's quad (its drawn glyphs; a quarter,
  so that a hairline dash drawn at 40 % coverage still counts as ink);
* ``background`` pixels: inside the quad, farther than 1 px from any drawn layer (ink, outline, shadow),
  sampled on every third row and column;
* the word's ink and background luminance: means of relative luminance (WCAG transfer curve applied to the
  final page's luma) over those pixels.

A word is illegible (rule :class:`LegibilityRule`, thresholds from the stack YAML's ``legibility:`` mapping) when

1. it has fewer than ``min_ink_px`` core pixels (its glyphs produce no ink: tofu-free empty glyphs, zero-width
   text, glyphs clipped away), or
2. the WCAG contrast ratio between its mean ink and mean background luminance is below ``min_contrast_ratio``, or
3. in one of its glyph-sized cells (``cell_frac`` of the text height along the word), fewer than
   ``min_coverage`` of the clean strokes' centre-line pixels still differ from the word's background, in the
   ink's direction, by a WCAG ratio of at least ``min_pixel_ratio`` (strokes erased, thinned away or blurred
   into the paper). Centre lines (distance-transform ridges, :func:`synthdoc.augment.base.stroke_ridge`) weigh every stroke by its length, so the erased
   hairline arms of a serif "E" count even though its stem survives.

Lines are not labelled separately: a line whose words are all ignored is an ignored line (exports derive it:
PaddleOCR writes ``###`` for it, HierText marks it ``legible: false``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from synthdoc.augment.base import stroke_ridge
from synthdoc.doc import Page

_LIN = np.where(np.arange(256) / 255.0 <= 0.03928, np.arange(256) / 255.0 / 12.92,
                ((np.arange(256) / 255.0 + 0.055) / 1.055) ** 2.4)
CORE_COVERAGE = 64  # ink coverage (0-255) from which a pixel is glyph ink for the check
BG_STRIDE = 3  # background luminance is sampled on every 3rd row and column
_LUT_Y = _LIN.astype(np.float32)


@dataclass(frozen=True)
class LegibilityRule:
    """Thresholds of the per-word legibility check (module docstring). Set per stack under ``legibility:``.

    Attributes:
        min_ink_px: a word needs at least this many core ink pixels (coverage >= 25 %).
        min_contrast_ratio: WCAG ratio of the word's mean ink against its mean local background, 1-21.
        min_pixel_ratio: a core pixel "survives" when its WCAG ratio against the word's background, in the ink's
            direction, is at least this, 1-21.
        min_coverage: fraction of the stroke centre-line pixels that must survive in every glyph-sized cell of
            the word, 0-1.
        cell_frac: cell length along the word, fraction of the text height (about one narrow glyph).
        min_cell_px: cells with fewer centre-line pixels are not judged (a cell holding a stroke's tip).
    """

    min_ink_px: int = 2
    min_contrast_ratio: float = 1.6
    min_pixel_ratio: float = 1.3
    min_coverage: float = 0.5
    cell_frac: float = 0.5
    min_cell_px: int = 6

    KEYS = ("min_ink_px", "min_contrast_ratio", "min_pixel_ratio", "min_coverage", "cell_frac", "min_cell_px")

    @classmethod
    def from_mapping(cls, data, where: str) -> LegibilityRule:
        """The rule of a stack's ``legibility:`` mapping (missing keys keep the defaults).

        Raises:
            ValueError: not a mapping, unknown key or a value out of range (names `where` and the key).
        """
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError(f"{where}: legibility must be a mapping of {', '.join(cls.KEYS)}")
        bad = sorted(set(data) - set(cls.KEYS))
        if bad:
            raise ValueError(f"{where}: legibility: unknown key {bad[0]!r}; valid: {', '.join(cls.KEYS)}")
        bounds = {"min_ink_px": (0, 10000), "min_contrast_ratio": (1, 21), "min_pixel_ratio": (1, 21),
                  "min_coverage": (0, 1), "cell_frac": (0.05, 100), "min_cell_px": (1, 10000)}
        for k, v in data.items():
            lo, hi = bounds[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
                raise ValueError(f"{where}: legibility: {k} must be a number in [{lo}, {hi}], got {v!r}")
        return cls(**{k: (int(v) if k in ("min_ink_px", "min_cell_px") else float(v)) for k, v in data.items()})

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.KEYS}


def word_quads(page: Page) -> np.ndarray:
    """(N, 4, 2) float64 quads of the N words of `page`, flat word order, px."""
    return np.asarray([w.quad for w in page.words], np.float64).reshape(-1, 4, 2)


def words_box(page: Page, quads: np.ndarray | None = None) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) integer box of every word quad of `page` (`quads` if already computed by
    :func:`word_quads`), grown by 1 px and clipped to the page."""
    q = (word_quads(page) if quads is None else quads).reshape(-1, 2)
    x0, y0 = (max(0, int(np.floor(v)) - 1) for v in q.min(axis=0))
    x1, y1 = min(page.width, int(np.ceil(q[:, 0].max())) + 2), min(page.height, int(np.ceil(q[:, 1].max())) + 2)
    return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


def word_label_map(page: Page, box: tuple[int, int, int, int] | None = None,
                   quads: np.ndarray | None = None) -> np.ndarray:
    """(h, w) uint16 (int32 from 65,535 words) over `box` (x0, y0, x1, y1; default the whole page): 1 + the flat
    word index whose quad covers each pixel (cv2.fillPoly, later words win where quads overlap), 0 outside every
    word quad. `quads`: :func:`word_quads` of `page` if already computed."""
    x0, y0, x1, y1 = box or (0, 0, page.width, page.height)
    quads = word_quads(page) if quads is None else quads
    labels = np.zeros((y1 - y0, x1 - x0), np.uint16 if len(quads) < 65535 else np.int32)
    for k, q in enumerate(np.round(quads - (x0, y0)).astype(np.int32)):
        cv2.fillPoly(labels, [q], k + 1)
    return labels


def _luminance(grey: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Relative luminance (WCAG transfer curve) of the flat pixel indices `idx` of the (H, W) uint8 luma image
    `grey` (cv2.COLOR_RGB2GRAY): (N,) float32. Luma stands in for the three-channel luminance (one gather
    instead of three; ink and paper colours differ from it by a few percent)."""
    return _LUT_Y.take(grey.ravel().take(idx))


def _word_frames(q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per word of the (N, 4, 2) quads `q`: origin (N, 2) (quad vertex 0), unit reading direction (N, 2)
    (vertex 0 -> 1), length (N,) and text height (N,) (vertex 0 -> 3), px, float64."""
    along = q[:, 1] - q[:, 0]
    length = np.hypot(*along.T)
    return q[:, 0], along / np.maximum(length, 1e-9)[:, None], length, np.hypot(*(q[:, 3] - q[:, 0]).T)


def _cell_keys(idx: np.ndarray, lab: np.ndarray, quads: np.ndarray, cell_frac: float,
               box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Cells of about one glyph along each word (its (N, 4, 2) `quads`): (pixel cell key (M,), first key of each
    word (N + 1,)); `idx` are flat indices into the `box` crop."""
    origin, unit, length, height = _word_frames(quads)
    size = np.maximum(cell_frac * height, 1.0)
    n_cells = np.ceil(length / size).astype(np.int64) + 1
    first = np.concatenate([[0], np.cumsum(n_cells)])
    ys, xs = np.divmod(idx, box[2] - box[0])
    xs, ys = xs + box[0], ys + box[1]
    ox, oy, ux, uy = (np.ascontiguousarray(v) for v in (origin[:, 0], origin[:, 1], unit[:, 0], unit[:, 1]))
    t = (xs - ox.take(lab)) * ux.take(lab) + (ys - oy.take(lab)) * uy.take(lab)  # 1-D takes: fast gathers
    cell = np.clip(np.floor(t / size.take(lab)), 0, n_cells.take(lab) - 1).astype(np.int64)
    return first.take(lab) + cell, first


def _crop_points(ys: np.ndarray, xs: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The pixels (rows `ys`, columns `xs`, (M,) int64, row-major order) that lie inside `box` (x0, y0, x1, y1),
    as flat indices into the box crop (ascending)."""
    x0, y0, x1, y1 = box
    keep = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)
    return (ys[keep] - y0) * (x1 - x0) + (xs[keep] - x0)


def word_measures(image: np.ndarray, ink_ref: np.ndarray, drawn_ref: np.ndarray, page: Page,
                  rule: LegibilityRule, ridge: tuple | None = None, coverage: bool = True) -> dict:
    """Per-word ink measures of the final page (module docstring).

    Args:
        image: (H, W, 3) uint8 RGB final page.
        ink_ref: (H, W) uint8 clean glyph ink coverage, on the final geometry.
        drawn_ref: (H, W) uint8 coverage of everything drawn over the background (ink and text effects).
        page: the page with its final quads.
        rule: the thresholds (min_pixel_ratio, cell_frac, min_cell_px are used here).
        ridge: ((M,) int64 rows, (M,) int64 columns) of the stroke centre-line pixels of `ink_ref` in row-major
            order if already computed (:func:`synthdoc.augment.base.ridge_points`); None computes them inside the
            words' box.
        coverage: measure stroke survival; False on a page no step changed (the final ink is the clean ink by
            construction, coverage 1.0), which leaves only the no-ink and contrast rules.

    Returns:
        {"ink_px": (N,) int64 core pixels, "contrast": (N,) float64 WCAG ratio of mean ink vs mean background,
        "coverage": (N,) float64 lowest surviving fraction of stroke centre-line pixels over the word's
        glyph-sized cells (1.0 when no cell has min_cell_px of them)} for the N words of `page`.
    """
    quads = word_quads(page)
    n = len(quads)
    box = words_box(page, quads)
    crop = (slice(box[1], box[3]), slice(box[0], box[2]))  # everything below works inside the words' box
    labels = word_label_map(page, box, quads)
    ink_ref, drawn_ref = ink_ref[crop], drawn_ref[crop]
    core = cv2.threshold(ink_ref, CORE_COVERAGE - 1, 1, cv2.THRESH_BINARY)[1]  # 0 / 1
    core_idx = np.flatnonzero(cv2.min(core, cv2.compare(labels, 0, cv2.CMP_GT)).view(bool))  # core ink in quads
    lab = labels.ravel().take(core_idx).astype(np.intp) - 1
    grey = cv2.cvtColor(image[crop], cv2.COLOR_RGB2GRAY)
    lum = _luminance(grey, core_idx)
    n_core = np.bincount(lab, minlength=n)
    ink = np.bincount(lab, weights=lum, minlength=n) / np.maximum(n_core, 1)
    bg = _background(grey, drawn_ref, labels, n)
    contrast = (np.maximum(ink, bg) + 0.05) / (np.minimum(ink, bg) + 0.05)
    if not coverage:
        return {"ink_px": n_core, "contrast": contrast, "coverage": np.ones(n)}
    if ridge is None:
        ridge_idx = core_idx[stroke_ridge(ink_ref)[0].ravel()[core_idx]]  # the ridge lies inside the core
    else:
        ridge_idx = _crop_points(*ridge, box)
        ridge_idx = ridge_idx[labels.ravel()[ridge_idx] > 0]
    return {"ink_px": n_core, "contrast": contrast,
            "coverage": _coverage(grey, labels, ridge_idx, ink, bg, quads, rule, box)}


def _coverage(grey: np.ndarray, labels: np.ndarray, ridge_idx: np.ndarray, ink: np.ndarray, bg: np.ndarray,
              quads: np.ndarray, rule: LegibilityRule, box: tuple[int, int, int, int]) -> np.ndarray:
    """(N,) lowest surviving fraction of the stroke centre-line pixels (flat indices `ridge_idx`) over each
    word's glyph-sized cells; `ink` and `bg` are the words' mean luminances; arrays cover the `box` crop."""
    lr = labels.ravel().take(ridge_idx).astype(np.intp) - 1
    lc, bc = _luminance(grey, ridge_idx), bg.take(lr)
    pix_ratio = np.where((ink <= bg).take(lr), (bc + 0.05) / (lc + 0.05), (lc + 0.05) / (bc + 0.05))
    keys, first = _cell_keys(ridge_idx, lr, quads, rule.cell_frac, box)
    total = np.bincount(keys, minlength=first[-1])
    alive = np.bincount(keys, weights=(pix_ratio >= rule.min_pixel_ratio).astype(np.float64), minlength=first[-1])
    cov = np.where(total >= rule.min_cell_px, alive / np.maximum(total, 1), 1.0)
    return np.minimum.reduceat(cov, first[:-1])


def _background(grey: np.ndarray, drawn_ref: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    """(N,) float64 mean WCAG luminance of each word's background: pixels of its quad farther than 1 px from
    anything drawn, sampled on every BG_STRIDE-th row and column (a mean needs no more). A word without such
    pixels gets the mean over all words."""
    w = labels.shape[1]
    lab = labels[::BG_STRIDE, ::BG_STRIDE]
    far = cv2.dilate(drawn_ref, np.ones((3, 3), np.uint8))[::BG_STRIDE, ::BG_STRIDE] == 0
    flat = np.flatnonzero((lab > 0) & far)  # row-major, as np.nonzero
    rows, cols = np.divmod(flat, lab.shape[1])
    lb = lab.ravel()[flat].astype(np.intp) - 1
    lum = _luminance(grey, rows * (BG_STRIDE * w) + cols * BG_STRIDE)
    count = np.bincount(lb, minlength=n)
    fallback = float(lum.mean()) if len(lum) else 1.0
    return np.where(count > 0, np.bincount(lb, weights=lum, minlength=n) / np.maximum(count, 1), fallback)


def illegible_words(image: np.ndarray, ink_ref: np.ndarray, drawn_ref: np.ndarray, page: Page,
                    rule: LegibilityRule, ridge: tuple | None = None, coverage: bool = True) -> np.ndarray:
    """(N,) bool: the words of `page` that `rule` finds illegible in `image` (arguments as :func:`word_measures`)."""
    if not page.words:
        return np.zeros(0, bool)
    m = word_measures(image, ink_ref, drawn_ref, page, rule, ridge, coverage)
    return ((m["ink_px"] < rule.min_ink_px) | (m["contrast"] < rule.min_contrast_ratio)
            | (m["coverage"] < rule.min_coverage))


def mark_illegible(page: Page, bad: np.ndarray) -> tuple[Page, int]:
    """A copy of `page` whose words flagged in `bad` ((N,) bool, flat word order) are ``ignore``; words already
    ignored stay ignored. Returns (page, number of words newly ignored)."""
    if not bad.any():
        return page, 0
    k = 0
    newly = 0
    paragraphs = []
    for para in page.paragraphs:
        lines = []
        for line in para.lines:
            words = []
            for w in line.words:
                if bad[k] and not w.ignore:
                    w = dataclasses.replace(w, ignore=True)
                    newly += 1
                words.append(w)
                k += 1
            lines.append(dataclasses.replace(line, words=words))
        paragraphs.append(dataclasses.replace(para, lines=lines))
    return dataclasses.replace(page, paragraphs=paragraphs), newly
