"""Document model: Page -> Paragraph -> Line -> Word, the relation graph and the invariants check.

Geometry follows synthdoc.types: quads (4, 2) float32 in page pixels, vertex 0 the top-left of the text's
own frame, clockwise. Reading order is the order of ``Page.paragraphs`` and of the lines and words inside
them; the relation graph makes it explicit with flat indices.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthdoc.types import Quad

TOLERANCE_PX = 1.0
ROLES = ("title", "heading", "body", "list_item", "caption", "table_cell", "toc_entry", "header", "footer",
         "footnote", "slide_title", "quote")


class InvariantError(ValueError):
    """A page breaks a document-model invariant (see :func:`check`)."""


@dataclass
class Word:
    """A word (or, in scripts without spaces, a run of one character class) as drawn.

    Attributes:
        text: NFC text in logical order.
        quad: (4, 2) float32 page pixels.
        ignore: "don't care" for training (e.g. toc dot leaders when the template asks for it).
        chars: grapheme clusters as drawn, in logical order, each (text, u0, u1, v0, v1) in the word's unit
            frame (see synthdoc.render.chars): a list, or a deferred computation (``.get()``) run on first use
            (:meth:`char_spans`); None when the renderer did not track them.
    """

    text: str
    quad: Quad
    ignore: bool = False
    chars: Any = None

    def char_spans(self) -> list[tuple[str, float, float, float, float]] | None:
        """:attr:`chars` as a list (computed now when deferred), or None."""
        return self.chars.get() if hasattr(self.chars, "get") else self.chars

    def char_quads(self) -> np.ndarray:
        """(N, 4, 2) float32 page-pixel quads of :attr:`chars` (they follow :attr:`quad`); (0, 4, 2) without."""
        from synthdoc.render.chars import char_quads

        return char_quads(self.quad, self.char_spans() or [])


@dataclass
class Line:
    """One line (horizontal) or column (vertical) of text.

    Attributes:
        words: words in reading order.
        quad: (4, 2) float32 page pixels, enclosing every word quad.
        direction: "ltr", "rtl" or "ttb".
        separator: " " between words of space-delimited scripts, "" otherwise.
    """

    words: list[Word]
    quad: Quad
    direction: str = "ltr"
    separator: str = " "

    @property
    def text(self) -> str:
        return self.separator.join(w.text for w in self.words)


@dataclass
class Paragraph:
    """A block of lines with a role (title, heading, body, ...), an optional level (headings, list items) and,
    for table cells, the cell's (row, column, row span, column span)."""

    lines: list[Line]
    quad: Quad
    role: str = "body"
    level: int = 0
    cell: tuple[int, int, int, int] | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class GlyphRun:
    """Drawing instructions for glyphs of one face and size (not written to the dataset).

    Attributes:
        face: a :class:`synthdoc.render.face.LoadedFace`.
        size_px: em size in pixels.
        gids: (G,) uint32 glyph ids (never 0).
        origins: (G, 2) float32 glyph origins, page pixels (y down).
        rotated: glyphs turned 90° clockwise (sideways runs in vertical text).
        color: RGB ink colour (0-255).
    """

    face: Any
    size_px: int
    gids: np.ndarray
    origins: np.ndarray
    rotated: bool = False
    color: tuple[int, int, int] = (0, 0, 0)
    angle_deg: float = 0.0
    pivot: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class FaceRef:
    """A face a page drew with (render contract and provenance).

    Attributes:
        family: typographic family name, e.g. "Noto Serif CJK JP".
        style: typographic subfamily, e.g. "Bold".
        path: font file path.
        index: face index inside a collection.
        use: what the page used it for: "body", "bold" or "phrase" (scattered).
        axes: variable-font axis coordinates (tag, value), empty for static faces.
    """

    family: str
    style: str
    path: str
    index: int = 0
    use: str = "body"
    axes: tuple[tuple[str, float], ...] = ()

    @property
    def name(self) -> str:
        """"Family Style", as recorded in the row's meta."""
        return f"{self.family} {self.style}"

    @classmethod
    def of(cls, face: Any, use: str) -> FaceRef:
        """FaceRef of a :class:`synthdoc.fonts.catalogue.FaceInfo` used for `use`."""
        return cls(face.family, face.style, face.path, int(face.index), use)


@dataclass(frozen=True)
class Rule:
    """A filled rectangle drawn on the background under the text (table rules and shading, footnote rules).

    Attributes:
        x0, y0, x1, y1: inclusive integer corners, page pixels.
        rgb: fill colour, sRGB 0-255.
        kind: "rule" or "shade".
    """

    x0: int
    y0: int
    x1: int
    y1: int
    rgb: tuple[int, int, int]
    kind: str = "rule"

    def as_list(self) -> list[int]:
        """[x0, y0, x1, y1, r, g, b] (the meta record)."""
        return [self.x0, self.y0, self.x1, self.y1, *self.rgb]

    @classmethod
    def from_list(cls, rect: list[int], kind: str = "rule") -> Rule:
        x0, y0, x1, y1, r, g, b = (int(v) for v in rect)
        return cls(x0, y0, x1, y1, (r, g, b), kind)


@dataclass
class BackgroundSpec:
    """The background a layout asks the render stage for.

    Attributes:
        kind: "paper" (plain paper in a grey range) or a kind of
            :func:`synthdoc.background.render_background` ("solid", "gradient", "texture").
        gray_range: paper grey level range (0-255), for "paper".
        params: complete parameters of the other kinds (as those functions return them).
        pixels: (H, W, 3) uint8 RGB, the layout's own drawing of this background (a layout that chose colours
            against it) for the render stage to use instead of drawing it again from `params`, which gives the
            same pixels; None otherwise. Not part of labels or meta; the render stage takes it (sets None).
    """

    kind: str = "paper"
    gray_range: tuple[float, float] = (228, 255)
    params: dict = field(default_factory=dict)
    pixels: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass
class Page:
    """A laid-out page.

    Attributes:
        width, height: page size in pixels.
        lang: canonical language code.
        layout: layout template name.
        paragraphs: paragraphs in reading order.
        runs: glyph drawing instructions.
        background: the background the render stage draws.
        rules: rectangles the render stage draws on the background before the text, in list order.
        fonts: the faces the page drew with.
        meta: provenance only (layout parameters, plan, fonts), JSON-serialisable; rendering never reads it.
    """

    width: int
    height: int
    lang: str
    layout: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    runs: list[GlyphRun] = field(default_factory=list)
    background: BackgroundSpec = field(default_factory=BackgroundSpec)
    rules: list[Rule] = field(default_factory=list)
    fonts: list[FaceRef] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @property
    def lines(self) -> list[Line]:
        return [line for p in self.paragraphs for line in p.lines]

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @property
    def text(self) -> str:
        """Page text: every line's text joined with newlines, in reading order."""
        return "\n".join(line.text for line in self.lines)

    def relation_graph(self) -> dict[str, list[list[int]]]:
        """Reading-order graph with flat indices.

        Returns:
            {"paragraph_lines": [[line index, ...] per paragraph], "line_words": [[word index, ...] per line]}.
        """
        para_lines, line_words = [], []
        li = wi = 0
        for p in self.paragraphs:
            para_lines.append(list(range(li, li + len(p.lines))))
            li += len(p.lines)
            for line in p.lines:
                line_words.append(list(range(wi, wi + len(line.words))))
                wi += len(line.words)
        return {"paragraph_lines": para_lines, "line_words": line_words}


def _outside_by(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """How far points leave convex clockwise quads, px.

    Args:
        inner: (N, K, 2) points.
        outer: (N, 4, 2) quads (clockwise in the y-down frame, so the interior lies right of each edge).

    Returns:
        (N,) float64, the largest distance of any point outside its quad (<= 0 when inside).
    """
    o = np.asarray(outer, np.float64)
    p = np.asarray(inner, np.float64)
    a = o
    edge = np.roll(o, -1, axis=1) - a  # (N, 4, 2)
    length = np.hypot(edge[..., 0], edge[..., 1])
    length[length == 0] = 1.0
    rel = p[:, None, :, :] - a[:, :, None, :]  # (N, 4, K, 2)
    cross = (edge[:, :, None, 0] * rel[..., 1] - edge[:, :, None, 1] * rel[..., 0]) / length[:, :, None]
    return (-cross).max(axis=(1, 2))


def _check_quads(quads: np.ndarray, what: Sequence[str], width: int, height: int, tol: float) -> None:
    """Validate (N, 4, 2) quads: finite, inside the page, convex and clockwise."""
    q = np.asarray(quads, np.float64)
    if q.ndim != 3 or q.shape[1:] != (4, 2) or not np.isfinite(q).all():
        raise InvariantError(f"{what[0] if what else 'quad'}: quads must be finite (4, 2) arrays, got shape {q.shape}")
    off = (q[..., 0] < -tol) | (q[..., 1] < -tol) | (q[..., 0] > width + tol) | (q[..., 1] > height + tol)
    bad = np.flatnonzero(off.any(axis=1))
    if len(bad):
        raise InvariantError(f"{what[bad[0]]}: quad {q[bad[0]].tolist()} leaves the {width}x{height} page")
    nxt, nxt2 = np.roll(q, -1, axis=1), np.roll(q, -2, axis=1)
    cross = (nxt[..., 0] - q[..., 0]) * (nxt2[..., 1] - nxt[..., 1]) - (nxt[..., 1] - q[..., 1]) * (nxt2[..., 0] - nxt[..., 0])
    bad = np.flatnonzero((cross <= 1e-3).any(axis=1))
    if len(bad):
        raise InvariantError(f"{what[bad[0]]}: quad {q[bad[0]].tolist()} is not convex and clockwise")


def _where(page: Page, pi: int, li: int | None = None, wi: int | None = None) -> str:
    """'paragraph 2 line 0 word 3 'text'': where an invariant broke."""
    where = f"paragraph {pi}"
    if li is not None:
        where += f" line {li}"
    if wi is not None:
        where += f" word {wi} {page.paragraphs[pi].lines[li].words[wi].text!r}"
    return where


class _Names:
    """The names of a page's paragraphs, lines or words by flat index (`depth` 1, 2 or 3), formatted only when an
    error needs one."""

    def __init__(self, page: Page, depth: int):
        self._page, self._depth = page, depth

    def _at(self) -> list[tuple[int, ...]]:
        paras = self._page.paragraphs
        if self._depth == 1:
            return [(pi,) for pi in range(len(paras))]
        lines = [(pi, li) for pi, para in enumerate(paras) for li in range(len(para.lines))]
        if self._depth == 2:
            return lines
        return [(pi, li, wi) for pi, li in lines for wi in range(len(paras[pi].lines[li].words))]

    def __getitem__(self, k: int) -> str:
        return _where(self._page, *self._at()[k])

    def __len__(self) -> int:
        return len(self._at())


def check(page: Page, tol: float = TOLERANCE_PX) -> None:
    """Raise :class:`InvariantError` on any broken invariant of `page`.

    Invariants: the page has text; every word lies in exactly one line and every line in one paragraph
    (the relation graph covers each index once, in order); no empty word, line or paragraph; word quads
    inside their line quad and line quads inside their paragraph quad (`tol` px); line text equals its
    words joined with the line's separator; page text equals the lines joined with newlines in reading
    order; all quads finite, convex, clockwise and inside the page; directions and roles are known.
    """
    _check_structure(page)
    check_geometry(page, tol)
    graph = page.relation_graph()
    flat_lines = [i for ls in graph["paragraph_lines"] for i in ls]
    flat_words = [i for ws in graph["line_words"] for i in ws]
    if flat_lines != list(range(len(page.lines))) or flat_words != list(range(len(page.words))):
        raise InvariantError("relation graph does not cover every line and word exactly once in reading order")
    if page.text != "\n".join(line.text for line in page.lines):
        raise InvariantError("page text differs from its lines joined in reading order")
    for run in page.runs:
        if (np.asarray(run.gids) == 0).any():
            raise InvariantError("a glyph run contains glyph id 0 (tofu)")
    check_chars(page, computed_only=True)


def check_geometry(page: Page, tol: float = TOLERANCE_PX) -> None:
    """Raise :class:`InvariantError` unless the quads of `page` keep the geometric invariants of :func:`check`:
    every paragraph, line and word quad ((4, 2) px, page frame) finite, convex, clockwise and inside the page;
    words inside their line quad and lines inside their paragraph quad (`tol` px). The error names the first
    culprit ("paragraph 2 line 0 word 3 'text'").

    Alone, for a page derived from a checked one by moving its quads only (augmentation: geometric steps
    transform every quad, the legibility check marks words ``ignore``): its text, structure and glyphs are the
    checked page's, so only the geometry can have broken."""
    word_q, word_parent, line_q, line_parent = [], [], [], []
    for pi, para in enumerate(page.paragraphs):
        for line in para.lines:
            line_parent.append(pi)
            line_q.append(line.quad)
            for word in line.words:
                word_parent.append(len(line_q) - 1)
                word_q.append(word.quad)
    para_q = [para.quad for para in page.paragraphs]
    para_w, line_w, word_w = (_Names(page, depth) for depth in (1, 2, 3))
    for quads, names in ((para_q, para_w), (line_q, line_w), (word_q, word_w)):
        _check_quads(np.asarray(quads, np.float64), names, page.width, page.height, tol)
    for inner, names, outer, parent, kind in ((word_q, word_w, line_q, word_parent, "line"),
                                              (line_q, line_w, para_q, line_parent, "paragraph")):
        out_by = _outside_by(np.asarray(inner, np.float64), np.asarray(outer, np.float64)[parent])
        bad = np.flatnonzero(out_by > tol)
        if len(bad):
            raise InvariantError(f"{names[bad[0]]}: quad is not inside its {kind} quad (by {out_by[bad[0]]:.2f} px)")


def _check_structure(page: Page) -> None:
    """The structural part of :func:`check`: paragraphs, lines and words present, roles and directions known,
    no empty or padded word, line text = its words joined."""
    if not page.paragraphs:
        raise InvariantError("page has no paragraphs")
    for pi, para in enumerate(page.paragraphs):
        if para.role not in ROLES:
            raise InvariantError(f"{_where(page, pi)}: unknown role {para.role!r}")
        if not para.lines:
            raise InvariantError(f"{_where(page, pi)}: has no lines")
        for li, line in enumerate(para.lines):
            if line.direction not in ("ltr", "rtl", "ttb"):
                raise InvariantError(f"{_where(page, pi, li)}: unknown direction {line.direction!r}")
            if not line.words:
                raise InvariantError(f"{_where(page, pi, li)}: has no words")
            if line.text != line.separator.join(w.text for w in line.words):
                raise InvariantError(f"{_where(page, pi, li)}: text differs from its words joined")
            for wi, word in enumerate(line.words):
                if not word.text or word.text != word.text.strip():
                    raise InvariantError(f"{_where(page, pi, li, wi)}: empty text or surrounding whitespace")


def check_chars(page: Page, computed_only: bool = False) -> None:
    """Raise :class:`InvariantError` unless every word's characters (where tracked) join to the word's text and
    lie in the word's unit frame with u0 <= u1 and v0 < v1 (the projective map of the unit square onto a convex
    word quad then keeps them inside the word quad).

    Args:
        page: the page.
        computed_only: check only characters held as lists (deferred ones are checked where they are used:
            :meth:`synthdoc.pipeline.SampleFactory.make` when the run writes the character level).
    """
    for k, word in enumerate(page.words):
        if word.chars is None or (computed_only and hasattr(word.chars, "get")):
            continue
        spans = word.char_spans()
        where = f"word {k} {word.text!r}"
        if "".join(c[0] for c in spans) != word.text:
            raise InvariantError(f"{where}: its characters do not join to its text")
        spans = np.asarray([c[1:] for c in spans], np.float64).reshape(-1, 4)
        if ((spans < -1e-6) | (spans > 1 + 1e-6)).any() or (spans[:, 0] > spans[:, 1]).any() or (spans[:, 2] >= spans[:, 3]).any():
            raise InvariantError(f"{where}: a character span leaves the word's unit frame or is reversed")

