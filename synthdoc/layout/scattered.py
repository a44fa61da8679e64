"""scattered: scene-text-like pages. Short phrases (1-3 words, or 1-6 characters in scripts without spaces) at
random positions, sizes and rotations, each in its own face and colour, over a procedural photo-like texture
(:func:`synthdoc.background.texture`, ``page.background``).

Geometry: a phrase is typeset upright on one line with its box centred on a random pivot, then turned by
``angle_deg`` (counter-clockwise on screen for positive angles) about that pivot with
``cv2.getRotationMatrix2D(pivot, angle_deg, 1)``: the glyph runs carry ``angle_deg`` / ``pivot`` (the renderer
applies the same matrix) and the word and line quads are mapped with it, so vertex 0 turns with the text and
quads stay clockwise. A phrase is rejected when its rotated quad intersects (``cv2.intersectConvexConvex``)
the quad of a placed phrase grown by ``gap_px``, or leaves the page.

Each phrase is one Line in its own Paragraph (role "body") with exactly one glyph run: ``page.runs[k]`` draws
``page.lines[k]``. Reading order: by the top of each phrase's quad, then left to right. Ink: a colour whose
WCAG 2.x contrast ratio with the mean texture colour under the phrase's quad is at least ``min_contrast``; a spot
where the ink would contrast less than ``min_local_contrast`` with the 5th or 95th percentile grey level under
the quad (a busy part of the texture) is rejected and another position tried.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Iterator

import cv2
import numpy as np

from synthdoc.background import TEXTURE_STYLES, render_background, texture
from synthdoc.colour import contrast_ratio, mean_color_under, text_color_for
from synthdoc.doc import BackgroundSpec, FaceRef, Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.plan import Plan, Tape
from synthdoc.layout.registry import layout_mode
from synthdoc.layout.template import check_choices, sample_range, sample_weighted
from synthdoc.layout.typeset import SetLine, TofuError, place_horizontal, typeset_horizontal
from synthdoc.text.units import cut_points, text_unit
from synthdoc.types import rect_quad, transform_quads

_WIDE = 1e6  # line width for single-line typesetting, px
_MAX_TEXT_TRIES = 12


@dataclass(frozen=True)
class Params:
    """scattered template parameters (layouts/scattered.yaml documents each)."""

    page_sizes_px: dict = field(default_factory=lambda: {"portrait": [1240, 1754], "landscape": [1754, 1240]})
    page_size_weights: dict = field(default_factory=lambda: {"portrait": 1, "landscape": 1})
    phrase_count_range: tuple = (8, 35)
    phrase_words_range: tuple = (1, 3)
    phrase_chars_range: tuple = (1, 6)
    size_px_range: tuple = (16, 90)
    upright_p: float = 0.3
    angle_deg_range: tuple = (-30, 30)
    gap_px: float = 4.0
    page_margin_px: float = 6.0
    placement_tries: int = 40
    min_contrast: float = 3.0
    min_local_contrast: float = 1.5
    italic_p: float = 0.2
    texture_style_weights: dict = field(default_factory=lambda: {"noise": 1, "shapes": 1})
    font_role_weights: dict = field(default_factory=lambda: {"sans": 3, "serif": 2, "bold": 2, "mono": 0.3,
                                                             "handwriting": 1})

    def __post_init__(self) -> None:
        check_choices(self.page_size_weights, self.page_sizes_px, "page_size_weights", "page_sizes_px")
        bad = set(self.texture_style_weights) - set(TEXTURE_STYLES)
        if bad:
            raise ValueError(f"texture_style_weights: styles are {', '.join(TEXTURE_STYLES)}, got {sorted(bad)}")
        if self.size_px_range[0] < 4:
            raise ValueError(f"size_px_range must start at 4 px or more, got {list(self.size_px_range)}")
        if not -90 < self.angle_deg_range[0] <= self.angle_deg_range[1] < 90:
            raise ValueError(f"angle_deg_range must lie inside (-90, 90), got {list(self.angle_deg_range)}")



_CLAUSE_SPLIT = re.compile(r"[。、，；：！？「」『』（）【】《》〈〉・…]|[.,;:!?]+(?=\s|$)|[()\[\]\"“”«»]")


def _phrase(para: str, rng: np.random.Generator, space_delimited: bool, words_range, chars_range) -> str:
    """A text unit (:func:`synthdoc.text.units.text_unit`) of at most 1-3 words (or 1-6 characters, at least 2)
    starting at a word boundary inside one clause of `para` (so no clause punctuation inside)."""
    clauses = [c for c in _CLAUSE_SPLIT.split(para) if c.strip()]
    if not clauses:
        return ""
    clause = clauses[int(rng.integers(len(clauses)))]
    if space_delimited:
        words = clause.split()
        n = int(rng.integers(int(words_range[0]), int(words_range[1]) + 1))
        start = int(rng.integers(max(1, len(words) - n + 1)))
        return text_unit(" ".join(words[start:]), n, 10 ** 6, True)
    chars = "".join(clause.split())
    n = int(rng.integers(int(chars_range[0]), int(chars_range[1]) + 1))
    start = int(rng.integers(max(1, len(chars) - n + 1)))
    start = next((i for i in [0] + cut_points(chars) if i >= start), 0)
    return text_unit(chars[start:], 10 ** 6, max(n, 2), False)


def _aabb(q: np.ndarray) -> tuple[float, float, float, float]:
    return float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max())


def _gray_spread(image: np.ndarray, quad: np.ndarray) -> tuple[float, float]:
    """5th and 95th percentile of the grey level (BT.601 luma, 0-255) of `image` inside `quad`."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = _aabb(quad)
    x0, y0 = max(0, int(np.floor(x0))), max(0, int(np.floor(y0)))
    x1, y1 = min(w, int(np.ceil(x1)) + 1), min(h, int(np.ceil(y1)) + 1)
    crop = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    mask = np.zeros(crop.shape, np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(quad, np.float64) - [x0, y0]).astype(np.int32)], 255)
    vals = crop[mask > 0]
    if vals.size == 0:
        return 0.0, 255.0
    lo, hi = np.percentile(vals, [5, 95])
    return float(lo), float(hi)


def _hits(quad: np.ndarray, box, placed: list[tuple[np.ndarray, tuple]]) -> bool:
    """True when `quad` intersects any placed (grown quad, its aabb) with positive area."""
    x0, y0, x1, y1 = box
    for grown, (gx0, gy0, gx1, gy1) in placed:
        if x1 < gx0 or gx1 < x0 or y1 < gy0 or gy1 < y0:
            continue
        area, _ = cv2.intersectConvexConvex(quad, grown)
        if area > 0:
            return True
    return False


# ---------------------------------------------------------------------------------------------- sampling


@dataclass
class ScatteredPlan(Plan):
    """Page-level choices of a scattered page: the complete texture parameters, the number of phrases wanted and
    where their corpus text starts. Tape, per phrase try: "phrase" (face key and text), "size", "angle" and
    "spot" (the pivot where it went, px, and its ink, sRGB; None when no try found room)."""

    background: dict = field(default_factory=dict)
    phrase_count: int = 1
    text_start: int = 0
    background_px: np.ndarray | None = field(default=None, repr=False, compare=False, metadata={"record": False})
    paragraphs: Iterator[str] | None = field(default=None, repr=False, compare=False, metadata={"record": False})


def sample_plan(p: Params, inp: LayoutInput, rng: np.random.Generator) -> ScatteredPlan:
    """Draw the page size, the texture, the phrase count and the corpus start (in the order every earlier release
    drew them)."""
    size_name = sample_weighted(rng, p.page_size_weights)
    W, H = (int(v) for v in p.page_sizes_px[size_name])
    bg_img, bg_params = texture(H, W, rng, style=sample_weighted(rng, p.texture_style_weights))
    target = int(rng.integers(int(p.phrase_count_range[0]), int(p.phrase_count_range[1]) + 1))
    start = inp.sampler.start_index(rng)
    flat = inp.sampler.flat_paragraphs
    paragraphs = (flat[(start + k) % len(flat)] for k in itertools.count())
    return ScatteredPlan(layout="", page_size=size_name, width=W, height=H, background=bg_params,
                         phrase_count=target, text_start=start, background_px=bg_img, paragraphs=paragraphs,
                         tape=Tape(rng), params=p)


def _draw_phrase(rng: np.random.Generator, p: Params, inp: LayoutInput, paragraphs: Iterator[str]) -> list:
    """[face key, text] of the next phrase: a face of a drawn role (upright unless the italic draw says so) and a
    phrase of the next corpus paragraphs it covers ("" after _MAX_TEXT_TRIES misses)."""
    role, face = inp.pick_face(rng, p.font_role_weights)
    if face.italic and rng.random() >= p.italic_p:
        upright = [f for f in inp.faces.get(role, []) if not f.italic]
        face = upright[int(rng.integers(len(upright)))] if upright else face
    text = ""
    for _ in range(_MAX_TEXT_TRIES):
        text = _phrase(next(paragraphs), rng, inp.lang.space_delimited, p.phrase_words_range, p.phrase_chars_range)
        if text and face.covers(text):
            break
        if text:
            inp.count_skip()
        text = ""
    return [face.key, text]


def _draw_size(rng: np.random.Generator, lo: float, hi: float) -> int:
    """Em size, px, log-uniform between exp(lo) and exp(hi)."""
    return int(round(np.exp(rng.uniform(lo, hi))))


def _draw_angle(rng: np.random.Generator, p: Params) -> float:
    return 0.0 if rng.random() < p.upright_p else sample_range(rng, p.angle_deg_range)


# ---------------------------------------------------------------------------------------------- placing


@dataclass
class _Phrase:
    """A typeset phrase in its own frame: the line, its box (frame units) and size."""

    line: SetLine
    bx0: float
    by0: float
    w: float
    h: float


def _typeset(text: str, style) -> _Phrase | None:
    """`text` on one line with the box of its words (None when it cannot be typeset)."""
    try:
        set_lines = typeset_horizontal(text, style, _WIDE, max_lines=1)
    except (TofuError, SampleError):
        return None
    if not set_lines or not set_lines[0].words:
        return None
    sl = set_lines[0]
    bx0, bx1 = min(a for _, a, _ in sl.words), max(b for _, _, b in sl.words)  # the line quad, frame units
    by0 = min((t for t, _ in sl.word_bands), default=-style.ascent_px)
    by1 = max((b for _, b in sl.word_bands), default=style.descent_px)
    return _Phrase(sl, bx0, by0, bx1 - bx0, by1 - by0)


def _rotation(cx: float, cy: float, angle: float) -> np.ndarray:
    """(2, 3) float64 affine turning by `angle` degrees (counter-clockwise on screen) about (cx, cy)."""
    return cv2.getRotationMatrix2D((float(cx), float(cy)), float(angle), 1.0)


def _placed_line(ph: _Phrase, cx: float, cy: float, angle: float, sep: str):
    """(line, runs) of the phrase with its box centred on (cx, cy), turned by `angle`; quads mapped."""
    mat = _rotation(cx, cy, angle)
    line, runs = place_horizontal(ph.line, cx - ph.w / 2 - ph.bx0, cy - ph.h / 2 - ph.by0, sep)
    for word in line.words:
        word.quad = transform_quads(word.quad, mat)
    line.quad = transform_quads(line.quad, mat)
    return line, runs


def _grown(ph: _Phrase, cx: float, cy: float, angle: float, gap: float) -> np.ndarray:
    """The phrase's turned box grown by `gap` px: what later phrases must not touch."""
    w, h = ph.w, ph.h
    return transform_quads(rect_quad(cx - w / 2 - gap, cy - h / 2 - gap, cx + w / 2 + gap, cy + h / 2 + gap),
                           _rotation(cx, cy, angle))


def _find_spot(rng: np.random.Generator, p: Params, size: tuple[int, int], ph: _Phrase, angle: float,
               half: tuple[float, float], placed: list, bg_img: np.ndarray, sep: str) -> list | None:
    """[cx, cy, r, g, b]: the first of ``placement_tries`` random pivots (page px) where the turned phrase hits no
    placed phrase and its ink (drawn for the contrast with the texture under it) stays legible on the calmest
    and busiest grey levels there; None when every try fails."""
    (W, H), m, (hx, hy) = size, float(p.page_margin_px), half
    for _ in range(int(p.placement_tries)):
        cx, cy = rng.uniform(m + hx, W - m - hx), rng.uniform(m + hy, H - m - hy)
        quad = transform_quads(rect_quad(cx - ph.w / 2, cy - ph.h / 2, cx + ph.w / 2, cy + ph.h / 2),
                               _rotation(cx, cy, angle))
        if _hits(quad, _aabb(quad), placed):
            continue
        line, _ = _placed_line(ph, cx, cy, angle, sep)
        color = tuple(int(c) for c in text_color_for(mean_color_under(bg_img, line.quad), rng, p.min_contrast))
        lo_gray, hi_gray = _gray_spread(bg_img, line.quad)
        if min(contrast_ratio(color, (lo_gray,) * 3), contrast_ratio(color, (hi_gray,) * 3)) < p.min_local_contrast:
            continue  # a busy spot: part of the phrase would vanish into the texture
        return [float(cx), float(cy), *color]
    return None


def _one_phrase(plan: ScatteredPlan, inp: LayoutInput, placed: list, bg_img: np.ndarray) -> tuple | None:
    """One phrase from the tape, placed: (line, runs, meta info, face) or None."""
    p: Params = plan.params
    key, text = plan.tape.take("phrase", _draw_phrase, p, inp, plan.paragraphs)
    if not text:
        return None
    lo, hi = np.log(p.size_px_range[0]), np.log(p.size_px_range[1])
    size_px = plan.tape.take("size", _draw_size, lo, hi)
    face = inp.face(key)
    style = inp.style(face, size_px, (0, 0, 0))
    ph = _typeset(text, style)
    if ph is None:
        return None
    angle = plan.tape.take("angle", _draw_angle, p)
    a = np.deg2rad(angle)
    hx = (abs(ph.w * np.cos(a)) + abs(ph.h * np.sin(a))) / 2 + 1
    hy = (abs(ph.w * np.sin(a)) + abs(ph.h * np.cos(a))) / 2 + 1
    m = float(p.page_margin_px)
    if m + hx > plan.width - m - hx or m + hy > plan.height - m - hy:
        return None  # larger than the page at this angle
    sep = inp.lang.word_separator
    spot = plan.tape.take("spot", _find_spot, p, (plan.width, plan.height), ph, angle, (hx, hy), placed, bg_img, sep)
    if spot is None:
        return None
    cx, cy, color = spot[0], spot[1], tuple(spot[2:])
    line, runs = _placed_line(ph, cx, cy, angle, sep)
    under = mean_color_under(bg_img, line.quad)
    grown = _grown(ph, cx, cy, angle, float(p.gap_px))
    placed.append((grown, _aabb(grown)))
    for run in runs:  # one run per face (a fallback face draws e.g. Latin words inside Hebrew)
        run.color, run.angle_deg, run.pivot = color, float(angle), (float(cx), float(cy))
    info = {"angle_deg": round(float(angle), 3), "size_px": size_px, "font": f"{face.family} {face.style}",
            "rgb": list(color), "background_rgb": [round(float(c), 2) for c in under]}
    return line, runs, info, face


@layout_mode("scattered", params=Params, plan=ScatteredPlan, sample_plan=sample_plan)
def place(plan: ScatteredPlan, inp: LayoutInput) -> Page:
    """Lay out one scattered page from its plan.

    Returns:
        Page of body paragraphs of one rotated line each (``page.runs[k]`` draws ``page.lines[k]``) and the
        texture ``page.background``.

    Raises:
        SampleError: no phrase could be placed.
    """
    W, H = plan.width, plan.height
    bg_img = plan.background_px if plan.background_px is not None else render_background(H, W, plan.background, None)[0]
    page = Page(width=W, height=H, lang=inp.lang.code, layout=plan.layout,
                background=BackgroundSpec(kind=plan.background["kind"], params=dict(plan.background), pixels=bg_img))
    placed: list[tuple[np.ndarray, tuple]] = []
    items = []
    for _ in range(3 * plan.phrase_count):
        if len(items) >= plan.phrase_count:
            break
        item = _one_phrase(plan, inp, placed, bg_img)
        if item is not None:
            items.append(item)
    if not items:
        raise SampleError("no phrase could be placed on the scattered page")
    side = -1.0 if inp.rtl else 1.0  # reading order: top to bottom, then from the start side
    items.sort(key=lambda it: (float(it[0].quad[:, 1].min()), float((it[0].quad[:, 0] * side).min())))
    for line, runs, _, face in items:
        page.paragraphs.append(Paragraph([line], line.quad.copy(), role="body"))
        page.runs.extend(runs)
        if face.key not in {f.path + "#" + str(f.index) for f in page.fonts}:
            page.fonts.append(FaceRef.of(face, "phrase"))
    page.meta = {"page_size": plan.page_size, "phrases": [info for _, _, info, _ in items],
                 "fonts": sorted({f.name for f in page.fonts})}
    return page
