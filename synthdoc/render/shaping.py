"""HarfBuzz shaping of one run of text (one face, one size, one direction).

Positions follow HarfBuzz: font units scaled to pixels, y axis up (font convention). Clusters are
code-point indices into the run's text (uharfbuzz adds text as UTF-32 code points).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import uharfbuzz as hb

from synthdoc.render.face import LoadedFace


@dataclass
class ShapedRun:
    """Shaped glyphs of one run.

    Attributes:
        text: the run's text (logical order).
        gids: (G,) uint32 glyph ids; 0 means the face lacks a character (tofu).
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

    @property
    def has_tofu(self) -> bool:
        return bool((self.gids == 0).any())

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


def shape(face: LoadedFace, text: str, size_px: float, *, direction: str = "ltr", language: str | None = None,
          script: str | None = None, features: dict | None = None) -> ShapedRun:
    """Shape `text` with HarfBuzz.

    Args:
        face: loaded face.
        text: run text, logical order (NFC).
        size_px: em size in pixels.
        direction: "ltr", "rtl" or "ttb" ("ttb" applies vert/vrt2 vertical forms).
        language: BCP 47 tag (selects locl forms, e.g. "ja", "zh-Hant").
        script: ISO 15924 tag; None lets HarfBuzz guess from the text.
        features: OpenType features, e.g. {"kern": True}.

    Returns:
        ShapedRun with pixel positions (y up).
    """
    buf = hb.Buffer()
    buf.add_str(text)
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
    arr = np.fromiter((v for p in pos for v in (p.x_advance, p.y_advance, p.x_offset, p.y_offset)),
                      dtype=np.float32, count=4 * g).reshape(g, 4) * scale
    return ShapedRun(
        text=text,
        gids=np.fromiter((i.codepoint for i in infos), dtype=np.uint32, count=g),
        clusters=np.fromiter((i.cluster for i in infos), dtype=np.int32, count=g),
        x_advance=arr[:, 0], y_advance=arr[:, 1], x_offset=arr[:, 2], y_offset=arr[:, 3],
        size_px=float(size_px),
    )
