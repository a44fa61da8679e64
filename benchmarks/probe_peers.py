"""Peer comparison: the same probe (same config, step budget and seed) trained on synthdoc line crops and on
TextRecognitionDataGenerator (PyPI ``trdg`` 1.8.0) lines with the same fonts and the same text, scored on the
same held-out synthdoc pages rendered with other fonts (and any real line folder / PAGE-XML set given).

- synthdoc side: a synthdoc dataset (default: the training dataset of benchmarks/probe_en.py).
- TRDG side: every training line label of that dataset (in order, up to --trdg-lines) rendered by
  ``trdg.data_generator.FakeTextDataGenerator.generate`` at height 32 with trdg's defaults (Gaussian-noise
  background, no skew / blur / distortion) in one of the fonts the synthdoc side used (the TTF/OTF faces of
  the families its rows' meta records), cycled; written as a one-line-per-row synthdoc-layout Parquet
  dataset (line quad = the whole image) so the probe reads both the same way.

trdg 1.8.0 (2022) does not run as published on this stack: it calls ``FreeTypeFont.getsize`` (removed in
Pillow 10; synthdoc needs Pillow >= 10) and pins python-bidi==0.4.2, diffimg==0.2.3 and the non-headless
opencv-python, which would clash with opencv-python-headless. So it is NOT installed: pass --trdg-path, a
folder holding the unpacked wheel (``pip download trdg==1.8.0 --no-deps`` then unzip), and this script adds a
``getsize`` shim built on ``getbbox`` and imports only the modules that need no extra dependency.
trdg draws with Python's ``random``; it is seeded with --seed here so the TRDG side is reproducible.

Usage: nice -n 10 python benchmarks/probe_peers.py --trdg-path /tmp/trdg --steps 400 [--eval NAME=PATH ...]
Results: benchmarks/results/probe_peers.json and probe_peers_curve.png.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent


def import_trdg(path: str):
    """trdg's FakeTextDataGenerator from an unpacked wheel, with Pillow >= 10 shims."""
    from PIL import ImageFont

    if not hasattr(ImageFont.FreeTypeFont, "getsize"):
        def getsize(self, text, *args, **kwargs):
            left, top, right, bottom = self.getbbox(text, *args, **kwargs)
            return right, bottom
        ImageFont.FreeTypeFont.getsize = getsize
    sys.path.insert(0, path)
    from trdg.data_generator import FakeTextDataGenerator

    return FakeTextDataGenerator


def training_fonts(dataset: Path, lang: str = "eng_Latn") -> list[str]:
    """Font files of the families the training dataset's pages used (read from its rows' meta, as
    ``generate --exclude-fonts-of`` does): TTF/OTF, face index 0, every role the language's pool has them in."""
    from synthdoc.fonts.catalogue import FontCatalogue
    from synthdoc.fonts_exclusion import face_names_used, families_of
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml

    catalogue = FontCatalogue()
    used = families_of(face_names_used(dataset), {f.family for f in catalogue.faces})
    faces = catalogue.faces_for(LanguageRegistry(load_fonts_yaml()).resolve(lang))
    return sorted({f.path for fs in faces.values() for f in fs
                   if f.family in used and f.index == 0 and str(f.path).lower().endswith((".ttf", ".otf"))})


def training_labels(dataset: Path, val_frac: float) -> list[str]:
    """Line labels of the synthdoc dataset's training split, in shard order."""
    from synthdoc.probe.evalsets import dataset_label_rows
    from synthdoc.probe.lines import is_validation, line_labels

    return [lab for row in dataset_label_rows(dataset) if not is_validation(str(row["id"]), val_frac)
            for _, lab, _ in line_labels(row)]


def _row(i: int, label: str, png: bytes, w: int, h: int) -> dict:
    quad = [[[0.0, 0.0], [float(w), 0.0], [float(w), float(h)], [0.0, float(h)]]]
    return {"id": f"trdg-{i:09d}", "image": {"bytes": png, "path": None}, "lang": "eng_Latn",
            "lines": {"text": [label], "quad": quad, "direction": ["ltr"]},
            "words": {"text": [label], "quad": quad, "parent": [0], "ignore": [False]}}


def write_trdg_dataset(out: Path, labels: list[str], fonts: list[str], trdg_path: str, seed: int) -> int:
    """Render `labels` with trdg into OUT/data/eng_Latn/train-00000-of-00001.parquet; returns lines written."""
    gen = import_trdg(trdg_path)
    random.seed(seed)
    rows = []
    for i, label in enumerate(labels):
        img = gen.generate(i, label, fonts[i % len(fonts)], None, 32, "png", 0, False, 0, False, 0, 0, 0, False,
                           0, -1, 1, "#282828", 0, 1.0, 0, (5, 5, 5, 5), False, False, False,
                           str(Path(trdg_path) / "trdg" / "images"))
        buf = io.BytesIO()
        img.convert("RGB").save(buf, format="PNG")
        rows.append(_row(i, label, buf.getvalue(), *img.size))
    (out / "data" / "eng_Latn").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), out / "data" / "eng_Latn" / "train-00000-of-00001.parquet",
                   row_group_size=256)
    return len(rows)


def summary(report: dict) -> dict:
    """Per training dataset: steps, lines seen, lines/s, final and best NED / CER per eval set."""
    out = {}
    for r in report["runs"]:
        out[Path(r["dataset"]).name] = {
            "steps": r["steps"], "lines_seen": r["lines_seen"], "lines_per_s": r["lines_per_s"],
            "final": {k: {"ned": round(v["ned"], 4), "cer": round(v["cer"], 4)} for k, v in r["final"].items()},
            "best": r["best"]}
    return out


def main() -> None:
    from synthdoc.probe import ProbeConfig, probe

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench = ROOT / "out" / "probe_bench_en"
    ap.add_argument("--train", default=str(bench / "train"), help="synthdoc training dataset")
    ap.add_argument("--heldout", default=str(bench / "heldout"), help="held-out synthdoc pages (other fonts)")
    ap.add_argument("--trdg-path", required=True, help="folder with the unpacked trdg 1.8.0 wheel")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--trdg-lines", type=int, help="TRDG lines rendered (default steps x batch)")
    ap.add_argument("--eval", action="append", default=[], help="extra eval sets ([NAME=]PATH)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    cfg = ProbeConfig(workers=1, threads=args.threads, eval_lines=300, eval_points=3)
    trdg_ds = ROOT / "out" / "probe_peers" / "trdg"
    if not (trdg_ds / "data").is_dir():
        labels = training_labels(Path(args.train), cfg.val_frac)[: args.trdg_lines or args.steps * cfg.batch_size]
        n = write_trdg_dataset(trdg_ds, labels, training_fonts(Path(args.train)), args.trdg_path, args.seed)
        print(f"trdg: {n} lines", flush=True)
    report = probe(args.train, out=ROOT / "out" / "probe_peers" / "run", compare=trdg_ds,
                   eval_sets=[f"heldout_unseen_fonts={args.heldout}", *args.eval], steps=args.steps, device="cpu",
                   seed=args.seed, config=cfg, eval_lang="eng_Latn",
                   progress=lambda d, p: print(Path(d).name, p["step"], p["loss"],
                                               {k: round(v["ned"], 4) for k, v in p["scores"].items()}, flush=True))
    results = ROOT / "benchmarks" / "results"
    out = {"command": " ".join(sys.argv), "budget_steps": args.steps, "seed": args.seed,
           "trdg": "1.8.0 (unpacked wheel, getsize shim; defaults: noise background, no skew/blur/distortion)",
           "summary": summary(report), "report": report}
    (results / "probe_peers.json").write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    shutil.copy(report["curve"], results / "probe_peers_curve.png")
    print(json.dumps(out["summary"], indent=1))


if __name__ == "__main__":
    main()
