"""Layout modes by name, registered by their modules with :func:`layout_mode` and looked up once per process.

A mode is a module of :mod:`synthdoc.layout` that defines ``Params`` (template parameters), ``Plan`` (a
:class:`synthdoc.layout.plan.Plan`), ``sample_plan(params, inp, rng) -> Plan`` and ``place(plan, inp) -> Page``
and registers them with the decorator on ``place``. Every other module of the package is a shared part
(:data:`SHARED`). Modules are imported once, the first time a mode is looked up.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from synthdoc.errors import SynthdocError
from synthdoc.layout.plan import plan_from_record, plan_record

SHARED = frozenset({"base", "breaking", "emphasis", "flow", "place", "plan", "registry", "template", "typeset",
                    "hyphenate", "table_values", "slide_kinds"})
"""Modules of synthdoc.layout that are shared parts, not modes."""


@dataclass(frozen=True)
class Mode:
    """A registered layout mode.

    Attributes:
        name: mode name (what a template's ``mode`` key says).
        params: the template parameters dataclass.
        plan: the plan dataclass.
        sample_plan: ``(params, inp, rng) -> plan``: draws the page-level choices.
        place: ``(plan, inp) -> Page``: lays the page out; draws nothing.
        supports: ``(language) -> bool``: languages the mode can lay out.
    """

    name: str
    params: type
    plan: type
    sample_plan: Callable
    place: Callable
    supports: Callable[[Any], bool]

    def generate(self, inp, template, rng: np.random.Generator):
        """Sample a plan for `template` and place it: the page, with the plan recorded in ``page.meta["plan"]``."""
        plan = self.sample_plan(template.params, inp, rng)
        plan.layout = template.name
        page = self.place(plan, inp)
        page.meta["plan"] = plan_record(plan)
        return page

    def replay(self, inp, template, record: dict):
        """The page of a recorded plan (``page.meta["plan"]``) for `template`; draws nothing."""
        return self.place(plan_from_record(self.plan, record, template.params), inp)


_MODES: dict[str, Mode] = {}
_LOADED = False


def _every_language(lang) -> bool:
    return True


def layout_mode(name: str, *, params: type, plan: type, sample_plan: Callable,
                supports: Callable[[Any], bool] | None = None) -> Callable:
    """Decorator on a mode's ``place`` function: register the mode under `name`.

    Raises:
        ValueError: `name` registered twice.
    """
    def register(place: Callable) -> Callable:
        if name in _MODES and _MODES[name].place.__module__ != place.__module__:
            raise ValueError(f"layout mode {name!r} registered twice")
        _MODES[name] = Mode(name, params, plan, sample_plan, place, supports or _every_language)
        return place

    return register


def modes() -> dict[str, Mode]:
    """Every registered mode by name (imports the mode modules of synthdoc.layout once)."""
    global _LOADED
    if not _LOADED:
        import synthdoc.layout as pkg

        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if info.name not in SHARED and not info.name.startswith("_"):
                importlib.import_module(f"synthdoc.layout.{info.name}")
        _LOADED = True
    return _MODES


def mode(name: str, where: str = "layout") -> Mode:
    """The mode called `name`.

    Raises:
        SynthdocError: unknown mode.
    """
    found = modes().get(name)
    if found is None:
        raise SynthdocError(f"{where}: unknown layout mode {name!r}; available: {', '.join(sorted(modes()))}")
    return found


def params_class(name: str, where: str = "layout") -> type:
    """Params dataclass of mode `name`.

    Raises:
        SynthdocError: unknown mode.
    """
    return mode(name, where).params


def supports(name: str, lang) -> bool:
    """True when mode `name` can lay out `lang`."""
    return bool(mode(name).supports(lang))
