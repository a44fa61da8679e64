"""vertical: CJK vertical writing. Columns read top to bottom (direction ttb, vert/vrt2 forms, sideways
Latin/digit runs per Vertical_Orientation, kinsoku at column ends) and are ordered right to left; with two
tiers (dan-gumi) the upper block is read before the lower. An optional horizontal title runs across the top.
Reading order: title, then each tier's columns right to left.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthdoc.doc import BackgroundSpec, Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.languages import Language
from synthdoc.layout.base import LayoutInput, fonts_record, paper_fonts, sample_paper
from synthdoc.layout.plan import Plan, Tape
from synthdoc.layout.registry import layout_mode
from synthdoc.layout.template import PageParams, sample_range, sample_weighted
from synthdoc.layout.typeset import TofuError, place_horizontal, place_vertical, typeset_horizontal, typeset_vertical
from synthdoc.types import union_quad


@dataclass(frozen=True)
class Params(PageParams):
    """vertical template parameters (layouts/vertical.yaml documents each)."""

    body_size_px_range: tuple = (20, 28)
    column_spacing_range: tuple = (1.5, 1.9)
    paragraph_indent_em_range: tuple = (1.0, 1.0)
    tiers_weights: dict = field(default_factory=lambda: {1: 1})
    title_p: float = 0.5
    title_scale_range: tuple = (1.5, 2.0)
    ink_gray_range: tuple = (0, 60)
    tate_chu_yoko_max_digits: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 <= int(self.tate_chu_yoko_max_digits) <= 4:
            raise ValueError(f"tate_chu_yoko_max_digits must be 0-4, got {self.tate_chu_yoko_max_digits!r}")
        for k in self.tiers_weights:
            if int(k) not in (1, 2, 3):
                raise ValueError(f"tiers_weights: tier count {k!r} must be 1-3")


def supports(lang: Language) -> bool:
    """True for languages written vertically (fonts.yaml directions include ttb)."""
    return "ttb" in lang.directions


@dataclass
class VerticalPlan(Plan):
    """Page-level choices of a vertical page (sizes px; faces by key). The tape stays empty."""

    margin_px: float = 0.0
    body_px: int = 20
    font_role: str = ""
    body_face: str = ""
    bold_face: str = ""
    ink_gray: int = 0
    column_pitch_px: float = 0.0
    indent_px: float = 0.0
    tiers: int = 1
    title_px: int = 0
    title_text: str | None = None
    text_start: int = 0


def sample_plan(p: Params, inp: LayoutInput, rng: np.random.Generator) -> VerticalPlan:
    """Draw the choices of a vertical page.

    Raises:
        SampleError: the language is not written vertically.
    """
    if not supports(inp.lang):
        raise SampleError(f"{inp.lang.code} is not written vertically")
    size_name, W, H, margin = sample_paper(rng, p)
    body_px, role, body_face, bold_face, color = inp.body_faces(rng, p.body_size_px_range, p.font_role_weights,
                                                                p.ink_gray_range)
    pitch = sample_range(rng, p.column_spacing_range) * body_px
    indent = sample_range(rng, p.paragraph_indent_em_range) * body_px
    tiers = int(sample_weighted(rng, p.tiers_weights))
    title_px, title = 0, None
    if rng.random() < p.title_p:
        title_px = round(body_px * sample_range(rng, p.title_scale_range))
        title = inp.sampler.title(rng, space_delimited=False)
    return VerticalPlan(layout="", page_size=size_name, width=W, height=H, margin_px=margin, body_px=body_px,
                        font_role=role, body_face=body_face.key, bold_face=bold_face.key, ink_gray=color[0],
                        column_pitch_px=pitch, indent_px=indent, tiers=tiers, title_px=title_px, title_text=title,
                        text_start=inp.sampler.start_index(rng), tape=Tape(rng), params=p)


def _place_title(plan: VerticalPlan, inp: LayoutInput, page: Page) -> float:
    """The horizontal title across the top (when planned and covered); returns the top of the columns, px."""
    x0, x1, y0 = plan.margin_px, plan.width - plan.margin_px, plan.margin_px
    if plan.title_text is None:
        return y0
    t_style = inp.style(inp.face(plan.bold_face), plan.title_px, (plan.ink_gray,) * 3)
    try:
        lines = typeset_horizontal(plan.title_text, t_style, x1 - x0, "center", max_lines=1)
    except TofuError:
        lines = []
    if lines:
        line, runs = place_horizontal(lines[0], x0, y0 + t_style.ascent_px, "")
        page.paragraphs.append(Paragraph([line], line.quad.copy(), role="title"))
        page.runs.extend(runs)
        y0 += t_style.band_px + plan.body_px
    return y0


def _place_columns(plan: VerticalPlan, inp: LayoutInput, page: Page, y0: float) -> int:
    """Body paragraphs as ttb columns, right to left, tier by tier; returns the columns placed.

    Raises:
        SampleError: the tiers are too short for columns.
    """
    p: Params = plan.params
    body_px, tiers = plan.body_px, plan.tiers
    x0, x1, y1 = plan.margin_px, plan.width - plan.margin_px, plan.height - plan.margin_px
    body = inp.style(inp.face(plan.body_face), body_px, (plan.ink_gray,) * 3)
    gap = 2.0 * body_px
    tier_h = (y1 - y0 - gap * (tiers - 1)) / tiers
    if tier_h < 4 * body_px:
        raise SampleError("page too small for vertical columns")
    paragraphs = inp.covered_paragraphs(plan.text_start, inp.face(plan.body_face))
    axes = np.arange(x1 - body_px / 2, x0 + body_px / 2 - 1e-6, -plan.column_pitch_px)
    body_cols = 0
    for t in range(tiers):
        top = y0 + t * (tier_h + gap)
        col = 0
        while col < len(axes):
            try:
                cols = typeset_vertical(next(paragraphs), body, tier_h, first_indent_px=plan.indent_px,
                                        tcy_max_digits=int(p.tate_chu_yoko_max_digits))
            except TofuError:
                inp.count_skip()
                continue
            placed = []
            for k, set_line in enumerate(cols[:len(axes) - col]):
                line, runs = place_vertical(set_line, float(axes[col]), top + (plan.indent_px if k == 0 else 0.0), "")
                placed.append(line)
                page.runs.extend(runs)
                col += 1
            if placed:
                page.paragraphs.append(Paragraph(placed, union_quad([ln.quad for ln in placed], "ttb"), role="body"))
                body_cols += len(placed)
    return body_cols


@layout_mode("vertical", params=Params, plan=VerticalPlan, sample_plan=sample_plan, supports=supports)
def place(plan: VerticalPlan, inp: LayoutInput) -> Page:
    """Lay out one vertical page from its plan.

    Returns:
        Page with a horizontal title (optional) and ttb body columns, in reading order.

    Raises:
        SampleError: nothing fits.
    """
    page = Page(width=plan.width, height=plan.height, lang=inp.lang.code, layout=plan.layout,
                background=BackgroundSpec(gray_range=tuple(plan.params.paper_gray_range)),
                fonts=paper_fonts(inp, plan.body_face, plan.bold_face))
    if _place_columns(plan, inp, page, _place_title(plan, inp, page)) == 0:
        raise SampleError("no column fits the page")
    page.meta = {"page_size": plan.page_size, "dpi": plan.params.dpi, "tiers": plan.tiers,
                 "body_size_px": plan.body_px, "font_role": plan.font_role,
                 "column_pitch_px": round(plan.column_pitch_px, 2), "fonts": fonts_record(page.fonts),
                 "ink_gray": plan.ink_gray, "paper_gray_range": list(page.background.gray_range)}
    return page
