"""Generate pages from a layout template of your own (``examples/my_slides.yaml``) and save annotated previews.

    python examples/custom_layout.py out/custom_layout --pages 2

A template is a YAML file naming a layout ``mode`` and overriding that mode's parameters; pass its path wherever a
template name goes (``layouts=`` here, ``--layouts path.yaml=1`` on the command line). Writes one PNG per page
with the word, line and paragraph boxes drawn over it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from synthdoc import GenerateConfig, generate_samples
from synthdoc.preview import write_previews
from synthdoc.writers.parquet import sample_to_row

TEMPLATE = Path(__file__).resolve().parent / "my_slides.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="out/examples/custom_layout", help="folder for the previews")
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--template", default=str(TEMPLATE), help="layout template YAML")
    args = parser.parse_args()

    cfg = GenerateConfig(languages=["en", "zh-Hans"], layouts={args.template: 1}, seed=3)
    samples = list(generate_samples(cfg, stop=args.pages))
    for s in samples:
        print(s.id, s.page.layout, f"{s.page.width}x{s.page.height}", f"{len(s.page.lines)} lines")
    paths = write_previews((sample_to_row(s) for s in samples), args.out)
    print(f"wrote {len(paths)} previews to {args.out}")


if __name__ == "__main__":
    main()
