"""Text cleaning: make corpus text safe to render and to use as an OCR label.

Labels must be exactly what is drawn (see DESIGN.md, "Labels are exactly what was drawn"), so text
that would render as nothing, as tofu, or as an ambiguous glyph is removed or mapped to a plain
character before it reaches layout. Character categories are the Unicode General_Category values of
the running Python's :mod:`unicodedata` (Unicode Standard Annex #44).
"""
from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"
"""ZERO WIDTH NON-JOINER: kept, it changes shaping in Arabic, Persian and Indic scripts."""
ZWJ = "\u200d"
"""ZERO WIDTH JOINER: kept, it changes shaping in Indic scripts and emoji sequences."""
IDEOGRAPHIC_SPACE = "\u3000"
"""Full-width space of CJK typesetting: kept inside a line (it occupies one em)."""

_NEWLINE_RE = re.compile("\r\n|[\r\x0b\x0c\x85]")
_SPACES_RE = re.compile(" {2,}")
_BLANK_LINES_RE = re.compile("\n{3,}")
_EDGE_CHARS = " " + IDEOGRAPHIC_SPACE
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})


def is_noncharacter(ch: str) -> bool:
    """True for the 66 Unicode noncharacters: U+FDD0..U+FDEF and U+nFFFE, U+nFFFF of every plane.

    Args:
        ch: one character.

    Returns:
        Whether `ch` is a noncharacter (The Unicode Standard, section 23.7 "Noncharacters").
    """
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def _map_char(ch: str) -> str:
    """The replacement of one character after newline normalisation: itself, " ", "\\n" or ""."""
    if ch == "\n" or ch == IDEOGRAPHIC_SPACE or ch == " ":
        return ch
    if ch == "\t":
        return " "
    if ch in (ZWNJ, ZWJ):
        return ch
    if ch == "\ufffd" or is_noncharacter(ch):
        return ""
    cat = unicodedata.category(ch)
    if cat in _DROP_CATEGORIES:
        return ""
    if cat == "Zs":
        return " "
    if cat in ("Zl", "Zp"):
        return "\n"
    return ch


def _tidy_lines(text: str) -> str:
    """Collapse space runs, strip line edges, collapse blank-line runs, strip the whole text."""
    text = _SPACES_RE.sub(" ", text)
    text = "\n".join(line.strip(_EDGE_CHARS) for line in text.split("\n"))
    text = _BLANK_LINES_RE.sub("\n\n", text)
    return text.strip("\n")


def clean_text(text: str) -> str:
    """Normalise text for rendering and labelling; keeps line and blank-line structure.

    Rules, in order:

    1. Line breaks: ``\\r\\n``, ``\\r``, vertical tab, form feed and NEL (U+0085) become ``\\n``;
       line and paragraph separators (categories Zl, Zp: U+2028, U+2029) become ``\\n``.
    2. Tabs become an ASCII space; every other space separator (category Zs: NBSP, U+2000..U+200A,
       narrow NBSP, U+205F, U+1680) becomes an ASCII space, except the ideographic space U+3000,
       which is kept inside a line.
    3. Removed: other control characters (Cc), format characters (Cf: soft hyphen, ZWSP, BOM,
       bidi controls, tags) except ZWNJ U+200C and ZWJ U+200D, private-use (Co), surrogates (Cs),
       unassigned code points (Cn), the 66 noncharacters and the replacement character U+FFFD.
    4. NFC normalisation (after removal, so a base letter and a combining mark separated by a
       removed character still compose, e.g. ``e`` + U+0301 -> ``é``).
    5. Runs of ASCII spaces become one space; ASCII and ideographic spaces at the start and end of
       every line are stripped.
    6. Runs of three or more newlines become two (one blank line); leading and trailing newlines
       of the whole text are removed.

    Args:
        text: any string.

    Returns:
        The cleaned text; ``""`` when nothing printable remains.
    """
    text = _NEWLINE_RE.sub("\n", text)
    changes = {ord(ch): _map_char(ch) for ch in set(text)}  # once per distinct character: O(len) in C below
    text = text.translate({cp: out for cp, out in changes.items() if out != chr(cp)})
    text = unicodedata.normalize("NFC", text)
    return _tidy_lines(text)


def clean_lines(text: str) -> list[str]:
    """Clean `text` and split it into its non-empty lines.

    Args:
        text: any string.

    Returns:
        The non-empty lines of :func:`clean_text` (blank lines dropped).
    """
    return [line for line in clean_text(text).split("\n") if line]


def clean_paragraph(text: str, sep: str = " ") -> str:
    """Clean `text` and join all its lines into one line (a paragraph is one line of text).

    Args:
        text: any string.
        sep: joiner between former lines; the default ``" "`` suits space-delimited scripts.

    Returns:
        One line without newlines; ``""`` when nothing printable remains.
    """
    return sep.join(clean_lines(text))


def strip_punctuation(text: str) -> str:
    """`text` without leading / trailing whitespace and punctuation (Unicode General_Category P*)."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start])[0] == "P"):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1])[0] == "P"):
        end -= 1
    return text[start:end]
