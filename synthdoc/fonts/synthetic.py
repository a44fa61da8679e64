"""Synthetic styles: bold and oblique made by the renderer from a face as designed, for a family that lacks the
real bold or italic face (emphasis runs, :mod:`synthdoc.fonts.emphasis`).

A synthetic face is the designed face with :attr:`FaceInfo.synthetic` set ("bold", "oblique" or "bold+oblique");
its key ends in "!bold" etc., and its style label says so ("Regular (synthetic bold)", "Regular (synthetic bold)
@wght=400" for a variable instance), so meta names it and a plan replays it. The renderer applies the same effect to shaping and outlines (:func:`synthdoc.render.face.load_face`):

* bold: HarfBuzz ``synthetic_bold`` of :data:`EMBOLDEN_EM` per em on both axes, not in place (advances grow by as
  much; ``hb_font_get_glyph_extents`` grows the extents), and FreeType ``FT_Outline_EmboldenXY`` of the same
  strength in pixels on the outline (both keep the left and bottom edges and grow right and up);
* oblique: HarfBuzz ``synthetic_slant`` :data:`SLANT` (x += slant * y, font units, y up; extents follow) and a
  FreeType shear transform with the same matrix, applied before emboldening as HarfBuzz does.
"""
from __future__ import annotations

from dataclasses import replace

from synthdoc.fonts.faceinfo import FaceInfo

EMBOLDEN_EM = 0.03  # stroke growth, em (HarfBuzz's documented typical range is 0.01-0.05)
SLANT = 0.2  # shear x / y, about 11.3 degrees (typical italic angle 9-12 degrees)
KINDS = ("bold", "oblique", "bold+oblique")


def synthetic_face(face: FaceInfo, kind: str) -> FaceInfo:
    """`face` drawn in the synthetic style `kind` (one of :data:`KINDS`), its style label naming the effect.

    Raises:
        ValueError: `kind` is not one of :data:`KINDS`.
    """
    if kind not in KINDS:
        raise ValueError(f"synthetic style {kind!r} is not one of {', '.join(KINDS)}")
    base, at, coords = face.style.partition(" @")  # a variable instance's " @coords" label stays last
    return replace(face, synthetic=kind, style=f"{base} (synthetic {kind}){at}{coords}")


def synthetic_params(kind: str) -> tuple[float, float]:
    """(emboldening strength, em; slant, x per y) of a synthetic style ("" -> (0, 0))."""
    return (EMBOLDEN_EM if "bold" in kind else 0.0), (SLANT if "oblique" in kind else 0.0)


def split_key(key: str) -> tuple[str, str]:
    """(key of the designed face, synthetic kind) of a face key; kind "" for a key without a synthetic suffix."""
    base, bang, kind = key.rpartition("!")
    return (base, kind) if bang and kind in KINDS else (key, "")
