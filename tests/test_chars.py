"""Character level (``chars`` column, synthdoc.render.chars): one entry per grapheme cluster as drawn, from the
renderer's shaping clusters. Invariants on every layout mode, the six core languages plus Arabic, Hindi and Thai,
under every augmentation preset; Thai and Devanagari clusters never split; the characters' boxes hold what their
labels say (single-character OCR of clean CJK pages with Tesseract, NED <= 0.05)."""
from __future__ import annotations

import os
import subprocess
import unicodedata

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest

from synthdoc.api import write_dataset
from synthdoc.augment.stack import preset_names
from synthdoc.config import GenerateConfig
from synthdoc.doc import _outside_by, check
from synthdoc.layout.registry import modes
from synthdoc.render.itemize import grapheme_starts
from synthdoc.writers.parquet import chars_level

LANGS = ["en", "ja", "ko", "ru", "zh-Hans", "zh-Hant", "ar", "hi", "th"]
MODES = dict.fromkeys(modes(), 1)  # every registered layout mode, equal weights


def _check_chars_row(page, level) -> None:
    """Row-level invariants: chars of each word join to its text, in reading order, parents cover every word,
    each char quad lies inside its word quad (1 px), bboxes are the quads' boxes."""
    words = page.words
    parents = np.asarray(level["parent"])
    assert parents.tolist() == sorted(parents.tolist())
    for k, word in enumerate(words):
        mine = np.flatnonzero(parents == k)
        assert len(mine) >= 1, word.text
        assert "".join(level["text"][i] for i in mine) == word.text
    quads = np.asarray(level["quad"], np.float64)
    assert np.isfinite(quads).all()
    word_quads = np.asarray([w.quad for w in words], np.float64)[parents]
    assert _outside_by(quads, word_quads).max(initial=0.0) <= 1.0  # every char inside its word (1 px)
    assert (quads[..., 0] >= -1).all() and (quads[..., 0] <= page.width + 1).all()
    assert (quads[..., 1] >= -1).all() and (quads[..., 1] <= page.height + 1).all()
    boxes = np.asarray(level["bbox"])
    assert (boxes[:, 0] <= boxes[:, 2]).all() and (boxes[:, 1] <= boxes[:, 3]).all()


def _pages(factory_for, augment: str, n: int, seed: int):
    factory = factory_for(LANGS, seed=seed, augment=augment, layouts=MODES, labels=["words", "lines", "paragraphs", "chars"])
    return [factory.make(i) for i in range(n)]


@pytest.mark.parametrize("augment", preset_names())
def test_char_invariants_every_preset(factory_for, augment):
    """18 pages per preset: every language twice, layout modes drawn from all seven."""
    modes = set()
    for sample in _pages(factory_for, augment, 18, seed=21):
        check(sample.page)  # includes the character invariants (synthdoc.doc._check_chars)
        assert all(w.chars is not None for w in sample.page.words)
        _check_chars_row(sample.page, chars_level(sample.page))
        modes.add(sample.meta["mode"])
    assert len(modes) >= 4, modes


@pytest.mark.slow
@pytest.mark.parametrize("augment", preset_names())
def test_char_invariants_100_pages(factory_for, augment):
    """100 pages per preset over the nine languages and the seven layout modes: every language and every mode
    is drawn, and every page keeps the character invariants."""
    modes, langs = set(), set()
    for sample in _pages(factory_for, augment, 100, seed=22):
        check(sample.page)
        _check_chars_row(sample.page, chars_level(sample.page))
        modes.add(sample.meta["mode"])
        langs.add(sample.page.lang)
    assert modes == set(MODES), set(MODES) - modes
    assert len(langs) == len(LANGS), langs


@pytest.mark.parametrize("lang", ["th", "hi"])
def test_clusters_never_split(factory_for, lang):
    """Every Thai / Devanagari character is exactly one extended grapheme cluster (ICU), never starts with a
    combining mark or ends with a virama left dangling (U+094D only ends a cluster when nothing follows it)."""
    factory = factory_for(lang, seed=4, layouts={"multi_column": 1, "table": 1, "slide": 1})
    n = 0
    for i in range(4):
        page = factory.make(i).page
        for word in page.words:
            texts = [c[0] for c in word.char_spans()]
            assert "".join(texts) == word.text
            assert int(grapheme_starts(word.text).sum()) == len(texts)
            for t in texts:
                n += 1
                assert grapheme_starts(t).sum() == 1, (t, word.text)
                assert not unicodedata.category(t[0]).startswith("M"), (t, word.text)
    assert n > 200


def _crop(image: np.ndarray, quad: np.ndarray, direction: str) -> np.ndarray:
    """The character's box alone (perspective-rectified, upright, nothing of its neighbours), on a margin of its
    paper."""
    from synthdoc.geometry import crop_line

    crop = crop_line(image, np.asarray(quad, np.float32), direction)
    edge = np.concatenate([crop[0], crop[-1], crop[:, 0], crop[:, -1]])
    paper = [int(v) for v in np.median(edge, axis=0)]
    pad = max(8, int(0.3 * max(crop.shape[:2])))
    return cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=paper)


# A small kana alone is its full-size form drawn smaller: without its neighbours no reader can tell them apart.
SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ", "あいうえおつやゆよわかけアイウエオツヤユヨワカケ")


def _char_crops(factory, name_prefixes: tuple[str, ...], pages: int = 3, per_page: int = 50):
    """Up to `per_page` random single-code-point characters per page whose Unicode name starts with one of
    `name_prefixes`, cropped alone (see :func:`_crop`).

    Returns:
        (crops, labels, directions): RGB uint8 crops, their label texts, the set of line directions seen.
    """
    rng = np.random.default_rng(0)
    crops, labels, directions = [], [], set()
    for i in range(pages):
        sample = factory.make(i)
        level = chars_level(sample.page)
        line_dir = [line.direction for line in sample.page.lines for _ in line.words]
        keep = [k for k, t in enumerate(level["text"])
                if len(t) == 1 and unicodedata.name(t, "").startswith(name_prefixes)]
        for k in rng.choice(keep, size=min(per_page, len(keep)), replace=False):
            directions.add(line_dir[level["parent"][k]])
            crops.append(_crop(sample.image, np.asarray(level["quad"][k]), line_dir[level["parent"][k]]))
            labels.append(level["text"][k])
    return crops, labels, directions


@pytest.mark.parametrize("lang", ["ja", "zh-Hans", "zh-Hant"])
def test_cjk_char_boxes_match_pixels(factory_for, lang):
    """Crop 150 character boxes (Han, kana) of clean pages, horizontal and vertical, and read each alone with the
    bundled PP-OCRv6 recogniser: mean NED <= 0.05. (Korean, outside its dictionary: the next test.)"""
    from synthdoc.ocr.metrics import ned
    from synthdoc.ocr.ppocr import PPOCRRecognizer

    factory = factory_for(lang, seed=9, image_format="png", layouts={"multi_column": 1, "vertical": 1})
    code = factory.languages[0].code
    crops, labels, directions = _char_crops(factory, ("CJK ", "HIRAGANA ", "KATAKANA "))
    got = PPOCRRecognizer().recognise(crops, code)
    scores = [ned(a.translate(SMALL_KANA), b.translate(SMALL_KANA), code) for a, b in zip(labels, got)]
    assert len(scores) >= 120 and directions == {"ltr", "ttb"}
    assert float(np.mean(scores)) <= 0.05, (np.mean(scores), [(a, b) for a, b in zip(labels, got) if a != b][:20])


def test_korean_char_boxes_match_pixels(factory_for):
    """Crop 150 Hangul syllable boxes of clean Korean pages (horizontal: Korean has no vertical mode), binarise
    each (Otsu) and read it alone with Tesseract in single-character mode (``kor``, ``--psm 10``): mean NED <=
    0.05 (0.013 measured). Unbinarised, Tesseract misreads lone syllables on tinted paper whose boxes are right
    (도 as 느, 단 as 말: NED 0.07 measured), hence the binarisation Tesseract's documentation recommends."""
    from synthdoc.ocr.metrics import ned
    from synthdoc.ocr.tesseract import installed_languages, recognise_lines, tesseract_available

    if not tesseract_available() or "kor" not in installed_languages():
        pytest.skip("Tesseract with the Korean model (tesseract-ocr-kor) is not installed")
    factory = factory_for("ko", seed=9, image_format="png", layouts={"multi_column": 1})
    code = factory.languages[0].code
    crops, labels, directions = _char_crops(factory, ("HANGUL SYLLABLE ",))
    grey = [cv2.cvtColor(c, cv2.COLOR_RGB2GRAY) for c in crops]
    binary = [cv2.threshold(g, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1] for g in grey]
    got = recognise_lines(binary, code, psm=10, timeout_s=600)
    scores = [ned(a, b, code) for a, b in zip(labels, got)]
    assert len(scores) >= 120 and directions == {"ltr"}
    assert float(np.mean(scores)) <= 0.05, (np.mean(scores), [(a, b) for a, b in zip(labels, got) if a != b][:20])


def test_chars_column_loads_in_datasets(tmp_path):
    """The optional columns (chars, mask) written and read back with datasets (the installed release)."""
    import datasets

    out = tmp_path / "ds"
    write_dataset(GenerateConfig(languages=["ja", "ar"], pages=2, seed=3, mask="ink",
                                 labels=["words", "lines", "paragraphs", "chars"],
                                 layouts={"vertical": 1, "multi_column": 1}), out)
    rows = {r["id"]: r for p in out.glob("data/*/*.parquet") for r in pq.read_table(p).to_pylist()}
    ds = datasets.load_dataset(str(out), "all", split="train").with_format("numpy")
    for r in ds:
        want = rows[str(r["id"])]
        assert r["chars"]["quad"].dtype == np.float32 and r["chars"]["quad"].shape[1:] == (4, 2)
        assert list(r["chars"]["text"]) == want["chars"]["text"]
        assert bytes(r["mask"]) == want["mask"]
    python = os.environ.get("SYNTHDOC_DATASETS36_PYTHON")  # as in test_dataset.py: opt-in datasets 3.6 check
    if python:
        script = ("import datasets, numpy as np\n"
                  f"ds = datasets.load_dataset({str(out)!r}, 'all', split='train').with_format('numpy')\n"
                  "r = ds[0]\n"
                  "print(datasets.__version__, r['chars']['quad'].dtype, r['chars']['quad'].shape[1:], type(r['mask']))\n")
        env = {**os.environ, "HF_DATASETS_CACHE": str(tmp_path / "hf36"), "PYTHONPATH": ""}
        proc = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=300, env=env, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert proc.stdout.startswith("3.6") and "float32 (4, 2)" in proc.stdout, proc.stdout


def test_preview_draws_char_boxes(factory_for):
    """`synthdoc preview` draws the character boxes of rows that have them (orange), nothing more without."""
    from synthdoc.preview import draw_annotations
    from synthdoc.writers.parquet import sample_to_row

    sample = factory_for("ja", seed=2, labels=["words", "lines", "paragraphs", "chars"], layouts={"vertical": 1}).make(0)
    row = sample_to_row(sample)
    with_chars = draw_annotations(sample.image, row)
    without = draw_annotations(sample.image, {**row, "chars": None})
    changed = np.any(with_chars != without, axis=2)
    assert changed.sum() > 1000
    _, xs = np.nonzero(changed)
    quads = np.asarray(row["chars"]["quad"])
    assert xs.min() >= quads[..., 0].min() - 2 and xs.max() <= quads[..., 0].max() + 2


def test_rtl_and_tate_chu_yoko_geometry(factory_for):
    """Arabic: a word's first (logical) character lies rightmost (numbers inside run left to right, as drawn). Tate-chu-yoko numbers in vertical Japanese:
    the digits share their cell along the column and sit side by side across it, left to right."""
    ar = factory_for("ar", seed=6, layouts={"multi_column": 1}).make(0).page
    rtl_words = [w for line in ar.lines if line.direction == "rtl" for w in line.words
                 if len(w.char_spans()) >= 3 and all(unicodedata.name(c, "").startswith("ARABIC") for c in w.text)
                 and not any(unicodedata.category(c) == "Nd" for c in w.text)]  # numbers run left to right
    assert rtl_words
    for w in rtl_words:
        spans = w.char_spans()
        assert spans[0][1] > spans[-1][1], (w.text, spans)  # u runs left to right on the page
    ja = factory_for("ja", seed=1, layouts={"vertical": 1})
    tcy = 0
    for i in range(4):
        for line in ja.make(i).page.lines:
            if line.direction != "ttb":
                continue
            for w in line.words:
                spans = w.char_spans()
                if len(spans) == 2 and w.text.isdigit() and spans[0][1:3] == spans[1][1:3]:
                    tcy += 1
                    (_, _, _, a0, a1), (_, _, _, b0, b1) = spans
                    assert a1 <= b0 + 1e-6 or b1 <= a0 + 1e-6  # side by side across the column
                    # v runs from the column's right edge: the first digit (left) has the larger v
                    assert a0 > b0
    assert tcy, "no two-digit tate-chu-yoko number in 4 vertical pages"


def test_ligature_split_by_advance():
    """A shaping cluster spanning several graphemes ("ffi" as one glyph; Arabic lam-alef drawn right to left) is
    split into equal parts of its advance, in visual order."""
    from synthdoc.render.chars import cluster_spans, grapheme_spans

    text = "office"  # glyphs: o | ffi ligature (cluster 1) | c | e
    spans = cluster_spans(np.array([0, 1, 4, 5]), np.array([0, 10, 40, 50.0]), np.array([10, 40, 50, 60.0]))
    got = grapheme_spans(text, 0, 6, grapheme_starts(text), spans)
    assert got == [("o", 0, 10), ("f", 10, 20), ("f", 20, 30), ("i", 30, 40), ("c", 40, 50), ("e", 50, 60)]
    text = "\u0644\u0627"  # lam + alef: one ligature glyph, right to left
    spans = cluster_spans(np.array([0]), np.array([0.0]), np.array([20.0]))
    got = grapheme_spans(text, 0, 2, grapheme_starts(text), spans, rtl=np.array([True, True]))
    assert got == [("\u0644", 10.0, 20.0), ("\u0627", 0.0, 10.0)]
