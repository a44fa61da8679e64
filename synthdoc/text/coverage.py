"""Character coverage: target character sets, a precomputed per-page schedule that steers a run so every target
character is drawn at least K times, and the count report of the dataset card.

Target sets (``--coverage``):

- ``jis0208``: the 6,878 graphic characters of JIS X 0208 (6,879 with the ideographic space, left out) (kanji levels 1 and 2, kana, symbols, full-width
  Latin/Greek/Cyrillic, box drawing), enumerated from Python's ``euc_jp`` codec (rows 0xA1-0xFE x 0xA1-0xFE).
- ``ksx1001``: the 2,350 Hangul syllables of KS X 1001, from the ``euc_kr`` codec.
- ``gb2312``: the 3,755 level-1 hanzi of GB 2312 (rows 16-55, bytes 0xB0-0xD7), from the ``gb2312`` codec.
- ``big5``: the 5,401 frequently used hanzi of Big5 (0xA440-0xC67E), from the ``big5`` codec.
- ``exemplar``: the language's CLDR standard exemplar characters (``icu.LocaleData.getExemplarSet``).
- a path: every non-space character of a UTF-8 file.

A target is cut to the characters at least one of the language's faces covers (a face never draws tofu); the rest
are reported as uncoverable.

Steering is a pure function of (config, seed, page index), never of which worker ran first:
:func:`build_schedule` gives every page ordinal of a language (the language's n-th page of the run) the corpus
paragraph its text starts at (a passage holding characters the corpus has too few of for the run, when any) and
a few short *words* of target characters the corpus lacks. A page's :class:`SteeredSampler` gives the words to
the page's first titles (titles, headings, TOC entries, table labels: names and terms) and inserts the rest as
short lists (at most three paragraphs, interleaved with the corpus text from the run's start), so whichever mode
draws the page (running text, bullets, cells, phrases) sets them. Each character is scheduled
``K + margin`` times because a mode may draw only part of its text (a TOC page draws no paragraph at all) and a
face may lack a character (the paragraph is then skipped and counted, never drawn as tofu).
"""
from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from synthdoc.errors import SynthdocError

NAMED_SETS = ("jis0208", "ksx1001", "gb2312", "big5", "exemplar")
"""Names accepted by ``--coverage`` besides ``none`` and a file path."""
DEFAULT_MIN_COUNT = 3
DEFAULT_MARGIN = 6
"""Extra scheduled copies per character on top of K (measured: 3 + 6 copies give every character of jis0208,
ksx1001 and gb2312 at least 3 times in 2,000 pages of the default mixture, see benchmarks/coverage.py)."""
PASSAGE_COPIES = 2
"""A passage starts PASSAGE_COPIES x (K + margin) pages: a page started at it draws the rare character less often
than a page draws a scheduled word (a table, TOC or slide page reads a few short units of its text, and the
character may lie deep in a long paragraph); with the handbook corpora, K + margin starts left one character of
jis0208, gb2312 and big5 each under K in 2,000 pages (benchmarks/coverage.py)."""
PARAGRAPHS_PER_PAGE = 2.0
"""Conservative number of whole corpus paragraphs a page draws, to estimate how often the corpus alone shows a
character in a run (a character expected at least twice the needed count is left to the corpus)."""
WORD_CHARS_RANGE = (2, 4)
"""Characters per scheduled word (inclusive): a 2-4 character name, term or code."""
MAX_WORDS_PER_PAGE = 12
"""Most scheduled words one page carries: a run too short for its target covers what fits (first copies of every
word first) and the card shows what is missing."""
MAX_PASSAGES = 4096
_HANGUL = ("\uac00", "\ud7a3")
_CJK = ("\u4e00", "\u9fff")


def _codec_chars(encoding: str, leads: Iterable[int], trails: Iterable[int]) -> list[str]:
    """Characters of every two-byte sequence (lead, trail) that `encoding` decodes to one character."""
    out, trails = [], list(trails)
    for a in leads:
        for b in trails:
            try:
                ch = bytes([a, b]).decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                out.append(ch)
    return out


def named_set(name: str, locale: str = "") -> list[str]:
    """The characters of a named target set (see the module docstring), spaces excluded, in code point order.

    Args:
        name: one of :data:`NAMED_SETS`.
        locale: ICU locale of the language (BCP 47 or ICU form, e.g. "ja", "zh-Hans"), for ``exemplar``.

    Raises:
        SynthdocError: unknown name, or a locale without exemplar characters.
    """
    rows = range(0xA1, 0xFF)
    if name == "jis0208":
        chars = _codec_chars("euc_jp", rows, rows)
    elif name == "ksx1001":
        chars = [c for c in _codec_chars("euc_kr", rows, rows) if _HANGUL[0] <= c <= _HANGUL[1]]
    elif name == "gb2312":
        chars = _codec_chars("gb2312", range(0xB0, 0xD8), rows)
    elif name == "big5":
        trails = itertools.chain(range(0x40, 0x7F), rows)
        chars = [c for c in _codec_chars("big5", range(0xA4, 0xC7), trails) if _CJK[0] <= c <= _CJK[1]]
    elif name == "exemplar":
        chars = _exemplar(locale)
    else:
        raise SynthdocError(f"unknown coverage set {name!r}; use one of none, {', '.join(NAMED_SETS)} or a file path")
    return sorted({c for c in chars if not c.isspace()})  # JIS X 0208 and KS X 1001 hold the ideographic space


def _exemplar(locale: str) -> list[str]:
    """Single-character CLDR standard exemplars of `locale`, lower and upper case."""
    import icu

    uset = icu.LocaleData(icu.Locale.forLanguageTag(locale).getName()).getExemplarSet(0, 0)
    chars = [s for s in uset if len(s) == 1]
    if not chars:
        raise SynthdocError(f"ICU has no exemplar characters for locale {locale!r}; pass --coverage PATH (a file "
                            "listing the characters)")
    return chars + [u for u in (c.upper() for c in chars) if len(u) == 1]


def file_set(path: str | Path) -> list[str]:
    """Every distinct non-space character of a UTF-8 file, in code point order.

    Raises:
        SynthdocError: the file cannot be read, is not UTF-8, or holds no character.
    """
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise SynthdocError(f"cannot read coverage file '{path}': {getattr(e, 'strerror', None) or e}; pass a UTF-8 "
                            "text file listing the target characters") from None
    chars = sorted({c for c in text if not c.isspace()})
    if not chars:
        raise SynthdocError(f"coverage file '{path}' holds no character; list the target characters in it")
    return chars


def target_set(spec: str, locale: str = "") -> list[str]:
    """Target characters of a ``--coverage`` value: a name of :data:`NAMED_SETS` or a file path.

    Raises:
        SynthdocError: unknown name that is no existing file, unreadable file.
    """
    if spec in NAMED_SETS:
        return named_set(spec, locale)
    if Path(spec).expanduser().is_file():
        return file_set(spec)
    raise SynthdocError(f"coverage {spec!r} is neither a set name ({', '.join(NAMED_SETS)}) nor an existing file; "
                        "check the --coverage value")


def char_counts(text: str) -> Counter:
    """Occurrences of every non-space character of `text`."""
    counts = Counter(text)
    for ch in [c for c in counts if c.isspace()]:
        del counts[ch]
    return counts


@dataclass
class Schedule:
    """What each page of one language must carry (:func:`build_schedule`).

    Attributes:
        pages: page ordinals the schedule spreads over (the language's pages in the run).
        words: page ordinal -> the words (strings of target characters) it inserts.
        starts: page ordinal -> flat corpus index its text starts at (a passage with rare characters).
        target: the target characters the faces cover, in code point order.
        uncoverable: target characters no face of the language covers (never scheduled).
    """

    pages: int
    words: dict[int, list[str]] = field(default_factory=dict)
    starts: dict[int, int] = field(default_factory=dict)
    target: list[str] = field(default_factory=list)
    uncoverable: list[str] = field(default_factory=list)

    def injected_chars(self) -> int:
        """Characters of all scheduled words."""
        return sum(len(w) for words in self.words.values() for w in words)


def _group_key(ch: str) -> tuple[str, str]:
    """(script, general category class) of `ch`: scheduled words join characters of one group only."""
    import unicodedata

    import icu

    return icu.Script.getScript(ch).getShortName(), unicodedata.category(ch)[0]


def _words(chars: Sequence[str], rng: np.random.Generator) -> list[str]:
    """`chars` in a random order cut into words of WORD_CHARS_RANGE characters, each of one script/category
    group (characters shuffled within their group)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for ch in chars:
        groups.setdefault(_group_key(ch), []).append(ch)
    out = []
    for key in sorted(groups):
        members = [groups[key][i] for i in rng.permutation(len(groups[key]))]
        pos = 0
        while pos < len(members):
            n = int(rng.integers(WORD_CHARS_RANGE[0], WORD_CHARS_RANGE[1] + 1))
            out.append("".join(members[pos:pos + n]))
            pos += n
    return [out[i] for i in rng.permutation(len(out))]


def _passages(flat: Sequence[str], rare: set[str]) -> tuple[list[int], set[str]]:
    """Passages for characters the corpus holds too few of: for each such character (code point order) not yet in
    a chosen passage, the first paragraph holding it; at most MAX_PASSAGES. Returns (flat indices, characters they
    hold)."""
    first: dict[str, int] = {}
    for i, para in enumerate(flat):
        for ch in rare.intersection(para):
            first.setdefault(ch, i)
    chosen, covered = [], set()
    for ch in sorted(first):
        if ch not in covered and len(chosen) < MAX_PASSAGES:
            chosen.append(first[ch])
            covered |= rare.intersection(flat[first[ch]])
    return chosen, covered


def build_schedule(target: Sequence[str], flat: Sequence[str], pages: int, min_count: int, seed: int,
                   covered: Callable[[str], bool], margin: int = DEFAULT_MARGIN) -> Schedule:
    """Schedule for one language: a pure function of its arguments.

    A character the corpus is expected to show at least 2 x (K + margin) times over `pages` (its corpus count x
    pages x PARAGRAPHS_PER_PAGE / paragraphs) is left to the corpus. One the corpus holds less often gets passages
    (paragraphs holding it start PASSAGE_COPIES x (K + margin) pages, one per page, from the schedule's spare pages);
    one the corpus
    lacks (or whose passages did not fit) is cut into words with the others and each word is scheduled
    K + margin times, word m of copy r on page ordinal (m + r * words) mod pages, at most MAX_WORDS_PER_PAGE per
    page.

    Args:
        target: target characters.
        flat: the corpus paragraphs in flat order (:attr:`TextSampler.flat_paragraphs`).
        pages: pages of this language in the run (>= 1).
        min_count: K, the least number of times every target character is to be drawn (>= 1).
        seed: run seed (with the target, fixes the word order).
        covered: whether at least one face of the language covers a character.
        margin: copies scheduled beyond K.

    Returns:
        The schedule.
    """
    coverable = [c for c in target if covered(c)]
    need = min_count + margin
    starts_per_passage = PASSAGE_COPIES * need
    corpus = char_counts("".join(flat))
    scale = pages * PARAGRAPHS_PER_PAGE / max(1, len(flat))
    short = [c for c in coverable if corpus[c] * scale < 2 * need]
    rare = {c for c in short if corpus[c] > 0}
    passages, via_passages = _passages(flat, rare) if rare and len(flat) > 1 else ([], set())
    if len(passages) * starts_per_passage > pages:  # more passages than pages to start: keep the first ones
        passages = passages[:pages // starts_per_passage]
        via_passages = set().union(*(set(flat[i]) & rare for i in passages)) if passages else set()
    sched = Schedule(pages, target=coverable, uncoverable=[c for c in target if not covered(c)])
    slots = [p for p in passages for _ in range(starts_per_passage)]
    for slot, index in enumerate(slots):  # evenly spread over the run, one per page
        sched.starts[slot * pages // len(slots)] = index
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xC0FE,)))
    words = _words([c for c in short if c not in via_passages], rng)
    slots = [word for _ in range(need) for word in words][:pages * MAX_WORDS_PER_PAGE]
    for t, word in enumerate(slots):  # copy r of word m is slot m + r * len(words)
        sched.words.setdefault(t % pages, []).append(word)
    return sched


MAX_INSERTED_PARAGRAPHS = 3
"""A page's words not taken by titles go into at most this many inserted paragraphs (lists of names / terms)."""


class SteeredSampler:
    """A page's view of a :class:`~synthdoc.text.sampler.TextSampler` that carries the page's scheduled text.

    Until the page's first :meth:`start_index`, each :meth:`title` call returns the next scheduled word (a name or
    term as a title, heading, TOC entry or table label) without drawing. The first :meth:`start_index` draws like
    the base sampler (one integer), then starts at the scheduled passage (when the schedule gives one) and inserts
    the words titles did not take, joined by `separator` into at most MAX_INSERTED_PARAGRAPHS short paragraphs,
    before that paragraph and interleaved with the corpus paragraphs after it (list, paragraph, list, ...). Later
    starts of the page are mapped into the view's paragraph list unchanged.

    Args:
        base: the language's sampler.
        words: the words this page carries.
        start: flat index of the scheduled passage, or None.
        separator: joins words in an inserted paragraph ("、" for Chinese and Japanese, ", " otherwise).
        record: a page's :meth:`record` (replay): the view is rebuilt as the page left it.
    """

    def __init__(self, base, words: Sequence[str], start: int | None = None, separator: str = ", ",
                 record: dict | None = None):
        self.base = base
        self.corpus = base.corpus
        self.titles = base.titles
        self.words = list(words)
        self.start = start
        self.separator = separator
        self.taken = 0  # words returned by title()
        self.inserted: list[str] = []
        self.inserted_at: int | None = None
        self._flat: list[str] = list(base.flat_paragraphs)
        if record is not None and record.get("inserted_at") is not None:
            self.inserted = list(record.get("inserted") or [])
            self.inserted_at = int(record["inserted_at"])
            self._put(self.inserted_at)

    @property
    def flat_paragraphs(self) -> list[str]:
        """The view's paragraphs: the base ones with this page's word lists inserted (once a start was drawn)."""
        return self._flat

    def _put(self, at: int) -> None:
        """Put inserted paragraph k right before base paragraph at + k."""
        for k, text in enumerate(self.inserted):
            self._flat.insert(at + 2 * k, text)

    def _lists(self) -> list[str]:
        """The words titles did not take, in at most MAX_INSERTED_PARAGRAPHS paragraphs of near-equal size."""
        rest = self.words[self.taken:]
        n = min(MAX_INSERTED_PARAGRAPHS, len(rest))
        return [self.separator.join(rest[k::n]) for k in range(n)]

    def start_index(self, rng: np.random.Generator) -> int:
        """Index (in :attr:`flat_paragraphs`) where a run of paragraphs starts; draws one integer like
        :meth:`TextSampler.start_index`."""
        drawn = self.base.start_index(rng)
        if self.inserted_at is None:
            self.inserted_at = drawn if self.start is None else self.start
            self.inserted = self._lists()
            self._put(self.inserted_at)
            return self.inserted_at
        return drawn if drawn < self.inserted_at else drawn + len(self.inserted)

    def paragraphs(self, rng: np.random.Generator) -> Iterator[str]:
        """Infinite run of consecutive paragraphs of the view from :meth:`start_index`."""
        index = self.start_index(rng)
        while True:
            yield self._flat[index % len(self._flat)]
            index += 1

    def title(self, rng: np.random.Generator, max_words: int = 8, max_chars: int = 20,
              space_delimited: bool = True) -> str:
        """The next scheduled word while the page has one and no run has started, else :meth:`TextSampler.title`
        of the base sampler."""
        if self.inserted_at is None and self.taken < len(self.words) and len(self.words[self.taken]) <= max_chars:
            self.taken += 1
            return self.words[self.taken - 1]
        return self.base.title(rng, max_words, max_chars, space_delimited)

    def record(self) -> dict:
        """``meta["coverage"]``: the page's words, how many titles took, the inserted paragraphs and where they
        went ({"words", "titles", "inserted", "inserted_at"}): enough to replay the page."""
        return {"words": list(self.words), "titles": self.taken, "inserted": list(self.inserted),
                "inserted_at": self.inserted_at}


def coverage_report(counts: Counter, target: Sequence[str], min_count: int) -> dict:
    """Card figures of a run's character counts against a target.

    Args:
        counts: character -> occurrences in the run's page text.
        target: target characters (empty: no target; only the distinct-character figures).
        min_count: K.

    Returns:
        {"distinct": characters seen, "chars": total characters, "target": size, "covered": target characters seen
        at least once, "at_least_k": seen >= K times, "min": least count over the target, "percentiles":
        {"p1", "p10", "p50"} of the target's counts, "missing": up to 20 target characters seen fewer than K times}.
    """
    out = {"distinct": len(counts), "chars": int(sum(counts.values())), "target": len(target), "k": min_count}
    if target:
        per = np.array([counts.get(c, 0) for c in target], dtype=np.int64)
        out.update(covered=int((per > 0).sum()), at_least_k=int((per >= min_count).sum()), min=int(per.min()),
                   percentiles={f"p{q}": float(np.percentile(per, q)) for q in (1, 10, 50)},
                   missing="".join(c for c, n in zip(target, per) if n < min_count)[:20])
    return out
