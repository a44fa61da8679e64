"""Draw page text from a corpus: runs of consecutive paragraphs, and short titles.

All draws come from the caller's ``np.random.Generator`` (no hidden randomness), so the text of a
page is a pure function of the generator's state.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from synthdoc.errors import SynthdocError
from synthdoc.text.sources import Corpus
from synthdoc.text.units import text_unit

_MAX_TITLE_TRIES = 16
_MIN_TITLE_CHARS = 2
MAX_DOCUMENT_TITLE_CHARS = 80
"""A document's first paragraph of at most this many characters, without sentence-final punctuation, is its
title."""
CORPUS_TITLE_P = 0.5
"""Probability that :meth:`TextSampler.title` draws a corpus document title (when the corpus has any)."""
_SENTENCE_END = frozenset(".!?。！？…:：")


def is_document_title(document: list[str]) -> bool:
    """Whether the first paragraph of `document` is its title: the document has a second paragraph, and the first
    is at most MAX_DOCUMENT_TITLE_CHARS characters long and does not end with sentence punctuation (``.!?:``
    and their full-width forms, an ellipsis)."""
    return len(document) >= 2 and len(document[0]) <= MAX_DOCUMENT_TITLE_CHARS \
        and document[0][-1] not in _SENTENCE_END


class TextSampler:
    """Draws text from a :class:`~synthdoc.text.sources.Corpus`.

    The corpus is flattened once: paragraph k of the flat list is followed by paragraph k + 1, the
    last paragraph of a document by the first paragraph of the next document, and the last
    paragraph of the corpus by the first one (wrap-around). A document's title (its first paragraph when
    :func:`is_document_title` says so: the bundled samples, and the first short line of a local or mOSCAR
    document) is not body text: it is kept in :attr:`titles` and drawn by :meth:`title`.

    Args:
        corpus: the corpus; must hold at least one paragraph.

    Raises:
        SynthdocError: the corpus has no paragraph.
    """

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        if not any(corpus.documents):
            raise SynthdocError(f"corpus {corpus.name} has no text; pass a --corpus with text in it")
        self.titles: list[str] = [doc[0] for doc in corpus.documents if is_document_title(doc)]
        bodies = [doc[1:] if is_document_title(doc) else doc for doc in corpus.documents]
        self._flat: list[str] = [p for doc in bodies for p in doc]

    @property
    def flat_paragraphs(self) -> list[str]:
        """All paragraphs in corpus order (the order :meth:`paragraphs` follows)."""
        return self._flat

    def start_index(self, rng: np.random.Generator) -> int:
        """Flat index of a random starting paragraph, uniform over all body paragraphs (so every paragraph starts
        as many pages on average, whatever the lengths of the documents: a uniform document would favour the
        paragraphs of short documents, e.g. the one-paragraph sections of the handbook corpus).

        Draws exactly one integer from `rng`.
        """
        return int(rng.integers(len(self._flat)))

    def paragraphs(self, rng: np.random.Generator) -> Iterator[str]:
        """Infinite run of consecutive paragraphs from a random start, so pages read like documents.

        The start is drawn immediately (one integer from `rng`, see :meth:`start_index`), not on the
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
        """A short title: with probability CORPUS_TITLE_P a corpus document title (:attr:`titles`; as a text unit
        when it is longer than `max_words` / `max_chars`), else a text unit (:func:`synthdoc.text.units.text_unit`:
        a whole sentence, clause, or phrase ending at a word boundary, brackets and quotes balanced) from the
        start of a random paragraph.

        The length limit of the paragraph unit is drawn: 2..`max_words` words for space-delimited text, 4..`max_chars` characters
        otherwise. A draw that gives no unit of 2+ characters is replaced by another draw (at most 16); the last
        resort is the shortest unit of the first paragraph that has one.

        Args:
            rng: the generator; each try draws a uniform, then one integer (title) or two (paragraph, length).
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
            if rng.random() < CORPUS_TITLE_P and self.titles:
                title = text_unit(self.titles[int(rng.integers(len(self.titles)))], max_words, max_chars,
                                  space_delimited)
                if len(title) >= _MIN_TITLE_CHARS:
                    return title
                continue
            para = self._flat[int(rng.integers(len(self._flat)))]
            if space_delimited:
                title = text_unit(para, int(rng.integers(2, max_words + 1)), max_chars, True)
            else:
                title = text_unit(para, max_words, int(rng.integers(4, max_chars + 1)), False)
            if len(title) >= _MIN_TITLE_CHARS:
                return title
        return self._fallback_title(space_delimited)

    def _fallback_title(self, space_delimited: bool) -> str:
        """The shortest unit (one word / a few characters) of the first paragraph that has one; else the first
        word (space-delimited) or the whole first paragraph."""
        for para in self._flat:
            title = text_unit(para, 1, 4, space_delimited)
            if title:
                return title
        first = self._flat[0]
        return first.split()[0] if space_delimited else first
