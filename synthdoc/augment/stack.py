"""Augmentation stacks: YAML declaration, shipped presets, applying a stack to a page, replaying a record.

A stack file::

    description: what it is for          # optional
    min_contrast: 4.5                    # optional: WCAG ratio ink keeps after background steps
    legibility: {min_coverage: 0.45}     # optional: thresholds of the per-word legibility check
    steps:                               # steps and groups, each a one-key mapping
      - PaperTexture: {p: 0.5}
      - OneOf:
          p: 0.3
          steps:
            - GaussianBlur: {sigma_px_range: [0.3, 0.8]}
            - MotionBlur: {}
      - Jpeg: {p: 0.5, quality_range: [60, 95]}
      - PaperTexture: {skip_modes: [slide, scattered]}   # any step or group: modes / skip_modes

Applying (:meth:`AugmentStack.apply`): the tree selects its steps with the page's ``augment`` stream
(``p`` of each step and group, the ``OneOf`` choices), the selected steps are ordered by phase (background,
text, image, geometric, page; declaration order inside a phase), then each draws its parameters from the same
stream and applies them. Last, every word is checked for legibility in the final page
(:mod:`synthdoc.augment.legibility`) and marked ``ignore`` when its glyphs did not survive. The record
``{"preset", "min_contrast", "legibility", "ignored_words", "steps": [{"name", "params"}]}`` holds exactly what
was applied; :func:`replay` re-applies it to the clean render and gives identical pixels and labels.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from synthdoc.augment.base import (
    PHASES,
    STEPS,
    AugmentState,
    Compose,
    OneOf,
    Step,
    check_modes,
)
from synthdoc.augment.legibility import LegibilityRule, illegible_words, mark_illegible
from synthdoc.config import read_yaml_mapping
from synthdoc.doc import Page
from synthdoc.errors import SynthdocError

PRESET_DIR = Path(__file__).resolve().parent / "presets"
STACK_KEYS = ("description", "min_contrast", "legibility", "steps")


def preset_names() -> list[str]:
    """Names of the shipped presets (``synthdoc/augment/presets/<name>.yaml``)."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


class Augmented(NamedTuple):
    """One augmented page (:meth:`AugmentStack.run`).

    Attributes:
        image: (H, W, 3) uint8 RGB page.
        page: the page with transformed quads and illegible words marked ``ignore``.
        record: what was applied, for the row's meta (replays the page).
        jpeg: JPEG bytes that decode to `image` exactly (the last step applied was an unblended JPEG
            re-compression), or None. A JPEG dataset stores them as the row's image instead of encoding `image`
            again: one compression, and the file holds the pixels the legibility check judged.
    """

    image: np.ndarray
    page: Page
    record: dict
    jpeg: bytes | None = None


@dataclass
class AugmentStack:
    """A parsed stack.

    Attributes:
        name: preset name or file path (recorded in each row's meta).
        root: the top-level group of steps.
        min_contrast: WCAG contrast ratio ink keeps against the background after background steps.
        description: free text.
        legibility: thresholds of the per-word legibility check run after the last step.
    """

    name: str
    root: Compose
    min_contrast: float = 4.5
    description: str = ""
    legibility: LegibilityRule = dataclasses.field(default_factory=LegibilityRule)

    @property
    def steps(self) -> list[Step]:
        """Every step of the stack (all branches), in declaration order."""
        return self.root.leaves()

    @property
    def empty(self) -> bool:
        return not self.steps

    def apply(self, page: Page, background: np.ndarray, masks: dict, rng: np.random.Generator,
              mode: str | None = None) -> tuple[np.ndarray, Page, dict]:
        """(image, page, record) of :meth:`run` (same arguments)."""
        return self.run(page, background, masks, rng, mode)[:3]

    def run(self, page: Page, background: np.ndarray, masks: dict, rng: np.random.Generator,
            mode: str | None = None) -> Augmented:
        """Augment one page.

        Args:
            page: the laid-out page (not modified; geometric steps return a transformed copy).
            background: (H, W, 3) uint8 RGB background layer with rules (may be modified in place).
            masks: ink colour -> (H, W) uint8 coverage, as :func:`synthdoc.render.compose.text_masks` returns.
            rng: the page's ``augment`` stream (``synthdoc.rng.sample_rng(seed, index, "augment", attempt)``).
            mode: the page's layout mode, for steps declared with ``modes`` / ``skip_modes`` (None: every step).

        Returns:
            :class:`Augmented`: (H, W, 3) uint8 RGB image, page with transformed quads and illegible words marked
            ``ignore``, record for the row's meta, and the image's JPEG bytes when the last step applied was an
            unblended :class:`synthdoc.augment.page.Jpeg`. With no steps the image is the clean composite, byte
            for byte.
        """
        state = AugmentState.from_render(page, background, masks, self.min_contrast)
        chosen = sorted(self.root.select(rng, mode), key=lambda s: PHASES.index(s.phase))  # stable: keeps declaration order
        records = []
        for step in chosen:
            state.advance(step.phase)
            params = step.sample(rng, state)
            if params is None:
                continue
            params = json.loads(json.dumps(params))  # apply exactly what is recorded (the row's JSON meta)
            step.apply(state, params)
            records.append({"name": step.name, "params": params})
        image, page, ignored = finish(state, self.legibility, bool(records))
        # no step after an unblended Jpeg: the page is its bytes, decoded (finish composites nothing in the page phase)
        last_jpeg = records and records[-1]["name"] == "Jpeg" and state.jpeg is not None
        return Augmented(image, page, {"preset": self.name, "min_contrast": self.min_contrast,
                                       "legibility": self.legibility.to_dict(), "ignored_words": ignored,
                                       "steps": records},
                         state.jpeg.tobytes() if last_jpeg else None)


def finish(state: AugmentState, rule: LegibilityRule, changed: bool = True) -> tuple[np.ndarray, Page, int]:
    """The composited page of `state` after every phase, its page with the words `rule` finds illegible marked
    ``ignore``, and how many words that newly ignored. `changed`: some step was applied (else the stroke
    coverage rule is skipped: a clean composite keeps every stroke by construction)."""
    image = state.finish()
    ridge = state.ridge_points()[:2] if changed else None
    bad = illegible_words(image, state.ink_ref, state.drawn, state.page, rule, ridge, changed)
    page, ignored = mark_illegible(state.page, bad)
    return image, page, ignored


def replay(record: dict, page: Page, background: np.ndarray, masks: dict) -> tuple[np.ndarray, Page]:
    """Re-apply a recorded augmentation (``meta["augment"]`` of a row) to the clean render of its page.

    Args:
        record: {"min_contrast", "legibility", "steps": [{"name", "params"}, ...]} (steps in application order).
        page: the clean laid-out page.
        background: (H, W, 3) uint8 RGB clean background layer (may be modified in place).
        masks: ink colour -> (H, W) uint8 coverage of the clean render.

    Returns:
        ((H, W, 3) uint8 RGB image, page with transformed quads and ignored words) — identical to what the stack
        produced.

    Raises:
        SynthdocError: a step name that is not registered.
    """
    state = AugmentState.from_render(page, background, masks, float(record.get("min_contrast", 4.5)))
    for rec in record["steps"]:
        cls = STEPS.get(rec["name"])
        if cls is None:
            raise SynthdocError(f"cannot replay unknown augmentation step {rec['name']!r}; "
                                f"known steps: {', '.join(sorted(STEPS))}")
        state.advance(cls.phase)
        cls.apply(state, rec["params"])
    image, page, _ = finish(state, LegibilityRule.from_mapping(record.get("legibility"), "replay"), bool(record["steps"]))
    return image, page


# --- loading --------------------------------------------------------------------------------------------------------


def _node(item: Any, where: str):
    """A step, Compose or OneOf from a one-key mapping ``{Name: {params}}``."""
    if isinstance(item, str):
        item = {item: None}
    if not isinstance(item, dict) or len(item) != 1:
        raise SynthdocError(f"{where}: each entry must be a one-key mapping like `GaussianBlur: {{p: 0.3}}`, got {item!r}")
    (key, args), = item.items()
    args = {} if args is None else args
    if not isinstance(args, dict):
        raise SynthdocError(f"{where}: parameters of {key} must be a mapping, got {args!r}")
    if key in ("Compose", "OneOf"):
        extra = set(args) - ({"steps", "p", "modes", "skip_modes"} | ({"weights"} if key == "OneOf" else set()))
        if extra:
            raise SynthdocError(f"{where}: {key}: unknown key {sorted(extra)[0]!r}; use steps, p, modes, skip_modes"
                                + (", weights" if key == "OneOf" else ""))
        steps = args.get("steps")
        if not isinstance(steps, list) or not steps:
            raise SynthdocError(f"{where}: {key}: `steps` must be a non-empty list")
        children = [_node(s, f"{where}.{key}.steps[{i}]") for i, s in enumerate(steps)]
        p = args.get("p", 1.0)
        if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0 <= p <= 1:
            raise SynthdocError(f"{where}: {key}: p must be a number in [0, 1], got {p!r}")
        try:
            modes = check_modes(key, "modes", args.get("modes")), check_modes(key, "skip_modes", args.get("skip_modes"))
            if key == "Compose":
                return Compose(children, float(p), *modes)
            return OneOf(children, float(p), args.get("weights"), *modes)
        except ValueError as e:
            raise SynthdocError(f"{where}: {e}") from None
    cls = STEPS.get(key)
    if cls is None:
        raise SynthdocError(f"{where}: unknown augmentation step {key!r}; known: Compose, OneOf, "
                            f"{', '.join(sorted(STEPS))}")
    valid = {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    bad = sorted(set(args) - valid)
    if bad:
        raise SynthdocError(f"{where}: {key}: unknown parameter {bad[0]!r}; valid: {', '.join(sorted(valid))}")
    try:
        return cls(**args)
    except SynthdocError as e:
        raise SynthdocError(f"{where}: {e}") from None
    except (TypeError, ValueError) as e:
        raise SynthdocError(f"{where}: {e}") from None


def parse_stack(data: Any, name: str, where: str) -> AugmentStack:
    """An :class:`AugmentStack` from a parsed YAML mapping.

    Raises:
        SynthdocError: not a mapping, unknown key, bad step entry or parameter (names `where` and the entry).
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SynthdocError(f"{where}: an augmentation stack must be a mapping with `steps:` (and optionally "
                            "`min_contrast:`, `description:`)")
    bad = sorted(set(data) - set(STACK_KEYS))
    if bad:
        raise SynthdocError(f"{where}: unknown key {bad[0]!r}; valid keys: {', '.join(STACK_KEYS)}")
    steps = data.get("steps") or []
    if not isinstance(steps, list):
        raise SynthdocError(f"{where}: `steps` must be a list of steps")
    mc = data.get("min_contrast", 4.5)
    if not isinstance(mc, (int, float)) or isinstance(mc, bool) or not 1 <= mc <= 21:
        raise SynthdocError(f"{where}: min_contrast must be a WCAG contrast ratio in [1, 21], got {mc!r}")
    root = Compose([_node(s, f"{where}: steps[{i}]") for i, s in enumerate(steps)])
    try:
        rule = LegibilityRule.from_mapping(data.get("legibility"), where)
    except ValueError as e:
        raise SynthdocError(str(e)) from None
    return AugmentStack(name, root, float(mc), str(data.get("description", "")), rule)


def load_stack(spec: str | dict | None) -> AugmentStack:
    """The stack named by `spec`: a preset name (``none``, ``light``, ``default``, ``scan``, ``photo``,
    ``heavy``, and the mixture ``mixed``), a path to a stack or mixture YAML file, or an already parsed mapping.
    None means ``none``. A file with a ``mixture:`` key gives a :class:`synthdoc.augment.mixture.MixtureStack`.

    Raises:
        SynthdocError: unknown preset and no such file, unreadable or invalid YAML, invalid stack.
    """
    if spec is None:
        spec = "none"
    if isinstance(spec, dict):
        return parse_stack(spec, "inline", "augment")
    if not isinstance(spec, str) or not spec:
        raise SynthdocError(f"augment: expected a preset name or a stack YAML path, got {spec!r}")
    names = preset_names()
    path = PRESET_DIR / f"{spec}.yaml" if spec in names else Path(spec).expanduser()
    if spec not in names and not path.is_file():
        raise SynthdocError(f"unknown augmentation preset or file {spec!r}; use one of {', '.join(names)} "
                            "or the path of a stack YAML file")
    data = read_yaml_mapping(path, "augmentation stack", "check the --augment path")
    where = spec if spec not in names else f"preset {spec}"
    if isinstance(data, dict) and "mixture" in data:  # a mixture of presets (synthdoc.augment.mixture)
        from synthdoc.augment.mixture import parse_mixture
        return parse_mixture(data, spec, where, load_stack)
    return parse_stack(data, spec, where)
