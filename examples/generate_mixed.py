"""Generate a mixed dataset from Python: three languages, three layout modes, the ``light`` augmentation preset.

    python examples/generate_mixed.py out/mixed --pages 6

Writes ``OUT/data/<language>/train-*.parquet`` and a dataset card (``OUT/README.md``); prints the summary line and
the layout of each page.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow.parquet as pq

from synthdoc import GenerateConfig, write_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="out/examples/mixed", help="new dataset folder")
    parser.add_argument("--pages", type=int, default=6)
    args = parser.parse_args()

    cfg = GenerateConfig(
        languages=["en", "ja", "ru"],                          # sample i uses languages[i % 3]
        layouts={"multi_column": 2, "slide": 1, "table": 1},   # layout templates and their weights
        augment="light",                                       # a preset name, a stack YAML path or a mapping
        pages=args.pages,
        seed=0,
    )
    summary = write_dataset(cfg, args.out, overwrite=True)
    print(summary.line())
    for shard in sorted(Path(args.out).glob("data/*/*.parquet")):
        for row in pq.read_table(shard, columns=["id", "layout"]).to_pylist():
            print(row["id"], row["layout"])


if __name__ == "__main__":
    main()
