"""Tests for synthdoc.doc: the invariants check on generated pages of every default language, one hand-broken
copy per invariant, the relation graph and the page / row text."""
from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from synthdoc.doc import GlyphRun, InvariantError, Page, check, check_geometry
from synthdoc.writers.parquet import sample_to_row

LANGS = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")


def clone(page: Page) -> Page:
    """Deep copy of the labels and glyph arrays (faces are shared: they hold HarfBuzz / FreeType handles)."""
    runs = [GlyphRun(r.face, r.size_px, np.array(r.gids, copy=True), np.array(r.origins, copy=True), r.rotated, r.color)
            for r in page.runs]
    return Page(page.width, page.height, page.lang, page.layout, copy.deepcopy(page.paragraphs), runs,
                copy.deepcopy(page.meta))


@pytest.fixture(scope="module")
def page(generated_pages) -> Page:
    """A valid generated English page with several paragraphs and multi-word lines."""
    return generated_pages["eng_Latn"][0].page


@pytest.fixture()
def broken(page) -> Page:
    c = clone(page)
    check(c)  # the copy itself is valid, so each test's failure comes from its own edit
    return c


@pytest.mark.parametrize("lang", LANGS)
def test_generated_pages_pass_check(generated_pages, lang):
    samples = generated_pages[lang]
    assert len(samples) >= 2
    for s in samples:
        assert s.page.lang == lang
        check(s.page)
        assert len(s.page.words) > 20
        assert s.page.text.strip()


GEOMETRIC = pytest.mark.parametrize("checker", [check, check_geometry], ids=["check", "check_geometry"])
"""Geometric invariants: both the full check and the quads-only check after augmentation must catch them."""


def _line_with_words(page: Page, min_words: int = 2):
    for para in page.paragraphs:
        for line in para.lines:
            if len(line.words) >= min_words:
                return para, line
    raise AssertionError("no line with enough words")


@GEOMETRIC
def test_word_quad_outside_its_line(broken, checker):
    _, line = _line_with_words(broken)
    height = float(line.quad[:, 1].max() - line.quad[:, 1].min())
    line.words[1].quad = line.words[1].quad + np.float32([0, height + 4])  # one line down: still on the page
    with pytest.raises(InvariantError, match="not inside its line quad"):
        checker(broken)


@GEOMETRIC
def test_geometry_error_names_the_word(broken, checker):
    para, line = _line_with_words(broken)
    pi = broken.paragraphs.index(para)
    li = para.lines.index(line)
    line.words[1].quad = line.words[1].quad + np.float32([0, -3.0])
    with pytest.raises(InvariantError, match=re.escape(f"paragraph {pi} line {li} word 1 {line.words[1].text!r}: quad is")):
        checker(broken)


@GEOMETRIC
def test_word_quad_slightly_outside_tolerance(broken, checker):
    _, line = _line_with_words(broken)
    line.words[0].quad = line.words[0].quad + np.float32([0, -3.0])  # 3 px above the line band (tolerance 1 px)
    with pytest.raises(InvariantError, match="not inside its line quad"):
        checker(broken)


@GEOMETRIC
def test_word_quad_within_tolerance_passes(broken, checker):
    _, line = _line_with_words(broken)
    line.words[0].quad = line.words[0].quad + np.float32([0, -0.5])
    checker(broken)


@GEOMETRIC
def test_line_quad_outside_its_paragraph(broken, checker):
    para = broken.paragraphs[0]
    top = para.lines[0]
    shift = np.float32([0, -5])  # line and its words 5 px above the paragraph's top edge (still on the page)
    top.quad = top.quad + shift
    for w in top.words:
        w.quad = w.quad + shift
    assert top.quad[:, 1].min() > 0
    with pytest.raises(InvariantError, match="not inside its paragraph quad"):
        checker(broken)


@GEOMETRIC
def test_quad_outside_the_page(broken, checker):
    shift = np.float32([broken.width, 0])  # move everything one page width right: hierarchy intact, page left
    for para in broken.paragraphs:
        para.quad = para.quad + shift
        for line in para.lines:
            line.quad = line.quad + shift
            for w in line.words:
                w.quad = w.quad + shift
    with pytest.raises(InvariantError, match="leaves the"):
        checker(broken)


@GEOMETRIC
def test_word_quad_outside_the_page(broken, checker):
    broken.height = 10  # every quad now extends below the page
    with pytest.raises(InvariantError, match="leaves the"):
        checker(broken)


@GEOMETRIC
def test_counter_clockwise_quad(broken, checker):
    _, line = _line_with_words(broken)
    line.words[0].quad = line.words[0].quad[::-1].copy()  # BL, BR, TR, TL: same box, counter-clockwise
    with pytest.raises(InvariantError, match="not convex and clockwise"):
        checker(broken)


@GEOMETRIC
def test_counter_clockwise_paragraph_quad(broken, checker):
    p = broken.paragraphs[0]
    p.quad = p.quad[[0, 3, 2, 1]].copy()
    with pytest.raises(InvariantError, match="not convex and clockwise"):
        checker(broken)


def test_line_with_no_words(broken):
    broken.paragraphs[0].lines[0].words = []
    with pytest.raises(InvariantError, match="has no words"):
        check(broken)


def test_paragraph_with_no_lines(broken):
    broken.paragraphs[-1].lines = []
    with pytest.raises(InvariantError, match="has no lines"):
        check(broken)


def test_page_with_no_paragraphs(broken):
    broken.paragraphs = []
    with pytest.raises(InvariantError, match="no paragraphs"):
        check(broken)


@pytest.mark.parametrize("text", ["", " ", "word "])
def test_empty_or_padded_word_text(broken, text):
    _, line = _line_with_words(broken)
    line.words[0].text = text
    with pytest.raises(InvariantError, match="empty text or surrounding whitespace"):
        check(broken)


def test_glyph_run_with_gid_zero(broken):
    run = next(r for r in broken.runs if len(r.gids) > 3)
    run.gids[2] = 0
    with pytest.raises(InvariantError, match="glyph id 0"):
        check(broken)


def test_unknown_role(broken):
    broken.paragraphs[0].role = "banner"
    with pytest.raises(InvariantError, match="unknown role"):
        check(broken)


def test_unknown_direction(broken):
    broken.paragraphs[0].lines[0].direction = "btt"
    with pytest.raises(InvariantError, match="unknown direction"):
        check(broken)


@GEOMETRIC
def test_non_finite_quad(broken, checker):
    _, line = _line_with_words(broken)
    q = line.words[0].quad.copy()
    q[0, 0] = np.nan
    line.words[0].quad = q
    with pytest.raises(InvariantError, match="finite"):
        checker(broken)


def test_original_page_untouched_by_broken_copies(page):
    check(page)


@pytest.mark.parametrize("lang", LANGS)
def test_relation_graph_is_flat_and_covers_everything_once(generated_pages, lang):
    page = generated_pages[lang][0].page
    graph = page.relation_graph()
    assert set(graph) == {"paragraph_lines", "line_words"}
    assert len(graph["paragraph_lines"]) == len(page.paragraphs)
    assert len(graph["line_words"]) == len(page.lines)
    flat_lines = [i for ls in graph["paragraph_lines"] for i in ls]
    flat_words = [i for ws in graph["line_words"] for i in ws]
    assert all(isinstance(i, int) for i in flat_lines + flat_words)
    assert flat_lines == list(range(len(page.lines)))  # each line exactly once, in reading order
    assert flat_words == list(range(len(page.words)))
    # indices point at the right objects
    for pi, idx in enumerate(graph["paragraph_lines"]):
        assert [page.lines[i] for i in idx] == page.paragraphs[pi].lines
    for li, idx in enumerate(graph["line_words"]):
        assert [page.words[i].text for i in idx] == [w.text for w in page.lines[li].words]


@pytest.mark.parametrize("lang", LANGS)
def test_row_text_is_lines_joined(generated_pages, lang):
    sample = generated_pages[lang][1]
    row = sample_to_row(sample)
    assert row["text"] == "\n".join(row["lines"]["text"])
    assert row["text"] == sample.page.text
    assert row["lines"]["text"] == [ln.text for ln in sample.page.lines]
    sep = " " if lang in ("eng_Latn", "rus_Cyrl", "kor_Hang") else ""
    graph = row["relation_graph"]
    for li, idx in enumerate(graph["line_words"]):
        assert row["lines"]["text"][li] == sep.join(row["words"]["text"][i] for i in idx)
        assert all(row["words"]["parent"][i] == li for i in idx)
    for pi, idx in enumerate(graph["paragraph_lines"]):
        assert all(row["lines"]["parent"][i] == pi for i in idx)
        assert row["paragraphs"]["text"][pi] == "\n".join(row["lines"]["text"][i] for i in idx)
    assert row["relation_graph"] == sample.page.relation_graph()
