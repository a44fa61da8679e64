"""Augmentation: steps in five phases (background, text, image, geometric, page), ``Compose`` / ``OneOf``
groups, YAML stacks and the shipped presets (``none``, ``light``, ``default``, ``scan``, ``photo``,
``heavy``). Every step keeps labels true: geometric steps move the quads with the pixels, the others stay
within a pixel or two of the glyphs. See :mod:`synthdoc.augment.stack` for the YAML format.

Registry: every module of this package is imported once, here, so a step decorated with ``@register`` in a new
module (copy ``screen.py``) is in :data:`STEPS` without editing a list."""
import importlib
import pkgutil

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

for _module in pkgutil.iter_modules(__path__):  # register the steps of every module (one new file adds a step)
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["PHASES", "STEPS", "AugmentState", "AugmentStack", "Compose", "Layer", "OneOf", "Step", "load_stack",
           "parse_stack", "preset_names", "replay"]
