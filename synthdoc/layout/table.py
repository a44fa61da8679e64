"""table: one ruled or shaded table per page, with an optional page title, caption and body text around it.

The table has a bold header row (optionally two header rows: a group cell spanning 2-3 columns over bold
sub-headers), 2-8 columns and as many body rows as fit the page. The first column holds short labels (text
units of the corpus); other columns are text (short phrases, or longer phrases that wrap to 2-3 lines) or typed
(at least half of all columns): integers, decimals, percentages, currency, dates, times, codes/IDs or
measurements with units, drawn per column and formatted by ICU for the page's locale
(:mod:`synthdoc.layout.table_values`); numbers are right-aligned, or decimal-aligned where a column shows a
varying number of decimals; codes left-aligned. An optional bold totals row ("Total", "Итого", "合計") holds
the exact sum of each integer / fixed-decimal / currency column as printed, over the rows that fit. Merged cells: a
header cell spanning two columns, a two-level header, a first-column cell spanning 2-3 rows, or a section row
spanning the whole table. Rule styles: full grid, horizontal rules only (booktabs top / header / bottom
rules, optionally between every row), none, or zebra-shaded rows.

Every cell is a Paragraph with role "table_cell" and ``cell=(row, col, row_span, col_span)`` (header row 0).
Text is inset from the cell box by a padding and rules lie on the cell borders, so no ink crosses a border.
Reading order: title, body text above, caption (if above), cells row-major (by the row, then the column of
their top-left grid position), caption (if below), body text below.

Rules and shading are ``page.rules`` (:class:`synthdoc.doc.Rule`, kind "shade" or "rule"), which
:meth:`synthdoc.pipeline.SampleFactory.background` draws with ``cv2.rectangle(thickness=-1)`` onto the background
before the text, in list order: row shading first, then rules.

Page meta (JSON, provenance):
    cells: [[row, col, row_span, col_span, x0, y0, x1, y1], ...] every cell box of the table (also empty cells),
        page pixels; boxes tile the table without overlap.
    rules: [[x0, y0, x1, y1, r, g, b], ...] the rectangles of ``page.rules`` (inclusive integer pixel corners).
    rule_kinds: per entry of rules, "shade" or "rule".
    numeric_cols: indices of the typed columns; numeric_kinds their types (table_values.TYPES);
        column_align: per typed column "right", "decimal" or "left"; totals_row: whether the last row sums them;
        locale: the ICU locale of the formatting; margin_px: the page margin (the text area is inside it).
    cell_padding_px: [x, y] inset of the text from its cell box.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from synthdoc.doc import BackgroundSpec, Page, Rule
from synthdoc.errors import SampleError
from synthdoc.fonts.catalogue import FaceInfo
from synthdoc.layout.base import CorpusRun, LayoutInput, coin, fonts_record, paper_fonts, sample_paper
from synthdoc.layout.breaking import is_complex_context, is_word_char
from synthdoc.layout.place import place_block
from synthdoc.layout.plan import Plan, Tape
from synthdoc.layout.registry import layout_mode
from synthdoc.layout.table_values import (TOTAL_LABELS, TYPES, decimal_separator, draw_column, draw_value,
                                          format_value, has_total, locale_for, total_text)
from synthdoc.layout.template import PageParams, sample_range, sample_weighted
from synthdoc.layout.typeset import (SetLine, ShapedParagraph, TextStyle, mirror_rects, set_paragraph, shape_paragraph,
                                     typeset_horizontal)
from synthdoc.text.units import balance, cut_points, shown_prefix, text_unit

MERGE_KINDS = ("header_span", "header_group", "row_span", "section_row")
RULE_STYLES = ("grid", "horizontal", "none", "zebra")
_TEXT_TRIES = 8
_MIN_TEXT_COL_EM = 3.0  # a wrapping text column is never narrower than this (unless its content is)

# Caption labels per language; a language not listed gets no caption label. (Numbers, currency, dates and times
# are formatted by ICU for the language's locale: synthdoc.layout.table_values.)
_CAPTIONS: dict[str, list[str]] = {
    "eng_Latn": ["Table {n}.", "Table {n}:"], "rus_Cyrl": ["Таблица {n}.", "Таблица {n} —"],
    "jpn_Jpan": ["表{n}", "表 {n}."], "kor_Hang": ["표 {n}.", "<표 {n}>"], "zho_Hans": ["表{n}", "表 {n}"],
    "zho_Hant": ["表{n}", "表 {n}"],
}


@dataclass(frozen=True)
class Params(PageParams):
    """table template parameters (layouts/table.yaml documents each)."""

    column_weights: dict = field(default_factory=lambda: {2: 1, 3: 2, 4: 2, 5: 2, 6: 1, 7: 1, 8: 1})
    body_rows_range: tuple = (4, 30)
    body_size_px_range: tuple = (16, 24)
    line_spacing_range: tuple = (1.0, 1.15)
    cell_max_lines_weights: dict = field(default_factory=lambda: {2: 1, 3: 1})
    padding_x_em_range: tuple = (0.35, 0.7)
    padding_y_em_range: tuple = (0.2, 0.45)
    table_width_frac_range: tuple = (0.6, 1.0)
    fill_width_p: float = 0.5
    table_align_weights: dict = field(default_factory=lambda: {"left": 1, "center": 2})
    valign_weights: dict = field(default_factory=lambda: {"top": 2, "middle": 1})
    header_align_weights: dict = field(default_factory=lambda: {"left": 1, "center": 1})
    rule_style_weights: dict = field(default_factory=lambda: {"grid": 3, "horizontal": 3, "none": 1, "zebra": 2})
    row_rules_p: float = 0.4
    rule_thickness_px_range: tuple = (1, 2)
    rule_gray_range: tuple = (0, 100)
    header_shade_p: float = 0.3
    shade_gray_range: tuple = (208, 232)
    typed_col_p: float = 0.6
    min_typed_frac: float = 0.5
    column_type_weights: dict = field(default_factory=lambda: {"integer": 3, "decimal": 3, "percent": 2,
                                                                "currency": 2, "date": 2, "time": 1, "code": 1,
                                                                "unit": 1})
    totals_p: float = 0.35
    negative_p: float = 0.05
    long_text_col_p: float = 0.35
    empty_cell_p: float = 0.03
    merge_p: float = 0.35
    merge_kind_weights: dict = field(default_factory=lambda: {"header_span": 1, "header_group": 1,
                                                               "row_span": 1, "section_row": 1})
    caption_p: float = 0.6
    caption_above_p: float = 0.5
    caption_numbered_p: float = 0.7
    title_p: float = 0.4
    title_scale_range: tuple = (1.4, 2.0)
    text_above_p: float = 0.3
    text_below_p: float = 0.3
    ink_gray_range: tuple = (0, 60)
    paper_gray_range: tuple = (235, 255)

    def __post_init__(self) -> None:
        super().__post_init__()
        for k in self.column_weights:
            if not 2 <= int(k) <= 8:
                raise ValueError(f"column_weights: column count {k!r} must be 2-8")
        for k in self.cell_max_lines_weights:
            if not 1 <= int(k) <= 5:
                raise ValueError(f"cell_max_lines_weights: line count {k!r} must be 1-5")
        for name, allowed in (("column_type_weights", TYPES), ("merge_kind_weights", MERGE_KINDS),
                              ("rule_style_weights", RULE_STYLES), ("valign_weights", ("top", "middle")),
                              ("header_align_weights", ("left", "center", "right")),
                              ("table_align_weights", ("left", "center"))):
            bad = set(getattr(self, name)) - set(allowed)
            if bad:
                raise ValueError(f"{name}: unknown choices {sorted(bad)}; use {', '.join(allowed)}")
        if self.body_rows_range[0] < 2:
            raise ValueError("body_rows_range: a table needs at least 2 body rows")
        if not 0 < self.rule_thickness_px_range[0] <= self.rule_thickness_px_range[1] <= 4:
            raise ValueError("rule_thickness_px_range must lie in [1, 4] px")


@dataclass
class _Cell:
    """One cell on the table grid (before and after placement)."""

    row: int
    col: int
    rs: int
    cs: int
    text: str
    kind: str  # "header", "label", "text", "numeric" (a typed column), "section", "total" (totals row)
    align: str = "left"
    valign: str = "top"
    value: float | None = None  # the number a typed cell shows (totals rows sum them)
    style: TextStyle | None = None
    lines: list[SetLine] = field(default_factory=list)
    max_lines: int = 2
    tail_px: float = 0.0  # decimal-aligned: width of the decimal separator and the digits after it
    inset_px: float = 0.0  # decimal-aligned: extra space right of the text (the column's widest tail - tail_px)
    shaped: tuple[str, ShapedParagraph] | None = None  # (text, its shaping) kept by _measure for _typeset_cell

    def height_px(self, spacing: float) -> float:
        """Height of the cell's text block (ascender of the first line to descender of the last), px."""
        if not self.lines:
            return 0.0
        return self.style.band_px * (1 + (len(self.lines) - 1) * spacing)


# ---------------------------------------------------------------------------------------------- text draws


def _covered(draw: Callable[[], str], faces: list[FaceInfo]) -> str:
    """First draw that every face in `faces` covers.

    Raises:
        SampleError: none of _TEXT_TRIES draws is covered.
    """
    for _ in range(_TEXT_TRIES):
        text = balance(draw())
        if len(text) >= 1 and all(f.covers(text) for f in faces):
            return text
    raise SampleError(f"{faces[0].family} covers none of {_TEXT_TRIES} table texts")


def _phrase(inp: LayoutInput, rng: np.random.Generator, words_range: tuple[int, int],
            chars_range: tuple[int, int]) -> str:
    """A short phrase (sampler.title): `words_range` words, or `chars_range` characters without spaces; in
    space-delimited scripts trimmed to read like a label (:func:`_label_like`), redrawn a few times when nothing
    is left."""
    text = ""
    for _ in range(4):
        max_words = int(rng.integers(max(2, words_range[0]), max(2, words_range[1]) + 1))
        max_chars = int(rng.integers(max(4, chars_range[0]), max(4, chars_range[1]) + 1))
        text = inp.sampler.title(rng, max_words=max_words, max_chars=max_chars,
                                 space_delimited=inp.lang.space_delimited)
        if not inp.lang.space_delimited:
            return text
        if words_range[0] < 2 and rng.random() < 0.5:
            text = text_unit(text, 1, max_chars, True) or text  # one-word label
        label = _label_like(text)
        if label:
            return label
    return text


def _label_like(text: str) -> str:
    """`text` without trailing short lower-case words (function words: "of", "the", "и", "на"), so that a label
    ends on a content word ("The Old Mill on" -> "The Old Mill"); "" when what is left is one word of three
    letters or fewer ("The", "If")."""
    words = text.split()
    while len(words) > 1 and len(words[-1]) <= 3 and words[-1].islower():
        words.pop()
    if len(words) == 1 and len(words[0]) <= 3:
        return ""
    return " ".join(words)


def _snippet(inp: LayoutInput, rng: np.random.Generator, paragraphs: Iterator[str]) -> str:
    """A text unit (:func:`synthdoc.text.units.text_unit`) of at most 3-12 words (or 6-24 characters) starting
    at a random word boundary of the next corpus paragraph."""
    para = next(paragraphs)
    if inp.lang.space_delimited:
        words = para.split()
        n = int(rng.integers(3, 13))
        s = int(rng.integers(0, max(1, len(words) - n + 1)))
        return text_unit(" ".join(words[s:]), n, 10 ** 6, True)
    n = int(rng.integers(6, 25))
    s = int(rng.integers(0, max(1, len(para) - n + 1)))
    starts = [0] + cut_points(para)
    s = next((i for i in starts if i >= s), 0)
    return text_unit(para[s:], 10 ** 6, n, False)


# ---------------------------------------------------------------------------------------------- geometry

def _measure(text: str, style: TextStyle, breakable: bool, cell: _Cell | None = None) -> tuple[float, float]:
    """(natural single-line width, narrowest width it can be wrapped to without breaking a word), px. With
    `cell` (whose text is `text`), the shaped paragraph is kept as ``cell.shaped`` for :func:`_typeset_cell`.

    Raises:
        TofuError: the face lacks a glyph.
    """
    par = shape_paragraph(text, style)
    if cell is not None:
        cell.shaped = (text, par)
    lines = set_paragraph(par, 1e9, max_lines=1)
    if not lines:
        return 0.0, 0.0
    nat = lines[0].width
    if not breakable:
        return nat, nat
    widest = 0.0
    for word, a, b in lines[0].words:
        if (style.space_delimited and not any(map(is_complex_context, word))) \
                or all(is_word_char(ch) or ch in ".,:/-+%" for ch in word):
            widest = max(widest, b - a)  # kept together by the line breaker
        else:
            widest = max(widest, min(b - a, 1.2 * style.size_px))  # CJK, Thai: breaks inside the word
    return nat, widest


def _column_widths(nat: np.ndarray, minw: np.ndarray, pref: float, avail: float, fill: bool) -> np.ndarray | None:
    """Content widths per column, px.

    Natural widths when they fit the preferred total `pref` (stretched to `pref` when `fill`); otherwise every
    column capped at one common width (never below its minimum) so that the total is `avail` (the most there
    is); None when even the minimums do not fit `avail`.
    """
    if minw.sum() > avail:
        return None
    if nat.sum() <= pref:
        w = nat.copy()
        if fill and w.sum() > 0:
            w = w + (pref - w.sum()) * w / w.sum()
        return w
    if nat.sum() <= avail:
        return nat.copy()
    lo, hi = 0.0, float(nat.max())
    for _ in range(40):  # bisect the common cap
        cap = (lo + hi) / 2
        if np.clip(cap, minw, nat).sum() <= avail:
            lo = cap
        else:
            hi = cap
    return np.clip(lo, minw, nat)


def _edge(b: float, t: int) -> tuple[int, int]:
    """Inclusive pixel range of a rule of thickness `t` px centred on the grid line at `b`."""
    lo = int(b) - t // 2
    return lo, lo + t - 1


def _hrule(x0: float, x1: float, y: float, t: int) -> tuple[int, int, int, int]:
    a, b = _edge(y, t)
    return _edge(x0, t)[0], a, _edge(x1, t)[1], b


def _vrule(x: float, y0: float, y1: float, t: int) -> tuple[int, int, int, int]:
    a, b = _edge(x, t)
    return a, _edge(y0, t)[0], b, _edge(y1, t)[1]


# ---------------------------------------------------------------------------------------------- the table

@dataclass
class _Table:
    n_cols: int
    header_rows: int
    header: list[_Cell]
    blocks: list[list[_Cell]]  # body rows, grouped so that a row-spanning cell never gets cut
    block_rows: list[list[int]]
    col_kinds: list[str]
    num_kinds: dict[int, str]
    merges: list[str]
    specs: dict[int, dict] = field(default_factory=dict)  # typed column -> table_values spec
    totals: bool = False  # a totals row follows the body rows that fit


def _table_record(t: _Table) -> dict:
    """`t` as plain JSON (cells as [row, col, row_span, col_span, text, kind, align, valign, value])."""
    def cell(c: _Cell) -> list:
        return [c.row, c.col, c.rs, c.cs, c.text, c.kind, c.align, c.valign, c.value]

    return {"n_cols": t.n_cols, "header_rows": t.header_rows, "header": [cell(c) for c in t.header],
            "blocks": [[cell(c) for c in b] for b in t.blocks], "block_rows": t.block_rows,
            "col_kinds": t.col_kinds, "num_kinds": {str(c): k for c, k in t.num_kinds.items()}, "merges": t.merges}


def _table_from_record(d: dict) -> _Table:
    def cell(r: list) -> _Cell:
        return _Cell(*r)

    return _Table(d["n_cols"], d["header_rows"], [cell(r) for r in d["header"]],
                  [[cell(r) for r in b] for b in d["blocks"]], d["block_rows"], d["col_kinds"],
                  {int(c): k for c, k in d["num_kinds"].items()}, d["merges"],
                  {int(c): s for c, s in d.get("specs", {}).items()}, bool(d.get("totals", False)))


# ---------------------------------------------------------------------------------------------- sampling


def _build_header(rng: np.random.Generator, inp: LayoutInput, p: Params, n_cols: int, col_kinds: list[str],
                  merge: str, header_align: str, bold: FaceInfo, specs: dict) -> tuple[list[_Cell], int]:
    """Header cells (one row, or two under a group cell) and the number of header rows."""
    def head_text() -> str:
        return _covered(lambda: _phrase(inp, rng, (1, 3), (2, 6)), [bold])

    def col_align(c: int) -> str:
        if col_kinds[c] == "numeric":
            return "left" if specs[c]["align"] == "left" else "right"
        return "left" if c == 0 else header_align

    if merge not in ("header_span", "header_group"):
        return [_Cell(0, c, 1, 1, head_text(), "header", col_align(c), "bottom") for c in range(n_cols)], 1
    header: list[_Cell] = []
    span = int(rng.integers(2, min(3, n_cols - 1) + 1)) if merge == "header_group" else 2
    start = int(rng.integers(1, n_cols - span + 1))
    group = range(start, start + span)
    if merge == "header_group":
        for c in range(n_cols):
            if c == start:
                header.append(_Cell(0, c, 1, span, head_text(), "header", "center", "top"))
            elif c not in group:
                header.append(_Cell(0, c, 2, 1, head_text(), "header", col_align(c), "bottom"))
        for c in group:
            header.append(_Cell(1, c, 1, 1, head_text(), "header", col_align(c), "bottom"))
        return header, 2
    for c in range(n_cols):
        if c == start:
            header.append(_Cell(0, c, 1, span, head_text(), "header", "center", "bottom"))
        elif c not in group:
            header.append(_Cell(0, c, 1, 1, head_text(), "header", col_align(c), "bottom"))
    return header, 1


def _body_cell(rng: np.random.Generator, inp: LayoutInput, p: Params, r: int, c: int, kind: str, spec: dict | None,
               valign: str, body: FaceInfo, paragraphs: Iterator[str], loc) -> _Cell:
    """One body cell of a column of `kind` (typed columns: `spec` of :func:`table_values.draw_column`, ICU locale
    `loc`), possibly empty."""
    faces = [body]
    if kind == "numeric":
        if rng.random() < p.empty_cell_p and not has_total(spec):
            return _Cell(r, c, 1, 1, "—" if body.covers("—") else "-", "numeric", "right", valign)
        for _ in range(_TEXT_TRIES):
            value = draw_value(rng, spec, 0.0 if has_total(spec) else p.negative_p)
            text = format_value(value, spec, loc)
            if body.covers(text):
                return _Cell(r, c, 1, 1, text, "numeric", spec["align"], valign, float(value))
        raise SampleError(f"{body.family} covers none of {_TEXT_TRIES} {spec['type']} values")
    if c > 0 and rng.random() < p.empty_cell_p:
        return _Cell(r, c, 1, 1, "", kind, "left", valign)
    if kind == "long":
        text = _covered(lambda: _snippet(inp, rng, paragraphs), faces)
    elif kind == "label":
        text = _covered(lambda: _phrase(inp, rng, (1, 4), (2, 8)), faces)
    else:
        text = _covered(lambda: _phrase(inp, rng, (1, 3), (2, 6)), faces)
    return _Cell(r, c, 1, 1, text, "label" if c == 0 else "text", "left", valign)


def _build_body(rng: np.random.Generator, inp: LayoutInput, p: Params, t: _Table, specs: dict, valign: str,
                body: FaceInfo, bold: FaceInfo, paragraphs: Iterator[str], loc) -> None:
    """Body rows of `t` (grouped into blocks: a section row, a row-spanning label with its rows, or one row)."""
    def cell(r: int, c: int) -> _Cell:
        return _body_cell(rng, inp, p, r, c, t.col_kinds[c], specs.get(c), valign, body, paragraphs, loc)

    n_cols, header_rows = t.n_cols, t.header_rows
    n_body = int(round(sample_range(rng, p.body_rows_range)))
    r = header_rows
    since_section = 0
    kind = t.merges[0] if t.merges else ""
    while r - header_rows < n_body:
        if kind == "section_row" and (not t.blocks or (since_section >= 3 and rng.random() < 0.2)):
            text = _covered(lambda: _phrase(inp, rng, (2, 5), (4, 10)), [bold])
            t.blocks.append([_Cell(r, 0, 1, n_cols, text, "section", "left", "middle")])
            t.block_rows.append([r])
            r, since_section = r + 1, 0
            continue
        if kind == "row_span" and (len(t.blocks) == 0 or rng.random() < 0.3):
            k = int(rng.integers(2, 4))
            cells = [_Cell(r, 0, k, 1, _covered(lambda: _phrase(inp, rng, (1, 4), (2, 8)), [body]), "label",
                           "left", "middle")]
            cells += [cell(rr, c) for rr in range(r, r + k) for c in range(1, n_cols)]
            t.blocks.append(cells)
            t.block_rows.append(list(range(r, r + k)))
            r += k
            since_section += k
            continue
        t.blocks.append([cell(r, c) for c in range(n_cols)])
        t.block_rows.append([r])
        r += 1
        since_section += 1


def _totals_block(t: _Table, specs: dict, lang_code: str, bold: FaceInfo, loc, n_blocks: int) -> list[_Cell] | None:
    """A totals row under the first `n_blocks` body blocks of `t`: the language's "Total" label, then per
    additive column the exact sum of its values as shown (other columns empty); None when no column adds up or
    the bold face lacks a glyph."""
    cols = [c for c, spec in specs.items() if has_total(spec)]
    label = TOTAL_LABELS.get(lang_code, "Σ")
    if not cols or t.merges[:1] == ["row_span"] or not bold.covers(label):
        return None
    r = max(rows[-1] for rows in t.block_rows[:n_blocks]) + 1
    cells = [_Cell(r, 0, 1, 1, label, "total", "left", "middle")]
    for c in range(1, t.n_cols):
        text, align = "", "left"
        if c in cols:
            values = [cell.value for b in t.blocks[:n_blocks] for cell in b if cell.col == c and cell.value is not None]
            text, align = total_text(values, specs[c], loc), specs[c]["align"]
        if not bold.covers(text):
            return None
        cells.append(_Cell(r, c, 1, 1, text, "total", align, "middle"))
    return cells


def _column_kinds(rng: np.random.Generator, p: Params, n_cols: int) -> list[str]:
    """"label" for the first column, then "numeric" (typed) or "text" / "long" per column; at least
    ``min_typed_frac`` of all columns typed (text columns are turned typed, last first)."""
    kinds = ["label"]
    for _ in range(1, n_cols):
        if rng.random() < p.typed_col_p:
            kinds.append("numeric")
        else:
            kinds.append("long" if rng.random() < p.long_text_col_p else "text")
    need = int(np.ceil(p.min_typed_frac * n_cols - 1e-9)) - kinds.count("numeric")
    for c in range(n_cols - 1, 0, -1):
        if need <= 0:
            break
        if kinds[c] != "numeric":
            kinds[c], need = "numeric", need - 1
    return kinds


def _draw_table(rng: np.random.Generator, inp: LayoutInput, p: Params, n_cols: int, body: FaceInfo,
                bold: FaceInfo, corpus: CorpusRun, loc) -> dict:
    """Draw a table's structure, column types and cell texts (no geometry yet), as :func:`_table_record` plus
    "specs" (column -> :func:`table_values.draw_column` spec) and "totals" (whether a totals row follows)."""
    col_kinds = _column_kinds(rng, p, n_cols)
    specs = {c: draw_column(rng, sample_weighted(rng, p.column_type_weights), loc)
             for c, k in enumerate(col_kinds) if k == "numeric"}
    merges: list[str] = []
    if rng.random() < p.merge_p:
        kind = sample_weighted(rng, p.merge_kind_weights)
        if kind in ("header_span", "header_group") and n_cols < 3:
            kind = "row_span" if p.merge_kind_weights.get("row_span", 0) > 0 else "section_row"
        merges.append(kind)
    header_align = sample_weighted(rng, p.header_align_weights)
    valign = sample_weighted(rng, p.valign_weights)
    header, header_rows = _build_header(rng, inp, p, n_cols, col_kinds, merges[0] if merges else "",
                                        header_align, bold, specs)
    t = _Table(n_cols, header_rows, header, [], [], col_kinds, {c: s["type"] for c, s in specs.items()}, merges)
    _build_body(rng, inp, p, t, specs, valign, body, bold, corpus.texts(rng), loc)
    record = _table_record(t)
    record["specs"] = {str(c): s for c, s in specs.items()}
    record["totals"] = bool(rng.random() < p.totals_p and _totals_block(t, specs, inp.lang.code, bold, loc,
                                                                       len(t.blocks)) is not None)
    return record


def _caption_text(inp: LayoutInput, rng: np.random.Generator, p: Params, face: FaceInfo) -> str:
    text = _covered(lambda: _phrase(inp, rng, (3, 9), (6, 20)), [face])
    labels = _CAPTIONS.get(inp.lang.code, [])
    if labels and rng.random() < p.caption_numbered_p:
        label = labels[int(rng.integers(len(labels)))].format(n=int(rng.integers(1, 13)))
        if face.covers(label):
            text = f"{label} {text}"
    return text


def _draw_caption(rng: np.random.Generator, p: Params, inp: LayoutInput, body: FaceInfo,
                  bold: FaceInfo, table_align: str) -> dict | None:
    """{"pos" ("above" / "below"), "bold", "align", "text"} of the caption, or None."""
    if not rng.random() < p.caption_p:
        return None
    pos = "above" if rng.random() < p.caption_above_p else "below"
    is_bold = bool(rng.random() < 0.3)
    align = "center" if (table_align == "center" and rng.random() < 0.6) else "left"
    text = _caption_text(inp, rng, p, bold if is_bold else body)
    return {"pos": pos, "bold": is_bold, "align": align, "text": text}


@dataclass
class TablePlan(Plan):
    """Page-level choices of a table page (sizes px; faces by key), the title and the text above the table
    (corpus index, lines). Tape: "table" (structure and cell texts) per try with fewer columns, "caption",
    "text_below", then "paragraph" (corpus index) per block of text below."""

    margin_px: float = 0.0
    body_px: int = 20
    font_role: str = ""
    body_face: str = ""
    bold_face: str = ""
    ink_gray: int = 0
    line_spacing: float = 1.0
    columns: int = 2
    cell_max_lines: int = 2
    pad_x_px: int = 5
    pad_y_px: int = 4
    rule_style: str = "grid"
    rule_px: int = 1
    heavy_rule_px: int = 1
    rule_gray: int = 0
    shade_gray: int = 220
    header_shade: bool = False
    row_rules: bool = False
    fill: bool = False
    table_align: str = "left"
    table_width_px: float = 0.0
    title_px: int = 0
    title_text: str | None = None
    title_align: str = "left"
    text_above: list | None = None
    corpus: CorpusRun | None = field(default=None, repr=False, compare=False, metadata={"record": False})


def _sample_rules(rng: np.random.Generator, p: Params, plan: TablePlan) -> None:
    """Rule style, thickness (heavy: booktabs top and bottom) and grey levels of rules and shading."""
    plan.rule_style = sample_weighted(rng, p.rule_style_weights)
    t = int(round(sample_range(rng, p.rule_thickness_px_range)))
    plan.rule_px = t
    plan.heavy_rule_px = min(int(p.rule_thickness_px_range[1]), t + 1) if rng.random() < 0.6 else t
    plan.rule_gray = int(sample_range(rng, p.rule_gray_range))
    plan.shade_gray = int(sample_range(rng, p.shade_gray_range))
    plan.header_shade = bool(rng.random() < p.header_shade_p)
    plan.row_rules = bool(rng.random() < p.row_rules_p)


def sample_plan(p: Params, inp: LayoutInput, rng: np.random.Generator) -> TablePlan:
    """Draw the page-level choices of a table page (in the order every earlier release drew them)."""
    size_name, W, H, margin = sample_paper(rng, p)
    body_px, role, body_face, bold_face, color = inp.body_faces(rng, p.body_size_px_range, p.font_role_weights,
                                                                p.ink_gray_range)
    plan = TablePlan(layout="", page_size=size_name, width=W, height=H, margin_px=margin, body_px=body_px,
                     font_role=role, body_face=body_face.key, bold_face=bold_face.key, ink_gray=color[0],
                     tape=Tape(rng), params=p, corpus=CorpusRun(inp, body_face))
    plan.line_spacing = max(1.0, sample_range(rng, p.line_spacing_range))
    plan.columns = int(sample_weighted(rng, p.column_weights))
    plan.cell_max_lines = int(sample_weighted(rng, p.cell_max_lines_weights))
    plan.pad_x_px = max(5, int(round(sample_range(rng, p.padding_x_em_range) * body_px)))
    plan.pad_y_px = max(4, int(round(sample_range(rng, p.padding_y_em_range) * body_px)))
    _sample_rules(rng, p, plan)
    plan.fill = bool(rng.random() < p.fill_width_p)
    plan.table_align = sample_weighted(rng, p.table_align_weights)
    plan.table_width_px = ((W - margin) - margin) * sample_range(rng, p.table_width_frac_range)
    if rng.random() < p.title_p:
        plan.title_px = round(body_px * sample_range(rng, p.title_scale_range))
        plan.title_text = _covered(lambda: inp.sampler.title(rng, space_delimited=inp.lang.space_delimited),
                                   [bold_face])
        plan.title_align = sample_weighted(rng, {"left": 1, "center": 1})
    if rng.random() < p.text_above_p:
        plan.text_above = [plan.corpus.next_index(rng), int(rng.integers(2, 6))]
    return plan


# ---------------------------------------------------------------------------------------------- placing


@dataclass
class _Ctx:
    """What the placing helpers share: plan, page, faces and styles, content box."""

    plan: TablePlan
    inp: LayoutInput
    page: Page

    def __post_init__(self) -> None:
        plan = self.plan
        self.x0, self.x1 = plan.margin_px, plan.width - plan.margin_px
        self.y0, self.y1 = plan.margin_px, plan.height - plan.margin_px
        self.content_w = self.x1 - self.x0
        self.color = (plan.ink_gray,) * 3
        self.body_face, self.bold_face = self.inp.face(plan.body_face), self.inp.face(plan.bold_face)
        self.styles = {"body": self.inp.style(self.body_face, plan.body_px, self.color),
                       "bold": self.inp.style(self.bold_face, plan.body_px, self.color)}
        self.body = self.styles["body"]
        self.pitch = plan.line_spacing * self.body.band_px
        self.sep = self.inp.lang.word_separator
        self.mirror = self.inp.mirror_px(plan.width)  # right-to-left: laid out logically, mirrored
        self.decimal_sep = decimal_separator(locale_for(self.inp.lang.hb_language))

    def block(self, lines: list[SetLine], style: TextStyle, x: float, y: float, pitch: float, role: str) -> float:
        return place_block(self.page, lines, style, x, y, pitch, self.sep, role, mirror_px=self.mirror)

    def paragraph(self, index: int) -> str:
        return self.inp.sampler.flat_paragraphs[index]


_UNBREAKABLE = ("numeric", "total")  # cell kinds set on one line (typed values, totals)


def _widest_digit(style: TextStyle) -> str:
    """The style's widest ASCII digit (the first of equals): a totals cell is sized for any sum with as many
    digits (proportional digits: "781,171" is narrower than "637,764")."""
    return max("0123456789", key=lambda d: _measure(d, style, False)[0])


def _widest_digits(text: str, widest: str) -> str:
    """`text` with every ASCII digit replaced by `widest`."""
    return "".join(widest if ch.isdigit() and ch.isascii() else ch for ch in text)


def _prepare_cells(c: _Ctx, table: _Table, cells: list[_Cell]) -> tuple[np.ndarray, np.ndarray]:
    """Give every cell its style and line limit; returns the (natural, minimum) content width per column, px.
    Decimal-aligned cells get ``tail_px`` (their decimal separator and fraction digits, px) and their column's
    natural width is the widest integer part plus the widest tail."""
    plan, n = c.plan, table.n_cols
    nat, minw = np.zeros(n), np.zeros(n)
    heads = np.zeros(n)
    tails = np.zeros(n)
    widest: dict[int, str] = {}  # id(style) -> its widest digit, measured once per table
    for cell in cells:
        cell.style = c.styles["bold" if cell.kind in ("header", "section", "total") else "body"]
        cell.max_lines = 1 if cell.kind in _UNBREAKABLE else (
            plan.cell_max_lines + 1 if cell.kind == "header" else plan.cell_max_lines)
        if cell.cs > 1:
            continue
        if cell.kind == "total":
            if id(cell.style) not in widest:
                widest[id(cell.style)] = _widest_digit(cell.style)
            cnat, cmin = _measure(_widest_digits(cell.text, widest[id(cell.style)]), cell.style, False)
        else:
            cnat, cmin = _measure(cell.text, cell.style, cell.kind not in _UNBREAKABLE, cell)
        if cell.kind not in _UNBREAKABLE:
            cmin = max(cmin, min(cnat, _MIN_TEXT_COL_EM * cell.style.size_px))
        if cell.align == "decimal":
            k = cell.text.rfind(c.decimal_sep)
            cell.tail_px = cnat - _measure(cell.text[:k], cell.style, False)[0] if k > 0 else 0.0
            heads[cell.col] = max(heads[cell.col], cnat - cell.tail_px)
            tails[cell.col] = max(tails[cell.col], cell.tail_px)
        nat[cell.col] = max(nat[cell.col], cnat)
        minw[cell.col] = max(minw[cell.col], cmin)
    nat = np.maximum(nat, heads + tails)
    minw = np.maximum(minw, heads + tails)
    for cell in cells:
        if cell.align == "decimal":
            cell.inset_px = float(tails[cell.col] - cell.tail_px)
    return nat, minw


def _layout_table(c: _Ctx, loc) -> tuple[_Table, list[int]]:
    """A table from the tape, dropping columns until its minimum widths fit the content width; its cells
    typeset. The table is at most ``table_width_px`` wide when its natural widths fit, else up to the content
    width. A totals row (if any) is laid out with the sum of every body row (it is re-summed over the rows that
    fit by :func:`_fit_rows`).

    Returns:
        the table (cells typeset) and the x offsets of its column borders from the table's left edge, px.

    Raises:
        SampleError: not even two columns fit.
    """
    plan, pad_x = c.plan, c.plan.pad_x_px
    for n in range(plan.columns, 1, -1):
        table = _table_from_record(plan.tape.take("table", _draw_table, c.inp, plan.params, n, c.body_face,
                                                  c.bold_face, plan.corpus, loc))
        if table.totals:
            table.blocks.append(_totals_block(table, table.specs, c.inp.lang.code, c.bold_face, loc,
                                              len(table.blocks)))
            table.block_rows.append([table.blocks[-1][0].row])
        cells = table.header + [cell for b in table.blocks for cell in b]
        nat, minw = _prepare_cells(c, table, cells)
        widths = _column_widths(np.ceil(nat), np.ceil(minw), plan.table_width_px - n * 2 * pad_x,
                                c.content_w - n * 2 * pad_x, plan.fill)
        if widths is None:
            continue
        xs = np.concatenate([[0], np.cumsum(np.floor(widths) + 2 * pad_x)]).astype(int).tolist()
        for cell in cells:
            _typeset_cell(cell, xs[cell.col + cell.cs] - xs[cell.col] - 2 * pad_x)
        return table, xs
    raise SampleError("no two table columns fit the page width")


def _typeset_cell(cell: _Cell, width_px: float) -> None:
    """Set `cell.lines` at `width_px`; a text cut off by the cell's line limit is replaced by its longest prefix
    that ends at a word boundary and fits (:func:`synthdoc.text.units.shown_prefix`), never a truncated word (the
    cell stays empty when not even its first word fits). A
    decimal-aligned cell is set flush right in `width_px` less its ``inset_px``, so that the decimal separators
    of its column line up."""
    align = "right" if cell.align == "decimal" else cell.align
    width_px -= cell.inset_px
    if cell.shaped is not None and cell.shaped[0] == cell.text and cell.shaped[1].style is cell.style:
        cell.lines = set_paragraph(cell.shaped[1], width_px, align=align, max_lines=cell.max_lines)
    else:
        cell.lines = typeset_horizontal(cell.text, cell.style, width_px, align=align, max_lines=cell.max_lines)
    shown = sum(len("".join(line.text.split())) for line in cell.lines)
    while shown < len("".join(cell.text.split())):  # until the prefix itself fits (its breaks may differ)
        prefix = shown_prefix(cell.text, shown)
        cell.text = prefix
        if not prefix:  # not even the first word fits: an empty cell rather than a torn word
            cell.lines = []
            break
        cell.lines = typeset_horizontal(prefix, cell.style, width_px, align=align, max_lines=cell.max_lines)
        shown = sum(len("".join(line.text.split())) for line in cell.lines)


def _row_heights(cells: list[_Cell], n_rows: int, min_h: float, pad_y: int, spacing: float) -> list[int]:
    """Integer height of every grid row: the tallest single-row cell, then rows grown so spanning cells fit."""
    h = np.full(n_rows, min_h)
    for cell in cells:
        if cell.rs == 1:
            h[cell.row] = max(h[cell.row], cell.height_px(spacing) + 2 * pad_y)
    for cell in cells:
        if cell.rs > 1:
            need = cell.height_px(spacing) + 2 * pad_y - h[cell.row:cell.row + cell.rs].sum()
            if need > 0:
                h[cell.row + cell.rs - 1] += need
    return np.ceil(h).astype(int).tolist()


def _fit_rows(c: _Ctx, table: _Table, ty0: int, limit: float, xs: list[int],
              loc) -> tuple[list[int], list[_Cell]]:
    """Row borders (page y, px) of the header and of the body blocks that fit above `limit`, and the cells placed
    (row-major). A totals row keeps its place under the rows that fit and is re-summed over them.

    Raises:
        SampleError: the header or two body rows do not fit.
    """
    totals = table.blocks.pop() if table.totals else None
    if totals:
        table.block_rows.pop()
    all_cells = table.header + [cell for b in table.blocks for cell in b]
    n_rows_all = table.header_rows + sum(len(r) for r in table.block_rows)
    min_h = max(c.styles["body"].band_px, c.styles["bold"].band_px) + 2 * c.plan.pad_y_px
    heights = _row_heights(all_cells, n_rows_all, min_h, c.plan.pad_y_px, c.plan.line_spacing)
    total_h = int(np.ceil(max([min_h] + [cell.height_px(c.plan.line_spacing) + 2 * c.plan.pad_y_px
                                         for cell in totals or []])))
    body_limit = limit - (total_h if totals else 0)
    ys = [ty0]
    for r in range(table.header_rows):
        ys.append(ys[-1] + heights[r])
    if ys[-1] > body_limit:
        raise SampleError("the table header does not fit the page")
    blocks: list[list[_Cell]] = []
    body_rows = 0
    for block, rows in zip(table.blocks, table.block_rows):
        if ys[-1] + sum(heights[r] for r in rows) > body_limit:
            break
        ys.extend((ys[-1] + np.cumsum([heights[r] for r in rows])).astype(int).tolist())
        blocks.append(block)
        body_rows += 0 if block[0].kind == "section" else len(rows)
    while blocks and blocks[-1][0].kind == "section":  # no section row without rows under it
        blocks.pop()
        ys.pop()
    if body_rows < 2:
        raise SampleError("fewer than two body rows of the table fit the page")
    if totals:
        table.blocks = blocks  # the totals row sums the rows shown
        blocks.append(_retotal(c, table, totals, xs, loc))
        ys.append(ys[-1] + total_h)
    placed = table.header + [cell for b in blocks for cell in b]
    placed.sort(key=lambda cell: (cell.row, cell.col))
    return ys, placed


def _retotal(c: _Ctx, table: _Table, laid_out: list[_Cell], xs: list[int], loc) -> list[_Cell]:
    """The totals row over the body blocks of `table`, styled and typeset like `laid_out` (the row sized for all
    body rows; partial sums of non-negative values are never wider)."""
    cells = _totals_block(table, table.specs, c.inp.lang.code, c.bold_face, loc, len(table.blocks))
    if cells is None:
        raise SampleError(f"{c.bold_face.family} does not cover the totals row")
    pad_x = c.plan.pad_x_px
    for cell, old in zip(cells, laid_out):
        cell.style, cell.max_lines = old.style, old.max_lines
        _typeset_cell(cell, xs[cell.col + 1] - xs[cell.col] - 2 * pad_x)
    return cells


def _place_cells(c: _Ctx, placed: list[_Cell], xs: list[int], ys: list[int]) -> list[list[float]]:
    """Cell texts inset by the padding (valign top / middle / bottom); returns the cell boxes for the meta."""
    pad_x, pad_y, spacing = c.plan.pad_x_px, c.plan.pad_y_px, c.plan.line_spacing
    cells_meta = []
    for cell in placed:
        cx0, cy0, cx1, cy1 = xs[cell.col], ys[cell.row], xs[cell.col + cell.cs], ys[cell.row + cell.rs]
        cells_meta.append([cell.row, cell.col, cell.rs, cell.cs, float(cx0), float(cy0), float(cx1), float(cy1)])
        if not cell.lines:
            continue
        st = cell.style
        text_h = cell.height_px(spacing)
        if cell.valign == "middle":
            top = cy0 + (cy1 - cy0 - text_h) / 2
        elif cell.valign == "bottom":
            top = cy1 - pad_y - text_h
        else:
            top = cy0 + pad_y
        c.block(cell.lines, st, cx0 + pad_x, top, st.band_px * spacing, "table_cell")
        c.page.paragraphs[-1].cell = (cell.row, cell.col, cell.rs, cell.cs)
    return cells_meta


def _table_rules(plan: TablePlan, table: _Table, placed: list[_Cell], xs: list[int],
                 ys: list[int]) -> tuple[list[list[int]], list[list[int]]]:
    """(shading, rules) as [x0, y0, x1, y1, r, g, b] inclusive pixel rectangles, in drawing order."""
    t, heavy, pad_x, style = plan.rule_px, plan.heavy_rule_px, plan.pad_x_px, plan.rule_style
    shades: list[list[int]] = []
    rules: list[list[int]] = []
    shade_rgb, head_rgb, rule_rgb = [plan.shade_gray] * 3, [max(0, plan.shade_gray - 15)] * 3, [plan.rule_gray] * 3
    for cell in placed:
        box = (xs[cell.col], ys[cell.row], xs[cell.col + cell.cs] - 1, ys[cell.row + cell.rs] - 1)
        if cell.row < table.header_rows:
            if plan.header_shade:
                shades.append([*box, *head_rgb])
        elif style == "zebra" and cell.rs == 1 and (cell.row - table.header_rows) % 2 == 1:
            shades.append([*box, *shade_rgb])
    hb = ys[table.header_rows]
    if style == "grid":
        seen = set()
        for cell in placed:
            cx0, cy0, cx1, cy1 = xs[cell.col], ys[cell.row], xs[cell.col + cell.cs], ys[cell.row + cell.rs]
            for rect in (_hrule(cx0, cx1, cy0, t), _hrule(cx0, cx1, cy1, t), _vrule(cx0, cy0, cy1, t),
                         _vrule(cx1, cy0, cy1, t)):
                if rect not in seen:
                    seen.add(rect)
                    rules.append([*rect, *rule_rgb])
    elif style in ("horizontal", "zebra"):
        if style == "horizontal":
            rules.append([*_hrule(xs[0], xs[-1], ys[0], heavy), *rule_rgb])
        for cell in placed:  # partial rule under a header group cell (cmidrule)
            if cell.row < table.header_rows and ys[cell.row + cell.rs] < hb:
                rules.append([*_hrule(xs[cell.col] + pad_x // 2, xs[cell.col + cell.cs] - pad_x // 2,
                                      ys[cell.row + cell.rs], t), *rule_rgb])
        rules.append([*_hrule(xs[0], xs[-1], hb, t), *rule_rgb])
        if style == "horizontal" and plan.row_rules:
            for cell in placed:
                bottom = ys[cell.row + cell.rs]
                if cell.row >= table.header_rows and bottom < ys[-1]:
                    rules.append([*_hrule(xs[cell.col], xs[cell.col + cell.cs], bottom, t), *rule_rgb])
        rules.append([*_hrule(xs[0], xs[-1], ys[-1], heavy if style == "horizontal" else t), *rule_rgb])
    return shades, rules


def _place_above(c: _Ctx) -> float:
    """Title and body text above the table; returns the y below them, px."""
    plan, y = c.plan, c.y0
    if plan.title_text is not None:
        t_style = c.inp.style(c.bold_face, plan.title_px, c.color)
        t_lines = typeset_horizontal(plan.title_text, t_style, c.content_w, align=plan.title_align, max_lines=2)
        y = c.block(t_lines, t_style, c.x0, y, t_style.band_px * 1.1, "title") + 1.0 * plan.body_px
    if plan.text_above is not None:
        index, max_lines = plan.text_above
        lines = typeset_horizontal(c.paragraph(index), c.body, c.content_w, max_lines=max_lines)
        y = c.block(lines, c.body, c.x0, y, c.pitch, "body") + 1.0 * plan.body_px
    return y


def _place_below(c: _Ctx, y: float) -> None:
    """Body text under the table down to the foot of the page (when the tape says so)."""
    plan, body = c.plan, c.body
    if not plan.tape.take("text_below", coin, plan.params.text_below_p):
        return
    y += 0.6 * plan.body_px
    while y + body.band_px <= c.y1:
        n_fit = int((c.y1 - y - body.band_px) // c.pitch) + 1
        text = c.paragraph(plan.tape.take("paragraph", plan.corpus.next_index if plan.corpus else None))
        lines = typeset_horizontal(text, body, c.content_w, max_lines=n_fit)
        y = c.block(lines, body, c.x0, y, c.pitch, "body") + c.pitch - body.band_px + 0.5 * plan.body_px


def _caption(c: _Ctx, xs: list[int], table_w: int) -> tuple[list[SetLine], str | None, TextStyle, float]:
    """(lines, position, style, x) of the caption from the tape ([] and None without one)."""
    plan = c.plan
    cap = plan.tape.take("caption", _draw_caption, plan.params, c.inp, c.body_face, c.bold_face,
                         plan.table_align)
    if cap is None:
        return [], None, c.body, c.x0
    cap_style = c.styles["bold" if cap["bold"] or c.bold_face is c.body_face else "body"]
    narrow = table_w < 0.6 * c.content_w
    cap_x, cap_w = (c.x0, c.content_w) if narrow and plan.table_align == "left" else (xs[0], table_w)
    lines = typeset_horizontal(cap["text"], cap_style, cap_w, align=cap["align"], max_lines=2)
    return lines, cap["pos"], cap_style, cap_x


def _table_meta(plan: TablePlan, table: _Table, n_rows: int, caption_pos: str | None, cells_meta: list,
                table_box: list[float], page: Page, hb_language: str) -> dict:
    shades = [r.as_list() for r in page.rules if r.kind == "shade"]
    rules = [r.as_list() for r in page.rules if r.kind == "rule"]
    return {
        "page_size": plan.page_size, "dpi": plan.params.dpi, "body_size_px": plan.body_px,
        "line_spacing": round(plan.line_spacing, 4), "font_role": plan.font_role, "fonts": fonts_record(page.fonts),
        "ink_gray": plan.ink_gray, "paper_gray_range": list(page.background.gray_range),
        "rule_style": plan.rule_style, "rule_thickness_px": plan.rule_px,
        "row_rules": bool(plan.row_rules and plan.rule_style == "horizontal"), "header_shade": plan.header_shade,
        "columns": table.n_cols, "rows": n_rows, "header_rows": table.header_rows, "column_kinds": table.col_kinds,
        "numeric_cols": sorted(table.num_kinds),
        "numeric_kinds": {str(c): k for c, k in sorted(table.num_kinds.items())},
        "column_align": {str(c): s["align"] for c, s in sorted(table.specs.items())},
        "totals_row": bool(table.totals), "locale": locale_for(hb_language).getName(),
        "margin_px": plan.margin_px,
        "merges": table.merges, "caption": caption_pos, "cell_max_lines": plan.cell_max_lines,
        "cell_padding_px": [plan.pad_x_px, plan.pad_y_px], "table_box": table_box,
        "cells": cells_meta, "rules": shades + rules, "rule_kinds": ["shade"] * len(shades) + ["rule"] * len(rules),
    }


@layout_mode("table", params=Params, plan=TablePlan, sample_plan=sample_plan)
def place(plan: TablePlan, inp: LayoutInput) -> Page:
    """Lay out one table page from its plan.

    Returns:
        Page with paragraphs in reading order (title, body, caption, table_cell with ``cell`` set), glyph runs and
        rules (``page.rules``); table geometry in ``page.meta`` (cells, rules, numeric_cols; see the module
        docstring).

    Raises:
        SampleError: the header and two body rows do not fit, no two columns fit, or the chosen faces do
            not cover the drawn text.
    """
    W = plan.width
    page = Page(width=W, height=plan.height, lang=inp.lang.code, layout=plan.layout,
                background=BackgroundSpec(gray_range=tuple(plan.params.paper_gray_range)),
                fonts=paper_fonts(inp, plan.body_face, plan.bold_face))
    c = _Ctx(plan, inp, page)
    loc = locale_for(inp.lang.hb_language)
    y = _place_above(c)
    table, xs = _layout_table(c, loc)
    table_w, t = xs[-1], plan.rule_px
    tx = int(round(c.x0 + (c.content_w - table_w) / 2 if plan.table_align == "center" else c.x0))
    xs = [tx + v for v in xs]
    cap_lines, cap_pos, cap_style, cap_x = _caption(c, xs, table_w)
    cap_pitch = cap_style.band_px * plan.line_spacing
    cap_h = cap_style.band_px + (len(cap_lines) - 1) * cap_style.band_px * plan.line_spacing + 0.6 * plan.body_px \
        if cap_lines else 0.0
    if cap_lines and cap_pos == "above":
        c.block(cap_lines, cap_style, cap_x, y, cap_pitch, "caption")
        y += cap_h
    ys, placed = _fit_rows(c, table, int(np.ceil(y + t)), c.y1 - (cap_h if cap_pos == "below" else 0.0) - t,
                           xs, loc)
    cells_meta = _place_cells(c, placed, xs, ys)
    if cap_lines and cap_pos == "below":
        c.block(cap_lines, cap_style, cap_x, ys[-1] + t + 0.6 * plan.body_px, cap_pitch, "caption")
    _place_below(c, ys[-1] + t + cap_h + (0.0 if cap_pos == "below" else 0.6 * plan.body_px))
    shades, rules = _table_rules(plan, table, placed, xs, ys)
    table_box = [float(xs[0]), float(ys[0]), float(xs[-1]), float(ys[-1])]
    if c.mirror:  # geometry to the page frame: x -> W - x (continuous), column c -> W - 1 - c (pixel rectangles)
        cells_meta = [[*m[:4], W - m[6], m[5], W - m[4], m[7]] for m in cells_meta]
        table_box = [W - table_box[2], table_box[1], W - table_box[0], table_box[3]]
        shades, rules = mirror_rects(shades, W), mirror_rects(rules, W)
    page.rules = [Rule.from_list(r, "shade") for r in shades] + [Rule.from_list(r, "rule") for r in rules]
    page.meta = _table_meta(plan, table, len(ys) - 1, cap_pos, cells_meta, table_box, page, inp.lang.hb_language)
    return page
