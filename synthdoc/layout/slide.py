"""slide: presentation slides (16:9 and 4:3) on solid or gradient backgrounds, in several layouts
(``slide_kind``, drawn by ``kind_weights``): title + bullet list (one or two columns), title + body text, section
divider, title + table, quote (see :mod:`synthdoc.layout.slide_kinds`), with light / dark / colour themes and
optional accent bars (``accent_weights``: a bar beside the title, a band along the top edge, a rule under the
title; ``page.rules`` in the title colour, never under text). Every slide has the footer with its number.

A bullet slide holds a large title (role "slide_title", one or two lines), a bullet list in one or two columns
(role "list_item", ``level`` = depth 1-3; the bullet glyph or number is the first word of the item's first
line, so labels equal what is drawn) and a footer (role "footer": optional running text at the left, the
slide number at the right or centre). Reading order: title, the list items of the left column top to
bottom, then of the right column, then the footer.

The background (``page.background``: solid or gradient, see :mod:`synthdoc.background`) is sampled
here, so the ink colour of each paragraph can be checked against the mean background colour under the
paragraph's quad: its WCAG 2.x contrast ratio is at least ``min_contrast`` (4.5, the WCAG AA level for body
text); a themed colour that misses it is replaced (see :func:`synthdoc.colour.text_color_for`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthdoc.background import gradient, render_background, solid
from synthdoc.colour import contrast_ratio, hsv_rgb, mean_color_under, text_color_for
from synthdoc.doc import BackgroundSpec, FaceRef, GlyphRun, Line, Page, Rule, Word
from synthdoc.errors import SampleError
from synthdoc.fonts.catalogue import FaceInfo
from synthdoc.layout.base import CorpusRun, LayoutInput, fonts_record, title_fits
from synthdoc.layout.place import unit_lines
from synthdoc.layout.plan import Plan, Tape
from synthdoc.layout.registry import layout_mode
from synthdoc.layout.slide_kinds import (ACCENTS, KINDS, SLIDE_DPI, Builder, accent_rects, place_quote,
                                         place_section, place_table, place_text)
from synthdoc.layout.template import check_choices, sample_range, sample_weighted
from synthdoc.layout.typeset import (SetLine, TextStyle, TofuError, mirror_rects, place_horizontal,
                                     typeset_horizontal)
from synthdoc.render.chars import Deferred, even_split
from synthdoc.text.units import sentences, text_unit
from synthdoc.types import union_quad

FALLBACK_BULLET = "-"
_TITLE_TRIES = 8
_WIDE = 1e6  # width for single-line typesetting of short strings, px


@dataclass(frozen=True)
class Params:
    """slide template parameters (layouts/slide.yaml documents each)."""

    page_sizes_px: dict = field(default_factory=lambda: {"16:9": [1600, 900], "4:3": [1024, 768]})
    page_size_weights: dict = field(default_factory=lambda: {"16:9": 2, "4:3": 1})
    margin_x_frac_range: tuple = (0.05, 0.08)
    margin_y_frac_range: tuple = (0.05, 0.08)
    body_size_frac_range: tuple = (0.032, 0.046)
    level_scales: tuple = (1.0, 0.87, 0.76)
    title_scale_range: tuple = (1.45, 2.0)
    title_align_weights: dict = field(default_factory=lambda: {"left": 2, "center": 1})
    title_gap_em_range: tuple = (0.8, 1.6)
    title_display_p: float = 0.0
    title_handwriting_p: float = 0.0
    item_count_range: tuple = (4, 9)
    max_level: int = 3
    deeper_p: float = 0.35
    shallower_p: float = 0.3
    item_words_range: tuple = (3, 12)
    item_chars_range: tuple = (6, 26)
    item_max_lines: int = 3
    item_spacing_em_range: tuple = (0.3, 0.9)
    line_spacing_range: tuple = (1.0, 1.2)
    indent_em_range: tuple = (1.2, 1.8)
    bullet_gap_em_range: tuple = (0.35, 0.7)
    bullet_sets: tuple = (("•", "–", "▪"), ("•", "◦", "▪"), ("■", "□", "▪"), ("●", "○", "■"), ("▪", "–", "•"),
                          ("◆", "◇", "•"), ("➢", "•", "–"), ("-", "-", "-"), ("・", "・", "・"))
    numbered_p: float = 0.12
    two_column_p: float = 0.3
    gutter_frac_range: tuple = (0.04, 0.07)
    footer_text_p: float = 0.5
    footer_scale_range: tuple = (0.5, 0.65)
    number_align_weights: dict = field(default_factory=lambda: {"right": 3, "center": 1})
    number_format_weights: dict = field(default_factory=lambda: {"{n}": 3, "{n} / {total}": 1, "{n}/{total}": 1})
    slide_number_range: tuple = (1, 60)
    background_weights: dict = field(default_factory=lambda: {"solid": 1, "gradient": 1.5})
    theme_weights: dict = field(default_factory=lambda: {"light": 2, "dark": 1.5, "colour": 1})
    min_contrast: float = 4.5
    font_role_weights: dict = field(default_factory=lambda: {"sans": 3, "serif": 1})
    kind_weights: dict = field(default_factory=lambda: {"bullets": 4, "text": 1.5, "section": 1, "table": 1,
                                                        "quote": 1})
    accent_weights: dict = field(default_factory=lambda: {"none": 2, "left_bar": 1, "top_band": 1,
                                                          "title_rule": 1})

    def __post_init__(self) -> None:
        for name, allowed in (("kind_weights", KINDS), ("accent_weights", ACCENTS)):
            bad = set(getattr(self, name)) - set(allowed)
            if bad:
                raise ValueError(f"{name}: unknown choices {sorted(bad)}; use {', '.join(allowed)}")
        check_choices(self.page_size_weights, self.page_sizes_px, "page_size_weights", "page_sizes_px")
        if int(self.max_level) not in (1, 2, 3):
            raise ValueError(f"max_level must be 1-3, got {self.max_level!r}")
        if len(self.level_scales) < int(self.max_level):
            raise ValueError(f"level_scales needs one scale per level up to max_level={self.max_level}")
        if not self.bullet_sets or any(len(s) < int(self.max_level) for s in self.bullet_sets):
            raise ValueError(f"bullet_sets: every set needs one bullet per level up to max_level={self.max_level}")
        if not set(self.background_weights) <= {"solid", "gradient"}:
            raise ValueError(f"background_weights: kinds are solid and gradient, got {sorted(self.background_weights)}")
        if not set(self.theme_weights) <= {"light", "dark", "colour"}:
            raise ValueError(f"theme_weights: themes are light, dark and colour, got {sorted(self.theme_weights)}")



def _snippet(text: str, rng: np.random.Generator, space_delimited: bool, words_range, chars_range) -> str:
    """A bullet-length text unit of `text` (:func:`synthdoc.text.units.text_unit`) from a random sentence: the
    sentence, a leading clause or a phrase ending at a word boundary, within a drawn number of words (or
    characters)."""
    parts = sentences(text) or [text]
    s = parts[int(rng.integers(len(parts)))]
    if space_delimited:
        return text_unit(s, int(rng.integers(int(words_range[0]), int(words_range[1]) + 1)), 10 ** 6, True)
    return text_unit(s, 10 ** 6, int(rng.integers(int(chars_range[0]), int(chars_range[1]) + 1)), False)


def upright_face(inp: LayoutInput, rng: np.random.Generator, role_weights: dict) -> tuple[str, FaceInfo]:
    """Like :meth:`LayoutInput.pick_face`, preferring a non-italic face of the drawn role."""
    role, face = inp.pick_face(rng, role_weights)
    if face.italic:
        upright = [f for f in inp.faces.get(role, []) if not f.italic]
        if upright:
            face = upright[int(rng.integers(len(upright)))]
    return role, face


def _single_line(text: str, style: TextStyle) -> SetLine | None:
    """`text` typeset on one line, or None when it is empty."""
    lines = typeset_horizontal(text, style, _WIDE, max_lines=1)
    return lines[0] if lines else None


def _theme_colors(rng: np.random.Generator, theme: str) -> tuple[list, tuple, tuple]:
    """Background colours (two, for a gradient), title ink and body ink of a theme."""
    h = float(rng.random())
    u = rng.uniform
    if theme == "light":
        bg = [hsv_rgb(h, u(0, 0.15), u(0.9, 1.0)), hsv_rgb(h + u(-0.08, 0.08), u(0, 0.3), u(0.75, 1.0))]
        title = hsv_rgb(float(rng.random()), u(0.5, 0.9), u(0.2, 0.45))
        body = hsv_rgb(float(rng.random()), u(0, 0.5), u(0, 0.25))
    elif theme == "dark":
        bg = [hsv_rgb(h, u(0.3, 0.9), u(0.08, 0.3)), hsv_rgb(h + u(-0.1, 0.1), u(0.3, 0.9), u(0.02, 0.4))]
        title = hsv_rgb(float(rng.random()), u(0.2, 0.6), u(0.9, 1.0))
        body = hsv_rgb(float(rng.random()), u(0, 0.12), u(0.9, 1.0))
    else:
        bg = [hsv_rgb(h, u(0.45, 0.9), u(0.45, 0.85)), hsv_rgb(h + u(-0.1, 0.1), u(0.45, 0.9), u(0.35, 0.9))]
        black_better = contrast_ratio((0, 0, 0), bg[0]) >= contrast_ratio((255, 255, 255), bg[0])
        body = (0, 0, 0) if black_better else (255, 255, 255)
        title = hsv_rgb(h, u(0.3, 0.8), u(0, 0.2)) if black_better else hsv_rgb(h, u(0, 0.2), u(0.95, 1.0))
    return bg, title, body


def _bullet_for(glyph: str, level: int, style: TextStyle) -> SetLine:
    """The bullet typeset in `style`; when the face lacks it, a plainer bullet of the level ("•", or "–" at
    level 2), finally :data:`FALLBACK_BULLET`."""
    for cand in (glyph, "–" if level == 2 else "•", FALLBACK_BULLET):
        if not style.face.info.covers(cand):
            continue
        try:
            sl = _single_line(cand, style)
        except TofuError:
            continue
        if sl is not None and sl.text == cand:
            return sl
    raise SampleError(f"{style.face.info.family} has no bullet glyph, not even {FALLBACK_BULLET!r}")


def _item_levels(rng: np.random.Generator, n: int, p: Params) -> list[int]:
    levels, level = [], 1
    for k in range(n):
        if k:
            r = rng.random()
            if r < p.deeper_p and level < int(p.max_level):
                level += 1
            elif r < p.deeper_p + p.shallower_p and level > 1:
                level = int(rng.integers(1, level))
        levels.append(level)
    return levels


# ---------------------------------------------------------------------------------------------- sampling


@dataclass
class SlidePlan(Plan):
    """Page-level choices of a slide (sizes px; faces by key; colours sRGB 0-255; the complete background
    parameters). Tape: per column "column" (item count and levels), per item "item_text", and "ink" for each
    paragraph whose themed colour contrasts too little with the background under it."""

    margin_x_px: float = 0.0
    margin_y_px: float = 0.0
    body_px: int = 20
    font_role: str = ""
    body_face: str = ""
    bold_face: str = ""
    theme: str = "light"
    title_rgb: list = field(default_factory=list)
    body_rgb: list = field(default_factory=list)
    background: dict = field(default_factory=dict)
    title_px: int = 20
    title_align: str = "left"
    title_text: str = ""
    title_face: str = ""
    title_gap_px: float = 0.0
    footer_px: int = 10
    slide_number: int = 1
    slide_total: int = 1
    number_format: str = "{n}"
    number_align: str = "right"
    footer_text: str | None = None
    columns: int = 1
    gutter_px: float = 0.0
    bullet_set: list = field(default_factory=list)
    numbered: bool = False
    line_spacing: float = 1.0
    item_gap_px: float = 0.0
    indent_px: float = 0.0
    bullet_gap_em: float = 0.5
    slide_kind: str = "bullets"
    accent: str = "none"
    background_px: np.ndarray | None = field(default=None, repr=False, compare=False, metadata={"record": False})
    corpus: CorpusRun | None = field(default=None, repr=False, compare=False, metadata={"record": False})


def _sample_background(rng: np.random.Generator, p: Params, plan: SlidePlan) -> None:
    """Theme, its colours, and the solid or gradient background (parameters and pixels)."""
    W, H = plan.width, plan.height
    plan.theme = sample_weighted(rng, p.theme_weights)
    bg_colors, title_color, body_color = _theme_colors(rng, plan.theme)
    plan.title_rgb, plan.body_rgb = list(title_color), list(body_color)
    if sample_weighted(rng, p.background_weights) == "solid":
        plan.background_px, params = solid(H, W, rng, rgb=bg_colors[0])
    else:
        plan.background_px, params = gradient(H, W, rng, colors=bg_colors)
    plan.background = params


def _sample_title(rng: np.random.Generator, p: Params, inp: LayoutInput, plan: SlidePlan, bold_face: FaceInfo) -> None:
    """Title size, alignment and text (the first of a few draws the bold face covers and typesets)."""
    plan.title_px = int(round(plan.body_px * sample_range(rng, p.title_scale_range)))
    plan.title_align = sample_weighted(rng, p.title_align_weights)
    t_style = inp.style(bold_face, plan.title_px, tuple(plan.title_rgb), SLIDE_DPI)
    content_w = (plan.width - plan.margin_x_px) - plan.margin_x_px
    for _ in range(_TITLE_TRIES):
        text = inp.sampler.title(rng, max_words=7, max_chars=16, space_delimited=inp.lang.space_delimited)
        if not bold_face.covers(text):
            inp.count_skip()
            continue
        try:
            if typeset_horizontal(text, t_style, content_w, align=plan.title_align, max_lines=2):
                plan.title_text = text
                face = inp.title_face(rng, bold_face, text, p.title_display_p, p.title_handwriting_p,
                                      title_fits(inp, text, plan.title_px, content_w, SLIDE_DPI))
                plan.title_face = face.key if face is not bold_face else ""
                return
        except TofuError:
            pass
    raise SampleError(f"no slide title covered by {bold_face.family}")


def _sample_footer(rng: np.random.Generator, p: Params, inp: LayoutInput, plan: SlidePlan) -> None:
    """Footer size, slide number and its format and alignment, optional running text."""
    plan.footer_px = max(10, int(round(plan.body_px * sample_range(rng, p.footer_scale_range))))
    plan.slide_total = int(rng.integers(int(p.slide_number_range[0]), int(p.slide_number_range[1]) + 1))
    plan.slide_number = int(rng.integers(1, plan.slide_total + 1))
    plan.number_format = sample_weighted(rng, p.number_format_weights)
    plan.number_align = sample_weighted(rng, p.number_align_weights)
    if rng.random() < p.footer_text_p:
        plan.footer_text = inp.sampler.title(rng, max_words=6, max_chars=14, space_delimited=inp.lang.space_delimited)


def sample_plan(p: Params, inp: LayoutInput, rng: np.random.Generator) -> SlidePlan:
    """Draw the page-level choices of a slide (in the order every earlier release drew them).

    Raises:
        SampleError: no title draw is covered by the bold face.
    """
    size_name = sample_weighted(rng, p.page_size_weights)
    W, H = (int(v) for v in p.page_sizes_px[size_name])
    plan = SlidePlan(layout="", page_size=size_name, width=W, height=H, tape=Tape(rng), params=p)
    plan.margin_x_px = sample_range(rng, p.margin_x_frac_range) * W
    plan.margin_y_px = sample_range(rng, p.margin_y_frac_range) * H
    plan.body_px = max(12, int(round(sample_range(rng, p.body_size_frac_range) * H)))
    plan.font_role, body_face = upright_face(inp, rng, p.font_role_weights)
    bold_face = inp.bold_for(rng, body_face)
    plan.body_face, plan.bold_face, plan.corpus = body_face.key, bold_face.key, CorpusRun(inp, body_face)
    _sample_background(rng, p, plan)
    _sample_title(rng, p, inp, plan, bold_face)
    plan.title_gap_px = sample_range(rng, p.title_gap_em_range) * plan.body_px
    _sample_footer(rng, p, inp, plan)
    plan.columns = 2 if rng.random() < p.two_column_p else 1
    plan.gutter_px = sample_range(rng, p.gutter_frac_range) * W
    plan.bullet_set = list(p.bullet_sets[int(rng.integers(len(p.bullet_sets)))])
    plan.numbered = bool(rng.random() < p.numbered_p)
    plan.line_spacing = sample_range(rng, p.line_spacing_range)
    plan.item_gap_px = sample_range(rng, p.item_spacing_em_range) * plan.body_px
    plan.indent_px = sample_range(rng, p.indent_em_range) * plan.body_px
    plan.bullet_gap_em = sample_range(rng, p.bullet_gap_em_range)
    plan.slide_kind = sample_weighted(rng, p.kind_weights)
    plan.accent = sample_weighted(rng, p.accent_weights)
    return plan


def _draw_column(rng: np.random.Generator, p: Params, n_cols: int) -> dict:
    """{"levels"}: the level (1-3) of each item of one column."""
    count = int(rng.integers(int(p.item_count_range[0]), int(p.item_count_range[1]) + 1))
    if n_cols == 2:
        count = max(2, (count + 1) // 2 + 1)
    return {"levels": _item_levels(rng, count, p)}


def _draw_item_text(rng: np.random.Generator, p: Params, corpus: CorpusRun, space_delimited: bool) -> str:
    """A bullet-length snippet of the next corpus paragraphs ("" when 8 draws give none of 2+ characters)."""
    flat = corpus.inp.sampler.flat_paragraphs
    text = ""
    for _ in range(8):
        text = _snippet(flat[corpus.next_index(rng)], rng, space_delimited, p.item_words_range, p.item_chars_range)
        if len(text) >= 2:
            break
    return text


# ---------------------------------------------------------------------------------------------- placing


def _place_footer(plan: SlidePlan, inp: LayoutInput, out: Builder) -> tuple[list, float]:
    """Footer blocks (running text, slide number; appended to the reading order last) and the body bottom, px.

    Raises:
        SampleError: the slide number typesets to nothing.
    """
    W, H, x0, x1 = plan.width, plan.height, plan.margin_x_px, plan.width - plan.margin_x_px
    f_px = plan.footer_px
    f_style = inp.style(inp.face(plan.body_face), f_px, tuple(plan.body_rgb))
    f_top = H - plan.margin_y_px * 0.55 - f_style.band_px
    footer: list[tuple[list[Line], list[GlyphRun]]] = []
    num_line = _single_line(plan.number_format.format(n=plan.slide_number, total=plan.slide_total), f_style)
    if num_line is None:
        raise SampleError("empty slide number")
    num_x = x1 - num_line.width if plan.number_align == "right" else (W - num_line.width) / 2
    ftext = plan.footer_text
    if ftext is not None and inp.face(plan.body_face).covers(ftext):
        try:
            fl = typeset_horizontal(ftext, f_style, min(0.45 * (x1 - x0), num_x - x0 - 2 * f_px), max_lines=1)
        except (TofuError, SampleError):
            fl = []
        if fl and x0 + fl[0].width < num_x - f_px:
            footer.append(out.block(fl, x0, f_top, f_style, f_style.band_px))
    footer.append(out.block([num_line], num_x, f_top, f_style, f_style.band_px))
    return footer, f_top - 0.6 * plan.body_px


def _item(plan: SlidePlan, inp: LayoutInput, out: Builder, style: TextStyle, level: int, text: str,
          bullet: SetLine, xb: float, y: float, body_bottom: float, x1: float) -> float | None:
    """Place one list item (bullet word + text) with its top at `y`; returns its height, 0.0 when skipped, None
    when it does not fit above `body_bottom` (the column is full)."""
    xt = xb + bullet.width + plan.bullet_gap_em * style.size_px
    if x1 - xt < 4 * style.size_px:
        return 0.0
    try:
        item_lines = unit_lines(text, style, x1 - xt, int(plan.params.item_max_lines))
    except TofuError:
        inp.count_skip()
        return 0.0
    except SampleError:  # a cluster wider than the column
        return 0.0
    if not item_lines:
        return 0.0
    pitch = max(plan.line_spacing, 1.0) * style.band_px
    need = style.band_px + (len(item_lines) - 1) * pitch
    if y + need > body_bottom:
        return None
    b_line, b_runs = place_horizontal(bullet, xb, y + style.ascent_px, out.sep, out.mirror_px)
    lines, runs = out.block(item_lines, xt, y, style, pitch)
    first = lines[0]
    # the bullet (or number "1.", which CJK segmentation would split) is one word
    words = [Word(bullet.text, union_quad([w.quad for w in b_line.words]),
                  chars=Deferred(even_split, bullet.text))] + first.words
    lines[0] = Line(words=words, quad=union_quad([w.quad for w in words]), direction=first.direction,
                    separator=out.sep)
    out.add(lines, b_runs + runs, "list_item", tuple(plan.body_rgb), level=level)
    return need


def _place_list(plan: SlidePlan, inp: LayoutInput, out: Builder, body_top: float, body_bottom: float) -> set[str]:
    """The bullet list, column by column; returns the bullets used.

    Raises:
        SampleError: no list item fits.
    """
    p: Params = plan.params
    x0, content_w = plan.margin_x_px, (plan.width - plan.margin_x_px) - plan.margin_x_px
    col_w = (content_w - plan.gutter_px * (plan.columns - 1)) / plan.columns
    columns = [(x0 + c * (col_w + plan.gutter_px), x0 + c * (col_w + plan.gutter_px) + col_w)
               for c in range(plan.columns)]
    body_face = inp.face(plan.body_face)
    styles = [inp.style(body_face, max(10, int(round(plan.body_px * float(p.level_scales[k])))), tuple(plan.body_rgb))
              for k in range(int(p.max_level))]
    used: set[str] = set()
    for cx0, cx1 in columns:
        y, counter = body_top, 0
        for level in plan.tape.take("column", _draw_column, p, plan.columns)["levels"]:
            style = styles[level - 1]
            text = plan.tape.take("item_text", _draw_item_text, p, plan.corpus, inp.lang.space_delimited)
            if len(text) < 2:
                continue
            if plan.numbered and level == 1:
                counter += 1
                bullet = _single_line(f"{counter}.", style)
            else:
                bullet = _bullet_for(plan.bullet_set[level - 1], level, style)
            need = _item(plan, inp, out, style, level, text, bullet, cx0 + (level - 1) * plan.indent_px, y,
                         body_bottom, cx1)
            if need is None:
                break
            if need:
                used.add(bullet.text)
                y += need + plan.item_gap_px
    if not used:
        raise SampleError("no list item fits the slide")
    return used


def _place_title(plan: SlidePlan, inp: LayoutInput, out: Builder) -> tuple[tuple[float, float, float, float], float]:
    """The slide title at the top; returns its box (x0, y0, x1, y1, logical frame) and the top of the body, px."""
    x0, y0 = plan.margin_x_px, plan.margin_y_px
    t_style = inp.style(inp.face(plan.title_face or plan.bold_face), plan.title_px, tuple(plan.title_rgb), SLIDE_DPI)
    title_lines = typeset_horizontal(plan.title_text, t_style, (plan.width - x0) - x0, align=plan.title_align,
                                     max_lines=2)
    t_pitch = t_style.band_px * 1.02
    lines, runs = out.block(title_lines, x0, y0, t_style, t_pitch)
    out.add(lines, runs, "slide_title", tuple(plan.title_rgb))
    bottom = y0 + t_style.band_px + (len(title_lines) - 1) * t_pitch
    return (x0, y0, plan.width - x0, bottom), bottom + plan.title_gap_px


def _place_body(plan: SlidePlan, inp: LayoutInput, out: Builder,
                body_bottom: float) -> tuple[tuple | None, list[list[int]], set[str], dict]:
    """Title and body of the slide's layout (``plan.slide_kind``, see synthdoc.layout.slide_kinds); returns the
    title box (None without a title at the top), the table rules, the bullets used and meta of the layout (a
    table's ``header_rows`` and typed columns ``numeric_kinds``).

    Raises:
        SampleError: the layout's content does not fit.
    """
    if plan.slide_kind == "section":
        place_section(plan, inp, out, body_bottom)
        return None, [], set(), {}
    if plan.slide_kind == "quote":
        place_quote(plan, inp, out, plan.margin_y_px, body_bottom)
        return None, [], set(), {}
    title_box, body_top = _place_title(plan, inp, out)
    if plan.slide_kind == "text":
        place_text(plan, inp, out, body_top, body_bottom)
        return title_box, [], set(), {}
    if plan.slide_kind == "table":
        rules, types = place_table(plan, inp, out, body_top, body_bottom)
        return title_box, rules, set(), {"header_rows": 1, "numeric_kinds": types}
    return title_box, [], _place_list(plan, inp, out, body_top, body_bottom), {}


def _ink(rng: np.random.Generator, under: list, min_contrast: float) -> tuple[int, int, int]:
    return text_color_for(np.asarray(under, np.float64), rng, min_contrast)


@layout_mode("slide", params=Params, plan=SlidePlan, sample_plan=sample_plan)
def place(plan: SlidePlan, inp: LayoutInput) -> Page:
    """Lay out one slide from its plan.

    Returns:
        Page with paragraphs in reading order (slide_title, then the layout's body: list_item (levels 1-3),
        body, table_cell, or the section's heading / slide_title / heading, or quote + caption; footer last),
        glyph runs coloured for contrast, the solid or gradient ``page.background`` and ``page.rules`` (accent
        bars, table rules).

    Raises:
        SampleError: the layout's content does not fit, or the slide number typesets to nothing.
    """
    W, H = plan.width, plan.height
    bg = BackgroundSpec(kind=plan.background["kind"], params=dict(plan.background))
    bg_img = plan.background_px if plan.background_px is not None else render_background(H, W, plan.background, None)[0]
    page = Page(width=W, height=H, lang=inp.lang.code, layout=plan.layout, background=bg,
                fonts=[FaceRef.of(inp.face(plan.body_face), "body"), FaceRef.of(inp.face(plan.bold_face), "bold")]
                + ([FaceRef.of(inp.face(plan.title_face), "title")] if plan.title_face else []))
    out = Builder(page, inp.lang.word_separator, inp.mirror_px(W))  # right-to-left: mirrored (bullets right)
    footer, body_bottom = _place_footer(plan, inp, out)
    title_box, rules, used_bullets, layout_meta = _place_body(plan, inp, out, body_bottom)
    for lines, runs in footer:
        out.add(lines, runs, "footer", tuple(plan.body_rgb))
    rules = accent_rects(plan, title_box) + rules
    page.rules = [Rule.from_list(r, "rule") for r in (mirror_rects(rules, W) if out.mirror_px else rules)]
    # ink colours: the themed colour where it contrasts enough with the background under the paragraph
    colors_used = []
    for para, runs, color in out.blocks:
        under = mean_color_under(bg_img, para.quad)
        if contrast_ratio(color, under) < plan.params.min_contrast:
            color = plan.tape.take("ink", _ink, under, plan.params.min_contrast)
        for run in runs:
            run.color = tuple(int(c) for c in color)
        page.paragraphs.append(para)
        page.runs.extend(runs)
        colors_used.append(list(color))
    page.meta = {
        "page_size": plan.page_size, "theme": plan.theme, "columns": plan.columns, "body_size_px": plan.body_px,
        "title_size_px": plan.title_px, "font_role": plan.font_role, "numbered": plan.numbered,
        "bullets": sorted(used_bullets), "slide_number": plan.slide_number, "slide_total": plan.slide_total,
        "fonts": fonts_record(page.fonts), "ink_rgb": colors_used, "slide_layout": plan.slide_kind,
        "accent": plan.accent, "rules": [r.as_list() for r in page.rules],
        **layout_meta,
    }
    return page
