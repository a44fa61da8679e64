"""Compact cmap storage: a face's covered code points as sorted inclusive ranges (:class:`Cmap`), the form the font
index stores them in (:func:`encode_cmap` / :func:`decode_cmap`).

A CJK face maps 20,000-65,000 code points; as a Python ``frozenset`` that is 2-4 MB per face, ~1 GB for the
~4,800 faces of the extra fonts, and decoding it made most of the start-up. As ranges it is a few KB (a CJK
cmap has a few hundred to a few thousand runs of consecutive code points), membership is a binary search and
whole-set questions (how many exemplar characters a face lacks) are vectorised with ``np.searchsorted``.
"""
from __future__ import annotations

import base64
from bisect import bisect_right
from typing import Iterable, Iterator, Sequence

import numpy as np


class Cmap:
    """Immutable set of code points stored as sorted, disjoint, non-adjacent inclusive ranges.

    Behaves as a read-only set of ints for what the renderer asks: ``cp in cmap``, ``len``, iteration (ascending),
    ``==`` and ``hash`` (by content). The Python lists behind ``in`` are built on first use only, so the thousands
    of faces of a catalogue that are never typeset cost their two small numpy arrays.

    Args:
        starts: (n,) first code point of each range, ascending.
        ends: (n,) last code point of each range (inclusive); ``starts[i] <= ends[i] < starts[i + 1] - 1``.

    Raises:
        ValueError: ranges that end before they start, overlap, touch or are out of order.
    """

    __slots__ = ("starts", "ends", "_lists", "_hash", "_len")

    def __init__(self, starts: np.ndarray, ends: np.ndarray):
        starts = np.ascontiguousarray(starts, np.uint32)
        ends = np.ascontiguousarray(ends, np.uint32)
        if starts.shape != ends.shape or starts.ndim != 1:
            raise ValueError("cmap range starts and ends differ in shape")
        if (ends < starts).any():
            raise ValueError("cmap range ends before it starts")
        if (starts[1:].astype(np.int64) <= ends[:-1].astype(np.int64) + 1).any():
            raise ValueError("cmap ranges overlap, touch or are out of order")
        starts.flags.writeable = False
        ends.flags.writeable = False
        self.starts, self.ends = starts, ends
        self._lists: tuple[list[int], list[int]] | None = None
        self._hash: int | None = None
        self._len = int((ends.astype(np.int64) - starts + 1).sum())

    @classmethod
    def from_points(cls, cps: Iterable[int]) -> Cmap:
        """The cmap of any iterable of code points (duplicates and order do not matter)."""
        c = np.unique(np.fromiter(cps, np.int64))
        if c.size == 0:
            return cls(np.zeros(0, np.uint32), np.zeros(0, np.uint32))
        breaks = np.flatnonzero(np.diff(c) != 1)
        return cls(np.concatenate(([c[0]], c[breaks + 1])), np.concatenate((c[breaks], [c[-1]])))

    def __contains__(self, cp: object) -> bool:
        if self._lists is None:
            self._lists = (self.starts.tolist(), self.ends.tolist())
        starts, ends = self._lists
        i = bisect_right(starts, cp) - 1
        return i >= 0 and cp <= ends[i]

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[int]:
        for a, b in zip(self.starts.tolist(), self.ends.tolist()):
            yield from range(a, b + 1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cmap):
            return NotImplemented
        return np.array_equal(self.starts, other.starts) and np.array_equal(self.ends, other.ends)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self.starts.tobytes(), self.ends.tobytes()))
        return self._hash

    def __repr__(self) -> str:
        return f"Cmap({self._len} code points in {self.starts.size} ranges)"

    def __getstate__(self) -> tuple[bytes, bytes]:
        return self.starts.tobytes(), self.ends.tobytes()

    def __setstate__(self, state: tuple[bytes, bytes]) -> None:
        self.__init__(np.frombuffer(state[0], np.uint32).copy(), np.frombuffer(state[1], np.uint32).copy())

    def contains_many(self, cps: np.ndarray) -> np.ndarray:
        """(n,) bool: which of the code points `cps` ((n,) integer array, any order) the cmap maps."""
        cps = np.asarray(cps, np.int64)
        if not self.starts.size:
            return np.zeros(cps.shape, bool)
        i = np.searchsorted(self.starts, cps, side="right") - 1
        return (i >= 0) & (cps <= self.ends[np.maximum(i, 0)])

    def count_missing(self, cps: np.ndarray) -> int:
        """How many of the code points `cps` ((n,) integer array, distinct) the cmap lacks."""
        return int(cps.size - np.count_nonzero(self.contains_many(cps))) if cps.size else 0

    def count_in(self, intervals: Sequence[tuple[int, int]]) -> int:
        """How many mapped code points lie in the inclusive intervals [(lo, hi), ...] (disjoint)."""
        lo = np.array([a for a, _ in intervals], np.int64)
        hi = np.array([b for _, b in intervals], np.int64)
        overlap = (np.minimum(self.ends[:, None].astype(np.int64), hi)
                   - np.maximum(self.starts[:, None].astype(np.int64), lo) + 1)
        return int(overlap[overlap > 0].sum())


def encode_cmap(cps: Iterable[int] | Cmap) -> str:
    """A cmap as the index stores it: the inclusive code point ranges [(a0, b0), (a1, b1), ...] of the sorted code
    points, as little-endian uint32 pairs a0 b0 a1 b1 ..., base64 (ASCII). One JSON string per face decodes
    much faster than a JSON list of ranges."""
    cmap = cps if isinstance(cps, Cmap) else Cmap.from_points(cps)
    if not len(cmap):
        return ""
    return base64.b64encode(np.stack([cmap.starts, cmap.ends], axis=1).astype("<u4").tobytes()).decode("ascii")


def decode_cmap(text: str) -> Cmap:
    """The :class:`Cmap` of an :func:`encode_cmap` string (no per-code-point work: the ranges are used as stored).

    Raises:
        ValueError: not base64 of whole uint32 pairs, or ranges that are not ascending and disjoint.
    """
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) % 8:
        raise ValueError("cmap ranges are not whole uint32 pairs")
    pairs = np.frombuffer(raw, "<u4").reshape(-1, 2)
    return Cmap(pairs[:, 0], pairs[:, 1])
