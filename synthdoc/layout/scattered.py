"""scattered: scene-text-like pages. Short phrases (1-3 words, or 1-6 characters in scripts without spaces) at
random positions, sizes and rotations, each in its own face and colour, over a procedural photo-like texture
(:func:`synthdoc.background.texture`, recorded in ``page.meta["background"]``).

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

import re
import unicodedata
from dataclasses import dataclass, field

import cv2
import numpy as np

from synthdoc.background import TEXTURE_STYLES, texture
from synthdoc.colour import contrast_ratio, mean_color_under, text_color_for
from synthdoc.doc import Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.template import Template, check_choices, sample_range, sample_weighted
from synthdoc.layout.typeset import TofuError, place_horizontal, typeset_horizontal
from synthdoc.types import rect_quad, transform_quads
from synthdoc.text.clean import strip_punctuation

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
    """A random run of 1-3 words (or 1-6 characters) inside one clause of `para` (so no clause punctuation
    inside), without surrounding punctuation."""
    clauses = [c for c in _CLAUSE_SPLIT.split(para) if c.strip()]
    if not clauses:
        return ""
    clause = clauses[int(rng.integers(len(clauses)))]
    if space_delimited:
        words = clause.split()
        n = int(rng.integers(int(words_range[0]), int(words_range[1]) + 1))
        start = int(rng.integers(max(1, len(words) - n + 1)))
        return strip_punctuation(" ".join(words[start:start + n]))
    chars = "".join(clause.split())
    n = int(rng.integers(int(chars_range[0]), int(chars_range[1]) + 1))
    start = int(rng.integers(max(1, len(chars) - n + 1)))
    while start > 0 and unicodedata.category(chars[start])[0] == "M":  # never start on a combining mark
        start -= 1
    end = min(len(chars), start + n)
    while end < len(chars) and unicodedata.category(chars[end])[0] == "M":
        end += 1
    return strip_punctuation(chars[start:end])


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


def generate(inp: LayoutInput, template: Template, rng: np.random.Generator) -> Page:
    """Lay out one scattered page.

    Returns:
        Page of body paragraphs of one rotated line each (``page.runs[k]`` draws ``page.lines[k]``) and
        ``meta["background"]`` (texture parameters) for the render stage.

    Raises:
        SampleError: no phrase could be placed.
    """
    p: Params = template.params
    size_name = sample_weighted(rng, p.page_size_weights)
    W, H = (int(v) for v in p.page_sizes_px[size_name])
    bg_img, bg_params = texture(H, W, rng, style=sample_weighted(rng, p.texture_style_weights))
    page = Page(width=W, height=H, lang=inp.lang.code, layout=template.name)
    sep = inp.lang.word_separator
    sd = inp.lang.space_delimited
    m, gap = float(p.page_margin_px), float(p.gap_px)
    lo, hi = np.log(p.size_px_range[0]), np.log(p.size_px_range[1])
    target = int(rng.integers(int(p.phrase_count_range[0]), int(p.phrase_count_range[1]) + 1))
    paras = inp.sampler.paragraphs(rng)
    placed: list[tuple[np.ndarray, tuple]] = []
    items = []
    for _ in range(3 * target):
        if len(items) >= target:
            break
        role, face = inp.pick_face(rng, p.font_role_weights)
        if face.italic and rng.random() >= p.italic_p:
            upright = [f for f in inp.faces.get(role, []) if not f.italic]
            face = upright[int(rng.integers(len(upright)))] if upright else face
        text = ""
        for _ in range(_MAX_TEXT_TRIES):
            text = _phrase(next(paras), rng, sd, p.phrase_words_range, p.phrase_chars_range)
            if text and face.covers(text):
                break
            if text:
                inp.count_skip()
            text = ""
        if not text:
            continue
        size_px = int(round(np.exp(rng.uniform(lo, hi))))
        style = inp.style(face, size_px, (0, 0, 0))
        try:
            set_lines = typeset_horizontal(text, style, _WIDE, max_lines=1)
        except (TofuError, SampleError):
            continue
        if not set_lines or not set_lines[0].words:
            continue
        sl = set_lines[0]
        bx0, bx1 = min(a for _, a, _ in sl.words), max(b for _, _, b in sl.words)  # the line quad, frame units
        by0 = min((t for t, _ in sl.word_bands), default=-style.ascent_px)
        by1 = max((b for _, b in sl.word_bands), default=style.descent_px)
        w, h = bx1 - bx0, by1 - by0
        angle = 0.0 if rng.random() < p.upright_p else sample_range(rng, p.angle_deg_range)
        a = np.deg2rad(angle)
        hx = (abs(w * np.cos(a)) + abs(h * np.sin(a))) / 2 + 1
        hy = (abs(w * np.sin(a)) + abs(h * np.cos(a))) / 2 + 1
        if m + hx > W - m - hx or m + hy > H - m - hy:
            continue  # larger than the page at this angle
        for _ in range(int(p.placement_tries)):
            cx, cy = rng.uniform(m + hx, W - m - hx), rng.uniform(m + hy, H - m - hy)
            mat = cv2.getRotationMatrix2D((float(cx), float(cy)), float(angle), 1.0)
            quad = transform_quads(rect_quad(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), mat)
            box = _aabb(quad)
            if _hits(quad, box, placed):
                continue
            line, runs = place_horizontal(sl, cx - w / 2 - bx0, cy - h / 2 - by0, sep)
            for word in line.words:
                word.quad = transform_quads(word.quad, mat)
            line.quad = transform_quads(line.quad, mat)
            under = mean_color_under(bg_img, line.quad)
            color = tuple(int(c) for c in text_color_for(under, rng, p.min_contrast))
            lo_gray, hi_gray = _gray_spread(bg_img, line.quad)
            if min(contrast_ratio(color, (lo_gray,) * 3), contrast_ratio(color, (hi_gray,) * 3)) < p.min_local_contrast:
                continue  # a busy spot: part of the phrase would vanish into the texture
            grown = transform_quads(rect_quad(cx - w / 2 - gap, cy - h / 2 - gap, cx + w / 2 + gap, cy + h / 2 + gap), mat)
            placed.append((grown, _aabb(grown)))
            for run in runs:  # one run per face (a fallback face draws e.g. Latin words inside Hebrew)
                run.color, run.angle_deg, run.pivot = color, float(angle), (float(cx), float(cy))
            items.append((line, runs, {"angle_deg": round(float(angle), 3), "size_px": size_px,
                                      "font": f"{face.family} {face.style}", "rgb": list(color),
                                      "background_rgb": [round(float(c), 2) for c in under]}))
            break
    if not items:
        raise SampleError("no phrase could be placed on the scattered page")
    side = -1.0 if inp.rtl else 1.0  # reading order: top to bottom, then from the start side
    items.sort(key=lambda it: (float(it[0].quad[:, 1].min()), float((it[0].quad[:, 0] * side).min())))
    for line, runs, _ in items:
        page.paragraphs.append(Paragraph([line], line.quad.copy(), role="body"))
        page.runs.extend(runs)
    page.meta = {"page_size": size_name, "background": bg_params, "phrases": [info for _, _, info in items],
                 "fonts": sorted({info["font"] for _, _, info in items})}
    return page
