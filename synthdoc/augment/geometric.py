"""Geometric phase: small rotation, perspective and scale/crop-with-margin.

Every step builds one 3x3 matrix (page pixels -> page pixels) and applies it to the pixels
(cv2.warpAffine / cv2.warpPerspective, bilinear) and to every word, line and paragraph quad
(:func:`synthdoc.types.transform_quads`); bboxes are recomputed from the transformed quads when the row is
written. The matrix is composed with a scale-and-shift so that every quad stays inside the page with
``margin_px`` to spare (:func:`fit_to_page`). The transforms preserve orientation, so quads stay convex and
clockwise and vertex 0 stays the text frame's top-left. Uncovered page area is filled with a continuation of
the background layer (reflected at the page edge; it holds no text, so no unlabelled ink appears), never a flat
patch (:func:`fill_uncovered`), or with ``border_rgb`` when a stack asks for a flat colour.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from synthdoc.augment.base import (
    AugmentState,
    Step,
    check_range,
    check_rgb,
    check_value,
    draw,
    register,
)
from synthdoc.doc import Page
from synthdoc.types import transform_quads


def page_points(page: Page) -> np.ndarray:
    """(N, 2) float64: every vertex of every paragraph, line and word quad of `page`, page pixels."""
    quads = [p.quad for p in page.paragraphs] + [line.quad for line in page.lines] + [w.quad for w in page.words]
    return np.asarray(quads, np.float64).reshape(-1, 2)


def _apply_h(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    hom = np.hstack([pts, np.ones((len(pts), 1))]) @ m.T
    return hom[:, :2] / hom[:, 2:3]


def fit_to_page(matrix: np.ndarray, points: np.ndarray, width: int, height: int, margin_px: float) -> np.ndarray:
    """`matrix` followed by the smallest scale-down (about the points' box centre) and shift that keep every
    transformed point inside [margin, width - margin] x [margin, height - margin].

    Args:
        matrix: (3, 3) page -> page transform.
        points: (N, 2) points that must stay inside (the page's quad vertices).
        width, height: page size, px.
        margin_px: room to keep at every page edge, px.

    Returns:
        (3, 3) float64 matrix (``matrix`` itself when nothing leaves the page).
    """
    m = np.asarray(matrix, np.float64)
    if len(points) == 0:
        return m
    p = _apply_h(m, points)
    lo, hi = p.min(axis=0), p.max(axis=0)
    room = np.array([width - 2 * margin_px, height - 2 * margin_px], np.float64)
    size = np.maximum(hi - lo, 1e-9)
    s = min(1.0, float((room / size).min()))
    c = (lo + hi) / 2
    lo2, hi2 = c + (lo - c) * s, c + (hi - c) * s
    shift = np.maximum(0.0, margin_px - lo2) - np.maximum(0.0, hi2 - (np.array([width, height]) - margin_px))
    if s == 1.0 and not shift.any():
        return m
    fit = np.array([[s, 0, (1 - s) * c[0] + shift[0]], [0, s, (1 - s) * c[1] + shift[1]], [0, 0, 1]], np.float64)
    return fit @ m


def transform_page(page: Page, matrix: np.ndarray) -> Page:
    """A copy of `page` whose paragraph, line and word quads are mapped by the (3, 3) `matrix`.

    Glyph runs (drawing instructions of the clean render) and meta are kept as they are.
    """
    m = np.asarray(matrix, np.float64)
    quads = [para.quad for para in page.paragraphs]
    quads += [line.quad for para in page.paragraphs for line in para.lines]
    quads += [w.quad for para in page.paragraphs for line in para.lines for w in line.words]
    if not quads:
        return page
    moved = iter(transform_quads(np.asarray(quads, np.float32), m))  # every quad of the page in one product
    para_quads = [next(moved) for _ in page.paragraphs]
    line_quads = [[next(moved) for _ in para.lines] for para in page.paragraphs]
    paragraphs = []
    for para, pq, lqs in zip(page.paragraphs, para_quads, line_quads):
        lines = [dataclasses.replace(line, quad=lq, words=[dataclasses.replace(w, quad=next(moved)) for w in line.words])
                 for line, lq in zip(para.lines, lqs)]
        paragraphs.append(dataclasses.replace(para, quad=pq, lines=lines))
    return dataclasses.replace(page, paragraphs=paragraphs)


def _warp(img: np.ndarray, m: np.ndarray, size: tuple[int, int], border: int, value=0, dst=None) -> np.ndarray:
    """`img` warped by the (3, 3) matrix `m` (affine when its last row is [0, 0, 1]), bilinear."""
    if np.allclose(m[2], [0, 0, 1], atol=0, rtol=0):
        return cv2.warpAffine(img, m[:2], size, dst=dst, flags=cv2.INTER_LINEAR, borderMode=border, borderValue=value)
    return cv2.warpPerspective(img, m, size, dst=dst, flags=cv2.INTER_LINEAR, borderMode=border, borderValue=value)


def _uncovered_bands(m: np.ndarray, width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Rectangles (x0, y0, x1, y1) that hold every output pixel the page mapped by `m` does not cover: bands
    along the four edges, as deep as the mapped page edge lies inside (2 px spare); none for a side the page
    still covers."""
    c = _apply_h(m, np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64))
    left = int(np.ceil(max(c[0, 0], c[3, 0]))) + 2
    right = width - int(np.floor(min(c[1, 0], c[2, 0]))) + 2
    top = int(np.ceil(max(c[0, 1], c[1, 1]))) + 2
    bottom = height - int(np.floor(min(c[2, 1], c[3, 1]))) + 2
    bands = [(0, 0, width, top), (0, height - bottom, width, height), (0, 0, left, height), (width - right, 0, width, height)]
    return [(max(0, x0), max(0, y0), min(width, x1), min(height, y1)) for x0, y0, x1, y1 in bands
            if min(width, x1) > max(0, x0) and min(height, y1) > max(0, y0) and (x1 - x0 > 2 and y1 - y0 > 2)]


def fill_uncovered(state: AugmentState, m: np.ndarray, warped: np.ndarray) -> None:
    """Add, in place, the background layer continued past the page edges to `warped` (the page warped by `m`
    with a zero border): in the bands the page leaves uncovered, ``state.background`` (unwarped;
    ``state.bg_matrix`` maps it onto the current page) warped by ``m @ bg_matrix`` with reflected borders, weighted
    by 1 - the page's coverage (a warped all-255 mask), so edge pixels blend exactly."""
    total = m @ state.bg_matrix
    ones = np.full((state.height, state.width), 255, np.uint8)
    for x0, y0, x1, y1 in _uncovered_bands(m, state.width, state.height):
        shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
        size = (x1 - x0, y1 - y0)
        bg = _warp(state.background, shift @ total, size, cv2.BORDER_REFLECT_101)
        gap = cv2.bitwise_not(_warp(ones, shift @ m, size, cv2.BORDER_CONSTANT))
        band = warped[y0:y1, x0:x1]
        band[...] = cv2.add(band, cv2.multiply(bg, cv2.merge([gap, gap, gap]), scale=1 / 255))


def warp_state(state: AugmentState, matrix, border_rgb) -> None:
    """Warp the page pixels and quads of `state` by `matrix` ((3, 3) nested lists or array).

    Uncovered area: with `border_rgb` None, a continuation of the page's background layer (the background,
    which holds no text, warped with reflected borders: :func:`fill_uncovered`), so textures and gradients run
    on without a flat patch. With `border_rgb`, that flat colour. ``state.bg_matrix`` accumulates the mapping.
    """
    m = np.asarray(matrix, np.float64)
    size = (state.width, state.height)
    fill = (0.0, 0.0, 0.0) if border_rgb is None else tuple(float(c) for c in border_rgb)
    state.image = _warp(state.image, m, size, cv2.BORDER_CONSTANT, fill)
    if border_rgb is None:
        fill_uncovered(state, m, state.image)
    state.bg_matrix = m @ state.bg_matrix
    state.warp_refs(lambda r: _warp(r, m, size, cv2.BORDER_CONSTANT))
    state.page = transform_page(state.page, m)


@dataclass
class _Geometric(Step):
    """Shared fields of the geometric steps.

    Attributes:
        margin_px: quads keep at least this distance to the page edges, px.
        border_rgb: fill colour of uncovered area (sRGB 0-255), or None for a continuation of the background.
    """

    margin_px: float = 4.0
    border_rgb: tuple | None = None
    phase: ClassVar[str] = "geometric"

    def validate(self) -> None:
        self.margin_px = check_value(self.name, "margin_px", self.margin_px, 0, 200)
        if self.border_rgb is not None:
            self.border_rgb = check_rgb(self.name, "border_rgb", self.border_rgb)

    def _params(self, state: AugmentState, matrix: np.ndarray, **extra) -> dict:
        m = fit_to_page(matrix, page_points(state.page), state.width, state.height, self.margin_px)
        return {**extra, "matrix": [[float(v) for v in row] for row in m],
                "border_rgb": None if self.border_rgb is None else list(self.border_rgb)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        warp_state(state, params["matrix"], params["border_rgb"])


@register
@dataclass
class Rotate(_Geometric):
    """Rotation about the page centre by angle_deg (positive = counter-clockwise on screen, as
    cv2.getRotationMatrix2D), scaled down just enough to keep every quad inside the page.

    Attributes:
        angle_deg_range: rotation angle, degrees.
    """

    angle_deg_range: tuple = (-2.0, 2.0)
    name: ClassVar[str] = "Rotate"

    def validate(self) -> None:
        super().validate()
        self.angle_deg_range = check_range(self.name, "angle_deg_range", self.angle_deg_range, -45, 45)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        angle = draw(rng, self.angle_deg_range)
        m = np.vstack([cv2.getRotationMatrix2D((state.width / 2, state.height / 2), angle, 1.0), [0, 0, 1]])
        return self._params(state, m, angle_deg=angle)


@register
@dataclass
class Perspective(_Geometric):
    """A perspective (photographed page) transform: the page corners move inwards or outwards by up to
    corner_frac of the page size each; the mapping of the page onto that quadrilateral is then fitted.

    Attributes:
        corner_frac_range: corner displacement, fraction of the page width (x) and height (y).
    """

    corner_frac_range: tuple = (0.0, 0.03)
    name: ClassVar[str] = "Perspective"

    def validate(self) -> None:
        super().validate()
        self.corner_frac_range = check_range(self.name, "corner_frac_range", self.corner_frac_range, 0, 0.2)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        w, h = state.width, state.height
        src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
        amount = draw(rng, self.corner_frac_range)
        jitter = rng.uniform(-1, 1, (4, 2)) * amount * np.array([w, h])
        dst = src + np.round(jitter, 2)
        m = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))
        return self._params(state, m, corners_px=np.round(dst, 2).tolist())


@register
@dataclass
class ScaleCrop(_Geometric):
    """Scale about the page centre and shift: scales above 1 crop the page (zoom in) while keeping every quad
    inside with margin_px to spare (the scale is reduced if the text does not fit); scales below 1 leave a
    border. The shift is drawn inside what keeps the text on the page.

    Attributes:
        scale_range: scale factor.
    """

    scale_range: tuple = (0.92, 1.08)
    name: ClassVar[str] = "ScaleCrop"

    def validate(self) -> None:
        super().validate()
        self.scale_range = check_range(self.name, "scale_range", self.scale_range, 0.25, 4)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        w, h = state.width, state.height
        s = draw(rng, self.scale_range)
        pts = page_points(state.page)
        m = np.array([[s, 0, (1 - s) * w / 2], [0, s, (1 - s) * h / 2], [0, 0, 1]], np.float64)
        if len(pts):  # shift: anywhere that keeps the (scaled) text box inside the margins
            p = _apply_h(m, pts)
            lo, hi = p.min(axis=0), p.max(axis=0)
            low = self.margin_px - lo
            high = np.array([w, h]) - self.margin_px - hi
            t = [round(float(rng.uniform(a, b)), 2) if a <= b else 0.0 for a, b in zip(low, high)]
            m[:2, 2] += t
        return self._params(state, m, scale=s)
