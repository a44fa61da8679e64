"""Typesetting: a paragraph of text -> shaped, broken, positioned lines with exact word boxes.

Box convention (used uniformly): a horizontal word / line box spans the pen advance of its clusters
horizontally and the face's hhea ascender/descender band vertically (baseline - ascender to
baseline - descender). A vertical (ttb) column box spans one em centred on the column axis horizontally
and the vertical advances of its clusters vertically. Boxes come from shaping clusters and metrics,
never from the rendered pixels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthdoc.doc import GlyphRun, Line, Word
from synthdoc.errors import SampleError
from synthdoc.layout.breaking import break_lines, is_word_char, segment_words
from synthdoc.render.face import LoadedFace
from synthdoc.render.shaping import ShapedRun, shape
from synthdoc.render.vertical import orientation_runs
from synthdoc.types import rect_quad, union_quad


class TofuError(SampleError):
    """The face lacks a glyph for the text (HarfBuzz returned glyph id 0)."""


@dataclass
class TextStyle:
    """Face, size, colour and language tags for a run of text.

    Attributes:
        face: loaded face.
        size_px: em size in pixels.
        color: RGB ink colour.
        hb_language: BCP 47 tag for HarfBuzz.
        hb_script: ISO 15924 tag or None (guess).
        space_delimited: words separated by spaces.
    """

    face: LoadedFace
    size_px: int
    color: tuple[int, int, int]
    hb_language: str
    hb_script: str | None
    space_delimited: bool

    @property
    def ascent_px(self) -> float:
        return self.face.ascender_em * self.size_px

    @property
    def descent_px(self) -> float:
        return -self.face.descender_em * self.size_px

    @property
    def band_px(self) -> float:
        """Height of the ascender/descender band, px."""
        return self.ascent_px + self.descent_px




def normalise_spaces(text: str, space_delimited: bool) -> str:
    """Single spaces; for scripts without spaces keep a space only between two Latin-like characters
    (spaces next to CJK characters are typographic and not part of the label)."""
    text = " ".join(text.split())
    if space_delimited:
        return text
    out = []
    for m_start, ch in enumerate(text):
        if ch == " ":
            prev = text[m_start - 1] if m_start else ""
            nxt = text[m_start + 1] if m_start + 1 < len(text) else ""
            if not (prev and nxt and is_word_char(prev) and is_word_char(nxt)):
                continue
        out.append(ch)
    return "".join(out)


@dataclass
class SetLine:
    """One typeset line in its own frame: x along the line from 0, y = 0 on the baseline (horizontal)
    or on the column axis (vertical), pixels.

    Attributes:
        text: line text (as drawn, logical order).
        words: (text, start_px, end_px) along the progression axis.
        width: advance length of the line, px.
        runs: list of (style, gids (G,) uint32, pos (G, 2) float32 origins in the line frame (y down), rotated).
        direction: "ltr" or "ttb".
    """

    text: str
    words: list[tuple[str, float, float]]
    width: float
    runs: list[tuple[TextStyle, np.ndarray, np.ndarray, bool]]
    direction: str = "ltr"


def shape_checked(style: TextStyle, text: str, direction: str = "ltr") -> ShapedRun:
    """Shape and refuse tofu.

    Raises:
        TofuError: a glyph id 0 in the output.
    """
    run = shape(style.face, text, style.size_px, direction=direction, language=style.hb_language, script=style.hb_script)
    if run.has_tofu:
        missing = sorted({text[c] for c in run.clusters[run.gids == 0]})
        raise TofuError(f"{style.face.info.family} lacks {''.join(missing)!r}")
    return run


def _words(text: str, s: int, e: int, style: TextStyle, cstart: np.ndarray, char_x: np.ndarray) -> list[tuple[str, float, float]]:
    out = []
    for ws, we in segment_words(text, s, e, style.space_delimited, cstart):
        out.append((text[ws:we], float(char_x[ws - s]), float(char_x[we - s])))
    return out


def typeset_horizontal(text: str, style: TextStyle, width_px: float, align: str = "left",
                       first_indent_px: float = 0.0, max_lines: int | None = None) -> list[SetLine]:
    """Break and position a paragraph as horizontal left-to-right lines.

    Args:
        text: paragraph text (logical order, NFC, one line).
        style: face, size and language.
        width_px: line width in pixels.
        align: "left", "right", "center" or "justify" (last line left-aligned).
        first_indent_px: indent of the first line.
        max_lines: stop after this many lines.

    Returns:
        SetLines; line frame x from the left edge of the column, y down from the baseline.

    Raises:
        TofuError: the face lacks a glyph. SampleError: a cluster is wider than the line.
    """
    text = normalise_spaces(text, style.space_delimited)
    if not text:
        return []
    run = shape_checked(style, text)
    adv, cstart = run.char_advances()
    widths = [width_px - first_indent_px, width_px]
    ranges = break_lines(text, adv, cstart, widths, style.space_delimited, max_lines)
    lines = []
    order = np.argsort(run.clusters, kind="stable")  # LTR: already in order
    clusters = run.clusters[order]
    for li, (s, e) in enumerate(ranges):
        g0, g1 = np.searchsorted(clusters, s), np.searchsorted(clusters, e)
        gidx = order[g0:g1]
        xa = run.x_advance[gidx].astype(np.float64).copy()
        natural = float(xa.sum())
        avail = widths[min(li, 1)]
        last = li == len(ranges) - 1
        offset = first_indent_px if li == 0 else 0.0
        gl_clusters = run.clusters[gidx]
        if align == "justify" and not last and natural < avail:
            if style.space_delimited:
                gaps = np.array([text[c].isspace() for c in gl_clusters])
            else:
                gaps = np.r_[gl_clusters[1:] != gl_clusters[:-1], False]
            if gaps.any():
                xa[gaps] += (avail - natural) / gaps.sum()
        elif align == "right":
            offset += avail - natural
        elif align == "center":
            offset += (avail - natural) / 2
        pen = offset + np.concatenate([[0.0], np.cumsum(xa)])
        char_x = np.empty(e - s + 1)
        char_x[-1] = pen[-1]
        # start pen of each char = pen of the first glyph of its cluster; fill non-start chars forward
        seen = np.full(e - s, np.nan)
        for k, c in enumerate(gl_clusters):
            if np.isnan(seen[c - s]):
                seen[c - s] = pen[k]
        for i in range(e - s - 1, -1, -1):
            if np.isnan(seen[i]):
                seen[i] = seen[i + 1] if i + 1 < e - s else pen[-1]
        char_x[:-1] = seen
        pos = np.stack([pen[:-1] + run.x_offset[gidx], -run.y_offset[gidx]], axis=1).astype(np.float32)
        words = _words(text, s, e, style, cstart, char_x)
        keep = run.gids[gidx] != 0
        lines.append(SetLine(text=text[s:e], words=words, width=float(pen[-1]),
                             runs=[(style, run.gids[gidx][keep], pos[keep], False)]))
    return lines


def typeset_vertical(text: str, style: TextStyle, height_px: float, max_lines: int | None = None,
                     first_indent_px: float = 0.0) -> list[SetLine]:
    """Break and position a paragraph as vertical top-to-bottom columns (ttb).

    Upright characters (Vertical_Orientation U, Tu, Tr) are shaped with direction "ttb" (vert/vrt2 forms);
    sideways runs (R: Latin letters, digits) are shaped horizontally and turned 90° clockwise.

    Args:
        text: paragraph text (logical order, NFC).
        style: face, size and language.
        height_px: column length in pixels.
        max_lines: stop after this many columns.
        first_indent_px: the first column is this much shorter (the caller places it lower by as much).

    Returns:
        SetLines with direction "ttb"; frame: x along the column (down) from its top, y across, 0 on the axis.
    """
    text = normalise_spaces(text, False)
    if not text:
        return []
    n = len(text)
    adv = np.zeros(n, np.float32)
    cstart = np.zeros(n, bool)
    pieces = []
    for a, b, upright in orientation_runs(text):
        run = shape_checked(style, text[a:b], "ttb" if upright else "ltr")
        ra, rc = run.char_advances(vertical=upright)
        adv[a:b], cstart[a:b] = ra, rc
        pieces.append((a, b, upright, run))
    ranges = break_lines(text, adv, cstart, [height_px - first_indent_px, height_px], False, max_lines)
    cum = np.concatenate([[0.0], np.cumsum(adv, dtype=np.float64)])
    em = style.size_px
    lines = []
    for s, e in ranges:
        runs = []
        for a, b, upright, run in pieces:
            lo, hi = max(a, s), min(b, e)
            if lo >= hi:
                continue
            sel = (run.clusters + a >= lo) & (run.clusters + a < hi)
            base = cum[lo] - cum[s]
            if upright:
                pen = base + np.concatenate([[0.0], np.cumsum(-run.y_advance[sel], dtype=np.float64)])[:-1]
                # frame: x down the column, y across (positive = page left); glyph origin from HarfBuzz offsets
                pos = np.stack([pen - run.y_offset[sel], -run.x_offset[sel]], axis=1)
            else:
                pen = base + np.concatenate([[0.0], np.cumsum(run.x_advance[sel], dtype=np.float64)])[:-1]
                # em-box convention: the sideways baseline lies 0.12 em right of the column's left edge,
                # i.e. 0.38 em left of the axis; font "up" (y_offset) points to page +x after the 90° turn.
                pos = np.stack([pen + run.x_offset[sel], -(0.5 - 0.12) * em + run.y_offset[sel]], axis=1)
            runs.append((style, run.gids[sel], pos.astype(np.float32), not upright))
        char_x = np.append(cum[s:e] - cum[s], cum[e] - cum[s])
        words = _words(text, s, e, style, cstart, char_x)
        lines.append(SetLine(text=text[s:e], words=words, width=float(cum[e] - cum[s]), runs=runs, direction="ttb"))
    return lines


def place_horizontal(line: SetLine, x: float, baseline: float, separator: str) -> tuple[Line, list[GlyphRun]]:
    """Put a horizontal SetLine on the page with its frame origin at (x, baseline), page pixels.

    Returns:
        the labelled Line (word quads: advance x band over the ascender/descender band) and its glyph runs.
    """
    style = line.runs[0][0]
    y0, y1 = baseline - style.ascent_px, baseline + style.descent_px
    words = [Word(t, rect_quad(x + a, y0, x + b, y1)) for t, a, b in line.words]
    quad = union_quad([w.quad for w in words])
    runs = [GlyphRun(st.face, st.size_px, gids, pos + np.float32([x, baseline]), rot, st.color)
            for st, gids, pos, rot in line.runs]
    return Line(words=words, quad=quad, direction="ltr", separator=separator), runs


def place_vertical(line: SetLine, x_axis: float, top: float, separator: str = "") -> tuple[Line, list[GlyphRun]]:
    """Put a vertical SetLine on the page: column axis at x = `x_axis`, first character at y = `top`.

    Returns:
        the labelled Line (direction "ttb", quads TR, BR, BL, TL; one em wide) and its glyph runs.
    """
    style = line.runs[0][0] if line.runs else None
    half = (style.size_px if style else 0) / 2
    words = [Word(t, rect_quad(x_axis - half, top + a, x_axis + half, top + b, "ttb")) for t, a, b in line.words]
    quad = union_quad([w.quad for w in words], "ttb")
    runs = []
    for st, gids, pos, rot in line.runs:
        page = np.stack([x_axis + pos[:, 1] if rot else x_axis - pos[:, 1], top + pos[:, 0]], axis=1)
        runs.append(GlyphRun(st.face, st.size_px, gids, page.astype(np.float32), rot, st.color))
    return Line(words=words, quad=quad, direction="ttb", separator=separator), runs
