"""HierText export: ``OUT/<split>.jsonl`` and the images in ``OUT/<split>/``.

``<split>.jsonl`` is what the HierText release calls its ground-truth files (``gt/validation.jsonl``): despite
the name, one JSON document ``{"info": {"date", "version"}, "annotations": [...]}``, which the official
``eval.py`` reads with ``json.load`` (``--gt`` and ``--result``). It is written as a stream, one annotation per
line inside the ``annotations`` array.

An annotation follows the HierText ground truth (Long et al., "Towards End-to-End Unified Scene Text
Detection and Layout Analysis", CVPR 2022; https://github.com/google-research-datasets/hiertext):
``{"image_id", "image_width", "image_height", "paragraphs": [{"vertices", "legible", "lines": [{"vertices",
"text", "legible", "handwritten", "vertical", "words": [{"vertices", "text", "legible", "handwritten",
"vertical"}]}]}]}``. Vertices are integer pixel points, clockwise from the top-left corner of the text's own
frame (synthdoc's quad order); paragraphs, lines and words are in reading order. A word flagged ``ignore``
(e.g. a dot leader) is not legible; a paragraph is legible when one of its words is.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from synthdoc._version import __version__
from synthdoc.names import safe_join
from synthdoc.writers.exports import register_format
from synthdoc.writers.exports.common import hierarchy, int_points, new_file, write_image


def annotation(row: dict) -> dict:
    """The HierText annotation of a dataset row."""
    w, h = row["width"], row["height"]
    words, lines, paras = row["words"], row["lines"], row["paragraphs"]
    out = []
    for p, line_list in hierarchy(row):
        para_lines = []
        for li, word_ids in line_list:
            vertical = lines["direction"][li] == "ttb"
            ws = [{"vertices": int_points(words["quad"][k], w, h), "text": words["text"][k],
                   "legible": not words["ignore"][k], "handwritten": False, "vertical": vertical} for k in word_ids]
            para_lines.append({"vertices": int_points(lines["quad"][li], w, h), "text": lines["text"][li],
                               "legible": any(x["legible"] for x in ws), "handwritten": False,
                               "vertical": vertical, "words": ws})
        out.append({"vertices": int_points(paras["quad"][p], w, h),
                    "legible": any(x["legible"] for x in para_lines), "lines": para_lines})
    return {"image_id": row["id"], "image_width": w, "image_height": h, "paragraphs": out}


@register_format("hiertext")
class HierTextWriter:
    """Writes the HierText export of rows added one by one.

    Args:
        out: export folder.
    """

    def __init__(self, out: Path):
        self.out = out
        self._files: dict = {}

    def add(self, split: str, row: dict) -> None:
        write_image(safe_join(self.out, split, what="split"), row)
        if split not in self._files:
            self._files[split] = open(new_file(self.out, f"{split}.jsonl"), "w", encoding="utf-8")
            info = {"date": dt.date.today().isoformat(), "version": f"synthdoc {__version__}"}
            self._files[split].write(f'{{"info": {json.dumps(info)}, "annotations": [\n')
        else:
            self._files[split].write(",\n")
        self._files[split].write(json.dumps(annotation(row), ensure_ascii=False))

    def close(self) -> list[Path]:
        for f in self._files.values():
            f.write("\n]}\n")
            f.close()
        return [self.out / f"{s}.jsonl" for s in self._files]
