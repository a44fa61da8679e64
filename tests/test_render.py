"""Tests for the renderer: vertical (ttb) typesetting and placement, Vertical_Orientation, vertical forms,
sideways Latin; horizontal word boxes covering the ink; no tofu; the bounded glyph cache."""
from __future__ import annotations

import numpy as np
import pytest

from synthdoc.doc import Page, Paragraph, check
from synthdoc.layout.typeset import (
    TextStyle,
    TofuError,
    place_horizontal,
    place_vertical,
    typeset_horizontal,
    typeset_vertical,
)
from synthdoc.render.compose import text_masks
from synthdoc.render.face import FaceCache
from synthdoc.render.raster import GlyphCache
from synthdoc.render.shaping import shape
from synthdoc.render.vertical import is_upright, orientation_runs, vertical_orientation
from synthdoc.types import union_quad

SIZE_PX = 32
VERTICAL_TEXT = "日本語の「テスト」です。ABC123と漢字、カタカナ（丸括弧）ー長音。"


@pytest.fixture(scope="module")
def face_cache():
    return FaceCache()


def _style(catalogue, registry, face_cache, lang_name, role="sans", size_px=SIZE_PX, style_name="Regular"):
    lang = registry.resolve(lang_name)
    faces = catalogue.faces_for(lang)[role]
    info = next((f for f in faces if f.style == style_name), faces[0])
    return TextStyle(face_cache.get(info), size_px, (0, 0, 0), lang.hb_language, lang.hb_script, lang.space_delimited), lang


@pytest.fixture(scope="module")
def jp_style(catalogue, registry, face_cache):
    style, _ = _style(catalogue, registry, face_cache, "ja")
    assert "CJK JP" in style.face.info.family
    return style


def _vertical_page(lines, style, x_axis=700.0, top=50.0, pitch=45.0, width=800, height=900):
    page = Page(width=width, height=height, lang="jpn_Jpan", layout="test")
    placed = []
    for k, sl in enumerate(lines):
        line, runs = place_vertical(sl, x_axis - k * pitch, top)
        placed.append(line)
        page.runs.extend(runs)
    page.paragraphs = [Paragraph(placed, union_quad([ln.quad for ln in placed], "ttb"))]
    return page


def _horizontal_page(lines, style, sep, x=50.0, top=40.0, gap=4.0, width=800, height=900, lang="eng_Latn"):
    page = Page(width=width, height=height, lang=lang, layout="test")
    placed, y = [], top
    for sl in lines:
        y += style.ascent_px
        line, runs = place_horizontal(sl, x, y, sep)
        placed.append(line)
        page.runs.extend(runs)
        y += style.descent_px + gap
    page.paragraphs = [Paragraph(placed, union_quad([ln.quad for ln in placed]))]
    return page


def _ink_inside_words_frac(page: Page, glyphs: GlyphCache, grow_px: int = 2) -> tuple[float, int]:
    masks = text_masks(page, glyphs)
    mask = np.zeros((page.height, page.width), np.uint8)
    for m in masks.values():
        np.maximum(mask, m, out=mask)
    inside = np.zeros(mask.shape, bool)
    for w in page.words:
        x0, y0 = np.floor(w.quad.min(axis=0) - grow_px).astype(int)
        x1, y1 = np.ceil(w.quad.max(axis=0) + grow_px).astype(int)
        inside[max(y0, 0):y1 + 1, max(x0, 0):x1 + 1] = True
    ink = mask > 0
    return float((ink & inside).sum() / max(ink.sum(), 1)), int(ink.sum())


# ----------------------------------------------------------------------------- vertical

@pytest.fixture(scope="module")
def vertical_page(jp_style):
    lines = typeset_vertical(VERTICAL_TEXT, jp_style, 500)
    assert len(lines) >= 2
    return lines, _vertical_page(lines, jp_style)


def test_vertical_page_passes_check(vertical_page):
    lines, page = vertical_page
    check(page)
    assert all(ln.direction == "ttb" for ln in page.lines)
    assert all(ln.separator == "" for ln in page.lines)
    assert "".join(sl.text for sl in lines) == VERTICAL_TEXT
    assert page.text == "\n".join(sl.text for sl in lines)


def test_vertical_word_quads_are_tr_br_bl_tl(vertical_page):
    _, page = vertical_page
    quads = [w.quad for w in page.words] + [ln.quad for ln in page.lines]
    for q in quads:
        assert q.shape == (4, 2) and q.dtype == np.float32
        tr, br, bl, tl = q
        assert tr[0] == q[:, 0].max() and tr[1] == q[:, 1].min()  # vertex 0: max x, min y
        assert br[0] == tr[0] and br[1] > tr[1]  # vertex 1 straight below vertex 0
        assert bl[1] == br[1] and bl[0] < br[0]
        assert tl[0] == bl[0] and tl[1] == tr[1]
    # one em wide, centred on the column axis
    for ln in page.lines:
        for w in ln.words:
            assert w.quad[0, 0] - w.quad[2, 0] == pytest.approx(SIZE_PX)


def test_vertical_reading_order_is_top_to_bottom(vertical_page, jp_style):
    lines, page = vertical_page
    for ln in page.lines:
        tops = [float(w.quad[0, 1]) for w in ln.words]
        bottoms = [float(w.quad[1, 1]) for w in ln.words]
        assert tops == sorted(tops) and len(set(tops)) == len(tops)
        # words tile the column without overlap
        for b, t in zip(bottoms, tops[1:]):
            assert t == pytest.approx(b, abs=1e-3)
    # columns progress right to left
    xs = [float(ln.quad[0, 0]) for ln in page.lines]
    assert xs == sorted(xs, reverse=True)
    # glyph origins move down the page in logical order, within and across runs of a column
    for ln_runs in _runs_per_column(page, len(lines)):
        ys = np.concatenate([r.origins[:, 1] for r in ln_runs])
        assert (np.diff(ys) > 0).all()


def _runs_per_column(page, n_cols):
    """Glyph runs grouped by the column whose quad holds their first origin (page runs are in column order)."""
    cols = [[] for _ in range(n_cols)]
    for run in page.runs:
        x = float(run.origins[0, 0])
        k = min(range(n_cols), key=lambda i: abs(float(page.lines[i].quad[:, 0].mean()) - x))
        cols[k].append(run)
    return cols


def test_vertical_glyph_origins_inside_their_word_cells(vertical_page):
    _, page = vertical_page
    words = page.words
    cells = np.array([[w.quad[:, 0].min(), w.quad[:, 1].min(), w.quad[:, 0].max(), w.quad[:, 1].max()] for w in words])
    for run in page.runs:
        for x, y in run.origins:
            inside = (cells[:, 0] - 1 <= x) & (x <= cells[:, 2] + 1) & (cells[:, 1] - 1 <= y) & (y <= cells[:, 3] + 1)
            assert inside.any(), (x, y)


def test_vertical_punctuation_forms_are_substituted(jp_style, vertical_page):
    text = "「」。、"
    ttb = shape(jp_style.face, text, SIZE_PX, direction="ttb", language="ja")
    ltr = shape(jp_style.face, text, SIZE_PX, direction="ltr", language="ja")
    assert not ttb.has_tofu and not ltr.has_tofu
    assert len(ttb.gids) == len(ltr.gids) == 4
    assert (ttb.gids != ltr.gids).all()  # vert / vrt2 forms
    # vertical advances are one em, downward
    assert np.allclose(ttb.y_advance, -SIZE_PX)
    _, page = vertical_page
    drawn = set(np.concatenate([r.gids for r in page.runs]).tolist())
    v_gids = dict(zip(text, ttb.gids.tolist()))
    h_gids = dict(zip(text, ltr.gids.tolist()))
    for ch in "「」。、":
        assert v_gids[ch] in drawn, ch
        assert h_gids[ch] not in drawn, ch


def _ink_box(page, glyphs):
    (mask,) = text_masks(page, glyphs).values()
    ys, xs = np.nonzero(mask)
    return xs.min(), ys.min(), xs.max(), ys.max()


@pytest.mark.parametrize("ch", ["「", "」"])
def test_vertical_corner_bracket_is_turned(jp_style, ch):
    glyphs = GlyphCache()
    v = _vertical_page(typeset_vertical(ch, jp_style, 500), jp_style)
    h = _horizontal_page(typeset_horizontal(ch, jp_style, 500), jp_style, "", lang="jpn_Jpan")
    vx0, vy0, vx1, vy1 = _ink_box(v, glyphs)
    hx0, hy0, hx1, hy1 = _ink_box(h, glyphs)
    assert hy1 - hy0 > hx1 - hx0  # horizontal 「 is taller than wide
    assert vx1 - vx0 > vy1 - vy0  # its vertical form is wider than tall


def test_vertical_ideographic_full_stop_sits_top_right(jp_style):
    glyphs = GlyphCache()
    page = _vertical_page(typeset_vertical("。", jp_style, 500), jp_style)
    x0, y0, x1, y1 = _ink_box(page, glyphs)
    q = page.words[0].quad
    cx, cy = float(q[:, 0].mean()), float(q[:, 1].mean())
    assert x0 > cx and y1 < cy  # top-right quadrant of its em cell (Japanese vertical convention)


def test_latin_and_digits_are_rotated_in_vertical_lines(jp_style):
    glyphs = GlyphCache()
    lines = typeset_vertical("縦書きABC123です", jp_style, 1000)
    assert len(lines) == 1
    page = _vertical_page(lines, jp_style)
    check(page)
    rotated = [r for r in page.runs if r.rotated]
    upright = [r for r in page.runs if not r.rotated]
    assert len(rotated) == 1 and len(upright) == 2
    latin = shape(jp_style.face, "ABC123", SIZE_PX, direction="ltr", language="ja")
    assert rotated[0].gids.tolist() == latin.gids.tolist()
    assert page.words[[w.text for w in page.words].index("ABC123")].text == "ABC123"
    # sideways run: origins on one vertical baseline, advancing down by the horizontal advances
    o = rotated[0].origins
    assert np.allclose(o[:, 0], o[0, 0])
    assert np.allclose(np.diff(o[:, 1]), latin.x_advance[:-1], atol=1e-3)
    # the rendered run is taller than wide, and letter tops face right (turned 90° clockwise)
    sideways = Page(page.width, page.height, page.lang, page.layout, page.paragraphs, rotated)
    x0, y0, x1, y1 = _ink_box(sideways, glyphs)
    assert y1 - y0 > 2 * (x1 - x0)
    assert x0 >= o[0, 0] - 1  # ink lies right of the sideways baseline (no descenders in ABC123)


def test_sideways_word_box_spans_its_advances(jp_style):
    lines = typeset_vertical("第3章ABCの話", jp_style, 1000)
    page = _vertical_page(lines, jp_style)
    words = {w.text: w.quad for w in page.words}
    assert "ABC" in words
    adv = float(shape(jp_style.face, "ABC", SIZE_PX, language="ja").x_advance.sum())
    q = words["ABC"]
    assert float(q[1, 1] - q[0, 1]) == pytest.approx(adv, abs=1e-3)


def test_vertical_ink_inside_word_quads(jp_style):
    page = _vertical_page(typeset_vertical(VERTICAL_TEXT, jp_style, 500), jp_style)
    frac, n = _ink_inside_words_frac(page, GlyphCache())
    assert n > 1000
    assert frac >= 0.99


@pytest.mark.parametrize("ch, expected", [("日", "U"), ("本", "U"), ("A", "R"), ("1", "R"), ("「", "Tr"),
                                          ("」", "Tr"), ("ー", "Tr"), ("。", "Tu"), ("、", "Tu"), ("あ", "U"),
                                          ("ぁ", "Tu"), ("한", "U"), ("Я", "R")])
def test_vertical_orientation_values(ch, expected):
    assert vertical_orientation(ch) == expected
    assert is_upright(ch) == (expected != "R")


def test_orientation_runs():
    assert orientation_runs("日本ABC123です。") == [(0, 2, True), (2, 8, False), (8, 11, True)]
    assert orientation_runs("") == []
    assert orientation_runs("abc") == [(0, 3, False)]
    text = "「A」b日"
    runs = orientation_runs(text)
    assert runs[0][0] == 0 and runs[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(runs, runs[1:]))  # contiguous cover
    assert all(a[2] != b[2] for a, b in zip(runs, runs[1:]))  # maximal


# ----------------------------------------------------------------------------- horizontal

HORIZONTAL_TEXTS = {
    "en": "Quickly jumping foxes, Ågjpqy! “Quotes” — 1234 fjord final café naïve Œuvre (brackets) [x] {y} § @ % & *",
    "ru": "Съешь же ещё этих мягких французских булок, да выпей чаю. Йй Щщ Ёё Дд Цц Ъъ.",
    "ja": "日本語の文章です。「括弧」や、句読点、カタカナ、ひらがなを含みます。ＡＢＣ１２３とabc。",
    "ko": "한국어 문장입니다. 띄어쓰기가 있습니다! (괄호) 123 abc",
    "zh-Hans": "这是简体中文的句子，包括标点符号。“引号”和（括号）。",
    "zh-Hant": "這是繁體中文的句子，包括標點符號。「引號」和（括號）。",
}


@pytest.mark.parametrize("lang_name, role, style_name", [
    ("en", "serif", "Regular"), ("en", "sans", "Regular"), ("en", "serif", "Italic"), ("en", "bold", "Bold"),
    ("ru", "serif", "Regular"), ("ja", "serif", "Regular"), ("ja", "sans", "Regular"), ("ko", "sans", "Regular"),
    ("zh-Hans", "serif", "Regular"), ("zh-Hant", "sans", "Bold"),
])
@pytest.mark.parametrize("align", ["left", "justify"])
def test_horizontal_word_quads_cover_the_ink(catalogue, registry, face_cache, lang_name, role, style_name, align):
    style, lang = _style(catalogue, registry, face_cache, lang_name, role, 28, style_name)
    lines = typeset_horizontal(HORIZONTAL_TEXTS[lang_name] * 2, style, 600, align=align, first_indent_px=30)
    assert len(lines) >= 2
    page = _horizontal_page(lines, style, lang.word_separator, lang=lang.code)
    check(page)
    for q in (w.quad for w in page.words):  # TL, TR, BR, BL
        assert q[0, 0] < q[1, 0] and q[0, 1] == q[1, 1] and q[2, 1] > q[1, 1]
    frac, n = _ink_inside_words_frac(page, GlyphCache())
    assert n > 2000
    assert frac >= 0.99, f"{style.face.info.family} {style.face.info.style}: {frac:.4f} of the ink inside word quads"


def test_horizontal_words_in_reading_order(catalogue, registry, face_cache):
    style, lang = _style(catalogue, registry, face_cache, "en", "serif")
    lines = typeset_horizontal("alpha beta gamma delta epsilon zeta eta theta", style, 250)
    page = _horizontal_page(lines, style, " ")
    for ln in page.lines:
        xs = [float(w.quad[0, 0]) for w in ln.words]
        assert xs == sorted(xs)
        for a, b in zip(ln.words, ln.words[1:]):
            assert float(a.quad[1, 0]) < float(b.quad[0, 0])  # a space between words
    assert " ".join(w.text for w in page.words) == "alpha beta gamma delta epsilon zeta eta theta"


def test_generated_pages_ink_inside_word_quads(generated_pages, all_lang_factory):
    for samples in generated_pages.values():
        page = samples[0].page
        frac, n = _ink_inside_words_frac(page, all_lang_factory.glyph_cache)
        assert frac >= 0.99, (page.lang, page.meta.get("fonts"), frac)


# ----------------------------------------------------------------------------- tofu

def test_tofu_raises_in_typeset_horizontal(catalogue, registry, face_cache):
    lang = registry.resolve("en")
    info = next(f for f in catalogue.family("Noto Serif") if f.style == "Regular")
    style = TextStyle(face_cache.get(info), 24, (0, 0, 0), "en", "Latn", True)
    typeset_horizontal("plain Latin text", style, 400)  # covered: no error
    with pytest.raises(TofuError, match="漢"):
        typeset_horizontal("Latin then 漢字 here", style, 400)
    assert lang.code == "eng_Latn"


def test_tofu_raises_in_typeset_vertical(jp_style, catalogue, face_cache):
    info = next(f for f in catalogue.family("Noto Serif") if f.style == "Regular")
    latin = TextStyle(face_cache.get(info), 24, (0, 0, 0), "ja", None, False)
    with pytest.raises(TofuError):
        typeset_vertical("日本語", latin, 400)


def test_generated_glyph_runs_have_no_gid_zero(generated_pages):
    for lang, samples in generated_pages.items():
        for s in samples:
            assert s.page.runs
            for run in s.page.runs:
                gids = np.asarray(run.gids)
                assert gids.dtype == np.uint32
                assert len(gids) == len(run.origins)
                assert (gids != 0).all(), lang


# ----------------------------------------------------------------------------- glyph cache

def test_glyph_cache_is_bounded(jp_style):
    cache = GlyphCache(max_entries=5)
    run = shape(jp_style.face, "日本語の文章です漢字", SIZE_PX)
    gids = run.gids.tolist()
    assert len(set(gids)) == 10
    for k, gid in enumerate(gids):
        cache.get(jp_style.face, SIZE_PX, gid)
        cache.get(jp_style.face, SIZE_PX, gid, rotated=True)
        assert len(cache) <= 5
    assert len(cache) == 5
    assert cache.misses == 20 and cache.hits == 0
    # LRU: the most recently used entry survives new insertions, the least recent is evicted
    last = gids[-1]
    cache.get(jp_style.face, SIZE_PX, last)
    assert cache.hits == 1
    for gid in gids[:4]:
        cache.get(jp_style.face, SIZE_PX + 1, gid)
    hits = cache.hits
    cache.get(jp_style.face, SIZE_PX, last)
    assert cache.hits == hits + 1
    assert len(cache) == 5


def test_glyph_cache_hit_returns_same_bitmap(jp_style):
    cache = GlyphCache(max_entries=5)
    gid = int(shape(jp_style.face, "日", SIZE_PX).gids[0])
    a = cache.get(jp_style.face, SIZE_PX, gid)
    b = cache.get(jp_style.face, SIZE_PX, gid)
    assert a is b and cache.hits == 1
    r = cache.get(jp_style.face, SIZE_PX, gid, rotated=True)
    assert r.alpha.shape == a.alpha.shape[::-1]
    assert np.array_equal(r.alpha, np.rot90(a.alpha, k=-1))


def test_glyph_cache_is_bounded_by_bytes(jp_style):
    """A byte budget smaller than the glyphs drawn keeps the cache under it (LRU), counting pixels + overhead."""
    from synthdoc.render.raster import GLYPH_OVERHEAD_BYTES

    gids = shape(jp_style.face, "日本語の文章です漢字", SIZE_PX).gids.tolist()
    one = GlyphCache().get(jp_style.face, SIZE_PX, gids[0]).alpha.nbytes + GLYPH_OVERHEAD_BYTES
    cache = GlyphCache(max_bytes=3 * one)
    for gid in gids:
        cache.get(jp_style.face, SIZE_PX, gid)
        assert cache.nbytes <= 3 * one * 1.5 and len(cache) >= 1
    assert len(cache) < len(set(gids)) and cache.nbytes == sum(
        b.alpha.nbytes + GLYPH_OVERHEAD_BYTES for b in cache._cache.values())


def test_composite_blends_in_integer_arithmetic_inside_the_ink_box():
    import cv2

    from synthdoc.render.compose import composite

    rng = np.random.default_rng(3)
    bg = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    masks = {(200, 30, 90): np.zeros((120, 160), np.uint8), (5, 5, 5): np.zeros((120, 160), np.uint8)}
    masks[(200, 30, 90)][10:50, 20:90] = rng.integers(0, 256, (40, 70), dtype=np.uint8)
    masks[(5, 5, 5)][60:110, 100:150] = rng.integers(0, 256, (50, 50), dtype=np.uint8)
    want = bg.copy()
    for color, m in masks.items():  # out = bg (255 - a) / 255 + ink a / 255, each term rounded and saturated
        a3 = cv2.merge([m, m, m])
        kept = cv2.multiply(want, cv2.bitwise_not(a3), scale=1 / 255)
        ink = cv2.multiply(a3, (*map(float, color), 0.0), scale=1 / 255)
        want = cv2.add(kept, ink)
    got = composite(bg, masks)
    assert np.array_equal(got, want)
    assert not np.shares_memory(got, bg) and np.array_equal(got[:10], bg[:10])  # a new image; no ink, no change
