"""Role of a face (serif, sans, mono, display, handwriting) from the font's own data.

Read once per face when the font index is built (:func:`font_traits`), kept in the index: OS/2 ``sFamilyClass``
(high byte: IBM class), PANOSE (family kind, serif style, proportion), ``post.isFixedPitch``, OS/2
``usWeightClass``/``fsSelection`` and name-table keywords. Google Fonts metadata and fonts.yaml override the
classification later (:mod:`synthdoc.fonts.pool`).
"""
from __future__ import annotations

import re

ROLES = ("serif", "sans", "mono", "display", "handwriting")

# name-table keywords, checked on the family name (word-ish matches, case-insensitive), first hit wins
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("mono", r"\bmono|\bcode\b|coding|console|courier|typewriter|\btt\b|fixed"),
    ("handwriting", (r"script|hand|brush|\bpen\b|marker|calligra|kaisho|gyosho|mouhitsu|cursive|felt|"
                     r"chalk|crayon|scrawl|sketch|doodle|kristi|dancing|caveat|seto|kouzan|klee|wenkai")),
    ("display", (r"display|poster|headline|titling|decor|stencil|shadow|outline|inline|\bfat\b|black ops|"
                 r"bungee|\bone\b|\bpixel\b")),
    ("sans", r"\bsans\b|gothic|goth|hei\b|heiti|dotum|gulim|grotesk|grotesque|maru|rounded"),
    ("serif", (r"serif|mincho|ming|sung|song|batang|myeongjo|kai|roman|antiqua|garamond|baskerv|times|bookman|"
               r"schoolbook|century|palladio|palatino|didot|goudy|charis|gentium|doulos|junicode|stix|linden|"
               r"prociono|quattrocento|caslon|bodoni|c059|p052|libertine|cardo|tinos|tymes|old standard")),
)
_KEYWORD_RES = tuple((role, re.compile(rx, re.IGNORECASE)) for role, rx in _KEYWORDS)
_GF_CATEGORY = {"SERIF": "serif", "SANS_SERIF": "sans", "DISPLAY": "display", "HANDWRITING": "handwriting",
                "MONOSPACE": "mono"}


def role_from_category(category: str | None) -> str | None:
    """Role for a Google Fonts category (SERIF, SANS_SERIF, DISPLAY, HANDWRITING, MONOSPACE); None if unknown."""
    return _GF_CATEGORY.get(str(category or "").upper().replace(" ", "_"))


def role_from_name(family: str) -> str | None:
    """Role a family name's keywords imply ("Noto Sans Mono" -> mono, "Dancing Script" -> handwriting), or None."""
    for role, rx in _KEYWORD_RES:
        if rx.search(family):
            return role
    return None


def classify(family: str, fixed_pitch: bool, family_class: int, panose: tuple[int, ...]) -> str:
    """Role of a face from its font data.

    Args:
        family: typographic family name.
        fixed_pitch: Latin advances equal (:func:`fixed_pitch_latin`), else ``post.isFixedPitch`` != 0.
        family_class: OS/2 ``sFamilyClass`` (class in the high byte, subclass in the low byte).
        panose: the 10 PANOSE digits (bFamilyType, bSerifStyle, bWeight, bProportion, ...), or ().

    Returns:
        one of :data:`ROLES`. Precedence: fixed pitch, the name's keywords, PANOSE family
        kind (hand written, decorative), IBM class (ornamental, script, sans, serif), PANOSE serif style,
        else "sans".
    """
    kind = panose[0] if panose else 0
    if fixed_pitch:
        return "mono"
    by_name = role_from_name(family)
    if by_name:
        return by_name
    if kind == 3:
        return "handwriting"
    if kind == 4:
        return "display"
    ibm = (family_class >> 8) & 0xFF
    if ibm == 10:
        return "handwriting"
    if ibm in (9, 12):
        return "display"
    if ibm == 8:
        return "sans"
    if ibm in (1, 2, 3, 4, 5, 7):
        return "serif"
    if kind == 2 and len(panose) > 1 and panose[1] >= 2:
        return "sans" if panose[1] >= 11 else "serif"
    return "sans"


def fixed_pitch_latin(font) -> bool | None:
    """True when "i", "M" and "W" have the same advance (a monospaced Latin face), False when they differ,
    None when the face lacks one of them (the ``post.isFixedPitch`` flag decides then). Full-width CJK faces
    set isFixedPitch although their Latin is proportional: the advances tell."""
    cmap = font.getBestCmap() or {}
    names = [cmap.get(ord(c)) for c in "iMW"]
    if None in names:
        return None
    hmtx = font["hmtx"]
    return len({hmtx[n][0] for n in names}) == 1


def font_traits(font) -> dict:
    """Index fields of one face read from a fontTools ``TTFont``: role, weight class, italic flag.

    Returns:
        {"role": str, "weight": int (usWeightClass 100-1000; the old 1-9 scale times 100; 400 if absent), "italic": bool (fsSelection bit 0 or
        macStyle bit 1)}; fields that cannot be read fall back to the defaults.
    """
    family = font["name"].getDebugName(16) or font["name"].getDebugName(1) or ""
    fixed, fclass, panose, weight, italic = False, 0, (), 400, False
    try:
        fixed = fixed_pitch_latin(font)
        fixed = bool(font["post"].isFixedPitch) if fixed is None else fixed
    except Exception:  # noqa: BLE001, S110 - a missing table keeps the default
        pass
    try:
        os2 = font["OS/2"]
        fclass, weight = int(os2.sFamilyClass), int(os2.usWeightClass)
        p = os2.panose
        panose = (p.bFamilyType, p.bSerifStyle, p.bWeight, p.bProportion)
        italic = bool(os2.fsSelection & 1)
    except Exception:  # noqa: BLE001, S110 - as above
        pass
    if weight < 100:  # old fonts give the 1-9 scale (5 = Medium), broken ones 0
        weight = weight * 100 if weight >= 1 else 400
    try:
        italic = italic or bool(font["head"].macStyle & 2)
    except Exception:  # noqa: BLE001, S110 - as above
        pass
    return {"role": classify(family, fixed, fclass, panose), "weight": weight, "italic": italic}
