"""Typesetting: a paragraph of text -> itemized, shaped, broken, reordered and positioned lines with exact
word boxes.

Horizontal text follows the usual pipeline of a text layout engine: the paragraph's embedding levels come from
the Unicode Bidirectional Algorithm (UAX #9, ICU); it is itemized into runs of one level, one script and one
face (the primary face, or its fallback for characters the primary lacks, or the face of an inline emphasis run:
italic or bold words inside the paragraph, see :mod:`synthdoc.layout.emphasis`); each run is shaped by HarfBuzz with
its direction, script and language; line breaks follow UAX #14 (ICU; see :mod:`synthdoc.layout.breaking`); each
line's runs are then put in visual order (UAX #9 L1-L2, ICU), reusing the paragraph's glyphs where HarfBuzz says
the cut is safe to break and shaping the piece again within the line otherwise, so nothing joins across a line
break. Labels stay in logical order (the order of the text).

Box convention (used uniformly): a horizontal word / line box spans the pen advance of its clusters
horizontally (the union over its clusters, which are contiguous on the line unless a word mixes directions)
and the style's ascender/descender band vertically (baseline - ascender to baseline - descender, the larger of
the primary and fallback faces' hhea values), grown where the outlines of its glyphs reach beyond (an Arabic
final letter's tail, a Devanagari conjunct's overhang, stacked Vietnamese marks) but never into the advance of
the next word on the line, so a word box holds the ink of its own glyphs and word boxes do not overlap. A vertical (ttb) column box spans one em centred on the column
axis horizontally and the vertical advances of its clusters vertically. Boxes come from shaping clusters and
metrics, never from the rendered pixels.

Frames are logical: `align` and the first-line indent of :func:`typeset_horizontal` refer to the start side
of the frame as if it ran left to right, and a layout lays out its page in that logical frame. For a right-to-
left language :func:`place_horizontal` mirrors each placed line's content onto the page (``mirror_px``), which
right-aligns start-aligned paragraphs, puts indents, list markers and the first column on the right; the glyphs
inside a line are already in visual order and are translated, never reflected.
"""
from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synthdoc.doc import GlyphRun, Line, Word
from synthdoc.errors import SampleError
from synthdoc.layout.breaking import BreakPoints, break_lines, break_points, is_word_char, one_line, segment_words
from synthdoc.render.chars import Deferred, WordChars, even_split, horizontal_chars, vertical_chars
from synthdoc.render.face import LoadedFace
from synthdoc.render.itemize import CJK_RUN, bidi_paragraph, font_runs, grapheme_starts, script_runs
from synthdoc.render.shaping import ShapedRun, ink_extents, shape
from synthdoc.render.vertical import vertical_runs
from synthdoc.types import rect_quad, union_quad


class TofuError(SampleError):
    """The face lacks a glyph for the text (HarfBuzz returned glyph id 0)."""


@dataclass
class TextStyle:
    """Face, size, colour, language tags and paragraph direction for a run of text.

    Attributes:
        face: loaded primary face.
        size_px: em size in pixels.
        color: RGB ink colour.
        hb_language: BCP 47 tag for HarfBuzz (and ICU's line breaking tailoring).
        hb_script: ISO 15924 tag used for runs of Common characters only (digits, punctuation), or None
            (guess); other runs get the Unicode Script of their characters.
        space_delimited: words separated by spaces.
        direction: paragraph direction "ltr" or "rtl" (the bidi paragraph level).
        fallback: face drawing the grapheme clusters the primary face lacks (Latin words in Hebrew), or None.
        min_band_em: least line band, em (the language's ``min_line_band_em``; see :attr:`band_px`).
    """

    face: LoadedFace
    size_px: int
    color: tuple[int, int, int]
    hb_language: str
    hb_script: str | None
    space_delimited: bool
    direction: str = "ltr"
    fallback: LoadedFace | None = None
    min_band_em: float = 0.0

    @property
    def faces(self) -> list[LoadedFace]:
        """Primary face, then the fallback if any."""
        return [self.face] if self.fallback is None else [self.face, self.fallback]

    @property
    def ascent_px(self) -> float:
        return max(f.ascender_em for f in self.faces) * self.size_px

    @property
    def descent_px(self) -> float:
        return -min(f.descender_em for f in self.faces) * self.size_px

    @property
    def band_px(self) -> float:
        """Height of a line's band, px: the ascender/descender band, at least ``min_band_em`` em. Layouts space
        lines at multiples of it; the extra height of a face whose band is under the minimum falls below the
        descender (word boxes keep the face's ascender/descender band, :func:`_line`)."""
        return max(self.ascent_px + self.descent_px, self.min_band_em * self.size_px)

    def with_face(self, face: LoadedFace) -> TextStyle:
        """This style drawn with `face` alone (glyph runs of the fallback face)."""
        return self if face is self.face and self.fallback is None else dataclasses.replace(self, face=face, fallback=None)

    def for_text(self, text: str) -> TextStyle:
        """The single-face style that maps every character of `text`: the primary, else the fallback (else the
        primary, whose tofu :func:`shape_checked` reports)."""
        for face in self.faces:
            if all(ord(c) in face.info.cmap or c.isspace() for c in text):
                return self.with_face(face)
        return self.with_face(self.face)


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
        text: line text (logical order).
        words: (text, start_px, end_px) along the progression axis, in logical (reading) order; for a right-to-
            left line the first word lies rightmost.
        width: advance length of the line including the alignment offset, px.
        runs: list of (style, gids (G,) uint32, pos (G, 2) float32 origins in the line frame (y down), rotated),
            one entry per face.
        direction: "ltr", "rtl" (the paragraph direction) or "ttb".
        style: the paragraph's style (its band places the line); None: the style of the first run.
        clusters: per entry of `runs`, (G,) int32 code-point index into `text` of each glyph's cluster (horizontal
            lines; empty when not tracked).
        word_bands: per word, (top, bottom) px from the baseline (y down) of its box: the style's band grown to its
            glyphs' outlines (horizontal lines; empty: the band).
        advance_span: (start, end) px of the pen advance of the line's content (no ink growth); None: from the words.
        word_chars: a Deferred computing, per word, its grapheme clusters as unit-frame spans
            (synthdoc.render.chars); None: not tracked.
    """

    text: str
    words: list[tuple[str, float, float]]
    width: float
    runs: list[tuple[TextStyle, np.ndarray, np.ndarray, bool]]
    direction: str = "ltr"
    style: TextStyle | None = None
    clusters: list[np.ndarray] = dataclasses.field(default_factory=list)
    word_bands: list[tuple[float, float]] = dataclasses.field(default_factory=list)
    advance_span: tuple[float, float] | None = None
    word_chars: Deferred | None = None

    @property
    def span(self) -> tuple[float, float]:
        """(start, end) px of the line's content in its frame: its pen advance (advance_span), else from the
        leftmost to the rightmost word edge."""
        if self.advance_span is not None:
            return self.advance_span
        if not self.words:
            return 0.0, self.width
        return min(a for _, a, _ in self.words), max(b for _, _, b in self.words)


def shape_checked(style: TextStyle, text: str, direction: str = "ltr", *, start: int = 0, end: int | None = None,
                  script: str | None = None, face: LoadedFace | None = None) -> ShapedRun:
    """Shape text[start:end] with `face` (default: the style's primary face) and refuse tofu.

    Args:
        script: ISO 15924 tag; None: the style's hb_script.

    Raises:
        TofuError: a glyph id 0 in the output (the message names the missing characters).
    """
    face = face or style.face
    run = shape(face, text, style.size_px, direction=direction, language=style.hb_language,
                script=script or style.hb_script, start=start, end=end)
    if run.has_tofu:
        missing = sorted({text[c] for c in run.clusters[run.gids == 0]})
        raise TofuError(f"{face.info.family} lacks {''.join(missing)!r}")
    return run


@dataclass
class _Itemized:
    """A paragraph split into runs of one embedding level, one script and one face (logical order).

    Attributes:
        bounds: (R + 1,) int run boundaries, code-point indices.
        levels: (n,) uint8 bidi embedding levels.
        script: (n,) object ISO 15924 tag per character (None: let HarfBuzz guess).
        font: (n,) int8 index into `faces`.
        rtl: paragraph direction is right to left.
        para: the resolved bidi paragraph (:class:`synthdoc.render.itemize.BidiParagraph`).
        faces: the style's faces (:attr:`TextStyle.faces`), then the faces of emphasis runs.
        shaped: the shaped run of each run (filled by :func:`_measure`).
        extents: (G, 4) float32 ink extents of the glyphs of each shaped run (:func:`ink_extents`; filled by
            :func:`_measure`).
        uniform: every character is at the paragraph level (no reordering inside lines).
        odd: (n,) bool, right-to-left characters (odd embedding levels).
    """

    bounds: np.ndarray
    levels: np.ndarray
    script: np.ndarray
    font: np.ndarray
    rtl: bool
    para: object
    faces: list = dataclasses.field(default_factory=list)
    shaped: list = dataclasses.field(default_factory=list)
    extents: list = dataclasses.field(default_factory=list)
    uniform: bool = False
    odd: np.ndarray | None = None

    _ascending: dict = dataclasses.field(default_factory=dict)
    _metrics: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self._bounds = self.bounds.tolist()
        self.uniform = self.para.uniform
        self.odd = self.levels % 2 == 1

    def ascending(self, k: int) -> bool:
        """The glyphs of run `k` are in logical order (clusters never decrease: a left-to-right run)."""
        got = self._ascending.get(k)
        if got is None:
            c = self.shaped[k].clusters
            got = self._ascending[k] = bool((c[1:] >= c[:-1]).all())
        return got

    def metrics(self, k: int, style: TextStyle) -> np.ndarray:
        """(5, G) float64 px per glyph of run `k` (`style`: the paragraph's): x advance, then the ink left, right,
        top and bottom of :func:`_ink_metrics`; computed once, sliced by the lines (every value is per glyph)."""
        got = self._metrics.get(k)
        if got is None:
            r = self.shaped[k]
            got = np.empty((5, len(r.gids)))
            got[0] = r.x_advance
            got[1:] = _ink_metrics(style, self.extents[k].astype(np.float64), r.x_offset, r.y_offset)
            self._metrics[k] = got
        return got

    def runs_in(self, a: int, b: int) -> list[tuple[int, int]]:
        """Logical runs covering text[a:b]."""
        if len(self.bounds) == 2:  # one run
            return [(a, b)]
        cuts = self._bounds[bisect.bisect_right(self._bounds, a):bisect.bisect_left(self._bounds, b)]
        edges = [a, *cuts, b]
        return list(zip(edges[:-1], edges[1:]))

    def run_of(self, index: int) -> tuple[int, int, int]:
        """(start, end, index in `shaped`) of the run holding character `index`."""
        if len(self.bounds) == 2:  # one run
            return 0, int(self.bounds[1]), 0
        k = bisect.bisect_right(self._bounds, index) - 1
        return self._bounds[k], self._bounds[k + 1], k


def _emphasise(text: str, font: np.ndarray, faces: list[LoadedFace],
               emphasis: Sequence[tuple[int, int, LoadedFace]]) -> None:
    """Set `font` ((n,) int8, in place) to the index in `faces` (appended to) of each emphasis span's face, for
    the span's characters that face maps (and spaces), widened to whole grapheme clusters."""
    if not len(emphasis):
        return
    graph = np.cumsum(grapheme_starts(text)) - 1  # grapheme index of each character
    for a, b, face in emphasis:
        if face not in faces:
            faces.append(face)
        k = faces.index(face)
        sel = (graph >= graph[a]) & (graph <= graph[b - 1])
        sel &= np.array([ord(c) in face.info.cmap or c.isspace() for c in text])
        font[sel] = k


def _itemize(text: str, style: TextStyle, emphasis: Sequence[tuple[int, int, LoadedFace]] = ()) -> _Itemized:
    para = bidi_paragraph(text, style.direction)
    n = len(text)
    script = np.empty(n, dtype=object)
    for a, b, sc in script_runs(text):
        if sc == CJK_RUN:
            sc = None  # Han and kana together: HarfBuzz guesses, as for a whole CJK paragraph
        elif sc is None:
            sc = style.hb_script  # only Common characters (a page number): the language's script
        script[a:b] = sc
    font = (font_runs(text, grapheme_starts(text), [f.info.cmap for f in style.faces]) if style.fallback is not None
            else np.zeros(n, dtype=np.int8))
    faces = list(style.faces)
    _emphasise(text, font, faces, emphasis)
    change = np.zeros(n + 1, dtype=bool)
    change[[0, n]] = True
    change[1:n] = (para.levels[1:] != para.levels[:-1]) | (font[1:] != font[:-1]) | (script[1:] != script[:-1])
    return _Itemized(np.flatnonzero(change), para.levels, script, font, para.rtl, para, faces)


def _shape_run(style: TextStyle, items: _Itemized, text: str, a: int, b: int, offset: int = 0) -> ShapedRun:
    """Shape text[a:b], one run of `items`; clusters are shifted by `offset`."""
    run = shape_checked(style, text, "rtl" if items.levels[a + offset] & 1 else "ltr", start=a, end=b,
                        script=items.script[a + offset], face=items.faces[items.font[a + offset]])
    if offset:
        run.clusters = run.clusters + offset
    return run


def _group_min(keys: np.ndarray, values: np.ndarray, n_keys: int) -> np.ndarray:
    """Per key in range(n_keys): the column-wise minimum of the rows of `values` ((G, K) float) with that key
    ((G,) int); +inf for keys absent from `keys` (negate for maxima). Monotone keys (glyphs of a run or line in
    one direction, the common case) are reduced by segments, others with ``np.minimum.at``."""
    low = np.full((n_keys, values.shape[1]), np.inf)
    if not len(keys):
        return low
    step = keys[1:] - keys[:-1]
    if (step >= 0).all() or (step <= 0).all():
        nz = np.flatnonzero(step)
        starts = np.empty(len(nz) + 1, np.intp)
        starts[0] = 0
        starts[1:] = nz + 1
        low[keys[starts]] = np.minimum.reduceat(values, starts, axis=0)
    else:
        np.minimum.at(low, keys, values)
    return low


def _overhang(run: ShapedRun, ext: np.ndarray) -> float:
    """Largest distance, px, by which a cluster's glyph outlines reach beyond its pen advance (0 if none);
    `ext`: (G, 4) float32 ink extents of the run's glyphs (:func:`ink_extents`)."""
    if not len(run.gids):
        return 0.0
    inked = ext[:, 1] > ext[:, 0]
    if not inked.any():
        return 0.0
    pen = np.concatenate([[0.0], np.cumsum(run.x_advance, dtype=np.float64)])
    left = np.where(inked, pen[:-1] + run.x_offset + ext[:, 0], np.inf)
    right = np.where(inked, pen[:-1] + run.x_offset + ext[:, 1], -np.inf)
    step = run.clusters[1:] - run.clusters[:-1]
    if (step > 0).all() or (step < 0).all():  # one glyph per cluster: the clusters are the glyphs
        return float(max(0.0, (pen[:-1] - left).max(), (right - pen[1:]).max()))
    keys = run.clusters - int(run.clusters.min())
    low = _group_min(keys, np.stack([pen[:-1], left, -pen[1:], -right], axis=1), int(keys.max()) + 1)
    low = low[np.isfinite(low[:, 0])]  # clusters of this run
    return float(max(0.0, np.max(low[:, 0] - low[:, 1]), np.max(low[:, 2] - low[:, 3])))


def _measure(text: str, style: TextStyle, items: _Itemized) -> tuple[np.ndarray, np.ndarray, float]:
    """Shape every run (kept in items.shaped). Returns per-character advances and shaping-cluster starts of the
    whole paragraph (logical order), and its largest cluster overhang (see :func:`_overhang`), px."""
    n = len(text)
    adv = np.zeros(n, dtype=np.float32)
    start = np.zeros(n, dtype=bool)
    items.shaped, items.extents = [], []
    overhang = 0.0
    for a, b in items.runs_in(0, n):
        run = _shape_run(style, items, text, a, b)
        items.shaped.append(run)
        ext = ink_extents(items.faces[int(items.font[a])], run.gids, style.size_px)
        items.extents.append(ext)
        np.add.at(adv, run.clusters, run.x_advance)
        start[run.clusters] = True
        start[a] = True
        overhang = max(overhang, _overhang(run, ext))
    return adv, start, overhang


def _piece(style: TextStyle, items: _Itemized, text: str, s: int, e: int, pa: int,
           pb: int) -> tuple[ShapedRun, np.ndarray, tuple[int, int, int] | None]:
    """Glyphs of text[pa:pb] (inside one run, on the line text[s:e]), their (G, 4) float32 ink extents, and where
    they lie in the paragraph's glyphs: the paragraph's glyphs where both ends are run ends or safe to break
    (HarfBuzz UNSAFE_TO_BREAK unset), else the piece shaped within the line (where: None). `where` is (index of
    the run, first glyph, end glyph) when the piece is a contiguous range of the run's glyphs."""
    a, b, k = items.run_of(pa)
    run, ext = items.shaped[k], items.extents[k]
    if (pa == a or run.safe_to_break(pa)) and (pb == b or run.safe_to_break(pb)):
        if (pa, pb) == (a, b):
            return run, ext, (k, 0, len(run.gids))
        if items.ascending(k):  # logical glyph order: the piece is a slice
            g0, g1 = np.searchsorted(run.clusters, [pa, pb]).tolist()
            return _slice(run, g0, g1), ext[g0:g1], (k, g0, g1)
        keep = (run.clusters >= pa) & (run.clusters < pb)
        return run.subset(keep), ext[keep], None
    run = _shape_run(style, items, text[s:e], pa - s, pb - s, offset=s)
    return run, ink_extents(items.faces[items.font[pa]], run.gids, style.size_px), None


def _slice(run: ShapedRun, g0: int, g1: int) -> ShapedRun:
    """Glyphs g0:g1 of `run` (views), as :meth:`ShapedRun.subset` of that range."""
    return ShapedRun(run.text, run.gids[g0:g1], run.clusters[g0:g1], run.x_advance[g0:g1], run.y_advance[g0:g1],
                     run.x_offset[g0:g1], run.y_offset[g0:g1], run.size_px, run.start, run.end)


def _visual_glyphs(text: str, style: TextStyle, items: _Itemized, s: int, e: int) -> list[tuple]:
    """The line text[s:e] as (face index, shaped run, (G, 4) float32 ink extents, where) in visual order, left to
    right (`where`: see :func:`_piece`); clusters index `text`."""
    out = []  # (face index, run, extents, where)
    for a, b, rtl in ([(s, e, items.rtl)] if items.uniform else items.para.visual_runs(s, e)):
        pieces = items.runs_in(a, b)
        for pa, pb in (reversed(pieces) if rtl else pieces):
            out.append((int(items.font[pa]), *_piece(style, items, text, s, e, pa, pb)))
    return out


def _glyph_metrics(style: TextStyle, items: _Itemized, pieces: list[tuple]) -> tuple[np.ndarray, ...]:
    """Per glyph of a line's pieces (:func:`_visual_glyphs`) end to end: clusters (G,) int, then (G,) float64 px:
    x advance (a new array), ink left and right relative to the pen (inf / -inf for an empty glyph), ink top and
    bottom from the baseline, y down (the style's band for an empty glyph). A line that is one slice of a run reads
    them from the run's :meth:`_Itemized.metrics`."""
    if len(pieces) == 1 and pieces[0][3] is not None:
        k, g0, g1 = pieces[0][3]
        xa, gx0, gx1, gy0, gy1 = items.metrics(k, style)[:, g0:g1]
        return items.shaped[k].clusters[g0:g1], xa.copy(), gx0, gx1, gy0, gy1
    if all(p[3] is not None for p in pieces):  # slices of several runs, end to end
        xa, gx0, gx1, gy0, gy1 = np.concatenate([items.metrics(k, style)[:, g0:g1] for k, g0, g1 in
                                                 (p[3] for p in pieces)], axis=1)
        return np.concatenate([p[1].clusters for p in pieces]), xa, gx0, gx1, gy0, gy1
    if len(pieces) == 1:
        _, r, ext, _ = pieces[0]
        clusters, xa, ext, x_off, y_off = (r.clusters, r.x_advance.astype(np.float64), ext.astype(np.float64),
                                           r.x_offset, r.y_offset)
    else:
        clusters = np.concatenate([p[1].clusters for p in pieces])
        xa = np.concatenate([p[1].x_advance for p in pieces]).astype(np.float64)
        ext = np.concatenate([p[2] for p in pieces]).astype(np.float64)
        x_off = np.concatenate([p[1].x_offset for p in pieces])
        y_off = np.concatenate([p[1].y_offset for p in pieces])
    return (clusters, xa, *_ink_metrics(style, ext, x_off, y_off))


def _ink_metrics(style: TextStyle, ext: np.ndarray, x_off: np.ndarray, y_off: np.ndarray) -> tuple[np.ndarray, ...]:
    """Ink left, right (relative to each glyph's pen position), top and bottom (from the baseline, y down), (G,)
    float64 px, of glyphs with ink extents `ext` ((G, 4) float64) and HarfBuzz offsets `x_off`, `y_off` (float32)."""
    inked = ext[:, 1] > ext[:, 0]
    return (np.where(inked, x_off + ext[:, 0], np.inf), np.where(inked, x_off + ext[:, 1], -np.inf),
            np.where(inked, -(y_off + ext[:, 3]), -style.ascent_px), np.where(inked, -(y_off + ext[:, 2]),
                                                                                style.descent_px))


def _face_runs(style: TextStyle, items: _Itemized, pieces: list[tuple], pen: np.ndarray,
               s: int) -> tuple[list, list[np.ndarray]]:
    """A line's glyph runs, one per face in face order (:attr:`SetLine.runs`), and their (G,) int32 clusters
    relative to the line start `s`; `pen`: (G + 1,) float64 pen positions of the line's glyphs, px."""
    if len(pieces) == 1:
        face_i, r, _, _ = pieces[0]
        pos = np.empty((len(r.gids), 2), np.float32)  # as np.stack(...).astype(np.float32), without the stack
        pos[:, 0] = pen[:-1] + r.x_offset
        pos[:, 1] = -r.y_offset
        return [(style.with_face(items.faces[face_i]), r.gids, pos, False)], [(r.clusters - s).astype(np.int32)]
    runs, run_clusters = [], []
    k = 0
    by_face: dict[int, list] = {}
    for face_i, r, _, _ in pieces:
        g = len(r.gids)
        pos = np.stack([pen[k:k + g] + r.x_offset, -r.y_offset], axis=1)
        by_face.setdefault(face_i, []).append((r.gids, pos, r.clusters - s))
        k += g
    for face_i, parts in sorted(by_face.items()):
        runs.append((style.with_face(items.faces[face_i]), np.concatenate([p[0] for p in parts]),
                     np.concatenate([p[1] for p in parts]).astype(np.float32), False))
        run_clusters.append(np.concatenate([p[2] for p in parts]).astype(np.int32))
    return runs, run_clusters


def _word_min(spans: list[tuple[int, int]], clusters: np.ndarray, values: np.ndarray, s: int, e: int,
              ascending: bool) -> np.ndarray:
    """Per word of the line text[s:e] (`spans`: code-point ranges), the column-wise minimum of the rows of
    `values` ((G, K) float64) of the glyphs of its clusters (`clusters`: (G,) int); +inf for a word without glyphs.
    Glyphs of no word (spaces) are left out. With `ascending` (clusters never decrease) each word's glyphs are one
    range, reduced in place."""
    if ascending and spans:
        edges = np.searchsorted(clusters, np.array(spans).ravel())  # first and end glyph of each word
        if (edges[1::2] > edges[0::2]).all():
            if edges[-1] == len(clusters):
                edges = edges[:-1]
            return np.minimum.reduceat(values, edges, axis=0)[0::2]  # odd entries: the glyphs between words
    word_of = np.full(e - s, -1)
    for k, (ws, we) in enumerate(spans):
        word_of[ws - s:we - s] = k
    wid = word_of[clusters - s]
    keep = wid >= 0  # glyphs of spaces belong to no word
    return _group_min(wid[keep], values[keep], len(spans))


def _line(text: str, style: TextStyle, items: _Itemized, cstart: np.ndarray, space: np.ndarray, s: int, e: int,
          avail: float, offset: float, align: str, last: bool) -> SetLine:
    """Position the line text[s:e] (visual order) in its frame [offset, offset + avail] and measure its words
    (`space`: (n,) bool whitespace mask of `text`). The content sits far enough from the frame's edges that the
    outlines of its edge glyphs stay inside (on the sides they take after the mirroring of right-to-left pages)."""
    pieces = _visual_glyphs(text, style, items, s, e)
    # glyph outlines relative to each glyph's pen position (x right, y down from the baseline)
    clusters, xa, gx0, gx1, gy0, gy1 = _glyph_metrics(style, items, pieces)
    natural = float(xa.sum())
    pen0 = np.concatenate([[0.0], np.cumsum(xa)])  # the unjustified pen
    out_l = max(0.0, -float(np.min(pen0[:-1] + gx0, initial=0.0)))  # ink beyond the line's advance span
    out_r = max(0.0, float(np.max(pen0[:-1] + gx1, initial=natural)) - natural)
    if items.rtl:  # the page mirror moves this frame's start side to the right
        out_l, out_r = out_r, out_l
    if align == "justify" and not last and natural < avail - out_l - out_r:
        if style.space_delimited:
            gaps = space[clusters]
        else:
            gaps = np.r_[clusters[1:] != clusters[:-1], False]
        if gaps.any():
            xa[gaps] += (avail - out_l - out_r - natural) / gaps.sum()
            pen0 = np.concatenate([[0.0], np.cumsum(xa)])
        offset += out_l
    elif align == "right":
        offset += avail - natural - out_r
    elif align == "center":
        offset += (avail - natural + out_l - out_r) / 2
    else:
        offset += out_l
    pen = offset + pen0
    gx0 = pen[:-1] + gx0
    gx1 = pen[:-1] + gx1
    ascent, descent = style.ascent_px, style.descent_px
    spans = segment_words(text, s, e, style.space_delimited, cstart)
    values = np.empty((len(clusters), 6))
    for col, v in enumerate((pen[:-1], gx0, gy0, -pen[1:], -gx1, -gy1)):
        values[:, col] = v
    if len(pieces) == 1 and pieces[0][3] is not None:
        ascending = items.ascending(pieces[0][3][0])
    else:
        ascending = bool((clusters[1:] >= clusters[:-1]).all())
    per_word = _word_min(spans, clusters, values, s, e, ascending)
    a_lo, i_lo, top = per_word[:, :3].T  # advance start, ink left, ink top
    a_hi, i_hi, bottom = -per_word[:, 3:].T  # advance end, ink right, ink bottom
    # grow to the ink, but not into the advance of the visual neighbours
    order = np.argsort(a_lo, kind="stable")
    left = np.full(len(spans), -np.inf)
    right = np.full(len(spans), np.inf)
    left[order[1:]] = a_hi[order[:-1]]
    right[order[:-1]] = a_lo[order[1:]]
    w_lo = np.maximum(np.minimum(a_lo, i_lo), np.minimum(left, a_lo))
    w_hi = np.minimum(np.maximum(a_hi, i_hi), np.maximum(right, a_hi))
    w_top = np.minimum(top, -ascent)
    w_bottom = np.maximum(bottom, descent)
    words = [(text[ws:we], float(x0), float(x1)) for (ws, we), x0, x1 in zip(spans, w_lo, w_hi)]
    bands = [(float(t), float(b)) for t, b in zip(w_top, w_bottom)]
    word_chars = Deferred(horizontal_chars, text, spans, clusters, pen, items.odd, w_lo, w_hi)
    runs, run_clusters = _face_runs(style, items, pieces, pen, s)
    return SetLine(text=text[s:e], words=words, width=float(pen[-1]), runs=runs,
                   direction="rtl" if items.rtl else "ltr", style=style, clusters=run_clusters, word_bands=bands,
                   advance_span=(float(a_lo.min()), float(a_hi.max())), word_chars=word_chars)


def typeset_horizontal(text: str, style: TextStyle, width_px: float, align: str = "left",
                       first_indent_px: float = 0.0, max_lines: int | None = None,
                       emphasis: Sequence[tuple[int, int, LoadedFace]] = ()) -> list[SetLine]:
    """Itemize, shape, break and position a paragraph as horizontal lines (bidi: see the module docstring).

    Args:
        text: paragraph text (logical order, NFC, one line).
        style: faces, size, language and paragraph direction.
        width_px: line width in pixels.
        align: "left", "right", "center" or "justify" (last line start-aligned), in the logical frame
            ("left" = the start side; mirrored onto the page for right-to-left languages by place_horizontal).
        first_indent_px: indent of the first line, on the start side.
        max_lines: stop after this many lines.
        emphasis: inline runs in another face of the paragraph (italic or bold emphasis): (start, end, face),
            code-point ranges of ``normalise_spaces(text, style.space_delimited)`` (widened to whole grapheme
            clusters; characters the face does not map keep the style's face). Each run is itemized and shaped
            on its own with its face; word boxes follow its glyphs like any other run's.

    Lines are broken for a width narrower by twice the paragraph's largest cluster overhang (glyph outlines beyond
    their advance, typically 0-2 px), then each line is placed so that the outlines of its own edge glyphs stay
    inside [0, width_px] (flush with the edge when they do not overhang), mirrored or not.

    Returns:
        SetLines (direction "ltr" or "rtl"); line frame x from the frame's left edge, y down from the baseline;
        glyphs in visual order, words in logical order.

    Raises:
        TofuError: no face of the style has a glyph. SampleError: a cluster is wider than the line.
    """
    return set_paragraph(shape_paragraph(text, style, emphasis), width_px, align, first_indent_px, max_lines)


@dataclass
class ShapedParagraph:
    """A paragraph itemized and shaped once, ready to be broken into lines at any width
    (:func:`set_paragraph`): shaping does not depend on the width, so a caller that sets the same text twice
    (a table measures a cell, then sets it in its column) shapes it once.

    Attributes:
        text: the paragraph after :func:`normalise_spaces` (what the lines index).
        style: its style.
        items: runs of one level, script and face, with their shaped glyphs.
        adv: (n,) float32 advance per character, px.
        cstart: (n,) bool shaping-cluster starts.
        overhang: largest cluster overhang, px (:func:`_overhang`).
        space: (n,) bool whitespace mask of `text`.
        lines: lines already positioned, by the arguments of :func:`_line` that decide them (a line set twice
            at the same place is computed once).
        breaks: its break opportunities (:func:`synthdoc.layout.breaking.break_points`), once it has been set.
    """

    text: str
    style: TextStyle
    items: _Itemized | None = None
    adv: np.ndarray | None = None
    cstart: np.ndarray | None = None
    overhang: float = 0.0
    space: np.ndarray | None = None
    lines: dict = dataclasses.field(default_factory=dict)
    breaks: BreakPoints | None = None

    def line(self, s: int, e: int, avail: float, offset: float, align: str, last: bool) -> SetLine:
        """:func:`_line` of text[s:e], memoised. `avail` is part of the key only where it moves the line: a
        start-aligned line (``left``, or the last line of a justified paragraph) does not depend on it."""
        start_aligned = align == "left" or (align == "justify" and last)
        key = (s, e, offset, "left" if start_aligned else align, last, None if start_aligned else avail)
        got = self.lines.get(key)
        if got is None:
            got = self.lines[key] = _LazyLine(self.text[s:e], "rtl" if self.items.rtl else "ltr", self.style,
                                              (self.text, self.style, self.items, self.cstart, self.space, s, e,
                                               avail, offset, align, last))
        return got


class _LazyLine(SetLine):
    """A horizontal :class:`SetLine` positioned (:func:`_line`) when one of its fields other than text, direction
    and style is first read or written: a paragraph's lines that a layout never uses (lines past the bottom of
    the last column, a table cell's trial setting) cost only their line breaking. :func:`_line` only reads its
    arguments, so the line is the same whenever it is computed."""

    def __init__(self, text: str, direction: str, style: TextStyle, args: tuple):
        self.__dict__.update(text=text, direction=direction, style=style, _args=args, _set=None)

    def _positioned(self) -> SetLine:
        if self._set is None:
            self._set = _line(*self._args)
        return self._set


def _lazy_field(name: str) -> property:
    return property(lambda self: getattr(self._positioned(), name),
                    lambda self, value: setattr(self._positioned(), name, value), doc=f"SetLine.{name}, positioned")


for _field in dataclasses.fields(SetLine):
    if _field.name not in ("text", "direction", "style"):
        setattr(_LazyLine, _field.name, _lazy_field(_field.name))


def shape_paragraph(text: str, style: TextStyle,
                    emphasis: Sequence[tuple[int, int, LoadedFace]] = ()) -> ShapedParagraph:
    """Itemize and shape a paragraph (arguments as :func:`typeset_horizontal`).

    Raises:
        TofuError: no face of the style has a glyph.
    """
    text = normalise_spaces(text, style.space_delimited)
    if not text:
        return ShapedParagraph(text, style)
    items = _itemize(text, style, emphasis)
    adv, cstart, overhang = _measure(text, style, items)
    return ShapedParagraph(text, style, items, adv, cstart, overhang, np.array([c.isspace() for c in text]))


def set_paragraph(par: ShapedParagraph, width_px: float, align: str = "left", first_indent_px: float = 0.0,
                  max_lines: int | None = None) -> list[SetLine]:
    """Break a shaped paragraph into lines of `width_px` and position them (as :func:`typeset_horizontal`).

    Raises:
        SampleError: a cluster is wider than the line.
    """
    text, style = par.text, par.style
    if not text:
        return []
    widths = [width_px - first_indent_px, width_px]
    whole = one_line(text, par.adv, widths[0] - 2 * par.overhang)
    if whole is not None:  # fits on its first line: no break opportunities needed (table cells, entries, titles)
        ranges = [whole]
    else:
        if par.breaks is None:
            par.breaks = break_points(text, par.adv, par.cstart, style.space_delimited, style.hb_language)
        ranges = break_lines(text, par.adv, par.cstart, [w - 2 * par.overhang for w in widths],
                             style.space_delimited, max_lines, style.hb_language, par.breaks)
    return [par.line(s, e, widths[min(li, 1)], first_indent_px if li == 0 else 0.0, align, li == len(ranges) - 1)
            for li, (s, e) in enumerate(ranges)]




def _tate_chu_yoko(style: TextStyle, digits: str) -> tuple[TextStyle, ShapedRun]:
    """Shape a tate-chu-yoko number horizontally; a smaller size when it is wider than 0.95 em."""
    run = shape_checked(style, digits, "ltr")
    width = float(run.x_advance.sum())
    limit = 0.95 * style.size_px
    if width <= limit:
        return style, run
    small = dataclasses.replace(style, size_px=max(1, int(style.size_px * limit / width)))
    return small, shape_checked(small, digits, "ltr")


def _tcy_positions(run: ShapedRun, top: float, em: float, em_t: float) -> np.ndarray:
    """(n, 2) float32 glyph origins, column frame (x down from the column top, y across, positive = page left), of
    a tate-chu-yoko run whose one-em cell starts `top` px down the column: centred across the axis, the run's
    em box centred in the cell, baseline 0.88 em below the em box's top (the ideographic em box of CJK faces)."""
    width = float(run.x_advance.sum())
    pen = np.concatenate([[0.0], np.cumsum(run.x_advance, dtype=np.float64)])[:-1]
    baseline = top + (em - em_t) / 2 + 0.88 * em_t
    return np.stack([baseline - run.y_offset, width / 2 - pen - run.x_offset], axis=1).astype(np.float32)


def typeset_vertical(text: str, style: TextStyle, height_px: float, max_lines: int | None = None,
                     first_indent_px: float = 0.0, tcy_max_digits: int = 0) -> list[SetLine]:
    """Break and position a paragraph as vertical top-to-bottom columns (ttb).

    Upright characters (Vertical_Orientation U, Tu, Tr) are shaped with direction "ttb" (vert/vrt2 forms);
    sideways runs (R: Latin letters, digits) are shaped horizontally and turned 90° clockwise. Numbers of at
    most `tcy_max_digits` digits standing alone are set tate-chu-yoko (:func:`synthdoc.render.vertical.vertical_runs`):
    shaped horizontally, not turned, centred across the column in one em along it (the size is reduced when
    the digits are wider than 0.95 em), and never broken.

    Args:
        text: paragraph text (logical order, NFC).
        style: face, size and language.
        height_px: column length in pixels.
        max_lines: stop after this many columns.
        first_indent_px: the first column is this much shorter (the caller places it lower by as much).
        tcy_max_digits: longest number set tate-chu-yoko; 0 (default) sets every digit run sideways.

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
    for a, b, kind in vertical_runs(text, tcy_max_digits):
        if kind == "tcy":
            run_style, run = _tate_chu_yoko(style, text[a:b])
            adv[a:b], cstart[a:b] = style.size_px / (b - a), np.arange(b - a) == 0  # one em, one unbreakable unit
        else:
            run_style, run = style, shape_checked(style, text[a:b], "ttb" if kind == "upright" else "ltr")
            adv[a:b], cstart[a:b] = run.char_advances(vertical=kind == "upright")
        pieces.append((a, b, kind, run, run_style))
    ranges = break_lines(text, adv, cstart, [height_px - first_indent_px, height_px], False, max_lines,
                         style.hb_language)
    cum = np.concatenate([[0.0], np.cumsum(adv, dtype=np.float64)])
    em = style.size_px
    lines = []
    for s, e in ranges:
        runs = []
        for a, b, kind, run, run_style in pieces:
            lo, hi = max(a, s), min(b, e)
            if lo >= hi:
                continue
            sel = (run.clusters + a >= lo) & (run.clusters + a < hi)
            base = cum[lo] - cum[s]
            if kind == "tcy":
                runs.append((run_style, run.gids, _tcy_positions(run, base, em, run_style.size_px), False))
                continue
            upright = kind == "upright"
            if upright:
                pen = base + np.concatenate([[0.0], np.cumsum(-run.y_advance[sel], dtype=np.float64)])[:-1]
                # frame: x down the column, y across (positive = page left); glyph origin from HarfBuzz offsets
                pos = np.stack([pen - run.y_offset[sel], -run.x_offset[sel]], axis=1)
            else:
                pen = base + np.concatenate([[0.0], np.cumsum(run.x_advance[sel], dtype=np.float64)])[:-1]
                # em-box convention: the sideways baseline lies 0.12 em right of the column's left edge,
                # i.e. 0.38 em left of the axis; font "up" (y_offset) points to page +x after the 90° turn.
                pos = np.stack([pen + run.x_offset[sel], -(0.5 - 0.12) * em + run.y_offset[sel]], axis=1)
            runs.append((run_style, run.gids[sel], pos.astype(np.float32), not upright))
        char_x = np.append(cum[s:e] - cum[s], cum[e] - cum[s])
        ranges_w = segment_words(text, s, e, style.space_delimited, cstart)
        words = [(text[ws:we], float(char_x[ws - s]), float(char_x[we - s])) for ws, we in ranges_w]
        tcy = [(a, b, run.clusters, run.x_advance) for a, b, kind, run, _ in pieces if kind == "tcy" and s <= a < e]
        lines.append(SetLine(text=text[s:e], words=words, width=float(cum[e] - cum[s]), runs=runs, direction="ttb",
                             style=style, word_chars=Deferred(vertical_chars, text, s, ranges_w, cum, cstart, tcy, em)))
    return lines


def place_horizontal(line: SetLine, x: float, baseline: float, separator: str,
                     mirror_px: float | None = None) -> tuple[Line, list[GlyphRun]]:
    """Put a horizontal SetLine on the page with its frame origin at (x, baseline), page pixels.

    Args:
        line: a typeset line.
        x, baseline: frame origin in the layout's (logical) frame, page pixels.
        separator: the language's word separator.
        mirror_px: for right-to-left pages, the page width W: the line's content span [x + a, x + b] (see
            SetLine.span) is moved to [W - x - b, W - x - a], glyphs and words translated together.

    Returns:
        the labelled Line (word quads: advance x band over the ascender/descender band; direction of the line)
        and its glyph runs.
    """
    style = line.style or line.runs[0][0]
    if mirror_px is not None:
        a, b = line.span
        x = mirror_px - x - a - b
    bands = line.word_bands or [(-style.ascent_px, style.descent_px)] * len(line.words)
    chars = _word_chars(line)
    quads = _word_quads(line.words, bands, x, baseline)
    if quads is None:
        quads = [rect_quad(x + a, baseline + top, x + b, baseline + bottom)
                 for (_, a, b), (top, bottom) in zip(line.words, bands)]
    words = [Word(t, q, chars=c) for (t, _, _), q, c in zip(line.words, quads, chars)]
    quad = union_quad(quads)
    runs = [GlyphRun(st.face, st.size_px, gids, pos + np.float32([x, baseline]), rot, st.color)
            for st, gids, pos, rot in line.runs]
    return Line(words=words, quad=quad, direction=line.direction, separator=separator), runs


def _word_quads(words: list[tuple[str, float, float]], bands: list[tuple[float, float]], x: float,
                baseline: float) -> np.ndarray | None:
    """(N, 4, 2) float32 page quads of the words of a line (:func:`rect_quad` of each, TL TR BR BL), in one
    array op, when every coordinate is a Python number (float64 sums as :func:`rect_quad`'s); else None (numpy
    scalars of another precision: the caller sums them one by one)."""
    if not words or len(bands) < len(words) or type(x) not in (float, int) or type(baseline) not in (float, int):
        return None
    bands = bands[:len(words)]  # a line whose words were merged (place.one_word) keeps its bands
    spans = [(a, b) for _, a, b in words]
    if not all(type(v) is float for ab in spans for v in ab) or not all(type(v) is float for tb in bands for v in tb):
        return None
    xs = x + np.array(spans)  # (N, 2): left, right
    ys = baseline + np.array(bands)  # (N, 2): top, bottom
    q = np.empty((len(words), 4, 2))
    q[:, 0, 0] = q[:, 3, 0] = xs[:, 0]
    q[:, 1, 0] = q[:, 2, 0] = xs[:, 1]
    q[:, 0, 1] = q[:, 1, 1] = ys[:, 0]
    q[:, 2, 1] = q[:, 3, 1] = ys[:, 1]
    return q.astype(np.float32)


def _word_chars(line: SetLine) -> list:
    """Deferred character spans of each word of a placed line (split evenly where the line tracks none)."""
    if line.word_chars is None:
        return [Deferred(even_split, t) for t, _, _ in line.words]
    return [WordChars(line.word_chars, k) for k in range(len(line.words))]


def mirror_rects(rects: list[list[int]], page_width: int) -> list[list[int]]:
    """Mirror filled rectangles [x0, y0, x1, y1, *rest] (inclusive integer pixel columns) left to right on a page
    `page_width` pixels wide: column c goes to page_width - 1 - c (the mirror of place_horizontal's)."""
    return [[page_width - 1 - r[2], r[1], page_width - 1 - r[0], r[3], *r[4:]] for r in rects]


def place_vertical(line: SetLine, x_axis: float, top: float, separator: str = "") -> tuple[Line, list[GlyphRun]]:
    """Put a vertical SetLine on the page: column axis at x = `x_axis`, first character at y = `top`.

    Returns:
        the labelled Line (direction "ttb", quads TR, BR, BL, TL; one em wide) and its glyph runs.
    """
    style = line.style or (line.runs[0][0] if line.runs else None)
    half = (style.size_px if style else 0) / 2
    chars = _word_chars(line)
    words = [Word(t, rect_quad(x_axis - half, top + a, x_axis + half, top + b, "ttb"), chars=c)
             for (t, a, b), c in zip(line.words, chars)]
    quad = union_quad([w.quad for w in words], "ttb")
    runs = []
    for st, gids, pos, rot in line.runs:
        page = np.stack([x_axis + pos[:, 1] if rot else x_axis - pos[:, 1], top + pos[:, 0]], axis=1)
        runs.append(GlyphRun(st.face, st.size_px, gids, page.astype(np.float32), rot, st.color))
    return Line(words=words, quad=quad, direction="ttb", separator=separator), runs
