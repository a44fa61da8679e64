"""The probe's character set: class 0 is the CTC blank, classes 1..N are characters (NFC code points)."""
from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Iterable, Sequence


class Charset:
    """Characters the recognizer can output, in a fixed (sorted) order.

    Args:
        chars: distinct characters (single code points after NFC), in class order 1..N.
    """

    def __init__(self, chars: Sequence[str], counts: Counter | None = None):
        self.chars = list(chars)
        self.index = {c: i + 1 for i, c in enumerate(self.chars)}
        self.counts: Counter = counts if counts is not None else Counter()  # occurrences in the labels (if known)

    @classmethod
    def from_labels(cls, labels: Iterable[str]) -> "Charset":
        """Every code point of the NFC labels, sorted by code point (with its count in ``counts``)."""
        counts: Counter = Counter()
        for label in labels:
            counts.update(unicodedata.normalize("NFC", label))
        return cls(sorted(counts), counts)

    def __len__(self) -> int:
        return len(self.chars)

    @property
    def classes(self) -> int:
        """Output classes of the model: the characters plus the blank."""
        return len(self.chars) + 1

    def encode(self, label: str) -> list[int]:
        """Class ids of the NFC label's characters (characters outside the charset are dropped)."""
        return [self.index[c] for c in unicodedata.normalize("NFC", label) if c in self.index]

    def decode_greedy(self, ids: Sequence[int]) -> str:
        """Best-path CTC decoding of per-frame argmax ids: collapse repeats, then drop blanks (Graves et
        al. 2006)."""
        out, prev = [], 0
        for i in ids:
            i = int(i)
            if i != prev and i != 0:
                out.append(self.chars[i - 1])
            prev = i
        return "".join(out)

    def unseen(self, labels: Iterable[str]) -> Counter:
        """Occurrences of each character of `labels` that is not in the charset."""
        c: Counter = Counter()
        for label in labels:
            c.update(ch for ch in unicodedata.normalize("NFC", label) if ch not in self.index)
        return c
