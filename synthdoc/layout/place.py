"""Line and word placement helpers every layout mode shares (no mode imports another mode).

Frames: a SetLine is in its own frame (x from 0 along the line, y = 0 on the baseline, px); placing it puts that
origin at a point of the page (page pixels, y down). ``mirror_px`` is the page width on right-to-left pages (the
layout's logical frame is mirrored onto the page, see :func:`synthdoc.layout.typeset.place_horizontal`), else None.
"""
from __future__ import annotations

import numpy as np

from synthdoc.doc import GlyphRun, Line, Page, Paragraph
from synthdoc.layout.typeset import SetLine, TextStyle, place_horizontal, shape_checked, typeset_horizontal
from synthdoc.render.chars import Deferred, merge_one
from synthdoc.text.units import shown_prefix
from synthdoc.types import union_quad

Row = list[tuple[SetLine, float]]
"""One line made of parts: (set line, x offset of its frame origin from the column's left edge, px)."""


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
    shift = np.zeros((count, 1, 2))
    shift[:, 0, 0] = np.arange(count) * pitch  # copy k at k * pitch (the float64 products of k * pitch)
    pos = (one[None] + shift).reshape(-1, 2).astype(np.float32)
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


def _visible(text: str) -> str:
    """`text` without spaces (what a line shows of it, whatever its breaks)."""
    return "".join(text.split())


def unit_lines(text: str, style: TextStyle, width_px: float, max_lines: int, align: str = "left") -> list[SetLine]:
    """`text` typeset in at most `max_lines` lines of `width_px`; when it does not fit, its longest leading unit that
    fits (:func:`synthdoc.text.units.shown_prefix`: ends at a word boundary, never inside a number, brackets and
    quotes balanced) instead of a truncation mid-word. [] when not even its first word fits. Raises TofuError like
    typeset_horizontal."""
    lines = typeset_horizontal(text, style, width_px, align=align, max_lines=max_lines)
    while lines and _visible("".join(line.text for line in lines)) != _visible(text):
        shown = len(_visible("".join(line.text for line in lines)))
        text = shown_prefix(text, shown - 1 if len(_visible(text)) <= shown else shown)
        lines = typeset_horizontal(text, style, width_px, align=align, max_lines=max_lines) if text else []
    return lines


def one_word(set_line: SetLine | None) -> SetLine | None:
    """`set_line` labelled as a single word spanning all its words (a list marker such as "(1)" or "1." stays one
    word even where the script's segmentation would split off its punctuation)."""
    if set_line is not None and len(set_line.words) > 1:
        if set_line.word_chars is not None:
            set_line.word_chars = Deferred(merge_one, list(set_line.words), set_line.word_chars, set_line.text)
        set_line.words = [(set_line.text, set_line.words[0][1], set_line.words[-1][2])]
    return set_line


def marked_rows(marker: SetLine | None, lines: list[SetLine], x: float, text_x: float) -> list[Row]:
    """Rows of a paragraph whose first line starts with `marker` at `x` and whose text hangs at `text_x`."""
    rows: list[Row] = [[(ln, text_x)] for ln in lines]
    if marker is not None and rows:
        rows[0] = [(marker, x)] + rows[0]
    return rows


def place_block(page: Page, lines: list[SetLine], style: TextStyle, x: float, y: float, pitch: float, sep: str,
                role: str, level: int = 0, mirror_px: float | None = None) -> float:
    """Place `lines` as one paragraph of `page` with the first line's ascender at `y` and its frame origin at `x`
    (page pixels); return the y below the last line (`y` when `lines` is empty)."""
    placed = []
    for i, sl in enumerate(lines):
        line, runs = place_horizontal(sl, x, y + style.ascent_px + i * pitch, sep, mirror_px)
        placed.append(line)
        page.runs.extend(runs)
    if placed:
        page.paragraphs.append(Paragraph(placed, union_quad([ln.quad for ln in placed]), role=role, level=level))
    return y + style.band_px + (len(lines) - 1) * pitch if lines else y


def column_boxes(x0: float, content_w: float, n_cols: int, gutter_px: float) -> list[tuple[float, float]]:
    """(left, right) x of `n_cols` equal columns across [x0, x0 + content_w] separated by `gutter_px`, page px."""
    col_w = (content_w - gutter_px * (n_cols - 1)) / n_cols
    return [(x0 + c * (col_w + gutter_px), x0 + c * (col_w + gutter_px) + col_w) for c in range(n_cols)]
