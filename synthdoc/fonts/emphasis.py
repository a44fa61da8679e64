"""Emphasis: which face sets an inline italic or bold run of a paragraph, and where the runs fall.

Documents set body text upright and emphasise a few words inside a paragraph in the italic or bold style of
the body family. :func:`emphasis_face` picks that style, in order of preference:

1. a real face of the body family from the language's pool ("italic": the italic nearest the body's weight;
   "bold": the upright bold nearest 700);
2. for a variable body face, the same face at other coordinates (``ital`` 1 or ``slnt`` at its lean up to
   -12 degrees; ``wght`` 700 within the axis range);
3. a synthetic style of the body face (:mod:`synthdoc.fonts.synthetic`: oblique by shear, bold by emboldening).

:func:`draw_emphasis` draws the spans (code-point ranges of the paragraph's normalised text, a few words each);
the typesetter shapes each span separately with its face (:func:`synthdoc.layout.typeset.typeset_horizontal`).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np

from synthdoc.fonts.faceinfo import FaceInfo
from synthdoc.fonts.sampling import with_coords
from synthdoc.fonts.synthetic import synthetic_face

KINDS = ("italic", "bold")
BOLD_WEIGHT = 700
MAX_SLANT_DEG = 12.0
CJK_CHARS_PER_WORD = 2  # a span of k "words" covers 2k characters in a script written without spaces


_WIDTH_WORDS = ("semicondensed", "condensed", "compressed", "narrow", "semiexpanded", "expanded", "extended", "wide")


def _width_word(face: FaceInfo) -> str:
    """The width named in a face's style ("condensed" for "Condensed Oblique"), "" for a normal width."""
    style = face.style.lower().replace(" ", "").replace("-", "")
    return next((w for w in _WIDTH_WORDS if w in style), "")


def _same_family(face: FaceInfo, body: FaceInfo) -> bool:
    return face.family == body.family or body.family in face.names


def _at(body: FaceInfo, **values: float) -> FaceInfo:
    """`body` (a variable face) with the axis coordinates `values` changed, others as they are."""
    coords = dict(body.coords)
    coords.update(values)
    return with_coords(body, tuple((t, float(coords.get(t, d))) for t, _, d, _ in body.axes))


def _variable_style(body: FaceInfo, kind: str) -> FaceInfo | None:
    """`body` at the coordinates of `kind` (see module docstring, 2), or None when its axes cannot make it."""
    axes = {t: (lo, hi) for t, lo, _, hi in body.axes}
    if kind == "italic":
        if "ital" in axes and axes["ital"][1] >= 1:
            return _at(body, ital=1.0)
        if "slnt" in axes and axes["slnt"][0] < 0:
            return _at(body, slnt=max(axes["slnt"][0], -MAX_SLANT_DEG))
        return None
    if "wght" in axes and axes["wght"][1] >= 600 and body.weight < 600:
        return _at(body, wght=float(min(BOLD_WEIGHT, axes["wght"][1])))
    return None


def emphasis_face(body: FaceInfo, pool: Mapping[str, Sequence[FaceInfo]], kind: str) -> FaceInfo:
    """The face of an emphasis run of `kind` ("italic" or "bold") in a paragraph whose body face is `body`.

    Draws nothing: a pure function of the body face and the pool (role -> faces, as
    :meth:`synthdoc.fonts.catalogue.FontCatalogue.faces_for` gives it).

    Raises:
        ValueError: `kind` is not "italic" or "bold".
    """
    if kind == "italic":
        same = [f for f in pool.get("italic", ()) if _same_family(f, body)]
        target = body.weight
    elif kind == "bold":
        same = [f for f in pool.get("bold", ()) if _same_family(f, body) and not f.italic]
        target = BOLD_WEIGHT
    else:
        raise ValueError(f"emphasis kind {kind!r} is not one of {', '.join(KINDS)}")
    if same:  # nearest weight, then the body's width (Condensed, ...); first of the sorted pool on ties
        return min(same, key=lambda f: (abs(f.weight - target), _width_word(f) != _width_word(body)))
    return _variable_style(body, kind) or synthetic_face(body, "oblique" if kind == "italic" else "bold")


def covers_run(face: FaceInfo, text: str) -> bool:
    """True when `face`'s own cmap (not a fallback's) has every non-space character of `text`."""
    return all(ord(c) in face.cmap or c.isspace() for c in text)


def _tokens(text: str, space_delimited: bool) -> list[tuple[int, int]]:
    """(start, end) of the spans an emphasis run is made of: space-separated tokens, or single letters (CJK)."""
    if not space_delimited:
        return [(i, i + 1) for i, c in enumerate(text) if unicodedata.category(c)[0] in "LN"]
    out, start = [], None
    for i, c in enumerate(text + " "):
        if c.isspace():
            if start is not None:
                out.append((start, i))
            start = None
        elif start is None:
            start = i
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """text[a:b] without leading and trailing punctuation (a comma after an emphasised word stays upright)."""
    while a < b and unicodedata.category(text[a])[0] in "PS":
        a += 1
    while b > a and unicodedata.category(text[b - 1])[0] in "PS":
        b -= 1
    return a, b


def draw_emphasis(rng: np.random.Generator, text: str, space_delimited: bool, runs_range: Sequence[float],
                  words_range: Sequence[float], kind_weights: Mapping[str, float]) -> list[list]:
    """Emphasis spans of one paragraph.

    Args:
        rng: the page's generator.
        text: the paragraph as the typesetter sees it (:func:`synthdoc.layout.typeset.normalise_spaces`).
        space_delimited: the language separates words by spaces (else a "word" is
            :data:`CJK_CHARS_PER_WORD` letters).
        runs_range: [low, high] number of runs (integers, drawn uniformly).
        words_range: [low, high] words per run (integers, drawn uniformly).
        kind_weights: {"italic": w, "bold": w} relative weights of the styles (kinds with weight 0 never drawn).

    Returns:
        [[start, end, kind], ...]: code-point ranges of `text` in increasing order, not overlapping, each
        starting and ending on a letter (punctuation at the ends stays upright); empty when the text has no words.
        Draws 1 integer for the run count, then 3 per run (length, position, kind).
    """
    tokens = _tokens(text, space_delimited)
    per_word = 1 if space_delimited else CJK_CHARS_PER_WORD
    n_runs = int(rng.integers(int(runs_range[0]), int(runs_range[1]) + 1))
    kinds = [k for k in KINDS if kind_weights.get(k, 0) > 0]
    weights = np.array([float(kind_weights[k]) for k in kinds])
    taken = np.zeros(len(tokens) + 1, bool)
    out = []
    for _ in range(n_runs):
        k = int(rng.integers(int(words_range[0]), int(words_range[1]) + 1)) * per_word
        pos = int(rng.integers(max(1, len(tokens) - k + 1)))
        kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))] if kinds else ""
        k = min(k, len(tokens) - pos)
        if k <= 0 or not kind or taken[max(0, pos - 1):pos + k + 1].any():
            continue  # overlapping or touching an earlier run: dropped (runs stay separate)
        a, b = _trim(text, tokens[pos][0], tokens[pos + k - 1][1])
        if a < b:
            taken[pos:pos + k] = True
            out.append([a, b, kind])
    return sorted(out)
