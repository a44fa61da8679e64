"""Text detection with the bundled PP-OCRv6 DB detector, and matching detections to ground-truth lines.

Pre- and post-processing follow PaddleOCR's DB pipeline (``DetResizeForTest`` with ``limit_type="min"``,
``DBPostProcess``; Liao et al., "Real-time Scene Text Detection with Differentiable Binarization", AAAI 2020)
with the rapidocr 3.x defaults: the page is scaled so that its shorter side is at least 736 px, both sides
rounded to multiples of 32, BGR scaled to [-1, 1]; the probability map is thresholded at 0.3 and dilated
(2 x 2); every contour gives its minimum-area rectangle, kept when its mean probability is >= 0.5 and
grown ("unclipped") by d = area x 1.6 / perimeter on every side. For a rectangle, growing the polygon by d
with round joins (pyclipper in PaddleOCR) and taking the minimum-area rectangle again gives exactly the
rectangle grown by d, which is computed directly here.
"""
from __future__ import annotations

import cv2
import numpy as np

from synthdoc.ocr.onnx import bundled_model_path, session

LIMIT_SIDE_PX = 736
THRESH = 0.3
BOX_THRESH = 0.5
UNCLIP_RATIO = 1.6
MIN_SIDE_PX = 3
MAX_CANDIDATES = 1000


def prepare_page(image: np.ndarray) -> np.ndarray:
    """(1, 3, H', W') float32 BGR in [-1, 1] from an (H, W, 3) uint8 RGB page; H', W' multiples of 32, the
    shorter side scaled up to at least 736 px."""
    h, w = image.shape[:2]
    ratio = LIMIT_SIDE_PX / min(h, w) if min(h, w) < LIMIT_SIDE_PX else 1.0
    rh, rw = (max(32, int(round(int(s * ratio) / 32)) * 32) for s in (h, w))
    resized = cv2.resize(np.ascontiguousarray(image[:, :, ::-1]), (rw, rh), interpolation=cv2.INTER_LINEAR)
    return (resized.astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)[None]


def _box_score(prob: np.ndarray, box: np.ndarray) -> float:
    """Mean probability inside the polygon `box` ((4, 2) float32, map pixels)."""
    h, w = prob.shape
    x0, y0 = np.clip(np.floor(box.min(axis=0)).astype(int), 0, [w - 1, h - 1])
    x1, y1 = np.clip(np.ceil(box.max(axis=0)).astype(int), 0, [w - 1, h - 1])
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    cv2.fillPoly(mask, [np.round(box - [x0, y0]).astype(np.int32)], 1)
    return float(cv2.mean(prob[y0:y1 + 1, x0:x1 + 1], mask)[0])


def boxes_from_map(prob: np.ndarray, page_w: int, page_h: int) -> np.ndarray:
    """DB post-processing of one probability map.

    Args:
        prob: (h, w) float32 text probability map.
        page_w, page_h: page size the boxes are scaled to, pixels.

    Returns:
        (N, 4, 2) float32 quads in page pixels, clockwise from the top-left-most vertex.
    """
    mask = cv2.dilate((prob > THRESH).astype(np.uint8), np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    scale = np.array([page_w / prob.shape[1], page_h / prob.shape[0]], np.float32)
    quads = []
    for contour in contours[:MAX_CANDIDATES]:
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(contour)
        if min(rw, rh) < MIN_SIDE_PX or _box_score(prob, cv2.boxPoints(((cx, cy), (rw, rh), angle))) < BOX_THRESH:
            continue
        d = rw * rh * UNCLIP_RATIO / (2 * (rw + rh))
        if min(rw, rh) + 2 * d < MIN_SIDE_PX + 2:
            continue
        pts = cv2.boxPoints(((cx, cy), (rw + 2 * d, rh + 2 * d), angle)) * scale
        pts = np.clip(pts, 0, [page_w, page_h])
        quads.append(order_clockwise(pts))
    return np.asarray(quads, np.float32).reshape(-1, 4, 2)


def order_clockwise(pts: np.ndarray) -> np.ndarray:
    """(4, 2) points of a convex quad, clockwise in image coordinates (y down), starting at the vertex with the
    smallest x + y."""
    c = pts.mean(axis=0)
    order = np.argsort(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]))  # increasing angle = clockwise, y down
    ordered = pts[order]
    return np.roll(ordered, -int(np.argmin(ordered.sum(axis=1))), axis=0).astype(np.float32)


class PPOCRDetector:
    """The bundled PP-OCRv6 small text detector (one page per forward pass).

    Args:
        device: "cuda" or "cpu".
        threads: CPU intra-op threads (0 = onnxruntime's default).

    Raises:
        SynthdocError: rapidocr / onnxruntime missing, or CUDA asked for and unavailable.
    """

    def __init__(self, device: str = "cpu", threads: int = 0):
        self.model_path = bundled_model_path("det")
        self.session = session(self.model_path, device, threads)
        self._input = self.session.get_inputs()[0].name

    def detect(self, image: np.ndarray) -> np.ndarray:
        """Text boxes of a page.

        Args:
            image: (H, W, 3) uint8 RGB page.

        Returns:
            (N, 4, 2) float32 quads, page pixels.
        """
        prob = self.session.run(None, {self._input: prepare_page(image)})[0][0, 0]
        return boxes_from_map(prob, image.shape[1], image.shape[0])


def quad_iou(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Intersection over union of two convex quads, and the intersection over the area of `b`.

    Args:
        a, b: (4, 2) float32 convex quads, any vertex order that is a simple polygon.

    Returns:
        (IoU, intersection / area(b)), both in [0, 1]; (0, 0) for degenerate quads.
    """
    pa = cv2.convexHull(np.asarray(a, np.float32))
    pb = cv2.convexHull(np.asarray(b, np.float32))
    area_a, area_b = cv2.contourArea(pa), cv2.contourArea(pb)
    if area_a <= 0 or area_b <= 0:
        return 0.0, 0.0
    inter, _ = cv2.intersectConvexConvex(pa, pb)
    inter = max(0.0, float(inter))
    return inter / (area_a + area_b - inter), inter / area_b


def match(gt: np.ndarray, det: np.ndarray, iou_min: float = 0.5) -> dict[str, np.ndarray]:
    """Match detections to ground-truth line quads.

    Args:
        gt: (G, 4, 2) float32 ground-truth line quads.
        det: (D, 4, 2) float32 detected quads.
        iou_min: IoU at or above which a detection matches a line.

    Returns:
        "gt_matched": (G,) bool, some detection has IoU >= iou_min with the line;
        "det_matched": (D,) bool, the detection has IoU >= iou_min with some line;
        "det_labelled": (D,) bool, at least half the detection's area lies inside ground-truth lines
        (summed over lines, which do not overlap): False = ink with no label.
    """
    gt = np.asarray(gt, np.float32).reshape(-1, 4, 2)
    det = np.asarray(det, np.float32).reshape(-1, 4, 2)
    iou = np.zeros((len(gt), len(det)), np.float64)
    cover = np.zeros((len(gt), len(det)), np.float64)
    if len(gt) and len(det):
        g0, g1 = gt.min(axis=1), gt.max(axis=1)
        d0, d1 = det.min(axis=1), det.max(axis=1)
        overlap = ((np.minimum(g1[:, None], d1[None]) - np.maximum(g0[:, None], d0[None])) > 0).all(axis=2)
        for i, j in zip(*np.nonzero(overlap)):
            iou[i, j], cover[i, j] = quad_iou(gt[i], det[j])
    return {"gt_matched": (iou >= iou_min).any(axis=1), "det_matched": (iou >= iou_min).any(axis=0),
            "det_labelled": cover.sum(axis=0) >= 0.5}
