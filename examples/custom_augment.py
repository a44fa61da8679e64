"""Apply an augmentation stack of your own: a mapping (or YAML file) of steps, and the record of what each page got.

    python examples/custom_augment.py out/custom_augment --pages 2

Steps run in phases (background, text, image, geometric, page) whatever their order here; ``p`` is the chance a
step or group runs; ``OneOf`` picks one of its steps. Every row's ``meta["augment"]`` records the applied steps
and their drawn parameters (replayable with :func:`synthdoc.augment.replay`).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pyarrow.parquet as pq

from synthdoc import GenerateConfig, write_dataset

STACK = {
    "description": "scanned office paper",
    "steps": [
        {"PaperTexture": {"p": 1.0}},
        {"Rotate": {"p": 0.5}},
        {"OneOf": {"p": 0.8, "steps": [{"GaussianBlur": {"sigma_px_range": [0.3, 0.8]}}, {"MotionBlur": {}}]}},
        {"Jpeg": {"quality_range": [60, 90]}},
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="out/examples/custom_augment", help="new dataset folder")
    parser.add_argument("--pages", type=int, default=2)
    args = parser.parse_args()

    cfg = GenerateConfig(languages=["en"], layouts={"multi_column": 1}, augment=STACK, pages=args.pages, seed=1)
    print(write_dataset(cfg, args.out, overwrite=True).line())
    for shard in sorted(Path(args.out).glob("data/*/*.parquet")):
        for row in pq.read_table(shard, columns=["id", "meta"]).to_pylist():
            record = json.loads(row["meta"])["augment"]
            print(row["id"], [step["name"] for step in record["steps"]])


if __name__ == "__main__":
    main()
