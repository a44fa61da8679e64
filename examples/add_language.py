"""Add a language by configuration only: German (Latin script) with a corpus of your own, no code.

    python examples/add_language.py out/german --pages 2

The ``fonts:`` key of a config is merged over the shipped fonts.yaml: a language of a supported script needs a
name, aliases, its script and a HarfBuzz language tag; ``corpus:`` points it at your text (a file, a folder, or a
Hugging Face dataset). The same mapping works as a YAML ``--config`` file for the CLI.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow.parquet as pq

from synthdoc.api import write_dataset
from synthdoc.config import config_from_mapping

GERMAN = """Die Sonne ging über den Hügeln auf, und im Dorf öffnete der Bäcker seine Läden.
Größere Straßen führten zum Marktplatz, wo Händler Äpfel, Käse und frisches Brot verkauften.
Über Nacht hatte es geregnet; die Pflastersteine glänzten noch im Morgenlicht.
Die Kinder liefen zur Schule, während die Glocken der alten Kirche acht Uhr schlugen.
Im Rathaus wurde über den neuen Fahrradweg am Flussufer beraten.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="out/examples/german", help="new dataset folder")
    parser.add_argument("--pages", type=int, default=2)
    args = parser.parse_args()

    out = Path(args.out)
    corpus = out.parent / f"{out.name}-corpus.txt"   # any UTF-8 text file, one or more paragraphs
    corpus.parent.mkdir(parents=True, exist_ok=True)
    corpus.write_text(GERMAN * 4, encoding="utf-8")
    cfg = config_from_mapping({
        "fonts": {"languages": {"deu_Latn": {"name": "German", "aliases": ["de"], "script": "Latn",
                                             "hb_language": "de"}}},
        "corpus": {"de": str(corpus)},
        "languages": ["de"],
        "layouts": {"multi_column": 1},
        "pages": args.pages,
    }, "example config")
    print(write_dataset(cfg, out, overwrite=True).line())
    for shard in sorted(out.glob("data/*/*.parquet")):
        for row in pq.read_table(shard, columns=["id", "lang", "lines"]).to_pylist():
            print(row["id"], row["lang"], row["lines"]["text"][0])


if __name__ == "__main__":
    main()
