"""document: a word-processor page. A running header, an optional document title, numbered section headings
(levels 1-3: "2", "2.1", "2.1.3"), body paragraphs, bulleted and numbered lists (item levels 1-2), optional
footnotes under a short separator rule with their markers in the text (superscript digits ending a sentence:
"January.¹⁷"), block quotes (indented on both sides, a little smaller, optionally with a bar), figures (a grey
placeholder box with a numbered caption under it: "Figure 3.", "Рис. 3.", "図3"), and a footer with the page
number ("12", "- 12 -", "Page 12 of 40", "第12页", ...), in one or two columns. Justified pages are hyphenated
(``hyphenate_p``; :mod:`synthdoc.layout.hyphenate`, where the labelling rule is).

Labels:
- Roles: header, title, heading (level 1-3), body, list_item (level 1-2), quote, caption, footnote, footer.
- A footnote marker in the text is part of the word it follows, as drawn ("January.¹⁷").
- A heading number ("2.1"), a list marker (bullet "•", "◦", "・", ... or "3." / "b)") and a footnote marker ("1")
  is a word of its own, the first word of the paragraph's first line; the text after it starts at a hanging
  indent, so continuation lines align with the text, not with the marker.
- A paragraph (or list item) that runs past the foot of a column continues in the next column as a new
  paragraph of the same role.
- Rules (the footnote separator, an optional line under the header, block quote bars, figure boxes) are not text: they are
  ``page.rules`` (:class:`synthdoc.doc.Rule`, inclusive integer page pixels, ink colour), which the pipeline's
  render stage draws on the background under the text (recorded in ``page.meta["rules"]`` as
  [x0, y0, x1, y1, r, g, b]).

Reading order: header, title, the columns left to right (top to bottom within a column), footnotes, footer.
Right-to-left languages: the page is laid out in a logical frame and mirrored (synthdoc.layout.typeset), so
columns run right to left and markers stand on the right of their text; rules are mirrored with it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthdoc.doc import BackgroundSpec, FaceRef, Page, Paragraph, Rule
from synthdoc.errors import SampleError
from synthdoc.layout.base import (LayoutInput, coin, covered_run, fonts_record, paper_fonts, sample_paper,
                                  title_fits)
from synthdoc.layout.breaking import is_word_char
from synthdoc.layout.flow import Flow
from synthdoc.layout.emphasis import emphasis_fonts, paragraph_emphasis
from synthdoc.layout.hyphenate import typeset_hyphenated
from synthdoc.layout.place import Row, column_boxes, marked_rows, one_line, one_word, place_parts, unit_lines
from synthdoc.layout.plan import Plan, Tape
from synthdoc.layout.registry import layout_mode
from synthdoc.layout.template import PageParams, sample_range, sample_weighted
from synthdoc.layout.typeset import TextStyle, TofuError, mirror_rects, typeset_horizontal


@dataclass(frozen=True)
class Params(PageParams):
    """document template parameters (layouts/document.yaml documents each)."""

    margin_frac_range: tuple = (0.08, 0.12)
    column_weights: dict = field(default_factory=lambda: {1: 3, 2: 1})
    gutter_frac_range: tuple = (0.03, 0.05)
    body_size_px_range: tuple = (19, 25)
    line_spacing_range: tuple = (1.05, 1.4)
    align_weights: dict = field(default_factory=lambda: {"left": 1, "justify": 1})
    hyphenate_p: float = 0.8
    quote_p: float = 0.06
    quote_indent_em_range: tuple = (1.5, 3.0)
    quote_scale_range: tuple = (0.88, 0.96)
    quote_bar_p: float = 0.5
    figure_p: float = 0.05
    figure_lines_range: tuple = (4, 10)
    figure_gray_range: tuple = (150, 215)
    figure_caption_formats: dict = field(default_factory=lambda: {
        "*": ["{n}."], "eng_Latn": ["Figure {n}.", "Fig. {n}:"], "rus_Cyrl": ["Рис. {n}.", "Рисунок {n} —"],
        "jpn_Jpan": ["図{n}", "図 {n}."], "kor_Hang": ["그림 {n}.", "<그림 {n}>"], "zho_Hans": ["图{n}", "图 {n}"],
        "zho_Hant": ["圖{n}", "圖 {n}"]})
    footnote_marker_p: float = 0.9
    paragraph_indent_p: float = 0.4
    indent_em_range: tuple = (1.0, 2.0)
    paragraph_spacing_em_range: tuple = (0.4, 0.9)
    title_p: float = 0.5
    title_scale_range: tuple = (1.6, 2.2)
    title_align_weights: dict = field(default_factory=lambda: {"left": 1, "center": 2})
    heading_p: float = 0.22
    heading_level_weights: dict = field(default_factory=lambda: {1: 2, 2: 3, 3: 2})
    heading_numbered_p: float = 0.85
    heading1_scale_range: tuple = (1.3, 1.6)
    heading2_scale_range: tuple = (1.12, 1.3)
    heading3_scale_range: tuple = (1.0, 1.12)
    heading_space_em_range: tuple = (0.6, 1.2)
    list_p: float = 0.2
    list_items_range: tuple = (2, 6)
    list_numbered_p: float = 0.4
    list_nested_p: float = 0.25
    list_indent_em_range: tuple = (0.0, 1.5)
    list_item_spacing_em_range: tuple = (0.0, 0.3)
    item_max_words: int = 16
    item_max_chars: int = 36
    bullet_weights: dict = field(default_factory=lambda: {"•": 4, "▪": 1, "–": 1, "・": 1, "●": 1, "■": 0.5})
    sub_bullet_weights: dict = field(default_factory=lambda: {"◦": 2, "–": 1, "-": 1, "・": 1})
    list_marker_weights: dict = field(default_factory=lambda: {"{n}.": 3, "{n})": 1, "({n})": 1})
    sub_marker_weights: dict = field(default_factory=lambda: {"{a})": 2, "({a})": 1, "{a}.": 1})
    header_p: float = 0.85
    header_scale_range: tuple = (0.75, 0.9)
    header_align_weights: dict = field(default_factory=lambda: {"left": 1, "center": 1, "right": 1})
    header_rule_p: float = 0.4
    footer_p: float = 0.9
    footer_scale_range: tuple = (0.75, 0.95)
    footer_align_weights: dict = field(default_factory=lambda: {"center": 3, "right": 1, "left": 0.5})
    footer_formats: dict = field(default_factory=lambda: {"*": ["{n}", "- {n} -", "{n} / {total}"]})
    localized_footer_p: float = 0.5
    page_number_range: tuple = (1, 300)
    footnote_p: float = 0.3
    footnote_count_range: tuple = (1, 3)
    footnote_scale_range: tuple = (0.75, 0.88)
    footnote_max_lines: int = 3
    footnote_rule_frac_range: tuple = (0.25, 0.4)
    title_display_p: float = 0.0
    title_handwriting_p: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        for k in self.column_weights:
            if int(k) not in (1, 2, 3):
                raise ValueError(f"column_weights: column count {k!r} must be 1-3")
        for k in self.heading_level_weights:
            if int(k) not in (1, 2, 3):
                raise ValueError(f"heading_level_weights: level {k!r} must be 1-3")
        for name in ("bullet_weights", "sub_bullet_weights"):
            keys = list(getattr(self, name))
            if not all(isinstance(c, str) and c.strip() == c and c for c in keys):
                raise ValueError(f"{name}: bullets must be non-empty strings without spaces, got {keys}")
        for name, slot in (("list_marker_weights", "{n}"), ("sub_marker_weights", "{a}")):
            keys = list(getattr(self, name))
            if not all(isinstance(c, str) and slot in c and " " not in c for c in keys):
                raise ValueError(f"{name}: each marker must contain {slot} and no space, got {keys}")
        for lang, formats in self.footer_formats.items():
            if (not isinstance(formats, (list, tuple)) or not formats
                    or not all(isinstance(f, str) and "{n}" in f for f in formats)):
                raise ValueError(f"footer_formats: {lang!r} must be a list of formats containing {{n}}")
        if "*" not in self.footer_formats:
            raise ValueError("footer_formats: needs a '*' entry (formats for every language)")
        if int(self.item_max_words) < 2 or int(self.item_max_chars) < 4:
            raise ValueError("item_max_words must be >= 2 and item_max_chars >= 4")
        if self.page_number_range[0] < 1:
            raise ValueError("page_number_range must start at 1 or more")


@dataclass
class DocumentPlan(Plan):
    """Page-level choices of a document page (sizes px; faces by key), up to the running header. Tape, in order:
    "header_rule", "footer", "title", "footnotes", "footnote_rule", "body" (heading sizes, section counters,
    text start), then per body step "heading_here" / "list_here" and "heading_level", "heading_text",
    "heading_space", "list", "item_text"; "footnote_start" and "text_start" (corpus indices) on the first
    footnote and body paragraph."""

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
    heading_numbered: bool = False
    page_number: int = 1
    has_title: bool = False
    header: bool = False
    header_px: int = 0
    header_align: str = "left"
    header_text: str | None = None
    hyphenate: bool = False


def _covered_choice(rng: np.random.Generator, weights: dict, face, fallback: str) -> str:
    avail = {k: w for k, w in weights.items() if w > 0 and face.covers(k)}
    return sample_weighted(rng, avail) if avail else fallback


def _alpha(k: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    s = ""
    while k > 0:
        k, r = divmod(k - 1, 26)
        s = chr(ord("a") + r) + s
    return s


def _short_text(rng: np.random.Generator, inp: LayoutInput, face, max_words: int, max_chars: int,
                after_number: bool = False) -> str | None:
    """A sampled short text `face` covers (None after a few uncovered draws). After a number in a script without
    spaces, texts starting with a digit or Latin letter are redrawn (the label "1.2" + "14日" would read
    "1.214日")."""
    for _ in range(6):
        text = inp.sampler.title(rng, max_words=max_words, max_chars=max_chars,
                                 space_delimited=inp.lang.space_delimited)
        if not face.covers(text):
            inp.count_skip()
            continue
        if after_number and not inp.lang.space_delimited and is_word_char(text[0]):
            continue
        return text
    return None


SENTENCE_END = frozenset(".!?。！？")


def _sentences(text: str, min_chars: int) -> str:
    """`text` up to the end of its first sentence that ends at or after `min_chars` characters (all of it when
    no such sentence end exists)."""
    for i in range(min_chars, len(text)):
        if text[i] in SENTENCE_END and (i + 1 == len(text) or text[i + 1].isspace() or text[i] not in ".!?"):
            return text[:i + 1]
    return text


# ---------------------------------------------------------------------------------------------- sampling


def sample_plan(p: Params, inp: LayoutInput, rng: np.random.Generator) -> DocumentPlan:
    """Draw the page-level choices of a document page, up to the running header's text (in the order every
    earlier release drew them); what follows depends on where the header falls and is drawn on the tape."""
    size_name, W, H, margin = sample_paper(rng, p)
    n_cols = int(sample_weighted(rng, p.column_weights))
    gutter = sample_range(rng, p.gutter_frac_range) * W
    body_px, role, body_face, bold_face, color = inp.body_faces(rng, p.body_size_px_range, p.font_role_weights,
                                                                p.ink_gray_range)
    plan = DocumentPlan(layout="", page_size=size_name, width=W, height=H, margin_px=margin, columns=n_cols,
                        gutter_px=gutter, body_px=body_px, font_role=role, body_face=body_face.key,
                        bold_face=bold_face.key, ink_gray=color[0], tape=Tape(rng), params=p)
    plan.line_spacing = max(1.0, sample_range(rng, p.line_spacing_range))
    plan.align = sample_weighted(rng, p.align_weights)
    indent_mode = rng.random() < p.paragraph_indent_p
    plan.indent_px = sample_range(rng, p.indent_em_range) * body_px if indent_mode else 0.0
    plan.paragraph_gap_px = (0.0 if indent_mode else sample_range(rng, p.paragraph_spacing_em_range)) * body_px
    plan.heading_numbered = bool(rng.random() < p.heading_numbered_p)
    plan.page_number = int(rng.integers(int(p.page_number_range[0]), int(p.page_number_range[1]) + 1))
    plan.has_title = bool(rng.random() < p.title_p)
    if rng.random() < p.header_p:
        plan.header = True
        plan.header_px = round(body_px * sample_range(rng, p.header_scale_range))
        plan.header_align = sample_weighted(rng, p.header_align_weights)
        plan.header_text = _short_text(rng, inp, body_face, 6, 16)
    plan.hyphenate = plan.align == "justify" and bool(rng.random() < p.hyphenate_p)
    return plan


def _draw_footer(rng: np.random.Generator, p: Params, inp: LayoutInput, page_no: int, body_px: int) -> dict | None:
    """{"px", "align", "text"} of the footer (page number in a localized format), or None for no footer."""
    if not rng.random() < p.footer_p:
        return None
    px = round(body_px * sample_range(rng, p.footer_scale_range))
    align = sample_weighted(rng, p.footer_align_weights)
    formats = list(p.footer_formats["*"])
    local = p.footer_formats.get(inp.lang.code)
    if local and rng.random() < p.localized_footer_p:
        formats = list(local)
    fmt = formats[int(rng.integers(len(formats)))]
    total = page_no + int(rng.integers(0, 200))
    return {"px": px, "align": align, "text": fmt.replace("{n}", str(page_no)).replace("{total}", str(total))}


def _draw_title(rng: np.random.Generator, p: Params, inp: LayoutInput, face, body_px: int, width_px: float) -> dict:
    """{"px", "align", "text" (None when uncovered)} of the document title, and "face" (key) when the template's
    title_display_p / title_handwriting_p chose a display or handwriting face (:meth:`LayoutInput.title_face`)."""
    px = round(body_px * sample_range(rng, p.title_scale_range))
    align = sample_weighted(rng, p.title_align_weights)
    out = {"px": px, "align": align, "text": _short_text(rng, inp, face, 8, 20)}
    t_face = inp.title_face(rng, face, out["text"], p.title_display_p, p.title_handwriting_p,
                            title_fits(inp, out["text"] or "", px, width_px, p.dpi))
    if t_face is not face:
        out["face"] = t_face.key
    return out


def _draw_footnotes(rng: np.random.Generator, p: Params, inp: LayoutInput, body_px: int) -> dict | None:
    """{"px", "count", "first" (number of the first)} of the footnotes, or None."""
    if not rng.random() < p.footnote_p:
        return None
    px = round(body_px * sample_range(rng, p.footnote_scale_range))
    count = int(round(sample_range(rng, p.footnote_count_range)))
    first = int(rng.integers(1, 20))
    return {"px": px, "count": count, "first": first}


def _draw_body(rng: np.random.Generator, p: Params, inp: LayoutInput, body_px: int, has_title: bool) -> dict:
    """{"heading_px" (levels 1-3), "counters" (section numbers before the page)}."""
    heading_px = [round(body_px * sample_range(rng, r))
                  for r in (p.heading1_scale_range, p.heading2_scale_range, p.heading3_scale_range)]
    if has_title:
        counters = [0, 0, 0]
    else:  # a page inside a document: somewhere in section c1(.c2)
        counters = [int(rng.integers(1, 7)), int(rng.integers(0, 5)), 0]
    return {"heading_px": heading_px, "counters": counters}


def _draw_list(rng: np.random.Generator, p: Params, face, body_px: int) -> dict:
    """{"levels" (1-2 per item), "markers" (bullet or number per item), "indent_px", "gap_px"} of a list."""
    n_items = int(round(sample_range(rng, p.list_items_range)))
    ordered = rng.random() < p.list_numbered_p
    indent_px = sample_range(rng, p.list_indent_em_range) * body_px
    gap_px = sample_range(rng, p.list_item_spacing_em_range) * body_px
    levels = [1] + [2 if rng.random() < p.list_nested_p else 1 for _ in range(n_items - 1)]
    if ordered:
        fmt1 = sample_weighted(rng, p.list_marker_weights)
        fmt2 = sample_weighted(rng, p.sub_marker_weights)
        c1 = c2 = 0
        markers = []
        for lv in levels:
            if lv == 1:
                c1, c2 = c1 + 1, 0
                markers.append(fmt1.replace("{n}", str(c1)))
            else:
                c2 += 1
                markers.append(fmt2.replace("{a}", _alpha(c2)))
    else:
        b1 = _covered_choice(rng, p.bullet_weights, face, "-")
        b2 = _covered_choice(rng, p.sub_bullet_weights, face, "-")
        markers = [b1 if lv == 1 else b2 for lv in levels]
    return {"levels": levels, "markers": markers, "indent_px": indent_px, "gap_px": gap_px}


# ---------------------------------------------------------------------------------------------- placing


@dataclass
class _Ctx:
    """What the placing helpers share: the plan, the page being built, the free body area and the rules."""

    plan: DocumentPlan
    inp: LayoutInput
    page: Page
    y0: float
    y1: float
    rules: list = field(default_factory=list)
    head: list = field(default_factory=list)
    tail: list = field(default_factory=list)
    fn_marks: list = field(default_factory=list)  # footnote numbers whose marker is still to be set in the text

    def __post_init__(self) -> None:
        plan = self.plan
        self.x0, self.x1 = plan.margin_px, plan.width - plan.margin_px
        self.content_w = self.x1 - self.x0
        self.sep, self.mirror = self.inp.lang.word_separator, self.inp.mirror_px(plan.width)
        self.color = (plan.ink_gray,) * 3
        self.body_face, self.bold_face = self.inp.face(plan.body_face), self.inp.face(plan.bold_face)
        self.body = self.inp.style(self.body_face, plan.body_px, self.color, plan.params.dpi)
        self.pitch = plan.line_spacing * self.body.band_px
        self.rule_px = max(1, int(round(plan.body_px / 18)))

    def rule(self, rx0: float, ry: float, rx1: float) -> None:
        """A horizontal rule `rule_px` thick with its top at `ry`: [x0, y0, x1, y1, r, g, b], inclusive pixels."""
        top = int(np.floor(ry))
        self.rules.append([int(round(rx0)), top, int(round(rx1)) - 1, top + self.rule_px - 1, *self.color])

    def one_line_or_none(self, text: str | None, style: TextStyle):
        """`text` on one line of the content width, None when empty or not covered (counted)."""
        if not text:
            return None
        try:
            return one_line(text, style, self.content_w)
        except TofuError:
            self.inp.count_skip()
            return None


def _align_dx(content_w: float, width: float, align: str) -> float:
    """x offset, px, of a line `width` px wide aligned "left", "center" or "right" in `content_w` px."""
    return {"left": 0.0, "center": (content_w - width) / 2, "right": content_w - width}[align]


def _place_header(c: _Ctx) -> None:
    """The running header in the top margin, with an optional rule under it."""
    plan = c.plan
    h_style = c.inp.style(c.body_face, plan.header_px, c.color, plan.params.dpi)
    h_line = c.one_line_or_none(plan.header_text, h_style)
    if h_line is None:
        return
    with_rule = plan.tape.take("header_rule", coin, plan.params.header_rule_p)
    top = max(0.3 * plan.margin_px, 4.0)
    dx = _align_dx(c.content_w, h_line.width, plan.header_align)
    line, runs = place_parts([(h_line, c.x0 + dx)], top + h_style.ascent_px, c.sep, c.mirror)
    c.head.append(Paragraph([line], line.quad.copy(), role="header"))
    c.page.runs.extend(runs)
    bottom = top + h_style.band_px
    if with_rule:
        c.rule(c.x0, bottom + 0.3 * plan.body_px, c.x1)
        bottom += 0.3 * plan.body_px + c.rule_px
    c.y0 = max(c.y0, bottom + 0.8 * plan.body_px)


def _place_footer(c: _Ctx) -> None:
    """The footer with the page number in the bottom margin (when the tape says so)."""
    plan = c.plan
    footer = plan.tape.take("footer", _draw_footer, plan.params, c.inp, plan.page_number, plan.body_px)
    if footer is None:
        return
    f_style = c.inp.style(c.body_face, footer["px"], c.color, c.plan.params.dpi)
    f_line = c.one_line_or_none(footer["text"], f_style)
    if f_line is None:
        return
    bottom = plan.height - max(0.3 * plan.margin_px, 4.0)
    dx = _align_dx(c.content_w, f_line.width, footer["align"])
    line, runs = place_parts([(f_line, c.x0 + dx)], bottom - f_style.descent_px, c.sep, c.mirror)
    c.tail.append(Paragraph([line], line.quad.copy(), role="footer"))
    c.page.runs.extend(runs)
    c.y1 = min(c.y1, bottom - f_style.band_px - 0.8 * plan.body_px)


def _place_title(c: _Ctx) -> None:
    """The document title across the full width (first page of a document)."""
    plan = c.plan
    if not plan.has_title:
        return
    title = plan.tape.take("title", _draw_title, plan.params, c.inp, c.bold_face, plan.body_px, c.content_w)
    t_face = c.inp.face(title["face"]) if title.get("face") else c.bold_face
    t_style = c.inp.style(t_face, title["px"], c.color, plan.params.dpi)
    lines = []
    if title["text"]:
        try:
            lines = unit_lines(title["text"], t_style, c.content_w, 2, align=title["align"])
        except TofuError:
            c.inp.count_skip()
    if lines:
        flow = Flow([(c.x0, c.x1)], c.y0, c.y1, c.sep, c.mirror)
        flow.place_lines(lines, t_style, t_style.band_px * 1.1, "title")
        c.head.extend(flow.paragraphs)
        c.page.runs.extend(flow.runs)
        c.y0 = flow.y + 1.2 * plan.body_px


def _footnote_blocks(c: _Ctx, fn: dict, fn_style: TextStyle) -> list[list[Row]]:
    """Rows of each footnote (marker, then text hanging after the widest marker); [] when not covered."""
    p: Params = c.plan.params
    fn_texts = covered_run(c.plan.tape, "footnote_start", c.inp, c.body_face)
    blocks = []
    try:
        hang = one_line(str(fn["first"] + fn["count"] - 1), fn_style).width + 0.4 * fn_style.size_px
        for k in range(fn["count"]):
            marker = one_word(one_line(str(fn["first"] + k), fn_style))
            text = _sentences(next(fn_texts), 60 if c.inp.lang.space_delimited else 25)
            lines = typeset_horizontal(text, fn_style, c.content_w - hang, max_lines=int(p.footnote_max_lines))
            if lines:
                blocks.append(marked_rows(marker, lines, 0.0, hang))
    except TofuError:
        c.inp.count_skip()
        blocks = []
    return blocks


def _place_footnotes(c: _Ctx) -> list[Paragraph]:
    """Footnotes at the foot of the body area under a short rule, when they leave room for the body."""
    plan = c.plan
    fn = plan.tape.take("footnotes", _draw_footnotes, plan.params, c.inp, plan.body_px)
    if fn is None:
        return []
    body_px = plan.body_px
    fn_style = c.inp.style(c.body_face, fn["px"], c.color, c.plan.params.dpi)
    fn_pitch = plan.line_spacing * fn_style.band_px
    blocks = _footnote_blocks(c, fn, fn_style)
    height = (sum(fn_style.band_px + (len(b) - 1) * fn_pitch for b in blocks)
              + 0.2 * body_px * max(0, len(blocks) - 1))
    rule_y = c.y1 - height - 0.5 * body_px - c.rule_px
    if not (blocks and rule_y - 0.8 * body_px - c.y0 > 8 * c.pitch):
        return []
    frac = plan.tape.take("footnote_rule", sample_range, plan.params.footnote_rule_frac_range)
    c.rule(c.x0, rule_y, c.x0 + frac * c.content_w)
    flow = Flow([(c.x0, c.x1)], rule_y + c.rule_px + 0.5 * body_px, c.y1 + 1.0, c.sep, c.mirror)
    for b in blocks:
        flow.place(b, fn_style, fn_pitch, "footnote")
        flow.y += 0.2 * body_px
    c.page.runs.extend(flow.runs)
    c.y1 = rule_y - 0.8 * body_px
    if plan.tape.take("footnote_marks", coin, plan.params.footnote_marker_p):
        c.fn_marks = [fn["first"] + k for k in range(len(flow.paragraphs))]
    return flow.paragraphs


@dataclass
class _Body:
    """State of the body flow: the flow, heading styles, section counters, the corpus run and counts."""

    flow: Flow
    h_styles: dict
    counters: list
    paragraphs: object
    body_lines: int = 0
    prev: str | None = None
    skips: int = 0
    no_heading_col: int = -1


def _heading_step(c: _Ctx, b: _Body) -> None:
    """A numbered (or plain) heading kept with what follows it, or a move to the next column."""
    plan, flow = c.plan, b.flow
    depth = next((i for i, n in enumerate(b.counters) if n == 0), 3)
    allowed = {lv: w for lv, w in plan.params.heading_level_weights.items() if int(lv) <= depth + 1 and w > 0} or {1: 1}
    level = int(plan.tape.take("heading_level", sample_weighted, allowed))
    st = b.h_styles[level]
    text = plan.tape.take("heading_text", _short_text, c.inp, c.bold_face, 7, 16, plan.heading_numbered)
    if text is None:
        b.skips += 1
        return
    try:
        num, hang = None, 0.0
        if plan.heading_numbered:
            nums = b.counters[:level]
            nums[-1] += 1
            num = one_word(one_line(".".join(str(n) for n in nums), st))
            hang = num.width + 0.6 * st.size_px
        lines = unit_lines(text, st, flow.width - hang, 2)
    except TofuError:
        c.inp.count_skip()
        b.skips += 1
        return
    if not lines:
        return
    h_pitch = 1.1 * st.band_px
    space = plan.tape.take("heading_space", sample_range, plan.params.heading_space_em_range) * plan.body_px \
        if flow.y > flow.y0 else 0.0
    need = space + st.band_px + (len(lines) - 1) * h_pitch + 0.4 * plan.body_px + c.body.band_px + c.pitch
    if flow.y + need > flow.y1:  # keep a heading with what follows it
        if flow.col == len(flow.columns) - 1:
            b.no_heading_col = flow.col  # last column: fill its foot with text instead
        else:
            flow.next_column()  # a new draw at the top of the next column
        return
    b.counters[level - 1] += 1
    b.counters[level:] = [0] * (3 - level)
    flow.y += space
    flow.place(marked_rows(num, lines, 0.0, hang), st, h_pitch, "heading", level=level)
    flow.y += 0.4 * plan.body_px
    b.prev = "heading"


def _list_step(c: _Ctx, b: _Body) -> None:
    """A bulleted or numbered list (item levels 1-2) whose items continue in the next column."""
    plan, flow, body = c.plan, b.flow, c.body
    lst = plan.tape.take("list", _draw_list, plan.params, c.body_face, plan.body_px)
    levels = lst["levels"]
    try:
        marks = [one_word(one_line(m, body)) for m in lst["markers"]]
    except TofuError:
        c.inp.count_skip()
        b.skips += 1
        return
    gap = 0.5 * plan.body_px
    hang = {lv: max([m.width for m, l2 in zip(marks, levels) if l2 == lv], default=0.0) + gap for lv in (1, 2)}
    flow.y += plan.paragraph_gap_px if b.prev is not None and flow.y > flow.y0 else 0.0
    for mark, lv in zip(marks, levels):
        if flow.done:
            break
        mx = lst["indent_px"] + (hang[1] if lv == 2 else 0.0)
        tx = mx + hang[lv]
        text = plan.tape.take("item_text", _short_text, c.inp, c.body_face, int(plan.params.item_max_words),
                              int(plan.params.item_max_chars))
        if text is None:
            b.skips += 1
            continue
        try:
            lines = _item_lines(text, body, flow, c.pitch, flow.width - tx)
        except TofuError:
            c.inp.count_skip()
            continue
        if not lines:
            break
        rows = marked_rows(mark, lines, mx, tx)
        while rows and not flow.done:
            rows = flow.place(rows, body, c.pitch, "list_item", level=lv)
            if rows:
                flow.next_column()
            else:
                flow.y += c.pitch - body.band_px + lst["gap_px"]
    flow.y += plan.paragraph_gap_px
    b.prev = "list"


def _item_lines(text: str, style: TextStyle, flow: Flow, pitch: float, width_px: float) -> list:
    """A list item's lines; in the page's last column, when they would run past its bottom, the item's longest
    leading whole unit that fits there (:func:`synthdoc.layout.place.unit_lines`: a bullet is a whole unit, never cut
    at the page end inside a word, which CJK line breaks allow); [] when nothing fits.

    Raises:
        TofuError: the face lacks a glyph.
    """
    lines = typeset_horizontal(text, style, width_px, align="left")
    if flow.col < len(flow.columns) - 1 or flow.room(style, pitch, len(lines)):
        return lines
    fit = 0
    while flow.room(style, pitch, fit + 1):
        fit += 1
    return unit_lines(text, style, width_px, fit) if fit else []


def _paragraph_step(c: _Ctx, b: _Body) -> None:
    """The next corpus paragraph, continuing in the next column as a new paragraph."""
    plan, flow, body = c.plan, b.flow, c.body
    try:
        text = next(b.paragraphs)
        if c.fn_marks and flow.col < len(flow.columns) - 1 or c.fn_marks and flow.y < (flow.y0 + flow.y1) / 2:
            text = _with_marker(text, c.fn_marks, c.body_face)
        if plan.hyphenate:  # hyphenated paragraphs carry no emphasis runs (hyphenation re-sets text windows)
            lines = typeset_hyphenated(text, body, flow.width, align=plan.align, first_indent_px=plan.indent_px)
        else:
            lines = typeset_horizontal(text, body, flow.width, align=plan.align, first_indent_px=plan.indent_px,
                                       emphasis=paragraph_emphasis(plan.tape, c.inp, plan.params, text, c.body_face))
    except TofuError:
        c.inp.count_skip()
        b.skips += 1
        return
    rows = [[(ln, 0.0)] for ln in lines]  # the first-line indent is inside the first line's frame
    while rows and not flow.done:
        n_before = len(rows)
        rows = flow.place(rows, body, c.pitch, "body")
        b.body_lines += n_before - len(rows)
        if rows:
            flow.next_column()
        else:
            flow.y += c.pitch - body.band_px + plan.paragraph_gap_px
    b.prev = "body"


SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _with_marker(text: str, marks: list[int], face) -> str:
    """`text` with the footnote marker of ``marks[0]`` (superscript digits, popped from `marks`) right after
    the end of its first sentence (or its end), attached to the word before it as drawn; `text` unchanged when
    the face lacks the superscript digits."""
    marker = str(marks[0]).translate(SUPERSCRIPT_DIGITS)
    if not face.covers(marker):
        return text
    marks.pop(0)
    end = len(_sentences(text, 1))
    return text[:end] + marker + text[end:]


def _draw_block(rng: np.random.Generator, p: Params, lang: str, body_px: int) -> dict | None:
    """{"kind": "quote", "indent_px", "scale", "bar"} or {"kind": "figure", "lines", "gray", "n", "label",
    "align", "width_frac"}, or None (no such block here)."""
    r = rng.random()
    if r < p.quote_p:
        return {"kind": "quote", "indent_px": sample_range(rng, p.quote_indent_em_range) * body_px,
                "scale": sample_range(rng, p.quote_scale_range), "bar": bool(rng.random() < p.quote_bar_p)}
    if r < p.quote_p + p.figure_p:
        formats = p.figure_caption_formats.get(lang) or p.figure_caption_formats.get("*", ["{n}."])
        return {"kind": "figure", "lines": int(round(sample_range(rng, p.figure_lines_range))),
                "gray": int(sample_range(rng, p.figure_gray_range)), "n": int(rng.integers(1, 20)),
                "label": str(formats[int(rng.integers(len(formats)))]),
                "align": "center" if rng.random() < 0.6 else "left", "width_frac": float(rng.uniform(0.6, 1.0))}
    return None


def _quote_step(c: _Ctx, b: _Body, block: dict) -> None:
    """A block quote: a corpus paragraph indented on both sides, a little smaller, with an optional bar in the
    left indent; continues in the next column like a paragraph."""
    plan, flow = c.plan, b.flow
    style = c.inp.style(c.body_face, max(10, int(round(plan.body_px * block["scale"]))), c.color)
    indent = min(block["indent_px"], 0.2 * flow.width)
    try:
        lines = typeset_horizontal(_sentences(next(b.paragraphs), 80), style, flow.width - 2 * indent,
                                   max_lines=8)
    except TofuError:
        c.inp.count_skip()
        b.skips += 1
        return
    pitch = plan.line_spacing * style.band_px
    flow.y += 0.5 * plan.body_px
    rows = [[(ln, indent)] for ln in lines]
    while rows and not flow.done:
        top, n_before = flow.y, len(rows)
        rows = flow.place(rows, style, pitch, "quote")
        if block["bar"] and len(rows) < n_before:
            x = flow.columns[flow.col][0] + 0.4 * indent
            c.rules.append([int(x), int(top), int(x) + c.rule_px + 1, int(np.ceil(flow.y)), *c.color])
        if rows:
            flow.next_column()
    flow.y += 0.5 * plan.body_px + plan.paragraph_gap_px
    b.prev = "quote"


def _figure_step(c: _Ctx, b: _Body, block: dict) -> None:
    """A figure placeholder (a grey box, ``page.rules``) with its numbered caption under it, both in the current
    column; nothing when they do not fit there."""
    plan, flow = c.plan, b.flow
    cap_style = c.inp.style(c.body_face, max(10, int(round(plan.body_px * 0.9))), c.color)
    text = plan.tape.take("caption_text", _short_text, c.inp, c.body_face, 10, 24)
    label = block["label"].replace("{n}", str(block["n"]))
    if text is None or not c.body_face.covers(label):
        b.skips += 1
        return
    try:
        lines = typeset_horizontal(f"{label} {text}", cap_style, flow.width, align=block["align"], max_lines=2)
    except TofuError:
        c.inp.count_skip()
        return
    box_h = block["lines"] * c.pitch
    gap = 0.5 * plan.body_px
    need = gap + box_h + gap + cap_style.band_px + (len(lines) - 1) * c.pitch + gap
    if not lines or flow.y + need > flow.y1:
        return
    left, right = flow.columns[flow.col]
    w = (right - left) * block["width_frac"]
    x0 = left + ((right - left) - w) / 2
    y = flow.y + (gap if flow.y > flow.y0 else 0.0)
    c.rules.append([int(x0), int(y), int(x0 + w) - 1, int(y + box_h) - 1, *[block["gray"]] * 3])
    flow.y = y + box_h + gap
    flow.place_lines(lines, cap_style, plan.line_spacing * cap_style.band_px, "caption")
    flow.y += gap + plan.paragraph_gap_px
    b.prev = "figure"


def _place_body(c: _Ctx) -> _Body:
    """Headings, paragraphs and lists flowing through the columns until they are full.

    Raises:
        SampleError: no room for the body, or too much text not covered by the face.
    """
    plan = c.plan
    columns = column_boxes(c.x0, c.content_w, plan.columns, plan.gutter_px)
    if c.y1 - c.y0 < 3 * c.pitch:
        raise SampleError("document: no room for the body")
    flow = Flow(columns, c.y0, c.y1, c.sep, c.mirror)
    drawn = plan.tape.take("body", _draw_body, plan.params, c.inp, plan.body_px, plan.has_title)
    h_styles = {lv: c.inp.style(c.bold_face, px, c.color, c.plan.params.dpi) for lv, px in zip((1, 2, 3), drawn["heading_px"])}
    b = _Body(flow, h_styles, list(drawn["counters"]), covered_run(plan.tape, "text_start", c.inp, c.body_face))
    while not flow.done:
        if b.skips > 100:
            raise SampleError("document: too much text not covered by the face")
        if (b.prev != "heading" and flow.col != b.no_heading_col
                and plan.tape.take("heading_here", coin, plan.params.heading_p)):
            _heading_step(c, b)
        elif b.prev is not None and plan.tape.take("list_here", coin, plan.params.list_p):
            _list_step(c, b)
        elif b.prev is not None and (block := plan.tape.take("block_here", _draw_block, plan.params,
                                                             c.inp.lang.code, plan.body_px)):
            (_quote_step if block["kind"] == "quote" else _figure_step)(c, b, block)
        else:
            _paragraph_step(c, b)
    return b


@layout_mode("document", params=Params, plan=DocumentPlan, sample_plan=sample_plan)
def place(plan: DocumentPlan, inp: LayoutInput) -> Page:
    """Lay out one word-processor page from its plan.

    Returns:
        Page with paragraphs (roles header / title / heading / body / list_item / footnote / footer) in reading
        order, glyph runs, and the separator rules in ``page.rules``.

    Raises:
        SampleError: no body line fits, or the text could not be covered by the chosen faces.
    """
    W, H, margin = plan.width, plan.height, plan.margin_px
    page = Page(width=W, height=H, lang=inp.lang.code, layout=plan.layout,
                background=BackgroundSpec(gray_range=tuple(plan.params.paper_gray_range)),
                fonts=paper_fonts(inp, plan.body_face, plan.bold_face))
    c = _Ctx(plan, inp, page, margin, H - margin)
    if plan.header:
        _place_header(c)
    _place_footer(c)
    _place_title(c)
    fn_paras = _place_footnotes(c)
    b = _place_body(c)
    if b.body_lines == 0:
        raise SampleError("no body line fits the page")
    page.paragraphs = c.head + b.flow.paragraphs + fn_paras + c.tail
    page.fonts.extend(emphasis_fonts(inp, c.body_face, plan.tape.record))
    title = next((v for name, v in plan.tape.record if name == "title"), None)
    if title and title.get("face"):
        page.fonts.append(FaceRef.of(inp.face(title["face"]), "title"))
    page.runs.extend(b.flow.runs)
    rules = mirror_rects(c.rules, W) if c.mirror else c.rules
    page.rules = [Rule.from_list(r) for r in rules]
    page.meta = {
        "page_size": plan.page_size, "dpi": plan.params.dpi, "columns": plan.columns, "align": plan.align,
        "body_size_px": plan.body_px, "line_spacing": round(plan.line_spacing, 4), "font_role": plan.font_role,
        "heading_numbered": plan.heading_numbered, "page_number": plan.page_number,
        "rules": [r.as_list() for r in page.rules], "fonts": fonts_record(page.fonts), "ink_gray": plan.ink_gray,
        "paper_gray_range": list(page.background.gray_range),
    }
    return page
