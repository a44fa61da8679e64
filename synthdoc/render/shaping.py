"""HarfBuzz shaping of one run of text (one face, one size, one direction, one script).

Positions follow HarfBuzz: font units scaled to pixels, y axis up (font convention). Clusters are
code-point indices into the text given (uharfbuzz adds text as UTF-32 code points); a run may be an item
text[start:end] shaped with the rest of the text as context (``hb_buffer_add_utf32`` pre- and post-context),
so Arabic joining and other contextual forms see their neighbours across run boundaries. Glyphs come out in
visual order: for a right-to-left run the first glyph belongs to the last cluster. HarfBuzz does no bidi
reordering and no font fallback: see :mod:`synthdoc.render.itemize`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import uharfbuzz as hb

from synthdoc.render.face import LoadedFace

_UNSAFE_TO_BREAK = hb.GlyphFlags.UNSAFE_TO_BREAK


@dataclass
class ShapedRun:
    """Shaped glyphs of one run.

    Attributes:
        text: the text the run was cut from (logical order); the run is text[start:end].
        gids: (G,) uint32 glyph ids in visual order; 0 means the face lacks a character (tofu).
        clusters: (G,) int32 code-point index in `text` of each glyph's cluster.
        x_advance, y_advance, x_offset, y_offset: (G,) float32 pixels, y up.
        size_px: font size (em) in pixels.
    """

    text: str
    gids: np.ndarray
    clusters: np.ndarray
    x_advance: np.ndarray
    y_advance: np.ndarray
    x_offset: np.ndarray
    y_offset: np.ndarray
    size_px: float
    start: int = 0
    end: int | None = None
    infos: Any = field(default=None, repr=False)  # HarfBuzz glyph infos (glyph flags), None for a subset

    @property
    def has_tofu(self) -> bool:
        return bool((self.gids == 0).any())

    def safe_to_break(self, index: int) -> bool:
        """True when text[start:index] and text[index:end] shaped apart give the same glyphs as this run cut at
        code point `index` (a cluster start, and HarfBuzz's UNSAFE_TO_BREAK flag unset on its glyphs)."""
        hits = np.flatnonzero(self.clusters == index)
        if not len(hits) or self.infos is None:
            return False
        return not any(self.infos[k].flags & _UNSAFE_TO_BREAK for k in hits.tolist())

    def subset(self, keep: np.ndarray) -> ShapedRun:
        """The glyphs selected by boolean (G,) `keep`, in the same (visual) order."""
        return ShapedRun(self.text, self.gids[keep], self.clusters[keep], self.x_advance[keep], self.y_advance[keep],
                         self.x_offset[keep], self.y_offset[keep], self.size_px, self.start, self.end)

    def char_advances(self, vertical: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Per-character advance and cluster-start mask.

        Returns:
            advances: (len(text),) float32 px, each glyph's advance credited to the first character of its cluster
                (|y_advance| when `vertical`).
            cluster_start: (len(text),) bool, True where a cluster begins (the only legal break/box boundaries).
        """
        n = len(self.text)
        adv = np.zeros(n, dtype=np.float32)
        a = np.abs(self.y_advance) if vertical else self.x_advance
        np.add.at(adv, self.clusters, a)
        start = np.zeros(n, dtype=bool)
        start[np.unique(self.clusters)] = True
        if n:
            start[0] = True
        return adv, start


# Memo of font data (font files do not change while loaded): face key -> ((glyphs, 4) font units, (glyphs,) known).
_EXTENTS: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def ink_extents(face: LoadedFace, gids: np.ndarray, size_px: float) -> np.ndarray:
    """Outline bounding boxes of glyphs (HarfBuzz ``hb_font_get_glyph_extents``), relative to each glyph's origin.

    Args:
        face: loaded face.
        gids: (G,) glyph ids.
        size_px: em size in pixels.

    Returns:
        (G, 4) float32 pixels [x_min, x_max, y_min, y_max], y up (font convention); all zero for an empty glyph.
        Extents are memoised per face key (font files do not change while loaded).
    """
    memo = _EXTENTS.get(face.key)
    if memo is None:
        n = face.hb_font.face.glyph_count
        memo = _EXTENTS[face.key] = (np.zeros((n, 4), np.float32), np.zeros(n, bool))
    table, known = memo
    gids = np.asarray(gids, dtype=np.int64)
    missing = gids[~known[gids]]
    for gid in (np.unique(missing).tolist() if len(missing) else ()):
        ext = face.hb_font.get_glyph_extents(gid)
        if ext is not None:
            table[gid] = (ext.x_bearing, ext.x_bearing + ext.width, ext.y_bearing + ext.height, ext.y_bearing)
        known[gid] = True
    return table[gids] * np.float32(size_px / face.upem)


def shape(face: LoadedFace, text: str, size_px: float, *, direction: str = "ltr", language: str | None = None,
          script: str | None = None, features: dict | None = None, start: int = 0, end: int | None = None) -> ShapedRun:
    """Shape `text` (or the item text[start:end], the rest being context) with HarfBuzz.

    Args:
        face: loaded face.
        text: text, logical order (NFC).
        size_px: em size in pixels.
        direction: "ltr", "rtl" or "ttb" ("ttb" applies vert/vrt2 vertical forms); the item must be one
            directional run of the bidi algorithm.
        language: BCP 47 tag (selects language systems and locl forms, e.g. "ja", "zh-Hant", "fa").
        script: ISO 15924 tag ("Arab", "Deva"); None lets HarfBuzz guess from the item.
        features: OpenType features, e.g. {"kern": True}.
        start, end: the item to shape, code-point indices into `text` (default: all of it).

    Returns:
        ShapedRun with pixel positions (y up); clusters index `text`.
    """
    stop = len(text) if end is None else end
    buf = hb.Buffer()
    buf.add_str(text, start, stop - start)
    buf.guess_segment_properties()
    buf.direction = direction
    if script:
        buf.script = script
    if language:
        buf.language = language
    hb.shape(face.hb_font, buf, features or {})
    infos = buf.glyph_infos
    pos = buf.glyph_positions
    scale = size_px / face.upem
    g = len(infos)
    # GlyphPosition.position is (x_offset, y_offset, x_advance, y_advance)
    arr = np.array([p.position for p in pos], dtype=np.float32).reshape(g, 4) * scale
    return ShapedRun(
        text=text,
        gids=np.fromiter((i.codepoint for i in infos), dtype=np.uint32, count=g),
        clusters=np.fromiter((i.cluster for i in infos), dtype=np.int32, count=g),
        x_advance=arr[:, 2], y_advance=arr[:, 3], x_offset=arr[:, 0], y_offset=arr[:, 1],
        size_px=float(size_px), start=start, end=stop, infos=infos,
    )
