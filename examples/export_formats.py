"""Export a dataset's labels to the formats other OCR toolkits read (HierText, PAGE-XML, PaddleOCR, ICDAR 2015).

    python examples/export_formats.py out/exported --pages 2

Generates a small dataset (horizontal and vertical text), then converts it to every registered export format
(:func:`synthdoc.writers.exports.formats`) under ``OUT/<format>/``; images are copied byte for byte.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from synthdoc import GenerateConfig, write_dataset
from synthdoc.writers.exports import export_dataset, formats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="out/examples/exported", help="new folder for everything")
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--format", action="append", choices=formats(), help="default: every format")
    args = parser.parse_args()

    out = Path(args.out)
    cfg = GenerateConfig(languages=["en", "ja"], layouts={"multi_column": 1, "vertical": 1}, pages=args.pages)
    write_dataset(cfg, out / "dataset", overwrite=True)
    for fmt in args.format or formats():
        target = out / fmt
        if target.exists():  # exports refuse a non-empty folder; start afresh on a rerun
            shutil.rmtree(target)
        print(export_dataset(out / "dataset", fmt, target).line())


if __name__ == "__main__":
    main()
