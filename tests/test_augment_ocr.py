"""Labels stay true under augmentation: Tesseract reads back what the labels say, within the clean bounds + 0.03.

Modelled on ``tests/test_labels_match_pixels.py``: :func:`synthdoc.api.write_dataset` writes a few multi_column
pages per language (PNG, so the only compression is the stack's own ``Jpeg`` step) with an augmentation preset;
every line is cut out of the decoded shard image with its (transformed) label quad
(:func:`synthdoc.geometry.crop_line`) and read by Tesseract, one process per language
(:func:`synthdoc.ocr.tesseract.recognise_lines`); the mean NED (:func:`synthdoc.ocr.metrics.ned`) per language
must stay within the core bounds (eng_Latn, rus_Cyrl, jpn_Jpan, zho_Hant 0.02; kor_Hang, zho_Hans 0.05) plus 0.03
for the ``light`` and ``default`` presets. ``heavy`` pages are read too and their figures printed, not asserted.

Run with ``pytest -s`` to see the per-language figures.
"""
from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest

pytest.importorskip("rapidfuzz", reason="rapidfuzz is a test dependency (pip install synthdoc[test])")

from synthdoc.geometry import crop_line  # noqa: E402
from synthdoc.ocr.metrics import ned  # noqa: E402

LANGS = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")
BOUNDS = {"eng_Latn": 0.02, "rus_Cyrl": 0.02, "jpn_Jpan": 0.02, "zho_Hant": 0.02, "kor_Hang": 0.05, "zho_Hans": 0.05}
SLACK = 0.03  # what augmentation may add to the clean bounds (issue 4)
PAGES = {"light": 1, "default": 2, "heavy": 1}  # multi_column pages per language (about 40-100 lines each)
SEED = 20240612

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None and not os.environ.get("CI"),
                                     reason="tesseract not installed (apt-get install tesseract-ocr); never skipped in CI")


def measure(out: Path, preset: str, pages_per_lang: int, seed: int = SEED) -> dict[str, dict]:
    """Write a multi_column PNG dataset with `preset`, OCR every horizontal line; per language: n, mean NED,
    worst lines and the augmentation steps applied."""
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig
    from synthdoc.ocr.tesseract import recognise_lines

    write_dataset(GenerateConfig(languages=list(LANGS), pages=pages_per_lang * len(LANGS), image_format="png",
                                 seed=seed, augment=preset), out)
    groups: dict[str, list] = {}
    steps: dict[str, set] = {}
    for shard in sorted(out.glob("data/*/*.parquet")):
        for row in pq.read_table(shard).to_pylist():
            rgb = cv2.imdecode(np.frombuffer(row["image"]["bytes"], np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
            steps.setdefault(row["lang"], set()).update(s["name"] for s in json.loads(row["meta"])["augment"]["steps"])
            lines = row["lines"]
            for text, quad, direction in zip(lines["text"], lines["quad"], lines["direction"]):
                groups.setdefault(row["lang"], []).append(
                    (text, crop_line(rgb, np.asarray(quad, np.float32), direction), row["id"]))

    def run(lang):
        items = groups[lang]
        preds = recognise_lines([crop for _, crop, _ in items], lang)
        return lang, [(ned(label, pred, lang), label, pred, rid) for (label, _, rid), pred in zip(items, preds)]

    results = {}
    with ThreadPoolExecutor(max_workers=max(1, min(len(groups), os.cpu_count() or 1))) as pool:
        for lang, scored in pool.map(run, sorted(groups)):
            results[lang] = {"n": len(scored), "ned": float(np.mean([s[0] for s in scored])),
                             "neds": [s[0] for s in scored],
                             "worst": sorted(scored, key=lambda s: -s[0])[:3], "steps": sorted(steps[lang])}
    return results


def _report(preset: str, results: dict, asserted: bool) -> list[str]:
    print(f"\n{preset}: mean NED per language (Tesseract, {PAGES[preset]} multi_column page(s) each, seed {SEED})")
    failures = []
    for lang, r in sorted(results.items()):
        bound = BOUNDS[lang] + SLACK
        ok = r["ned"] <= bound
        print(f"  {lang} lines {r['n']:4d}  NED {r['ned']:.4f}  (bound {bound:.2f}{'' if asserted else ', not asserted'})"
              f"  {'ok' if ok else 'over'}  steps: {', '.join(r['steps'])}")
        if asserted and not ok:
            worst = "; ".join(f"{rid}: {label!r} -> {pred!r} ({d:.2f})" for d, label, pred, rid in r["worst"])
            failures.append(f"{preset} {lang} NED {r['ned']:.4f} > {bound:.2f}; worst: {worst}")
    return failures


def _skip_without_models():
    from synthdoc.ocr.tesseract import TESSERACT_LANG, installed_languages

    missing = [TESSERACT_LANG[lang] for lang in LANGS if TESSERACT_LANG[lang] not in installed_languages()]
    if missing:
        pytest.skip(f"Tesseract language data missing: {', '.join(missing)}")


@pytest.mark.slow
@needs_tesseract
@pytest.mark.parametrize("preset", ["light", "default"])
def test_augmented_labels_match_pixels(preset, tmp_path):
    _skip_without_models()
    results = measure(tmp_path / preset, preset, PAGES[preset])
    assert set(results) == set(LANGS)
    assert all(r["n"] >= 20 for r in results.values())
    failures = _report(preset, results, asserted=True)
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@needs_tesseract
def test_heavy_figures_are_printed(tmp_path):
    """Heavy pages may exceed the bounds (outlined or dark pages defeat Tesseract on a whole page); the figures are
    printed. Over all lines the labels must still be read mostly right: misplaced quads read as noise (NED near 1)."""
    _skip_without_models()
    results = measure(tmp_path / "heavy", "heavy", PAGES["heavy"])
    _report("heavy", results, asserted=False)
    assert set(results) == set(LANGS)
    overall = float(np.mean([d for r in results.values() for d in r["neds"]]))
    print(f"  all languages: lines {sum(r['n'] for r in results.values())}  NED {overall:.4f}")
    assert overall < 0.5


# --- per preset: the same pages with and without augmentation (issue 14) ---------------------------------------------

ALL_MODES = {"multi_column": 2, "table": 1, "document": 1, "slide": 1, "scattered": 1, "toc": 1}
NED_SLACK = {"light": 0.03, "default": 0.03, "scan": 0.03, "photo": 0.03, "heavy": 0.08}
SAME_PAGES = int(os.environ.get("SYNTHDOC_AUGMENT_OCR_PAGES", "12"))  # 12: two pages per language, every mode
# drawn from ALL_MODES (seed 5: the command); the README's figures use 60 (about 20 minutes)


def _line_items(sample) -> dict:
    """(line index) -> (label, crop, ignore flags) of the horizontal lines of `sample`."""
    from synthdoc.geometry import crop_line

    return {k: (line.text, crop_line(sample.image, np.asarray(line.quad, np.float32), line.direction),
                tuple(w.ignore for w in line.words))
            for k, line in enumerate(sample.page.lines) if line.direction != "ttb" and line.text.strip()}


def same_pages_ned(preset: str, clean: dict | None = None) -> tuple[dict, dict]:
    """Mean NED per language of the horizontal lines without an ignored word (dot leaders, words the legibility
    check marked), on the `preset` pages and on the same pages without augmentation. Returns ({lang: (n, ned_aug, ned_clean)}, clean items for reuse)."""
    from synthdoc.config import GenerateConfig
    from synthdoc.ocr.tesseract import recognise_lines
    from synthdoc.pipeline import SampleFactory

    def items(augment):
        f = SampleFactory(GenerateConfig(languages=["en", "ja", "ko", "ru", "zh-Hans", "zh-Hant"], seed=5,
                                         layouts=ALL_MODES, augment=augment))
        return {i: (s.page.lang, _line_items(s)) for i in range(SAME_PAGES) for s in [f.make(i)]}

    clean = clean if clean is not None else items("none")
    aug = items(preset)
    groups: dict[str, list] = {}
    for i, (lang, lines) in aug.items():
        for k, (label, crop, ignore) in lines.items():
            if k in clean[i][1] and not any(ignore) and not any(clean[i][1][k][2]):  # no ignored word in either
                groups.setdefault(lang, []).append((label, crop, clean[i][1][k][1]))

    def run(lang):
        rows = groups[lang]
        got = recognise_lines([r[1] for r in rows] + [r[2] for r in rows], lang)
        n = len(rows)
        return lang, (n, float(np.mean([ned(r[0], p, lang) for r, p in zip(rows, got[:n])])),
                      float(np.mean([ned(r[0], p, lang) for r, p in zip(rows, got[n:])])))

    with ThreadPoolExecutor(max_workers=max(1, min(len(groups), os.cpu_count() or 1))) as pool:
        return dict(pool.map(run, sorted(groups))), clean


@pytest.fixture(scope="module")
def clean_lines():
    return {}


@pytest.mark.slow
@needs_tesseract
@pytest.mark.parametrize("preset", sorted(NED_SLACK))
def test_preset_reads_back_like_the_clean_pages(preset, clean_lines):
    _skip_without_models()
    results, clean_lines["items"] = same_pages_ned(preset, clean_lines.get("items"))
    n = sum(r[0] for r in results.values())
    aug = sum(r[0] * r[1] for r in results.values()) / n
    base = sum(r[0] * r[2] for r in results.values()) / n
    print(f"\n{preset}: {n} non-ignored horizontal lines on {SAME_PAGES} pages: NED {aug:.4f} vs clean {base:.4f} "
          f"(+{aug - base:.4f}, bound +{NED_SLACK[preset]})")
    for lang, (k, a, b) in sorted(results.items()):
        print(f"  {lang} lines {k:4d}  NED {a:.4f}  clean {b:.4f}")
    assert aug - base <= NED_SLACK[preset]
