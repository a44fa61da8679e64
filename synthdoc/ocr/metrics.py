"""NED (normalised edit distance) between a label and an OCR prediction.

Both strings are normalised first (:func:`normalise`): Unicode NFKC, which also folds full-width /
half-width variants (e.g. "１２" -> "12"); then, for languages written without spaces between words
(Japanese, Chinese), all whitespace is removed — OCR engines such as Tesseract put spaces between CJK
characters — and for the others, whitespace runs collapse to one space and the ends are stripped.

NED = Levenshtein(a, b) / max(len(a), len(b)), 0.0 when both are empty; the normalisation by the longer
string keeps it in [0, 1] (as in the ICDAR 2019 ReCTS / LSVT "1 - N.E.D." metric).
"""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

#: Languages written without spaces between words: all whitespace is removed before scoring.
NOT_SPACE_DELIMITED = frozenset({"jpn_Jpan", "zho_Hans", "zho_Hant"})

_WS = re.compile(r"\s+")
_WS_ALL = re.compile(r"\s")


def normalise(text: str, lang_code: str) -> str:
    """Normalise `text` for scoring in language `lang_code` (canonical ``language_Script`` code).

    Steps: Unicode NFKC (UAX #15; folds full-width / half-width forms and compatibility characters);
    then all whitespace removed for languages in :data:`NOT_SPACE_DELIMITED`, else whitespace runs
    collapsed to one space and the ends stripped.

    Returns:
        The normalised string.
    """
    text = unicodedata.normalize("NFKC", text)
    if lang_code in NOT_SPACE_DELIMITED:
        return _WS_ALL.sub("", text)
    return _WS.sub(" ", text).strip()


def ned(label: str, prediction: str, lang_code: str) -> float:
    """Normalised edit distance between `label` and `prediction` after :func:`normalise`.

    NED = Levenshtein(a, b) / max(len(a), len(b)) (unit-cost insertions, deletions, substitutions,
    counted in code points), 0.0 when both normalised strings are empty.

    Returns:
        NED in [0, 1]: 0 = identical, 1 = nothing in common.
    """
    dist, n_label, n_pred = edit_counts(label, prediction, lang_code)
    longest = max(n_label, n_pred)
    return dist / longest if longest else 0.0


def edit_counts(label: str, prediction: str, lang_code: str) -> tuple[int, int, int]:
    """(Levenshtein distance, len(label), len(prediction)) after :func:`normalise`, in code points."""
    a, b = normalise(label, lang_code), normalise(prediction, lang_code)
    return Levenshtein.distance(a, b), len(a), len(b)


def cer(label: str, prediction: str, lang_code: str) -> float:
    """Character error rate of one line: Levenshtein(a, b) / len(a) after :func:`normalise` (a = label).

    Over many lines, report total distance / total label length instead (what :mod:`synthdoc.ocr.report`
    does). An empty label divides by 1, so CER = len(prediction) then.

    Returns:
        CER >= 0 (above 1 when the prediction is much longer than the label).
    """
    dist, n_label, _ = edit_counts(label, prediction, lang_code)
    return dist / max(1, n_label)
