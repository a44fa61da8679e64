"""Text units cut where a typesetter would (issue #13 item 2): the helper's rules on hand-made cases, and an
independent checker (tests/unit_checks.py: ICU word and grapheme boundaries, a token pattern for numbers with
separators, a bracket matcher) over laid-out pages of every mode in six languages."""
import collections
import itertools

import pytest

from synthdoc.config import GenerateConfig
from synthdoc.languages import LanguageRegistry, load_fonts_yaml
from synthdoc.layout import registry
from synthdoc.layout.table_values import TOTAL_LABELS
from synthdoc.pipeline import SampleFactory
from synthdoc.text.units import balance, text_unit

from unit_checks import CHECKED_ROLES, balanced, check_paragraph, check_unit, unit_text

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]
MODES = sorted(registry.modes())
REG = LanguageRegistry(load_fonts_yaml())


@pytest.mark.parametrize("text, words, chars, spaced, want", [
    ("Researchers have reported a cell that retains 92.4% of its capacity", 10, 0, True,
     "Researchers have reported a cell that retains 92.4% of its"),
    ("The fee rose to 28.4 % last year", 6, 0, True, "The fee rose to 28.4 %"),
    ("The fee rose to 28.4 % last year", 5, 0, True, "The fee rose to"),
    ("Mrs. Hale said it would take a summer. It took three.", 8, 0, True, "Mrs. Hale said it would take a summer"),
    ("“We thought it would take a summer,” recalls Margaret Hale", 7, 0, True, "We thought it would take a summer"),
    ("Heat the oven to 220C (200C fan). Bake for 30 minutes.", 5, 0, True, "Heat the oven to 220C"),
    ("요금(성인 1,500원, 어린이 800원)은 현장에서 냅니다", 3, 0, True, "요금"),
    ("畢業生當天請於8:30前到達禮堂，並攜帶學生證", 0, 9, False, "畢業生當天請於"),
    ("最新規格802.11axに対応した「Wi-Fi 6」ルーター", 0, 10, False, "最新規格"),
    ("最新規格802.11axに対応した「Wi-Fi 6」ルーター", 0, 18, False, "最新規格802.11axに対応した"),
    ("新幹線で京都駅に着いた。", 0, 10, False, "新幹線で京都駅に"),
    ("能量密度约为160 Wh/kg，仍明显低于", 0, 15, False, "能量密度约为160 Wh/kg"),
    ("能量密度约为160 Wh/kg，仍明显低于", 0, 12, False, "能量密度约为160"),
])
def test_text_unit_cases(text, words, chars, spaced, want):
    assert text_unit(text, words, chars, spaced) == want


def test_balance_drops_or_cuts_unmatched_brackets():
    assert balance("「Wi-Fi 6」ルーター") == "「Wi-Fi 6」ルーター"
    assert balance("「水車を守る会") == "水車を守る会"
    assert balance("Rain (heavy at times") == "Rain"
    assert balance("the trust’s first") == "the trust’s first"
    assert balanced("(a [b] c)") and not balanced("(a [b) c]") and not balanced('say "hi')


def _check_page(page, inp, localized: set[str], counts: collections.Counter) -> list:
    """Failures (role, reason, unit) of the checked units of one page; a unit that flows on into the next
    paragraph of its role (a list item continued in the next column) is checked joined with it."""
    corpus = inp.sampler.flat_paragraphs + inp.sampler.titles
    paras = [p for p in page.paragraphs if p.role in CHECKED_ROLES]
    failures, skip = [], False
    for para, nxt in itertools.zip_longest(paras, paras[1:]):
        if skip:
            skip = False
            continue
        if para.role == "table_cell" and para.cell[0] >= page.meta.get("header_rows", 1) \
                and str(para.cell[1]) in page.meta.get("numeric_kinds", {}):
            counts["units"] += 1
            counts["generated"] += 1  # a typed column's value (ICU-formatted number, date, code), not a corpus unit
            continue
        unit, reason = check_paragraph(para, inp.lang.space_delimited, corpus)
        if not any(ch.isalpha() for ch in unit):
            continue  # page numbers, generated numbers
        counts["units"] += 1
        if reason in ("cut", "unbalanced") and nxt is not None and nxt.role == para.role:
            joined = unit + ("" if not inp.lang.space_delimited else " ") + unit_text(nxt, inp.lang.space_delimited)
            if check_unit(joined, corpus) is None:
                reason, skip = None, True
        if unit in localized or (reason == "not in corpus" and any(ch.isdigit() for ch in unit)):
            counts["generated"] += 1  # dates, prices, page labels, localized TOC titles (not corpus units)
        elif reason:
            failures.append((para.role, reason, unit))
    return failures


def _check_mode(mode: str, pages_per_lang: int, seed: int) -> tuple[collections.Counter, list]:
    """Counts of checked units and of failures over `pages_per_lang` pages of `mode` in every language."""
    counts, failures = collections.Counter(), []
    for lang in (c for c in LANGS if registry.supports(mode, REG.resolve(c))):
        factory = SampleFactory(GenerateConfig(languages=[lang], layouts={mode: 1}, seed=seed))
        localized = {t for ts in getattr(factory.templates[mode].params, "localized_titles", {}).values()
                     for t in ([ts] if isinstance(ts, str) else ts)} | set(TOTAL_LABELS.values())
        for i in range(pages_per_lang):
            page, _, _ = factory.layout_retrying(i)  # a SampleError is retried, as in a run
            failures += [(lang, i, *f) for f in _check_page(page, factory.inputs[lang], localized, counts)]
    return counts, failures


@pytest.mark.parametrize("mode", MODES)
def test_units_of_every_mode_are_whole_and_balanced(mode):
    counts, failures = _check_mode(mode, 4, seed=5)
    assert not failures, failures[:10]
    assert counts["units"] - counts["generated"] > 0 or mode == "scattered"


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_units_over_300_pages_of_every_mode(mode):
    """~300 pages per mode (over the languages it supports): 0 units cut inside a word, number or grapheme
    cluster, 0 unbalanced."""
    n_langs = sum(registry.supports(mode, REG.resolve(c)) for c in LANGS)
    counts, failures = _check_mode(mode, -(-300 // n_langs), seed=17)
    assert not failures, (len(failures), failures[:10])


def _titles_and_body(lang: str, mode: str, n: int) -> tuple[set[str], list[str], list[str]]:
    """Corpus titles of the bundled sample, and the title-role units and body paragraph texts of n pages."""
    factory = SampleFactory(GenerateConfig(languages=[lang], layouts={mode: 1}, seed=3))
    inp = factory.inputs[lang]
    titles, body = [], []
    for i in range(n):
        page, _ = factory.layout_page(i, 0)
        for para in page.paragraphs:
            text = unit_text(para, inp.lang.space_delimited)
            (body if para.role == "body" else titles).append(text)
    return set(inp.sampler.titles), titles, body


@pytest.mark.parametrize("lang, mode", [("eng_Latn", "document"), ("jpn_Jpan", "toc"), ("rus_Cyrl", "multi_column")])
def test_corpus_document_titles_are_titles_not_body(lang, mode):
    from synthdoc.text.sources import load_bundled

    firsts = {doc[0] for doc in load_bundled(lang).documents}
    corpus_titles, set_titles, body = _titles_and_body(lang, mode, 12)
    assert corpus_titles == firsts  # every bundled document starts with its title, and the sampler knows it
    assert any(t in corpus_titles for t in set_titles)  # some page titles/headings/entries are document titles
    assert not any(b.replace("\n", "") in corpus_titles for b in body)  # never a paragraph of body text


def test_first_short_line_of_a_local_document_is_its_title(tmp_path):
    from synthdoc.text.sampler import TextSampler
    from synthdoc.text.sources import load_path

    path = tmp_path / "notes.txt"
    path.write_text("Harbour Notes\nThe ferry leaves at 8:30. Tickets cost 1,500 yen.\n\n"
                    "A single paragraph that ends like a sentence.\n")
    sampler = TextSampler(load_path(path))
    assert sampler.titles == ["Harbour Notes"]
    assert "Harbour Notes" not in sampler.flat_paragraphs and len(sampler.flat_paragraphs) == 2
    import numpy as np
    drawn = {sampler.title(np.random.default_rng(s)) for s in range(40)}
    assert "Harbour Notes" in drawn and all(check_unit(t, sampler.flat_paragraphs + sampler.titles) is None
                                            for t in drawn)
