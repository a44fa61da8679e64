"""What every export shares: the rows of a written dataset, image files, integer polygons."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from synthdoc.names import check_new_file, safe_join, safe_name

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def row_id(row: dict) -> str:
    """The row's id, checked to be a safe file name (:func:`synthdoc.names.safe_name`).

    Raises:
        SynthdocError: an id such as ``../../x`` or ``/etc/x`` (a damaged or hostile dataset).
    """
    return safe_name(row.get("id"), "row id")


def image_name(row: dict) -> str:
    """File name of a row's image: ``<id>.jpg`` or ``<id>.png`` (by the image's own signature).

    Raises:
        SynthdocError: the id is not a safe file name.
    """
    return f"{row_id(row)}.{'png' if row['image']['bytes'].startswith(PNG_SIGNATURE) else 'jpg'}"


def new_file(folder: Path, name: str) -> Path:
    """``folder/name`` for a file the export creates: `name` must be safe and the file must not exist yet
    (two rows with one id would otherwise overwrite each other).

    Raises:
        SynthdocError: an unsafe name or an existing file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    return check_new_file(safe_join(folder, name, what="file name"), overwrite=False)


def write_image(folder: Path, row: dict) -> Path:
    """Write a row's encoded image bytes unchanged to `folder`; returns the file path.

    Raises:
        SynthdocError: the row id is not a safe file name, or its image file exists already.
    """
    path = new_file(folder, image_name(row))
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
