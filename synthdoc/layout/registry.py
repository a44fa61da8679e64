"""Layout modes by name: mode -> (params dataclass, generate function)."""
from __future__ import annotations

from synthdoc.errors import SynthdocError


def _modes() -> dict:
    from synthdoc.layout import multi_column

    return {"multi_column": multi_column}


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
