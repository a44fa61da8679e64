"""Probe benchmark: what a synthdoc dataset teaches a compact line recognizer, scored on pages rendered with
fonts it never saw.

1. Generates a training dataset (the real default: every layout mode, mixed augmentation, the installed font
   pool; only the language is given) and a held-out dataset (the same config, another seed, rendered with
   ``--exclude-fonts-of`` the training set: no family of the training pages; with ``--heldout-font-dir`` extra
   fonts are added to the held-out side's pool when the installed pool is too small to hold fonts out) under
   out/ (git-ignored), unless they exist. ``--layouts`` overrides the modes of both (Japanese: horizontal and
   vertical).
2. Trains the probe (``synthdoc.probe.probe``) for --minutes of CPU time and scores it along the way on the
   held-out pages (and on any real line folders / PAGE-XML sets given with --eval).
3. Copies report.json and curve.png to benchmarks/results/probe_<lang>.json / probe_<lang>_curve.png.

Usage: nice -n 10 python benchmarks/probe_en.py --minutes 20 [--pages 300] [--heldout-font-dir DIR] [--eval NAME=PATH ...]
Figures measured on a shared 2-core machine are noisy; the budget is training time only.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_dataset(settings: dict, out: Path, exclude_fonts_of: Path | None = None) -> None:
    """Generate a dataset of the default config with `settings` (languages, pages, seed, ...) into `out`, with
    the fonts of `exclude_fonts_of` left out (``generate --exclude-fonts-of``), unless it is already there."""
    from synthdoc.api import write_dataset
    from synthdoc.config import config_from_mapping
    from synthdoc.fonts_exclusion import exclude_fonts_of as exclude

    if (out / "data").is_dir():
        return
    cfg = config_from_mapping(settings, "benchmarks/probe_en.py")
    if exclude_fonts_of is not None:
        cfg = exclude(cfg, [exclude_fonts_of])
    print(write_dataset(cfg, out, overwrite=True).line(), flush=True)


def main() -> None:
    from synthdoc.probe import ProbeConfig, probe

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="en", help="language code or alias (en, ja, ...)")
    ap.add_argument("--layouts", help="template weights for both sides, e.g. multi_column=1,vertical=1 "
                                      "(default: the default mixture)")
    ap.add_argument("--heldout-font-dir", action="append", default=[],
                    help="extra font folder for the held-out side only; repeatable")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup-frac", type=float, default=0.05)
    ap.add_argument("--height", type=int, default=32)
    ap.add_argument("--pages", type=int, default=300, help="training pages")
    ap.add_argument("--heldout-pages", type=int, default=40)
    ap.add_argument("--minutes", type=float, default=8.0, help="training budget (CPU time of the loop)")
    ap.add_argument("--eval", action="append", default=[], help="extra eval sets ([NAME=]PATH)")
    ap.add_argument("--eval-lang", default="eng_Latn")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    work = ROOT / "out" / f"probe_bench_{args.lang}"
    train_ds, heldout = work / "train", work / "heldout"
    base = {"languages": [args.lang], "workers": 1}
    if args.layouts:
        base["layouts"] = {k: float(w or 1) for k, _, w in (p.partition("=") for p in args.layouts.split(","))}
    make_dataset({**base, "pages": args.pages, "seed": 11}, train_ds)
    make_dataset({**base, "pages": args.heldout_pages, "seed": 12, "font_dirs": args.heldout_font_dir}, heldout,
                 exclude_fonts_of=train_ds)
    cfg = ProbeConfig(workers=1, threads=args.threads, eval_lines=300, eval_points=8, batch_size=args.batch_size,
                      lr=args.lr, warmup_frac=args.warmup_frac, height_px=args.height)
    report = probe(train_ds, out=work / "run", eval_sets=[f"heldout_unseen_fonts={heldout}", *args.eval],
                   minutes=args.minutes, device="cpu", seed=args.seed, config=cfg, eval_lang=args.eval_lang,
                   progress=lambda d, p: print(p["step"], p["lines_seen"], p["loss"],
                                               {k: round(v["ned"], 4) for k, v in p["scores"].items()}, flush=True))
    results = ROOT / "benchmarks" / "results"
    slim = {**report, "runs": [{**r, "curve": r["curve"]} for r in report["runs"]]}
    (results / f"probe_{args.lang}.json").write_text(json.dumps(slim, indent=1, ensure_ascii=False), encoding="utf-8")
    shutil.copy(report["curve"], results / f"probe_{args.lang}_curve.png")
    r = report["runs"][0]
    print(json.dumps({"steps": r["steps"], "lines_seen": r["lines_seen"], "lines_per_s": r["lines_per_s"],
                      "final": {k: {"ned": v["ned"], "cer": v["cer"]} for k, v in r["final"].items()},
                      "best": r["best"]}, indent=1))


if __name__ == "__main__":
    main()
