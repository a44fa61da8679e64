"""Simple quality filters for web text (Hugging Face / mOSCAR corpora): drop paragraphs that would make poor page
text before they reach a page.

A paragraph is dropped when any enabled rule says so:

- ``min_chars``: it has fewer non-space characters (menus, buttons, captions of one word); a document's first
  paragraph, its title when short (:func:`synthdoc.text.sampler.is_document_title`), needs only 2.
- ``min_letter_frac``: under this share of its non-space characters are letters or marks (Unicode categories L*,
  M*): tables of numbers, URLs, symbol rows.
- ``boilerplate``: it matches a boilerplate pattern (:data:`BOILERPLATE_PATTERNS`: cookie and privacy notices,
  log-in / sign-up / subscribe prompts, copyright lines, "all rights reserved", in English, Japanese, Korean,
  Chinese, Russian, German, French, Spanish), or reads like a navigation menu: 3+ separators (``| · • » › /``)
  between items of at most 3 words.
- ``max_repeats``: the same paragraph occurs more than this many times in the loaded corpus (site-wide headers,
  footers and navigation); every occurrence is dropped.

Documents left without paragraphs are dropped. The same filter on the same documents gives the same corpus.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, fields
from typing import Any, Mapping

from synthdoc.errors import SynthdocError

BOILERPLATE_PATTERNS = (
    r"\bcookies?\b", r"\bprivacy (policy|notice|settings)\b", r"\b(log|sign) ?(in|up|out)\b", r"\bsubscribe\b",
    r"\ball rights reserved\b", r"^\s*(©|\(c\)|copyright\b)", r"\bterms of (use|service)\b", r"\baccept all\b",
    r"\bskip to (main )?content\b", r"\bclick here\b", r"\bread more\b", r"\bnewsletter\b",
    r"クッキー", r"プライバシーポリシー", r"ログイン", r"無断転載", r"利用規約",
    r"쿠키", r"개인정보\s?처리방침", r"로그인", r"회원가입", r"무단\s?전재",
    r"隐私政策", r"版权所有", r"隱私權", r"版權所有",
    r"\bфайлы cookie\b", r"\bвсе права защищены\b", r"\bвойти\b", r"\bрегистрац",
    r"\bdatenschutz", r"\balle rechte vorbehalten\b", r"\btous droits réservés\b", r"\bpolitique de confidentialité\b",
    r"\btodos los derechos reservados\b", r"\bpolítica de privacidad\b",
)
"""Case-insensitive regular expressions of boilerplate paragraphs."""
_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE_PATTERNS), re.IGNORECASE)
_MENU_SPLIT_RE = re.compile(r"\s*[|·•»›/]\s*")
DEFAULT_FILTER = {"min_chars": 16, "min_letter_frac": 0.5, "boilerplate": True, "max_repeats": 3}
"""The recommended filter (``corpus_filter: default``)."""


@dataclass(frozen=True)
class QualityFilter:
    """Which paragraphs to drop (see the module docstring); the defaults drop nothing.

    Attributes:
        min_chars: least non-space characters of a kept paragraph (0: off).
        min_letter_frac: least share of letters and marks among its non-space characters, 0-1 (0: off).
        boilerplate: drop boilerplate and menu paragraphs.
        max_repeats: most occurrences of one paragraph in the corpus (0: off).
    """

    min_chars: int = 0
    min_letter_frac: float = 0.0
    boilerplate: bool = False
    max_repeats: int = 0

    @classmethod
    def from_config(cls, value: Any, where: str = "config") -> "QualityFilter":
        """The filter of a config value: {} or None (off), "default" (:data:`DEFAULT_FILTER`) or a mapping of the
        attributes.

        Raises:
            SynthdocError: unknown key or a value of the wrong type or range.
        """
        if value in (None, "", "none"):
            return cls()
        if value == "default":
            return cls(**DEFAULT_FILTER)
        if not isinstance(value, Mapping):
            raise SynthdocError(f"{where}: key 'corpus_filter' must be 'default', 'none' or a mapping of "
                                f"{', '.join(f.name for f in fields(cls))}, got {value!r}")
        valid = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in value if k not in valid)
        if unknown:
            raise SynthdocError(f"{where}: corpus_filter has unknown key {unknown[0]!r}; valid keys: "
                                f"{', '.join(sorted(valid))}")
        out = cls(**dict(value))
        out.check(where)
        return out

    def check(self, where: str = "config") -> None:
        """Raise SynthdocError unless every attribute has its type and range."""
        ok = (isinstance(self.min_chars, int) and not isinstance(self.min_chars, bool) and self.min_chars >= 0
              and isinstance(self.max_repeats, int) and not isinstance(self.max_repeats, bool) and self.max_repeats >= 0
              and isinstance(self.min_letter_frac, (int, float)) and 0 <= self.min_letter_frac <= 1
              and isinstance(self.boilerplate, bool))
        if not ok:
            raise SynthdocError(f"{where}: corpus_filter needs min_chars >= 0, max_repeats >= 0 (integers), "
                                f"min_letter_frac in [0, 1] and boilerplate true/false, got {self}")

    @property
    def active(self) -> bool:
        """Whether any rule is enabled."""
        return bool(self.min_chars or self.min_letter_frac or self.boilerplate or self.max_repeats)

    def keeps(self, paragraph: str, first: bool = False) -> bool:
        """Whether `paragraph` passes the per-paragraph rules (all but ``max_repeats``); a document's `first`
        paragraph (its title, when short) needs only 2 characters instead of ``min_chars``."""
        chars = [c for c in paragraph if not c.isspace()]
        if len(chars) < (min(2, self.min_chars) if first else self.min_chars) or not chars:
            return False
        if self.min_letter_frac and sum(unicodedata.category(c)[0] in "LM" for c in chars) < self.min_letter_frac * len(chars):
            return False
        return not (self.boilerplate and is_boilerplate(paragraph))


def is_boilerplate(paragraph: str) -> bool:
    """Whether `paragraph` matches :data:`BOILERPLATE_PATTERNS` or is a menu (3+ separators between items of at
    most 3 words each)."""
    if _BOILERPLATE_RE.search(paragraph):
        return True
    items = [s for s in _MENU_SPLIT_RE.split(paragraph) if s]
    return len(items) >= 4 and all(len(s.split()) <= 3 for s in items)


def filter_documents(documents: list[list[str]], rule: QualityFilter) -> tuple[list[list[str]], int]:
    """The documents with the paragraphs `rule` drops removed (documents left empty dropped).

    Returns:
        (kept documents, number of paragraphs dropped).
    """
    if not rule.active:
        return documents, 0
    repeats = Counter(p for doc in documents for p in doc) if rule.max_repeats else Counter()
    out, dropped = [], 0
    for doc in documents:
        kept = [p for k, p in enumerate(doc)
                if (not rule.max_repeats or repeats[p] <= rule.max_repeats) and rule.keeps(p, first=k == 0)]
        dropped += len(doc) - len(kept)
        if kept:
            out.append(kept)
    return out, dropped
