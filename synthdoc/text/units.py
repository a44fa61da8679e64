"""Text units cut where a typesetter would: titles, headings, captions, bullets, cells and entries.

A unit is taken from the start of a corpus text (a paragraph or a sentence of it) and is, by preference:

1. its first sentence (ICU sentence iterator, UAX #29), when it fits the role's length limit;
2. else its longest leading clause that fits (ends before a clause mark: ``, ; :`` and their CJK forms, or a
   dash between spaces);
3. else its longest leading phrase that fits and ends at a cut point: a position that is both an ICU word
   boundary (UAX #29 with ICU's dictionaries for CJK and Thai) and an ICU line break opportunity (UAX #14),
   and that does not split a number from its separators or sign (``1,500``, ``8:30``, ``28.4 %``,
   ``802.11ax``, ``£3.20``): such positions are never inside a word, a Latin word embedded in CJK, a number or
   a grapheme cluster.

Then leading/trailing spaces and punctuation are stripped and brackets and quotes are balanced by cutting the
unit before its first unmatched opener or closer (so a unit stays a substring of its source). The length limit
is in words for space-delimited languages and in characters otherwise; scripts whose dictionary "words" are
long phrases (Thai, Lao, Khmer, Myanmar) get :data:`ALPHABETIC_CHAR_FACTOR` times the character limit, which is
meant for CJK ideographs.

Everything here is deterministic: callers draw the limits from their own generator.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import icu

PAIRS = {"(": ")", "[": "]", "{": "}", "（": "）", "［": "］", "｛": "｝", "「": "」", "『": "』", "【": "】",
         "〈": "〉", "《": "》", "〔": "〕", "“": "”", "‘": "’", "«": "»", "‹": "›", "„": "“"}
"""Opening bracket / quote -> its closer (straight quotes ``"`` pair with themselves, see :func:`balance`)."""
CLAUSE_MARKS = frozenset(",;:，、；：،؛")
"""Marks after which a clause ends (the mark itself is not part of the unit)."""
ALPHABETIC_CHAR_FACTOR = 2.5
"""Character limits are for ideographs; text of Thai/Lao/Khmer/Myanmar (no spaces between words, alphabetic)
gets this many times more characters."""
_PHRASE_SCRIPTS = ("THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")
_NUMBER_SUFFIX = re.compile(r"\s?[%‰％]")
_MIN_CHARS = 2
_HYPHENS = "-‐‑/"  # and the slash of units and alternatives: Wh/kg, and/or
_HYPHEN_JOIN = re.compile(r"[-‐‑/][^\W_]")
_TOKEN_SEPARATORS = ".,:'’"  # inside host:port, file.ext, 1,500: not a cut between two letters or digits
_TOKEN_JOIN = re.compile(r"[.,:'’][^\W_]")


def _utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of every code point boundary of `text` (index i -> offset), length len(text) + 1."""
    out, off = [0], 0
    for ch in text:
        off += 2 if ord(ch) > 0xFFFF else 1
        out.append(off)
    return out


def _boundaries(it: "icu.BreakIterator", text: str) -> set[int]:
    """Code point indices of the boundaries `it` finds in `text` (0 and len(text) included)."""
    it.setText(text)
    if not text or max(text) <= "\uffff":  # no surrogate pairs: UTF-16 offsets are code point indices
        return set(it) | {0, len(text)}
    to_index = {off: i for i, off in enumerate(_utf16_offsets(text))}
    return {to_index[b] for b in it if b in to_index} | {0, len(text)}


@functools.lru_cache(maxsize=1)
def _iterators() -> tuple["icu.BreakIterator", "icu.BreakIterator", "icu.BreakIterator"]:
    root = icu.Locale.getRoot()
    return (icu.BreakIterator.createWordInstance(root), icu.BreakIterator.createLineInstance(root),
            icu.BreakIterator.createSentenceInstance(icu.Locale("en@ss=standard")))


def _splits_number(text: str, i: int) -> bool:
    """True when a cut before index `i` of `text` would split a number from its digits, separators, sign or
    unit sign (``1,|500``, ``28.4| %``, ``£|3``), a number from its counter or unit (``7|日``, ``40|mm``), a
    hyphenated compound (``Wi|-Fi``, ``Wh/|kg``), a token joined by ``. , : ' ’`` without spaces (``8000|:server``,
    ``sources.|list``), or Japanese kanji/katakana from the hiragana that follows them
    (``着い|た``)."""
    before, after = text[:i].rstrip(), text[i:]
    if before[-1:].isalnum() and _HYPHEN_JOIN.match(after) or before[-2:-1].isalnum() and \
            before[-1:] in _HYPHENS and after[:1].isalnum():
        return True  # Wi-|Fi, Wi|-Fi, Wh/|kg
    if before[-1:].isalnum() and _TOKEN_JOIN.match(after) or before[-2:-1].isalnum() and \
            before[-1:] in _TOKEN_SEPARATORS and after[:1].isalnum():
        return True  # 8000|:server, sources.|list: a token of letters and digits joined without spaces
    if before and before[-1].isdigit() and _NUMBER_SUFFIX.match(after):
        return True
    if before and unicodedata.category(before[-1]) == "Sc" and after[:1].isdigit():
        return True
    if before and before[-1].isalpha() and _is_hiragana(after[:1]):
        return True  # Japanese: a phrase (bunsetsu) ends before the next content word, not before okurigana
    return bool(before) and before[-1].isdigit() and (after[:1].isdigit() or after[:1].isalpha())


def _is_hiragana(ch: str) -> bool:
    """Hiragana (U+3041..U+309F) or the prolonged sound mark: they continue the word before them."""
    return bool(ch) and ("\u3041" <= ch <= "\u309f" or ch == "ー")


def cut_points(text: str) -> list[int]:
    """Indices where a unit of `text` may end: ICU word boundaries that are also line break opportunities (or
    the end), that follow a non-space character and do not split a number (see module doc). Ascending."""
    word_it, line_it, _ = _iterators()
    words, lines = _boundaries(word_it, text), _boundaries(line_it, text)
    # a line break opportunity lies after the spaces; the phrase itself ends before them
    line_ends = {len(text[:b].rstrip()) for b in lines}
    return sorted(i for i in words & line_ends if i > 0 and not text[i - 1].isspace()
                  and not _splits_number(text, i))


def sentences(text: str) -> list[str]:
    """The sentences of `text` (ICU sentence iterator with the standard abbreviation suppressions), stripped,
    empty ones dropped; never split inside a number such as ``3.6``."""
    _, _, sent_it = _iterators()
    bounds = sorted(_boundaries(sent_it, text))
    return [t for t in (text[a:b].strip() for a, b in zip(bounds, bounds[1:])) if t]


def first_sentence(text: str) -> str:
    """The first sentence of `text` (ICU sentence iterator with the standard abbreviation suppressions, so
    "Mrs." or "Dr." do not end a sentence), without trailing spaces."""
    _, _, sent_it = _iterators()
    bounds = sorted(_boundaries(sent_it, text) - {0})
    return text[:bounds[0]].rstrip() if bounds else text


def _fits(text: str, max_words: int, max_chars: int, space_delimited: bool) -> bool:
    if space_delimited:
        return len(text.split()) <= max_words
    return len(text) <= char_limit(text, max_chars)


def char_limit(text: str, max_chars: int) -> int:
    """`max_chars` for ideographic text, ALPHABETIC_CHAR_FACTOR x `max_chars` when `text`'s first letter is of a
    script without spaces whose words are long (Thai, Lao, Khmer, Myanmar, Tibetan)."""
    letter = next((ch for ch in text if ch.isalpha()), "")
    if letter and unicodedata.name(letter, "").startswith(_PHRASE_SCRIPTS):
        return int(round(max_chars * ALPHABETIC_CHAR_FACTOR))
    return max_chars


def _clause(sentence: str, max_words: int, max_chars: int, space_delimited: bool) -> str:
    """The longest leading clause of `sentence` that fits ("" when none)."""
    best = ""
    for i, ch in enumerate(sentence):
        if ch in CLAUSE_MARKS and i > 0 and not _splits_number(sentence, i + 1) and not sentence[i - 1].isdigit():
            if not _fits(sentence[:i], max_words, max_chars, space_delimited):
                break
            best = sentence[:i]
    return best


def _phrase(sentence: str, max_words: int, max_chars: int, space_delimited: bool) -> str:
    """The longest leading phrase of `sentence` that fits and ends at a :func:`cut_points` index ("" when none
    fits: the first word is longer than the limit)."""
    fitting = [i for i in cut_points(sentence) if _fits(sentence[:i], max_words, max_chars, space_delimited)]
    return sentence[:fitting[-1]] if fitting else ""


def strip_edges(text: str) -> str:
    """`text` without leading spaces and punctuation other than opening brackets/quotes, and without trailing
    spaces and punctuation other than closing brackets/quotes and per-mille/percent signs."""
    keep_start = set(PAIRS) | {'"'}
    keep_end = set(PAIRS.values()) | {'"', "%", "‰", "％"}
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or (unicodedata.category(text[start])[0] == "P"
                                                      and text[start] not in keep_start)):
        start += 1
    while end > start and (text[end - 1].isspace() or (unicodedata.category(text[end - 1])[0] == "P"
                                                        and text[end - 1] not in keep_end)):
        end -= 1
    return text[start:end]


def balance(text: str) -> str:
    """`text` cut before its first unmatched bracket or quote (opener without closer, closer without opener;
    an unmatched opener at the start is dropped instead),
    then stripped (:func:`strip_edges`) and balanced again until stable. Straight double quotes pair
    with each other; ’ between letters is an apostrophe, not a quote."""
    while True:
        cut = _first_unmatched(text)
        if cut is None:
            return text
        text = strip_edges(text[1:] if cut == 0 else text[:cut])


def _first_unmatched(text: str) -> int | None:
    """Index of the first unmatched bracket or quote of `text`, None when balanced."""
    closers = {v: k for k, v in PAIRS.items() if k != "„"}
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch == "’" and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            continue  # apostrophe
        if ch == '"':
            if stack and stack[-1][0] == '"':
                stack.pop()
            else:
                stack.append((ch, i))
        elif ch in PAIRS and not (ch == "“" and stack and stack[-1][0] == "„"):
            stack.append((ch, i))
        elif ch in closers or ch == "“":
            opener = stack[-1][0] if stack else None
            if opener is None or PAIRS.get(opener) != ch:
                return i
            stack.pop()
    return stack[0][1] if stack else None


def text_unit(text: str, max_words: int, max_chars: int, space_delimited: bool) -> str:
    """A title/heading/caption/bullet/cell/entry from the start of `text`: its first sentence, else a leading
    clause, else a leading phrase ending at a word boundary, within the limit (module doc), without edge
    punctuation, brackets and quotes balanced.

    Args:
        text: one paragraph (or sentence) of cleaned corpus text.
        max_words: most words (space-delimited text), >= 1.
        max_chars: most characters (other text; scaled by :func:`char_limit`), >= 1.
        space_delimited: whether words are separated by spaces (``Language.space_delimited``).

    Returns:
        The unit; "" when nothing of at least 2 characters remains (callers draw again).
    """
    sentence = strip_edges(first_sentence(text.strip()))
    if not sentence:
        return ""
    if _fits(sentence, max_words, max_chars, space_delimited):
        unit = sentence
    else:
        unit = _clause(sentence, max_words, max_chars, space_delimited) or \
            _phrase(sentence, max_words, max_chars, space_delimited)
    unit = balance(strip_edges(unit))
    return unit if len(unit) >= _MIN_CHARS else ""


def shown_prefix(text: str, shown_chars: int) -> str:
    """The longest unit-like prefix of `text` (ending at a :func:`cut_points` index, edges stripped, balanced) of
    at most `shown_chars` non-space characters: what a box that shows only `shown_chars` characters of `text`
    should hold instead of a truncation mid-word. "" when even the first word is longer."""
    fitting = [i for i in cut_points(text) if len("".join(text[:i].split())) <= shown_chars]
    return balance(strip_edges(text[:fitting[-1]])) if fitting else ""
