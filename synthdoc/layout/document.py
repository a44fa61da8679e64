"""document: a word-processor page. A running header, an optional document title, numbered section headings
(levels 1-3: "2", "2.1", "2.1.3"), body paragraphs, bulleted and numbered lists (item levels 1-2), optional
footnotes under a short separator rule, and a footer with the page number ("12", "- 12 -", "Page 12 of 40",
"第12页", ...), in one or two columns.

Labels:
- Roles: header, title, heading (level 1-3), body, list_item (level 1-2), footnote, footer.
- A heading number ("2.1"), a list marker (bullet "•", "◦", "・", ... or "3." / "b)") and a footnote marker ("1")
  is a word of its own, the first word of the paragraph's first line; the text after it starts at a hanging
  indent, so continuation lines align with the text, not with the marker.
- A paragraph (or list item) that runs past the foot of a column continues in the next column as a new
  paragraph of the same role.
- Rules (the footnote separator and an optional line under the header) are not text: they are listed in
  ``page.meta["rules"]`` as filled rectangles [x0, y0, x1, y1, r, g, b] (inclusive integer page pixels, ink
  colour), which the pipeline's render stage draws on the background under the text.

Reading order: header, title, the columns left to right (top to bottom within a column), footnotes, footer.
Right-to-left languages: the page is laid out in a logical frame and mirrored (synthdoc.layout.typeset), so
columns run right to left and markers stand on the right of their text; rules are mirrored with it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthdoc.doc import Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.breaking import is_word_char
from synthdoc.layout.template import PageParams, Template, sample_page_px, sample_range, sample_weighted
from synthdoc.layout.toc import one_line, one_word, place_parts
from synthdoc.layout.typeset import SetLine, TextStyle, TofuError, mirror_rects, typeset_horizontal
from synthdoc.types import union_quad

Row = list[tuple[SetLine, float]]  # one line's parts: (set line, x offset from the column's left edge, px)


@dataclass(frozen=True)
class Params(PageParams):
    """document template parameters (layouts/document.yaml documents each)."""

    margin_frac_range: tuple = (0.08, 0.12)
    column_weights: dict = field(default_factory=lambda: {1: 3, 2: 1})
    gutter_frac_range: tuple = (0.03, 0.05)
    body_size_px_range: tuple = (19, 25)
    line_spacing_range: tuple = (1.05, 1.4)
    align_weights: dict = field(default_factory=lambda: {"left": 1, "justify": 1})
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


class _Flow:
    """Places rows (lines made of parts) into the column boxes, top to bottom, left to right."""

    def __init__(self, columns: list[tuple[float, float]], y0: float, y1: float, separator: str,
                 mirror_px: float | None = None):
        self.columns, self.y0, self.y1, self.sep = columns, y0, y1, separator
        self.mirror_px = mirror_px
        self.col = 0
        self.y = y0
        self.paragraphs: list[Paragraph] = []
        self.runs: list = []

    @property
    def done(self) -> bool:
        return self.col >= len(self.columns)

    @property
    def width(self) -> float:
        a, b = self.columns[min(self.col, len(self.columns) - 1)]
        return b - a

    def next_column(self) -> None:
        self.col += 1
        self.y = self.y0

    def room(self, style: TextStyle, pitch: float, n_lines: int) -> bool:
        """True when `n_lines` lines of `style` at `pitch` fit below the current position."""
        return self.y + style.band_px + (n_lines - 1) * pitch <= self.y1

    def place(self, rows: list[Row], style: TextStyle, pitch: float, role: str, level: int = 0) -> list[Row]:
        """Place as many `rows` as fit in the current column as one paragraph; return the rest."""
        placed = []
        left = self.columns[self.col][0]
        while rows and self.room(style, pitch, len(placed) + 1):
            baseline = self.y + style.ascent_px + len(placed) * pitch
            line, runs = place_parts([(sl, left + dx) for sl, dx in rows[0]], baseline, self.sep, self.mirror_px)
            placed.append(line)
            self.runs.extend(runs)
            rows = rows[1:]
        if placed:
            self.paragraphs.append(Paragraph(placed, union_quad([ln.quad for ln in placed]), role=role, level=level))
            self.y += style.band_px + (len(placed) - 1) * pitch
        return rows


def _marked_rows(marker: SetLine | None, lines: list[SetLine], x: float, text_x: float) -> list[Row]:
    """Rows of a paragraph whose first line starts with `marker` at `x` and whose text hangs at `text_x`."""
    rows: list[Row] = [[(ln, text_x)] for ln in lines]
    if marker is not None and rows:
        rows[0] = [(marker, x)] + rows[0]
    return rows


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


def _short_text(inp: LayoutInput, rng: np.random.Generator, face, max_words: int, max_chars: int,
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


def generate(inp: LayoutInput, template: Template, rng: np.random.Generator) -> Page:
    """Lay out one word-processor page.

    Returns:
        Page with paragraphs (roles header / title / heading / body / list_item / footnote / footer) in reading
        order, glyph runs, and the separator rules in ``meta["rules"]``.

    Raises:
        SampleError: no body line fits, or the text could not be covered by the chosen faces.
    """
    p: Params = template.params
    size_name, W, H = sample_page_px(rng, p.page_sizes_mm, p.page_size_weights, p.dpi)
    margin = sample_range(rng, p.margin_frac_range) * W
    n_cols = int(sample_weighted(rng, p.column_weights))
    gutter = sample_range(rng, p.gutter_frac_range) * W
    body_px, role, body_face, bold_face, color = inp.body_faces(rng, p.body_size_px_range, p.font_role_weights,
                                                                p.ink_gray_range)
    spacing = max(1.0, sample_range(rng, p.line_spacing_range))
    align = sample_weighted(rng, p.align_weights)
    indent_mode = rng.random() < p.paragraph_indent_p
    indent_px = sample_range(rng, p.indent_em_range) * body_px if indent_mode else 0.0
    para_gap = (0.0 if indent_mode else sample_range(rng, p.paragraph_spacing_em_range)) * body_px
    numbered = rng.random() < p.heading_numbered_p
    page_no = int(rng.integers(int(p.page_number_range[0]), int(p.page_number_range[1]) + 1))
    has_title = rng.random() < p.title_p

    page = Page(width=W, height=H, lang=inp.lang.code, layout=template.name)
    sep = inp.lang.word_separator
    space_delim = inp.lang.space_delimited
    mirror = inp.mirror_px(W)
    body = inp.style(body_face, body_px, color)
    pitch = spacing * body.band_px
    x0, x1 = margin, W - margin
    content_w = x1 - x0
    y0, y1 = margin, H - margin
    rules: list[list[int]] = []
    rule_px = max(1, int(round(body_px / 18)))
    head_paras: list[Paragraph] = []
    tail_paras: list[Paragraph] = []

    def rule(rx0: float, ry: float, rx1: float) -> None:
        """A horizontal rule `rule_px` thick with its top at `ry`: [x0, y0, x1, y1, r, g, b], inclusive pixels."""
        top = int(np.floor(ry))
        rules.append([int(round(rx0)), top, int(round(rx1)) - 1, top + rule_px - 1, *color])

    # running header in the top margin
    if rng.random() < p.header_p:
        h_style = inp.style(body_face, round(body_px * sample_range(rng, p.header_scale_range)), color)
        h_align = sample_weighted(rng, p.header_align_weights)
        text = _short_text(inp, rng, body_face, 6, 16)
        h_line = None
        if text:
            try:
                h_line = one_line(text, h_style, content_w)
            except TofuError:
                inp.count_skip()
        if h_line is not None:
            with_rule = rng.random() < p.header_rule_p
            top = max(0.3 * margin, 4.0)
            dx = {"left": 0.0, "center": (content_w - h_line.width) / 2, "right": content_w - h_line.width}[h_align]
            line, runs = place_parts([(h_line, x0 + dx)], top + h_style.ascent_px, sep, mirror)
            head_paras.append(Paragraph([line], line.quad.copy(), role="header"))
            page.runs.extend(runs)
            bottom = top + h_style.band_px
            if with_rule:
                rule(x0, bottom + 0.3 * body_px, x1)
                bottom += 0.3 * body_px + rule_px
            y0 = max(y0, bottom + 0.8 * body_px)

    # footer with the page number in the bottom margin
    if rng.random() < p.footer_p:
        f_style = inp.style(body_face, round(body_px * sample_range(rng, p.footer_scale_range)), color)
        f_align = sample_weighted(rng, p.footer_align_weights)
        formats = list(p.footer_formats["*"])
        local = p.footer_formats.get(inp.lang.code)
        if local and rng.random() < p.localized_footer_p:
            formats = list(local)
        fmt = formats[int(rng.integers(len(formats)))]
        total = page_no + int(rng.integers(0, 200))
        text = fmt.replace("{n}", str(page_no)).replace("{total}", str(total))
        f_line = None
        try:
            f_line = one_line(text, f_style, content_w)
        except TofuError:
            inp.count_skip()
        if f_line is not None:
            bottom = H - max(0.3 * margin, 4.0)
            dx = {"left": 0.0, "center": (content_w - f_line.width) / 2, "right": content_w - f_line.width}[f_align]
            line, runs = place_parts([(f_line, x0 + dx)], bottom - f_style.descent_px, sep, mirror)
            tail_paras.append(Paragraph([line], line.quad.copy(), role="footer"))
            page.runs.extend(runs)
            y1 = min(y1, bottom - f_style.band_px - 0.8 * body_px)

    # document title across the full width (first page of a document)
    if has_title:
        t_style = inp.style(bold_face, round(body_px * sample_range(rng, p.title_scale_range)), color)
        t_align = sample_weighted(rng, p.title_align_weights)
        text = _short_text(inp, rng, bold_face, 8, 20)
        lines = []
        if text:
            try:
                lines = typeset_horizontal(text, t_style, content_w, align=t_align, max_lines=2)
            except TofuError:
                inp.count_skip()
        if lines:
            flow = _Flow([(x0, x1)], y0, y1, sep, mirror)
            flow.place([[(ln, 0.0)] for ln in lines], t_style, t_style.band_px * 1.1, "title")
            head_paras.extend(flow.paragraphs)
            page.runs.extend(flow.runs)
            y0 = flow.y + 1.2 * body_px

    # footnotes at the foot of the body area, under a short rule
    fn_paras: list[Paragraph] = []
    if rng.random() < p.footnote_p:
        fn_style = inp.style(body_face, round(body_px * sample_range(rng, p.footnote_scale_range)), color)
        fn_pitch = spacing * fn_style.band_px
        n_fn = int(round(sample_range(rng, p.footnote_count_range)))
        first_no = int(rng.integers(1, 20))
        fn_texts = inp.covered_paragraphs(rng, body_face)
        blocks = []
        try:
            hang = one_line(str(first_no + n_fn - 1), fn_style).width + 0.4 * fn_style.size_px
            for k in range(n_fn):
                marker = one_word(one_line(str(first_no + k), fn_style))
                text = _sentences(next(fn_texts), 60 if space_delim else 25)
                lines = typeset_horizontal(text, fn_style, content_w - hang, max_lines=int(p.footnote_max_lines))
                if lines:
                    blocks.append(_marked_rows(marker, lines, 0.0, hang))
        except TofuError:
            inp.count_skip()
            blocks = []
        height = (sum(fn_style.band_px + (len(b) - 1) * fn_pitch for b in blocks)
                  + 0.2 * body_px * max(0, len(blocks) - 1))
        rule_y = y1 - height - 0.5 * body_px - rule_px
        if blocks and rule_y - 0.8 * body_px - y0 > 8 * pitch:
            rule(x0, rule_y, x0 + sample_range(rng, p.footnote_rule_frac_range) * content_w)
            flow = _Flow([(x0, x1)], rule_y + rule_px + 0.5 * body_px, y1 + 1.0, sep, mirror)
            for b in blocks:
                flow.place(b, fn_style, fn_pitch, "footnote")
                flow.y += 0.2 * body_px
            fn_paras = flow.paragraphs
            page.runs.extend(flow.runs)
            y1 = rule_y - 0.8 * body_px

    # body: headings, paragraphs and lists flowing through the columns
    col_w = (content_w - gutter * (n_cols - 1)) / n_cols
    columns = [(x0 + c * (col_w + gutter), x0 + c * (col_w + gutter) + col_w) for c in range(n_cols)]
    if y1 - y0 < 3 * pitch:
        raise SampleError("document: no room for the body")
    flow = _Flow(columns, y0, y1, sep, mirror)
    h_styles = {lv: inp.style(bold_face, round(body_px * sample_range(rng, r)), color)
                for lv, r in ((1, p.heading1_scale_range), (2, p.heading2_scale_range), (3, p.heading3_scale_range))}
    if has_title:
        counters = [0, 0, 0]
    else:  # a page inside a document: somewhere in section c1(.c2)
        counters = [int(rng.integers(1, 7)), int(rng.integers(0, 5)), 0]
    paragraphs = inp.covered_paragraphs(rng, body_face)
    body_lines = 0
    prev = None
    skips = 0
    no_heading_col = -1
    while not flow.done:
        if skips > 100:
            raise SampleError("document: too much text not covered by the face")
        if prev != "heading" and flow.col != no_heading_col and rng.random() < p.heading_p:
            kind = "heading"
        elif prev is not None and rng.random() < p.list_p:
            kind = "list"
        else:
            kind = "body"
        if kind == "heading":
            depth = next((i for i, c in enumerate(counters) if c == 0), 3)
            allowed = {lv: w for lv, w in p.heading_level_weights.items() if int(lv) <= depth + 1 and w > 0} or {1: 1}
            level = int(sample_weighted(rng, allowed))
            st = h_styles[level]
            text = _short_text(inp, rng, bold_face, 7, 16, after_number=numbered)
            if text is None:
                skips += 1
                continue
            try:
                if numbered:
                    nums = counters[:level]
                    nums[-1] += 1
                    num = one_word(one_line(".".join(str(c) for c in nums), st))
                    hang = num.width + 0.6 * st.size_px
                else:
                    num, hang = None, 0.0
                lines = typeset_horizontal(text, st, flow.width - hang, max_lines=2)
            except TofuError:
                inp.count_skip()
                skips += 1
                continue
            if not lines:
                continue
            h_pitch = 1.1 * st.band_px
            space = sample_range(rng, p.heading_space_em_range) * body_px if flow.y > flow.y0 else 0.0
            need = space + st.band_px + (len(lines) - 1) * h_pitch + 0.4 * body_px + body.band_px + pitch
            if flow.y + need > flow.y1:  # keep a heading with what follows it
                if flow.col == len(flow.columns) - 1:
                    no_heading_col = flow.col  # last column: fill its foot with text instead
                else:
                    flow.next_column()  # a new draw at the top of the next column
                continue
            counters[level - 1] += 1
            counters[level:] = [0] * (3 - level)
            flow.y += space
            flow.place(_marked_rows(num, lines, 0.0, hang), st, h_pitch, "heading", level=level)
            flow.y += 0.4 * body_px
            prev = "heading"
        elif kind == "list":
            n_items = int(round(sample_range(rng, p.list_items_range)))
            ordered = rng.random() < p.list_numbered_p
            list_indent = sample_range(rng, p.list_indent_em_range) * body_px
            item_gap = sample_range(rng, p.list_item_spacing_em_range) * body_px
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
                b1 = _covered_choice(rng, p.bullet_weights, body_face, "-")
                b2 = _covered_choice(rng, p.sub_bullet_weights, body_face, "-")
                markers = [b1 if lv == 1 else b2 for lv in levels]
            try:
                marks = [one_word(one_line(m, body)) for m in markers]
            except TofuError:
                inp.count_skip()
                skips += 1
                continue
            gap = 0.5 * body_px
            hang = {lv: max([m.width for m, l2 in zip(marks, levels) if l2 == lv], default=0.0) + gap for lv in (1, 2)}
            flow.y += para_gap if prev is not None and flow.y > flow.y0 else 0.0
            for mark, lv in zip(marks, levels):
                if flow.done:
                    break
                mx = list_indent + (hang[1] if lv == 2 else 0.0)
                tx = mx + hang[lv]
                text = _short_text(inp, rng, body_face, int(p.item_max_words), int(p.item_max_chars))
                if text is None:
                    skips += 1
                    continue
                try:
                    lines = typeset_horizontal(text, body, flow.width - tx, align="left")
                except TofuError:
                    inp.count_skip()
                    continue
                rows = _marked_rows(mark, lines, mx, tx)
                while rows and not flow.done:
                    rows = flow.place(rows, body, pitch, "list_item", level=lv)
                    if rows:
                        flow.next_column()
                    else:
                        flow.y += pitch - body.band_px + item_gap
            flow.y += para_gap
            prev = "list"
        else:
            text = next(paragraphs)
            try:
                lines = typeset_horizontal(text, body, flow.width, align=align, first_indent_px=indent_px)
            except TofuError:
                inp.count_skip()
                skips += 1
                continue
            rows = [[(ln, 0.0)] for ln in lines]  # the first-line indent is inside the first line's frame
            while rows and not flow.done:
                n_before = len(rows)
                rows = flow.place(rows, body, pitch, "body")
                body_lines += n_before - len(rows)
                if rows:
                    flow.next_column()
                else:
                    flow.y += pitch - body.band_px + para_gap
            prev = "body"
    if body_lines == 0:
        raise SampleError("no body line fits the page")
    page.paragraphs = head_paras + flow.paragraphs + fn_paras + tail_paras
    page.runs.extend(flow.runs)
    page.meta = {
        "page_size": size_name, "dpi": p.dpi, "columns": n_cols, "align": align, "body_size_px": body_px,
        "line_spacing": round(spacing, 4), "font_role": role, "heading_numbered": bool(numbered),
        "page_number": page_no, "rules": mirror_rects(rules, W) if mirror else rules,
        "fonts": {"body": f"{body_face.family} {body_face.style}", "bold": f"{bold_face.family} {bold_face.style}"},
        "ink_gray": color[0], "paper_gray_range": list(p.paper_gray_range),
    }
    return page
