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
