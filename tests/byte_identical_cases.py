"""Recorded SHA-256s of a fixed small run: every layout mode x six languages x augmentation presets none and
default (imported as a plain module by tests/test_byte_identical.py; pytest puts tests/ on sys.path).

Per combination (mode, preset, language) one page (sample index = the language's position, seed 3) is made
in-process with :class:`synthdoc.pipeline.SampleFactory` and hashed three ways:

* ``image``: the encoded image bytes (JPEG: quality 90, or the bytes of a last JPEG augmentation step);
* ``pixels``: the page's pixels before they are encoded ((H, W, 3) uint8 RGB bytes; a change of how pages are
  stored changes ``image`` only);
* ``labels``: the page text, every word / line / paragraph (text, quad as float32 bytes, bbox, parent, ignore,
  direction, role, level, cell) and the relation graph, as canonical JSON;
* ``meta``: the row's meta JSON (provenance; recorded for information only, it may change on purpose).

Regenerate the recorded file only for an intended, explained change (say why in the commit message):

    PYTHONPATH=$PWD python tests/byte_identical_cases.py --write
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

RECORD = Path(__file__).with_name("byte_identical_sha256.json")
LANGUAGES = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")
MODES = ("multi_column", "vertical", "table", "toc", "slide", "document", "scattered")
PRESETS = ("none", "default")
SEED = 3


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _quad_bbox(quad, width: int, height: int) -> tuple[str, list[float]]:
    """(sha256 of the (4, 2) float32 quad bytes, [x0, y0, x1, y1] clipped to the page)."""
    q = np.asarray(quad, np.float32)
    box = [float(np.clip(q[:, 0].min(), 0, width)), float(np.clip(q[:, 1].min(), 0, height)),
           float(np.clip(q[:, 0].max(), 0, width)), float(np.clip(q[:, 1].max(), 0, height))]
    return _sha(q.tobytes()), box


def label_record(page) -> dict:
    """Every label of `page` as plain JSON values (quads as hashes of their float32 bytes)."""
    w, h = page.width, page.height
    paras, lines, words = [], [], []
    for pi, para in enumerate(page.paragraphs):
        paras.append([para.text, *_quad_bbox(para.quad, w, h), para.role, int(para.level),
                      list(para.cell) if para.cell else None])
        for line in para.lines:
            li = len(lines)
            lines.append([line.text, *_quad_bbox(line.quad, w, h), pi, line.direction, line.separator])
            for word in line.words:
                words.append([word.text, *_quad_bbox(word.quad, w, h), li, bool(word.ignore)])
    return {"size": [w, h], "lang": page.lang, "layout": page.layout, "text": page.text,
            "paragraphs": paras, "lines": lines, "words": words, "relation_graph": page.relation_graph()}


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def cases(registry) -> list[tuple[str, str, str]]:
    """(mode, preset, language) of the run: vertical only for languages written vertically."""
    from synthdoc.layout.template import load_template

    out = []
    for mode in MODES:
        modes_ok = [lang for lang in LANGUAGES if _supports(load_template(mode).mode, registry.resolve(lang))]
        for preset in PRESETS:
            out.extend((mode, preset, lang) for lang in modes_ok)
    return out


def _supports(mode: str, lang) -> bool:
    from synthdoc.layout import registry

    return registry.supports(mode, lang)


def compute(catalogue=None) -> dict[str, dict[str, str]]:
    """"mode/preset/language" -> {"image", "pixels", "labels", "meta"} SHA-256 hex digests."""
    from synthdoc.config import GenerateConfig
    from synthdoc.fonts.catalogue import FontCatalogue
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml
    from synthdoc.pipeline import SampleFactory, sample_meta_json

    catalogue = catalogue or FontCatalogue()
    registry = LanguageRegistry(load_fonts_yaml())
    todo = cases(registry)
    out: dict[str, dict[str, str]] = {}
    for mode in MODES:
        for preset in PRESETS:
            langs = [lang for m, p, lang in todo if m == mode and p == preset]
            cfg = GenerateConfig(languages=langs, seed=SEED, layouts={mode: 1.0}, augment=preset)
            factory = SampleFactory(cfg, catalogue=catalogue)
            for i, lang in enumerate(langs):
                sample = factory.make(i)
                assert sample.page.lang == lang
                out[f"{mode}/{preset}/{lang}"] = {"image": _sha(sample.image_bytes),
                                                  "pixels": _sha(np.ascontiguousarray(sample.image).tobytes()),
                                                  "labels": _sha(canonical(label_record(sample.page))),
                                                  "meta": _sha(sample_meta_json(sample).encode("utf-8"))}
    return out


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: PYTHONPATH=$PWD python tests/byte_identical_cases.py --write  (regenerates the record)")
    RECORD.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {RECORD}")
