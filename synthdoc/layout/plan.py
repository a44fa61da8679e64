"""Plans: what a layout mode's sampling step decided, so that its placing step draws nothing and a page can be
replayed from the record in its meta.

A mode's ``Plan`` (a dataclass subclassing :class:`Plan`) holds the page-level choices (page size, margins, faces,
sizes, alignment, ...) as named fields, drawn up front by ``sample_plan(params, inp, rng)``. Choices whose number
depends on where text falls (another heading? which text next? where does a rotated phrase go?) cannot be drawn
up front without changing the order of draws; they live on the plan's :class:`Tape`: the placing step asks the
tape for them by name, in order. While sampling, the tape draws each one with the draw function the mode gave it
(from the sampling step's generator) and records it; on replay it reads the recorded value back and draws
nothing. ``place(plan, inp) -> Page`` therefore never holds a generator.

Recorded values are plain JSON (numbers, strings, booleans, lists, dicts); faces are recorded by key
(``FaceInfo.key``, "path#index").
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


_LEAVES = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """`value` as plain JSON types: numpy scalars to Python numbers, tuples to lists, dict keys to strings."""
    if type(value) in _LEAVES:  # exactly str, int, float, bool or None (np.float64 subclasses float: not here)
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


class ReplayError(ValueError):
    """A recorded plan does not match what the placing step asks for (another template or code version)."""


class Tape:
    """Named decisions in the order the placing step asks for them: drawn and recorded while sampling,
    read back on replay.

    Args:
        rng: the sampling step's generator (sampling), or None (replay).
        record: recorded [name, value] pairs (replay).
    """

    def __init__(self, rng: np.random.Generator | None = None, record: list | None = None):
        self._rng = rng
        self.record: list[list] = [] if record is None else [list(r) for r in record]
        self._pos = 0

    def take(self, name: str, draw: Callable[..., Any], *args: Any) -> Any:
        """The next decision `name`: ``draw(rng, *args)`` as plain JSON while sampling, the recorded value on replay.

        Raises:
            ReplayError: on replay, the record is exhausted or its next decision is not `name`.
        """
        if self._rng is None:
            if self._pos >= len(self.record) or self.record[self._pos][0] != name:
                got = self.record[self._pos][0] if self._pos < len(self.record) else "the end of the record"
                raise ReplayError(f"plan replay: expected decision {name!r}, found {got!r}")
            self._pos += 1
            return self.record[self._pos - 1][1]
        value = plain(draw(self._rng, *args))
        self.record.append([name, value])
        return value


@dataclass
class Plan:
    """Base of every mode's plan.

    Attributes:
        layout: template name.
        page_size: page size name (e.g. "A4", "16:9").
        width, height: page size, px.
        tape: decisions drawn while placing (see :class:`Tape`).
        params: the template's parameters (not recorded: the template is named in the row's meta).
    """

    layout: str
    page_size: str
    width: int
    height: int
    tape: Tape = field(default_factory=Tape, repr=False, compare=False, metadata={"record": False})
    params: Any = field(default=None, repr=False, compare=False, metadata={"record": False})


def _recorded(cls_or_plan) -> list[str]:
    """Names of the fields a plan records (those not marked ``metadata={"record": False}``)."""
    return [f.name for f in dataclasses.fields(cls_or_plan) if f.init and f.metadata.get("record", True)]


def plan_record(plan: Plan) -> dict:
    """The plan as plain JSON: its fields (numbers, strings, face keys) and ``tape`` (the [name, value] list)."""
    out = {name: plain(getattr(plan, name)) for name in _recorded(plan)}
    out["tape"] = plain(plan.tape.record)
    return out


def plan_from_record(cls: type, record: dict, params: Any) -> Plan:
    """Rebuild a plan of class `cls` from :func:`plan_record`'s output, for `params` (the template's parameters).

    Raises:
        ReplayError: the record does not name every field of `cls`.
    """
    names = _recorded(cls)
    missing = [n for n in names if n not in record]
    if missing:
        raise ReplayError(f"plan replay: {cls.__name__} record lacks {', '.join(missing)}")
    return cls(**{n: record[n] for n in names}, tape=Tape(record=record.get("tape", [])), params=params)
