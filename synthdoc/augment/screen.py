"""Page phase, screen-like effects (a slide photographed or captured off a display): moiré interference and
sub-pixel colour fringes. Pixels only: quads are unchanged. Meant for ``modes: [slide]`` in stacks; compression
artefacts come from the ``Jpeg`` step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from synthdoc.augment.base import AugmentState, Step, check_range, draw, register


@register
@dataclass
class Moire(Step):
    """Moiré: the page multiplied by 1 - amplitude * (1 + cos(2 pi (x cos a + y sin a) / period)) / 2, the
    interference fringes of a camera's sensor grid with a display's pixel grid (computed separably:
    cos(u + v) = cos u cos v - sin u sin v, two outer products).

    Attributes:
        amplitude_range: darkening at the fringes' peaks, fraction 0-1.
        period_px_range: fringe period, px.
    """

    amplitude_range: tuple = (0.03, 0.1)
    period_px_range: tuple = (6.0, 18.0)
    name: ClassVar[str] = "Moire"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.amplitude_range = check_range(self.name, "amplitude_range", self.amplitude_range, 0, 0.5)
        self.period_px_range = check_range(self.name, "period_px_range", self.period_px_range, 2, 500)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"amplitude": draw(rng, self.amplitude_range), "period_px": draw(rng, self.period_px_range),
                "angle_deg": draw(rng, (0, 180), 2)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        a = np.deg2rad(float(params["angle_deg"]))
        k = 2 * np.pi / float(params["period_px"])
        u = (k * np.cos(a) * np.arange(state.width)).astype(np.float32)
        v = (k * np.sin(a) * np.arange(state.height)).astype(np.float32)
        wave = np.outer(np.cos(v), np.cos(u)) - np.outer(np.sin(v), np.sin(u))  # cos(u + v), (H, W) float32
        amp = float(params["amplitude"])
        g8 = cv2.convertScaleAbs(wave, alpha=-127.5 * amp, beta=255.0 * (1 - amp / 2))
        state.image = cv2.multiply(state.image, cv2.merge([g8, g8, g8]), scale=1 / 255)


@register
@dataclass
class SubpixelShift(Step):
    """Sub-pixel colour fringes of an LCD: the red and blue channels shifted horizontally by -shift and +shift px
    (bilinear), so strokes get coloured edges as in a screen capture of sub-pixel rendered text.

    Attributes:
        shift_px_range: channel shift, px (a third of a pixel on an RGB-stripe display).
    """

    shift_px_range: tuple = (0.2, 0.5)
    name: ClassVar[str] = "SubpixelShift"
    phase: ClassVar[str] = "page"

    def validate(self) -> None:
        self.shift_px_range = check_range(self.name, "shift_px_range", self.shift_px_range, 0, 3)

    def sample(self, rng: np.random.Generator, state: AugmentState) -> dict:
        return {"shift_px": draw(rng, self.shift_px_range)}

    @classmethod
    def apply(cls, state: AugmentState, params: dict) -> None:
        s = float(params["shift_px"])
        size = (state.width, state.height)
        r, g, b = cv2.split(state.image)
        move = [cv2.warpAffine(c, np.float32([[1, 0, d], [0, 1, 0]]), size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE) for c, d in ((r, -s), (b, s))]
        state.image = cv2.merge([move[0], g, move[1]])
