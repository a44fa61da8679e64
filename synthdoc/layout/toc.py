"""toc: a table of contents page. An optional title ("Contents", localized, or a sampled title), then entries at
1-3 indent levels, one per line: optional section number ("2.3"), entry title, a dot leader and the page number
right-aligned at the right margin (page numbers never decrease down the page).

Labels: one entry = one Paragraph (role "toc_entry", level 1-3) holding one Line whose words are, in reading
order, [section number?, title words..., leader, page number]. The leader is a word of its own whose text is
exactly the leader glyphs drawn (e.g. "........" or "……"); its quad spans the advances of the first to the last
leader glyph. With probability ``leaders_ignore_p`` (per page) leader words are marked ``ignore=True``.
Leader ends are aligned across entries of one style (the leader stops a fixed gap left of the widest page number),
so the dots of consecutive entries line up as in typeset books. Reading order: title, entries top to bottom.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthdoc.doc import BackgroundSpec, Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.layout.base import LayoutInput, fonts_record, paper_fonts, sample_paper
from synthdoc.layout.breaking import is_word_char
from synthdoc.layout.place import glyph_pitch, one_line, one_word, place_parts, repeat_glyph_line, unit_lines
from synthdoc.layout.plan import Plan, Tape
from synthdoc.layout.registry import layout_mode
from synthdoc.layout.template import PageParams, sample_range, sample_weighted
from synthdoc.layout.typeset import SetLine, TextStyle, TofuError, place_horizontal, typeset_horizontal


@dataclass(frozen=True)
class Params(PageParams):
    """toc template parameters (layouts/toc.yaml documents each)."""

    margin_frac_range: tuple = (0.08, 0.13)
    entry_size_px_range: tuple = (19, 26)
    line_spacing_range: tuple = (1.25, 1.7)
    title_p: float = 0.85
    localized_title_p: float = 0.7
    localized_titles: dict = field(default_factory=lambda: {
        "eng_Latn": ["Contents", "Table of Contents"], "jpn_Jpan": ["目次"], "kor_Hang": ["차례", "목차"],
        "rus_Cyrl": ["Содержание", "Оглавление"], "zho_Hans": ["目录"], "zho_Hant": ["目錄"]})
    title_scale_range: tuple = (1.5, 2.1)
    title_align_weights: dict = field(default_factory=lambda: {"left": 1, "center": 1})
    entry_count_range: tuple = (12, 60)
    depth_weights: dict = field(default_factory=lambda: {1: 1, 2: 3, 3: 2})
    deeper_p: float = 0.45
    shallower_p: float = 0.3
    numbered_p: float = 0.6
    indent_em_range: tuple = (1.0, 2.0)
    level1_bold_p: float = 0.6
    level1_scale_range: tuple = (1.0, 1.15)
    level1_space_em_range: tuple = (0.2, 0.9)
    entry_max_words: int = 8
    entry_max_chars: int = 18
    leader_weights: dict = field(default_factory=lambda: {".": 4, "·": 1, "…": 1})
    leader_spacing_em_range: tuple = (0.0, 0.3)
    leader_gap_em_range: tuple = (0.25, 0.6)
    min_leader_glyphs: int = 3
    leaders_ignore_p: float = 1.0
    first_page_range: tuple = (1, 30)
    page_step_range: tuple = (0, 14)

    def __post_init__(self) -> None:
        super().__post_init__()
        for k in self.depth_weights:
            if int(k) not in (1, 2, 3):
                raise ValueError(f"depth_weights: depth {k!r} must be 1-3")
        for lang, titles in self.localized_titles.items():
            if isinstance(titles, str):
                titles = [titles]
            if (not isinstance(titles, (list, tuple)) or not titles
                    or not all(isinstance(t, str) and t.strip() for t in titles)):
                raise ValueError(f"localized_titles: {lang!r} must be a title or a non-empty list of titles")
        if not all(isinstance(c, str) and len(c) == 1 and not c.isspace() for c in self.leader_weights):
            raise ValueError("leader_weights: keys must be single non-space characters, "
                             f"got {list(self.leader_weights)}")
        if int(self.entry_max_words) < 2 or int(self.entry_max_chars) < 4:
            raise ValueError("entry_max_words must be >= 2 and entry_max_chars >= 4")
        if self.first_page_range[0] < 0 or self.page_step_range[0] < 0:
            raise ValueError("first_page_range and page_step_range must not be negative")


@dataclass
class TocPlan(Plan):
    """Page-level choices of a toc page (sizes px; faces by key) and its entries as [level, page number]. Tape:
    "entry_text" per entry that gets that far."""

    margin_px: float = 0.0
    size_px: int = 20
    font_role: str = ""
    face: str = ""
    bold_face: str = ""
    ink_gray: int = 0
    line_spacing: float = 1.0
    depth: int = 1
    numbered: bool = False
    indent_px: float = 0.0
    level1_bold: bool = False
    level1_px: int = 20
    level1_space_px: float = 0.0
    leader_gap_px: float = 0.0
    leaders_ignored: bool = True
    leader: str = "."
    leader_spacing_em: float = 0.0
    title_px: int = 0
    title_align: str = "left"
    title_text: str | None = None
    entries: list = field(default_factory=list)


def _entries(rng: np.random.Generator, p: Params, n: int, depth: int) -> list[list[int]]:
    """[level, page number] of `n` entries: levels move at most one deeper at a time, page numbers never
    decrease."""
    out = []
    level = 1
    page_no = int(rng.integers(int(p.first_page_range[0]), int(p.first_page_range[1]) + 1))
    for k in range(n):
        if k:
            u = rng.random()
            if u < p.deeper_p and level < depth:
                level += 1
            elif u < p.deeper_p + p.shallower_p and level > 1:
                level = int(rng.integers(1, level))
            page_no += int(rng.integers(int(p.page_step_range[0]), int(p.page_step_range[1]) + 1))
        out.append([level, page_no])
    return out


def _title_text(inp: LayoutInput, p: Params, rng: np.random.Generator, face) -> str:
    titles = p.localized_titles.get(inp.lang.code)
    if isinstance(titles, str):
        titles = [titles]
    if titles and rng.random() < p.localized_title_p:
        title = titles[int(rng.integers(len(titles)))]
        if face.covers(title):
            return title
    return inp.sampler.title(rng, max_words=4, max_chars=10, space_delimited=inp.lang.space_delimited)


def _entry_text(rng: np.random.Generator, inp: LayoutInput, p: Params, numbered: bool) -> str:
    """A short sampled entry title. Without spaces between words (CJK), a title after a section number should not
    start with a digit or Latin letter (the label "1.2" + "14日" would read "1.214日"): such draws are redrawn
    (a few times)."""
    for _ in range(4):
        text = inp.sampler.title(rng, max_words=int(p.entry_max_words), max_chars=int(p.entry_max_chars),
                                 space_delimited=inp.lang.space_delimited)
        if inp.lang.space_delimited or not numbered or not is_word_char(text[0]):
            break
    return text


def _sample_leader(rng: np.random.Generator, p: Params, face, bold_face) -> tuple[str, float]:
    """(leader glyph among those both faces cover, extra tracking between leader glyphs in em)."""
    leader_weights = {c: w for c, w in p.leader_weights.items() if face.covers(c) and bold_face.covers(c) and w > 0}
    leader = sample_weighted(rng, leader_weights) if leader_weights else "."
    # extra tracking between single-dot leaders; an ellipsis "…" already spaces its dots evenly
    return leader, 0.0 if leader == "\u2026" else sample_range(rng, p.leader_spacing_em_range)


def sample_plan(p: Params, inp: LayoutInput, rng: np.random.Generator) -> TocPlan:
    """Draw the choices of a toc page (in the order every earlier release drew them)."""
    size_name, W, H, margin = sample_paper(rng, p)
    size_px = int(round(sample_range(rng, p.entry_size_px_range)))
    role, face = inp.pick_face(rng, p.font_role_weights)
    bold_face = inp.bold_for(rng, face)
    plan = TocPlan(layout="", page_size=size_name, width=W, height=H, margin_px=margin, size_px=size_px,
                   font_role=role, face=face.key, bold_face=bold_face.key, tape=Tape(rng), params=p)
    plan.ink_gray = int(sample_range(rng, p.ink_gray_range))
    plan.line_spacing = max(1.0, sample_range(rng, p.line_spacing_range))
    plan.depth = int(sample_weighted(rng, p.depth_weights))
    plan.numbered = bool(rng.random() < p.numbered_p)
    plan.indent_px = sample_range(rng, p.indent_em_range) * size_px
    plan.level1_bold = bool(rng.random() < p.level1_bold_p)
    plan.level1_px = int(round(size_px * sample_range(rng, p.level1_scale_range)))
    plan.level1_space_px = sample_range(rng, p.level1_space_em_range) * size_px
    plan.leader_gap_px = sample_range(rng, p.leader_gap_em_range) * size_px
    plan.leaders_ignored = bool(rng.random() < p.leaders_ignore_p)
    plan.leader, plan.leader_spacing_em = _sample_leader(rng, p, face, bold_face)
    if rng.random() < p.title_p:
        plan.title_px = round(size_px * sample_range(rng, p.title_scale_range))
        plan.title_align = sample_weighted(rng, p.title_align_weights)
        plan.title_text = _title_text(inp, p, rng, bold_face)
    n_entries = int(round(sample_range(rng, p.entry_count_range)))
    plan.entries = _entries(rng, p, n_entries, plan.depth)
    return plan


def _place_title(plan: TocPlan, inp: LayoutInput, page: Page) -> float:
    """The title (when planned and covered); returns the top of the entries, px."""
    y = x0 = plan.margin_px
    if plan.title_text is None:
        return y
    t_style = inp.style(inp.face(plan.bold_face), plan.title_px, (plan.ink_gray,) * 3)
    try:
        lines = typeset_horizontal(plan.title_text, t_style, (plan.width - x0) - x0, align=plan.title_align,
                                   max_lines=1)
    except TofuError:
        inp.count_skip()
        lines = []
    if lines:
        line, runs = place_horizontal(lines[0], x0, y + t_style.ascent_px, inp.lang.word_separator,
                                      inp.mirror_px(plan.width))
        page.paragraphs.append(Paragraph([line], line.quad.copy(), role="title"))
        page.runs.extend(runs)
        y += t_style.band_px + 1.2 * plan.size_px
    return y


def _entry_parts(plan: TocPlan, inp: LayoutInput, style: TextStyle, level: int, page_no: int, x: float,
                 counters: list[int], lead: tuple[float, float, float]) -> list[tuple[SetLine, float]] | None:
    """Parts of one entry line: [number?, title, leader, page number] at their x (page px); None when the
    entry title is empty.

    Raises:
        TofuError: a part is not covered. SampleError: no room for an entry title.
    """
    p: Params = plan.params
    x1 = plan.width - plan.margin_px
    lead_end, adv, lpitch = lead
    parts: list[tuple[SetLine, float]] = []
    if plan.numbered:
        num = one_word(one_line(".".join(str(c) for c in counters[:level]), style))
        parts.append((num, x))
        x += num.width + 0.5 * style.size_px
    room = lead_end - (p.min_leader_glyphs - 1) * lpitch - adv - plan.leader_gap_px - x
    if room < 2 * style.size_px:
        raise SampleError("toc: no room for an entry title")
    text = plan.tape.take("entry_text", _entry_text, inp, p, plan.numbered)
    fitted = unit_lines(text, style, room, 1)  # truncated: the longest whole unit that fits
    if not fitted:
        return None
    title = fitted[0]
    parts.append((title, x))
    n_lead = int(np.floor((lead_end - adv - (x + title.width + plan.leader_gap_px)) / lpitch)) + 1
    lead_line = repeat_glyph_line(style, plan.leader, max(n_lead, 1), lpitch - adv)
    parts.append((lead_line, lead_end - lead_line.width))
    number = one_line(str(page_no), style)
    parts.append((number, x1 - number.width))
    return parts


def _styles(plan: TocPlan, inp: LayoutInput) -> dict[int, TextStyle]:
    """Text style of each entry level (level 1 optionally bold and larger)."""
    color = (plan.ink_gray,) * 3
    face = inp.face(plan.face)
    body = inp.style(face, plan.size_px, color)
    lvl1 = inp.style(inp.face(plan.bold_face) if plan.level1_bold else face, plan.level1_px, color)
    return {1: lvl1, 2: body, 3: body}


@layout_mode("toc", params=Params, plan=TocPlan, sample_plan=sample_plan)
def place(plan: TocPlan, inp: LayoutInput) -> Page:
    """Lay out one table-of-contents page from its plan.

    Returns:
        Page with paragraphs (roles title / toc_entry) in reading order and glyph runs.

    Raises:
        SampleError: no entry fits, or the text could not be covered by the chosen faces.
    """
    W, H, margin = plan.width, plan.height, plan.margin_px
    page = Page(width=W, height=H, lang=inp.lang.code, layout=plan.layout,
                background=BackgroundSpec(gray_range=tuple(plan.params.paper_gray_range)),
                fonts=paper_fonts(inp, plan.face, plan.bold_face))
    y = _place_title(plan, inp, page)
    styles = _styles(plan, inp)
    max_no = str(max(no for _, no in plan.entries))
    try:
        num_reserve = max(one_line(max_no, st).width for st in (styles[1], styles[2]))
        pitches = {lv: glyph_pitch(st, plan.leader, plan.leader_spacing_em * st.size_px) for lv, st in styles.items()}
    except TofuError as e:
        raise SampleError(f"toc: {e}") from None
    lead_end = (W - margin) - num_reserve - plan.leader_gap_px  # leaders of one style end here on every entry
    counters, entries, skips = [0, 0, 0], 0, 0
    for k, (level, page_no) in enumerate(plan.entries):
        style = styles[level]
        before = plan.level1_space_px if (level == 1 and k > 0) else 0.0
        if y + before + style.band_px > H - margin:
            break
        counters[level - 1] += 1
        counters[level:] = [0] * (3 - level)
        for i in range(level - 1):  # a deeper entry right after the page start: give its parents a number
            counters[i] = max(counters[i], 1)
        try:
            parts = _entry_parts(plan, inp, style, level, page_no, margin + (level - 1) * plan.indent_px, counters,
                                 (lead_end, *pitches[level]))
        except TofuError:
            inp.count_skip()
            skips += 1
            if skips > 50:
                raise SampleError("toc: too many entries not covered by the face") from None
            continue
        if parts is None:
            continue
        y += before
        line, runs = place_parts(parts, y + style.ascent_px, inp.lang.word_separator, inp.mirror_px(W))
        line.words[-2].ignore = plan.leaders_ignored
        page.paragraphs.append(Paragraph([line], line.quad.copy(), role="toc_entry", level=level))
        page.runs.extend(runs)
        y += style.band_px * plan.line_spacing
        entries += 1
    if entries == 0:
        raise SampleError("no toc entry fits the page")
    page.meta = _meta(plan, page)
    return page


def _meta(plan: TocPlan, page: Page) -> dict:
    return {
        "page_size": plan.page_size, "dpi": plan.params.dpi, "entry_size_px": plan.size_px,
        "line_spacing": round(plan.line_spacing, 4), "depth": plan.depth, "numbered": plan.numbered,
        "leader": plan.leader, "leaders_ignored": plan.leaders_ignored, "font_role": plan.font_role,
        "level1_bold": plan.level1_bold, "fonts": fonts_record(page.fonts), "ink_gray": plan.ink_gray,
        "paper_gray_range": list(page.background.gray_range),
    }
