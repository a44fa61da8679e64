"""Labels match pixels for the complex scripts: Tesseract reads back clean line crops as well as it reads the
same text drawn by an independent renderer.

:func:`synthdoc.api.write_dataset` writes one clean PNG page (multi_column) per language; every line is cut out of
the decoded image with its label quad (:func:`synthdoc.geometry.crop_line`) and read by Tesseract 5 with the
language's Debian model (ara, fas, heb, hin, ben, tam, tha, ell, vie, ukr; ``--psm 7``, one process per language).

Tesseract's own clean-text baseline: the same label strings drawn by Pillow with libraqm (HarfBuzz + FriBiDi, a
renderer independent of synthdoc's itemization, bidi, line breaking and placement) in the page's body face and
size (DejaVu Sans for Arabic and Hebrew lines with Latin letters, digits or punctuation the body face lacks),
black on white, one line per image. Pillow cannot fall back to a second face, so Indic and Thai lines with Latin
words (drawn by synthdoc's fallback face) have no baseline; every line is scored against the documented
per-language bound.

Asserted per language: mean NED of synthdoc's crops <= baseline NED on the same lines + 0.02 (one whole-line
misread among ~50 lines moves a mean by 0.02), and mean NED over all lines <= BOUNDS[lang].

Measured by this test (seed 20240612, one page per language; NED after NFKC and whitespace folding; Arabic and
Persian read with ``ara+eng`` / ``fas+eng``, see synthdoc.ocr.tesseract.TESSERACT_WITH):
    lang      lines  synthdoc  | with baseline  synthdoc  Pillow/raqm
    arb_Arab     78    0.140   |       78        0.140      0.192
    pes_Arab     80    0.122   |       80        0.122      0.107
    heb_Hebr     27    0.033   |       27        0.033      0.034
    hin_Deva     51    0.025   |       45        0.003      0.003
    ben_Beng     90    0.076   |       88        0.070      0.081
    tam_Taml     37    0.057   |       36        0.055      0.055
    tha_Thai     25    0.014   |       12        0.017      0.009
    ell_Grek     69    0.021   |       69        0.021      0.027
    vie_Latn     60    0.011   |       60        0.011      0.006
    ukr_Cyrl     93    0.006   |       93        0.006      0.005
(The Arabic and Persian pages hold the handbook's technical prose: lines such as "إضافة تعليمة push route" come back
in visual order with bidi marks, and short lines empty, from synthdoc's crops and Pillow's alike.)
(Two pages per language gave ben 0.117 / 0.110, tam 0.055 / 0.053, ara 0.030, heb 0.031: the Bengali and Tamil
models are Tesseract's weakest.)

What remains is Tesseract's: Bengali and Tamil models misread clean conjuncts and vowel signs (and Tesseract
writes ZWNJ after Tamil pulli), non-Latin models read embedded Latin words as noise ("Instagram" -> "15501800"),
one-word lines such as "كثافة." come back empty, Greek capitals get breathings ("Η" -> "Ἡ"). Shifting every quad
by half a line height (wrong labels) raises the NED above 0.3 (asserted on Hebrew).

Run with ``pytest -s`` to see the figures of a run.
"""
from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest

pytest.importorskip("rapidfuzz", reason="rapidfuzz is a test dependency")

from synthdoc.geometry import crop_line  # noqa: E402
from synthdoc.ocr.metrics import ned  # noqa: E402

MODELS = {"arb_Arab": "ara", "pes_Arab": "fas", "heb_Hebr": "heb", "hin_Deva": "hin", "ben_Beng": "ben",
          "tam_Taml": "tam", "tha_Thai": "tha", "ell_Grek": "ell", "vie_Latn": "vie", "ukr_Cyrl": "ukr"}
# Arabic and Persian: the bundled handbook prose is full of Latin names and paths ("SSH", "/var/lib/exim4"), which
# Tesseract reads in visual order with bidi marks or not at all, from either renderer (Pillow/raqm: 0.19 and 0.11).
BOUNDS = {"arb_Arab": 0.16, "pes_Arab": 0.15, "heb_Hebr": 0.07, "hin_Deva": 0.04, "ben_Beng": 0.16,
          "tam_Taml": 0.10, "tha_Thai": 0.05, "ell_Grek": 0.03, "vie_Latn": 0.02, "ukr_Cyrl": 0.05}
BASELINE_TOL = 0.02
BASELINE_FALLBACK = "DejaVu Sans"  # one face with Latin, Greek, Cyrillic, Arabic and Hebrew (fonts-dejavu-core)
SEED = 20240612
IN_CI = bool(os.environ.get("CI"))

pytestmark = pytest.mark.slow


def _require():
    """Skip (fail in CI) when tesseract, a language model or Pillow's raqm layout is missing."""
    from PIL import features

    from synthdoc.ocr import tesseract

    problems = []
    if shutil.which("tesseract") is None:
        problems.append("tesseract is not installed")
    else:
        have = tesseract.installed_languages()
        missing = [m for m in MODELS.values() if m not in have]
        if missing:
            problems.append(f"Tesseract models missing: {', '.join(missing)} (apt-get install tesseract-ocr-<lang>)")
    if not features.check("raqm"):
        problems.append("Pillow has no raqm layout (install libfribidi0)")
    if problems:
        if IN_CI:
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))


def _baseline_image(text: str, font, direction: str, language: str) -> np.ndarray:
    """`text` drawn by Pillow/raqm, black on white, 8 px margins: (h, w) uint8."""
    from PIL import Image, ImageDraw

    size = font.size
    w = int(font.getlength(text, direction=direction, language=language)) + 16
    img = Image.new("L", (w, 2 * size), 255)
    ImageDraw.Draw(img).text((8, size), text, font=font, fill=0, anchor="lm", direction=direction, language=language)
    return np.asarray(img)


def _lines(out):
    """lang -> [(label, synthdoc crop, Pillow baseline image or None)] of every line of the dataset at `out`."""
    from PIL import ImageFont

    from synthdoc.fonts.catalogue import FontCatalogue
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml

    reg, cat = LanguageRegistry(load_fonts_yaml()), FontCatalogue()
    groups: dict[str, list] = {}
    for shard in sorted(out.glob("data/*/*.parquet")):
        for row in pq.read_table(shard).to_pylist():
            lang = reg.resolve(row["lang"])
            meta = json.loads(row["meta"])
            family, _, style = meta["fonts"]["body"].rpartition(" ")
            size = int(meta["body_size_px"])
            # the body face, else one face that draws the whole line (DejaVu Sans has Latin, Arabic and Hebrew)
            faces = [next(f for f in cat.family(family) if f.style == style)] + cat.family(BASELINE_FALLBACK)[:1]
            fonts = [ImageFont.truetype(f.path, size, index=f.index, layout_engine=ImageFont.Layout.RAQM)
                     for f in faces]
            rgb = cv2.imdecode(np.frombuffer(row["image"]["bytes"], np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
            for text, quad, direction in zip(row["lines"]["text"], row["lines"]["quad"], row["lines"]["direction"]):
                crop = crop_line(rgb, np.asarray(quad, np.float32), direction)
                font = next((fo for f, fo in zip(faces, fonts) if _own_cmap(f, text)), None)
                base = _baseline_image(text, font, lang.base_direction, lang.hb_language) if font else None
                groups.setdefault(lang.code, []).append((text, crop, base, np.asarray(quad, np.float32), direction,
                                                         rgb))
    return groups


def _own_cmap(face, text: str) -> bool:
    """The face's own cmap (not its fallback's) maps every non-space character of `text`."""
    return all(ord(c) in face.cmap or c.isspace() for c in text)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    _require()
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig
    from synthdoc.ocr import tesseract

    assert {code: tesseract.TESSERACT_LANG.get(code) for code in MODELS} == MODELS
    out = tmp_path_factory.mktemp("complex_ocr") / "ds"
    write_dataset(GenerateConfig(languages=list(MODELS), pages=len(MODELS), image_format="png", seed=SEED), out)
    groups = _lines(out)

    def run(code):
        items = groups[code]
        ours = tesseract.recognise_lines([c for _, c, _, _, _, _ in items], code)
        covered = [(label, base) for label, _, base, _, _, _ in items if base is not None]
        theirs = tesseract.recognise_lines([b for _, b in covered], code)
        scores = np.array([ned(label, pred, code) for (label, *_), pred in zip(items, ours)])
        mask = np.array([base is not None for _, _, base, _, _, _ in items])
        base_scores = np.array([ned(label, pred, code) for (label, _), pred in zip(covered, theirs)])
        worst = sorted(zip(scores, [i[0] for i in items], ours), key=lambda t: -t[0])[:3]
        return code, {"n": len(items), "ours": float(scores.mean()), "n_cov": int(mask.sum()),
                      "ours_cov": float(scores[mask].mean()) if mask.any() else 0.0,
                      "base_cov": float(base_scores.mean()) if len(base_scores) else 0.0, "worst": worst}

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(run, sorted(groups)))
    print("\n    lang      lines  synthdoc  | covered  synthdoc  Pillow/raqm")
    for code, r in sorted(results.items()):
        print(f"    {code}  {r['n']:5d}   {r['ours']:.4f}   | {r['n_cov']:5d}    {r['ours_cov']:.4f}    {r['base_cov']:.4f}")
    return groups, results


@pytest.mark.parametrize("code", sorted(MODELS))
def test_labels_match_pixels_as_well_as_an_independent_renderer(measured, code):
    _, results = measured
    r = results[code]
    assert r["n"] >= 15 and r["n_cov"] >= 10, r
    detail = "; ".join(f"{label!r} -> {pred!r}" for _, label, pred in r["worst"])
    assert r["ours_cov"] <= r["base_cov"] + BASELINE_TOL, f"{code}: {r['ours_cov']:.4f} vs {r['base_cov']:.4f}; {detail}"
    assert r["ours"] <= BOUNDS[code], f"{code}: NED {r['ours']:.4f} > {BOUNDS[code]}; {detail}"


def test_wrong_quads_would_be_caught(measured):
    """Control: the same Hebrew lines cropped half a line lower read as something else."""
    from synthdoc.ocr import tesseract

    groups, results = measured
    items = groups["heb_Hebr"]
    shifted = []
    for _, _, _, quad, direction, rgb in items:
        q = quad.copy()
        q[:, 1] += 0.5 * (q[3, 1] - q[0, 1])
        shifted.append(crop_line(rgb, q, direction))
    preds = tesseract.recognise_lines(shifted, "heb_Hebr")
    score = float(np.mean([ned(label, p, "heb_Hebr") for (label, *_), p in zip(items, preds)]))
    assert score > 0.3 > results["heb_Hebr"]["ours"]
