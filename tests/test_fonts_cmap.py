"""Compact cmaps (synthdoc.fonts.cmap.Cmap): every coverage decision on the installed faces is the one the
per-face frozensets of earlier releases gave (never-tofu gate exact), and the ranges are the font's real cmap."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
from fontTools.ttLib import TTCollection, TTFont

from synthdoc.fonts import pool
from synthdoc.fonts.cmap import Cmap, decode_cmap, encode_cmap

LANGS = ("en", "ru", "ja", "ko", "zh-Hans", "zh-Hant", "ar", "hi", "th", "he", "el", "vi")


def _old_covers(cmap: frozenset[int], chars: frozenset[int]) -> bool:
    """The frozenset gate as it was: len(chars - cmap) missing, 98 % for the large CJK sets."""
    if not chars:
        return True
    missing = len(chars - cmap)
    return missing == 0 or (len(chars) > pool.LARGE_SET and missing <= (1 - pool.MIN_LARGE_SET_FRAC) * len(chars))


def _old_cjk_count(cmap: frozenset[int]) -> int:
    return sum(1 for c in cmap if 0x3040 <= c <= 0x30FF or 0x4E00 <= c <= 0x9FFF or 0xAC00 <= c <= 0xD7A3)


def test_coverage_decisions_match_frozensets_on_installed_faces(catalogue, registry):
    faces = catalogue.faces
    assert len(faces) > 100 and all(isinstance(f.cmap, Cmap) for f in faces)
    rng = np.random.default_rng(0)
    probe = np.unique(np.concatenate([np.arange(0, 0x3100), rng.integers(0x3100, 0x32000, 3000)]))
    decided = {True: 0, False: 0}
    for f in faces:
        old = frozenset(f.cmap)  # range expansion: independent of the searchsorted / bisect lookups
        assert len(old) == len(f.cmap)
        assert pool._cjk_count(f.cmap) == _old_cjk_count(old)
        assert (f.cmap.contains_many(probe) == np.array([int(c) in old for c in probe])).all()
        assert all((int(c) in f.cmap) == (int(c) in old) for c in probe[::13])
        for code in LANGS:
            chars = pool.exemplar_chars(registry.resolve(code).hb_language)
            ok = _old_covers(old, chars)
            assert pool.covers_language(f, chars) == ok
            assert pool.covers_language(f, np.array(sorted(chars), np.int64)) == ok
            decided[ok] += 1
    assert decided[True] > 100 and decided[False] > 100  # both outcomes exercised


@pytest.mark.parametrize("path", ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                                  "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                                  "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"])
def test_catalogue_cmap_is_the_fonts_real_cmap(catalogue, path):
    font = TTCollection(path, lazy=True).fonts[0] if path.endswith(".ttc") else TTFont(path, lazy=True)
    real = set(font.getBestCmap())
    faces = [f for f in catalogue.faces if f.path == path and f.index == 0]
    assert faces and set(faces[0].cmap) == real and len(faces[0].cmap) == len(real)
    assert all(cp in faces[0].cmap for cp in list(real)[::97]) and 0x10FFFF not in faces[0].cmap


def test_cmap_encoding_pickling_and_validation():
    points = {0, 1, 2, 0x41, 0x3042, 0x3043, 0x1F600, 0x10FFFF}
    cm = Cmap.from_points(points)
    assert list(cm) == sorted(points) and cm.starts.tolist() == [0, 0x41, 0x3042, 0x1F600, 0x10FFFF]
    assert decode_cmap(encode_cmap(cm)) == cm == decode_cmap(encode_cmap(points))
    assert hash(decode_cmap(encode_cmap(points))) == hash(cm)
    back = pickle.loads(pickle.dumps(cm))
    assert back == cm and 0x3043 in back and 0x3044 not in back and -1 not in back
    assert cm.count_in([(0x3000, 0x30FF)]) == 2 and cm.count_in([(0, 1), (0x41, 0x10FFFF)]) == 7 and cm.count_missing(np.array([0x41, 0x42, 0x43])) == 2
    empty = Cmap.from_points([])
    assert len(empty) == 0 and 0x41 not in empty and empty.count_missing(np.array([1, 2])) == 2
    with pytest.raises(ValueError):
        Cmap(np.array([5, 3]), np.array([6, 4]))  # out of order
    with pytest.raises(ValueError):
        Cmap(np.array([1, 3]), np.array([2, 4]))  # touching ranges: the encoder never writes them
