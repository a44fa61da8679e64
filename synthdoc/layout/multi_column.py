"""multi_column: flowing text in 1-3 columns, optional title and section headings, left-aligned or
justified paragraphs with first-line indent or spacing. Reading order: title, then the columns left
to right, top to bottom within a column (right to left, start-aligned on the right, for right-to-left
languages: the page is laid out in a logical frame and mirrored, see synthdoc.layout.typeset). A paragraph that runs past the foot of a column continues in
the next column as a new paragraph.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthdoc.doc import Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.template import PageParams, Template, sample_page_px, sample_range, sample_weighted
from synthdoc.layout.typeset import SetLine, TextStyle, TofuError, place_horizontal, typeset_horizontal
from synthdoc.types import union_quad



@dataclass(frozen=True)
class Params(PageParams):
    """multi_column template parameters (layouts/multi_column.yaml documents each)."""

    column_weights: dict = field(default_factory=lambda: {1: 1, 2: 1})
    gutter_frac_range: tuple = (0.025, 0.045)
    body_size_px_range: tuple = (19, 27)
    line_spacing_range: tuple = (1.05, 1.35)
    title_p: float = 0.7
    title_scale_range: tuple = (1.6, 2.3)
    title_align_weights: dict = field(default_factory=lambda: {"left": 1, "center": 1})
    heading_p: float = 0.2
    heading_scale_range: tuple = (1.1, 1.35)
    heading_numbered_p: float = 0.5
    paragraph_indent_p: float = 0.5
    indent_em_range: tuple = (1.0, 2.0)
    paragraph_spacing_em_range: tuple = (0.4, 1.0)
    align_weights: dict = field(default_factory=lambda: {"left": 1, "justify": 1})

    def __post_init__(self) -> None:
        super().__post_init__()
        for k in self.column_weights:
            if int(k) not in (1, 2, 3, 4):
                raise ValueError(f"column_weights: column count {k!r} must be 1-4")


class _Flow:
    """Places SetLines into the column boxes, top to bottom, left to right."""

    def __init__(self, page: Page, columns: list[tuple[float, float]], y0: float, y1: float, separator: str,
                 mirror_px: float | None = None):
        self.page, self.columns, self.y0, self.y1, self.sep = page, columns, y0, y1, separator
        self.mirror_px = mirror_px
        self.col = 0
        self.y = y0

    @property
    def done(self) -> bool:
        return self.col >= len(self.columns)

    def next_column(self) -> None:
        self.col += 1
        self.y = self.y0

    def room(self, style: TextStyle, pitch: float, n_lines: int) -> bool:
        """True when `n_lines` lines of `style` at `pitch` fit below the current position."""
        return self.y + style.band_px + (n_lines - 1) * pitch <= self.y1

    def place(self, lines: list[SetLine], style: TextStyle, pitch: float, role: str, level: int = 0,
              x_shift: float = 0.0) -> list[SetLine]:
        """Place as many of `lines` as fit in the current column as one paragraph; return the rest."""
        placed = []
        x = self.columns[self.col][0] + x_shift
        while lines and self.room(style, pitch, len(placed) + 1):
            baseline = self.y + style.ascent_px + len(placed) * pitch
            line, runs = place_horizontal(lines[0], x, baseline, self.sep, self.mirror_px)
            placed.append(line)
            self.page.runs.extend(runs)
            lines = lines[1:]
        if placed:
            self.page.paragraphs.append(Paragraph(placed, union_quad([ln.quad for ln in placed]), role=role, level=level))
            self.y += style.band_px + (len(placed) - 1) * pitch
        return lines


def _heading_text(inp: LayoutInput, rng: np.random.Generator, numbered: bool, counters: list[int]) -> str:
    text = inp.sampler.title(rng, space_delimited=inp.lang.space_delimited)
    if numbered:
        counters[0] += 1
        text = f"{counters[0]}. {text}"
    return text


def generate(inp: LayoutInput, template: Template, rng: np.random.Generator) -> Page:
    """Lay out one multi_column page.

    Returns:
        Page with paragraphs (roles title / heading / body) in reading order and glyph runs.

    Raises:
        SampleError: nothing fits, or the text could not be covered by the chosen faces.
    """
    p: Params = template.params
    size_name, W, H = sample_page_px(rng, p.page_sizes_mm, p.page_size_weights, p.dpi)
    margin = sample_range(rng, p.margin_frac_range) * W
    n_cols = int(sample_weighted(rng, p.column_weights))
    gutter = sample_range(rng, p.gutter_frac_range) * W
    body_px, role, body_face, bold_face, color = inp.body_faces(rng, p.body_size_px_range, p.font_role_weights,
                                                                p.ink_gray_range)
    spacing = sample_range(rng, p.line_spacing_range)
    align = sample_weighted(rng, p.align_weights)
    indent_mode = rng.random() < p.paragraph_indent_p
    indent_px = sample_range(rng, p.indent_em_range) * body_px if indent_mode else 0.0
    para_gap = (0.0 if indent_mode else sample_range(rng, p.paragraph_spacing_em_range)) * body_px

    page = Page(width=W, height=H, lang=inp.lang.code, layout=template.name)
    sep = inp.lang.word_separator
    body = inp.style(body_face, body_px, color)
    pitch = max(spacing, 1.0) * body.band_px
    x0, x1, y0, y1 = margin, W - margin, margin, H - margin
    content_w = x1 - x0

    y = y0
    if rng.random() < p.title_p:
        t_style = inp.style(bold_face, round(body_px * sample_range(rng, p.title_scale_range)), color)
        t_align = sample_weighted(rng, p.title_align_weights)
        try:
            title_lines = typeset_horizontal(inp.sampler.title(rng, space_delimited=inp.lang.space_delimited),
                                             t_style, content_w, align=t_align, max_lines=2)
        except TofuError:
            inp.count_skip()
            title_lines = []
        if title_lines:
            flow = _Flow(page, [(x0, x1)], y, y1, sep, inp.mirror_px(W))
            flow.place(title_lines, t_style, t_style.band_px * 1.1, "title")
            y = flow.y + 1.2 * body_px

    col_w = (content_w - gutter * (n_cols - 1)) / n_cols
    columns = [(x0 + c * (col_w + gutter), x0 + c * (col_w + gutter) + col_w) for c in range(n_cols)]
    flow = _Flow(page, columns, y, y1, sep, inp.mirror_px(W))
    h_style = inp.style(bold_face, round(body_px * sample_range(rng, p.heading_scale_range)), color)
    numbered = rng.random() < p.heading_numbered_p
    counters = [0]
    paragraphs = inp.covered_paragraphs(rng, body_face)
    body_lines = 0
    first = True
    while not flow.done:
        if not first and rng.random() < p.heading_p:
            try:
                h_lines = typeset_horizontal(_heading_text(inp, rng, numbered, counters), h_style, col_w, max_lines=2)
            except TofuError:
                h_lines = []
            if h_lines:
                need = h_style.band_px * 1.15 * len(h_lines) + body.band_px + pitch
                if flow.y + need > y1:
                    flow.next_column()
                    continue
                flow.y += 0.6 * body_px if flow.y > flow.y0 else 0
                flow.place(h_lines, h_style, h_style.band_px * 1.1, "heading", level=1)
                flow.y += 0.3 * body_px
        first = False
        text = next(paragraphs)
        try:
            lines = typeset_horizontal(text, body, col_w, align=align, first_indent_px=indent_px)
        except TofuError:
            inp.count_skip()
            continue
        while lines and not flow.done:
            n_before = len(lines)
            lines = flow.place(lines, body, pitch, "body")
            body_lines += n_before - len(lines)
            if lines:
                flow.next_column()
            else:
                flow.y += pitch - body.band_px + para_gap
    if body_lines == 0:
        raise SampleError("no body line fits the page")
    page.meta = {
        "page_size": size_name, "dpi": p.dpi, "columns": n_cols, "align": align, "body_size_px": body_px,
        "line_spacing": round(spacing, 4), "font_role": role,
        "fonts": {"body": f"{body_face.family} {body_face.style}", "bold": f"{bold_face.family} {bold_face.style}"},
        "ink_gray": color[0], "paper_gray_range": list(p.paper_gray_range),
    }
    return page
