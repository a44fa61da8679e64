"""A mixture of augmentation presets: every page draws one whole preset by weight, then applies it.

A mixture file (the shipped ``mixed`` preset, ``synthdoc/augment/presets/mixed.yaml``, or a user's YAML)::

    description: what it is for
    mixture: {none: 0.15, light: 0.25, default: 0.25, scan: 0.15, photo: 0.1, heavy: 0.1}

Each key is a preset name or a stack YAML path (:func:`synthdoc.augment.stack.load_stack`; not another mixture).
The choice is one draw from the page's ``augment`` stream before the chosen stack draws its steps, so a page is
a pure function of (config, seed, index); the row's record is the chosen stack's record (its ``preset`` names
the chosen preset, which the dataset card counts) plus ``"mixture": <mixture name>``, and replays as any record.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synthdoc.doc import Page
from synthdoc.errors import SynthdocError


@dataclass
class MixtureStack:
    """Presets drawn per page by weight; the interface of :class:`synthdoc.augment.stack.AugmentStack` that the
    pipeline uses (``name``, ``empty``, ``steps``, ``apply``, ``run``).

    Attributes:
        name: the mixture's name (preset name or file path).
        stacks: the component stacks, in file order.
        weights: their weights (non-negative, positive sum), same order.
        description: free text.
    """

    name: str
    stacks: list
    weights: list[float]
    description: str = ""

    @property
    def steps(self) -> list:
        """Every step of every component (declaration order)."""
        return [s for stack in self.stacks for s in stack.steps]

    @property
    def empty(self) -> bool:
        return not self.steps

    def choose(self, rng: np.random.Generator):
        """The component stack of one page (one ``rng.random()`` draw against the cumulative weights)."""
        w = np.asarray(self.weights, np.float64)
        k = int(np.searchsorted(np.cumsum(w / w.sum()), rng.random(), side="right"))
        return self.stacks[min(k, len(self.stacks) - 1)]

    def apply(self, page: Page, background: np.ndarray, masks: dict, rng: np.random.Generator,
              mode: str | None = None) -> tuple:
        """(image, page, record) of :meth:`run` (same arguments)."""
        return self.run(page, background, masks, rng, mode)[:3]

    def run(self, page: Page, background: np.ndarray, masks: dict, rng: np.random.Generator,
            mode: str | None = None) -> tuple:
        """Draw a component (:meth:`choose`) and run it (:meth:`AugmentStack.run`, same arguments, including the
        page's layout `mode`, and returns an :class:`~synthdoc.augment.stack.Augmented`); the record also names the
        mixture."""
        out = self.choose(rng).run(page, background, masks, rng, mode)
        return out._replace(record={**out.record, "mixture": self.name})


def parse_mixture(data: dict, name: str, where: str, load) -> MixtureStack:
    """A :class:`MixtureStack` from a parsed mixture file (``mixture:`` and optionally ``description:``).

    Args:
        data: the parsed YAML mapping.
        name: the mixture's name (recorded in rows).
        where: where it came from, for messages.
        load: :func:`synthdoc.augment.stack.load_stack` (loads each component).

    Raises:
        SynthdocError: other keys, weights not finite non-negative numbers with a positive sum, a component that
            is itself a mixture or cannot be loaded.
    """
    bad = sorted(set(data) - {"mixture", "description"})
    mix: Any = data.get("mixture")
    if bad:
        raise SynthdocError(f"{where}: unknown key {bad[0]!r} in a mixture; valid keys: description, mixture")
    if not isinstance(mix, dict) or not mix or not all(
            isinstance(w, (int, float)) and not isinstance(w, bool) and np.isfinite(w) and w >= 0
            for w in mix.values()) or sum(mix.values()) <= 0:
        raise SynthdocError(f"{where}: `mixture` must map preset names or stack paths to non-negative weights with "
                            "a positive sum, e.g. {none: 1, scan: 1}")
    stacks = [load(str(k)) for k in mix]
    if any(isinstance(s, MixtureStack) for s in stacks):
        raise SynthdocError(f"{where}: a mixture cannot contain another mixture")
    return MixtureStack(name, stacks, [float(w) for w in mix.values()], str(data.get("description", "")))
