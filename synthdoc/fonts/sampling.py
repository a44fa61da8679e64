"""Drawing a face from a role's pool so that families, not faces, are equally likely.

A family with 30 weights must not crowd out one with a single Regular: :func:`sample_face` draws a family
uniformly, then a style within it, then — for a variable face — with probability
:data:`synthdoc.fonts.variable.P_DRAW` axis coordinates within the body ranges (the named instance otherwise).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from synthdoc.fonts.faceinfo import FaceInfo
from synthdoc.fonts.synthetic import split_key, synthetic_face
from synthdoc.fonts.variable import P_DRAW, coords_label, draw_coords, parse_coords_label


def families_of(faces: Sequence[FaceInfo]) -> dict[str, list[FaceInfo]]:
    """Family name -> its faces, in first-seen order of `faces` (deterministic for a sorted pool)."""
    out: dict[str, list[FaceInfo]] = {}
    for f in faces:
        out.setdefault(f.family, []).append(f)
    return out


def with_coords(face: FaceInfo, coords: tuple[tuple[str, float], ...]) -> FaceInfo:
    """`face` at axis coordinates `coords`; the style label records them ("Regular @wght=450,wdth=95"), so
    meta's "Family Style" and the face key replay the instance."""
    weight = int(dict(coords).get("wght", face.weight))
    base = face.style.split(" @", 1)[0]
    return replace(face, coords=coords, weight=weight, style=f"{base} @{coords_label(coords)}")


def with_drawn_coords(rng: np.random.Generator, face: FaceInfo) -> FaceInfo:
    """`face` at axis coordinates drawn by :func:`synthdoc.fonts.variable.draw_coords` (see :func:`with_coords`)."""
    return with_coords(face, draw_coords(rng, face.axes, face.coords))


PT_PER_INCH = 72.0


def at_size(face: FaceInfo, size_px: float, dpi: float) -> FaceInfo:
    """`face` with its optical-size axis (``opsz``, in points) set to the text's size, ``size_px * 72 / dpi`` pt,
    clipped to the axis range; `face` itself when it has no opsz axis (or already sits at that size)."""
    axis = next((a for a in face.axes if a[0] == "opsz"), None)
    if axis is None:
        return face
    size_pt = float(np.clip(round(size_px * PT_PER_INCH / dpi, 1), axis[1], axis[3]))
    coords = dict(face.coords)
    if coords.get("opsz") == size_pt:
        return face
    coords["opsz"] = size_pt
    return with_coords(face, tuple((t, float(coords.get(t, d))) for t, _, d, _ in face.axes))


def face_for_key(key: str, faces: Sequence[FaceInfo]) -> FaceInfo | None:
    """The face of `faces` whose :attr:`FaceInfo.key` is `key`, or, for a key "path#index@coords" of drawn axis
    coordinates (:func:`with_drawn_coords`), that variable face at those coordinates, or, for a key ending in
    "!bold" / "!oblique" / "!bold+oblique", that face in the synthetic style (:mod:`synthdoc.fonts.synthetic`);
    None when none matches.

    Raises:
        ValueError: the coordinates part of `key` is not a coordinate label.
    """
    base_key, kind = split_key(key)
    if kind:
        face = face_for_key(base_key, faces)
        return synthetic_face(face, kind) if face is not None else None
    for face in faces:
        if face.key == key:
            return face
    base, sep, label = key.partition("@")
    if not sep:
        return None
    for face in faces:
        if face.axes and f"{face.path}#{face.index}" == base:
            return with_coords(face, parse_coords_label(label))
    return None


def sample_face(rng: np.random.Generator, faces: Sequence[FaceInfo]) -> FaceInfo:
    """A face of `faces`: family uniformly, then a style of that family uniformly, then (variable faces only)
    maybe drawn axis coordinates. Draws 2 integers, plus 1 float and one integer per drawn axis for a
    variable face.

    Raises:
        IndexError: `faces` is empty.
    """
    fams = families_of(faces)
    if not fams:
        raise IndexError("no faces to sample from")
    styles = list(fams.values())[int(rng.integers(len(fams)))]
    face = styles[int(rng.integers(len(styles)))]
    if face.axes and rng.random() < P_DRAW:
        face = with_drawn_coords(rng, face)
    return face
