"""The least line band of CJK languages (fonts.yaml ``min_line_band_em``): faces whose declared band is the bare
em box (IPA, Takao, Ume, Baekmuk: 1.0 em) are set at a realistic line pitch, word boxes keep the face's band."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import synthdoc.render.face as face_module
from synthdoc.config import GenerateConfig
from synthdoc.layout.typeset import TextStyle, place_horizontal, typeset_horizontal
from synthdoc.pipeline import SampleFactory
from synthdoc.render.face import FaceCache

EM_BOX = {"ascender_em": 0.88, "descender_em": -0.12}  # IPA Gothic's hhea / OS/2 metrics


def test_shipped_cjk_languages_have_the_minimum_band(registry):
    for name in ("ja", "ko", "zh-Hans", "zh-Hant"):
        assert registry.resolve(name).min_line_band_em == pytest.approx(1.43)
    for name in ("en", "ru"):
        assert registry.resolve(name).min_line_band_em == 0.0


def test_band_is_at_least_the_minimum_and_boxes_keep_the_face_band(catalogue, registry):
    lang = registry.resolve("ja")
    noto = FaceCache().get(catalogue.faces_for(lang)["sans"][0])
    tight = dataclasses.replace(noto, **EM_BOX)
    size = 40
    own = TextStyle(noto, size, (0, 0, 0), lang.hb_language, lang.hb_script, False, min_band_em=lang.min_line_band_em)
    assert own.band_px == pytest.approx(own.ascent_px + own.descent_px)  # Noto CJK's own band (1.448 em) is kept
    style = dataclasses.replace(own, face=tight)
    assert style.ascent_px + style.descent_px == pytest.approx(1.0 * size)
    assert style.band_px == pytest.approx(1.43 * size)
    (set_line,) = typeset_horizontal("日本語の文章です。", style, 600)
    line, _ = place_horizontal(set_line, 10, 100, "")
    for word in line.words:  # the word band is the face's 1.0 em (plus ink beyond it), not the 1.43 em line band
        assert word.quad[:, 1].max() - word.quad[:, 1].min() < 1.1 * size


def _median_line_pitch(page) -> float:
    steps = []
    for par in page.paragraphs:
        tops = [float(line.quad[:, 1].min()) for line in par.lines]
        steps += [b - a for a, b in zip(tops, tops[1:]) if b > a]
    return float(np.median(steps))


@pytest.mark.slow
def test_multi_column_pitch_of_an_em_box_face(monkeypatch):
    """With every Japanese face reporting an em-box band, body lines are >= 1.5 em apart (1.43 em x the
    template's spacing >= 1.05), where the face's own band would give 1.05-1.35 em."""
    real = face_module.load_face
    monkeypatch.setattr(face_module, "load_face", lambda info: dataclasses.replace(real(info), **EM_BOX))
    factory = SampleFactory(GenerateConfig(languages=["jpn_Jpan"], layouts={"multi_column": 1.0}, augment="none"))
    for index in range(3):
        page, _, _ = factory.layout_retrying(index)
        size = float(page.meta["body_size_px"])
        assert _median_line_pitch(page) >= 1.49 * size
