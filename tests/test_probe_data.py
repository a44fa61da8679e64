"""synthdoc.probe data side (no PyTorch): line crops from rows, labels with ignored words, the split, the
seeded shuffle, the charset, line-folder and PAGE-XML readers and their errors."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthdoc.errors import SynthdocError
from synthdoc.probe.charset import Charset
from synthdoc.probe.evalsets import load_eval_set, polygon_crop
from synthdoc.probe.lines import is_validation, line_labels, mask_words, normalise_crop, shuffled


def _text_image(text: str, scale: float = 1.0) -> np.ndarray:
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    img = np.full((h + base + 12, w + 12), 255, np.uint8)
    cv2.putText(img, text, (6, h + 6), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, 2, cv2.LINE_AA)
    return img


def test_normalise_crop_height_aspect_cap_and_vertical_turn():
    crop = np.full((20, 100, 3), 255, np.uint8)
    out = normalise_crop(crop, False, 32, 800)
    assert out.shape == (32, 160) and out.dtype == np.uint8
    assert normalise_crop(np.full((10, 1000), 255, np.uint8), False, 32, 800).shape == (32, 800)
    column = np.full((100, 20), 255, np.uint8)
    column[:10] = 0  # the top of the column (first character) is dark
    turned = normalise_crop(column, True, 32, 800)
    assert turned.shape == (32, 160)
    # 90 deg counter-clockwise: the column's top comes to the left end of the line
    assert turned[:, :10].mean() < 50 and turned[:, -10:].mean() > 200


def _row(lang: str, ignore: list[bool]) -> dict:
    return {"id": "p0", "lang": lang,
            "lines": {"text": ["alpha beta", "gamma"], "direction": ["ltr", "ltr"]},
            "words": {"text": ["alpha", "beta", "gamma"], "parent": [0, 0, 1], "ignore": ignore}}


def test_line_labels_drop_ignored_words_and_all_ignored_lines():
    assert line_labels(_row("eng_Latn", [False, False, False])) == [(0, "alpha beta", []), (1, "gamma", [])]
    assert line_labels(_row("eng_Latn", [True, False, True])) == [(0, "beta", [0])]
    assert line_labels(_row("jpn_Jpan", [False, True, False]))[0] == (0, "alpha", [1])


def test_mask_words_paints_the_word_with_paper():
    page = np.full((40, 120, 3), 230, np.uint8)
    page[10:30, 10:50] = 0
    page[10:30, 60:100] = 0
    line = np.array([[5, 5], [110, 5], [110, 35], [5, 35]], np.float32)
    word = np.array([[58, 8], [102, 8], [102, 32], [58, 32]], np.float32)
    out = mask_words(page, line, [word])
    assert (out[10:30, 60:100] == 230).all() and (out[10:30, 10:50] == 0).all()
    assert (page[10:30, 60:100] == 0).all()  # the input is not modified


def test_validation_split_is_stable_and_near_its_fraction():
    ids = [f"eng_Latn-s0-{i:09d}" for i in range(4000)]
    picked = [is_validation(i, 0.1) for i in ids]
    assert picked == [is_validation(i, 0.1) for i in ids]
    assert 0.08 < np.mean(picked) < 0.12
    assert not any(is_validation(i, 0.0) for i in ids[:100])


def test_shuffled_is_a_seeded_permutation():
    a = list(shuffled(range(100), 16, np.random.default_rng(5)))
    b = list(shuffled(range(100), 16, np.random.default_rng(5)))
    c = list(shuffled(range(100), 16, np.random.default_rng(6)))
    assert a == b and a != c and sorted(a) == list(range(100)) and a != list(range(100))


def test_charset_greedy_ctc_decoding_and_unseen_counts():
    cs = Charset.from_labels(["ab", "ba c"])
    assert cs.chars == [" ", "a", "b", "c"] and cs.classes == 5
    a, b = cs.index["a"], cs.index["b"]
    assert cs.decode_greedy([a, a, 0, a, b, b, 0]) == "aab"
    assert cs.encode("abz") == [a, b]
    assert dict(cs.unseen(["abz", "zy"])) == {"z": 2, "y": 1}


def test_line_folder_reader(tmp_path):
    for name, text in (("l1", "HELLO"), ("l2", "WORLD 42")):
        cv2.imwrite(str(tmp_path / f"{name}.png"), _text_image(text))
        (tmp_path / f"{name}.gt.txt").write_text(text + "\n", encoding="utf-8")
    cv2.imwrite(str(tmp_path / "l3.bin.png"), _text_image("BIN"))
    (tmp_path / "l3.gt.txt").write_text("BIN", encoding="utf-8")
    cv2.imwrite(str(tmp_path / "orphan.png"), _text_image("NONE"))
    s = load_eval_set(f"real={tmp_path}", height_px=32, max_width_px=800, lang="eng_Latn")
    assert s.name == "real" and s.kind == "lines"
    assert [x.label for x in s.samples] == ["HELLO", "WORLD 42", "BIN"]
    assert all(x.image.shape[0] == 32 and x.lang == "eng_Latn" for x in s.samples)
    assert s.skipped == ["orphan.png: no orphan.gt.txt"]
    img = s.samples[0].image
    assert img.min() < 60 and np.median(img) > 200  # dark text on white paper, scaled


def test_line_folder_without_ground_truth_is_one_line_error(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), _text_image("A"))
    with pytest.raises(SynthdocError, match="no NAME.gt.txt") as e:
        load_eval_set(str(tmp_path), height_px=32, max_width_px=800)
    assert "\n" not in str(e.value)


def test_unreadable_line_image_is_one_line_error(tmp_path):
    (tmp_path / "a.png").write_bytes(b"not a png at all")
    (tmp_path / "a.gt.txt").write_text("A", encoding="utf-8")
    with pytest.raises(SynthdocError, match="cannot read the image"):
        load_eval_set(str(tmp_path), height_px=32, max_width_px=800)


def test_missing_eval_path_is_one_line_error(tmp_path):
    with pytest.raises(SynthdocError, match="does not exist"):
        load_eval_set(str(tmp_path / "nope"), height_px=32, max_width_px=800)


PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"


def _pagexml(lines: list[tuple[str, str]]) -> str:
    body = "".join(
        f'<TextLine id="l{i}"><Coords points="{pts}"/>'
        + (f"<TextEquiv><Unicode>{text}</Unicode></TextEquiv>" if text else "") + "</TextLine>"
        for i, (pts, text) in enumerate(lines))
    return (f'<?xml version="1.0" encoding="UTF-8"?><PcGts xmlns="{PAGE_NS}"><Page imageFilename="page.png" '
            f'imageWidth="400" imageHeight="300"><TextRegion id="r0"><Coords points="0,0 400,0 400,300 0,300"/>'
            f"{body}</TextRegion></Page></PcGts>")


def test_pagexml_reader(tmp_path):
    page = np.full((300, 400), 255, np.uint8)
    cv2.putText(page, "FIRST LINE", (25, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    cv2.putText(page, "SECOND", (20, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    page[160:290, 340:370] = 0  # a tall dark column
    cv2.imwrite(str(tmp_path / "page.png"), page)
    xml = _pagexml([("20,20 260,20 260,60 20,60", "FIRST LINE"), ("15,95 200,95 200,140 15,140", "SECOND"),
                    ("300,200 320,200 320,220", ""), ("335,155 375,155 375,295 335,295", "縦")])
    (tmp_path / "p1.xml").write_text(xml, encoding="utf-8")
    s = load_eval_set(str(tmp_path), height_px=32, max_width_px=800, lang="eng_Latn")
    assert s.kind == "pagexml"
    assert [x.label for x in s.samples] == ["FIRST LINE", "SECOND", "縦"]
    assert [x.vertical for x in s.samples] == [False, False, True]
    assert [x.page_id for x in s.samples] == ["p1:l0", "p1:l1", "p1:l3"]
    first = s.samples[0].image
    assert first.shape == (32, round(241 * 32 / 41)) and first.min() < 60  # bbox 241 x 41 px, aspect kept
    assert s.samples[2].image.shape[1] > s.samples[2].image.shape[0]  # turned to a horizontal line


def test_pagexml_errors(tmp_path):
    (tmp_path / "bad.xml").write_text("<PcGts><Page", encoding="utf-8")
    with pytest.raises(SynthdocError, match="cannot parse the PAGE-XML"):
        load_eval_set(str(tmp_path / "bad.xml"), height_px=32, max_width_px=800)
    (tmp_path / "noimg.xml").write_text(_pagexml([("0,0 10,0 10,10 0,10", "A")]), encoding="utf-8")
    with pytest.raises(SynthdocError, match="cannot read the image"):
        load_eval_set(str(tmp_path / "noimg.xml"), height_px=32, max_width_px=800)


def test_polygon_crop_paints_outside_the_polygon():
    page = np.zeros((50, 50), np.uint8)
    page[10:40, 10:40] = 200
    tri = np.array([[10, 10], [39, 10], [10, 39]], np.float32)
    crop = polygon_crop(page, tri)
    assert crop.shape == (30, 30)
    assert crop[0, 0] == 200 and crop[-1, -1] == 200  # inside kept, outside painted with the paper (200)
