"""Loaded font faces: a HarfBuzz font for shaping and a FreeType face for rasterising, per face.

Vertical metrics used for boxes ("the ascender/descender band"): HarfBuzz font extents for horizontal
text, i.e. hhea ascender/descender (OS/2 winAscent/winDescent where HarfBuzz prefers them); for vertical
text the band is one em wide, centred on the column axis.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import freetype
import uharfbuzz as hb

from synthdoc.fonts.catalogue import FaceInfo
from synthdoc.fonts.synthetic import synthetic_params
from synthdoc.fonts.variable import apply_coords


@dataclass
class LoadedFace:
    """A face ready for shaping and rasterising.

    Attributes:
        info: catalogue entry (path, index, family, style, cmap).
        hb_font: HarfBuzz font at scale = units per em (positions in font units).
        ft_face: FreeType face (size set by the glyph cache).
        upem: units per em.
        ascender_em, descender_em: hhea ascender (> 0) and descender (< 0), in em.
        embolden_em: synthetic emboldening strength, em (0: none; see :mod:`synthdoc.fonts.synthetic`); the
            glyph cache grows outlines by as much, HarfBuzz already did for advances and extents.
    """

    info: FaceInfo
    hb_font: hb.Font
    ft_face: freetype.Face
    upem: int
    ascender_em: float
    descender_em: float
    current_size_px: int = field(default=0)
    embolden_em: float = 0.0

    @property
    def key(self) -> str:
        return self.info.key


def load_face(info: FaceInfo) -> LoadedFace:
    """Open `info` with HarfBuzz and FreeType, at its variable-font coordinates (``info.coords``) if any.

    Raises:
        OSError / freetype.FT_Exception: the file cannot be read by FreeType.
    """
    blob = hb.Blob.from_file_path(info.path)
    hb_face = hb.Face(blob, info.index)
    font = hb.Font(hb_face)
    ft_face = freetype.Face(info.path, index=info.index)
    apply_coords(font, ft_face, info.axes, info.coords)  # variable instance: same coordinates in both
    embolden_em, slant = synthetic_params(info.synthetic)
    if slant:  # synthetic oblique: the same shear for HarfBuzz extents and FreeType outlines
        font.synthetic_slant = slant
        ft_face.set_transform(freetype.Matrix(0x10000, int(round(slant * 0x10000)), 0, 0x10000), freetype.Vector(0, 0))
    if embolden_em:  # synthetic bold: advances and extents grow (not in place); outlines in the glyph cache
        font.synthetic_bold = (embolden_em, embolden_em, False)
    ext = font.get_font_extents("ltr")
    upem = hb_face.upem
    asc, desc = ext.ascender / upem, ext.descender / upem
    if asc <= 0 or desc >= 0:  # broken metrics: fall back to a conventional band
        asc, desc = 0.9, -0.25
    return LoadedFace(info=info, hb_font=font, ft_face=ft_face, upem=upem, ascender_em=asc, descender_em=desc,
                      embolden_em=embolden_em)


class FaceCache:
    """Per-process LRU cache of loaded faces, keyed by ``FaceInfo.key`` (path, index and variable-font
    coordinates; owned by a render context, not global).

    Args:
        max_faces: the cache holds at most this many loaded faces; the least recently used is dropped (pages
            holding it keep their reference) and its font file unmapped. With hundreds of families sampled
            uniformly few faces recur within a few pages, while every loaded face keeps its file's touched pages
            resident (a worker grew by ~1 MB per face over a long run): the default keeps memory flat.
    """

    def __init__(self, max_faces: int = 48) -> None:
        self._faces: OrderedDict[str, LoadedFace] = OrderedDict()
        self.max_faces = max_faces

    def __len__(self) -> int:
        return len(self._faces)

    def get(self, info: FaceInfo) -> LoadedFace:
        key = info.key
        face = self._faces.get(key)
        if face is None:
            face = load_face(info)
            self._faces[key] = face
            if len(self._faces) > self.max_faces:
                self._faces.popitem(last=False)
        else:
            self._faces.move_to_end(key)
        return face
