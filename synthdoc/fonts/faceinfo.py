"""What the catalogue knows of one installed face (:class:`FaceInfo`), in a leaf module of its own so that the
modules the catalogue uses (pools, sampling, shaping checks) can name faces without importing the catalogue."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from synthdoc.fonts.cmap import Cmap
from synthdoc.fonts.variable import coords_label


@dataclass(frozen=True)
class FaceInfo:
    """One face of a font file.

    Attributes:
        path: font file path.
        index: face index inside a collection (0 for single-face files).
        family: typographic family name (name ID 16, else 1).
        style: typographic subfamily (name ID 17, else 2), e.g. "Regular", "Bold Italic".
        names: every family name the face answers to (IDs 1 and 16), for matching fonts.yaml entries.
        cmap: covered code points (:class:`synthdoc.fonts.cmap.Cmap`, compact ranges; any iterable of code
            points given is converted).
        role: role from the font's data (:func:`synthdoc.fonts.roles.classify`) or Google Fonts metadata.
        weight: OS/2 usWeightClass (or the wght coordinate of a variable instance).
        axes: ((tag, min, default, max), ...) of a variable font's fvar, () for a static face.
        coords: ((tag, value), ...) design coordinates this face is set at (a named instance or a drawn
            point); () for a static face.
        license: licence of the face where known (Google Fonts metadata), else "".
        synthetic: "" for the face as designed; "bold", "oblique" or "bold+oblique" for a style the renderer
            makes from it (:mod:`synthdoc.fonts.emphasis`: HarfBuzz synthetic bold/slant for advances and
            extents, FreeType emboldening and shear for the outlines) where the family lacks the real face.
    """

    path: str
    index: int
    family: str
    style: str
    names: tuple[str, ...]
    cmap: Cmap
    role: str = ""
    weight: int = 400
    axes: tuple = ()
    coords: tuple = ()
    license: str = ""
    synthetic: str = ""

    def __post_init__(self):
        if not isinstance(self.cmap, Cmap):
            object.__setattr__(self, "cmap", Cmap.from_points(self.cmap))

    @cached_property
    def key(self) -> str:
        """Stable identifier "path#index", with "@tag=value,..." for a variable-font instance and "!bold" (etc.)
        for a synthetic style (computed once: the glyph cache looks it up per glyph)."""
        return (f"{self.path}#{self.index}" + (f"@{coords_label(self.coords)}" if self.coords else "")
                + (f"!{self.synthetic}" if self.synthetic else ""))

    @property
    def bold(self) -> bool:
        s = self.style.lower()
        return "bold" in s or "black" in s or "heavy" in s or self.weight >= 650 or "bold" in self.synthetic

    @property
    def italic(self) -> bool:
        s = self.style.lower()
        c = dict(self.coords)
        return ("italic" in s or "oblique" in s or c.get("slnt", 0) != 0 or c.get("ital", 0) > 0
                or "oblique" in self.synthetic)

    def missing(self, text: str) -> set[str]:
        """Characters of `text` (other than whitespace) that this face's cmap lacks."""
        return {c for c in set(text) if not c.isspace() and ord(c) not in self.cmap}

    def covers(self, text: str) -> bool:
        """True when the cmap has every non-whitespace character of `text`."""
        cmap = self.cmap
        return all(ord(c) in cmap or c.isspace() for c in set(text))


@dataclass(frozen=True)
class FallbackFaceInfo(FaceInfo):
    """A face paired with the fallback face that draws what its cmap lacks (fonts.yaml ``fallback``), e.g.
    Noto Sans Hebrew with Noto Sans for digits, full stops and Latin words.

    ``cmap`` stays the primary face's own; :meth:`covers` and :meth:`missing` also count the fallback's cmap,
    so text is accepted when the pair can draw it (the typesetter picks the face per grapheme cluster).
    """

    fallback: FaceInfo | None = None

    def missing(self, text: str) -> set[str]:
        miss = super().missing(text)
        return {c for c in miss if ord(c) not in self.fallback.cmap} if self.fallback else miss

    def covers(self, text: str) -> bool:
        return not self.missing(text)
