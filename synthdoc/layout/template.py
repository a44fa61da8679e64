"""Layout templates: YAML files of parameters (ranges, weights) validated against a mode's schema.

A template names its ``mode`` (a module in :mod:`synthdoc.layout`) and sets that mode's parameters.
Ranges are ``[low, high]`` lists, weights are ``{choice: weight}`` mappings. Errors name the file and key.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from synthdoc.config import is_finite_number, read_yaml_mapping
from synthdoc.errors import SynthdocError
from synthdoc.resources import data_path


def sample_range(rng: np.random.Generator, r: tuple[float, float]) -> float:
    """Uniform draw from [low, high]."""
    return float(rng.uniform(r[0], r[1])) if r[1] > r[0] else float(r[0])


def sample_weighted(rng: np.random.Generator, weights: Mapping[Any, float]) -> Any:
    """Draw a key of `weights` with probability proportional to its value (keys in sorted-by-insertion order)."""
    keys = list(weights)
    w = np.asarray([float(weights[k]) for k in keys])
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


MM_PER_INCH = 25.4


def check_choices(weights: Mapping, choices: Mapping, weights_key: str, choices_key: str) -> None:
    """Raise ValueError when `weights` names a choice that `choices` does not define."""
    unknown = set(weights) - set(choices)
    if unknown:
        raise ValueError(f"{weights_key} names entries not in {choices_key}: {sorted(unknown)}")


def sample_page_px(rng: np.random.Generator, sizes_mm: Mapping[str, Any], weights: Mapping[str, float],
                   dpi: float) -> tuple[str, int, int]:
    """Draw a paper size by weight and convert it to pixels.

    Args:
        sizes_mm: name -> [width_mm, height_mm].
        weights: name -> weight.
        dpi: dots per inch.

    Returns:
        (name, width_px, height_px), rounded to whole pixels (25.4 mm per inch).
    """
    name = sample_weighted(rng, weights)
    w_mm, h_mm = sizes_mm[name]
    return name, int(round(w_mm / MM_PER_INCH * dpi)), int(round(h_mm / MM_PER_INCH * dpi))


@dataclass(frozen=True)
class PageParams:
    """Parameters every paper-page mode shares: paper sizes (mm) and their weights, resolution (dpi),
    margins (fraction of the page width), font role weights, the ink / paper grey ranges (0-255) and inline
    emphasis: ``emphasis_p`` (chance that a body paragraph holds italic/bold runs; 0: none, nothing drawn),
    ``emphasis_runs_range`` (runs per such paragraph), ``emphasis_words_range`` (words per run),
    ``emphasis_weights`` ({italic, bold}); see :mod:`synthdoc.layout.emphasis` (used by the modes with body
    paragraphs: multi_column, document).
    A mode's ``Params`` subclasses it and may override these defaults."""

    page_sizes_mm: dict = field(default_factory=lambda: {"A4": [210, 297]})
    page_size_weights: dict = field(default_factory=lambda: {"A4": 1})
    dpi: float = 150
    margin_frac_range: tuple = (0.06, 0.10)
    font_role_weights: dict = field(default_factory=lambda: {"serif": 1, "sans": 1})
    ink_gray_range: tuple = (0, 70)
    paper_gray_range: tuple = (228, 255)
    emphasis_p: float = 0.0
    emphasis_runs_range: tuple = (1, 2)
    emphasis_words_range: tuple = (1, 3)
    emphasis_weights: dict = field(default_factory=lambda: {"italic": 2, "bold": 1})

    def __post_init__(self) -> None:
        check_choices(self.page_size_weights, self.page_sizes_mm, "page_size_weights", "page_sizes_mm")
        check_choices(self.emphasis_weights, {"italic": 0, "bold": 0}, "emphasis_weights", "the styles italic, bold")
        if self.emphasis_runs_range[0] < 1 or self.emphasis_words_range[0] < 1:
            raise ValueError("emphasis_runs_range and emphasis_words_range must start at 1 or more")


GRAY_LEVELS = (0.0, 255.0)  # keys ending in gray_range are 8-bit grey levels
MIN_INK_CONTRAST = 100.0  # paper_gray_range low - ink_gray_range high, grey levels: text is never near-invisible
MAX_DPI = 1200.0  # resolution cap (a 1200 dpi A4 page is 9921 x 14031 px)
PAGE_MM_RANGE = (10.0, 2000.0)  # paper sides in mm


def _validate_range(name: str, value: Any, where: str) -> tuple[float, float]:
    if (not isinstance(value, (list, tuple)) or len(value) != 2 or not all(is_finite_number(v) for v in value)
            or value[0] > value[1]):
        raise SynthdocError(f"{where}: key {name!r} must be a range [low, high] of finite numbers with low <= high, "
                            f"got {_short(value)}")
    if name.endswith("gray_range") and not (GRAY_LEVELS[0] <= value[0] and value[1] <= GRAY_LEVELS[1]):
        raise SynthdocError(f"{where}: key {name!r} holds grey levels, which lie in [0, 255], got {_short(value)}")
    return (float(value[0]), float(value[1]))


def _validate_page_sizes(name: str, value: Any, where: str) -> dict:
    lo, hi = PAGE_MM_RANGE
    if (not isinstance(value, Mapping) or not value or not all(
            isinstance(v, (list, tuple)) and len(v) == 2 and all(is_finite_number(x) and lo <= x <= hi for x in v)
            for v in value.values())):
        raise SynthdocError(f"{where}: key {name!r} must map paper names to [width_mm, height_mm] with sides "
                            f"{lo:g}-{hi:g} mm, got {_short(value)}")
    return {k: [float(x) for x in v] for k, v in value.items()}


def _validate_value(name: str, default: Any, value: Any, where: str) -> Any:
    if name.endswith("_range"):
        return _validate_range(name, value, where)
    if name == "page_sizes_mm":
        return _validate_page_sizes(name, value, where)
    if name.endswith("_weights"):
        if (not isinstance(value, Mapping) or not value
                or not all(is_finite_number(v) and v >= 0 for v in value.values()) or sum(value.values()) <= 0):
            raise SynthdocError(f"{where}: key {name!r} must map choices to finite non-negative weights (not all "
                                f"zero), got {_short(value)}")
        return dict(value)
    if name.endswith("_p"):
        if not is_finite_number(value) or not 0 <= value <= 1:
            raise SynthdocError(f"{where}: key {name!r} must be a probability in [0, 1], got {_short(value)}")
        return float(value)
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if not is_finite_number(value) or value <= 0:
            raise SynthdocError(f"{where}: key {name!r} must be a positive finite number, got {_short(value)}")
        if name == "dpi" and value > MAX_DPI:
            raise SynthdocError(f"{where}: key 'dpi' must be at most {MAX_DPI:g}, got {_short(value)}")
    return value


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _check_contrast(params: Any, where: str) -> None:
    """Refuse ink that can be as light as the paper can be dark (less than MIN_INK_CONTRAST grey levels apart).

    Raises:
        SynthdocError: naming both ranges.
    """
    ink, paper = getattr(params, "ink_gray_range", None), getattr(params, "paper_gray_range", None)
    if ink is not None and paper is not None and paper[0] - ink[1] < MIN_INK_CONTRAST:
        raise SynthdocError(f"{where}: ink_gray_range {list(ink)} and paper_gray_range {list(paper)} leave less than "
                            f"{MIN_INK_CONTRAST:g} grey levels between the lightest ink and the darkest paper; "
                            "darken the ink or lighten the paper")


def params_from_mapping(cls: type, data: Mapping[str, Any], where: str) -> Any:
    """Build the params dataclass `cls` from `data`, validating keys, ranges, weights and probabilities.

    Raises:
        SynthdocError: unknown key or invalid value (one line naming `where` and the key).
    """
    names = {f.name: f for f in fields(cls)}
    kwargs = {}
    for key, value in data.items():
        if key == "mode":
            continue
        if key not in names:
            raise SynthdocError(f"{where}: unknown key {key!r}; valid keys: {', '.join(sorted(names))}")
        kwargs[key] = _validate_value(key, cls.__dataclass_fields__[key].default, value, where)
    try:
        params = cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise SynthdocError(f"{where}: {e}") from None
    _check_contrast(params, where)
    return params


@dataclass(frozen=True)
class Template:
    """A loaded template: name (file stem), mode, validated params, source path."""

    name: str
    mode: str
    params: Any
    path: str


def load_template(spec: str) -> Template:
    """Load a template by bundled name (``multi_column``) or by YAML path.

    Raises:
        SynthdocError: unknown name, unreadable file, bad YAML, unknown mode, invalid key or range.
    """
    from synthdoc.layout import registry

    p = Path(spec)
    if not (p.suffix in (".yaml", ".yml") and p.exists()):
        p = data_path("layouts") / f"{spec}.yaml"
        if not p.exists():
            names = sorted(f.stem for f in data_path("layouts").glob("*.yaml"))
            raise SynthdocError(f"unknown layout {spec!r}; use one of {', '.join(names)} or a path to a template .yaml")
    data = read_yaml_mapping(p, "layout template", "check the --layouts path")
    mode = data.get("mode", p.stem)
    if not isinstance(mode, str) or not mode:
        raise SynthdocError(f"{p}: key 'mode' must name a layout mode, e.g. multi_column, got {_short(mode)}")
    params_cls = registry.params_class(mode, str(p))
    return Template(name=p.stem, mode=mode, params=params_from_mapping(params_cls, data, str(p)), path=str(p))
