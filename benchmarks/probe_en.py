"""Probe benchmark: what a synthdoc dataset teaches a compact line recognizer, scored on pages rendered with
fonts it never saw.

1. Generates a training dataset (default config, English, Noto families only:
   benchmarks/probe_configs/<lang>_train_fonts.yaml) and a held-out dataset (another seed, DejaVu / Liberation
   families only: <lang>_heldout_fonts.yaml) under out/ (git-ignored), unless they exist.
2. Trains the probe (``synthdoc.probe.probe``) for --minutes of CPU time and scores it along the way on the
   held-out pages (and on any real line folders / PAGE-XML sets given with --eval).
3. Copies report.json and curve.png to benchmarks/results/probe_<lang>.json / probe_<lang>_curve.png.

Usage: nice -n 10 python benchmarks/probe_en.py --minutes 8 [--pages 300] [--eval NAME=PATH ...]
Figures measured on a shared 2-core machine are noisy; the budget is training time only.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_dataset(config_yaml: Path, pages: int, seed: int, out: Path, extra: dict | None = None) -> None:
    """Generate `pages` pages with the config file (plus `extra` keys) into `out`, unless it is already there."""
    from synthdoc.api import write_dataset
    from synthdoc.config import config_from_mapping, load_config

    if (out / "data").is_dir():
        return
    cfg = config_from_mapping({**load_config(config_yaml).to_dict(), "pages": pages, "seed": seed, **(extra or {})},
                              str(config_yaml))
    print(write_dataset(cfg, out, overwrite=True).line(), flush=True)


def main() -> None:
    from synthdoc.probe import ProbeConfig, probe

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="en", help="config prefix under benchmarks/probe_configs (en, ja)")
    ap.add_argument("--pages", type=int, default=300, help="training pages")
    ap.add_argument("--heldout-pages", type=int, default=40)
    ap.add_argument("--minutes", type=float, default=8.0, help="training budget (CPU time of the loop)")
    ap.add_argument("--eval", action="append", default=[], help="extra eval sets ([NAME=]PATH)")
    ap.add_argument("--eval-lang", default="eng_Latn")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    configs, work = ROOT / "benchmarks" / "probe_configs", ROOT / "out" / f"probe_bench_{args.lang}"
    train_ds, heldout = work / "train", work / "heldout"
    make_dataset(configs / f"{args.lang}_train_fonts.yaml", args.pages, 11, train_ds)
    make_dataset(configs / f"{args.lang}_heldout_fonts.yaml", args.heldout_pages, 12, heldout)
    cfg = ProbeConfig(workers=1, threads=args.threads, eval_lines=300, eval_points=8)
    report = probe(train_ds, out=work / "run", eval_sets=[f"heldout_fonts={heldout}", *args.eval],
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
