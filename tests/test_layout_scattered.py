"""The `scattered` layout mode: rotated phrases that never overlap, quads that turn with the glyphs, ink inside
the labels, ink that contrasts with the texture under it, and the texture background itself."""

import cv2
import numpy as np
import pytest

from synthdoc.background import render_background, texture
from synthdoc.colour import contrast_ratio, mean_color_under
from synthdoc.config import GenerateConfig
from synthdoc.doc import check
from synthdoc.pipeline import SampleFactory
from synthdoc.render.compose import text_masks

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]


@pytest.fixture(scope="module")
def factory():
    return SampleFactory(GenerateConfig(languages=LANGS, layouts={"scattered": 1}, seed=7))


@pytest.fixture(scope="module")
def samples(factory):
    return [factory.make(i) for i in range(2 * len(LANGS))]


def _ink(page, factory) -> np.ndarray:
    masks = list(text_masks(page, factory.glyph_cache).values())
    return np.maximum.reduce(masks) if masks else np.zeros((page.height, page.width), np.uint8)


def test_pages_pass_check_in_every_language_without_tofu(samples):
    assert {s.page.lang for s in samples} == set(LANGS)
    for s in samples:
        page = s.page
        check(page)
        assert page.layout == "scattered" and page.background.params["kind"] == "texture"
        assert all((run.gids != 0).all() for run in page.runs)
        assert all(p.role == "body" and len(p.lines) == 1 for p in page.paragraphs)
        assert len(page.runs) == len(page.lines)  # runs[k] draws lines[k]
        quads = np.asarray([w.quad for w in page.words] + [ln.quad for ln in page.lines])
        assert (quads[..., 0] >= 0).all() and (quads[..., 0] <= page.width).all()
        assert (quads[..., 1] >= 0).all() and (quads[..., 1] <= page.height).all()


def test_phrases_are_short(samples):
    for s in samples:
        for line in s.page.lines:
            if s.page.lang in ("eng_Latn", "rus_Cyrl", "kor_Hang"):
                assert 1 <= len(line.text.split()) <= 3, line.text
            else:
                assert 1 <= len(line.text.replace(" ", "")) <= 6, line.text


def test_phrases_never_overlap(samples):
    for s in samples:
        quads = [np.asarray(ln.quad, np.float32) for ln in s.page.lines]
        for i, a in enumerate(quads):
            for b in quads[i + 1:]:
                area, _ = cv2.intersectConvexConvex(a, b)
                assert area < 1e-3, (s.page.lang, area)


def test_quads_turn_with_the_glyphs(samples):
    angles = []
    for s in samples:
        for line, run in zip(s.page.lines, s.page.runs):
            a = run.angle_deg
            angles.append(a)
            assert -30 <= a <= 30
            q = np.asarray(line.quad, np.float64)
            # vertex 0 -> 1 follows the text's x axis: direction -a in image coordinates (y down)
            for quad in [q] + [np.asarray(w.quad, np.float64) for w in line.words]:
                d = quad[1] - quad[0]
                got = np.degrees(np.arctan2(d[1], d[0]))
                assert abs(((got + a) + 180) % 360 - 180) < 1.0, (got, a)
            # the pivot is the centre of the phrase box
            assert np.allclose(q.mean(axis=0), run.pivot, atol=1.0)
    assert sum(a != 0 for a in angles) > len(angles) / 2  # most phrases are rotated
    assert any(a == 0 for a in angles)


def test_ink_lies_inside_the_word_quads(samples, factory):
    for s in samples:
        page = s.page
        ink = _ink(page, factory) > 64
        region = np.zeros((page.height, page.width), np.uint8)
        cv2.fillPoly(region, [np.round(np.asarray(w.quad)).astype(np.int32) for w in page.words], 255)
        region = cv2.dilate(region, np.ones((5, 5), np.uint8))  # grown by 2 px
        inside = np.count_nonzero(ink & (region > 0))
        assert ink.sum() > 0
        assert inside / ink.sum() >= 0.99, (page.lang, inside / ink.sum())


def test_ink_contrasts_with_the_texture_under_each_phrase(samples):
    for s in samples:
        page = s.page
        bg, params = render_background(page.height, page.width, page.background.params, np.random.default_rng(0))
        assert params == page.background.params
        for line, run in zip(page.lines, page.runs):
            under = mean_color_under(bg, line.quad)
            assert contrast_ratio(run.color, under) >= 3.0, (page.lang, line.text, run.color, under)


def test_rendered_background_is_the_recorded_texture(samples, factory):
    s = samples[0]
    page = s.page
    bg, _ = render_background(page.height, page.width, page.background.params, np.random.default_rng(0))
    no_ink = _ink(page, factory) == 0
    assert np.array_equal(s.image[no_ink], bg[no_ink])


def test_same_index_same_page(factory, samples):
    again = factory.make(3)
    assert again.page.text == samples[3].page.text
    assert np.array_equal(again.image, samples[3].image)


def test_texture_replays_from_its_parameters():
    """Speed is measured in benchmarks/, never asserted here."""
    for i in range(3):
        img, params = texture(1754, 1240, np.random.default_rng(i))
        assert img.shape == (1754, 1240, 3) and img.dtype == np.uint8
        again, _ = render_background(1754, 1240, params, np.random.default_rng(99))
        assert np.array_equal(img, again)


def test_render_stage_takes_the_texture_the_layout_drew(factory):
    """The layout's drawing of the texture (page.background.pixels) is what the render stage uses, handed over
    once; it equals drawing the texture again from the recorded parameters, which replays use."""
    page, _, attempt = factory.layout_retrying(5)
    drawn = page.background.pixels
    assert drawn is not None and drawn.shape == (page.height, page.width, 3)
    again, _ = render_background(page.height, page.width, page.background.params, np.random.default_rng(0))
    assert np.array_equal(drawn, again)
    bg, params = factory.background(page, 5, attempt)
    assert bg is drawn and page.background.pixels is None and params == page.background.params
    bg2, params2 = factory.background(page, 5, attempt)  # taken: drawn from the parameters, same pixels
    assert bg2 is not drawn and np.array_equal(bg2, again) and params2 == params
