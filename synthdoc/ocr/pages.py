"""Pages and line crops of a dataset folder written by ``synthdoc generate`` (for validation).

Shards are ``DIR/data/<config>/<split>-NNNNN-of-NNNNN.parquet`` with one row per page (DESIGN.md); each page
lives in exactly one language folder (the ``all`` config of the card is a glob over all of them). Rows are
read with pyarrow, one row group at a time, only the columns validation needs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
import pyarrow.parquet as pq

from synthdoc.errors import SynthdocError
from synthdoc.geometry import crop_line
from synthdoc.render.vertical import is_upright

COLUMNS = ["id", "image", "width", "height", "lang", "layout", "lines", "meta"]


def list_shards(dataset_dir: str | Path) -> list[Path]:
    """The dataset's Parquet shards, sorted by path.

    Raises:
        SynthdocError: the folder does not exist or holds no shards.
    """
    d = Path(dataset_dir)
    if not d.is_dir():
        raise SynthdocError(f"dataset folder {str(d)!r} does not exist; pass the folder given to `synthdoc generate --out`")
    shards = sorted(d.glob("data/*/*.parquet"))
    if not shards:
        raise SynthdocError(f"no Parquet shards under {d}/data; pass the folder given to `synthdoc generate --out`")
    return shards


def count_rows(shards: list[Path]) -> list[int]:
    """Rows per shard, from the Parquet footers (no data read)."""
    return [pq.ParquetFile(s).metadata.num_rows for s in shards]


def select_rows(counts: list[int], sample: int | None, seed: int = 0) -> list[np.ndarray]:
    """Which rows of each shard to validate.

    Args:
        counts: rows per shard.
        sample: number of pages drawn uniformly without replacement over the whole dataset with
            ``np.random.default_rng(seed)``; None (or >= the total) = every page.
        seed: seed of the draw.

    Returns:
        One sorted int64 array of row indices per shard.

    Raises:
        SynthdocError: sample < 1.
    """
    total = int(sum(counts))
    if sample is not None and sample < 1:
        raise SynthdocError(f"--sample must be a positive number of pages, got {sample}")
    if sample is None or sample >= total:
        return [np.arange(n, dtype=np.int64) for n in counts]
    picked = np.sort(np.random.default_rng(seed).choice(total, size=sample, replace=False))
    starts = np.concatenate([[0], np.cumsum(counts)])
    return [picked[(picked >= a) & (picked < b)] - a for a, b in zip(starts[:-1], starts[1:])]


def iter_rows(shards: list[Path], selected: list[np.ndarray], columns: list[str] | None = None) -> Iterator[dict]:
    """The selected rows as Python dicts, in shard order, reading one row group at a time.

    Args:
        shards: shard paths.
        selected: row indices per shard (:func:`select_rows`).
        columns: columns to read (default :data:`COLUMNS`).
    """
    for shard, rows in zip(shards, selected):
        if not len(rows):
            continue
        pf = pq.ParquetFile(shard)
        start = 0
        for g in range(pf.num_row_groups):
            n = pf.metadata.row_group(g).num_rows
            local = rows[(rows >= start) & (rows < start + n)] - start
            if len(local):
                table = pf.read_row_group(g, columns=columns or COLUMNS)
                yield from table.take(local).to_pylist()
            start += n


def decode_image(row: dict) -> np.ndarray:
    """(H, W, 3) uint8 RGB page from a row's encoded image bytes.

    Raises:
        SynthdocError: the bytes do not decode.
    """
    img = cv2.imdecode(np.frombuffer(row["image"]["bytes"], np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise SynthdocError(f"row {row.get('id')}: image bytes do not decode; the shard is damaged")
    return np.ascontiguousarray(img[:, :, ::-1])


def row_meta(row: dict) -> dict:
    """The row's ``meta`` JSON as a dict ({} when absent or not a JSON object)."""
    meta = row.get("meta")
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except ValueError:
            return {}
    return meta if isinstance(meta, dict) else {}


def augment_preset(meta: dict) -> str:
    """The augmentation preset of a page: ``meta["augment"]["preset"]``; "none" when the page records no
    augmentation, "custom" for a record without a preset name."""
    aug = meta.get("augment")
    if not aug:
        return "none"
    if isinstance(aug, dict):
        return str(aug["preset"]) if aug.get("preset") else "custom"
    return aug if isinstance(aug, str) else "custom"


def line_kind(label: str, direction: str) -> str:
    """"horizontal" (ltr / rtl), "vertical" (a ttb column whose characters are all upright) or
    "vertical_mixed" (a ttb column with sideways runs — Latin letters and digits turned 90° clockwise per
    Unicode Vertical_Orientation, UAX #50)."""
    if direction != "ttb":
        return "horizontal"
    return "vertical" if all(is_upright(c) for c in label) else "vertical_mixed"


@dataclass
class LineRef:
    """One ground-truth line of a page: where it is and what it says.

    Attributes:
        page: ordinal of the page in this validation run.
        index: line index in the row's ``lines`` (reading order).
        label: the line's text label.
        direction: "ltr", "rtl" or "ttb".
        quad: (4, 2) float32, page pixels.
    """

    page: int
    index: int
    label: str
    direction: str
    quad: np.ndarray

    @property
    def vertical(self) -> bool:
        return self.direction == "ttb"

    @property
    def kind(self) -> str:
        return line_kind(self.label, self.direction)


def page_lines(row: dict, page: int) -> list[LineRef]:
    """Every line of a row, in reading order."""
    lines = row["lines"]
    directions = lines.get("direction") or ["ltr"] * len(lines["text"])
    return [LineRef(page, i, text, d, np.asarray(q, np.float32))
            for i, (text, q, d) in enumerate(zip(lines["text"], lines["quad"], directions))]


def crop(image: np.ndarray, line: LineRef) -> np.ndarray:
    """The perspective-rectified, upright crop of `line` (:func:`synthdoc.geometry.crop_line`)."""
    return crop_line(image, line.quad, line.direction)
