"""The fast paths of typesetting give exactly what the general code gives: words found by the regex scan, per-word
extremes reduced over glyph ranges, lines positioned lazily, break opportunities reused across widths."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.languages import LanguageRegistry, load_fonts_yaml
from synthdoc.layout import typeset
from synthdoc.layout.breaking import _grapheme_starts, _segment_words, break_lines, one_line, segment_words
from synthdoc.render.itemize import grapheme_starts
from synthdoc.layout.base import LayoutInput
from synthdoc.render.face import FaceCache

TEXTS = {
    "en": "The committee met on 17:00 to discuss the Wi-Fi budget (£3.20 per unit), and “nothing” was decided; "
          "naïve café owners — all 1,500 of them — waited.",
    "ja": "東京都の会議は午後3時に始まり、Wi-Fiの予算（約1,500円）について議論した。「結論」は出なかった。",
    "ar": "قال المدير إن شركة Google Maps ستفتح 3 مكاتب في عام 2024 (قريبا).",
    "hi": "समिति की बैठक में बजट पर चर्चा हुई और कोई निर्णय नहीं लिया गया।",
}


@pytest.fixture(scope="module")
def styles():
    """lang alias -> TextStyle of a sans face of the language at 24 px."""
    reg, cat, fc = LanguageRegistry(load_fonts_yaml()), FontCatalogue(), FaceCache()
    out = {}
    for alias in TEXTS:
        lang = reg.resolve(alias)
        faces = cat.faces_for(lang)
        out[alias] = LayoutInput(lang, faces, fc, sampler=None).style(faces["sans"][0], 24, (0, 0, 0))
    return out


def _fields(line) -> dict:
    return {f.name: getattr(line, f.name) for f in dataclasses.fields(typeset.SetLine)}


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a is b or a == b


@pytest.mark.parametrize("alias", list(TEXTS))
def test_lazy_lines_equal_lines_positioned_at_once(styles, alias):
    style = styles[alias]
    par = typeset.shape_paragraph(TEXTS[alias], style)
    for width, align in ((260.0, "left"), (300.0, "justify"), (240.0, "right"), (1e9, "center")):
        lines = typeset.set_paragraph(par, width, align=align, first_indent_px=12.0)
        assert lines and all(isinstance(ln, typeset._LazyLine) for ln in lines)
        for ln in lines:
            eager = typeset._line(*ln._args)
            got, want = _fields(ln), _fields(eager)
            for name in ("text", "words", "width", "direction", "word_bands", "advance_span"):
                assert _same(got[name], want[name]), name
            for (st, gids, pos, rot), (st2, gids2, pos2, rot2) in zip(got["runs"], want["runs"]):
                assert st.face is st2.face and rot == rot2
                assert _same(gids, gids2) and _same(pos, pos2)
            assert _same(got["clusters"], want["clusters"])


@pytest.mark.parametrize("alias", list(TEXTS))
def test_run_metrics_and_word_extremes_equal_the_per_line_computation(styles, alias):
    style = styles[alias]
    par = typeset.shape_paragraph(TEXTS[alias], style)
    checked = 0
    for ln in typeset.set_paragraph(par, 200.0):
        _, _, items, cstart, _, s, e, *_ = ln._args
        pieces = typeset._visual_glyphs(par.text, style, items, s, e)
        clusters = np.concatenate([p[1].clusters for p in pieces])
        general = [(f, r, x, None) for f, r, x, _ in pieces]  # the per-line computation
        for a, b in zip(typeset._glyph_metrics(style, items, pieces), typeset._glyph_metrics(style, items, general)):
            assert _same(a, b)
        if not (clusters[1:] >= clusters[:-1]).all():
            continue
        spans = segment_words(par.text, s, e, style.space_delimited, cstart)
        values = np.random.default_rng(0).normal(size=(len(clusters), 6))
        fast = typeset._word_min(spans, clusters, values, s, e, True)
        slow = typeset._word_min(spans, clusters, values, s, e, False)
        assert np.array_equal(fast, slow)
        checked += 1
    if alias in ("en", "ja"):
        assert checked >= 2  # left-to-right lines take the fast path


@pytest.mark.parametrize("alias", list(TEXTS))
def test_word_scan_equals_the_character_loop(styles, alias):
    text = typeset.normalise_spaces(TEXTS[alias], True)
    for cstart in (np.ones(len(text), bool), np.arange(len(text)) % 3 == 0):
        cstart[0] = True
        for s, e in ((0, len(text)), (3, len(text) - 5), (10, 30)):
            assert segment_words(text, s, e, True, cstart) == _segment_words(text, s, e, True, cstart)


def test_break_points_reused_across_widths_break_as_before(styles):
    style = styles["en"]
    par = typeset.shape_paragraph(TEXTS["en"], style)
    typeset.set_paragraph(par, 1e9, max_lines=1)
    assert par.breaks is None  # one line: no break opportunities asked for (one_line)
    typeset.set_paragraph(par, 500.0)
    assert par.breaks is not None
    for width in (150.0, 233.0, 400.0):
        widths = [width - 2 * par.overhang]
        fresh = break_lines(par.text, par.adv, par.cstart, widths, True, None, style.hb_language)
        reused = break_lines(par.text, par.adv, par.cstart, widths, True, None, style.hb_language, par.breaks)
        assert reused == fresh and len(fresh) > 1
        assert [(ln.text) for ln in typeset.set_paragraph(par, width)] == [par.text[s:e] for s, e in fresh]


@pytest.mark.parametrize("alias", list(TEXTS))
def test_one_line_equals_break_lines_where_the_paragraph_fits(styles, alias):
    style = styles[alias]
    par = typeset.shape_paragraph(" " + TEXTS[alias] + "  ", style)  # leading / trailing spaces are trimmed
    text, adv = " " + par.text + "  ", np.concatenate([[5.0], par.adv, [5.0, 5.0]]).astype(np.float32)
    cstart = np.concatenate([[True], par.cstart, [True, True]])
    natural = float(np.sum(adv, dtype=np.float64))
    fits = 0
    for width in np.linspace(0.5 * natural, 1.2 * natural, 41):
        got = one_line(text, adv, float(width))
        want = break_lines(text, adv, cstart, [float(width)], style.space_delimited, None, style.hb_language)
        if got is not None:
            fits += 1
            assert [got] == want
        else:
            assert len(want) > 1
    assert 5 < fits < 41  # both sides of the natural width were tried
    assert one_line("   ", np.full(3, 4.0, np.float32), 100.0) is None
    assert one_line("ab", np.float32([5.0, -1.0]), 100.0) is None  # a negative advance: break_lines decides


def test_ascii_grapheme_shortcut_equals_icu():
    rng = np.random.default_rng(0)
    ascii_chars = [chr(c) for c in range(128) if c != 13]
    for _ in range(300):
        text = "".join(rng.choice(ascii_chars, size=int(rng.integers(1, 50))))
        got, want = _grapheme_starts(text), grapheme_starts(text)
        assert got.dtype == want.dtype and np.array_equal(got, want)
    for text in ("a\r\nb", "naïve café", TEXTS["hi"]):  # CR LF and non-ASCII text ask ICU
        assert np.array_equal(_grapheme_starts(text), grapheme_starts(text))
