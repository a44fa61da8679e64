"""Loaded font faces: a HarfBuzz font for shaping and a FreeType face for rasterising, per face.

Vertical metrics used for boxes ("the ascender/descender band"): HarfBuzz font extents for horizontal
text, i.e. hhea ascender/descender (OS/2 winAscent/winDescent where HarfBuzz prefers them); for vertical
text the band is one em wide, centred on the column axis.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import freetype
import uharfbuzz as hb

from synthdoc.fonts.catalogue import FaceInfo


@dataclass
class LoadedFace:
    """A face ready for shaping and rasterising.

    Attributes:
        info: catalogue entry (path, index, family, style, cmap).
        hb_font: HarfBuzz font at scale = units per em (positions in font units).
        ft_face: FreeType face (size set by the glyph cache).
        upem: units per em.
        ascender_em, descender_em: hhea ascender (> 0) and descender (< 0), in em.
    """

    info: FaceInfo
    hb_font: hb.Font
    ft_face: freetype.Face
    upem: int
    ascender_em: float
    descender_em: float
    current_size_px: int = field(default=0)

    @property
    def key(self) -> str:
        return self.info.key


def load_face(info: FaceInfo) -> LoadedFace:
    """Open `info` with HarfBuzz and FreeType.

    Raises:
        OSError / freetype.FT_Exception: the file cannot be read by FreeType.
    """
    blob = hb.Blob.from_file_path(info.path)
    hb_face = hb.Face(blob, info.index)
    font = hb.Font(hb_face)
    ext = font.get_font_extents("ltr")
    upem = hb_face.upem
    ft_face = freetype.Face(info.path, index=info.index)
    asc, desc = ext.ascender / upem, ext.descender / upem
    if asc <= 0 or desc >= 0:  # broken metrics: fall back to a conventional band
        asc, desc = 0.9, -0.25
    return LoadedFace(info=info, hb_font=font, ft_face=ft_face, upem=upem, ascender_em=asc, descender_em=desc)


class FaceCache:
    """Per-process cache of loaded faces, keyed by ``FaceInfo.key`` (owned by a render context, not global)."""

    def __init__(self) -> None:
        self._faces: dict[str, LoadedFace] = {}

    def get(self, info: FaceInfo) -> LoadedFace:
        face = self._faces.get(info.key)
        if face is None:
            face = load_face(info)
            self._faces[info.key] = face
        return face
