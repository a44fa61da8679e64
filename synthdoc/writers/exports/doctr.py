"""docTR export: the detection and recognition training sets of docTR's references
(https://github.com/mindee/doctr/tree/main/references/detection and .../recognition), read by
``doctr.datasets.DetectionDataset(img_folder, label_path, use_polygons=True)`` and ``RecognitionDataset``.

* ``OUT/<split>/detection/images/<id>.jpg`` (or ``.png``): the page images, copied byte for byte;
  ``OUT/<split>/detection/labels.json``: ``{"<id>.jpg": {"img_dimensions": [H, W], "img_hash": "<SHA-256 hex of
  the image file>", "polygons": [[[x, y] x 4] per word]}}`` with float page-pixel points in synthdoc's quad order
  (clockwise from the top-left of the word's own frame; docTR does not depend on the order). ``img_dimensions``
  is the image's spatial shape (height, width), as docTR's reference README describes it.
* ``OUT/<split>/recognition/images/<id>_<word>.jpg``: one perspective-rectified crop per word
  (:func:`synthdoc.geometry.crop_line` on the word quad; words of vertical columns turned 90 degrees
  counter-clockwise so the text runs left to right, as for the PaddleOCR export);
  ``OUT/<split>/recognition/labels.json``: ``{"<id>_<word>.jpg": "<word text>"}``.

Words flagged ``ignore`` (don't care, e.g. toc dot leaders) are left out of both sets: docTR has no don't-care
class.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2

from synthdoc.dataset import decode_image
from synthdoc.names import safe_join, safe_name
from synthdoc.writers.exports import register_format
from synthdoc.writers.exports.common import new_file, write_image
from synthdoc.writers.exports.paddleocr import line_crop

JPEG_QUALITY = 95


def detection_label(row: dict, image_bytes: bytes) -> dict:
    """docTR detection label of a row: image shape (H, W), SHA-256 of the image file, word polygons."""
    words = row["words"]
    polygons = [[[float(x), float(y)] for x, y in q] for q, ign in zip(words["quad"], words["ignore"]) if not ign]
    return {"img_dimensions": [row["height"], row["width"]], "img_hash": hashlib.sha256(image_bytes).hexdigest(),
            "polygons": polygons}


@register_format("doctr")
class DoctrWriter:
    """Writes the docTR export of rows added one by one (labels.json files written at close).

    Args:
        out: export folder.
    """

    def __init__(self, out: Path):
        self.out = out
        self._det: dict[str, dict] = {}
        self._rec: dict[str, dict] = {}

    def add(self, split: str, row: dict) -> None:
        det = safe_join(self.out, split, what="split") / "detection"
        path = write_image(det / "images", row)
        self._det.setdefault(split, {})[path.name] = detection_label(row, row["image"]["bytes"])
        rec_dir = self.out / split / "recognition" / "images"
        rec_dir.mkdir(parents=True, exist_ok=True)
        rec = self._rec.setdefault(split, {})
        image = decode_image(row)
        words, lines = row["words"], row["lines"]
        for k, (text, quad, ignore) in enumerate(zip(words["text"], words["quad"], words["ignore"])):
            if ignore:
                continue
            crop = line_crop(image, quad, lines["direction"][words["parent"][k]])
            name = f"{safe_name(row['id'], 'row id')}_{k:05d}.jpg"
            ok, buf = cv2.imencode(".jpg", cv2.cvtColor(crop, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if not ok:
                raise RuntimeError(f"JPEG encoding of {name} failed")
            new_file(rec_dir, name).write_bytes(buf.tobytes())
            rec[name] = text

    def close(self) -> list[Path]:
        written = []
        for kind, labels in (("detection", self._det), ("recognition", self._rec)):
            for split, items in labels.items():
                path = new_file(safe_join(self.out, split, kind, what="split"), "labels.json")
                path.write_text(json.dumps(items, ensure_ascii=False, indent=0), encoding="utf-8")
                written.append(path)
        return written
