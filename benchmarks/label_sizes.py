"""Shard size and time cost of the optional label columns: the character level (``labels: chars``) and the text
masks (``mask: ink`` / ``mask: words``).

The same pages (seed 0, languages eng_Latn, jpn_Jpan, arb_Arab, hin_Deva, zho_Hans, tha_Thai; multi_column and
vertical; JPEG q90; no augmentation) are written four times: words/lines/paragraphs only, + chars, + ink mask,
+ word-instance mask. Reported per page: Parquet bytes (all shards / pages), the extra bytes over the base run,
and the generation wall time (one worker; on a shared machine the times are noisy: compare ratios of one run).

Prints a table and writes ``benchmarks/results/label_sizes.json``.

Usage::

    python benchmarks/label_sizes.py [--pages 12]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from synthdoc.api import write_dataset
from synthdoc.config import GenerateConfig

VARIANTS = {"base": {}, "chars": {"labels": ["words", "lines", "paragraphs", "chars"]}, "mask_ink": {"mask": "ink"},
            "mask_words": {"mask": "words"}}
LANGS = ["eng_Latn", "jpn_Jpan", "arb_Arab", "hin_Deva", "zho_Hans", "tha_Thai"]


def measure(pages: int, tmp: Path) -> dict:
    out = {}
    for name, extra in VARIANTS.items():
        cfg = GenerateConfig(languages=LANGS, pages=pages, seed=0, layouts={"multi_column": 1, "vertical": 1}, **extra)
        t0 = time.perf_counter()
        write_dataset(cfg, tmp / name)
        wall = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in (tmp / name).glob("data/*/*.parquet"))
        out[name] = {"bytes_per_page": size / pages, "wall_s_per_page": wall / pages}
    for rec in out.values():
        rec["extra_bytes_per_page"] = rec["bytes_per_page"] - out["base"]["bytes_per_page"]
        rec["time_ratio"] = rec["wall_s_per_page"] / out["base"]["wall_s_per_page"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=12)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        res = measure(args.pages, Path(tmp))
    print(f"{'variant':12s} {'KB/page':>9s} {'+KB/page':>9s} {'s/page':>7s} {'time x':>7s}")
    for name, r in res.items():
        print(f"{name:12s} {r['bytes_per_page'] / 1e3:9.1f} {r['extra_bytes_per_page'] / 1e3:9.1f} "
              f"{r['wall_s_per_page']:7.2f} {r['time_ratio']:7.2f}")
    path = Path(__file__).parent / "results" / "label_sizes.json"
    path.write_text(json.dumps({"date": dt.date.today().isoformat(), "pages": args.pages, "languages": LANGS,
                                "results": res}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
