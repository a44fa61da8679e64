"""JPEG compressed once: a page whose last augmentation step is an unblended JPEG re-compression is stored as that
step's bytes (they decode to the very pixels the legibility check judged); every other page is encoded at
``jpeg_quality`` as before."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthdoc.augment.stack import load_stack
from synthdoc.config import GenerateConfig
from synthdoc.pipeline import SampleFactory
from synthdoc.rng import sample_rng
from synthdoc.writers.exports.nemotron import jpeg_quality
from test_augment_gate import _page

JPEG_LAST = {"steps": [{"GaussianNoise": {"sigma_range": [3, 3]}}, {"Jpeg": {"quality_range": [80, 80]}}]}
JPEG_THEN_NOISE = {"steps": [{"Jpeg": {"quality_range": [80, 80]}}, {"GaussianNoise": {"sigma_range": [3, 3]}}]}


def _decode(data: bytes) -> np.ndarray:
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _sample(augment: dict, image_format: str = "jpeg"):
    f = SampleFactory(GenerateConfig(languages=["eng_Latn"], layouts={"multi_column": 1.0}, augment=augment,
                                     image_format=image_format))
    return f, f.make(0)


def test_a_page_ending_with_a_jpeg_step_is_stored_as_that_jpeg():
    f, s = _sample(JPEG_LAST)
    assert [st["name"] for st in s.meta["augment"]["steps"]] == ["GaussianNoise", "Jpeg"]
    assert np.array_equal(_decode(s.image_bytes), s.image)  # the file holds exactly the judged pixels
    assert jpeg_quality(s.image_bytes) == 80  # the step's quality, not jpeg_quality (90)
    assert s.image_bytes != f.encode(s.image)  # not compressed a second time


def test_a_step_after_the_jpeg_step_means_the_page_is_encoded_again():
    f, s = _sample(JPEG_THEN_NOISE)
    assert [st["name"] for st in s.meta["augment"]["steps"]] == ["Jpeg", "GaussianNoise"]
    assert s.image_bytes == f.encode(s.image)
    assert jpeg_quality(s.image_bytes) == 90


def test_png_datasets_store_png_whatever_the_last_step():
    _, s = _sample(JPEG_LAST, image_format="png")
    assert s.image_bytes.startswith(b"\x89PNG") and np.array_equal(_decode(s.image_bytes), s.image)


@pytest.mark.parametrize("lines,gated", [(slice(None), True), (slice(2, 3), False)])
def test_a_jpeg_blended_by_the_line_gate_is_not_stored_as_is(lines, gated):
    """Quality 30 is gated on hairline strokes: lines 0-1 (1 px strokes) keep part of the uncompressed page, so
    the page is no longer the step's bytes; a page of the bold line only gets the step whole."""
    page, bg, masks = _page()
    page = type(page)(page.width, page.height, page.lang, page.layout, page.paragraphs[lines])
    stack = load_stack({"steps": [{"Jpeg": {"quality_range": [30, 30]}}]})
    out = stack.run(page, bg, masks, sample_rng(0, 0, "augment", 0))
    assert ("line_strength" in out.record["steps"][0]["params"]) == gated
    if gated:
        assert out.jpeg is None
    else:
        assert np.array_equal(_decode(out.jpeg), out.image)
