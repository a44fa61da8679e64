"""Legibility is measured on every page: words whose ink was erased, faded to the paper's colour or never drawn
are marked ignore; clean pages lose no word; replay reproduces the marks; the thresholds come from the stack."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthdoc.augment import AugmentState, load_stack, parse_stack, replay
from synthdoc.augment.legibility import LegibilityRule, illegible_words, mark_illegible
from synthdoc.errors import SynthdocError
from synthdoc.render.compose import text_masks

ALL_MODES = {"multi_column": 2, "table": 1, "document": 1, "slide": 1, "scattered": 1, "toc": 1}
SIX = ["en", "ja", "ko", "ru", "zh-Hans", "zh-Hant"]


def _clean_state(factory, index):
    page, _ = factory.layout_page(index, 0)
    bg, _ = factory.background(page, index, 0)
    state = AugmentState.from_render(page, bg, text_masks(page, factory.glyph_cache))
    image = state.finish()
    return state, image


@pytest.fixture(scope="module")
def en_page(factory_for):
    return _clean_state(factory_for(["en"], seed=7, layouts={"multi_column": 1}), 0)


def _quad_box(quad, pad=2):
    q = np.asarray(quad, np.float64)
    return (int(np.floor(q[:, 0].min())) - pad, int(np.floor(q[:, 1].min())) - pad,
            int(np.ceil(q[:, 0].max())) + pad, int(np.ceil(q[:, 1].max())) + pad)


def test_clean_pages_of_every_mode_lose_no_word(factory_for):
    f = factory_for(SIX, seed=5, layouts=ALL_MODES)
    for i in range(12):
        state, image = _clean_state(f, i)
        bad = illegible_words(image, state.ink_ref, state.drawn, state.page, LegibilityRule())
        assert not bad.any(), (i, [w.text for w, b in zip(state.page.words, bad) if b])


def test_erased_word_is_ignored_and_only_it(en_page):
    state, image = en_page
    words = state.page.words
    k = max(range(len(words)), key=lambda j: len(words[j].text) if j % 7 == 3 else 0)
    erased = image.copy()
    paper = np.median(image[:4].reshape(-1, 3), axis=0).astype(np.uint8)
    q = np.round(np.asarray(words[k].quad)).astype(np.int32)
    cv2.fillPoly(erased, [q], tuple(int(c) for c in paper))  # the word's glyphs painted over with paper
    bad = illegible_words(erased, state.ink_ref, state.drawn, state.page, LegibilityRule())
    assert bad[k] and bad.sum() <= 3  # neighbours sharing a pixel row of the painted quad may fall too
    page, n = mark_illegible(state.page, bad)
    assert page.words[k].ignore and n == int(bad.sum()) and not state.page.words[k].ignore


def test_low_contrast_word_is_ignored(en_page):
    state, image = en_page
    k = 5
    q = np.round(np.asarray(state.page.words[k].quad)).astype(np.int32)
    faded = image.copy()
    region = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(region, [q], 255)
    paper = np.median(image[:4].reshape(-1, 3), axis=0)
    sel = region > 0
    faded[sel] = (0.15 * image[sel] + 0.85 * paper).astype(np.uint8)  # ink 85 % of the way to the paper
    bad = illegible_words(faded, state.ink_ref, state.drawn, state.page, LegibilityRule())
    assert bad[k]


def test_word_without_ink_is_ignored(en_page):
    state, image = en_page
    ink = state.ink_ref.copy()
    x0, y0, x1, y1 = _quad_box(state.page.words[2].quad)
    ink[max(0, y0):y1, max(0, x0):x1] = 0  # the renderer drew nothing for this word
    bad = illegible_words(image, ink, ink, state.page, LegibilityRule())
    assert bad[2]


def test_stack_records_count_and_replay_reproduces_marks(factory_for):
    f = factory_for(SIX, seed=5, layouts=ALL_MODES)
    stack = load_stack("heavy")
    page, _ = f.layout_page(11, 0)
    from synthdoc.rng import sample_rng

    bg, _ = f.background(page, 11, 0)
    image, out, record = stack.apply(page, bg.copy(), text_masks(page, f.glyph_cache), sample_rng(5, 11, "augment", 0))
    assert record["ignored_words"] == sum(w.ignore for w in out.words) - sum(w.ignore for w in page.words)
    assert record["legibility"] == LegibilityRule().to_dict()
    image2, out2 = replay(record, page, bg.copy(), text_masks(page, f.glyph_cache))
    assert np.array_equal(image, image2)
    assert [w.ignore for w in out.words] == [w.ignore for w in out2.words]


def test_thresholds_come_from_the_stack_yaml():
    stack = parse_stack({"legibility": {"min_coverage": 0.3, "min_contrast_ratio": 2}, "steps": []}, "t", "t")
    assert stack.legibility.min_coverage == 0.3 and stack.legibility.min_contrast_ratio == 2.0
    with pytest.raises(SynthdocError, match="unknown key 'coverage'"):
        parse_stack({"legibility": {"coverage": 0.3}}, "t", "t")
    with pytest.raises(SynthdocError, match="min_coverage must be a number in"):
        parse_stack({"legibility": {"min_coverage": 2}}, "t", "t")


ISSUE = {"layouts": ALL_MODES, "seed": 5}  # the command of issue 14 (12 pages, six languages)


DASHES = set("—―－-‐‑‒–")


def _dark_px(sample, word) -> int:
    """Ink darker than the word box's median by a quarter of the box's range."""
    x0, y0, x1, y1 = (int(v) for v in (*np.floor(np.min(word.quad, 0)), *np.ceil(np.max(word.quad, 0))))
    g = cv2.cvtColor(sample.image[max(y0, 0):y1, max(x0, 0):x1], cv2.COLOR_RGB2GRAY).astype(int)
    return int((g < np.median(g) - 0.25 * (np.median(g) - g.min())).sum()) if g.size else 0


@pytest.mark.slow
def test_issue_heavy_page_dash_survives_or_is_ignored(factory_for):
    """Issue 14's heavy page (seed 5, six languages, every mode): a "——" was erased from the image but kept in
    the label. The exact page changed with the font pool and text units, so every dash-only word of the run's 12
    pages is checked: under heavy it is marked ignore or keeps at least half of its clean ink."""
    checked = 0
    for i in range(12):
        clean = factory_for(SIX, augment="none", **ISSUE).make(i)
        heavy = factory_for(SIX, augment="heavy", **ISSUE).make(i)
        for line_h, line_c in zip(heavy.page.lines, clean.page.lines):
            for w_h, w_c in zip(line_h.words, line_c.words):
                if w_h.text and set(w_h.text) <= DASHES and not w_h.ignore and not w_c.ignore:
                    checked += 1
                    assert _dark_px(heavy, w_h) >= 0.5 * _dark_px(clean, w_c), (heavy.id, w_h.text)
    if not checked:
        pytest.skip("no legible dash-only word on the 12 pages of this run")


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("tesseract") is None, reason="tesseract not installed")
def test_issue_scan_page_4_entries_reads_or_is_ignored(factory_for):
    """Row eng_Latn-s5-000000000 under scan: edge noise + median blur on a display serif read "I Intries"."""
    from synthdoc.geometry import crop_line
    from synthdoc.ocr.tesseract import recognise_lines

    from synthdoc.ocr.metrics import ned

    # the exact "4 Entries" page changed with the font pool, text units and content: every legible English line
    # that starts with a number (numbered headings, toc entries, numbered list items) on the run's English pages
    # must read back; English pages are taken in order until 15 such lines are scored (the issue's 12 pages hold
    # only two English pages, which may have none)
    scores = []
    for i in range(0, 120, len(SIX)):
        if len(scores) >= 15:
            break
        s = factory_for(SIX, augment="scan", **ISSUE).make(i)
        lines = [ln for ln in s.page.lines
                 if ln.text[:1].isdigit() and " " in ln.text and not any(w.ignore for w in ln.words)]
        reads = recognise_lines([crop_line(s.image, np.asarray(ln.quad), ln.direction) for ln in lines], "eng_Latn")
        scores += [ned(ln.text, read, "eng_Latn") for read, ln in zip(reads, lines)]
    if not scores:
        pytest.skip("no numbered English line on the run's English pages")
    assert float(np.mean(scores)) <= 0.1, scores
