"""Geometry types and helpers.

Conventions (DESIGN.md): page pixels, origin top-left, x right, y down, float32.
A quad is a (4, 2) float32 array of vertices, clockwise in image coordinates, vertex 0 the top-left
corner of the text's own frame (horizontal text: TL, TR, BR, BL; vertical ttb column: TR, BR, BL, TL).
A bbox is [x0, y0, x1, y1] float32 (xyxy), the tight axis-aligned box of a quad clipped to the page.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

Quad = npt.NDArray[np.float32]  # (4, 2) float32, page pixels
BBox = npt.NDArray[np.float32]  # (4,) float32, xyxy page pixels


def rect_quad(x0: float, y0: float, x1: float, y1: float, direction: str = "ltr") -> Quad:
    """Quad of an axis-aligned rectangle in the frame of text with `direction`.

    Args:
        x0, y0, x1, y1: rectangle in page pixels (x0 <= x1, y0 <= y1).
        direction: "ltr" or "rtl" (vertex order TL, TR, BR, BL) or "ttb" (TR, BR, BL, TL).

    Returns:
        (4, 2) float32 quad, page pixels.

    Raises:
        ValueError: unknown direction.
    """
    if direction in ("ltr", "rtl"):
        pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    elif direction == "ttb":
        pts = [(x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    else:
        raise ValueError(f"unknown direction {direction!r}; use ltr, rtl or ttb")
    return np.asarray(pts, dtype=np.float32)


def quad_to_bbox(quad: Quad, width: int | None = None, height: int | None = None) -> BBox:
    """Tight xyxy box of a (4, 2) quad, clipped to [0, width] x [0, height] when given.

    Returns:
        (4,) float32 [x0, y0, x1, y1], page pixels.
    """
    q = np.asarray(quad, dtype=np.float32)
    box = np.array([q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()], dtype=np.float32)
    if width is not None and height is not None:
        box = np.clip(box, 0, [width, height, width, height]).astype(np.float32)
    return box


def quads_to_bboxes(quads: np.ndarray, width: int, height: int) -> np.ndarray:
    """Vectorised :func:`quad_to_bbox`: (N, 4, 2) float32 -> (N, 4) float32 clipped to the page."""
    q = np.asarray(quads, dtype=np.float32).reshape(-1, 4, 2)
    boxes = np.concatenate([q.min(axis=1), q.max(axis=1)], axis=1)
    return np.clip(boxes, 0, [width, height, width, height]).astype(np.float32)


def union_quad(quads: list[Quad] | np.ndarray, direction: str = "ltr") -> Quad:
    """Axis-aligned quad enclosing all given quads, vertex order for `direction`.

    Raises:
        ValueError: no quads given.
    """
    q = np.asarray(quads, dtype=np.float32).reshape(-1, 2)
    if len(q) == 0:
        raise ValueError("union_quad needs at least one quad")
    return rect_quad(q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max(), direction)


def transform_quads(quads: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a 2x3 affine or 3x3 perspective matrix (page pixels -> page pixels) to (..., 2) points.

    Returns:
        float32 array of the same shape as `quads`.
    """
    q = np.asarray(quads, dtype=np.float32)
    pts = q.reshape(-1, 2).astype(np.float64)
    m = np.asarray(matrix, dtype=np.float64)
    ones = np.ones((len(pts), 1))
    hom = np.hstack([pts, ones]) @ (m.T if m.shape == (3, 3) else np.vstack([m, [0, 0, 1]]).T)
    out = hom[:, :2] / hom[:, 2:3]
    return out.reshape(q.shape).astype(np.float32)
