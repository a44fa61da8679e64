"""Slide layouts besides the bullet list (synthdoc.layout.slide): title + body text, section divider, table slide,
quote slide; and accent bars.

Roles: body text "body"; section divider: the section number and the subtitle "heading" (level 1 / 2) around a
"slide_title"; table slide: "table_cell" with ``cell=(row, col, 1, 1)`` (header row 0, bold); quote slide: the
quote "quote" (with the language's quotation marks, which are words of the quote as drawn) and its attribution
"caption". Accent bars and table rules are ``page.rules`` (filled rectangles drawn under the text by the
pipeline, :class:`synthdoc.doc.Rule`), never under any text.

Everything here places what the plan and its tape hold; the draws are separate functions taken from the tape
(:meth:`synthdoc.layout.plan.Tape.take`), so a slide replays from ``meta["plan"]``.
"""
from __future__ import annotations

import numpy as np

from synthdoc.doc import GlyphRun, Line, Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.fonts.catalogue import FaceInfo
from synthdoc.layout.base import CorpusRun, LayoutInput
from synthdoc.layout.plan import Plan
from synthdoc.layout.table_values import draw_column, draw_value, format_value, locale_for
from synthdoc.layout.typeset import SetLine, TextStyle, TofuError, place_horizontal, typeset_horizontal
from synthdoc.text.units import sentences, text_unit
from synthdoc.types import union_quad

SLIDE_DPI = 96.0  # slides are screen pages: 1 px = 0.75 pt (a 1280 px wide 16:9 slide is 13.3 in, as in presentation software)
KINDS = ("bullets", "text", "section", "table", "quote")
"""Slide layouts: title + bullet list (one or two columns), title + body text, section divider, title + table,
quote with attribution."""
ACCENTS = ("none", "left_bar", "top_band", "title_rule")
"""Accent bars: none, a bar left of the title (in the margin), a band across the top edge, a rule under the title."""
QUOTE_MARKS = {"eng_Latn": ("“", "”"), "rus_Cyrl": ("«", "»"), "jpn_Jpan": ("「", "」"), "kor_Hang": ("“", "”"),
               "zho_Hans": ("“", "”"), "zho_Hant": ("「", "」"), "ukr_Cyrl": ("«", "»")}
"""Opening / closing quotation marks per language (others: “ ”)."""
_TABLE_TYPES = {"integer": 2, "decimal": 1, "percent": 2, "currency": 2, "date": 1}


class Builder:
    """Collects paragraphs with their glyph runs and intended ink colour (the slide checks contrast later)."""

    def __init__(self, page: Page, sep: str, mirror_px: float | None = None):
        self.page, self.sep, self.mirror_px = page, sep, mirror_px
        self.blocks: list[tuple[Paragraph, list[GlyphRun], tuple]] = []

    def add(self, lines: list[Line], runs: list[GlyphRun], role: str, color: tuple, level: int = 0) -> Paragraph:
        para = Paragraph(lines, union_quad([ln.quad for ln in lines]), role=role, level=level)
        self.blocks.append((para, runs, color))
        return para

    def block(self, set_lines: list[SetLine], x: float, top: float, style: TextStyle,
              pitch: float) -> tuple[list[Line], list[GlyphRun]]:
        """Place `set_lines` with the first line's ascender at `top`, one per `pitch` px, frame x at `x`."""
        lines, runs = [], []
        for k, sl in enumerate(set_lines):
            line, r = place_horizontal(sl, x, top + style.ascent_px + k * pitch, self.sep, self.mirror_px)
            lines.append(line)
            runs.extend(r)
        return lines, runs


def _style(plan: Plan, inp: LayoutInput, bold: bool, scale: float, rgb: list) -> TextStyle:
    face = inp.face(plan.bold_face if bold else plan.body_face)
    return inp.style(face, max(10, int(round(plan.body_px * scale))), tuple(rgb))


def _content(plan: Plan) -> tuple[float, float]:
    """(left x, width) of the slide's content box, px."""
    return plan.margin_x_px, (plan.width - plan.margin_x_px) - plan.margin_x_px


# ---------------------------------------------------------------------------------------------- draws


def draw_quote(rng: np.random.Generator, inp: LayoutInput, corpus: CorpusRun) -> dict:
    """{"text", "by"}: a sentence of the corpus (at most 30 words / 60 characters) and an attribution name."""
    flat = inp.sampler.flat_paragraphs
    text = ""
    for _ in range(8):
        parts = sentences(flat[corpus.next_index(rng)]) or [""]
        text = text_unit(parts[int(rng.integers(len(parts)))], 30, 60, inp.lang.space_delimited)
        if len(text) >= 8:
            break
    by = inp.sampler.title(rng, max_words=4, max_chars=10, space_delimited=inp.lang.space_delimited)
    return {"text": text, "by": by}


def draw_subtitle(rng: np.random.Generator, inp: LayoutInput) -> dict:
    """{"number", "text"}: the section number (1-12) and a subtitle."""
    return {"number": int(rng.integers(1, 13)),
            "text": inp.sampler.title(rng, max_words=8, max_chars=18, space_delimited=inp.lang.space_delimited)}


def draw_table(rng: np.random.Generator, inp: LayoutInput, body: FaceInfo, bold: FaceInfo) -> dict:
    """{"rows": [[text, ...], ...], "align": [...], "types": {column: type}}: a header row of short phrases, 3-6 body rows; the first column
    labels, the other 1-3 columns typed values (table_values) in the page's locale. Texts a face lacks are ""."""
    loc = locale_for(inp.lang.hb_language)
    n_cols, n_rows = int(rng.integers(2, 5)), int(rng.integers(3, 7))
    kinds = list(_TABLE_TYPES)
    weights = np.array(list(_TABLE_TYPES.values()), float)
    specs = [draw_column(rng, kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))], loc)
             for _ in range(n_cols - 1)]

    def phrase(words: int, chars: int, face: FaceInfo) -> str:
        text = inp.sampler.title(rng, max_words=words, max_chars=chars, space_delimited=inp.lang.space_delimited)
        return text if face.covers(text) else ""

    rows = [[phrase(2, 5, bold) for _ in range(n_cols)]]
    for _ in range(n_rows):
        row = [phrase(3, 6, body)]
        for spec in specs:
            text = format_value(draw_value(rng, spec), spec, loc)
            row.append(text if body.covers(text) else "")
        rows.append(row)
    return {"rows": rows, "align": ["left"] + ["left" if s["align"] == "left" else "right" for s in specs],
            "types": {str(c + 1): s["type"] for c, s in enumerate(specs)}}


# ---------------------------------------------------------------------------------------------- placing


def place_text(plan: Plan, inp: LayoutInput, out: Builder, top: float, bottom: float) -> None:
    """Body paragraphs of the corpus from `top` down to `bottom` (whole lines only).

    Raises:
        SampleError: not one line fits.
    """
    x0, width = _content(plan)
    style = _style(plan, inp, False, 0.9, plan.body_rgb)
    pitch = max(plan.line_spacing, 1.0) * style.band_px
    y, placed = top, 0
    for _ in range(6):
        n_fit = int((bottom - y - style.band_px) // pitch) + 1
        if n_fit < 1:
            break
        index = plan.tape.take("paragraph", plan.corpus.next_index if plan.corpus else None)  # None: replay
        text = inp.sampler.flat_paragraphs[index]
        if not inp.face(plan.body_face).covers(text):
            inp.count_skip()
            continue
        try:
            set_lines = typeset_horizontal(text, style, width, max_lines=n_fit)
        except TofuError:
            inp.count_skip()
            continue
        lines, runs = out.block(set_lines, x0, y, style, pitch)
        out.add(lines, runs, "body", tuple(plan.body_rgb))
        placed += len(lines)
        y += style.band_px + (len(lines) - 1) * pitch + 0.8 * style.size_px
    if not placed:
        raise SampleError("no body text fits the slide")


def place_section(plan: Plan, inp: LayoutInput, out: Builder, bottom: float) -> None:
    """Section divider: the number ("01"), the title and a subtitle, centred on the slide, in reading order.

    Raises:
        SampleError: the title does not typeset.
    """
    x0, width = _content(plan)
    sub = plan.tape.take("subtitle", draw_subtitle, inp)
    n_style = _style(plan, inp, True, 1.1, plan.title_rgb)
    t_style = inp.style(inp.face(plan.title_face or plan.bold_face), int(round(plan.title_px * 1.15)),
                        tuple(plan.title_rgb), SLIDE_DPI)
    s_style = _style(plan, inp, False, 1.0, plan.body_rgb)
    blocks = [(typeset_horizontal(f"{sub['number']:02d}", n_style, width, align="center", max_lines=1), n_style,
               "heading", 1, plan.title_rgb),
              (typeset_horizontal(plan.title_text, t_style, width, align="center", max_lines=2), t_style,
               "slide_title", 0, plan.title_rgb)]
    if sub["text"] and inp.face(plan.body_face).covers(sub["text"]):
        blocks.append((typeset_horizontal(sub["text"], s_style, width, align="center", max_lines=2), s_style,
                       "heading", 2, plan.body_rgb))
    gap = 0.6 * plan.body_px
    heights = [st.band_px * (1 + 1.05 * (len(ls) - 1)) for ls, st, *_ in blocks]
    y = max(plan.margin_y_px, (plan.height - sum(heights) - gap * (len(blocks) - 1)) / 2)
    for (set_lines, style, role, level, rgb), h in zip(blocks, heights):
        if not set_lines or y + h > bottom:
            continue
        lines, runs = out.block(set_lines, x0, y, style, style.band_px * 1.05)
        out.add(lines, runs, role, tuple(rgb), level=level)
        y += h + gap
    if not any(para.role == "slide_title" for para, _, _ in out.blocks):
        raise SampleError("the section title does not fit the slide")


def place_quote(plan: Plan, inp: LayoutInput, out: Builder, top: float, bottom: float) -> None:
    """The quote in quotation marks, centred, then its attribution (a name) flush right under it.

    Raises:
        SampleError: the quote is empty, uncovered or does not fit.
    """
    x0, width = _content(plan)
    q = plan.tape.take("quote", draw_quote, inp, plan.corpus)
    opening, closing = QUOTE_MARKS.get(inp.lang.code, ("“", "”"))
    text = f"{opening}{q['text']}{closing}"
    face = inp.face(plan.body_face)
    if len(q["text"]) < 2 or not face.covers(text):
        raise SampleError("no quote the face covers")
    style = _style(plan, inp, False, 1.25, plan.body_rgb)
    pitch = style.band_px * 1.15
    n_fit = int((bottom - top - 2.5 * style.band_px) // pitch) + 1
    set_lines = typeset_horizontal(text, style, 0.85 * width, align="center", max_lines=max(1, min(6, n_fit)))
    if not set_lines or set_lines[-1].text[-1:] != closing:
        raise SampleError("the quote does not fit the slide")
    h = style.band_px + (len(set_lines) - 1) * pitch
    y = max(top, (top + bottom - h - 2 * style.band_px) / 2)
    lines, runs = out.block(set_lines, x0 + 0.075 * width, y, style, pitch)
    out.add(lines, runs, "quote", tuple(plan.body_rgb))
    by = q["by"]
    b_style = _style(plan, inp, False, 0.85, plan.title_rgb)
    if by and face.covers(by):
        b_lines = typeset_horizontal(by, b_style, 0.85 * width, align="right", max_lines=1)
        lines, runs = out.block(b_lines, x0 + 0.075 * width, y + h + 0.8 * b_style.band_px, b_style, b_style.band_px)
        out.add(lines, runs, "caption", tuple(plan.title_rgb))


def _natural_widths(cells: list[list[list[SetLine]]], pad: float) -> np.ndarray:
    """Natural width of every column (its widest cell plus the padding on both sides), px."""
    n = len(cells[0])
    return np.array([max((c[0].width if c else 0.0) for c in (row[k] for row in cells)) for k in range(n)]) + 2 * pad


def _natural_width(cells: list[list[list[SetLine]]], pad: float) -> float:
    return float(_natural_widths(cells, pad).sum())


def _table_geometry(cells: list[list[list[SetLine]]], width: float, pad: float) -> list[float]:
    """Column borders (x from the table's left edge, px): natural widths, stretched half-way to `width`.

    Raises:
        SampleError: the natural widths exceed `width`.
    """
    nat = _natural_widths(cells, pad)
    if nat.sum() > width:
        raise SampleError("the slide table is wider than the slide")
    nat += (width - nat.sum()) * nat / nat.sum() * 0.5
    return np.concatenate([[0.0], np.cumsum(nat)]).tolist()


def place_table(plan: Plan, inp: LayoutInput, out: Builder, top: float, bottom: float) -> tuple[list[list[int]], dict]:
    """A simple table (bold header row, a rule under it and under the last row); returns the rules as
    [x0, y0, x1, y1, r, g, b] inclusive pixel rectangles (logical frame) and the typed columns shown
    ({column: table_values type}).

    Raises:
        SampleError: the table is wider than the slide or fewer than two body rows fit.
    """
    x0, width = _content(plan)
    t = plan.tape.take("table", draw_table, inp, inp.face(plan.body_face), inp.face(plan.bold_face))
    body, bold = _style(plan, inp, False, 0.85, plan.body_rgb), _style(plan, inp, True, 0.85, plan.title_rgb)
    pad = 0.6 * body.size_px
    cells = [[typeset_horizontal(text, bold if r == 0 else body, 1e6, max_lines=1) if text else []
              for text in row] for r, row in enumerate(t["rows"])]
    while len(cells[0]) > 2 and _natural_width(cells, pad) > width:  # drop columns from the right until it fits
        cells = [row[:-1] for row in cells]
    xs = _table_geometry(cells, width, pad)
    row_h = max(body.band_px, bold.band_px) + 2 * 0.45 * body.size_px
    n_rows = min(len(cells), int((bottom - top) // row_h))
    if n_rows < 3:
        raise SampleError("fewer than two table rows fit the slide")
    rules, rgb = [], [int(v) for v in plan.body_rgb]
    for r in range(n_rows):
        y = top + r * row_h
        for c, set_lines in enumerate(cells[r]):
            if not set_lines:
                continue
            style = bold if r == 0 else body
            w = set_lines[0].width
            x = x0 + xs[c] + pad if t["align"][c] == "left" or r == 0 and c == 0 else x0 + xs[c + 1] - pad - w
            lines, runs = out.block(set_lines, x, y + (row_h - style.band_px) / 2, style, style.band_px)
            out.add(lines, runs, "table_cell", tuple(plan.title_rgb if r == 0 else plan.body_rgb)).cell = (r, c, 1, 1)
        if r in (0, n_rows - 1):
            yb = int(round(top + (r + 1) * row_h))
            rules.append([int(round(x0)), yb - 1, int(round(x0 + xs[-1])) - 1, yb, *rgb])
    return rules, {c: k for c, k in t["types"].items() if int(c) < len(cells[0])}


def accent_rects(plan: Plan, title_box: tuple[float, float, float, float] | None) -> list[list[int]]:
    """The accent bar of the plan (``plan.accent``) in the title colour, as [x0, y0, x1, y1, r, g, b] inclusive
    pixel rectangles (logical frame), clear of the text: a bar in the left margin beside the title, a band inside
    the top margin, or a rule in the gap under the title. [] for "none" or without a title box."""
    if plan.accent == "none" or (title_box is None and plan.accent != "top_band"):
        return []
    rgb = [int(v) for v in plan.title_rgb]
    mx, my = plan.margin_x_px, plan.margin_y_px
    if plan.accent == "top_band":
        return [[0, 0, plan.width - 1, max(2, int(0.35 * my)), *rgb]]
    tx0, ty0, tx1, ty1 = title_box
    if plan.accent == "left_bar":
        w = max(3, int(0.18 * mx))
        return [[int(0.45 * mx), int(ty0), int(0.45 * mx) + w - 1, int(ty1), *rgb]]
    t = max(2, int(0.12 * plan.body_px))
    y = int(ty1 + 0.35 * plan.title_gap_px)
    return [[int(mx), y, int(mx + 0.25 * (plan.width - 2 * mx)), y + t - 1, *rgb]]
