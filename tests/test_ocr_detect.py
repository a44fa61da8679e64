"""Text detection with the bundled PP-OCRv6 detector and matching of detections to ground-truth line quads."""
from __future__ import annotations

import numpy as np
import pytest

from synthdoc.ocr.detect import boxes_from_map, match, order_clockwise, prepare_page, quad_iou


def _rect(x0, y0, x1, y1) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def test_quad_iou_of_overlapping_squares():
    a, b = _rect(0, 0, 10, 10), _rect(5, 0, 15, 10)
    iou, inside = quad_iou(a, b)
    assert iou == pytest.approx(50 / 150)
    assert inside == pytest.approx(0.5)
    assert quad_iou(a, a) == pytest.approx((1.0, 1.0))
    assert quad_iou(a, _rect(20, 20, 30, 30)) == (0.0, 0.0)
    assert quad_iou(a, a[::-1]) == pytest.approx((1.0, 1.0))  # vertex order does not matter
    assert quad_iou(a, _rect(3, 3, 3, 3)) == (0.0, 0.0)  # degenerate


def test_quad_iou_of_rotated_quad():
    sq = _rect(-1, -1, 1, 1)
    c, s = np.cos(np.pi / 4), np.sin(np.pi / 4)
    diamond = (sq @ np.array([[c, s], [-s, c]], np.float32)).astype(np.float32)
    inter = 4 * (np.sqrt(2) - 1) * 2  # regular octagon of the square and the rotated square (area 8(√2-1))
    iou, _ = quad_iou(sq, diamond)
    assert iou == pytest.approx(inter / (8 - inter), rel=1e-4)


def test_match_counts_lines_found_and_detections_without_label():
    gt = np.stack([_rect(0, 0, 100, 20), _rect(0, 30, 100, 50), _rect(0, 60, 100, 80)])
    det = np.stack([_rect(2, 1, 98, 19),      # matches line 0
                    _rect(0, 30, 40, 50),     # a third of line 1: IoU 0.4, but inside a label
                    _rect(0, 200, 50, 220),   # ink with no label
                    _rect(0, 25, 100, 85)])   # spans lines 1 and 2: no IoU >= 0.5, mostly labelled
    m = match(gt, det)
    assert m["gt_matched"].tolist() == [True, False, False]
    assert m["det_matched"].tolist() == [True, False, False, False]
    assert m["det_labelled"].tolist() == [True, True, False, True]
    empty = match(np.zeros((0, 4, 2), np.float32), det)
    assert empty["gt_matched"].shape == (0,) and not empty["det_matched"].any()


def test_order_clockwise_starts_top_left():
    pts = np.array([[10, 10], [0, 10], [10, 0], [0, 0]], np.float32)
    assert order_clockwise(pts).tolist() == [[0, 0], [10, 0], [10, 10], [0, 10]]


def test_prepare_page_shapes_and_scale():
    page = np.full((700, 500, 3), 255, np.uint8)
    page[..., 2] = 0  # RGB: no blue
    x = prepare_page(page)
    assert x.shape == (1, 3, 1024, 736)  # the shorter side scaled to 736, both sides multiples of 32
    assert np.allclose(x[0, 0], -1.0) and np.allclose(x[0, 1:], 1.0)  # BGR: blue channel first
    assert prepare_page(np.zeros((1184, 900, 3), np.uint8)).shape == (1, 3, 1184, 896)


def test_boxes_from_map_grows_rectangles_by_the_unclip_distance():
    prob = np.zeros((100, 200), np.float32)
    prob[40:50, 20:120] = 0.9  # a text kernel; the 2 x 2 dilation extends it to rows 40..50, columns 20..120
    quads = boxes_from_map(prob, 400, 200)  # the map is half the page size
    assert quads.shape == (1, 4, 2)
    w, h = 100.0, 10.0  # minimum-area rectangle of the dilated pixel centres, centred at (70, 45)
    d = w * h * 1.6 / (2 * (w + h))  # DB unclip distance: area x ratio / perimeter
    x0, x1, y0, y1 = 70 - w / 2 - d, 70 + w / 2 + d, 45 - h / 2 - d, 45 + h / 2 + d
    expected = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]) * 2
    assert np.allclose(quads[0], expected, atol=0.01)
    faint = np.zeros((100, 200), np.float32)
    faint[40:50, 20:120] = 0.35  # above the pixel threshold, below the box threshold
    assert boxes_from_map(faint, 400, 200).shape == (0, 4, 2)


@pytest.mark.slow
def test_detector_finds_the_lines_of_a_clean_page(tmp_path):
    import cv2
    import pyarrow.parquet as pq

    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig
    from synthdoc.ocr.detect import PPOCRDetector

    write_dataset(GenerateConfig(languages=["en", "ja"], pages=2, image_format="png", seed=3), tmp_path / "ds")
    detector = PPOCRDetector("cpu")
    for shard in sorted((tmp_path / "ds").glob("data/*/*.parquet")):
        row = pq.read_table(shard).to_pylist()[0]
        page = cv2.imdecode(np.frombuffer(row["image"]["bytes"], np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
        gt = np.asarray(row["lines"]["quad"], np.float32)
        found = match(gt, detector.detect(page))
        print(f"\n{row['lang']}: {len(gt)} lines, {len(found['det_matched'])} detections, "
              f"{found['gt_matched'].mean():.3f} matched")
        assert found["gt_matched"].mean() >= 0.9
        assert (~found["det_matched"]).mean() <= 0.1
        assert found["det_labelled"].all()
        shifted = match(gt + np.float32([0, 12]), detector.detect(page))  # labels off by half a line
        assert shifted["gt_matched"].mean() < 0.5
