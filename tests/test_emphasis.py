"""Inline emphasis (issue #12, point 4): italic and bold runs inside body paragraphs, shaped separately in the
italic/bold style of the body family (synthetic oblique/bold where the family lacks it), with exact word boxes;
drawn on the plan's tape so pages replay, and recorded in meta."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synthdoc.fonts.emphasis import draw_emphasis, emphasis_face
from synthdoc.fonts.sampling import face_for_key
from synthdoc.fonts.synthetic import synthetic_face
from synthdoc.layout.typeset import TextStyle, normalise_spaces, typeset_horizontal
from synthdoc.render.face import FaceCache
from synthdoc.render.raster import GlyphCache
from synthdoc.render.shaping import shape

# the renderer puts glyph origins on whole pixels (draw_glyph rounds: 0.5 px) and a pixel with any coverage counts
# as ink here (up to 1 px beyond the outline the box is measured from)
TOLERANCE_PX = 1.5
TEXT = ("Typesetting follows the usual pipeline of a layout engine: every paragraph is itemized into runs, "
        "each run is shaped, and the lines are broken where the rules allow, so that the words keep exact boxes "
        "whatever the face, the weight or the slant of the run that sets them.")


@pytest.fixture(scope="module")
def eng_pool(catalogue, registry):
    return catalogue.faces_for(registry.resolve("eng_Latn"))


def _body(pool, family: str):
    return next(f for r in ("serif", "sans") for f in pool.get(r, []) if f.family == family and not f.axes)


def _style(face_cache, info, size_px=30) -> TextStyle:
    return TextStyle(face_cache.get(info), size_px, (0, 0, 0), "en", "Latn", True)


def _word_spans(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for w in text.split(" "):
        out.append((pos, pos + len(w)))
        pos += len(w) + 1
    return out


def _check_lines(lines, body_face, spans) -> int:
    """Every word's glyphs: drawn by the emphasis face inside a span, by the body face outside; every glyph's ink
    inside its word's box. Returns how many emphasised words were checked."""
    cache = GlyphCache()
    checked = 0
    for line in lines:
        words = _word_spans(line.text)
        assert [t for t, _, _ in line.words] == line.text.split(" ")
        offset = TEXT_NORM.index(line.text)
        for (st, gids, pos, _), clusters in zip(line.runs, line.clusters):
            for gid, (x, y), c in zip(gids.tolist(), pos.tolist(), clusters.tolist()):
                k = next(i for i, (a, b) in enumerate(words) if a <= c < b or c == b)  # a space: after its word
                if line.text[c] == " ":
                    continue
                emph = [f for a, b, f in spans if a <= offset + c < b]
                assert st.face is (emph[0] if emph else body_face)
                checked += bool(emph) and c == words[k][0]
                bm = cache.get(st.face, st.size_px, gid)
                ys, xs = np.nonzero(bm.alpha)
                if not len(xs):
                    continue
                x0, y0 = int(round(x)) + bm.left + xs.min(), int(round(y)) + bm.top + ys.min()
                x1, y1 = int(round(x)) + bm.left + xs.max() + 1, int(round(y)) + bm.top + ys.max() + 1
                _, wa, wb = line.words[k]
                top, bottom = line.word_bands[k]
                assert wa - TOLERANCE_PX <= x0 and x1 <= wb + TOLERANCE_PX, (line.words[k], x0, x1)
                assert top - TOLERANCE_PX <= y0 and y1 <= bottom + TOLERANCE_PX, (line.words[k], y0, y1)
    return checked


TEXT_NORM = normalise_spaces(TEXT, True)


@pytest.mark.parametrize("family,drop", [("Noto Serif", ()), ("Noto Sans", ("italic", "bold"))])
def test_inline_italic_and_bold_runs_have_exact_word_boxes(eng_pool, family, drop):
    """Real italic/bold faces of the body family, and (their faces taken out of the pool) synthetic ones."""
    pool = {r: [f for f in v if not (r in drop and f.family == family)] for r, v in eng_pool.items()}
    body = _body(pool, family)
    faces = FaceCache()
    italic, bold = emphasis_face(body, pool, "italic"), emphasis_face(body, pool, "bold")
    assert italic.family == bold.family == family and italic.italic and bold.bold and not bold.italic
    assert (italic.synthetic, bold.synthetic) == (("oblique", "bold") if drop else ("", ""))
    rng = np.random.default_rng(0)  # a draw with runs of both kinds
    spans = draw_emphasis(rng, TEXT_NORM, True, (3, 4), (1, 3), {"italic": 1, "bold": 1})
    assert {k for _, _, k in spans} == {"italic", "bold"}
    runs = [(a, b, faces.get(italic if k == "italic" else bold)) for a, b, k in spans]
    style = _style(faces, body)
    for align in ("left", "justify"):
        lines = typeset_horizontal(TEXT, style, 560, align=align, emphasis=runs)
        plain = typeset_horizontal(TEXT, style, 560, align=align)
        words = [w[0] for ln in lines for w in ln.words]
        assert words == [w[0] for ln in plain for w in ln.words] == TEXT_NORM.split(" ")  # labels unchanged
        n_emph = sum(len(TEXT_NORM[a:b].split(" ")) for a, b, _ in spans)
        assert _check_lines(lines, style.face, runs) == n_emph


def test_synthetic_bold_and_oblique_change_ink_advances_and_keys(eng_pool):
    body = _body(eng_pool, "Noto Sans")
    faces = FaceCache()
    regular, bold, oblique = (faces.get(f) for f in (body, synthetic_face(body, "bold"),
                                                      synthetic_face(body, "oblique")))
    cache = GlyphCache()
    gid = int(shape(regular, "l", 60).gids[0])
    ink = {n: cache.get(f, 60, gid) for n, f in (("r", regular), ("b", bold), ("o", oblique))}
    assert ink["b"].alpha.astype(int).sum() > 1.3 * ink["r"].alpha.astype(int).sum()  # thicker stroke
    assert shape(bold, "line", 60).x_advance.sum() > shape(regular, "line", 60).x_advance.sum()
    o = ink["o"].alpha > 128
    cols = np.nonzero(o.any(axis=0))[0]
    top_x, bottom_x = np.nonzero(o[1])[0].mean(), np.nonzero(o[-2])[0].mean()
    assert top_x - bottom_x > 0.15 * o.shape[0] and len(cols) > ink["r"].alpha.shape[1]  # leans right
    key = synthetic_face(body, "bold+oblique").key
    assert key.endswith("!bold+oblique")
    back = face_for_key(key, eng_pool["sans"])
    assert back is not None and back.synthetic == "bold+oblique" and back.key == key
    assert "synthetic" in back.style


def test_draw_emphasis_spans_are_separate_words():
    rng = np.random.default_rng(0)
    for _ in range(50):
        spans = draw_emphasis(rng, TEXT_NORM, True, (1, 3), (1, 4), {"italic": 2, "bold": 1})
        assert 0 < len(spans) <= 3
        for (a, b, kind), nxt in zip(spans, spans[1:] + [None]):
            assert kind in ("italic", "bold") and TEXT_NORM[a].isalnum() and TEXT_NORM[b - 1].isalnum()
            assert 1 <= len(TEXT_NORM[a:b].split(" ")) <= 4
            assert nxt is None or nxt[0] > b + 1  # runs never touch
            assert a == 0 or TEXT_NORM[a - 1] == " "  # starts at a word's start (no punctuation opens TEXT's words)
    cjk = "日本語の文章を書きます。これは、テストです。"
    spans = draw_emphasis(rng, cjk, False, (1, 1), (2, 2), {"bold": 1})
    assert len(spans) == 1 and spans[0][2] == "bold" and spans[0][1] - spans[0][0] >= 4


def test_pages_draw_emphasis_at_the_template_rate_record_it_and_replay(factory_for):
    from synthdoc.doc import check

    factory = factory_for(["eng_Latn", "jpn_Jpan"], layouts={"multi_column": 1.0}, seed=8)
    seen_kinds, paragraphs, emphasised = set(), 0, 0
    for i in range(6):
        page, _ = factory.layout_page(i, 0)
        check(page)
        drawn = [v for name, v in page.meta["plan"]["tape"] if name == "emphasis"]
        paragraphs += len(drawn)
        emphasised += sum(bool(v) for v in drawn)
        kinds = {span[2] for v in drawn for span in v}
        seen_kinds |= {(page.lang, k) for k in kinds}
        for k in kinds:  # the face of every kind used is named in meta
            assert f"{k}_emphasis" in page.meta["fonts"]
        if page.lang == "jpn_Jpan":
            assert "italic" not in kinds  # no italic faces for Japanese: emphasis by weight
    assert {("eng_Latn", "italic"), ("eng_Latn", "bold")} <= seen_kinds
    assert 0.1 < emphasised / paragraphs < 0.6  # the template's emphasis_p is 0.3


def test_zero_emphasis_p_draws_nothing(factory_for):
    from synthdoc.layout import registry as layout_registry
    from synthdoc.layout.template import load_template

    factory = factory_for(["eng_Latn"], layouts={"multi_column": 1.0}, seed=8)
    template = load_template("multi_column")
    quiet = dataclasses.replace(template, params=dataclasses.replace(template.params, emphasis_p=0.0))
    mode = layout_registry.mode("multi_column")
    for seed in range(3):
        loud = mode.generate(factory.inputs["eng_Latn"], template, np.random.default_rng(seed))
        page = mode.generate(factory.inputs["eng_Latn"], quiet, np.random.default_rng(seed))
        assert not [n for n, _ in page.meta["plan"]["tape"] if n == "emphasis"]
        assert not [k for k in page.meta["fonts"] if k.endswith("_emphasis")]
        assert [n for n, _ in loud.meta["plan"]["tape"] if n == "emphasis"]
