"""ICDAR 2015 (Robust Reading Challenge 4, incidental scene text) export: word quads.

Per split, ``OUT/<split>/images/<id>.jpg`` and ``OUT/<split>/gt/gt_<id>.txt`` with one word per line,
``x1,y1,x2,y2,x3,y3,x4,y4,transcription``: integer pixel corners clockwise from the top-left of the word's
own frame, then the text (which may itself contain commas: everything after the eighth comma). A text that starts
with a double quote is written quoted, with backslash escapes, as the RRC evaluation scripts read it (``"\"Hi\"
she said"``; rrc_evaluation_funcs unquotes a transcription in double quotes): raw, its quote would open a quoted
CSV field in loaders that read the file with ``csv.reader`` (EAST's) and swallow the lines after it, and
``"quoted"`` would lose its quotes in RRC's reading. Quoted so, the field's first inner quote ends the CSV quoted
field, so csv.reader keeps one record per line (unless the text starts with two quotes). ``###``
marks a word to ignore ("do not care"): synthdoc's ``words.ignore`` (dot leaders). UTF-8 without BOM.
Format: https://rrc.cvc.uab.es/?ch=4&com=tasks
"""
from __future__ import annotations

from pathlib import Path

from synthdoc.names import safe_join
from synthdoc.writers.exports import register_format
from synthdoc.writers.exports.common import int_points, new_file, write_image

DONT_CARE = "###"


def gt_lines(row: dict) -> list[str]:
    """The ground-truth lines of a dataset row, words in reading order."""
    words = row["words"]
    out = []
    for quad, text, ignore in zip(words["quad"], words["text"], words["ignore"]):
        pts = int_points(quad, row["width"], row["height"])
        out.append(",".join(str(v) for p in pts for v in p) + "," + (DONT_CARE if ignore else transcription(text)))
    return out


def transcription(text: str) -> str:
    """`text` as a transcription field: unchanged, or in double quotes with backslash escapes when it starts with
    one (module docstring)."""
    if not text.startswith('"'):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@register_format("icdar2015")
class Icdar2015Writer:
    """Writes the ICDAR 2015 export of rows added one by one.

    Args:
        out: export folder.
    """

    def __init__(self, out: Path):
        self.out = out
        self._written: list[Path] = []

    def add(self, split: str, row: dict) -> None:
        image = write_image(safe_join(self.out, split, "images", what="split"), row)
        gt = new_file(self.out / split / "gt", f"gt_{image.stem}.txt")
        gt.write_text("".join(line + "\n" for line in gt_lines(row)), encoding="utf-8")
        self._written.append(gt)

    def close(self) -> list[Path]:
        return self._written
