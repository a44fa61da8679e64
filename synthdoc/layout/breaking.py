"""Line breaking and word segmentation over shaped per-character advances.

Break opportunities are those of the Unicode Line Breaking Algorithm (UAX #14, ICU's line break iterator through
PyICU, dictionary-based inside Thai, Lao, Khmer and Myanmar text), restricted to grapheme cluster (UAX #29) and
shaping cluster boundaries, then tailored:

- space-delimited scripts break after spaces, and between two characters of Line_Break class SA (complex
  context: Thai, Lao, Khmer, Myanmar write no spaces between words) where ICU's dictionary finds a word boundary;
  never after a hyphen or slash inside a word;
- scripts without spaces (CJK) break between clusters, except inside runs of Latin letters / digits and where
  basic kinsoku forbids it (JIS X 4051 line-start and line-end prohibited characters, abridged).

UAX #14 itself forbids e.g. a break inside "17:00" (NU IS NU, rule LB25) or before "!" after a space (LB13).
A word wider than the line is broken at the last grapheme and shaping cluster boundary that fits.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import icu
import numpy as np

from synthdoc.errors import SampleError
from synthdoc.render.itemize import grapheme_starts, line_break_opportunities

# Kinsoku (JIS X 4051 §3.1.7/§3.1.8, abridged): characters that must not start / end a line.
NO_LINE_START = frozenset("。、，．,.:;!?！？：；」』）〕〉》】〙〗｝]}）ー…‥・゛゜ヽヾゝゞ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ%％")
NO_LINE_END = frozenset("「『（〔〈《【〘〖｛[({（")
_NON_SPACE = re.compile(r"\S+")  # \s is str.isspace() for str patterns


@functools.lru_cache(maxsize=8192)
def is_word_char(ch: str) -> bool:
    """Latin-like characters kept together inside CJK text: letters and digits of non-CJK scripts and ASCII."""
    if ch.isascii():
        return ch.isalnum()
    cat = unicodedata.category(ch)
    if cat[0] not in "LN":
        return False
    name = unicodedata.name(ch, "")
    return not name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC", "FULLWIDTH", "HALFWIDTH"))


_LB_SA = icu.Char.getPropertyValueEnum(icu.UProperty.LINE_BREAK, "SA")


@functools.lru_cache(maxsize=4096)
def is_complex_context(ch: str) -> bool:
    """Line_Break class SA (UAX #14 complex context: Thai, Lao, Khmer, Myanmar letters and marks), from ICU."""
    return icu.Char.getIntPropertyValue(ord(ch), icu.UProperty.LINE_BREAK) == _LB_SA


def break_candidates(text: str, cluster_start: np.ndarray, space_delimited: bool,
                     language: str | None = None, graphemes: np.ndarray | None = None) -> np.ndarray:
    """Where a line may end.

    Args:
        text: paragraph text, logical order.
        cluster_start: (len(text),) bool, True where a shaping cluster begins.
        space_delimited: the script separates words with spaces.
        language: BCP 47 tag selecting ICU's locale tailoring (None: root locale).
        graphemes: (len(text),) bool grapheme cluster starts if already known (default: computed).

    Returns:
        (len(text) + 1,) bool: True at i when a line may end before character i (i = len(text) always).
    """
    n = len(text)
    ok = line_break_opportunities(text, language)
    ok[:n] &= cluster_start & (grapheme_starts(text) if graphemes is None else graphemes)
    ok[0] = False
    for i in np.flatnonzero(ok[1:n]) + 1:
        prev, cur = text[i - 1], text[i]
        if cur.isspace():
            ok[i] = False
        elif prev.isspace():
            continue
        elif space_delimited:
            ok[i] = is_complex_context(prev) and is_complex_context(cur)
        elif cur in NO_LINE_START or prev in NO_LINE_END or (is_word_char(prev) and is_word_char(cur)):
            ok[i] = False
    ok[n] = True
    return ok


def _trim_end(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1].isspace():
        e -= 1
    return e


def _grapheme_starts(text: str) -> np.ndarray:
    """:func:`synthdoc.render.itemize.grapheme_starts`; ASCII text without CR (whose only multi-character
    grapheme cluster under UAX #29 is CR LF) starts one at every character, without asking ICU."""
    if text.isascii() and "\r" not in text:
        return np.ones(len(text), dtype=bool)
    return grapheme_starts(text)


@dataclass(frozen=True)
class BreakPoints:
    """The width-independent part of breaking a paragraph (:func:`break_points`), reusable at any width.

    Attributes:
        cum: (n + 1,) float64 cumulative advance before each character, px.
        cand: (K,) int positions where a line may end (:func:`break_candidates`).
        trimmed: (K,) int the same positions less the trailing spaces before them.
        bounds: (B,) int grapheme and shaping cluster boundaries, n included (forced breaks inside a word).
    """

    cum: np.ndarray
    cand: np.ndarray
    trimmed: np.ndarray
    bounds: np.ndarray


def break_points(text: str, advances: np.ndarray, cluster_start: np.ndarray, space_delimited: bool,
                 language: str | None = None) -> BreakPoints:
    """Break opportunities and cumulative advances of a paragraph (arguments as :func:`break_lines`)."""
    cum = np.concatenate([[0.0], np.cumsum(advances, dtype=np.float64)])
    graphemes = _grapheme_starts(text)
    ok = break_candidates(text, cluster_start, space_delimited, language, graphemes)
    cand = np.flatnonzero(ok)
    trimmed = np.array([_trim_end(text, 0, int(e)) for e in cand])
    bounds = np.flatnonzero(np.append(cluster_start & graphemes, True))  # cluster boundaries incl. n
    return BreakPoints(cum, cand, trimmed, bounds)


def one_line(text: str, advances: np.ndarray, width: float) -> tuple[int, int] | None:
    """The single line :func:`break_lines` gives a paragraph that fits `width` whole, found without its break
    opportunities (ICU): (start, end) with leading and trailing spaces excluded; None when the paragraph does
    not fit, is only spaces, or has a negative advance (then break it with :func:`break_lines`).

    Same result as break_lines: the text's end is always a candidate, and with advances >= 0 the cumulative
    advance at the trimmed candidates never decreases, so the greedy choice is the end whenever the end fits."""
    n = len(text)
    s = 0
    while s < n and text[s].isspace():
        s += 1
    te = _trim_end(text, s, n)
    if te <= s or (advances < 0).any():
        return None
    cum = np.concatenate([[0.0], np.cumsum(advances, dtype=np.float64)])  # as break_points
    return (s, te) if cum[te] <= cum[s] + width + 1e-3 else None


def break_lines(text: str, advances: np.ndarray, cluster_start: np.ndarray, widths: list[float] | float,
                space_delimited: bool, max_lines: int | None = None, language: str | None = None,
                points: BreakPoints | None = None) -> list[tuple[int, int]]:
    """Greedy line breaking at the opportunities of :func:`break_candidates`.

    Args:
        text: paragraph text (one line, logical order).
        advances: (len(text),) float32 px advance per character (see ShapedRun.char_advances); the width of a line
            is the sum over its characters, whatever their visual order.
        cluster_start: (len(text),) bool, shaping cluster starts.
        widths: available width per line in px (the last value repeats), or one width for all lines.
        space_delimited: break at spaces (True) or between clusters with kinsoku (False).
        max_lines: stop after this many lines.
        language: BCP 47 tag for ICU's line breaking tailoring.
        points: :func:`break_points` of these arguments if already known (a paragraph set at several widths).

    Returns:
        (start, end) character ranges, trailing and leading spaces excluded, in order.

    Raises:
        SampleError: one cluster is wider than the line.
    """
    n = len(text)
    if points is None:
        points = break_points(text, advances, cluster_start, space_delimited, language)
    cum, cand, trimmed, bounds = points.cum, points.cand, points.trimmed, points.bounds
    widths_list = [widths] if isinstance(widths, (int, float)) else list(widths)
    lines: list[tuple[int, int]] = []
    s = 0
    while s < n and text[s].isspace():
        s += 1
    while s < n:
        w = widths_list[min(len(lines), len(widths_list) - 1)]
        limit = cum[s] + w + 1e-3
        # largest candidate e > s whose trimmed end fits
        idx = np.searchsorted(cand, s, side="right")
        fit = idx + np.searchsorted(cum[trimmed[idx:]], limit, side="right") - 1
        if fit >= idx and trimmed[fit] > s:
            e = int(cand[fit])
            te = int(trimmed[fit])
        else:  # forced break inside a word, at a cluster boundary
            bi = np.searchsorted(bounds, s, side="right")
            fitb = bi + np.searchsorted(cum[bounds[bi:]], limit, side="right") - 1
            if fitb < bi:
                raise SampleError("a single cluster is wider than the line")
            e = te = int(bounds[fitb])
        lines.append((s, te))
        s = e
        while s < n and text[s].isspace():
            s += 1
        if max_lines is not None and len(lines) >= max_lines:
            break
    return lines


@functools.lru_cache(maxsize=8192)
def _char_class(ch: str) -> str:
    if is_word_char(ch):
        return "w"
    name = unicodedata.name(ch, "")
    if name.startswith("HIRAGANA"):
        return "hira"
    if name.startswith(("KATAKANA", "HALFWIDTH KATAKANA")) or ch == "ー":
        return "kata"
    if name.startswith("HANGUL"):
        return "hangul"
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")) or ch in "々〆〇":
        return "han"
    return "p"  # punctuation and symbols: one word each


def segment_words(text: str, s: int, e: int, space_delimited: bool, cluster_start: np.ndarray) -> list[tuple[int, int]]:
    """Word ranges inside text[s:e].

    Space-delimited scripts: maximal runs of non-space characters. Other scripts: maximal runs of one
    character class (Han, hiragana, katakana, hangul, Latin letters/digits with the spaces and
    ``.,:/-+%`` between them); each other punctuation mark is a word of its own. A word never splits a cluster.
    """
    if space_delimited:  # the common case: runs of non-space characters ending at cluster starts
        words = []
        for m in _NON_SPACE.finditer(text, s, e):
            j = m.end()
            if j < e and not cluster_start[j]:  # a cluster reaches past the word: the general loop
                return _segment_words(text, s, e, space_delimited, cluster_start)
            words.append((m.start(), j))
        return words
    return _segment_words(text, s, e, space_delimited, cluster_start)


def _segment_words(text: str, s: int, e: int, space_delimited: bool,
                   cluster_start: np.ndarray) -> list[tuple[int, int]]:
    """:func:`segment_words`, character by character."""
    words: list[tuple[int, int]] = []
    i = s
    while i < e:
        if text[i].isspace():
            i += 1
            continue
        j = i + 1
        if space_delimited:
            while j < e and not text[j].isspace():
                j += 1
        else:
            c = _char_class(text[i])
            if c != "p":
                while j < e:
                    ch = text[j]
                    if _char_class(ch) == c and not ch.isspace():
                        j += 1
                    elif c == "w" and (ch.isspace() or ch in ".,:/-+%") and j + 1 < e and is_word_char(text[j + 1]):
                        j += 1
                    else:
                        break
        while j < e and not cluster_start[j]:
            j += 1
        words.append((i, j))
        i = j
    return words
