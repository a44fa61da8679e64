"""Background phase: steps that change the background layer before the text is composited.

They multiply into the background (so table rules and shading drawn by the layout stay, textured like the
paper) or blend tinted rectangles into it; afterwards the state re-checks every ink colour against what lies
under its lines (:func:`synthdoc.colour.ensure_contrast`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import cv2
import numpy as np

from synthdoc.augment.base import (
    AugmentState,
    Step,
    check_range,
    check_value,
    draw,
    draw_int,
    draw_seed,
    register,
)
from synthdoc.augment.paper import (
    HIGHLIGHT_COLOURS,
    highlight,
    list_textures,
    load_texture,
    paper_texture,
)
from synthdoc.augment.textures import GENERATORS, PAPERS, generate
from synthdoc.colour import hsv_rgb


@register
@dataclass
class PaperTexture(Step):
    """Procedural paper: tint, mottling, a lighting gradient, fibres, stains and grain
    (:func:`synthdoc.augment.paper.paper_texture`), multiplied into the background.

    Attributes:
        tint_saturation_range: saturation of the paper tint (hue drawn among warm yellows 0.07-0.16 turns).
        tint_value_range: value (brightness) of the tint, 0-1.
        mottle_range: darkening of the blotches, fraction.
        mottle_cells_range: blotch cells along the longer side.
        gradient_range: darkening across the page, fraction.
        fibres_range: number of fibres.
        fibre_darkness_range: fibre darkness, 0-255 levels.
        stain_p: probability of stains; stains_range: how many; stain_strength_range: absorption, fraction.
        grain_range: grain amplitude, levels.
    """

    tint_saturation_range: tuple = (0.0, 0.12)
    tint_value_range: tuple = (0.95, 1.0)
    mottle_range: tuple = (0.0, 0.08)
    mottle_cells_range: tuple = (3, 12)
    gradient_range: tuple = (0.0, 0.08)
    fibres_range: tuple = (0, 300)
    fibre_darkness_range: tuple = (10, 40)
    stain_p: float = 0.15
    stains_range: tuple = (1, 3)
    stain_strength_range: tuple = (0.05, 0.2)
    grain_range: tuple = (0, 8)
    name: ClassVar[str] = "PaperTexture"
    phase: ClassVar[str] = "background"

    def validate(self) -> None:
        n = self.name
        self.tint_saturation_range = check_range(n, "tint_saturation_range", self.tint_saturation_range, 0, 1)
        self.tint_value_range = check_range(n, "tint_value_range", self.tint_value_range, 0, 1)
        self.mottle_range = check_range(n, "mottle_range", self.mottle_range, 0, 0.5)
        self.mottle_cells_range = check_range(n, "mottle_cells_range", self.mottle_cells_range, 1, 100, integer=True)
        self.gradient_range = check_range(n, "gradient_range", self.gradient_range, 0, 0.5)
        self.fibres_range = check_range(n, "fibres_range", self.fibres_range, 0, 5000, integer=True)
        self.fibre_darkness_range = check_range(n, "fibre_darkness_range", self.fibre_darkness_range, 0, 255, integer=True)
        self.stain_p = check_value(n, "stain_p", self.stain_p, 0, 1)
        self.stains_range = check_range(n, "stains_range", self.stains_range, 0, 20, integer=True)
        self.stain_strength_range = check_range(n, "stain_strength_range", self.stain_strength_range, 0, 0.6)
        self.grain_range = check_range(n, "grain_range", self.grain_range, 0, 64, integer=True)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        tint = hsv_rgb(rng.uniform(0.07, 0.16), draw(rng, self.tint_saturation_range), draw(rng, self.tint_value_range))
        stains = draw_int(rng, self.stains_range) if rng.random() < self.stain_p else 0
        return {"tint": list(tint), "mottle": draw(rng, self.mottle_range),
                "mottle_cells": draw_int(rng, self.mottle_cells_range), "gradient": draw(rng, self.gradient_range),
                "gradient_angle_deg": draw(rng, (0, 360), 2), "fibres": draw_int(rng, self.fibres_range),
                "fibre_darkness": draw_int(rng, self.fibre_darkness_range), "stains": stains,
                "stain_strength": draw(rng, self.stain_strength_range), "grain": draw_int(rng, self.grain_range),
                "seed": draw_seed(rng)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        state.background = paper_texture(state.background, params)
        state.background_changed = True


@register
@dataclass
class PaperColour(Step):
    """A solid paper colour: the background multiplied by one colour (any hue). Dark colours make the ink
    switch to a light colour (contrast check).

    Attributes:
        saturation_range, value_range: of the colour (HSV, 0-1).
    """

    saturation_range: tuple = (0.0, 0.35)
    value_range: tuple = (0.8, 1.0)
    name: ClassVar[str] = "PaperColour"
    phase: ClassVar[str] = "background"

    def validate(self) -> None:
        self.saturation_range = check_range(self.name, "saturation_range", self.saturation_range, 0, 1)
        self.value_range = check_range(self.name, "value_range", self.value_range, 0, 1)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"rgb": list(hsv_rgb(float(rng.random()), draw(rng, self.saturation_range), draw(rng, self.value_range)))}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        r, g, b = (float(c) for c in params["rgb"])
        state.background = cv2.multiply(state.background, (r, g, b, 0.0), scale=1 / 255)
        state.background_changed = True


@register
@dataclass
class TextureFolder(Step):
    """A random image from user folders, randomly cropped, resized to the page and multiplied into the
    background with opacity alpha (out = bg * (1 - alpha + alpha * texture / 255)).

    Attributes:
        dirs: folders of images (jpg, png, webp, bmp, tif); listed once, sorted, at construction.
        alpha_range: opacity of the texture, 0-1.
        crop_frac_range: side of the crop window, fraction of the image side.

    Raises (construction):
        SynthdocError: a folder is missing or holds no image.
    """

    dirs: list = field(default_factory=list)
    alpha_range: tuple = (0.5, 1.0)
    crop_frac_range: tuple = (0.5, 1.0)
    name: ClassVar[str] = "TextureFolder"
    phase: ClassVar[str] = "background"

    def validate(self) -> None:
        if isinstance(self.dirs, str):
            self.dirs = [self.dirs]
        if not self.dirs:
            raise ValueError(f"{self.name}: dirs must list at least one folder of texture images")
        self.alpha_range = check_range(self.name, "alpha_range", self.alpha_range, 0, 1)
        self.crop_frac_range = check_range(self.name, "crop_frac_range", self.crop_frac_range, 0.01, 1)
        self._files = list_textures([str(d) for d in self.dirs])

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        path = self._files[int(rng.integers(len(self._files)))]
        side = draw(rng, self.crop_frac_range)
        x0, y0 = draw(rng, (0, 1 - side)), draw(rng, (0, 1 - side))
        return {"path": path, "crop_frac": [x0, y0, round(x0 + side, 4), round(y0 + side, 4)],
                "alpha": draw(rng, self.alpha_range)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        tex = load_texture(params["path"], state.height, state.width, params["crop_frac"])
        a = float(params["alpha"])
        layer = cv2.convertScaleAbs(tex, alpha=a, beta=255.0 * (1.0 - a))
        state.background = cv2.multiply(state.background, layer, scale=1 / 255)
        state.background_changed = True


@register
@dataclass
class Highlight(Step):
    """Marker highlights: semi-transparent tinted rectangles behind some lines or words.

    Attributes:
        fraction_range: fraction of the lines (or words) highlighted.
        line_p: probability that whole lines are highlighted (else single words).
        alpha_range: opacity of the tint, 0-1.
        pad_px: the text quad is grown by this many px.
    """

    fraction_range: tuple = (0.02, 0.12)
    line_p: float = 0.5
    alpha_range: tuple = (0.3, 0.55)
    pad_px: float = 2.0
    name: ClassVar[str] = "Highlight"
    phase: ClassVar[str] = "background"

    def validate(self) -> None:
        self.fraction_range = check_range(self.name, "fraction_range", self.fraction_range, 0, 1)
        self.alpha_range = check_range(self.name, "alpha_range", self.alpha_range, 0, 1)
        self.line_p = check_value(self.name, "line_p", self.line_p, 0, 1)
        self.pad_px = check_value(self.name, "pad_px", self.pad_px, 0, 50)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict | None:
        level = "line" if rng.random() < self.line_p else "word"
        n_all = len(state.page.lines) if level == "line" else len(state.page.words)
        n = min(n_all, max(1, int(round(draw(rng, self.fraction_range) * n_all))))
        if n == 0:
            return None
        which = sorted(int(i) for i in rng.choice(n_all, size=n, replace=False))
        colours = [list(HIGHLIGHT_COLOURS[int(rng.integers(len(HIGHLIGHT_COLOURS)))])]
        return {"level": level, "indices": which, "rgb": colours[0], "alpha": draw(rng, self.alpha_range),
                "pad_px": float(self.pad_px)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        items = state.page.lines if params["level"] == "line" else state.page.words
        quads = [items[i].quad for i in params["indices"]]
        highlight(state.background, quads, [params["rgb"]] * len(quads), float(params["alpha"]), float(params["pad_px"]))
        state.background_changed = True


@register
@dataclass
class ProceduralPaper(Step):
    """A procedural paper stock (:mod:`synthdoc.augment.textures`: paper grain, recycled paper, cardboard; or a
    surface kind) multiplied into the background with opacity alpha, normalised so its brightest tone is 255
    (out = bg * (1 - alpha + alpha * texture / max)).

    Attributes:
        kinds: texture kinds to draw from (uniformly).
        alpha_range: opacity of the texture, 0-1.
    """

    kinds: list = field(default_factory=lambda: list(PAPERS))
    alpha_range: tuple = (0.6, 1.0)
    name: ClassVar[str] = "ProceduralPaper"
    phase: ClassVar[str] = "background"

    def validate(self) -> None:
        if isinstance(self.kinds, str):
            self.kinds = [self.kinds]
        bad = [k for k in self.kinds if k not in GENERATORS]
        if not self.kinds or bad:
            raise ValueError(f"{self.name}: kinds must list textures among {', '.join(GENERATORS)}, got {self.kinds!r}")
        self.alpha_range = check_range(self.name, "alpha_range", self.alpha_range, 0, 1)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"kind": str(self.kinds[int(rng.integers(len(self.kinds)))]), "alpha": draw(rng, self.alpha_range),
                "seed": draw_seed(rng)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        tex = generate(params["kind"], state.height, state.width, int(params["seed"]))
        top = max(1.0, float(np.percentile(tex[::8, ::8].max(axis=2), 99)))
        a = float(params["alpha"])
        layer = cv2.convertScaleAbs(tex, alpha=a * 255.0 / top, beta=255.0 * (1.0 - a))
        state.background = cv2.multiply(state.background, layer, scale=1 / 255)
        state.background_changed = True
