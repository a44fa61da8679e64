"""Hyphenation of justified paragraphs: a word that does not fit at the end of a line is split at a hyphenation
point of the language's patterns (pyphen, the LibreOffice/Hunspell dictionaries of TeX-style Liang patterns), the
longest part that fits stays on the line followed by a hyphen, the rest starts the next line.

Labelling rule: a hyphenated word is two words, each with its text as drawn — the part on the first line ends with
the hyphen ("hyphen-"), the part on the next line does not ("ation") — and each line's text is its words joined
by spaces, exactly what the page shows. Nothing is added to or removed from the labels beyond the drawn hyphen.

Only left-to-right, space-delimited text in a language with a pyphen dictionary (en, ru, uk, de, fr, es, el, ...)
is hyphenated; a word is split only when it is letters only (punctuation around it stays with its part), at least
:data:`MIN_WORD` letters long, and leaves at least :data:`LEFT_MIN` letters on the line and :data:`RIGHT_MIN` on
the next (TeX's lefthyphenmin / righthyphenmin for English). Everything is deterministic: no randomness here.
"""
from __future__ import annotations

import functools

import pyphen

from synthdoc.layout.typeset import SetLine, TextStyle, normalise_spaces, typeset_horizontal

HYPHEN = "-"
"""The hyphen drawn (and labelled) at the end of a hyphenated line: U+002D, which every text face covers."""
NO_HYPHEN_LANGUAGES = frozenset({"th", "lo", "km", "my"})
"""Languages with pyphen patterns (or a script) whose typesetting does not hyphenate at line ends."""
MIN_WORD = 5
LEFT_MIN = 2
RIGHT_MIN = 3
_PUNCT_OPEN = "([{\"'«„“‘¿¡"
_PUNCT_CLOSE = ")]}\"'»“”’.,;:!?…"
_WINDOW_LINES = 2.5  # typeset about this many lines' worth of characters at a time (more when they fall short)
_MEAN_EM = 0.4  # a low estimate of the mean advance of a character, em
_CACHE_SIZE = 20_000
_WIDTHS: dict[tuple, float] = {}  # this process's memo of _width


@functools.lru_cache(maxsize=64)
def dictionary(hb_language: str) -> pyphen.Pyphen | None:
    """pyphen's dictionary for a BCP 47 tag (its language fallback: "en" -> en, "ru" -> ru_RU), or None."""
    lang = pyphen.language_fallback(hb_language.replace("-", "_"))
    return pyphen.Pyphen(lang=lang, left=LEFT_MIN, right=RIGHT_MIN) if lang else None


def can_hyphenate(style: TextStyle) -> bool:
    """True when paragraphs of `style` are hyphenated: left-to-right, space-delimited, pyphen has the language
    and its typography breaks words with a hyphen (not Thai, Lao, Khmer, Myanmar: lines break between words
    there, found by ICU's dictionaries), and the primary face has the hyphen."""
    return (style.space_delimited and style.direction == "ltr"
            and style.hb_language.split("-")[0] not in NO_HYPHEN_LANGUAGES
            and dictionary(style.hb_language) is not None and ord(HYPHEN) in style.face.info.cmap)


def _split_word(word: str) -> tuple[str, str, str]:
    """(leading punctuation, core, trailing punctuation) of a space-free `word`; core "" unless it is letters,
    or letters joined by hyphens (a compound: "онлайн-играх", "well-known")."""
    a, b = 0, len(word)
    while a < b and word[a] in _PUNCT_OPEN:
        a += 1
    while b > a and word[b - 1] in _PUNCT_CLOSE:
        b -= 1
    core = word[a:b]
    ok = all(part.isalpha() for part in core.split(HYPHEN))
    return word[:a], (core if ok else ""), word[b:]


def _splits(core: str, dic: pyphen.Pyphen) -> list[tuple[str, str]]:
    """(first part as drawn, rest) pairs of a word core, longest first part first: after a hyphen of a compound
    (the part keeps that hyphen, none is added), or at a pattern point of its last letters-only piece (a hyphen
    is added)."""
    out = []
    pieces = core.split(HYPHEN)
    for k in range(len(pieces) - 1, -1, -1):
        head = HYPHEN.join(pieces[:k]) + (HYPHEN if k else "")
        piece = pieces[k]
        if len(piece) >= MIN_WORD:
            out += [(head + first + HYPHEN, second + core[len(head) + len(piece):])
                    for first, second in dic.iterate(piece)]
        if k:
            out.append((head, core[len(head):]))
    return out


def _window(text: str, style: TextStyle, width_px: float) -> str:
    """The start of `text`, cut at a space, about :data:`_WINDOW_LINES` lines of `width_px` long."""
    n = int(_WINDOW_LINES * width_px / (_MEAN_EM * style.size_px)) + 1
    if n >= len(text):
        return text
    cut = text.find(" ", n)
    return text if cut < 0 else text[:cut]


def _width(text: str, style: TextStyle, cache: dict[tuple, float]) -> float:
    """Advance width of `text` set on one line, px (memoised in `cache` per face, size and language; a
    deterministic value, so sharing it across pages changes nothing but time)."""
    key = (style.face.info.key, style.fallback.info.key if style.fallback else None, style.size_px,
           style.hb_language, text)
    if key not in cache:
        if len(cache) > _CACHE_SIZE:
            cache.clear()
        lines = typeset_horizontal(text, style, 1e9, max_lines=1)
        cache[key] = lines[0].width if lines else 0.0
    return cache[key]


def _room(line: SetLine, width_px: float, space_px: float) -> float:
    """Width a line could still take, px: the space after its last word plus what justification added to its word
    gaps (gaps measured between word boxes, which reach a little into the spaces: a low estimate)."""
    gaps = sum(b[1] - a[2] - space_px for a, b in zip(line.words, line.words[1:]))
    return width_px - line.words[-1][2] + gaps


def _hyphenated_first(rest: str, lines: list[SetLine], style: TextStyle, width_px: float, indent_px: float,
                      align: str, cache: dict[tuple, float]) -> tuple[list[SetLine], str, bool] | None:
    """Lines of the start of `rest` whose first line ends in the longest part of the next word that fits, with a
    hyphen; the text after that line; and whether the lines run to the end of the paragraph. None when no part
    fits. `lines`: the start of `rest` typeset without hyphenation (at least 2 lines)."""
    head = lines[0].text
    nxt = lines[1].words[0][0]
    lead, core, trail = _split_word(nxt)
    if len(core) < MIN_WORD or not rest[len(head):].lstrip().startswith(nxt):
        return None
    space = _width("x x", style, cache) - _width("xx", style, cache)
    room = _room(lines[0], width_px, space) - space
    if room < _width(lead + core[:LEFT_MIN] + HYPHEN, style, cache):
        return None
    after = rest[len(head):].lstrip()[len(nxt):]
    for first, second in _splits(core, dictionary(style.hb_language)):  # longest first part first
        part = lead + first
        if _width(part, style, cache) > room:
            continue
        text = f"{head} {part} {second}{trail}{after}"
        window = _window(text, style, width_px)
        trial = typeset_horizontal(window, style, width_px, align=align, first_indent_px=indent_px)
        if len(trial) >= 2 and trial[0].text == f"{head} {part}":
            return trial, f"{second}{trail}{after}", window == text
        return None
    return None


def typeset_hyphenated(text: str, style: TextStyle, width_px: float, align: str = "justify",
                       first_indent_px: float = 0.0, max_lines: int | None = None) -> list[SetLine]:
    """:func:`synthdoc.layout.typeset.typeset_horizontal` with hyphenation (see the module docstring): lines are
    broken greedily as there; where the next line's first word can be split so that its first part and a hyphen
    fit at the end of the line, it is. The text is typeset a few lines at a time (:func:`_window`), and again
    from each hyphenation on.

    Args:
        text, style, width_px, align, first_indent_px, max_lines: as for typeset_horizontal.

    Returns:
        SetLines; a hyphenated line's last word is the drawn first part with its hyphen.

    Raises:
        TofuError, SampleError: as typeset_horizontal.
    """
    if not can_hyphenate(style):
        return typeset_horizontal(text, style, width_px, align=align, first_indent_px=first_indent_px,
                                  max_lines=max_lines)
    rest = normalise_spaces(text, style.space_delimited)
    out: list[SetLine] = []
    cache = _WIDTHS
    lines: list[SetLine] = []
    complete = False  # `lines` run to the end of the paragraph (else their last line may be cut by the window)
    while rest and (max_lines is None or len(out) < max_lines):
        indent = first_indent_px if not out else 0.0
        if len(lines) < 2 and not complete:
            window = _window(rest, style, width_px)
            lines = typeset_horizontal(window, style, width_px, align=align, first_indent_px=indent)
            complete = window == rest
            if len(lines) < 2 and not complete:
                lines = typeset_horizontal(rest, style, width_px, align=align, first_indent_px=indent)
                complete = True
        if len(lines) < 2:
            out.extend(lines)
            break
        hyph = _hyphenated_first(rest, lines, style, width_px, indent, align, cache)
        if hyph is None:
            rest = rest[len(lines[0].text):].lstrip()
        else:
            lines, rest, complete = hyph
        out.append(lines[0])
        lines = lines[1:]
    return out
