"""vertical: CJK vertical writing. Columns read top to bottom (direction ttb, vert/vrt2 forms, sideways
Latin/digit runs per Vertical_Orientation, kinsoku at column ends) and are ordered right to left; with two
tiers (dan-gumi) the upper block is read before the lower. An optional horizontal title runs across the top.
Reading order: title, then each tier's columns right to left.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthdoc.doc import Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.languages import Language
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.template import PageParams, Template, sample_page_px, sample_range, sample_weighted
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


def generate(inp: LayoutInput, template: Template, rng: np.random.Generator) -> Page:
    """Lay out one vertical page.

    Returns:
        Page with a horizontal title (optional) and ttb body columns, in reading order.

    Raises:
        SampleError: the language is not written vertically, or nothing fits.
    """
    p: Params = template.params
    if not supports(inp.lang):
        raise SampleError(f"{inp.lang.code} is not written vertically")
    size_name, W, H = sample_page_px(rng, p.page_sizes_mm, p.page_size_weights, p.dpi)
    margin = sample_range(rng, p.margin_frac_range) * W
    body_px, role, body_face, bold_face, color = inp.body_faces(rng, p.body_size_px_range, p.font_role_weights,
                                                                p.ink_gray_range)
    pitch = sample_range(rng, p.column_spacing_range) * body_px
    indent = sample_range(rng, p.paragraph_indent_em_range) * body_px
    tiers = int(sample_weighted(rng, p.tiers_weights))
    page = Page(width=W, height=H, lang=inp.lang.code, layout=template.name)
    body = inp.style(body_face, body_px, color)
    x0, x1, y0, y1 = margin, W - margin, margin, H - margin

    if rng.random() < p.title_p:
        t_style = inp.style(bold_face, round(body_px * sample_range(rng, p.title_scale_range)), color)
        try:
            lines = typeset_horizontal(inp.sampler.title(rng, space_delimited=False), t_style, x1 - x0, "center", max_lines=1)
        except TofuError:
            lines = []
        if lines:
            line, runs = place_horizontal(lines[0], x0, y0 + t_style.ascent_px, "")
            page.paragraphs.append(Paragraph([line], line.quad.copy(), role="title"))
            page.runs.extend(runs)
            y0 += t_style.band_px + body_px

    gap = 2.0 * body_px
    tier_h = (y1 - y0 - gap * (tiers - 1)) / tiers
    if tier_h < 4 * body_px:
        raise SampleError("page too small for vertical columns")
    paragraphs = inp.covered_paragraphs(rng, body_face)
    axes = np.arange(x1 - body_px / 2, x0 + body_px / 2 - 1e-6, -pitch)
    body_cols = 0
    for t in range(tiers):
        top = y0 + t * (tier_h + gap)
        col = 0
        while col < len(axes):
            text = next(paragraphs)
            try:
                cols = typeset_vertical(text, body, tier_h, first_indent_px=indent,
                                        tcy_max_digits=int(p.tate_chu_yoko_max_digits))
            except TofuError:
                inp.count_skip()
                continue
            placed = []
            for k, set_line in enumerate(cols):
                if col >= len(axes):
                    break
                offset = indent if k == 0 else 0.0
                line, runs = place_vertical(set_line, float(axes[col]), top + offset, "")
                placed.append(line)
                page.runs.extend(runs)
                col += 1
            if placed:
                page.paragraphs.append(Paragraph(placed, union_quad([ln.quad for ln in placed], "ttb"), role="body"))
                body_cols += len(placed)
    if body_cols == 0:
        raise SampleError("no column fits the page")
    page.meta = {"page_size": size_name, "dpi": p.dpi, "tiers": tiers, "body_size_px": body_px, "font_role": role,
                 "column_pitch_px": round(pitch, 2),
                 "fonts": {"body": f"{body_face.family} {body_face.style}", "bold": f"{bold_face.family} {bold_face.style}"},
                 "ink_gray": color[0], "paper_gray_range": list(p.paper_gray_range)}
    return page
