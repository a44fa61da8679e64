"""Character-level boxes: one per grapheme cluster (UAX #29, ICU) as drawn, from the shaping clusters.

A character box is stored in its word's own unit frame, ``(text, u0, u1, v0, v1)``: u runs along the word
quad's first edge (vertex 0 -> 1, the text's progression: left to right for horizontal words, RTL included,
down the column for vertical ones), v across it (vertex 0 -> 3). The page quad of a character is the image of
the rectangle [u0, u1] x [v0, v1] under the projective map of the unit square onto the word quad
(:func:`char_quads`), so characters follow every transformation of their word exactly (rotated runs, RTL page
mirroring, affine and perspective augmentation) and always lie inside their word.

Horizontal words: a grapheme spans the pen advance of its shaping clusters (HarfBuzz clusters, which contain
whole graphemes except in ligatures); a shaping cluster holding several graphemes (a ligature such as "fi" or
Arabic lam-alef) is split into equal parts of its advance, in visual order (right to left in right-to-left
runs). The visually first and last characters reach the word's edges (the word box is grown to its glyphs'
ink), and every character spans the word's full band (v 0 to 1). Vertical words: the same along the column
with the vertical advances; a tate-chu-yoko number spans its one-em cell along the column and each digit its
horizontal advance across it.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import pairwise

import cv2
import numpy as np

CharSpan = tuple[str, float, float, float, float]  # (text, u0, u1, v0, v1) in the word's unit frame


class Deferred:
    """A computation of character spans run once, on first use (a run that does not write the character level
    never pays for it).

    Args:
        fn: the function; called as ``fn(*args)``.
        args: its arguments (released after the call).
    """

    def __init__(self, fn, *args):
        self._fn, self._args, self._value = fn, args, None

    def get(self):
        if self._value is None:
            self._value = self._fn(*self._args)
            self._args = None
        return self._value


class WordChars:
    """The character spans of word `k` of a line whose spans are computed together (a :class:`Deferred`
    returning one list per word)."""

    def __init__(self, line: Deferred, k: int):
        self.line, self.k = line, k

    def get(self) -> list[CharSpan]:
        return self.line.get()[self.k]


def resolve(chars) -> list[CharSpan] | None:
    """A word's ``chars`` as a list: computed now if deferred; None stays None."""
    return chars.get() if hasattr(chars, "get") else chars


def cluster_spans(clusters: np.ndarray, pen_lo: np.ndarray, pen_hi: np.ndarray) -> dict[int, tuple[float, float]]:
    """Advance span of every shaping cluster.

    Args:
        clusters: (G,) int code-point index of each glyph's cluster.
        pen_lo, pen_hi: (G,) float start and end of each glyph's advance along the progression axis, px.

    Returns:
        cluster start (code-point index) -> (lo, hi) px, the union of its glyphs' advances.
    """
    out: dict[int, tuple[float, float]] = {}
    for c, lo, hi in zip(clusters.tolist(), pen_lo.tolist(), pen_hi.tolist()):
        a, b = out.get(c, (lo, hi))
        out[c] = (min(a, lo), max(b, hi))
    return out


def grapheme_spans(text: str, ws: int, we: int, gstart: np.ndarray, spans: dict[int, tuple[float, float]],
                   rtl: np.ndarray | None = None, keys: list[int] | None = None) -> list[tuple[str, float, float]]:
    """Graphemes of the word text[ws:we] with their spans along the progression axis, in logical order.

    Args:
        text: the paragraph text; indices are code points.
        ws, we: the word's code-point range.
        gstart: (len(text),) bool, grapheme cluster starts (:func:`synthdoc.render.itemize.grapheme_starts`).
        spans: shaping cluster start -> (lo, hi) px (:func:`cluster_spans`), clusters of the word's line.
        rtl: (len(text),) bool, right-to-left code points (odd bidi level), or None.
        keys: ``sorted(spans)``, when the caller has it (one sort per line instead of one per word).

    Returns:
        (grapheme text, lo px, hi px) per grapheme of the word.
    """
    starts = [ws, *(ws + 1 + np.flatnonzero(gstart[ws + 1:we])).tolist(), we]
    keys = sorted(spans) if keys is None else keys
    cstarts = keys[bisect_left(keys, ws):bisect_left(keys, we)]
    out = []
    for g0, g1 in pairwise(starts):
        i = bisect_right(cstarts, g0) - 1  # the shaping cluster holding g0
        if i < 0:
            out.append((text[g0:g1], np.nan, np.nan))
            continue
        c = cstarts[i]
        nxt = cstarts[i + 1] if i + 1 < len(cstarts) else we
        lo, hi = spans[c]
        if nxt > g1 or c < g0:  # a ligature over several graphemes: equal parts of its advance, in visual order
            members = starts[bisect_left(starts, c):bisect_left(starts, nxt)]
            n, j = len(members), members.index(g0)
            k = n - 1 - j if rtl is not None and rtl[c] else j
            lo, hi = lo + (hi - lo) * k / n, lo + (hi - lo) * (k + 1) / n
        for x in cstarts[i + 1:bisect_left(cstarts, g1)]:  # further shaping clusters inside this grapheme
            lo, hi = min(lo, spans[x][0]), max(hi, spans[x][1])
        out.append((text[g0:g1], lo, hi))
    return out


def to_unit(graphemes: list[tuple[str, float, float]], w_lo: float, w_hi: float) -> list[CharSpan]:
    """Grapheme spans (px along the word) as unit-frame character spans of a word spanning [w_lo, w_hi] px.

    The visually first and last characters are stretched to the word's edges; spans are clipped to [0, 1] and
    a character without a span (none drawn) shares its neighbour's.
    """
    length = max(w_hi - w_lo, 1e-6)
    u: list[list[float]] = []
    for _, lo, hi in graphemes:
        if math.isnan(lo) or math.isnan(hi):  # no span of its own: share the previous character's
            u.append(list(u[-1]) if u else [0.0, 1.0])
        else:
            u.append([min(1.0, max(0.0, (lo - w_lo) / length)), min(1.0, max(0.0, (hi - w_lo) / length))])
    if u:
        min(u, key=lambda x: x[0])[0] = 0.0
        max(u, key=lambda x: x[1])[1] = 1.0
    return [(t, a, b, 0.0, 1.0) for (t, _, _), (a, b) in zip(graphemes, u)]


def even_split(text: str, gstart: np.ndarray | None = None) -> list[CharSpan]:
    """Unit-frame spans of a word drawn without tracked clusters (a repeated leader glyph, a bullet): its
    graphemes in equal parts of the word, in logical order."""
    if gstart is None:
        from synthdoc.render.itemize import grapheme_starts

        gstart = grapheme_starts(text)
    starts = [i for i in range(len(text)) if gstart[i] or i == 0] + [len(text)]
    n = len(starts) - 1
    return [(text[a:b], k / n, (k + 1) / n, 0.0, 1.0) for k, (a, b) in enumerate(pairwise(starts))]


def char_quads(word_quad: np.ndarray, spans: list[CharSpan]) -> np.ndarray:
    """Page quads of a word's characters.

    Args:
        word_quad: (4, 2) float word quad, page pixels (vertex 0 = top-left of the word's own frame, clockwise).
        spans: unit-frame character spans.

    Returns:
        (N, 4, 2) float32 page pixels, each in the word's vertex order.
    """
    spans = resolve(spans) or []
    if not spans:
        return np.zeros((0, 4, 2), np.float32)
    unit = np.float32([[0, 0], [1, 0], [1, 1], [0, 1]])
    m = cv2.getPerspectiveTransform(unit, np.asarray(word_quad, np.float32)).astype(np.float64)
    pts = np.array([[[u0, v0], [u1, v0], [u1, v1], [u0, v1]] for _, u0, u1, v0, v1 in spans], np.float64)
    h = np.concatenate([pts, np.ones(pts.shape[:2] + (1,))], axis=2) @ m.T
    return (h[..., :2] / h[..., 2:3]).astype(np.float32)


@lru_cache(maxsize=32)
def _grapheme_starts(text: str) -> np.ndarray:
    """Grapheme cluster starts of a paragraph, cached: its lines are handled one after another."""
    from synthdoc.render.itemize import grapheme_starts

    return grapheme_starts(text)


def horizontal_chars(text: str, word_ranges: list[tuple[int, int]], clusters: np.ndarray, pen: np.ndarray,
                     rtl: np.ndarray, w_lo: np.ndarray, w_hi: np.ndarray) -> list[list[CharSpan]]:
    """Unit-frame character spans of every word of a horizontal line.

    Args:
        text: paragraph text.
        word_ranges: (start, end) code points of each word, in logical order.
        clusters: (G,) code-point index of each glyph's shaping cluster, glyphs in visual order.
        pen: (G + 1,) pen positions along the line (glyph g advances from pen[g] to pen[g + 1]), px.
        rtl: (len(text),) bool, right-to-left code points.
        w_lo, w_hi: (W,) the word boxes' extents along the line, px.
    """
    gstart = _grapheme_starts(text)
    spans = cluster_spans(np.asarray(clusters), np.asarray(pen[:-1]), np.asarray(pen[1:]))
    keys = sorted(spans)
    return [to_unit(grapheme_spans(text, ws, we, gstart, spans, rtl, keys), float(lo), float(hi))
            for (ws, we), lo, hi in zip(word_ranges, w_lo, w_hi)]


def vertical_chars(text: str, s: int, word_ranges: list[tuple[int, int]], cum: np.ndarray, cstart: np.ndarray,
                   tcy: list[tuple[int, int, np.ndarray, np.ndarray]], em_px: float) -> list[list[CharSpan]]:
    """Unit-frame character spans of every word of a vertical column starting at code point `s`.

    Args:
        text: paragraph text.
        s: the column's first code point.
        word_ranges: (start, end) code points of each word, in logical order.
        cum: (len(text) + 1,) cumulative advance down the column per code point (a cluster's advance credited
            to its first code point), px.
        cstart: (len(text),) bool, shaping cluster starts.
        tcy: tate-chu-yoko runs as (start, end, glyph clusters (G,) relative to start, glyph x advances (G,)).
        em_px: the column width (one em), px.
    """
    gstart = _grapheme_starts(text)
    e = max((we for _, we in word_ranges), default=s)
    starts = (s + np.flatnonzero(cstart[s:e])).tolist() + [e]
    spans = {c: (float(cum[c] - cum[s]), float(cum[n] - cum[s])) for c, n in pairwise(starts)}
    keys = sorted(spans)
    out = []
    for ws, we in word_ranges:
        chars = to_unit(grapheme_spans(text, ws, we, gstart, spans, None, keys), float(cum[ws] - cum[s]),
                        float(cum[we] - cum[s]))
        out.append(_tcy_across(text, ws, we, chars, tcy, gstart, em_px))
    return out


def _tcy_across(text: str, ws: int, we: int, chars: list[CharSpan], tcy, gstart: np.ndarray,
                em_px: float) -> list[CharSpan]:
    """Digits set tate-chu-yoko share their cell along the column and split it across by their advances (v runs
    from the column's right edge, vertex 0, to its left edge; the digits read left to right)."""
    out = list(chars)
    starts = [i for i in range(ws, we) if gstart[i] or i == ws]
    for a, b, gcl, xadv in tcy:
        inside = [k for k, g in enumerate(starts) if a <= g < b]
        if not inside:
            continue
        u0 = min(out[k][1] for k in inside)
        u1 = max(out[k][2] for k in inside)
        pen = np.concatenate([[0.0], np.cumsum(xadv, dtype=np.float64)])
        sp = cluster_spans(np.asarray(gcl) + a, pen[:-1], pen[1:])
        left = -float(pen[-1]) / 2  # the run is centred on the column axis
        for k in inside:
            g0 = starts[k]
            lo, hi = sp.get(g0, (0.0, float(pen[-1])))
            v0 = float(np.clip((em_px / 2 - (left + hi)) / em_px, 0, 1))
            v1 = float(np.clip((em_px / 2 - (left + lo)) / em_px, 0, 1))
            out[k] = (out[k][0], u0, u1, v0, v1)
    return out


def merge_chars(words: list[tuple[str, float, float]], chars: list[list[CharSpan]]) -> list[CharSpan]:
    """The characters of several words of one line relabelled as one word spanning them all.

    Args:
        words: (text, start px, end px) of each word along the line, in logical order.
        chars: each word's unit-frame character spans.

    Returns:
        The characters in the merged word's unit frame (from the first word's start to the last word's end).
    """
    lo, hi = min(a for _, a, _ in words), max(b for _, _, b in words)
    length = max(hi - lo, 1e-6)
    out = []
    for (_, a, b), spans in zip(words, chars):
        out += [(t, (a + u0 * (b - a) - lo) / length, (a + u1 * (b - a) - lo) / length, v0, v1)
                for t, u0, u1, v0, v1 in spans]
    return out


def merge_one(words: list[tuple[str, float, float]], line: Deferred, text: str) -> list[list[CharSpan]]:
    """A line's words relabelled as the single word `text` (a list marker): its characters from
    :func:`merge_chars`, or split evenly when `text` holds something the words did not (a space)."""
    merged = merge_chars(words, line.get())
    return [merged if "".join(c[0] for c in merged) == text else even_split(text)]
