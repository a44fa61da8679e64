"""Inline emphasis in a mode's paragraphs: draw the spans on the plan's tape, resolve their faces, record them.

A mode calls :func:`paragraph_emphasis` for a paragraph it is about to typeset and passes the result to
:func:`synthdoc.layout.typeset.typeset_horizontal` (``emphasis=``). The spans are a decision of the plan's tape
("emphasis": [[start, end, kind], ...], drawn only when the template's ``emphasis_p`` is above 0, so templates
without emphasis draw exactly what they drew before); the faces follow from the body face and the pool
(:func:`synthdoc.fonts.emphasis.emphasis_face`, no draw), so a recorded plan replays the same runs.
:func:`emphasis_fonts` lists the faces the runs used, for the page's ``fonts`` (meta and the dataset card).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from synthdoc.doc import FaceRef
from synthdoc.fonts.catalogue import FaceInfo
from synthdoc.fonts.emphasis import covers_run, draw_emphasis, emphasis_face
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.typeset import normalise_spaces
from synthdoc.render.face import LoadedFace

TAPE_NAME = "emphasis"


def kind_weights(inp: LayoutInput, weights: dict) -> dict:
    """The template's {"italic": w, "bold": w}, with the italic weight moved to bold for a language whose pool
    holds no italic face at all (CJK, Arabic, Hebrew, Thai: scripts that emphasise with weight, not slant)."""
    w = {k: float(weights.get(k, 0)) for k in ("italic", "bold")}
    if not inp.faces.get("italic"):
        w = {"italic": 0.0, "bold": w["italic"] + w["bold"]}
    return w


def _draw(rng: np.random.Generator, text: str, space_delimited: bool, params, weights: dict) -> list[list]:
    """No spans with probability 1 - ``params.emphasis_p`` (one draw), else :func:`draw_emphasis`."""
    if rng.random() >= params.emphasis_p:
        return []
    return draw_emphasis(rng, text, space_delimited, params.emphasis_runs_range, params.emphasis_words_range, weights)


def paragraph_emphasis(tape, inp: LayoutInput, params, text: str,
                       body: FaceInfo) -> list[tuple[int, int, LoadedFace]]:
    """Emphasis runs of the paragraph `text` set in `body`: (start, end, loaded face) for ``typeset_horizontal``.

    Args:
        tape: the plan's :class:`synthdoc.layout.plan.Tape` (decision "emphasis", taken only when
            ``params.emphasis_p`` > 0).
        inp: the layout input (language, pool, face cache).
        params: the template's parameters (``emphasis_p``, ``emphasis_runs_range``, ``emphasis_words_range``,
            ``emphasis_weights``; see :class:`synthdoc.layout.template.PageParams`).
        text: the paragraph as given to the typesetter.
        body: the paragraph's body face.

    Returns:
        Runs whose face maps every character of the run (a run the emphasis face cannot draw is left upright).
    """
    if getattr(params, "emphasis_p", 0.0) <= 0:
        return []
    norm = normalise_spaces(text, inp.lang.space_delimited)
    spans = tape.take(TAPE_NAME, _draw, norm, inp.lang.space_delimited, params,
                      kind_weights(inp, params.emphasis_weights))
    out = []
    for a, b, kind in spans:
        face = emphasis_face(body, inp.faces, kind)
        if covers_run(face, norm[a:b]):
            out.append((int(a), int(b), inp.face_cache.get(face)))
    return out


def used_kinds(record: Iterable) -> set[str]:
    """Kinds of the emphasis spans in a tape record ([name, value] pairs)."""
    return {span[2] for name, value in record if name == TAPE_NAME for span in value}


def emphasis_fonts(inp: LayoutInput, body: FaceInfo, record: Iterable) -> list[FaceRef]:
    """FaceRefs (uses "italic_emphasis", "bold_emphasis") of the emphasis faces a page's tape `record` used."""
    return [FaceRef.of(emphasis_face(body, inp.faces, kind), f"{kind}_emphasis") for kind in sorted(used_kinds(record))]
