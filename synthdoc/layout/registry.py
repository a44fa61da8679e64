"""Layout modes by name: mode -> (params dataclass, generate function)."""
from __future__ import annotations

from synthdoc.errors import SynthdocError


MODES = ("multi_column", "vertical", "table", "toc", "slide", "document", "scattered")


def _modes() -> dict:
    """Mode name -> module (each defines ``Params`` and ``generate``; optionally ``supports``)."""
    import importlib

    out = {}
    for name in MODES:
        try:
            out[name] = importlib.import_module(f"synthdoc.layout.{name}")
        except ModuleNotFoundError as e:  # a mode not built yet; any other missing import is an error
            if e.name != f"synthdoc.layout.{name}":
                raise
    return out


def params_class(mode: str, where: str = "layout") -> type:
    """Params dataclass of `mode`.

    Raises:
        SynthdocError: unknown mode.
    """
    modes = _modes()
    if mode not in modes:
        raise SynthdocError(f"{where}: unknown layout mode {mode!r}; available: {', '.join(modes)}")
    return modes[mode].Params


def generate_fn(mode: str):
    """``generate(ctx, template, rng) -> Page`` of `mode`."""
    return _modes()[mode].generate


def supports(mode: str, lang) -> bool:
    """True when `mode` can lay out `lang` (a mode without a ``supports`` function takes every language)."""
    fn = getattr(_modes()[mode], "supports", None)
    return True if fn is None else bool(fn(lang))
