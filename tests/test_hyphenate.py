"""Hyphenation of justified narrow columns (synthdoc.layout.hyphenate): smaller word gaps, labels as drawn (a
hyphenated word is two words, the first ending in its hyphen; line text = its words joined), and labels still
match pixels (Tesseract reads the hyphenated lines as labelled)."""
import os
from pathlib import Path
import shutil

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest

from synthdoc.render.face import FaceCache
from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.languages import LanguageRegistry, load_fonts_yaml
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.hyphenate import HYPHEN, can_hyphenate, typeset_hyphenated
from synthdoc.layout.typeset import typeset_horizontal
from synthdoc.text.sampler import TextSampler
from synthdoc.text.sources import load_bundled

WIDTH_PX = 250  # a narrow newspaper column at 22 px (about 11 em)


@pytest.fixture(scope="module")
def setups():
    """lang -> (style of a regular serif face at 22 px, 30 corpus paragraphs)."""
    reg, cat, fc = LanguageRegistry(load_fonts_yaml()), FontCatalogue(), FaceCache()
    out = {}
    for code in ("en", "ru"):
        lang = reg.resolve(code)
        faces = cat.faces_for(lang)
        face = next(f for f in faces["serif"] if f.family.startswith("Noto Serif") and f.style == "Regular")
        style = LayoutInput(lang, faces, fc, sampler=None).style(face, 22, (0, 0, 0))
        paras = [p for p in TextSampler(load_bundled(lang.code)).flat_paragraphs if len(p) > 200][:30]
        out[code] = (style, paras)
    return out


def _gaps(lines) -> list[float]:
    """Word gaps (px) of every line but the last (the last line is not justified)."""
    return [b[1] - a[2] for line in lines[:-1] for a, b in zip(line.words, line.words[1:])]


@pytest.mark.parametrize("code", ["en", "ru"])
def test_hyphenation_narrows_the_widest_word_gaps(setups, code):
    style, paras = setups[code]
    assert can_hyphenate(style)
    plain = [typeset_horizontal(p, style, WIDTH_PX, align="justify") for p in paras]
    hyph = [typeset_hyphenated(p, style, WIDTH_PX, align="justify") for p in paras]
    g0 = np.concatenate([_gaps(ls) for ls in plain])
    g1 = np.concatenate([_gaps(ls) for ls in hyph])
    assert g1.max() < g0.max()
    assert np.percentile(g1, 95) < 0.8 * np.percentile(g0, 95), (np.percentile(g0, 95), np.percentile(g1, 95))
    assert sum(ln.text.endswith(HYPHEN) for ls in hyph for ln in ls) >= 10


def _match_words(para: str, lines) -> int:
    """Walk the labels against the paragraph's own words: each label word is the next word, or (last word of a
    line, ending in the hyphen) the first part of the next word whose rest is the next line's first word (the
    hyphen added, or a compound's own hyphen).
    Returns the number of hyphenated words; fails on anything else."""
    orig = para.split()
    j, splits, skip_first = 0, 0, False
    for i, line in enumerate(lines):
        assert line.text == " ".join(w[0] for w in line.words)  # line text = its words joined
        assert all(b[1] > a[2] for a, b in zip(line.words, line.words[1:]))  # apart, left to right
        assert line.words[-1][2] <= WIDTH_PX + 0.5  # inside the column
        for k, (word, _, _) in enumerate(line.words):
            if skip_first and k == 0:
                skip_first = False
                continue
            if word == orig[j]:
                j += 1
                continue
            rest = lines[i + 1].words[0][0] if i + 1 < len(lines) else None
            assert k == len(line.words) - 1 and word.endswith(HYPHEN) and rest is not None, (word, orig[j])
            # a hyphen added inside a word, or a compound broken after its own hyphen
            assert orig[j] in (word[:-len(HYPHEN)] + rest, word + rest), (word, rest, orig[j])
            assert len(word) - len(HYPHEN) >= 2 and len(rest.strip(".,;:!?»”)")) >= 3  # lefthyphenmin, righthyphenmin
            splits, skip_first, j = splits + 1, True, j + 1
    assert j == len(orig)
    return splits


@pytest.mark.parametrize("code", ["en", "ru"])
def test_labels_are_the_drawn_parts(setups, code):
    style, paras = setups[code]
    splits = sum(_match_words(p, typeset_hyphenated(p, style, WIDTH_PX, align="justify")) for p in paras)
    assert splits >= 10


@pytest.mark.parametrize("code", ["ja", "th"])  # no patterns; patterns but no hyphens in Thai typesetting
def test_unsupported_languages_are_set_as_before(code):
    reg, cat, fc = LanguageRegistry(load_fonts_yaml()), FontCatalogue(), FaceCache()
    lang = reg.resolve(code)
    faces = cat.faces_for(lang)
    face = next(f for role in ("serif", "sans") for f in faces.get(role, []))
    style = LayoutInput(lang, faces, fc, sampler=None).style(face, 22, (0, 0, 0))
    assert not can_hyphenate(style)
    text = TextSampler(load_bundled(lang.code)).flat_paragraphs[0]
    a = typeset_hyphenated(text, style, 200)
    b = typeset_horizontal(text, style, 200, align="justify")
    assert [ln.text for ln in a] == [ln.text for ln in b]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None and not os.environ.get("CI"),
                    reason="tesseract not installed (apt-get install tesseract-ocr); never skipped in CI")
def test_hyphenated_lines_match_pixels(tmp_path):
    """Clean document pages, justified two-column, always hyphenated (en, ru): Tesseract reads every hyphenated
    line and the line after it as labelled (mean NED <= 0.02, the core bound for these languages)."""
    pytest.importorskip("rapidfuzz")
    from ocr_lines import dark_ink, line_items
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig
    from synthdoc.ocr.metrics import ned
    from synthdoc.ocr.tesseract import recognise_lines

    template = tmp_path / "hyph.yaml"
    base = (Path(__file__).parents[1] / "layouts" / "document.yaml").read_text()
    template.write_text(base + "\n" + "\n".join(["align_weights: {justify: 1}", "hyphenate_p: 1",
                                                  "column_weights: {2: 1}", "list_p: 0", "footnote_p: 0"]) + "\n")
    out = tmp_path / "out"
    write_dataset(GenerateConfig(languages=["en", "ru"], pages=4, image_format="png", seed=2,
                                 layouts={str(template): 1.0}, augment="none"), out)
    by_lang: dict[str, list] = {}
    for shard in sorted(out.glob("data/*/*.parquet")):
        for row in pq.read_table(shard).to_pylist():
            bgr = cv2.imdecode(np.frombuffer(row["image"]["bytes"], np.uint8), cv2.IMREAD_COLOR)
            items = line_items(row, np.ascontiguousarray(bgr[:, :, ::-1]))
            for k, it in enumerate(items):
                if it.label.endswith(HYPHEN) or (k and items[k - 1].label.endswith(HYPHEN)):
                    by_lang.setdefault(row["lang"], []).append(it)
    for lang, items in by_lang.items():
        preds = recognise_lines([dark_ink(it.crop) for it in items], lang, False)
        scores = [ned(it.label, p, lang) for it, p in zip(items, preds)]
        assert len(items) >= 10 and float(np.mean(scores)) <= 0.02, (lang, len(items), np.mean(scores))
    assert set(by_lang) == {"eng_Latn", "rus_Cyrl"}
