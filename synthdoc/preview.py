"""Annotated previews: paragraph outlines dashed, line boxes shaded in their paragraph's colour,
reading-order arrows between consecutive lines, thin word boxes, drawn over the page image."""
from __future__ import annotations

import colorsys
from pathlib import Path
from typing import Iterable, Iterator

import cv2
import numpy as np

from synthdoc.dataset import decode_image, open_dataset
from synthdoc.errors import SynthdocError
from synthdoc.names import check_new_file, safe_join, safe_name


def _palette(i: int) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb((i * 0.618034) % 1.0, 0.85, 0.9)
    return int(r * 255), int(g * 255), int(b * 255)


def _dashed(img: np.ndarray, quad: np.ndarray, color: tuple, dash: int = 10) -> None:
    pts = np.asarray(quad, np.float64)
    for k in range(4):
        a, b = pts[k], pts[(k + 1) % 4]
        length = float(np.hypot(*(b - a)))
        steps = max(1, int(length // dash))
        for s in range(0, steps, 2):
            p0 = a + (b - a) * (s / steps)
            p1 = a + (b - a) * (min(s + 1, steps) / steps)
            cv2.line(img, tuple(np.round(p0).astype(int)), tuple(np.round(p1).astype(int)), color, 2, cv2.LINE_AA)


def draw_annotations(image: np.ndarray, row: dict) -> np.ndarray:
    """Draw the labels of a dataset row over its image.

    Args:
        image: (H, W, 3) uint8 RGB page.
        row: a dataset row (see synthdoc.writers.schema) with words / lines / paragraphs (and chars, drawn in
            orange, when present).

    Returns:
        (H, W, 3) uint8 RGB annotated copy.
    """
    out = image.copy()
    shade = out.copy()
    line_quads = [np.asarray(q, np.float32) for q in row["lines"]["quad"]]
    for q, parent in zip(line_quads, row["lines"]["parent"]):
        cv2.fillPoly(shade, [np.round(q).astype(np.int32)], _palette(parent))
    out = cv2.addWeighted(shade, 0.25, out, 0.75, 0)
    for q in (row.get("chars") or {}).get("quad", []):  # character boxes, when the row has them
        cv2.polylines(out, [np.round(np.asarray(q)).astype(np.int32)], True, (230, 120, 0), 1, cv2.LINE_AA)
    for q in row["words"]["quad"]:
        cv2.polylines(out, [np.round(np.asarray(q)).astype(np.int32)], True, (40, 40, 200), 1, cv2.LINE_AA)
    for i, q in enumerate(row["paragraphs"]["quad"]):
        _dashed(out, np.asarray(q), _palette(i))
    centres = [q.mean(axis=0) for q in line_quads]
    for a, b in zip(centres, centres[1:]):
        cv2.arrowedLine(out, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), (220, 30, 30), 2,
                        cv2.LINE_AA, tipLength=min(0.3, 15 / max(1.0, float(np.hypot(*(b - a))))))
    for q in line_quads:  # vertex 0 of each line: where its own frame starts
        cv2.circle(out, tuple(np.round(q[0]).astype(int)), 3, (0, 160, 0), -1, cv2.LINE_AA)
    return out


def dataset_rows(dataset_dir: str | Path, per_config: int, *, verify: bool = True) -> Iterator[dict]:
    """Up to `per_config` rows of each config of a written dataset, read through
    :func:`synthdoc.dataset.open_dataset` (checked against its manifest first).

    Raises:
        SynthdocError: `per_config` < 1, or the dataset does not open (see open_dataset).
    """
    if not isinstance(per_config, int) or isinstance(per_config, bool) or per_config < 1:
        raise SynthdocError(f"--pages must be a positive number of pages per config, got {per_config!r}")
    return _first_rows(open_dataset(dataset_dir, verify=verify), per_config)  # checked now, before any file


def _first_rows(ds, per_config: int) -> Iterator[dict]:
    for config in ds.configs:
        shards = [s for s in ds.shards if s.config == config]
        for n, (_, row) in enumerate(ds.iter_rows(shards=shards)):
            if n >= per_config:
                break
            yield row


def write_previews(rows: Iterable[dict], out_dir: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``<id>.png`` annotated previews for `rows` into `out_dir`.

    Args:
        rows: dataset rows (their ids must be safe file names, :func:`synthdoc.names.safe_name`).
        out_dir: folder for the PNGs (created).
        overwrite: replace existing ``<id>.png`` files (otherwise refused).

    Raises:
        SynthdocError: `out_dir` is not writable, an unsafe row id, or an existing PNG without `overwrite`.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SynthdocError(f"cannot create preview folder {str(out)!r}: {e.strerror}; choose a writable --out") from None
    paths = []
    for row in rows:
        img = draw_annotations(decode_image(row), row)
        p = check_new_file(safe_join(out, f"{safe_name(row.get('id'), 'row id')}.png", what="file name"),
                           overwrite)
        ok, buf = cv2.imencode(".png", img[:, :, ::-1])
        if not ok:
            raise SynthdocError(f"PNG encoding of the preview of {row.get('id')!r} failed")
        p.write_bytes(buf.tobytes())
        paths.append(p)
    return paths
