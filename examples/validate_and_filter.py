"""Validate a dataset with a reference OCR engine and keep only the pages it reads well.

    python examples/validate_and_filter.py out/validated --pages 3 --max-ned 0.2

Generates a small dataset, reads every line back with the bundled PP-OCRv6 (``engine="auto"`` also uses
Tesseract where it reads better), writes the report (``validation.md``, ``validation.json``, the worst line
crops) and a keep-list, and writes a filtered copy holding the pages whose mean line NED is at most ``--max-ned``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from synthdoc import GenerateConfig, write_dataset
from synthdoc.api import filter_dataset, validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="out/examples/validated", help="new folder for everything")
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--max-ned", type=float, default=0.2, help="keep pages with mean line NED <= this")
    args = parser.parse_args()

    out = Path(args.out)
    dataset = out / "dataset"
    write_dataset(GenerateConfig(languages=["en", "ja"], pages=args.pages, layouts={"slide": 1}, augment="light"),
                  dataset, overwrite=True)
    result = validate(dataset, engine="ppocr", device="cpu", max_ned=args.max_ned, out=out / "filtered",
                      report_dir=out / "report")
    for group in result.report["languages"]:
        print(f"{group['lang']}: {group['lines']} lines, mean NED {group['mean_ned']:.4f}")
    print(f"kept {len(result.keep)} of {result.report['pages']} pages; report in {result.report_dir}")
    # the same filtering from a keep-list file (e.g. edited by hand), without OCR:
    summary = filter_dataset(dataset, out / "filtered-again", result.report_dir / "keep.txt")
    print(f"filtered copy from keep.txt: {summary.kept} kept, {summary.dropped} dropped")


if __name__ == "__main__":
    main()
