"""multi_column: flowing text in 1-3 columns, optional title and section headings, left-aligned or
justified paragraphs with first-line indent or spacing. Reading order: title, then the columns left
to right, top to bottom within a column (right to left, start-aligned on the right, for right-to-left
languages: the page is laid out in a logical frame and mirrored, see synthdoc.layout.typeset). A paragraph that runs past the foot of a column continues in
the next column as a new paragraph.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthdoc.doc import BackgroundSpec, FaceRef, Page
from synthdoc.errors import SampleError
from synthdoc.layout.base import (LayoutInput, coin, fonts_record, paper_fonts, sample_paper, title_fits,
                                  title_text)
from synthdoc.layout.emphasis import emphasis_fonts, paragraph_emphasis
from synthdoc.layout.flow import Flow
from synthdoc.layout.place import column_boxes, unit_lines
from synthdoc.layout.plan import Plan, Tape
from synthdoc.layout.registry import layout_mode
from synthdoc.layout.template import PageParams, sample_range, sample_weighted
from synthdoc.layout.hyphenate import typeset_hyphenated
from synthdoc.layout.typeset import TofuError, typeset_horizontal


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
    hyphenate_p: float = 0.0
    title_display_p: float = 0.0
    title_handwriting_p: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        for k in self.column_weights:
            if int(k) not in (1, 2, 3, 4):
                raise ValueError(f"column_weights: column count {k!r} must be 1-4")


@dataclass
class MultiColumnPlan(Plan):
    """Page-level choices of a multi_column page (sizes px; faces by key). Tape: per flow step "heading"
    (bool: a heading before the next paragraph) and, when true, "heading_text"."""

    margin_px: float = 0.0
    columns: int = 1
    gutter_px: float = 0.0
    body_px: int = 20
    font_role: str = ""
    body_face: str = ""
    bold_face: str = ""
    ink_gray: int = 0
    line_spacing: float = 1.0
    align: str = "left"
    indent_px: float = 0.0
    paragraph_gap_px: float = 0.0
    title_px: int = 0
    title_align: str = "left"
    title_text: str | None = None
    title_face: str = ""
    heading_px: int = 0
    heading_numbered: bool = False
    text_start: int = 0
    hyphenate: bool = False


def sample_plan(p: Params, inp: LayoutInput, rng: np.random.Generator) -> MultiColumnPlan:
    """Draw the page-level choices of a multi_column page (in the order every earlier release drew them)."""
    size_name, W, H, margin = sample_paper(rng, p)
    n_cols = int(sample_weighted(rng, p.column_weights))
    gutter = sample_range(rng, p.gutter_frac_range) * W
    body_px, role, body_face, bold_face, color = inp.body_faces(rng, p.body_size_px_range, p.font_role_weights,
                                                                p.ink_gray_range)
    spacing = sample_range(rng, p.line_spacing_range)
    align = sample_weighted(rng, p.align_weights)
    indent_mode = rng.random() < p.paragraph_indent_p
    indent_px = sample_range(rng, p.indent_em_range) * body_px if indent_mode else 0.0
    para_gap = (0.0 if indent_mode else sample_range(rng, p.paragraph_spacing_em_range)) * body_px
    title_px, title_align, title = 0, "left", None
    if rng.random() < p.title_p:
        title_px = round(body_px * sample_range(rng, p.title_scale_range))
        title_align = sample_weighted(rng, p.title_align_weights)
        title = title_text(rng, inp)
    title_face = inp.title_face(rng, bold_face, title, p.title_display_p, p.title_handwriting_p,
                                title_fits(inp, title or "", title_px, W - 2 * margin, p.dpi))
    heading_px = round(body_px * sample_range(rng, p.heading_scale_range))
    numbered = bool(rng.random() < p.heading_numbered_p)
    plan = MultiColumnPlan(
        layout="", page_size=size_name, width=W, height=H, margin_px=margin, columns=n_cols, gutter_px=gutter,
        body_px=body_px, font_role=role, body_face=body_face.key, bold_face=bold_face.key, ink_gray=color[0],
        line_spacing=spacing, align=align, indent_px=indent_px, paragraph_gap_px=para_gap, title_px=title_px,
        title_align=title_align, title_text=title, title_face=title_face.key if title_face is not bold_face else "",
        heading_px=heading_px, heading_numbered=numbered,
        text_start=inp.sampler.start_index(rng), tape=Tape(rng), params=p)
    if align == "justify" and p.hyphenate_p > 0:  # no draw at 0: pages stay as they were
        plan.hyphenate = bool(rng.random() < p.hyphenate_p)
    return plan


def _place_title(plan: MultiColumnPlan, inp: LayoutInput, page: Page, y: float, y1: float) -> float:
    """The title across the content width (when the plan has one); returns the top of the columns, px."""
    if plan.title_text is None:
        return y
    color = (plan.ink_gray,) * 3
    t_style = inp.style(inp.face(plan.title_face or plan.bold_face), plan.title_px, color, plan.params.dpi)
    x0, x1 = plan.margin_px, plan.width - plan.margin_px
    try:
        lines = unit_lines(plan.title_text, t_style, x1 - x0, 2, align=plan.title_align)
    except TofuError:
        inp.count_skip()
        lines = []
    if not lines:
        return y
    flow = Flow([(x0, x1)], y, y1, inp.lang.word_separator, inp.mirror_px(plan.width))
    flow.place_lines(lines, t_style, t_style.band_px * 1.1, "title")
    page.paragraphs.extend(flow.paragraphs)
    page.runs.extend(flow.runs)
    return flow.y + 1.2 * plan.body_px


def _heading(plan: MultiColumnPlan, inp: LayoutInput, flow: Flow, counters: list[int], col_w: float) -> bool:
    """Ask the tape for a heading and place it when it fits with a body line under it; False when the flow
    moved to the next column instead."""
    text = plan.tape.take("heading_text", title_text, inp)
    if plan.heading_numbered:
        counters[0] += 1
        text = f"{counters[0]}. {text}"
    color = (plan.ink_gray,) * 3
    h_style = inp.style(inp.face(plan.bold_face), plan.heading_px, color, plan.params.dpi)
    body = inp.style(inp.face(plan.body_face), plan.body_px, color, plan.params.dpi)
    try:
        h_lines = unit_lines(text, h_style, col_w, 2)
    except TofuError:
        return True
    if h_lines:
        need = h_style.band_px * 1.15 * len(h_lines) + body.band_px + max(plan.line_spacing, 1.0) * body.band_px
        if flow.y + need > flow.y1:
            flow.next_column()
            return False
        flow.y += 0.6 * plan.body_px if flow.y > flow.y0 else 0
        flow.place_lines(h_lines, h_style, h_style.band_px * 1.1, "heading", level=1)
        flow.y += 0.3 * plan.body_px
    return True


def _place_body(plan: MultiColumnPlan, inp: LayoutInput, flow: Flow, col_w: float) -> int:
    """Headings and paragraphs through the columns (each `col_w` px wide) until the flow is full; returns the body
    lines placed."""
    body_face = inp.face(plan.body_face)
    body = inp.style(body_face, plan.body_px, (plan.ink_gray,) * 3, plan.params.dpi)
    pitch = max(plan.line_spacing, 1.0) * body.band_px
    paragraphs = inp.covered_paragraphs(plan.text_start, body_face)
    counters = [0]
    body_lines = 0
    first = True
    while not flow.done:
        if not first and plan.tape.take("heading", coin, plan.params.heading_p):
            if not _heading(plan, inp, flow, counters, col_w):
                continue
        first = False
        text = next(paragraphs)
        try:
            if plan.hyphenate:  # hyphenated paragraphs carry no emphasis runs (hyphenation re-sets text windows)
                lines = typeset_hyphenated(text, body, col_w, align=plan.align, first_indent_px=plan.indent_px)
            else:
                lines = typeset_horizontal(text, body, col_w, align=plan.align, first_indent_px=plan.indent_px,
                                           emphasis=paragraph_emphasis(plan.tape, inp, plan.params, text, body_face))
        except TofuError:
            inp.count_skip()
            continue
        while lines and not flow.done:
            n_before = len(lines)
            lines = flow.place_lines(lines, body, pitch, "body")
            body_lines += n_before - len(lines)
            if lines:
                flow.next_column()
            else:
                flow.y += pitch - body.band_px + plan.paragraph_gap_px
    return body_lines


@layout_mode("multi_column", params=Params, plan=MultiColumnPlan, sample_plan=sample_plan)
def place(plan: MultiColumnPlan, inp: LayoutInput) -> Page:
    """Lay out one multi_column page from its plan.

    Returns:
        Page with paragraphs (roles title / heading / body) in reading order and glyph runs.

    Raises:
        SampleError: nothing fits, or the text could not be covered by the chosen faces.
    """
    W, H, margin = plan.width, plan.height, plan.margin_px
    page = Page(width=W, height=H, lang=inp.lang.code, layout=plan.layout,
                background=BackgroundSpec(gray_range=tuple(plan.params.paper_gray_range)),
                fonts=paper_fonts(inp, plan.body_face, plan.bold_face))
    y = _place_title(plan, inp, page, margin, H - margin)
    content_w = (W - margin) - margin
    columns = column_boxes(margin, content_w, plan.columns, plan.gutter_px)
    flow = Flow(columns, y, H - margin, inp.lang.word_separator, inp.mirror_px(W))
    col_w = (content_w - plan.gutter_px * (plan.columns - 1)) / plan.columns
    if _place_body(plan, inp, flow, col_w) == 0:
        raise SampleError("no body line fits the page")
    page.paragraphs.extend(flow.paragraphs)
    page.runs.extend(flow.runs)
    page.fonts.extend(emphasis_fonts(inp, inp.face(plan.body_face), plan.tape.record))
    if plan.title_face:
        page.fonts.append(FaceRef.of(inp.face(plan.title_face), "title"))
    page.meta = {
        "page_size": plan.page_size, "dpi": plan.params.dpi, "columns": plan.columns, "align": plan.align,
        "body_size_px": plan.body_px, "line_spacing": round(plan.line_spacing, 4), "font_role": plan.font_role,
        "fonts": fonts_record(page.fonts), "ink_gray": plan.ink_gray,
        "paper_gray_range": list(page.background.gray_range),
    }
    return page
