"""Draw page text from a corpus: runs of consecutive paragraphs, and short titles.

All draws come from the caller's ``np.random.Generator`` (no hidden randomness), so the text of a
page is a pure function of the generator's state.
"""
from __future__ import annotations

import unicodedata
from typing import Iterator

import numpy as np

from synthdoc.errors import SynthdocError
from synthdoc.text.sources import Corpus
from synthdoc.text.clean import strip_punctuation

CUT_PUNCTUATION = frozenset(".,;:!?…" "。、，；：！？．｡､" "،؛؟" "।॥" "።፣፤")
"""Sentence and clause punctuation at which a title is cut (Latin, CJK full-width and half-width,
Arabic, Devanagari danda, Ethiopic)."""
_JOINERS = frozenset("\u200c\u200d")
_MAX_TITLE_TRIES = 16
_MIN_TITLE_CHARS = 2


def _is_mark(ch: str) -> bool:
    """True for combining marks (Mn, Mc, Me) and ZWJ / ZWNJ, which belong to the preceding cluster."""
    return ch in _JOINERS or unicodedata.category(ch)[0] == "M"



def _cut_at_punct(text: str) -> str:
    """`text` up to (excluding) its first sentence / clause punctuation after the first character."""
    for i, ch in enumerate(text):
        if i > 0 and ch in CUT_PUNCTUATION:
            return text[:i]
    return text


def _char_prefix(text: str, n_chars: int) -> str:
    """First `n_chars` characters of `text`, extended so that no combining mark is cut off."""
    end = min(n_chars, len(text))
    while end < len(text) and _is_mark(text[end]):
        end += 1
    return text[:end]


class TextSampler:
    """Draws text from a :class:`~synthdoc.text.sources.Corpus`.

    The corpus is flattened once: paragraph k of the flat list is followed by paragraph k + 1, the
    last paragraph of a document by the first paragraph of the next document, and the last
    paragraph of the corpus by the first one (wrap-around).

    Args:
        corpus: the corpus; must hold at least one paragraph.

    Raises:
        SynthdocError: the corpus has no paragraph.
    """

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self._flat: list[str] = [p for doc in corpus.documents for p in doc]
        if not self._flat:
            raise SynthdocError(f"corpus {corpus.name} has no text; pass a --corpus with text in it")
        starts = np.cumsum([0] + [len(doc) for doc in corpus.documents])
        self._doc_starts = starts[:-1]
        self._doc_lens = np.diff(starts)
        self._nonempty_docs = np.flatnonzero(self._doc_lens > 0)

    @property
    def flat_paragraphs(self) -> list[str]:
        """All paragraphs in corpus order (the order :meth:`paragraphs` follows)."""
        return self._flat

    def start_index(self, rng: np.random.Generator) -> int:
        """Flat index of a random starting paragraph: uniform document, then uniform paragraph in it.

        Draws exactly two integers from `rng`.
        """
        d = int(self._nonempty_docs[rng.integers(len(self._nonempty_docs))])
        p = int(rng.integers(self._doc_lens[d]))
        return int(self._doc_starts[d]) + p

    def paragraphs(self, rng: np.random.Generator) -> Iterator[str]:
        """Infinite run of consecutive paragraphs from a random start, so pages read like documents.

        The start is drawn immediately (two integers from `rng`, see :meth:`start_index`), not on the
        first ``next()``; the iterator itself draws nothing more.

        Args:
            rng: the generator for this page's text stage.

        Returns:
            An infinite iterator of paragraphs (one line each), continuing into the following
            documents and wrapping around at the end of the corpus.
        """
        return self._run_from(self.start_index(rng))

    def _run_from(self, index: int) -> Iterator[str]:
        """Paragraphs from flat `index` on, forever."""
        n = len(self._flat)
        while True:
            yield self._flat[index % n]
            index += 1

    def title(self, rng: np.random.Generator, max_words: int = 8, max_chars: int = 20, space_delimited: bool = True) -> str:
        """A short title taken from the start of a random paragraph.

        Space-delimited text gives its first 2..`max_words` words, other text (CJK) its first
        4..`max_chars` characters (never splitting a combining mark from its base). The result is cut
        before the first sentence / clause punctuation (:data:`CUT_PUNCTUATION`) and stripped of
        leading and trailing punctuation and spaces. A draw that leaves fewer than 2 characters is
        replaced by another draw (at most 16); the last resort is the first word of the first paragraph.

        Args:
            rng: the generator; each try draws two integers (paragraph, length).
            max_words: most words (>= 2) for space-delimited text.
            max_chars: most characters (>= 4) for other text.
            space_delimited: whether words are separated by spaces (see ``Language.space_delimited``).

        Returns:
            A non-empty single-line title.

        Raises:
            SynthdocError: `max_words` < 2 or `max_chars` < 4.
        """
        if max_words < 2 or max_chars < 4:
            raise SynthdocError(f"title needs max_words >= 2 and max_chars >= 4, got {max_words} and {max_chars}")
        for _ in range(_MAX_TITLE_TRIES):
            para = self._flat[int(rng.integers(len(self._flat)))]
            if space_delimited:
                text = " ".join(para.split()[: int(rng.integers(2, max_words + 1))])
            else:
                text = _char_prefix(para, int(rng.integers(4, max_chars + 1)))
            title = strip_punctuation(_cut_at_punct(strip_punctuation(text)))
            if len(title) >= _MIN_TITLE_CHARS:
                return title
        return self._fallback_title(max_chars, space_delimited)

    def _fallback_title(self, max_chars: int, space_delimited: bool) -> str:
        """First word (or first `max_chars` characters) of the first paragraph."""
        first = self._flat[0]
        return first.split()[0] if space_delimited else _char_prefix(first, max_chars)
