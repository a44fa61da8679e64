"""Text masks (``mask`` column, synthdoc.masks): on clean pages the mask and the text ink of the pixels agree
(>= 99 % both ways); instance masks label each word's ink with its index; masks follow rotation and perspective
with the page (the photo preset and a rotate + perspective stack)."""
from __future__ import annotations

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest

from synthdoc.api import write_dataset
from synthdoc.config import GenerateConfig
from synthdoc.masks import decode_mask
from synthdoc.render.compose import text_masks

ROTATE_PERSPECTIVE = {"steps": [{"Rotate": {"p": 1.0, "angle_deg_range": [-10, 10]}},
                                {"Perspective": {"p": 1.0}}]}


def _ink_from_pixels(factory, sample) -> np.ndarray:
    """(H, W) bool: pixels whose colour moved at least half-way from the background to their ink colour."""
    page = sample.page
    bg, _ = factory.background(page, sample.index, sample.attempts - 1)
    masks = text_masks(page, factory.glyph_cache)
    colours = np.asarray(list(masks), np.float64)  # (C, 3)
    cover = np.stack(list(masks.values()))  # (C, H, W)
    ink_rgb = colours[np.argmax(cover, axis=0)]  # (H, W, 3) ink colour of each pixel's dominant layer
    full = np.abs(ink_rgb - bg).max(axis=2)
    moved = np.abs(sample.image.astype(np.float64) - bg).max(axis=2)
    return (full > 0) & (moved >= 0.5 * full)


@pytest.mark.parametrize("lang", ["en", "ja", "ar"])
def test_clean_mask_matches_ink(factory_for, lang):
    factory = factory_for(lang, seed=3, image_format="png", mask="ink",
                          layouts={"multi_column": 1, "vertical": 1, "table": 1, "slide": 1})
    for i in range(3):
        sample = factory.make(i)
        mask = decode_mask(sample.mask_bytes)
        assert mask.dtype == np.uint8 and mask.shape == sample.image.shape[:2]
        assert set(np.unique(mask).tolist()) <= {0, 255}
        ink = _ink_from_pixels(factory, sample)
        m = mask == 255
        assert ink.sum() > 1000
        assert (ink & m).sum() / ink.sum() >= 0.99, (lang, i, (ink & m).sum() / ink.sum())
        assert (ink & m).sum() / m.sum() >= 0.99, (lang, i, (ink & m).sum() / m.sum())


def _inside_own_quad(labels: np.ndarray, page, pad_px: int = 2) -> float:
    """Share of labelled pixels that lie inside (dilated) quad k of the word they are labelled k + 1 with."""
    own = np.zeros(labels.shape, np.uint16)
    inside = 0
    for k, word in enumerate(page.words):
        own[:] = 0
        cv2.fillPoly(own, [np.rint(np.asarray(word.quad)).astype(np.int32)], 1)
        own = cv2.dilate(own, np.ones((2 * pad_px + 1, 2 * pad_px + 1), np.uint8))
        inside += int(((labels == k + 1) & (own > 0)).sum())
    return inside / max(1, int((labels > 0).sum()))


@pytest.mark.parametrize("augment", ["photo", "rotate_perspective"])
def test_masks_follow_geometry(factory_for, augment):
    stack = ROTATE_PERSPECTIVE if augment == "rotate_perspective" else augment
    words = factory_for(["en", "ja"], seed=5, mask="words", augment=stack, layouts={"multi_column": 1, "vertical": 1})
    ink = factory_for(["en", "ja"], seed=5, mask="ink", augment=stack, layouts={"multi_column": 1, "vertical": 1})
    moved = 0
    for i in range(2):
        s_words, s_ink = words.make(i), ink.make(i)
        labels = decode_mask(s_words.mask_bytes)
        assert labels.dtype == np.uint16 and labels.shape == s_words.image.shape[:2]
        assert labels.max() <= len(s_words.page.words)
        # every word's ink sits inside that word's transformed quad
        assert _inside_own_quad(labels, s_words.page) >= 0.99
        # the same page's ink mask is the instance mask's support
        assert np.array_equal(decode_mask(s_ink.mask_bytes) == 255, labels > 0)
        # an independent warp of the clean mask with the recorded homographies (nearest) agrees
        # (pure homographies only: PhotoSheet's page curl is not a matrix; the check above covers it)
        steps = [s for s in s_ink.meta["augment"]["steps"] if "matrix" in s["params"]]
        if not steps or any(s["params"].get("curl_px") for s in steps):
            continue
        moved += 1
        # the clean ink mask of the same page (rendered without augmentation), warped once by the composed matrix
        plain = factory_for(["en", "ja"], seed=5, mask="ink", layouts={"multi_column": 1, "vertical": 1}).make(i)
        assert plain.page.text == s_ink.page.text
        matrix = np.eye(3)
        for step in steps:
            matrix = np.asarray(step["params"]["matrix"]) @ matrix
        m = decode_mask(plain.mask_bytes)
        m = cv2.warpPerspective(m, matrix, m.shape[::-1], flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=0)
        ours = decode_mask(s_ink.mask_bytes)
        agree = ((m > 0) & (ours > 0)).sum() / max(1, (ours > 0).sum())
        assert agree >= 0.98, agree
    assert moved or augment == "photo"  # a photo page whose sheet is curled has no pure homography to compare


def test_mask_column_in_dataset(tmp_path):
    write_dataset(GenerateConfig(languages=["ja"], pages=2, seed=1, mask="words", layouts={"vertical": 1}),
                  tmp_path / "ds")
    for row in pq.read_table(next((tmp_path / "ds").glob("data/*/*.parquet"))).to_pylist():
        labels = decode_mask(row["mask"])
        assert labels.shape == (row["height"], row["width"]) and labels.dtype == np.uint16
        assert set(np.unique(labels).tolist()) - {0} == set(range(1, len(row["words"]["text"]) + 1))
    write_dataset(GenerateConfig(languages=["en"], pages=1, seed=1), tmp_path / "none")
    (row,) = pq.read_table(next((tmp_path / "none").glob("data/*/*.parquet"))).to_pylist()
    assert row["mask"] is None
