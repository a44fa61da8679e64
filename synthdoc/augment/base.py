"""Augmentation steps, ``Compose`` / ``OneOf``, the state the steps work on, and the step registry.

A step is a small declared unit (DESIGN.md "Randomness"): its parameters are ranges and a probability
``p``; :meth:`Step.sample` draws concrete, JSON-serialisable parameters from an explicit
``np.random.Generator`` and :meth:`Step.apply` applies them without drawing anything, so a recorded
``{"name", "params"}`` list replays the page (:func:`synthdoc.augment.stack.replay`).

Phases, applied in this order whatever the declaration order (steps keep their order inside a phase):

* ``background`` — on the background layer, before the text is composited (paper, tints, highlights);
* ``text`` — on the text layers (coverage masks, one per ink colour) before compositing (outline, shadow, ...);
* ``image`` — on the composited page, gated by a minimum text height (dilation, erosion, median, elastic);
* ``geometric`` — on the page and on every quad with the same mapping (rotation, perspective, scale/crop);
* ``page`` — on the page pixels (contrast, blur, noise, shadows, JPEG).

Every step and group may be conditioned on the page's layout mode (``modes: [slide]`` — only on those modes;
``skip_modes: [slide, scattered]`` — never on those): a step left out for the mode is not selected and draws
nothing from the stream.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import cv2
import numpy as np

from synthdoc.colour import ensure_contrast, relative_luminance, text_color_for
from synthdoc.doc import Page
from synthdoc.layout.registry import modes
from synthdoc.render.compose import composite

PHASES = ("background", "text", "image", "geometric", "page")

STEPS: dict[str, type["Step"]] = {}
"""Registered step classes by name (filled by :func:`register`)."""


def register(cls: type["Step"]) -> type["Step"]:
    """Class decorator: add a step class to :data:`STEPS` under ``cls.name``.

    Raises:
        ValueError: unknown phase or a name registered twice.
    """
    if cls.phase not in PHASES:
        raise ValueError(f"step {cls.__name__}: unknown phase {cls.phase!r}")
    if cls.name in STEPS and STEPS[cls.name] is not cls:
        raise ValueError(f"step name {cls.name!r} registered twice")
    STEPS[cls.name] = cls
    return cls


# --- state --------------------------------------------------------------------------------------------------------


@dataclass
class Layer:
    """One text layer: a coverage mask drawn in one colour.

    Attributes:
        rgb: ink colour, sRGB 0-255.
        mask: (H, W) uint8 coverage (alpha), page pixels.
        ink: True for glyph ink, False for effect layers (outline, shadow, extrusion) added by text steps.
    """

    rgb: tuple[int, int, int]
    mask: np.ndarray
    ink: bool = True


@dataclass
class AugmentState:
    """What the steps of one page work on.

    Attributes:
        page: the page; geometric steps replace it with a copy whose quads are transformed.
        background: (H, W, 3) uint8 RGB background layer (paper and rules, no text).
        layers: text layers in drawing order (composited over the background in this order).
        image: (H, W, 3) uint8 RGB composited page; None until the first image-phase step (or the end).
        phase: the phase reached so far (index into :data:`PHASES` never decreases).
        background_changed: a background step ran, so ink colours are re-checked for contrast.
        min_contrast: WCAG contrast ratio ink must keep against the background under its line.
        ink_ref: (H, W) uint8 clean glyph ink (union of the ink masks before any text step), moved with the page
            by geometric and elastic steps: the reference of the legibility check (:mod:`synthdoc.augment.legibility`).
        bg_matrix: (3, 3) float64 mapping of ``background`` (kept unwarped) onto the current page: geometric
            steps compose their matrix into it and continue the background past the page edges with it.
        drawn_ref: (H, W) uint8 union of every layer when they are composited with effect layers (outline,
            shadow, extrusion), moved like ``ink_ref``; None when there are none (then :attr:`drawn` is ``ink_ref``:
            text steps that change the ink stay within the 1 px the legibility check keeps clear anyway).
        jpeg: (N,) uint8 JPEG bytes of the last :class:`synthdoc.augment.page.Jpeg` step when its result was not
            blended by a line gate (they decode to the image it left), else None; while that step is the last one
            applied, the pipeline stores them instead of compressing the page again.
    """

    page: Page
    background: np.ndarray
    layers: list[Layer]
    image: np.ndarray | None = None
    phase: str = "background"
    background_changed: bool = False
    min_contrast: float = 4.5
    ink_ref: np.ndarray | None = field(default=None, repr=False)
    drawn_ref: np.ndarray | None = field(default=None, repr=False)
    line_metrics_cache: tuple | None = field(default=None, repr=False)
    ridge_cache: tuple | None = field(default=None, repr=False)
    bg_matrix: np.ndarray = field(default_factory=lambda: np.eye(3), repr=False)
    jpeg: np.ndarray | None = field(default=None, repr=False)
    _ink_darker: bool | None = field(default=None, repr=False)

    @classmethod
    def from_render(cls, page: Page, background: np.ndarray, masks: dict, min_contrast: float = 4.5) -> "AugmentState":
        """State of a clean render: ``masks`` as :func:`synthdoc.render.compose.text_masks` returns them."""
        layers = [Layer(tuple(int(c) for c in rgb), m) for rgb, m in masks.items()]
        return cls(page, background, layers, min_contrast=min_contrast,
                   ink_ref=union_mask([m for m in masks.values()], background.shape[:2]))

    @property
    def drawn(self) -> np.ndarray:
        """(H, W) uint8 coverage of everything drawn over the background: ``drawn_ref`` or ``ink_ref``."""
        return self.ink_ref if self.drawn_ref is None else self.drawn_ref

    def ridge_points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`ridge_points` of ``ink_ref``, cached until a geometric step moves it."""
        if self.ridge_cache is None or self.ridge_cache[0] is not self.ink_ref:
            self.ridge_cache = (self.ink_ref, ridge_points(self.ink_ref))
        return self.ridge_cache[1]

    def warp_with_refs(self, fn) -> np.ndarray:
        """Move the page image and the reference masks by one geometric mapping `fn` (zero or replicated border)
        and return the moved image (also set as ``image``). `fn` is called once on (H, W, 4) uint8: ``image``
        with ``ink_ref`` as a 4th channel (per channel the same values as separate calls, one pass over the
        coordinates: a win for remaps with per-pixel maps, Elastic about 0.6x; for cheap affine warps packing
        costs more than it saves, so :func:`synthdoc.augment.geometric.warp_state` uses :meth:`warp_refs`), and
        on ``drawn_ref`` if any. An image that is not (H, W, 3) uint8 (the coordinate field that
        :func:`synthdoc.masks.follow_geometry` moves through the geometric steps) is moved on its own."""
        if self.image.dtype != np.uint8 or self.image.ndim != 3 or self.image.shape[2] != 3:
            self.image = fn(self.image)
            self.warp_refs(fn)
            return self.image
        four = cv2.cvtColor(self.image, cv2.COLOR_RGB2RGBA)
        cv2.insertChannel(self.ink_ref, four, 3)
        four = fn(four)
        self.image = cv2.cvtColor(four, cv2.COLOR_RGBA2RGB)
        self.ink_ref = cv2.extractChannel(four, 3)
        if self.drawn_ref is not None:
            self.drawn_ref = fn(self.drawn_ref)
        return self.image

    def warp_refs(self, fn) -> None:
        """Apply `fn` ((H, W) uint8 -> (H, W) uint8, a geometric mapping with zero fill) to the reference masks."""
        self.ink_ref = fn(self.ink_ref)
        if self.drawn_ref is not None:
            self.drawn_ref = fn(self.drawn_ref)

    @property
    def height(self) -> int:
        return int(self.background.shape[0])

    @property
    def width(self) -> int:
        return int(self.background.shape[1])

    def advance(self, phase: str) -> None:
        """Move to `phase`: leaving ``background`` re-checks ink contrast (if the background changed); reaching
        ``image`` or later composites the layers over the background.

        Raises:
            ValueError: `phase` is earlier than the phase already reached.
        """
        now, to = PHASES.index(self.phase), PHASES.index(phase)
        if to < now:
            raise ValueError(f"phase {phase!r} after {self.phase!r}: steps must run in phase order")
        if now == 0 < to and self.background_changed:
            self._recolour_ink()
        if to >= 2 and self.image is None:
            self.image = composite_layers(self.background, self.layers)
            effects = [layer.mask for layer in self.layers if not layer.ink]
            if effects:
                self.drawn_ref = cv2.max(self.ink_ref, union_mask(effects, self.ink_ref.shape))
        self.phase = phase

    def finish(self) -> np.ndarray:
        """The composited page after every phase: (H, W, 3) uint8 RGB."""
        self.advance("page")
        return self.image

    def text_heights_px(self) -> np.ndarray:
        """(N,) float64 text height of each line, px: the quad side across the text (vertex 0 to vertex 3),
        i.e. the ascender-descender band of horizontal lines and the em width of vertical columns."""
        q = np.asarray([line.quad for line in self.page.lines], np.float64).reshape(-1, 4, 2)
        return np.hypot(*(q[:, 3] - q[:, 0]).T)

    def min_text_height_px(self) -> float:
        """Smallest line height of the page, px (inf without lines)."""
        h = self.text_heights_px()
        return float(h.min()) if len(h) else float("inf")

    def ink_darker(self) -> bool:
        """True when the page's main ink (the layer with most coverage) is darker than its background mean."""
        if self._ink_darker is None:
            ink = [layer for layer in self.layers if layer.ink] or self.layers
            if not ink:
                self._ink_darker = True
            else:
                main = max(ink, key=lambda layer: cv2.countNonZero(layer.mask))
                bg = cv2.mean(self.background)[:3]
                self._ink_darker = relative_luminance(main.rgb) <= relative_luminance(bg)
        return self._ink_darker

    def _recolour_ink(self) -> None:
        quads = [line.quad for line in self.page.lines]
        masks = [layer.mask for layer in self.layers if layer.ink]
        colours = [layer.rgb for layer in self.layers if layer.ink]
        new = iter(ensure_contrast(self.background, masks, colours, quads, self.min_contrast))
        for layer in self.layers:
            if layer.ink:
                layer.rgb = next(new)
        self._ink_darker = None


def stroke_ridge(ink_ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre lines of the glyph strokes: ((H, W) bool ridge, (H, W) uint8 distance transform) of the ink
    coverage >= 50 %, where the distance is the city-block distance (cv2.DIST_L1, integer px) to the nearest
    non-ink pixel and the ridge its local maxima; the local stroke width at a ridge pixel is 2 * d - 1 px."""
    core = (ink_ref >= 128).astype(np.uint8)
    dt = cv2.distanceTransform(core, cv2.DIST_L1, 3, dstType=cv2.CV_8U)
    return (core > 0) & (dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8))), dt


def ridge_points(ink_ref: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pixels of :func:`stroke_ridge` as points: ((M,) int64 rows, (M,) int64 columns, (M,) uint8 distance
    transform there), in row-major order, computed on the bounding box of the ink grown by 1 px only (its ring of
    non-ink pixels bounds every city-block distance inside, so the values equal the whole-page ones)."""
    h, w = ink_ref.shape
    x, y, bw, bh = cv2.boundingRect(ink_ref)
    if bw == 0 or bh == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8)
    x0, y0, x1, y1 = max(0, x - 1), max(0, y - 1), min(w, x + bw + 1), min(h, y + bh + 1)
    core = cv2.threshold(ink_ref[y0:y1, x0:x1], 127, 1, cv2.THRESH_BINARY)[1]  # coverage >= 128 -> 1
    dt = cv2.distanceTransform(core, cv2.DIST_L1, 3, dstType=cv2.CV_8U)
    ridge = cv2.min(core, cv2.compare(dt, cv2.dilate(dt, np.ones((3, 3), np.uint8)), cv2.CMP_GE))  # 0 / 1
    flat = np.flatnonzero(ridge.view(bool))
    ys, xs = np.divmod(flat, x1 - x0)
    return ys + y0, xs + x0, dt.ravel().take(flat)


def union_mask(masks: list[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """(H, W) uint8 pixel-wise maximum of `masks` (zeros of `shape` when there are none); a new array."""
    if not masks:
        return np.zeros(shape, np.uint8)
    out = masks[0].copy()
    for m in masks[1:]:
        cv2.max(out, m, dst=out)
    return out


def composite_layers(background: np.ndarray, layers: list[Layer]) -> np.ndarray:
    """Composite `layers` in order over `background` with :func:`synthdoc.render.compose.composite`
    (consecutive layers of distinct colours in one call). Returns a new (H, W, 3) uint8 RGB image."""
    out = background
    batch: dict[tuple[int, int, int], np.ndarray] = {}
    for layer in layers:
        if layer.rgb in batch:
            out = composite(out, batch)
            batch = {}
        batch[layer.rgb] = layer.mask
    out = composite(out, batch)  # copies even when batch is empty: never returns the input array
    return out


# --- steps --------------------------------------------------------------------------------------------------------


def check_modes(owner: str, key: str, value: Any) -> tuple[str, ...] | None:
    """Validate a list of layout mode names (None stays None).

    Raises:
        ValueError: not a list of strings, or an unknown mode (the message lists the known ones).
    """
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(m, str) for m in value):
        raise ValueError(f"{owner}: {key} must be a list of layout modes, got {value!r}")
    known = modes()
    bad = [m for m in value if m not in known]
    if bad:
        raise ValueError(f"{owner}: {key}: unknown layout mode {bad[0]!r}; known: {', '.join(known)}")
    return tuple(value)


def mode_allows(modes: tuple | None, skip_modes: tuple | None, mode: str | None) -> bool:
    """True when a node with `modes` / `skip_modes` runs on a page of layout `mode` (None: unknown, runs)."""
    if mode is None:
        return True
    return (modes is None or mode in modes) and (skip_modes is None or mode not in skip_modes)


def check_range(owner: str, key: str, value: Any, lo: float, hi: float, integer: bool = False) -> tuple:
    """Validate a ``[low, high]`` parameter range inside the bounds [lo, hi].

    Returns:
        (low, high) as floats (ints when `integer`).

    Raises:
        ValueError: not two numbers, low > high, or outside the bounds (the message names the step and key).
    """
    try:
        a, b = value
        a, b = (int(a), int(b)) if integer else (float(a), float(b))
    except (TypeError, ValueError, OverflowError):  # int(inf) overflows
        raise ValueError(f"{owner}: {key} must be [low, high] numbers, got {value!r}") from None
    if not (lo <= a <= b <= hi):
        raise ValueError(f"{owner}: {key} must satisfy {lo} <= low <= high <= {hi}, got {[a, b]}")
    return a, b


def check_value(owner: str, key: str, value: Any, lo: float, hi: float) -> float:
    """Validate a scalar parameter in [lo, hi].

    Returns:
        the value as a float.

    Raises:
        ValueError: not a number or outside the bounds (the message names the step and key).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ValueError(f"{owner}: {key} must be a number in [{lo}, {hi}], got {value!r}")
    return float(value)


def check_rgb(owner: str, key: str, value: Any) -> tuple[int, int, int]:
    """Validate an sRGB colour [r, g, b] with components in 0-255.

    Raises:
        ValueError: not three numbers in 0-255.
    """
    try:
        c = [check_value(owner, key, v, 0, 255) for v in value]
    except (TypeError, ValueError):
        c = []
    if len(c) != 3:
        raise ValueError(f"{owner}: {key} must be [r, g, b] in 0-255, got {value!r}")
    return tuple(int(round(v)) for v in c)


def draw(rng: np.random.Generator, value_range: tuple, ndigits: int = 4) -> float:
    """A uniform draw from `value_range`, rounded to `ndigits` (recorded parameters stay short)."""
    return round(float(rng.uniform(value_range[0], value_range[1])), ndigits)


def draw_int(rng: np.random.Generator, value_range: tuple) -> int:
    """A uniform integer draw from the inclusive range `value_range`."""
    return int(rng.integers(int(value_range[0]), int(value_range[1]) + 1))


def draw_seed(rng: np.random.Generator) -> int:
    """A seed for the pixel noise of a step (recorded so that applying is deterministic)."""
    return int(rng.integers(2**31))


@dataclass
class Step:
    """Base class of augmentation steps.

    Attributes:
        p: probability that the step is selected for a page.
        modes: layout modes the step runs on (None: all).
        skip_modes: layout modes the step never runs on.

    Subclasses set ``name`` and ``phase``, declare their parameters as dataclass fields (ranges end in
    ``_range``), validate them in :meth:`validate` and implement :meth:`sample` and :meth:`apply`.
    """

    p: float = 1.0
    modes: tuple | None = None
    skip_modes: tuple | None = None
    name: ClassVar[str] = ""
    phase: ClassVar[str] = ""

    def __post_init__(self) -> None:
        owner = self.name or type(self).__name__
        self.p = check_value(owner, "p", self.p, 0, 1)
        self.modes = check_modes(owner, "modes", self.modes)
        self.skip_modes = check_modes(owner, "skip_modes", self.skip_modes)
        self.validate()

    def validate(self) -> None:
        """Check and normalise the parameters. Raises ValueError naming the step and key."""

    def select(self, rng: np.random.Generator, mode: str | None = None) -> list["Step"]:
        """[self] with probability p, else []. Draws one number from `rng` (none when `mode` rules it out)."""
        if not mode_allows(self.modes, self.skip_modes, mode):
            return []
        return [self] if rng.random() < self.p else []

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        """Concrete parameters for this page (JSON-serialisable), or None to skip (e.g. text too small)."""
        raise NotImplementedError

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        """Apply `params` to `state` in place. A class method, so it cannot depend on anything but `params` and
        `state`: a recorded ``{"name", "params"}`` replays without the step's declaration."""
        raise NotImplementedError

    def to_config(self) -> dict:
        """The step's declaration as a YAML-style mapping ``{name: {field: value}}``."""
        return {self.name: {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}}


@dataclass
class Compose:
    """All of `steps` (each with its own p), with probability p, on the layout modes it allows."""

    steps: list = field(default_factory=list)
    p: float = 1.0
    modes: tuple | None = None
    skip_modes: tuple | None = None

    def select(self, rng: np.random.Generator, mode: str | None = None) -> list[Step]:
        if not mode_allows(self.modes, self.skip_modes, mode) or rng.random() >= self.p:
            return []
        return [s for child in self.steps for s in child.select(rng, mode)]

    def leaves(self) -> list[Step]:
        return [s for child in self.steps for s in (child.leaves() if hasattr(child, "leaves") else [child])]


@dataclass
class OneOf:
    """One of `steps`, chosen with `weights` (uniform when None), with probability p; the chosen child's own
    p still applies; on the layout modes it allows."""

    steps: list = field(default_factory=list)
    p: float = 1.0
    weights: list | None = None
    modes: tuple | None = None
    skip_modes: tuple | None = None

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("OneOf: needs at least one step")
        if self.weights is not None:
            w = np.asarray(self.weights, np.float64)
            if w.shape != (len(self.steps),) or (w < 0).any() or w.sum() <= 0:
                raise ValueError(f"OneOf: weights must be {len(self.steps)} non-negative numbers with a positive sum")

    def select(self, rng: np.random.Generator, mode: str | None = None) -> list[Step]:
        if not mode_allows(self.modes, self.skip_modes, mode) or rng.random() >= self.p:
            return []
        if self.weights is None:
            k = int(rng.integers(len(self.steps)))
        else:
            w = np.asarray(self.weights, np.float64)
            k = int(rng.choice(len(self.steps), p=w / w.sum()))
        return self.steps[k].select(rng, mode)

    def leaves(self) -> list[Step]:
        return [s for child in self.steps for s in (child.leaves() if hasattr(child, "leaves") else [child])]


# --- helpers shared by steps ----------------------------------------------------------------------------------------


def smooth_field(seed: int, height: int, width: int, cells: int, lo: float, hi: float) -> np.ndarray:
    """A smooth random field in [lo, hi]: a (cells+1)-per-longer-side grid of uniform values, upsampled
    bicubically to 1/8 size, then bilinearly to full size.

    Args:
        seed: seed of the grid values (np.random.default_rng).
        height, width: output size, px.
        cells: grid cells along the longer side (>= 1): few cells = slow variation.
        lo, hi: value range.

    Returns:
        (height, width) float32.
    """
    g = np.random.default_rng(seed)
    long_side = max(height, width)
    gh = max(2, int(round(cells * height / long_side)) + 1)
    gw = max(2, int(round(cells * width / long_side)) + 1)
    grid = g.uniform(lo, hi, (gh, gw)).astype(np.float32)
    mid = cv2.resize(grid, (max(2, width // 8), max(2, height // 8)), interpolation=cv2.INTER_CUBIC)
    out = cv2.resize(mid, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(out, min(lo, hi), max(lo, hi))


def ink_roi(masks: list[np.ndarray], pad: int, height: int, width: int) -> tuple[int, int, int, int] | None:
    """Bounding rectangle (x0, y0, x1, y1) of the ink of `masks` grown by `pad` px and clipped to the page;
    None when there is no ink."""
    rects = [cv2.boundingRect(m) for m in masks]
    rects = [r for r in rects if r[2] > 0 and r[3] > 0]
    if not rects:
        return None
    x0 = max(0, min(r[0] for r in rects) - pad)
    y0 = max(0, min(r[1] for r in rects) - pad)
    x1 = min(width, max(r[0] + r[2] for r in rects) + pad)
    y1 = min(height, max(r[1] + r[3] for r in rects) + pad)
    return x0, y0, x1, y1


def contrasting_colour(rgb, rng: np.random.Generator, min_ratio: float = 3.0) -> list[int]:
    """A random colour with WCAG contrast >= `min_ratio` against `rgb` (see
    :func:`synthdoc.colour.text_color_for`), as a list of ints."""
    return [int(v) for v in text_color_for(rgb, rng, min_ratio)]
