"""Geometry checks shared by the layout tests (imported as a plain module: pytest puts tests/ on sys.path)."""
import numpy as np


def max_box_overlap(items) -> float:
    """Largest intersection area (px²) between the axis-aligned boxes of two different items.

    Args:
        items: (N, 4, 2) quads or (N, 4) xyxy boxes, page pixels.
    """
    a = np.asarray(items, np.float64)
    if len(a) < 2:
        return 0.0
    lo, hi = (a.min(axis=1), a.max(axis=1)) if a.ndim == 3 else (a[:, :2], a[:, 2:])
    w = np.minimum(hi[:, None, 0], hi[None, :, 0]) - np.maximum(lo[:, None, 0], lo[None, :, 0])
    h = np.minimum(hi[:, None, 1], hi[None, :, 1]) - np.maximum(lo[:, None, 1], lo[None, :, 1])
    area = np.clip(w, 0, None) * np.clip(h, 0, None)
    np.fill_diagonal(area, 0)
    return float(area.max())
