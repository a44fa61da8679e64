"""An independent checker of short text units (titles, headings, cells, bullets, entries) on laid-out pages.

Written apart from synthdoc.text.units on purpose: it finds each unit in the corpus paragraphs and asks ICU's
word and grapheme iterators and its own token pattern and bracket matcher whether the unit starts and ends where
a word, a number with its separators and a grapheme cluster end; it never calls the helper it checks.
"""
from __future__ import annotations

import re

import icu

CHECKED_ROLES = ("title", "heading", "list_item", "caption", "table_cell", "toc_entry", "header", "footer",
                 "slide_title")
# Latin/Cyrillic/Greek words and numbers with their inner separators and an attached percent sign
_ALNUM = "0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_TOKEN = re.compile(rf"[{_ALNUM}]+(?:[.,:/'’\-‐][{_ALNUM}]+)*(?:\s?[%‰％])?")
_CAPTION_LABEL = re.compile(r"^(?:<[^>]*\d+>|[^\W\d_]{1,6}\s?\d+[.:：]?)\s*")
_LABEL = re.compile(r"^(?:[\d.]+\)?|\(?[\da-zA-Z]{1,3}[.)]|[ivxlc]+\.|[^\w\s(（「『【〈《“‘«\"]+)\s*")
_LEADER_PAGE = re.compile(r"[\s.·…_\-]*\d+$")
_OPEN = "([{（［｛「『【〈《〔“‘«‹"
_CLOSE = ")]}）］｝」』】〉》〕”’»›"


def _bounds(kind: str, text: str) -> set[int]:
    it = (icu.BreakIterator.createWordInstance if kind == "word" else
          icu.BreakIterator.createCharacterInstance)(icu.Locale.getRoot())
    it.setText(text)
    offs, off = {0: 0}, 0
    for i, ch in enumerate(text):
        off += 2 if ord(ch) > 0xFFFF else 1
        offs[off] = i + 1
    return {offs[b] for b in it if b in offs} | {0}


def _inside_token(para: str, pos: int) -> bool:
    """True when `pos` lies strictly inside a token of _TOKEN in `para` (a word, a number with separators)."""
    return any(m.start() < pos < m.end() for m in _TOKEN.finditer(para))


def ok_at(para: str, start: int, end: int) -> bool:
    """Both ends of para[start:end] are ICU word and grapheme boundaries and outside every token."""
    words, graphemes = _bounds("word", para), _bounds("char", para)
    return all(p in words and p in graphemes and not _inside_token(para, p) for p in (start, end))


def balanced(text: str) -> bool:
    """Every bracket/curly quote closes the innermost open one; straight double quotes come in pairs; ’ between
    letters is an apostrophe."""
    stack = []
    for i, ch in enumerate(text):
        if ch == "’" and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            continue
        if ch in _OPEN and not (ch == "“" and stack and stack[-1] == "„"):
            stack.append(ch)
        elif ch in _CLOSE or ch == "“":
            if not stack or _OPEN.index(stack[-1]) != _CLOSE.find(ch) and not (stack[-1] == "„" and ch == "“"):
                return False
            stack.pop()
        elif ch == "„":
            stack.append(ch)
    return not stack and text.count('"') % 2 == 0


def unit_text(para, space_delimited: bool, wrap_joiner: str | None = None, strip_label: bool = True) -> str:
    """The unit a paragraph sets: its lines joined (by `wrap_joiner`; default a space between lines of
    space-delimited text, none after a line-final hyphen, none for other text), without a list marker / section
    number (unless not `strip_label`) and a TOC leader with its page number."""
    lines = [ln.text for ln in para.lines]
    text = lines[0]
    for ln in lines[1:]:
        joiner = wrap_joiner if wrap_joiner is not None else \
            "" if not space_delimited or text.endswith("-") else " "
        text += joiner + ln
    if para.role == "toc_entry":
        text = _LEADER_PAGE.sub("", text)
    if para.role == "caption":
        return _CAPTION_LABEL.sub("", text, count=1)
    return _LABEL.sub("", text, count=1) if strip_label and para.role in ("toc_entry", "heading", "list_item") \
        else text


def check_paragraph(para, space_delimited: bool, corpus: list[str]) -> tuple[str, str | None]:
    """(unit, reason) of :func:`check_unit` for a paragraph; a line of a narrow cell broken inside a too-long
    word (the typesetter's last resort) is also tried joined without a space."""
    unit = unit_text(para, space_delimited)
    reason = check_unit(unit, corpus)
    if reason and len(para.lines) > 1 and space_delimited:
        glued = unit_text(para, space_delimited, "")
        if check_unit(glued, corpus) is None:
            return glued, None
    if reason:  # the label may be shorter than the pattern took: "1.2" + "3D回転体", "•" + "[預設值]項目", "0,25 %"
        whole = unit_text(para, space_delimited, strip_label=False)
        m = _LABEL.match(whole)
        for k in range(m.end() if m else 0, -1, -1):
            cand = whole[k:].lstrip()
            if cand and cand != unit and check_unit(cand, corpus) is None:
                return cand, None
    return unit, reason


def locate(unit: str, paragraphs: list[str]) -> list[tuple[str, int, int]]:
    """Every (paragraph, start, end) where `unit` occurs in the corpus; a space of the corpus may be missing
    from the unit (a line of text without spaces between words wrapped there)."""
    pattern = re.compile(r"\s?".join(re.escape(ch) for ch in unit))
    out = []
    for para in paragraphs:
        if unit.replace(" ", "")[:1] in para:
            out += [(para, m.start(), m.end()) for m in pattern.finditer(para)]
    return out


def check_unit(unit: str, paragraphs: list[str]) -> str | None:
    """None when `unit` is well cut and balanced; else the reason ("unbalanced", "cut", "not in corpus")."""
    if not balanced(unit):
        return "unbalanced"
    found = locate(unit, paragraphs)
    if not found:
        return "not in corpus"
    if any(ok_at(para, i, j) for para, i, j in found):
        return None
    return "cut"
