"""Layout modes by name: mode -> (params dataclass, generate function)."""
from __future__ import annotations

from synthdoc.errors import SynthdocError


def _modes() -> dict:
    from synthdoc.layout import multi_column, vertical

    return {"multi_column": multi_column, "vertical": vertical}


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
