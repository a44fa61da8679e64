"""What every layout mode receives: the language, its faces, a text sampler and run counters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from synthdoc.errors import SampleError
from synthdoc.fonts.catalogue import FaceInfo
from synthdoc.fonts.sampling import sample_face
from synthdoc.languages import Language
from synthdoc.layout.template import sample_range, sample_weighted
from synthdoc.layout.typeset import TextStyle
from synthdoc.render.face import FaceCache
from synthdoc.text.sampler import TextSampler

MAX_COVERAGE_SKIPS = 200


@dataclass
class LayoutInput:
    """Inputs of a layout mode for one language.

    Attributes:
        lang: the language.
        faces: role -> installed faces (FontCatalogue.faces_for).
        face_cache: loaded faces of this process.
        sampler: corpus sampler for the language.
        stats: counters the layout increments ("skipped_for_coverage": paragraphs skipped because the chosen
            face lacks a character).
    """

    lang: Language
    faces: dict[str, list[FaceInfo]]
    face_cache: FaceCache
    sampler: TextSampler
    stats: dict = field(default_factory=dict)

    def style(self, face: FaceInfo, size_px: int, color: tuple[int, int, int]) -> TextStyle:
        """TextStyle for `face` at `size_px` with this language's HarfBuzz tags, paragraph direction and the
        face's fallback (:class:`synthdoc.fonts.catalogue.FallbackFaceInfo`), if any."""
        fallback = getattr(face, "fallback", None)
        return TextStyle(self.face_cache.get(face), int(size_px), color, self.lang.hb_language,
                         self.lang.hb_script, self.lang.space_delimited, direction=self.lang.base_direction,
                         fallback=self.face_cache.get(fallback) if fallback is not None else None)

    @property
    def rtl(self) -> bool:
        """The language's paragraphs run right to left: layouts mirror their frames (see place_horizontal)."""
        return self.lang.base_direction == "rtl"

    def mirror_px(self, page_width: int) -> float | None:
        """`mirror_px` argument for :func:`synthdoc.layout.typeset.place_horizontal`: the page width for a
        right-to-left language (the layout's logical frame is mirrored onto the page), else None."""
        return float(page_width) if self.rtl else None

    def pick_face(self, rng: np.random.Generator, role_weights: dict[str, float]) -> tuple[str, FaceInfo]:
        """Draw a role among those with installed faces (by weight), then a face of that role."""
        avail = {r: w for r, w in role_weights.items() if self.faces.get(r) and w > 0}
        if not avail:
            avail = {r: 1.0 for r, v in self.faces.items() if v and r != "bold"} or {"bold": 1.0}
        role = sample_weighted(rng, avail)
        return role, sample_face(rng, self.faces[role])  # family uniformly, then style (and axis coordinates)

    def bold_for(self, rng: np.random.Generator, body: FaceInfo) -> FaceInfo:
        """A bold face, preferably of the body face's family; the body face when no bold is installed."""
        bold = self.faces.get("bold") or []
        same = [f for f in bold if f.family == body.family and not f.italic]
        pool = same or [f for f in bold if not f.italic] or bold
        return pool[int(rng.integers(len(pool)))] if pool else body

    def body_faces(self, rng: np.random.Generator, size_px_range, role_weights: dict[str, float],
                   ink_gray_range) -> tuple[int, str, FaceInfo, FaceInfo, tuple[int, int, int]]:
        """The draws every paper-page mode makes for its body text, in this order: em size (px, rounded, from
        `size_px_range`), role and face (:meth:`pick_face`), bold face (:meth:`bold_for`), grey ink (from
        `ink_gray_range`, 0-255).

        Returns:
            (body_px, role, body_face, bold_face, (ink, ink, ink)).
        """
        body_px = int(round(sample_range(rng, size_px_range)))
        role, body_face = self.pick_face(rng, role_weights)
        bold_face = self.bold_for(rng, body_face)
        ink = int(sample_range(rng, ink_gray_range))
        return body_px, role, body_face, bold_face, (ink, ink, ink)

    def count_skip(self) -> None:
        """Count one piece of text skipped because the chosen face lacks a character (``stats``)."""
        self.stats["skipped_for_coverage"] = self.stats.get("skipped_for_coverage", 0) + 1

    def covered_paragraphs(self, rng: np.random.Generator, face: FaceInfo) -> Iterator[str]:
        """Contiguous corpus paragraphs that `face` covers; others are skipped and counted.

        Raises:
            SampleError: more than MAX_COVERAGE_SKIPS consecutive paragraphs are not covered.
        """
        skips = 0
        for text in self.sampler.paragraphs(rng):
            if face.covers(text):
                skips = 0
                yield text
            else:
                self.count_skip()
                skips += 1
                if skips > MAX_COVERAGE_SKIPS:
                    raise SampleError(f"{face.family} covers none of {skips} consecutive paragraphs")
