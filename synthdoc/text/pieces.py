"""Bounded paragraphs: a corpus paragraph longer than :data:`MAX_PARAGRAPH_CHARS` is cut into pieces at UAX #14
line break opportunities (ICU line break iterator), so the work per page stays bounded whatever the input (a 2 MB
single-line paragraph would otherwise be itemized and shaped again for every page that draws from it).

Paragraphs at or below the limit are returned unchanged, so corpora made of ordinary paragraphs (every bundled
sample: the longest is 324 characters) give exactly the same text and pages as before.

A piece ends at the last opportunity at or before the limit; where a window holds none (one 5000-character
"word"), it ends at the last grapheme cluster boundary (UAX #29) at or before the limit, so no cluster is torn.
Each window is measured on its own (the iterator is reused), so splitting costs O(len(text)).
"""
from __future__ import annotations

import icu

MAX_PARAGRAPH_CHARS = 2000  # longer corpus paragraphs are cut into pieces of at most this many characters


def _utf16_to_index(text: str) -> dict[int, int]:
    """UTF-16 offset -> code point index of every code point boundary of `text` (ICU counts UTF-16 units)."""
    out, off = {}, 0
    for i, ch in enumerate(text):
        out[off] = i
        off += 2 if ord(ch) > 0xFFFF else 1
    out[off] = len(text)
    return out


def _last_boundary(it: "icu.BreakIterator", window: str) -> int:
    """Largest boundary of `it` over `window` strictly inside it (0 when there is none), in code points."""
    it.setText(window)
    if max(window) <= "\uffff":  # no astral characters: UTF-16 offsets are code point indices
        pos = it.preceding(len(window))
        return pos if pos != icu.BreakIterator.DONE and pos > 0 else 0
    to_index = _utf16_to_index(window)
    pos = it.preceding(max(to_index))
    while pos != icu.BreakIterator.DONE and pos > 0:
        if pos in to_index and to_index[pos] < len(window):
            return to_index[pos]
        pos = it.preceding(pos)
    return 0


def split_paragraph(text: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """`text` itself when it has at most `limit` characters, else pieces of at most `limit` characters cut at
    UAX #14 line break opportunities (grapheme boundaries when a window has none), with the spaces at the cut
    removed.

    Args:
        text: one cleaned paragraph (no newlines).
        limit: maximum characters per piece (>= 2).

    Returns:
        Non-empty pieces whose concatenation (with the trimmed spaces) is `text`.
    """
    if len(text) <= limit:
        return [text]
    lines = icu.BreakIterator.createLineInstance(icu.Locale.getRoot())
    chars = icu.BreakIterator.createCharacterInstance(icu.Locale.getRoot())
    pieces, pos = [], 0
    while len(text) - pos > limit:
        window = text[pos:pos + limit + 1]  # one more character: a break right after the limit counts
        cut = _last_boundary(lines, window) or _last_boundary(chars, window[:limit]) or limit
        piece = text[pos:pos + cut].rstrip()
        if piece:
            pieces.append(piece)
        pos += cut
        while pos < len(text) and text[pos] == " ":
            pos += 1
    rest = text[pos:].strip()
    if rest:
        pieces.append(rest)
    return pieces
