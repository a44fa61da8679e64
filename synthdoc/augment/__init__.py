"""Augmentation: steps in five phases (background, text, image, geometric, page), ``Compose`` / ``OneOf``
groups, YAML stacks and the shipped presets (``none``, ``light``, ``default``, ``scan``, ``photo``,
``heavy``). Every step keeps labels true: geometric steps move the quads with the pixels, the others stay
within a pixel or two of the glyphs. See :mod:`synthdoc.augment.stack` for the YAML format."""
from synthdoc.augment import backdrop, geometric, image, page, photo, screen, text  # noqa: F401  (register the steps)
from synthdoc.augment.base import (
           PHASES,
           STEPS,
           AugmentState,
           Compose,
           Layer,
           OneOf,
           Step,
)
from synthdoc.augment.stack import (
           AugmentStack,
           load_stack,
           parse_stack,
           preset_names,
           replay,
)

__all__ = ["PHASES", "STEPS", "AugmentState", "AugmentStack", "Compose", "Layer", "OneOf", "Step", "load_stack",
           "parse_stack", "preset_names", "replay"]
