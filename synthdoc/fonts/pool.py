"""Per-language face pools: every installed face whose cmap covers the language is eligible, grouped by role.

Gates, in order (a face failing any is left out):

1. fonts.yaml ``deny`` (top level and per script/language): family-name glob patterns (symbol, emoji, pixel,
   math and icon faces must never set body text).
2. Region: a family tagged for one CJK region (" JP", " KR", " SC"/" CN", " TC"/" HK"/" TW") serves only the
   matching language, so a Korean face does not set Japanese, and an HK face (Hong Kong glyph forms) serves
   only a Traditional Chinese language whose likely region is Hong Kong or Macau (not zh-Hant: Taiwan); a face
   made for Han/Hangul/Kana (more than 1,000 such code points) or a family named after another script ("Noto
   Sans Telugu") does not set a non-CJK language.
3. Coverage: the cmap covers the language's ICU exemplar characters (standard set, upper case and ASCII digits)
   — all of them for alphabets, at least 98 % for the large CJK sets (the per-paragraph check at layout time
   still rejects any text with a character the face lacks: never tofu).
4. Shaping (:mod:`synthdoc.fonts.shapecheck`): a per-script test string shapes without .notdef or zero-advance
   base glyphs.

Role: the family's role in fonts.yaml if listed, else the Google Fonts category, else the font's own data
(:mod:`synthdoc.fonts.roles`). Upright faces go to their role, bold ones to "bold", italic ones to "italic"
(emphasis only: never drawn as whole-page body text); Thin and ExtraLight upright faces go to "display".
"""
from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from typing import Callable

import numpy as np

from synthdoc.fonts.cmap import Cmap
from synthdoc.fonts.faceinfo import FaceInfo
from synthdoc.fonts.shapecheck import shapes_well
from synthdoc.languages import Language

CJK_SCRIPTS = ("Jpan", "Hang", "Hans", "Hant", "Hani", "Kore")
_REGION_RE = re.compile(r"\b(JP|KR|SC|CN|TC|HK|TW)\b")
_REGION_OF = {"JP": "Jpan", "KR": "Hang", "SC": "Hans", "CN": "Hans", "TC": "Hant", "HK": "Hant", "TW": "Hant"}
# script names that, in a family name, say which script a face was made for (ICU long names of the scripts
# fonts are commonly named after; "Gothic", "Loma", "Sora" are also ordinary font names and left out)
_SCRIPT_WORDS = ("Arabic", "Armenian", "Bengali", "Cherokee", "Cyrillic", "Devanagari", "Ethiopic", "Georgian",
                 "Greek", "Gujarati", "Gurmukhi", "Hebrew", "Kannada", "Khmer", "Lao", "Malayalam", "Myanmar",
                 "Nushu", "Oriya", "Sinhala", "Tamil", "Telugu", "Thai", "Tibetan", "Adlam", "Javanese",
                 "Balinese", "Syriac", "Thaana", "Mongolian", "Tifinagh", "Hangul", "Bopomofo", "Yi", "Vai",
                 "Cham", "Lisu", "Osage", "Coptic", "Glagolitic", "Runic", "Ogham", "Hanifi Rohingya", "Ol Chiki")
_OTHER_SCRIPT_RE = re.compile(r"\b(" + "|".join(_SCRIPT_WORDS) + r")\b", re.IGNORECASE)
MIN_LARGE_SET_FRAC = 0.98
LARGE_SET = 1000
BODY_ROLES = ("serif", "sans", "mono")
MIN_BODY_WEIGHT = 250  # Thin / ExtraLight (usWeightClass 100-200) never set body text


@lru_cache(maxsize=64)
def exemplar_chars(hb_language: str) -> frozenset[int]:
    """Code points a face must cover for a language: ICU's standard exemplar set of `hb_language` (BCP 47),
    its upper case, and ASCII digits; empty when ICU knows no exemplars for the locale."""
    import icu

    loc = icu.Locale(hb_language.replace("-", "_"))
    try:
        chars = [c for c in icu.LocaleData(loc.getName()).getExemplarSet(0, icu.ULocaleDataExemplarSetType.ES_STANDARD)]
    except icu.ICUError:
        return frozenset()
    out = {ord(c) for c in chars if len(c) == 1}
    out |= {ord(u) for c in chars if len(c) == 1 for u in c.upper() if len(c.upper()) == 1}
    return frozenset(out | set(range(0x30, 0x3A)))


def _cjk_count(cmap: Cmap) -> int:
    """Kana, CJK unified ideographs and Hangul syllables the cmap maps."""
    return cmap.count_in(((0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3)))


def _script_word(iso: str) -> str | None:
    """ICU's long name of an ISO 15924 code ("Latn" -> "Latin"), or None."""
    import icu

    try:
        return icu.Script(icu.Script.getCode(iso)[0]).getName().replace("_", " ")
    except (icu.ICUError, IndexError):
        return None


@lru_cache(maxsize=64)
def likely_region(hb_language: str) -> str:
    """ICU's likely region of a BCP 47 tag ("zh-Hant" -> "TW", "yue-Hant" -> "HK"), or "" when unknown."""
    import icu

    return icu.Locale.addLikelySubtags(icu.Locale(hb_language.replace("-", "_"))).getCountry()


def region_ok(face: FaceInfo, lang: Language) -> bool:
    """False for a face made for another CJK region or, for a non-CJK language, a face made for CJK or one
    whose family name names another script ("Noto Sans Telugu", "Noto Traditional Nushu", "IBM Plex Sans
    Arabic" carry Latin letters, but their metrics and style serve their own script)."""
    m = _REGION_RE.search(face.family)
    if lang.script in CJK_SCRIPTS:
        if m is None:
            return True
        # Hong Kong faces draw HK glyph forms: Traditional Chinese of Taiwan (zh-Hant's likely region) uses TC
        return _REGION_OF[m.group(1)] == lang.script and (m.group(1) != "HK" or likely_region(lang.hb_language)
                                                           in ("HK", "MO"))
    own = _script_word(lang.script)
    named = _OTHER_SCRIPT_RE.search(face.family)
    if named and named.group(1).lower() != (own or "").lower():
        return False
    return m is None and _cjk_count(face.cmap) <= LARGE_SET


def covers_language(face: FaceInfo, chars: frozenset[int] | np.ndarray) -> bool:
    """Coverage gate (see module docstring); `chars`: the code points to cover, a set or a (n,) array of distinct
    code points (:func:`build_pool` passes the array once made, the check is then vectorised)."""
    if not len(chars):
        return True
    arr = chars if isinstance(chars, np.ndarray) else np.fromiter(chars, np.int64, len(chars))
    missing = face.cmap.count_missing(arr)
    return missing == 0 or (len(chars) > LARGE_SET and missing <= (1 - MIN_LARGE_SET_FRAC) * len(chars))


@lru_cache(maxsize=64)
def _deny_re(patterns: tuple[str, ...]) -> re.Pattern | None:
    """One regular expression matching what any glob of `patterns` matches (lower case), None for no pattern."""
    return re.compile("|".join(fnmatch.translate(p.lower()) for p in patterns)) if patterns else None


def denied(face: FaceInfo, patterns: tuple[str, ...]) -> bool:
    """True when any family name of `face` matches a glob pattern of `patterns` (case-insensitive)."""
    rx = _deny_re(tuple(patterns))
    return rx is not None and any(rx.match(n.lower()) for n in face.names)


def eligible(face: FaceInfo, lang: Language, chars: frozenset[int] | np.ndarray,
             shape_check: Callable[..., bool] = shapes_well) -> bool:
    """All four gates of the module docstring; `shape_check`: :func:`synthdoc.fonts.shapecheck.shapes_well` or a
    :class:`synthdoc.fonts.shapecheck.ShapeCheckStore`'s method of the same signature."""
    return (not denied(face, lang.deny) and region_ok(face, lang) and covers_language(face, chars)
            and shape_check(face.path, face.index, face.coords, lang.script, lang.hb_script, lang.hb_language))


def listed_roles(lang: Language) -> dict[str, str]:
    """Lower-case family name -> role for the families fonts.yaml lists for `lang` (first listing wins)."""
    out: dict[str, str] = {}
    for role, families in lang.fonts.items():
        for fam in families:
            out.setdefault(fam.lower(), role)
    return out


def role_of(face: FaceInfo, listed: dict[str, str]) -> str:
    """fonts.yaml role if the family is listed (the "bold" role counts as the face's own role), else the
    face's role from Google Fonts metadata or its own data, else "sans"."""
    for n in face.names:
        r = listed.get(n.lower())
        if r and r != "bold":
            return r
    return face.role or "sans"


def build_pool(faces: list[FaceInfo], lang: Language,
               shape_check: Callable[..., bool] = shapes_well) -> dict[str, list[FaceInfo]]:
    """Role -> eligible faces of `faces` for `lang`, each list sorted by (family, style, key); `shape_check` as
    for :func:`eligible`.

    Returns:
        {"serif"|"sans"|"mono"|"display"|"handwriting": upright non-bold faces, "bold": bold upright faces,
        "italic": italic faces}; roles without faces are absent.
    """
    chars = exemplar_chars(lang.hb_language)
    if lang.fallback:  # the fallback face draws digits and Latin
        chars = frozenset(c for c in chars if not 0x30 <= c <= 0x39)
    chars = np.array(sorted(chars), np.int64)  # one array for every face's vectorised coverage check
    listed = listed_roles(lang)
    out: dict[str, list[FaceInfo]] = {}
    for face in faces:
        if not eligible(face, lang, chars, shape_check):
            continue
        role = role_of(face, listed)
        slanted = face.italic or any(w in face.family.lower() for w in ("italic", "slanted", "oblique"))
        target = "italic" if slanted else ("bold" if face.bold else role)
        if target in BODY_ROLES and face.weight < MIN_BODY_WEIGHT:  # hairline styles: large text only
            target = "display"
        out.setdefault(target, []).append(face)
    return {r: sorted(v, key=lambda f: (f.family, f.style, f.key)) for r, v in out.items()}
