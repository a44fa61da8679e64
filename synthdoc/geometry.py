"""Geometry helpers below both writers/ and ocr/: perspective-rectified line crops from a page image and a line
quad (used by validation and the PaddleOCR export)."""
from __future__ import annotations

import cv2
import numpy as np


def crop_line(image: np.ndarray, quad: np.ndarray, direction: str, pad_px: int = 4) -> np.ndarray:
    """Cut one text line out of a page, rectified to an axis-aligned, upright crop.

    The quad is mapped onto a rectangle with cv2.getPerspectiveTransform / cv2.warpPerspective
    (bilinear). Horizontal lines ("ltr", "rtl"; quad TL, TR, BR, BL) give a crop |TR - TL| wide and
    |BL - TL| high. Vertical columns ("ttb"; quad TR, BR, BL, TL in the text's frame) give an upright
    crop, the column staying vertical: the page-space corners quad[3], quad[0], quad[1], quad[2] become the
    crop's top-left, top-right, bottom-right and bottom-left, so the crop is one column wide (across)
    and the column's length high (along). Only the quad's own pixels are sampled (neighbouring lines do
    not leak in); the crop is then padded by `pad_px` on every side with its border's median colour
    (the paper).

    Args:
        image: (H, W, 3) uint8 RGB page (any channel count works).
        quad: (4, 2) float32, page pixels, vertex order of `direction` (DESIGN.md).
        direction: "ltr", "rtl" or "ttb".
        pad_px: padding on each side, pixels.

    Returns:
        (h + 2 pad_px, w + 2 pad_px, C) uint8 crop; w, h = rounded side lengths, at least 1 pixel.

    Raises:
        ValueError: unknown direction or a quad that is not (4, 2).
    """
    q = np.asarray(quad, dtype=np.float32)
    if q.shape != (4, 2):
        raise ValueError(f"quad must be (4, 2), got {q.shape}")
    if direction in ("ltr", "rtl"):
        src = q
    elif direction == "ttb":
        src = q[[3, 0, 1, 2]]
    else:
        raise ValueError(f"unknown direction {direction!r}; use ltr, rtl or ttb")
    w = max(1, int(round(float(np.linalg.norm(src[1] - src[0])))))
    h = max(1, int(round(float(np.linalg.norm(src[3] - src[0])))))
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    crop = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if pad_px <= 0:
        return crop
    border = np.concatenate([crop[0], crop[-1], crop[:, 0], crop[:, -1]]).reshape(-1, *crop.shape[2:])
    colour = np.median(border, axis=0)
    value = [float(c) for c in np.atleast_1d(colour)]
    return cv2.copyMakeBorder(crop, pad_px, pad_px, pad_px, pad_px, cv2.BORDER_CONSTANT, value=value)
