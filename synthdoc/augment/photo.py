"""A photographed sheet: the page bent (page curl: rows bow like a sheet lying on a cylinder), placed in
perspective on a procedural surface (:mod:`synthdoc.augment.textures`: wood, fabric, concrete, a dark table)
with a soft contact shadow; then lens vignetting and uneven light (:class:`Vignette`).

The mapping from page pixels to photo pixels is ``H(curl(p))`` with ``curl(x, y) = (x, y + c * (2x / W - 1)^2)``
and ``H`` a homography (scale, rotation, corner jitter). Pixels are warped by its inverse (cv2.remap, bilinear)
and every quad follows the same mapping: its sides are sampled (16 points each), mapped, and the quad becomes
the enclosing quad of the mapped polygon whose sides run through the mapped corners, each pushed outwards just
enough to hold every mapped point (:func:`enclosing_quads`), so orientation and vertex order are kept and a word
stays inside its line.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

import cv2
import numpy as np

from synthdoc.augment.base import (
    AugmentState,
    Step,
    check_range,
    check_value,
    draw,
    draw_seed,
    register,
    smooth_field,
)
from synthdoc.augment.textures import GENERATORS, SURFACES, generate
from synthdoc.doc import Page

SIDE_SAMPLES = 16


def _curl(pts: np.ndarray, c: float, width: int) -> np.ndarray:
    u = 2.0 * pts[:, 0] / width - 1.0
    return np.stack([pts[:, 0], pts[:, 1] + c * u * u], axis=1)


def forward(pts: np.ndarray, params: dict, width: int) -> np.ndarray:
    """(N, 2) page points -> photo points, float64 (module docstring)."""
    p = _curl(np.asarray(pts, np.float64).reshape(-1, 2), float(params["curl_px"]), width)
    hom = np.hstack([p, np.ones((len(p), 1))]) @ np.asarray(params["matrix"], np.float64).T
    return hom[:, :2] / hom[:, 2:3]


def enclosing_quads(quads: np.ndarray, fn, inner: np.ndarray | None = None,
                    parent: np.ndarray | None = None) -> np.ndarray:
    """The quads of `fn`-mapped `quads` ((N, 4, 2), clockwise), vectorised: each side through the mapped corners,
    moved outwards until every mapped sample of the quad's sides (SIDE_SAMPLES per side) and every point of
    `inner` ((M, 2), already mapped; point k belongs to quad ``parent[k]``, e.g. a line's word corners) lies
    inside; corners re-intersected. Returns (N, 4, 2) float32."""
    q = np.asarray(quads, np.float64).reshape(-1, 4, 2)
    n = len(q)
    t = np.linspace(0, 1, SIDE_SAMPLES, endpoint=False)[None, None, :, None]
    samples = q[:, :, None, :] + t * (np.roll(q, -1, axis=1) - q)[:, :, None, :]  # (N, 4, S, 2)
    pts = fn(samples.reshape(-1, 2)).reshape(n, 4 * SIDE_SAMPLES, 2)
    corners = pts[:, ::SIDE_SAMPLES]  # (N, 4, 2)
    along = np.roll(corners, -1, axis=1) - corners
    normal = np.stack([along[..., 1], -along[..., 0]], axis=-1)
    normal /= np.maximum(np.hypot(normal[..., 0], normal[..., 1]), 1e-12)[..., None]
    inward = np.einsum("nij,nij->ni", corners.mean(axis=1, keepdims=True) - corners, normal) > 0
    normal[inward] *= -1  # outward normals
    off = np.einsum("nsj,nij->nis", pts, normal) - np.einsum("nij,nij->ni", corners, normal)[..., None]
    off = np.maximum(off.max(axis=2), 0.0)  # (N, 4)
    if inner is not None and len(inner):
        d = np.einsum("mj,mij->mi", inner, normal[parent]) - np.einsum("mij,mij->mi", corners[parent], normal[parent])
        np.maximum.at(off, parent, d)
    base = corners + off[..., None] * normal  # a point of each shifted side; direction `along`
    p1, d1 = np.roll(base, 1, axis=1), np.roll(along, 1, axis=1)  # the previous side
    den = d1[..., 0] * along[..., 1] - d1[..., 1] * along[..., 0]
    num = (base[..., 0] - p1[..., 0]) * along[..., 1] - (base[..., 1] - p1[..., 1]) * along[..., 0]
    s = np.where(np.abs(den) > 1e-12, num / np.where(np.abs(den) > 1e-12, den, 1.0), 1.0)
    return (p1 + s[..., None] * d1).astype(np.float32)


def map_page(page: Page, fn) -> Page:
    """A copy of `page` whose paragraph, line and word quads are replaced by :func:`enclosing_quads` under `fn`;
    a line's quad also holds its words' quads, a paragraph's its lines' (words stay inside their line)."""
    lines = page.lines
    word_line = np.asarray([k for k, line in enumerate(lines) for _ in line.words], np.int64)
    line_para = np.asarray([k for k, p in enumerate(page.paragraphs) for _ in p.lines], np.int64)
    words = enclosing_quads(np.asarray([w.quad for w in page.words]).reshape(-1, 4, 2), fn)
    line_q = enclosing_quads(np.asarray([ln.quad for ln in lines]).reshape(-1, 4, 2), fn,
                             words.reshape(-1, 2).astype(np.float64), np.repeat(word_line, 4))
    para_q = enclosing_quads(np.asarray([p.quad for p in page.paragraphs]).reshape(-1, 4, 2), fn,
                             line_q.reshape(-1, 2).astype(np.float64), np.repeat(line_para, 4))
    wi = iter(words)
    li = iter(line_q)
    paragraphs = []
    for para, pq in zip(page.paragraphs, para_q):
        new_lines = [dataclasses.replace(line, quad=next(li), words=[dataclasses.replace(w, quad=next(wi))
                                                                     for w in line.words]) for line in para.lines]
        paragraphs.append(dataclasses.replace(para, quad=pq, lines=new_lines))
    return dataclasses.replace(page, paragraphs=paragraphs)


MAP_STEP = 4  # the inverse mapping is evaluated every 4 px and interpolated (it is smooth: < 0.05 px error)


def _inverse_maps(params: dict, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """cv2.remap maps in fixed point (cv2.convertMaps, CV_16SC2 + CV_16UC1): for every photo pixel, the page
    pixel it shows; evaluated on a MAP_STEP grid and upsampled bilinearly."""
    inv = np.linalg.inv(np.asarray(params["matrix"], np.float64)).astype(np.float32)
    gh, gw = height // MAP_STEP + 2, width // MAP_STEP + 2
    # cv2.resize (INTER_LINEAR) gives output pixel x the grid coordinate (x - 1.5) / 4: sample grid j at 4 j + 1.5
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32) * np.float32(MAP_STEP) + np.float32((MAP_STEP - 1) / 2)
    den = inv[2, 0] * xs + inv[2, 1] * ys + inv[2, 2]
    px = (inv[0, 0] * xs + inv[0, 1] * ys + inv[0, 2]) / den
    py = (inv[1, 0] * xs + inv[1, 1] * ys + inv[1, 2]) / den
    u = 2.0 * px / width - 1.0
    py -= np.float32(params["curl_px"]) * u * u
    full = [np.ascontiguousarray(cv2.resize(m, (gw * MAP_STEP, gh * MAP_STEP), interpolation=cv2.INTER_LINEAR)
                                 [:height, :width]) for m in (px, py)]
    return cv2.convertMaps(full[0], full[1], cv2.CV_16SC2)


def _surface(params: dict, width: int, height: int, sheet: np.ndarray) -> np.ndarray:
    """The surface texture (generated at quarter size: the camera focuses on the sheet) with the sheet's soft
    contact shadow: (H, W, 3) uint8."""
    tex = generate(params["surface"], max(2, height // 4), max(2, width // 4), int(params["seed"]))
    tex = cv2.resize(tex, (width, height), interpolation=cv2.INTER_LINEAR)
    small = cv2.resize(sheet, (max(2, width // 4), max(2, height // 4)), interpolation=cv2.INTER_AREA)
    blur = max(0.5, 0.0025 * width)  # 1 % of the width at full size
    shift = np.float32([[1, 0, 0.4 * blur], [0, 1, 0.6 * blur]])
    shadow = cv2.GaussianBlur(cv2.warpAffine(small, shift, small.shape[::-1]), (0, 0), blur)
    shadow = cv2.resize(shadow, (width, height), interpolation=cv2.INTER_LINEAR)
    keep = cv2.convertScaleAbs(shadow, alpha=-float(params["shadow"]), beta=255.0)
    return cv2.multiply(tex, cv2.merge([keep, keep, keep]), scale=1 / 255)


def _over(under: np.ndarray, top: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a3 = cv2.merge([alpha, alpha, alpha])
    return cv2.add(cv2.multiply(top, a3, scale=1 / 255), cv2.multiply(under, cv2.bitwise_not(a3), scale=1 / 255))


@register
@dataclass
class PhotoSheet(Step):
    """The page photographed as a sheet on a surface (module docstring).

    Attributes:
        scale_range: sheet size in the photo, fraction of the page size.
        angle_deg_range: sheet rotation, degrees.
        corner_frac_range: perspective: each corner moves by up to this fraction of the page size.
        curl_frac_range: page curl: bow of the rows at the sheet's sides, fraction of the page height.
        surfaces: surface textures to draw from (:data:`synthdoc.augment.textures.SURFACES` by default).
        shadow_range: darkness of the contact shadow, 0-1.
        margin_px: the sheet keeps at least this distance to the photo's edges, px.
    """

    scale_range: tuple = (0.72, 0.9)
    angle_deg_range: tuple = (-4.0, 4.0)
    corner_frac_range: tuple = (0.01, 0.06)
    curl_frac_range: tuple = (0.0, 0.012)
    surfaces: list = field(default_factory=lambda: list(SURFACES))
    shadow_range: tuple = (0.2, 0.5)
    margin_px: float = 6.0
    name: ClassVar[str] = "PhotoSheet"
    phase: ClassVar[str] = "geometric"

    def validate(self) -> None:
        n = self.name
        self.scale_range = check_range(n, "scale_range", self.scale_range, 0.2, 1)
        self.angle_deg_range = check_range(n, "angle_deg_range", self.angle_deg_range, -30, 30)
        self.corner_frac_range = check_range(n, "corner_frac_range", self.corner_frac_range, 0, 0.15)
        self.curl_frac_range = check_range(n, "curl_frac_range", self.curl_frac_range, 0, 0.05)
        self.shadow_range = check_range(n, "shadow_range", self.shadow_range, 0, 1)
        self.margin_px = check_value(n, "margin_px", self.margin_px, 0, 200)
        if isinstance(self.surfaces, str):
            self.surfaces = [self.surfaces]
        if not self.surfaces or any(s not in GENERATORS for s in self.surfaces):
            raise ValueError(f"{n}: surfaces must list textures among {', '.join(GENERATORS)}, got {self.surfaces!r}")

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        w, h = state.width, state.height
        c = draw(rng, self.curl_frac_range) * h
        scale, angle = draw(rng, self.scale_range), np.deg2rad(draw(rng, self.angle_deg_range))
        jitter = rng.uniform(-1, 1, (4, 2)) * draw(rng, self.corner_frac_range) * np.array([w, h])
        shift = rng.uniform(-1, 1, 2)
        src = np.array([[0, 0], [w, 0], [w, h + c], [0, h + c]], np.float64)
        for _ in range(40):  # shrink until the whole sheet (curl included) fits with the margin
            rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
            dst = (src - [w / 2, (h + c) / 2]) @ rot.T * scale + jitter * scale
            room = np.array([w, h]) / 2 - np.abs(dst).max(axis=0) - self.margin_px
            dst += np.array([w / 2, h / 2]) + shift * np.maximum(room, 0)
            if (dst.min(axis=0) >= self.margin_px).all() and (dst.max(axis=0) <= [w - self.margin_px, h - self.margin_px]).all():
                break
            scale *= 0.95
        m = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))
        return {"matrix": [[float(v) for v in row] for row in m], "curl_px": round(float(c), 3),
                "surface": str(self.surfaces[int(rng.integers(len(self.surfaces)))]),
                "shadow": draw(rng, self.shadow_range), "seed": draw_seed(rng)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        w, h = state.width, state.height
        mx, my = _inverse_maps(params, w, h)
        sheet = cv2.remap(np.full((h, w), 255, np.uint8), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        surface = _surface(params, w, h, sheet)

        def warp(img: np.ndarray) -> np.ndarray:
            return cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)

        state.image = _over(surface, state.warp_with_refs(warp), sheet)
        state.background = surface  # what a later geometric step continues past the photo's edges
        state.bg_matrix = np.eye(3)
        state.page = map_page(state.page, lambda pts: forward(pts, params, w))


@register
@dataclass
class Vignette(Step):
    """Lens vignetting and uneven light: the page multiplied by (1 - strength * r^2) (r: distance from a
    slightly off-centre point, 1 at the farthest corner) and by a smooth light field in [1 - unevenness, 1].

    Attributes:
        strength_range: darkening at the corners, fraction.
        unevenness_range: depth of the light field, fraction.
    """

    strength_range: tuple = (0.15, 0.4)
    unevenness_range: tuple = (0.0, 0.2)
    name: ClassVar[str] = "Vignette"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.strength_range = check_range(self.name, "strength_range", self.strength_range, 0, 1)
        self.unevenness_range = check_range(self.name, "unevenness_range", self.unevenness_range, 0, 1)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"strength": draw(rng, self.strength_range), "unevenness": draw(rng, self.unevenness_range),
                "centre_frac": [draw(rng, (0.35, 0.65)), draw(rng, (0.35, 0.65))], "seed": draw_seed(rng)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        w, h = state.width, state.height
        sw, sh = max(2, w // 8), max(2, h // 8)  # smooth: computed at 1/8 size, upsampled
        cx, cy = (float(v) for v in params["centre_frac"])
        ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
        d2 = ((xs / sw - cx) * w) ** 2 + ((ys / sh - cy) * h) ** 2
        r2 = d2 / max(float(d2.max()), 1e-6)
        light = smooth_field(int(params["seed"]), sh, sw, 3, 1 - float(params["unevenness"]), 1.0)
        gain = (1 - float(params["strength"]) * r2) * light
        g8 = cv2.resize(np.clip(gain * 255 + 0.5, 0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
        state.image = cv2.multiply(state.image, cv2.merge([g8, g8, g8]), scale=1 / 255)
