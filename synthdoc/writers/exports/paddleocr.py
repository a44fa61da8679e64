"""PaddleOCR export: text detection labels, recognition crops and labels, and a character dictionary.

* ``OUT/det_gt_<split>.txt``: one page per line, ``<split>/images/<id>.jpg\\t<JSON list>`` with one
  ``{"transcription": text, "points": [[x, y] x 4]}`` per text line (integer points clockwise from the
  top-left of the line's own frame); ``"###"`` for a line whose words are all to be ignored.
* ``OUT/rec_gt_<split>.txt``: ``<split>/crops/<id>_<line>.jpg\\t<text>`` per line, with the crops
  perspective-rectified from the line quads (:func:`synthdoc.geometry.crop_line`); a vertical column is
  turned 90 degrees counter-clockwise so its text runs left to right, as PaddleOCR's own inference does for
  tall crops (``get_rotate_crop_image`` in tools/infer/utility.py).
* ``OUT/dict.txt``: every character of the recognition labels except the space, one per line, in code point
  order (train with ``use_space_char: True``).

Format: https://github.com/PaddlePaddle/PaddleOCR/blob/main/docs/datasets/ocr_datasets.en.md
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from synthdoc.dataset import decode_image
from synthdoc.geometry import crop_line
from synthdoc.names import safe_join, safe_name
from synthdoc.writers.exports import register_format
from synthdoc.writers.exports.common import hierarchy, int_points, new_file, write_image

DONT_CARE = "###"
JPEG_QUALITY = 95


def det_items(row: dict) -> list[tuple[int, dict]]:
    """(line index, detection label item) of each line of a row, in reading order."""
    words, lines = row["words"], row["lines"]
    out = []
    for _, line_list in hierarchy(row):
        for li, word_ids in line_list:
            ignore = bool(word_ids) and all(words["ignore"][k] for k in word_ids)
            out.append((li, {"transcription": DONT_CARE if ignore else lines["text"][li],
                             "points": int_points(lines["quad"][li], row["width"], row["height"])}))
    return out


def line_crop(image: np.ndarray, quad, direction: str) -> np.ndarray:
    """(h, w, 3) uint8 RGB crop of one line, text running left to right (vertical columns turned CCW)."""
    crop = crop_line(image, np.asarray(quad, np.float32), direction)
    return np.ascontiguousarray(np.rot90(crop)) if direction == "ttb" else crop


@register_format("paddleocr")
class PaddleOcrWriter:
    """Writes the PaddleOCR export of rows added one by one.

    Args:
        out: export folder.
    """

    def __init__(self, out: Path):
        self.out = out
        self._files: dict = {}
        self._chars: set[str] = set()

    def _file(self, kind: str, split: str):
        key = (kind, split)
        if key not in self._files:
            self._files[key] = open(new_file(self.out, f"{kind}_gt_{safe_name(split, 'split')}.txt"), "w",
                                    encoding="utf-8")
        return self._files[key]

    def add(self, split: str, row: dict) -> None:
        image_path = write_image(safe_join(self.out, split, "images", what="split"), row)
        items = det_items(row)
        labels = json.dumps([item for _, item in items], ensure_ascii=False)
        self._file("det", split).write(f"{split}/images/{image_path.name}\t{labels}\n")
        image = decode_image(row)
        crops = self.out / split / "crops"
        crops.mkdir(parents=True, exist_ok=True)
        lines = row["lines"]
        for li, item in items:
            if item["transcription"] == DONT_CARE:
                continue
            crop = line_crop(image, lines["quad"][li], lines["direction"][li])
            name = f"{image_path.stem}_{li:04d}.jpg"
            ok, buf = cv2.imencode(".jpg", cv2.cvtColor(crop, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if not ok:
                raise RuntimeError(f"JPEG encoding of {name} failed")
            new_file(crops, name).write_bytes(buf.tobytes())
            self._file("rec", split).write(f"{split}/crops/{name}\t{item['transcription']}\n")
            self._chars.update(item["transcription"])

    def close(self) -> list[Path]:
        for f in self._files.values():
            f.close()
        chars = sorted(self._chars - {" "})
        (self.out / "dict.txt").write_text("".join(c + "\n" for c in chars), encoding="utf-8")
        return [Path(f.name) for f in self._files.values()] + [self.out / "dict.txt"]
