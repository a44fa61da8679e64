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

from synthdoc.doc import GlyphRun, Line, Page, Paragraph
from synthdoc.errors import SampleError
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.breaking import is_word_char
from synthdoc.layout.template import PageParams, Template, sample_page_px, sample_range, sample_weighted
from synthdoc.layout.typeset import (SetLine, TextStyle, TofuError, place_horizontal, shape_checked,
                                     typeset_horizontal)
from synthdoc.render.chars import Deferred, merge_one
from synthdoc.types import union_quad
from synthdoc.text.clean import strip_punctuation



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


# ----------------------------------------------------------------------------------------------- helpers
# (also used by synthdoc.layout.document)


def repeat_glyph_line(style: TextStyle, char: str, count: int, spacing_px: float = 0.0) -> SetLine:
    """A SetLine of `char` drawn `count` times: shaped once, repeated at its advance plus `spacing_px`.

    The line holds one word whose text is ``char * count`` and whose extent runs from the pen position of the
    first copy to the end of the advance of the last one.

    Returns:
        SetLine in its own frame (x from 0, y = 0 on the baseline).

    Raises:
        TofuError: the face lacks `char`. ValueError: `count` < 1.
    """
    if count < 1:
        raise ValueError("repeat_glyph_line needs count >= 1")
    style = style.for_text(char)  # the fallback face when the primary lacks the leader (Hebrew has no ".")
    run = shape_checked(style, char)
    adv = float(run.x_advance.sum())
    pitch = adv + spacing_px
    within = np.concatenate([[0.0], np.cumsum(run.x_advance, dtype=np.float64)[:-1]])
    one = np.stack([within + run.x_offset, -run.y_offset.astype(np.float64)], axis=1)
    pos = np.concatenate([one + [k * pitch, 0.0] for k in range(count)]).astype(np.float32)
    gids = np.tile(run.gids, count)
    width = (count - 1) * pitch + adv
    return SetLine(text=char * count, words=[(char * count, 0.0, width)], width=width,
                   runs=[(style, gids, pos, False)])


def glyph_pitch(style: TextStyle, char: str, spacing_px: float = 0.0) -> tuple[float, float]:
    """(advance, pitch) of one `char` in `style`, px; pitch = advance + `spacing_px`.

    Raises:
        TofuError: the face lacks `char`.
    """
    adv = float(shape_checked(style.for_text(char), char).x_advance.sum())
    return adv, adv + spacing_px


def place_parts(parts: list[tuple[SetLine, float]], baseline: float, separator: str,
                mirror_px: float | None = None) -> tuple[Line, list[GlyphRun]]:
    """Place several horizontal SetLines on one baseline as one labelled Line (their words concatenated in order).

    Args:
        parts: (set line, x of its frame origin in page pixels), in reading order, left to right in the logical
            frame.
        baseline: baseline y, page pixels.
        separator: the language's word separator.
        mirror_px: page width for right-to-left pages (each part is mirrored, see place_horizontal), else None.

    Returns:
        (Line, glyph runs).
    """
    words, runs = [], []
    direction = "ltr"
    for set_line, x in parts:
        line, r = place_horizontal(set_line, x, baseline, separator, mirror_px)
        words.extend(line.words)
        runs.extend(r)
        direction = line.direction
    return Line(words=words, quad=union_quad([w.quad for w in words]), direction=direction, separator=separator), runs


def one_line(text: str, style: TextStyle, width_px: float = 1e9) -> SetLine | None:
    """`text` typeset as a single left-aligned line (None when empty). Raises TofuError like typeset_horizontal."""
    lines = typeset_horizontal(text, style, width_px, max_lines=1)
    return lines[0] if lines else None



def one_word(set_line: SetLine | None) -> SetLine | None:
    """`set_line` labelled as a single word spanning all its words (a list marker such as "(1)" or "1." stays one
    word even where the script's segmentation would split off its punctuation)."""
    if set_line is not None and len(set_line.words) > 1:
        if set_line.word_chars is not None:
            set_line.word_chars = Deferred(merge_one, list(set_line.words), set_line.word_chars, set_line.text)
        set_line.words = [(set_line.text, set_line.words[0][1], set_line.words[-1][2])]
    return set_line


# ----------------------------------------------------------------------------------------------- mode


def _plan(rng: np.random.Generator, p: Params, n: int, depth: int) -> list[tuple[int, int]]:
    """(level, page number) of `n` entries: levels move at most one deeper at a time, page numbers never decrease."""
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
        out.append((level, page_no))
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


def _entry_text(inp: LayoutInput, p: Params, rng: np.random.Generator, numbered: bool) -> str:
    """A short sampled entry title. Without spaces between words (CJK), a title after a section number should not
    start with a digit or Latin letter (the label "1.2" + "14日" would read "1.214日"): such draws are redrawn
    (a few times)."""
    for _ in range(4):
        text = inp.sampler.title(rng, max_words=int(p.entry_max_words), max_chars=int(p.entry_max_chars),
                                 space_delimited=inp.lang.space_delimited)
        if inp.lang.space_delimited or not numbered or not is_word_char(text[0]):
            break
    return text


def generate(inp: LayoutInput, template: Template, rng: np.random.Generator) -> Page:
    """Lay out one table-of-contents page.

    Returns:
        Page with paragraphs (roles title / toc_entry) in reading order and glyph runs.

    Raises:
        SampleError: no entry fits, or the text could not be covered by the chosen faces.
    """
    p: Params = template.params
    size_name, W, H = sample_page_px(rng, p.page_sizes_mm, p.page_size_weights, p.dpi)
    margin = sample_range(rng, p.margin_frac_range) * W
    size_px = int(round(sample_range(rng, p.entry_size_px_range)))
    role, face = inp.pick_face(rng, p.font_role_weights)
    bold_face = inp.bold_for(rng, face)
    ink = int(sample_range(rng, p.ink_gray_range))
    color = (ink, ink, ink)
    spacing = max(1.0, sample_range(rng, p.line_spacing_range))
    depth = int(sample_weighted(rng, p.depth_weights))
    numbered = rng.random() < p.numbered_p
    indent_px = sample_range(rng, p.indent_em_range) * size_px
    level1_bold = rng.random() < p.level1_bold_p
    level1_px = int(round(size_px * sample_range(rng, p.level1_scale_range)))
    level1_space = sample_range(rng, p.level1_space_em_range) * size_px
    gap_px = sample_range(rng, p.leader_gap_em_range) * size_px
    ignore_leaders = bool(rng.random() < p.leaders_ignore_p)
    leader_weights = {c: w for c, w in p.leader_weights.items() if face.covers(c) and bold_face.covers(c) and w > 0}
    leader = sample_weighted(rng, leader_weights) if leader_weights else "."
    # extra tracking between single-dot leaders; an ellipsis "…" already spaces its dots evenly
    leader_spacing_em = 0.0 if leader == "\u2026" else sample_range(rng, p.leader_spacing_em_range)

    page = Page(width=W, height=H, lang=inp.lang.code, layout=template.name)
    sep = inp.lang.word_separator
    x0, x1, y0, y1 = margin, W - margin, margin, H - margin
    body = inp.style(face, size_px, color)
    lvl1 = inp.style(bold_face if level1_bold else face, level1_px, color)
    styles = {1: lvl1, 2: body, 3: body}

    y = y0
    if rng.random() < p.title_p:
        t_style = inp.style(bold_face, round(size_px * sample_range(rng, p.title_scale_range)), color)
        align = sample_weighted(rng, p.title_align_weights)
        try:
            lines = typeset_horizontal(_title_text(inp, p, rng, bold_face), t_style, x1 - x0, align=align, max_lines=1)
        except TofuError:
            inp.count_skip()
            lines = []
        if lines:
            line, runs = place_horizontal(lines[0], x0, y + t_style.ascent_px, sep, inp.mirror_px(W))
            page.paragraphs.append(Paragraph([line], line.quad.copy(), role="title"))
            page.runs.extend(runs)
            y += t_style.band_px + 1.2 * size_px

    n_entries = int(round(sample_range(rng, p.entry_count_range)))
    plan = _plan(rng, p, n_entries, depth)
    max_no = str(max(no for _, no in plan))
    try:
        num_reserve = max(one_line(max_no, st).width for st in (lvl1, body))
        pitches = {lv: glyph_pitch(st, leader, leader_spacing_em * st.size_px) for lv, st in styles.items()}
    except TofuError as e:
        raise SampleError(f"toc: {e}") from None
    lead_end = x1 - num_reserve - gap_px  # leaders of one style end here on every entry
    counters = [0, 0, 0]
    entries = 0
    skips = 0
    for k, (level, page_no) in enumerate(plan):
        style = styles[level]
        pitch = style.band_px * spacing
        before = level1_space if (level == 1 and k > 0) else 0.0
        if y + before + style.band_px > y1:
            break
        counters[level - 1] += 1
        counters[level:] = [0] * (3 - level)
        for i in range(level - 1):  # a deeper entry right after the page start: give its parents a number
            counters[i] = max(counters[i], 1)
        x = x0 + (level - 1) * indent_px
        adv, lpitch = pitches[level]
        try:
            parts: list[tuple[SetLine, float]] = []
            if numbered:
                num = one_word(one_line(".".join(str(c) for c in counters[:level]), style))
                parts.append((num, x))
                x += num.width + 0.5 * style.size_px
            room = lead_end - (p.min_leader_glyphs - 1) * lpitch - adv - gap_px - x
            if room < 2 * style.size_px:
                raise SampleError("toc: no room for an entry title")
            text = _entry_text(inp, p, rng, numbered)
            title = one_line(text, style, room)
            if title is not None and title.text != text:  # truncated: no dangling punctuation at the cut
                title = one_line(strip_punctuation(title.text), style, room)
            if title is None:
                continue
            parts.append((title, x))
            title_end = x + title.width
            n_lead = int(np.floor((lead_end - adv - (title_end + gap_px)) / lpitch)) + 1
            n_lead = max(n_lead, 1)
            lead_line = repeat_glyph_line(style, leader, n_lead, lpitch - adv)
            parts.append((lead_line, lead_end - lead_line.width))
            number = one_line(str(page_no), style)
            parts.append((number, x1 - number.width))
        except TofuError:
            inp.count_skip()
            skips += 1
            if skips > 50:
                raise SampleError("toc: too many entries not covered by the face") from None
            continue
        y += before
        line, runs = place_parts(parts, y + style.ascent_px, sep, inp.mirror_px(W))
        line.words[-2].ignore = ignore_leaders
        page.paragraphs.append(Paragraph([line], line.quad.copy(), role="toc_entry", level=level))
        page.runs.extend(runs)
        y += pitch
        entries += 1
    if entries == 0:
        raise SampleError("no toc entry fits the page")
    page.meta = {
        "page_size": size_name, "dpi": p.dpi, "entry_size_px": size_px, "line_spacing": round(spacing, 4),
        "depth": depth, "numbered": bool(numbered), "leader": leader, "leaders_ignored": ignore_leaders,
        "font_role": role, "level1_bold": bool(level1_bold),
        "fonts": {"body": f"{face.family} {face.style}", "bold": f"{bold_face.family} {bold_face.style}"},
        "ink_gray": ink, "paper_gray_range": list(p.paper_gray_range),
    }
    return page
