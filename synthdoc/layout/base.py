"""What every layout mode receives: the language, its faces, a text sampler and the sample's counters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from synthdoc.doc import FaceRef
from synthdoc.errors import SampleError
from synthdoc.fonts.catalogue import FaceInfo
from synthdoc.fonts.sampling import at_size, face_for_key, sample_face
from synthdoc.languages import Language
from synthdoc.layout.template import sample_page_px, sample_range, sample_weighted
from synthdoc.layout.typeset import TextStyle, TofuError, typeset_horizontal
from synthdoc.render.face import FaceCache
from synthdoc.stats import SampleStats
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
        stats: this sample's counters; the layout counts text skipped because the chosen face lacks a character
            (the pipeline gives every sample its own, see :meth:`synthdoc.pipeline.SampleFactory.layout_page`).
    """

    lang: Language
    faces: dict[str, list[FaceInfo]]
    face_cache: FaceCache
    sampler: TextSampler
    stats: SampleStats = field(default_factory=SampleStats)

    def face(self, key: str) -> FaceInfo:
        """The installed face with :attr:`FaceInfo.key` `key` (faces are recorded in plans by key).

        Raises:
            KeyError: no face of this language has that key.
        """
        for faces in self.faces.values():
            face = face_for_key(key, faces)  # also a variable face at the axis coordinates the plan drew
            if face is not None:
                return face
        raise KeyError(f"no face {key!r} for {self.lang.code}")

    def style(self, face: FaceInfo, size_px: int, color: tuple[int, int, int], dpi: float | None = None) -> TextStyle:
        """TextStyle for `face` at `size_px` with this language's HarfBuzz tags, paragraph direction and the
        face's fallback (:class:`synthdoc.fonts.catalogue.FallbackFaceInfo`), if any. With `dpi`, a variable face
        with an optical-size axis is set at the text's size in points (:func:`synthdoc.fonts.sampling.at_size`)."""
        if dpi:
            face = at_size(face, size_px, dpi)
        fallback = getattr(face, "fallback", None)
        return TextStyle(self.face_cache.get(face), int(size_px), color, self.lang.hb_language,
                         self.lang.hb_script, self.lang.space_delimited, direction=self.lang.base_direction,
                         fallback=self.face_cache.get(fallback) if fallback is not None else None,
                         min_band_em=self.lang.min_line_band_em)

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

    def title_face(self, rng: np.random.Generator, bold: FaceInfo, text: str | None, display_p: float,
                   handwriting_p: float, fits: Callable[[FaceInfo], bool] | None = None) -> FaceInfo:
        """The face of a title (large text only): with probability `display_p` an upright display face, with
        `handwriting_p` a handwriting face (family uniformly, :func:`synthdoc.fonts.sampling.sample_face`, among
        those covering `text`), else `bold`. Draws nothing when both rates are 0 or `text` is None; else one
        uniform draw, plus the face draws when a role is chosen; `bold` when no face of the role covers `text` or
        the drawn one does not pass `fits` (e.g. :func:`title_fits`: a wide display face would cut the title)."""
        if text is None or display_p + handwriting_p <= 0:
            return bold
        u = rng.random()
        role = "display" if u < display_p else ("handwriting" if u < display_p + handwriting_p else "")
        faces = [f for f in self.faces.get(role, []) if not f.italic and f.covers(text)] if role else []
        face = sample_face(rng, faces) if faces else bold
        return face if face is bold or fits is None or fits(face) else bold

    def count_skip(self) -> None:
        """Count one piece of text skipped because the chosen face lacks a character (``stats``)."""
        self.stats.skipped_for_coverage += 1

    def covered_paragraphs(self, start: int, face: FaceInfo) -> Iterator[str]:
        """Contiguous corpus paragraphs from flat index `start` (drawn with ``sampler.start_index(rng)`` by a
        sampling step) that `face` covers; others are skipped and counted. Draws nothing.

        Raises:
            SampleError: more than MAX_COVERAGE_SKIPS consecutive paragraphs are not covered.
        """
        flat = self.sampler.flat_paragraphs
        for index in self.covered_indices(start, face):
            yield flat[index]

    def covered_indices(self, start: int, face: FaceInfo) -> Iterator[int]:
        """Flat corpus indices of :meth:`covered_paragraphs` (from `start` on, wrapping around)."""
        skips = 0
        flat = self.sampler.flat_paragraphs
        index = start
        while True:
            text = flat[index % len(flat)]
            index += 1
            if face.covers(text):
                skips = 0
                yield (index - 1) % len(flat)
            else:
                self.count_skip()
                skips += 1
                if skips > MAX_COVERAGE_SKIPS:
                    raise SampleError(f"{face.family} covers none of {skips} consecutive paragraphs")


def title_fits(inp: LayoutInput, text: str, size_px: int, width_px: float, dpi: float | None,
               max_lines: int = 2) -> Callable[[FaceInfo], bool]:
    """A test for :meth:`LayoutInput.title_face`: does `text` set in a face at `size_px` fit `width_px` in at most
    `max_lines` lines (whole, and without tofu)?"""
    def fits(face: FaceInfo) -> bool:
        try:
            lines = typeset_horizontal(text, inp.style(face, size_px, (0, 0, 0), dpi), width_px,
                                       max_lines=max_lines + 1)
        except TofuError:
            return False
        return 0 < len(lines) <= max_lines

    return fits


# ---------------------------------------------------------------------------------------------- shared draws
# Draw functions that sampling steps call directly and placing steps hand to their plan's tape
# (synthdoc.layout.plan.Tape.take(name, draw, *args) calls draw(rng, *args)).


def coin(rng: np.random.Generator, p: float) -> bool:
    """True with probability `p` (one uniform draw)."""
    return bool(rng.random() < p)


def title_text(rng: np.random.Generator, inp: LayoutInput, max_words: int = 8, max_chars: int = 20) -> str:
    """A short title-like text from the corpus (:meth:`TextSampler.title` for the language's spacing)."""
    return inp.sampler.title(rng, max_words=max_words, max_chars=max_chars, space_delimited=inp.lang.space_delimited)


def sample_paper(rng: np.random.Generator, p) -> tuple[str, int, int, float]:
    """Paper size (by weight, at the template's dpi) and margin of a paper-page mode.

    Returns:
        (size name, width px, height px, margin px = ``margin_frac_range`` draw x width).
    """
    size_name, W, H = sample_page_px(rng, p.page_sizes_mm, p.page_size_weights, p.dpi)
    return size_name, W, H, sample_range(rng, p.margin_frac_range) * W


def paper_fonts(inp: LayoutInput, body_key: str, bold_key: str) -> list[FaceRef]:
    """The body and bold faces of a paper page (keys as in plans) as FaceRefs."""
    return [FaceRef.of(inp.face(body_key), "body"), FaceRef.of(inp.face(bold_key), "bold")]


def fonts_record(fonts: list[FaceRef]) -> dict[str, str]:
    """Meta record of a page's faces: {use: "Family Style"}."""
    return {f.use: f.name for f in fonts}


def text_start(rng: np.random.Generator, inp: LayoutInput) -> int:
    """Flat corpus index where a run of paragraphs starts (:meth:`TextSampler.start_index`: one integer draw)."""
    return inp.sampler.start_index(rng)


def covered_run(tape, name: str, inp: LayoutInput, face: FaceInfo) -> Iterator[str]:
    """:meth:`LayoutInput.covered_paragraphs` whose start is taken from `tape` (a
    :class:`synthdoc.layout.plan.Tape`) as decision `name` on the first ``next()``, not before: the order of
    draws earlier releases had."""
    yield from inp.covered_paragraphs(tape.take(name, text_start, inp), face)


class CorpusRun:
    """Covered corpus paragraphs for draw functions: the start is drawn from the generator of the first draw
    that needs a paragraph (as earlier releases drew it, on the first ``next()``); sampling only."""

    def __init__(self, inp: LayoutInput, face: FaceInfo):
        self.inp, self.face = inp, face
        self._it: Iterator[int] | None = None

    def next_index(self, rng: np.random.Generator) -> int:
        """Flat index of the next covered paragraph (text: ``inp.sampler.flat_paragraphs[index]``)."""
        if self._it is None:
            self._it = self.inp.covered_indices(self.inp.sampler.start_index(rng), self.face)
        return next(self._it)

    def texts(self, rng: np.random.Generator) -> Iterator[str]:
        """The paragraphs from here on (an endless iterator drawing the start like :meth:`next_index`)."""
        flat = self.inp.sampler.flat_paragraphs
        while True:
            yield flat[self.next_index(rng)]
