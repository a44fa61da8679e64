"""Itemization before shaping: bidirectional levels, script runs, grapheme clusters and fallback-font runs.

- Bidi: the Unicode Bidirectional Algorithm (UAX #9) as implemented by ICU (``ubidi``, through PyICU): the
  embedding level of every character of a paragraph, and for one line the visual order of its directional
  runs (rules L1-L2 applied by ICU's ``setLine`` / ``getVisualRun``).
- Script: the Unicode Script property (UAX #24) from ICU. Common, Inherited and Unknown characters (spaces,
  digits, punctuation, combining marks) join the run before them (the following run when they lead).
  Han, hiragana, katakana and bopomofo form one run whose script HarfBuzz guesses, as before itemization.
- Grapheme clusters: extended grapheme cluster boundaries (UAX #29) from ICU's character break iterator.
- Font: per grapheme cluster, the face in use is kept while it maps every character of the cluster, else the
  primary face if it does, else the fallback face (a Latin word inside Hebrew text is drawn by the fallback).

ICU counts UTF-16 code units; every index this module returns is a code-point index (a Python ``str`` index).
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

import icu
import numpy as np

#: ISO 15924 codes of the scripts that do not start a run of their own (UAX #24 Common, Inherited, Unknown).
NEUTRAL_SCRIPTS = frozenset({"Zyyy", "Zinh", "Zzzz"})
#: Scripts written together in CJK text; one run, script guessed by HarfBuzz.
CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Bopo"})
CJK_RUN = "Hani"


def utf16_offsets(text: str) -> np.ndarray:
    """UTF-16 offset of every code point of `text` and of its end.

    Returns:
        (len(text) + 1,) int64; entry i is the UTF-16 index of text[i] (identity for BMP-only text).
    """
    n = len(text)
    if not text or max(text) <= "\uffff":
        return np.arange(n + 1, dtype=np.int64)
    units = np.fromiter((2 if ord(c) > 0xFFFF else 1 for c in text), dtype=np.int64, count=n)
    return np.concatenate([[0], np.cumsum(units)])


def _cp_index(off16: np.ndarray, unit: int) -> int:
    """Code-point index of UTF-16 offset `unit` (a boundary between code points)."""
    return int(np.searchsorted(off16, unit))


def _boundaries(iterator: Any, text: str, off16: np.ndarray) -> np.ndarray:
    """(len(text) + 1,) bool: True at every boundary `iterator` reports (and at 0)."""
    iterator.setText(text)
    out = np.zeros(len(text) + 1, dtype=bool)
    out[0] = True
    units = np.fromiter(iterator, dtype=np.int64)
    out[np.searchsorted(off16, units)] = True
    return out


def icu_locale(tag: str | None) -> icu.Locale:
    """ICU locale of a BCP 47 tag ("th", "zh-Hant"); the root locale for None or ""."""
    return icu.Locale.forLanguageTag(tag) if tag else icu.Locale.getRoot()


def grapheme_starts(text: str) -> np.ndarray:
    """Extended grapheme cluster starts (UAX #29, ICU character break iterator).

    Returns:
        (len(text),) bool; True where a cluster begins (always at 0 for non-empty text).
    """
    off16 = utf16_offsets(text)
    return _boundaries(_character_iterator(), text, off16)[:-1]


@functools.lru_cache(maxsize=1)
def _character_iterator() -> icu.BreakIterator:
    """One ICU character break iterator, reused (creating one costs ~6 us, setText ~0.1 us; each use sets its text
    and reads every boundary before returning)."""
    return icu.BreakIterator.createCharacterInstance(icu.Locale.getRoot())


@functools.lru_cache(maxsize=64)
def _line_iterator(language: str | None) -> icu.BreakIterator:
    """One ICU line break iterator per language tag, reused (creating one costs ~13 us)."""
    return icu.BreakIterator.createLineInstance(icu_locale(language))


def line_break_opportunities(text: str, language: str | None = None) -> np.ndarray:
    """Line break opportunities of UAX #14 (ICU line break iterator, dictionary-based for Thai, Lao, Khmer and
    Myanmar), tailored by the locale of `language` (BCP 47).

    Returns:
        (len(text) + 1,) bool; True at i when a line may end before text[i]; True at 0 and len(text).
    """
    off16 = utf16_offsets(text)
    return _boundaries(_line_iterator(language or None), text, off16)


@functools.lru_cache(maxsize=8192)
def script_of(ch: str) -> str:
    """ISO 15924 code of the Unicode Script property of `ch` (e.g. "Arab", "Latn", "Zyyy" for Common)."""
    return icu.Script.getScript(ord(ch)).getShortName()


def script_runs(text: str) -> list[tuple[int, int, str | None]]:
    """Maximal runs of one script.

    Returns:
        (start, end, script) in logical order covering `text`; script is an ISO 15924 code, :data:`CJK_RUN`
        for Han / kana / bopomofo, or None when the whole text is Common / Inherited.
    """
    if not text:
        return []
    scripts = {script_of(ch) for ch in set(text)} - NEUTRAL_SCRIPTS
    if len(scripts) <= 1 or scripts <= CJK_SCRIPTS:  # one script (the common case): one run
        sc = next(iter(scripts)) if scripts else None
        return [(0, len(text), CJK_RUN if sc in CJK_SCRIPTS else sc)]
    runs: list[list] = []
    for i, ch in enumerate(text):
        sc = script_of(ch)
        if sc in CJK_SCRIPTS:
            sc = CJK_RUN
        if sc in NEUTRAL_SCRIPTS or (runs and runs[-1][2] == sc):
            if runs:
                runs[-1][1] = i + 1
            continue
        runs.append([runs[-1][1] if runs else 0, i + 1, sc])  # a leading neutral prefix joins the first run
    return [(a, b, s) for a, b, s in runs]


@dataclass
class BidiParagraph:
    """A paragraph resolved by the Unicode Bidirectional Algorithm (UAX #9, ICU).

    Attributes:
        text: the paragraph, logical order.
        levels: (len(text),) uint8 embedding level of every character (even = left to right).
        base_level: paragraph embedding level: 0 (left to right) or 1 (right to left).
    """

    text: str
    levels: np.ndarray
    base_level: int
    _bidi: Any
    _ustr: Any
    _off16: np.ndarray

    @property
    def rtl(self) -> bool:
        return bool(self.base_level & 1)

    @property
    def uniform(self) -> bool:
        """Every character is at the paragraph level (no reordering inside lines)."""
        return bool((self.levels == self.base_level).all())

    def visual_runs(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """Directional runs of the line text[start:end] in visual order, left to right (UAX #9 L1-L2, ICU).

        Returns:
            (run start, run end, right to left) with code-point indices into `text`; the characters of a right-
            to-left run are drawn in reverse logical order.
        """
        if end <= start:
            return []
        if self.uniform:
            return [(start, end, self.rtl)]
        u0, u1 = int(self._off16[start]), int(self._off16[end])
        line = self._bidi.setLine(u0, u1)
        out = []
        for k in range(line.countRuns()):
            ls, ln, direction = line.getVisualRun(k)
            out.append((_cp_index(self._off16, u0 + ls), _cp_index(self._off16, u0 + ls + ln), direction == 1))
        return out


def bidi_paragraph(text: str, direction: str | None) -> BidiParagraph:
    """Resolve the embedding levels of paragraph `text` (UAX #9, ICU ``ubidi_setPara``).

    Args:
        text: one paragraph (no paragraph separators), logical order.
        direction: paragraph direction "ltr" or "rtl" (higher-level protocol HL1: the language's direction), or
            None to take it from the first strong character (rules P2-P3; left to right when there is none).

    Raises:
        ValueError: unknown direction.
    """
    if direction not in ("ltr", "rtl", None):
        raise ValueError(f"unknown paragraph direction {direction!r}; use ltr, rtl or None")
    off16 = utf16_offsets(text)
    if direction == "ltr" and (not text or max(text) < "\u0590"):  # nothing right-to-left: every level is 0
        return BidiParagraph(text, np.zeros(len(text), np.uint8), 0, None, None, off16)
    bidi = icu.Bidi()
    ustr = icu.UnicodeString(text)
    level = {"ltr": 0, "rtl": 1, None: icu.Bidi.DEFAULT_LTR}[direction]
    bidi.setPara(ustr, level)
    units = np.asarray(bidi.getLevels(), dtype=np.uint8)
    levels = units[off16[:-1]] if len(text) else units
    return BidiParagraph(text, levels, int(bidi.getParaLevel()), bidi, ustr, off16)


def _ignorable(ch: str) -> bool:
    """Format characters (ZWJ, ZWNJ, bidi marks): HarfBuzz hides them when a face lacks them."""
    return unicodedata.category(ch) == "Cf"


def font_runs(text: str, grapheme_start: np.ndarray, cmaps: Sequence[frozenset[int] | set[int]]) -> np.ndarray:
    """Face of every character: per grapheme cluster, the face in use while it maps the whole cluster, else the
    first of `cmaps` that does (the primary face comes first), else face 0 (its tofu is then reported).

    Args:
        text: logical-order text.
        grapheme_start: (len(text),) bool, see :func:`grapheme_starts`.
        cmaps: code points mapped by each face, primary first.

    Returns:
        (len(text),) int8 index into `cmaps`.
    """
    n = len(text)
    out = np.zeros(n, dtype=np.int8)
    if len(cmaps) < 2 or n == 0:
        return out
    starts = np.append(np.flatnonzero(grapheme_start), n)
    current = 0
    for a, b in zip(starts[:-1].tolist(), starts[1:].tolist()):
        cps = [ord(c) for c in text[a:b] if not _ignorable(c)]
        if not all(cp in cmaps[current] for cp in cps):
            current = next((k for k, cm in enumerate(cmaps) if all(cp in cm for cp in cps)), 0)
        out[a:b] = current
    return out
