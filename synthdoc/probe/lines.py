"""Line crops of a synthdoc dataset for the probe recognizer, streamed from the Parquet shards.

Each line of a page becomes one :class:`LineSample`: the perspective-rectified crop of its quad
(:func:`synthdoc.geometry.crop_line`), turned 90° counter-clockwise when it is a vertical (``ttb``) column,
as PaddleOCR and the exports do, so that every crop reads left to right; converted to grey and scaled to a
fixed height with the aspect kept (the width capped). Words marked ``ignore`` (augmentation destroyed their
glyphs) are painted over with the paper colour before cropping and left out of the label; a line whose words
are all ignored is skipped.

Pages are read with pyarrow one record batch at a time (only the columns used), so a dataset of any size
streams in bounded memory. Pages are split into training and validation by a hash of the page id
(:func:`is_validation`), which does not depend on shard layout or worker count.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import cv2
import numpy as np
import pyarrow.parquet as pq

from synthdoc.ocr.metrics import NOT_SPACE_DELIMITED
from synthdoc.dataset import decode_image, open_dataset
from synthdoc.geometry import crop_line

#: Columns read from the shards (the image is decoded only for pages that are used).
COLUMNS = ["id", "image", "lang", "lines", "words"]
LABEL_COLUMNS = ["id", "lang", "lines", "words"]


@dataclass
class LineSample:
    """One line crop and its label.

    Attributes:
        image: (height_px, w) uint8 grey crop, reading left to right (vertical columns already turned).
        label: the line's text, NFC, without ignored words.
        lang: canonical language code (e.g. "eng_Latn"), or "und" when unknown.
        page_id: id of the page (or file) the line comes from.
        vertical: the line was a vertical (``ttb``) column.
    """

    image: np.ndarray
    label: str
    lang: str
    page_id: str
    vertical: bool = False


def normalise_crop(crop: np.ndarray, vertical: bool, height_px: int, max_width_px: int) -> np.ndarray:
    """Grey, left-to-right, fixed-height crop for the recognizer.

    Args:
        crop: (h, w, 3) uint8 RGB or (h, w) uint8 grey upright crop (a vertical column stays vertical).
        vertical: turn the crop 90° counter-clockwise (the column's top goes to the left).
        height_px: output height.
        max_width_px: width cap; a wider line is squeezed horizontally to this width.

    Returns:
        (height_px, w) uint8 grey, 1 <= w <= max_width_px, w = round(width * height_px / height) otherwise.
    """
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    if vertical:
        grey = cv2.rotate(grey, cv2.ROTATE_90_COUNTERCLOCKWISE)
    h, w = grey.shape[:2]
    new_w = int(min(max_width_px, max(1, round(w * height_px / max(1, h)))))
    interp = cv2.INTER_AREA if h > height_px else cv2.INTER_LINEAR
    return cv2.resize(grey, (new_w, height_px), interpolation=interp)


def is_validation(page_id: str, val_frac: float) -> bool:
    """Whether a page belongs to the validation split: the first 8 bytes of SHA-1(page id) as a fraction
    of 2**64 fall below `val_frac` (stable across runs, shard layouts and worker counts)."""
    h = int.from_bytes(hashlib.sha1(page_id.encode("utf-8")).digest()[:8], "big")
    return h / 2.0 ** 64 < val_frac


def line_labels(row: dict) -> list[tuple[int, str, list[int]]]:
    """(line index, label, ignored word indices) of every line of a page row that keeps a word.

    A line without ignored words keeps its own text; otherwise the label is its kept words joined by a
    space (no separator for languages written without spaces, :data:`NOT_SPACE_DELIMITED`). Lines whose
    words are all ignored, and empty labels, are left out. Labels are NFC.
    """
    lines, words = row["lines"], row.get("words") or {}
    parents = words.get("parent") or []
    ignore = words.get("ignore") or [False] * len(parents)
    by_line: dict[int, list[int]] = {}
    for w, p in enumerate(parents):
        by_line.setdefault(int(p), []).append(w)
    sep = "" if row.get("lang") in NOT_SPACE_DELIMITED else " "
    out = []
    for i, text in enumerate(lines["text"]):
        members = by_line.get(i, [])
        dropped = [w for w in members if ignore[w]]
        if members and len(dropped) == len(members):
            continue
        label = text if not dropped else sep.join(words["text"][w] for w in members if not ignore[w])
        label = unicodedata.normalize("NFC", label).strip()
        if label:
            out.append((i, label, dropped))
    return out


def mask_words(image: np.ndarray, line_quad: np.ndarray, word_quads: Sequence[np.ndarray]) -> np.ndarray:
    """A copy of `image` with each word quad filled with the median colour of the line quad's bbox outline.

    Args:
        image: (H, W, 3) uint8 RGB page.
        line_quad: (4, 2) float32, page pixels.
        word_quads: (4, 2) float32 quads of the words to hide, page pixels.

    Returns:
        (H, W, 3) uint8 RGB page.
    """
    out = image.copy()
    h, w = image.shape[:2]
    x0, y0 = np.clip(np.floor(line_quad.min(0)).astype(int), 0, [w - 1, h - 1])
    x1, y1 = np.clip(np.ceil(line_quad.max(0)).astype(int), 0, [w - 1, h - 1])
    box = image[y0:y1 + 1, x0:x1 + 1]
    border = np.concatenate([box[0], box[-1], box[:, 0], box[:, -1]])
    colour = [int(c) for c in np.median(border, axis=0)]
    for q in word_quads:
        cv2.fillConvexPoly(out, np.round(np.asarray(q)).astype(np.int32), colour)
    return out


def page_samples(row: dict, height_px: int, max_width_px: int) -> list[LineSample]:
    """Every usable line of a page row as a :class:`LineSample` (decodes the page image once)."""
    labelled = line_labels(row)
    if not labelled:
        return []
    image = decode_image(row)
    lines = row["lines"]
    directions = lines.get("direction") or ["ltr"] * len(lines["text"])
    word_quads = (row.get("words") or {}).get("quad") or []
    out = []
    for i, label, dropped in labelled:
        quad = np.asarray(lines["quad"][i], np.float32)
        page = mask_words(image, quad, [np.asarray(word_quads[w], np.float32) for w in dropped]) if dropped else image
        vertical = directions[i] == "ttb"
        crop = crop_line(page, quad, directions[i])
        out.append(LineSample(normalise_crop(crop, vertical, height_px, max_width_px), label,
                              str(row.get("lang") or "und"), str(row["id"]), vertical))
    return out


def row_group_units(dataset_dir: str | Path) -> list[tuple[Path, int]]:
    """(shard, row group) pairs of a dataset, in shard order: the units that loader workers share out.

    Raises:
        SynthdocError: the folder does not exist or holds no shards.
    """
    ds = open_dataset(dataset_dir, verify=False)  # manifest file set, row counts and ids checked; no hashing
    return [(Path(dataset_dir) / s.path, g) for s in ds.shards for g in range(ds.parquet_file(s).num_row_groups)]


def iter_rows(units: Iterable[tuple[Path, int]], columns: list[str], batch_rows: int = 8) -> Iterator[dict]:
    """Rows of the given (shard, row group) units, read with ``ParquetFile.iter_batches`` (`batch_rows`
    rows decoded at a time, only `columns`)."""
    for shard, group in units:
        pf = pq.ParquetFile(shard)
        for batch in pf.iter_batches(batch_size=batch_rows, row_groups=[group], columns=columns):
            yield from batch.to_pylist()


def iter_split_rows(units: Iterable[tuple[Path, int]], columns: list[str], val_frac: float,
                    validation: bool) -> Iterator[dict]:
    """Rows of one split: validation pages (:func:`is_validation`) when `validation`, else the others."""
    for row in iter_rows(units, columns):
        if is_validation(str(row["id"]), val_frac) == validation:
            yield row


def shuffled(items: Iterable, buffer: int, rng: np.random.Generator) -> Iterator:
    """Items in a seeded buffer-shuffled order: fill a buffer of `buffer` items, then emit a uniformly
    drawn one for each new item (as tf.data / webdataset shuffle); the rest at the end in random order."""
    buf: list = []
    for item in items:
        if len(buf) < buffer:
            buf.append(item)
            continue
        k = int(rng.integers(len(buf)))
        buf[k], item = item, buf[k]
        yield item
    for k in rng.permutation(len(buf)):
        yield buf[int(k)]
