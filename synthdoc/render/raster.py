"""Rasterising glyphs by glyph id with FreeType, through a size-bounded LRU cache, and compositing
them into an 8-bit coverage (alpha) mask with numpy."""
from __future__ import annotations

import ctypes
from collections import OrderedDict
from dataclasses import dataclass

import freetype
import numpy as np

from synthdoc.render.face import LoadedFace

_LOAD_FLAGS = freetype.FT_LOAD_DEFAULT | freetype.FT_LOAD_NO_BITMAP | freetype.FT_LOAD_TARGET_LIGHT
_FT_Load_Glyph = freetype.raw.FT_Load_Glyph
_FT_Render_Glyph = freetype.raw.FT_Render_Glyph


@dataclass
class GlyphBitmap:
    """A rendered glyph.

    Attributes:
        alpha: (h, w) uint8 coverage.
        left: x of the bitmap's left column relative to the glyph origin, px (x right).
        top: y of the bitmap's top row relative to the origin, px, y down (i.e. -bitmap_top).
    """

    alpha: np.ndarray
    left: int
    top: int


GLYPH_OVERHEAD_BYTES = 400  # Python objects around a cached bitmap (key tuple, GlyphBitmap, array header)


class GlyphCache:
    """LRU cache of rendered glyphs keyed by (face, size_px, glyph id, rotated), bounded by entries and bytes.

    Args:
        max_entries: the cache holds at most this many glyph bitmaps.
        max_bytes: and at most this many bytes of bitmaps (each counted as its pixels plus
            :data:`GLYPH_OVERHEAD_BYTES`): a worker's memory stays flat over a long run whatever the text sizes.
            The default, 16 MB, reaches the hit rate of an unbounded cache on the default mixture
            (``benchmarks/fonts_glyph_cache.py``, 100 pages: English 95 %, Japanese 82.5 % — 79 % at 8 MB; with
            the ~4,800 extra faces 94 % and 75 %); the misses left are first sightings of a (face, size, glyph):
            a CJK page draws a thousand glyphs of several thousand distinct characters, and with hundreds of
            families sampled uniformly most pages bring faces of their own, so no cap raises it further.
    """

    def __init__(self, max_entries: int = 30000, max_bytes: int = 16 * 1024 * 1024):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._cache: OrderedDict[tuple, GlyphBitmap] = OrderedDict()
        self.nbytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, face: LoadedFace, size_px: int, gid: int, rotated: bool = False) -> GlyphBitmap:
        """Bitmap of glyph `gid` at `size_px`; `rotated` turns it 90° clockwise (sideways text in vertical lines)."""
        key = (face.key, size_px, gid, rotated)
        bm = self._cache.get(key)
        if bm is not None:
            self.hits += 1
            self._cache.move_to_end(key)
            return bm
        self.misses += 1
        bm = _render(face, size_px, gid)
        if rotated:
            h, w = bm.alpha.shape
            # pixel (r, c) at (left + c, top + r) maps to (-(top + r), left + c) under a 90° clockwise turn.
            bm = GlyphBitmap(np.ascontiguousarray(np.rot90(bm.alpha, k=-1)), left=-(bm.top + h - 1), top=bm.left)
        self._cache[key] = bm
        self.nbytes += bm.alpha.nbytes + GLYPH_OVERHEAD_BYTES
        while len(self._cache) > 1 and (len(self._cache) > self.max_entries or self.nbytes > self.max_bytes):
            _, old = self._cache.popitem(last=False)
            self.nbytes -= old.alpha.nbytes + GLYPH_OVERHEAD_BYTES
        return bm

    def get_run(self, face: LoadedFace, size_px: int, gids: list[int], rotated: bool = False) -> list[GlyphBitmap]:
        """:meth:`get` of every glyph id of a run (`gids`: glyph ids of `face` at `size_px` px, in drawing order):
        one :class:`GlyphBitmap` per id, in order. Each distinct glyph is looked up once (a repeat within the run
        counts as a hit, as it would be one)."""
        bitmaps = dict.fromkeys(gids)
        for gid in bitmaps:
            bitmaps[gid] = self.get(face, size_px, gid, rotated)
        self.hits += len(gids) - len(bitmaps)
        return [bitmaps[gid] for gid in gids]


def _render(face: LoadedFace, size_px: int, gid: int) -> GlyphBitmap:
    """Load and render glyph `gid` through FreeType's C functions (freetype.raw; the freetype-py wrapper objects
    cost more than the rendering of a small glyph).

    Raises:
        freetype.FT_Exception: FreeType cannot load or render the glyph.
    """
    ft = face.ft_face
    if face.current_size_px != size_px:
        ft.set_pixel_sizes(0, size_px)
        face.current_size_px = size_px
    error = _FT_Load_Glyph(ft._FT_Face, gid, _LOAD_FLAGS)
    if error:
        raise freetype.FT_Exception(error)
    slot_p = ft._FT_Face.contents.glyph
    slot = slot_p.contents
    if face.embolden_em:  # synthetic bold (synthdoc.fonts.synthetic): FT_Outline_EmboldenXY, strength in 26.6 px
        strength = int(round(face.embolden_em * size_px * 64))
        freetype.raw.FT_Outline_EmboldenXY(ctypes.byref(slot.outline), strength, strength)
    error = _FT_Render_Glyph(slot_p, freetype.FT_RENDER_MODE_NORMAL)
    if error:
        raise freetype.FT_Exception(error)
    bmp = slot.bitmap
    rows, width, pitch = bmp.rows, bmp.width, abs(bmp.pitch)
    if rows == 0 or width == 0:
        return GlyphBitmap(np.zeros((0, 0), np.uint8), 0, 0)
    arr = np.empty((rows, pitch), np.uint8)
    ctypes.memmove(arr.ctypes.data, bmp.buffer, rows * pitch)
    return GlyphBitmap(np.ascontiguousarray(arr[:, :width]) if pitch != width else arr,
                       left=slot.bitmap_left, top=-slot.bitmap_top)


def draw_glyph(mask: np.ndarray, bm: GlyphBitmap, x: float, y: float) -> None:
    """Max-composite `bm` into `mask` ((H, W) uint8) with the glyph origin at page pixel (x, y), clipped."""
    h, w = bm.alpha.shape
    if h == 0:
        return
    x0 = int(round(x)) + bm.left
    y0 = int(round(y)) + bm.top
    H, W = mask.shape
    cx0, cy0 = max(x0, 0), max(y0, 0)
    cx1, cy1 = min(x0 + w, W), min(y0 + h, H)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    dst = mask[cy0:cy1, cx0:cx1]
    np.maximum(dst, bm.alpha[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0], out=dst)
