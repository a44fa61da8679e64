"""Pages and line crops of a dataset for validation: which rows to read, their lines, their crops.

The dataset itself is opened and read through :mod:`synthdoc.dataset` (one row group at a time, only
:data:`COLUMNS`); each page lives in exactly one language folder (the ``all`` config of the card is a glob
over all of them).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from synthdoc.dataset import decode_image  # noqa: F401  (re-exported for validation code)
from synthdoc.errors import SynthdocError
from synthdoc.geometry import crop_line
from synthdoc.render.vertical import is_upright

COLUMNS = ["id", "image", "width", "height", "lang", "layout", "lines", "meta"]


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
