"""What every export shares: the rows of a written dataset, image files, integer polygons."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow.parquet as pq

from synthdoc.errors import SynthdocError
from synthdoc.writers.parquet import SHARD_NAME_RE

BATCH_ROWS = 16
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def dataset_shards(dataset_dir: str | Path) -> list[tuple[str, Path]]:
    """(split, path) of every shard ``data/<config>/<split>-NNNNN-of-NNNNN.parquet``, sorted by path.

    Raises:
        SynthdocError: the folder holds no shards.
    """
    found = []
    for path in sorted(Path(dataset_dir).glob("data/*/*.parquet")):
        m = SHARD_NAME_RE.fullmatch(path.name)
        if m:
            found.append((m["split"], path))
    if not found:
        raise SynthdocError(f"no Parquet shards under {dataset_dir}/data; pass the folder given to "
                            "`synthdoc generate --out`")
    return found


def iter_rows(shards: list[tuple[str, Path]]) -> Iterator[tuple[str, dict]]:
    """(split, row) of every row of `shards`, in shard and row order (rows as in synthdoc.writers.schema)."""
    for split, path in shards:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
            for row in batch.to_pylist():
                yield split, row


def image_name(row: dict) -> str:
    """File name of a row's image: ``<id>.jpg`` or ``<id>.png`` (by the image's own signature)."""
    return f"{row['id']}.{'png' if row['image']['bytes'].startswith(PNG_SIGNATURE) else 'jpg'}"


def write_image(folder: Path, row: dict) -> Path:
    """Write a row's encoded image bytes unchanged to `folder`; returns the file path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / image_name(row)
    path.write_bytes(row["image"]["bytes"])
    return path


def int_points(quad, width: int, height: int) -> list[list[int]]:
    """A polygon as integer pixel points, rounded and clipped to the image.

    Args:
        quad: (N, 2) floats, page pixels.
        width, height: image size in pixels.

    Returns:
        N [x, y] ints with 0 <= x < width, 0 <= y < height (vertex order kept).
    """
    q = np.rint(np.asarray(quad, np.float64))
    q[:, 0] = np.clip(q[:, 0], 0, width - 1)
    q[:, 1] = np.clip(q[:, 1], 0, height - 1)
    return q.astype(int).tolist()


def hierarchy(row: dict) -> list[tuple[int, list[tuple[int, list[int]]]]]:
    """Reading-order tree of a row: [(paragraph, [(line, [word, ...]), ...]), ...] from its relation graph."""
    graph = row["relation_graph"]
    return [(p, [(li, list(graph["line_words"][li])) for li in lines])
            for p, lines in enumerate(graph["paragraph_lines"])]
