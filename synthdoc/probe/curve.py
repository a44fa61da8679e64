"""The learning-curve PNG: NED of each evaluation set against training steps and against lines seen, one
colour per set, solid for the first training dataset and dashed for the --compare one (drawn with OpenCV)."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

PALETTE = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14), (23, 190, 207)]
PANEL_W, PANEL_H, MARGIN = 520, 360, 56


def _axes(img: np.ndarray, x0: int, title: str, x_max: float, xlabel: str) -> None:
    y0, w, h = 40, PANEL_W - 2 * MARGIN, PANEL_H - 2 * MARGIN
    cv2.rectangle(img, (x0 + MARGIN, y0), (x0 + MARGIN + w, y0 + h), (0, 0, 0), 1)
    cv2.putText(img, title, (x0 + MARGIN, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    for k in range(6):
        v = k / 5
        y = int(y0 + h - v * h)
        cv2.line(img, (x0 + MARGIN - 4, y), (x0 + MARGIN, y), (0, 0, 0), 1)
        cv2.putText(img, f"{v:.1f}", (x0 + 14, y + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        xv = x_max * k / 5
        x = int(x0 + MARGIN + k / 5 * w)
        cv2.putText(img, f"{xv:.0f}", (x - 10, y0 + h + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 0), 1,
                    cv2.LINE_AA)
    cv2.putText(img, xlabel, (x0 + MARGIN + w // 2 - 30, y0 + h + 36), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (0, 0, 0), 1, cv2.LINE_AA)


def _polyline(img: np.ndarray, pts: list[tuple[int, int]], colour, dashed: bool) -> None:
    for a, b in zip(pts, pts[1:]):
        if dashed:
            n = max(1, int(np.hypot(b[0] - a[0], b[1] - a[1]) // 6))
            for j in range(0, n, 2):
                p = (int(a[0] + (b[0] - a[0]) * j / n), int(a[1] + (b[1] - a[1]) * j / n))
                q = (int(a[0] + (b[0] - a[0]) * (j + 1) / n), int(a[1] + (b[1] - a[1]) * (j + 1) / n))
                cv2.line(img, p, q, colour, 2, cv2.LINE_AA)
        else:
            cv2.line(img, a, b, colour, 2, cv2.LINE_AA)
    for p in pts:
        cv2.circle(img, p, 3, colour, -1, cv2.LINE_AA)


def draw_curves(runs: dict[str, list[dict]], path: str | Path) -> Path:
    """Write the learning-curve PNG.

    Args:
        runs: training-dataset label -> curve points [{"step", "lines_seen", "scores": {set: {"ned": ...}}}].
        path: output PNG path.

    Returns:
        The path written: a (PANEL_H + legend, 2 PANEL_W, 3) image, NED on [0, 1] against steps (left) and
        lines seen (right).
    """
    names = sorted({s for pts in runs.values() for p in pts for s in p["scores"]})
    legend_h = 22 * (len(names) * len(runs) + 1)
    img = np.full((PANEL_H + legend_h, 2 * PANEL_W, 3), 255, np.uint8)
    for panel, key, label in ((0, "step", "steps"), (1, "lines_seen", "training lines seen")):
        x_max = max([p[key] for pts in runs.values() for p in pts] + [1])
        _axes(img, panel * PANEL_W, f"NED vs {label}", x_max, label)
        w, h = PANEL_W - 2 * MARGIN, PANEL_H - 2 * MARGIN
        for r, pts in enumerate(runs.values()):
            for c, name in enumerate(names):
                xy = [(int(panel * PANEL_W + MARGIN + p[key] / x_max * w),
                       int(40 + h - min(1.0, p["scores"][name]["ned"]) * h)) for p in pts if name in p["scores"]]
                _polyline(img, xy, PALETTE[c % len(PALETTE)][::-1], dashed=r > 0)
    y = PANEL_H + 8
    for r, run in enumerate(runs):
        for c, name in enumerate(names):
            colour = PALETTE[c % len(PALETTE)][::-1]
            _polyline(img, [(MARGIN, y + 6), (MARGIN + 40, y + 6)], colour, dashed=r > 0)
            cv2.putText(img, f"eval {name}  (trained on {run})", (MARGIN + 50, y + 11), cv2.FONT_HERSHEY_SIMPLEX,
                        0.45, (0, 0, 0), 1, cv2.LINE_AA)
            y += 22
    out = Path(path)
    cv2.imwrite(str(out), img)
    return out
