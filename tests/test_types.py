"""synthdoc.types: quad vertex orders, boxes, unions and transforms (page pixels, float32)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from synthdoc.types import quad_to_bbox, quads_to_bboxes, rect_quad, transform_quads, union_quad


def test_rect_quad_vertex_order_per_direction():
    ltr = rect_quad(10, 20, 110, 50)
    assert ltr.dtype == np.float32 and ltr.tolist() == [[10, 20], [110, 20], [110, 50], [10, 50]]
    assert rect_quad(10, 20, 110, 50, "rtl").tolist() == ltr.tolist()
    # a ttb column: vertex 0 is the top-right corner, then down the right edge (text's own frame)
    assert rect_quad(10, 20, 40, 200, "ttb").tolist() == [[40, 20], [40, 200], [10, 200], [10, 20]]
    for q in (ltr, rect_quad(10, 20, 40, 200, "ttb")):  # clockwise in image coordinates (y down)
        x, y = q[:, 0].astype(float), q[:, 1].astype(float)
        assert 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) > 0
    with pytest.raises(ValueError, match="unknown direction 'btt'"):
        rect_quad(0, 0, 1, 1, "btt")


def test_boxes_are_tight_and_clipped_and_the_vectorised_form_agrees():
    rng = np.random.default_rng(0)
    quads = rng.uniform(-30, 130, size=(50, 4, 2)).astype(np.float32)
    boxes = quads_to_bboxes(quads, 100, 80)
    assert boxes.shape == (50, 4) and boxes.dtype == np.float32
    for q, b in zip(quads, boxes):
        assert np.array_equal(quad_to_bbox(q, 100, 80), b)
        assert b[0] <= b[2] and b[1] <= b[3] and b.min() >= 0 and b[2] <= 100 and b[3] <= 80
    q = np.array([[5, 7], [30, 2], [33, 40], [1, 35]], np.float32)
    assert quad_to_bbox(q).tolist() == [1, 2, 33, 40]  # unclipped without a page size


def test_union_quad_encloses_every_quad():
    parts = [rect_quad(10, 10, 20, 30), rect_quad(50, 5, 60, 15), rect_quad(30, 40, 35, 45)]
    assert union_quad(parts).tolist() == rect_quad(10, 5, 60, 45).tolist()
    assert union_quad(parts, "ttb").tolist() == rect_quad(10, 5, 60, 45, "ttb").tolist()
    with pytest.raises(ValueError, match="at least one quad"):
        union_quad([])


def test_transform_quads_matches_opencv_for_affine_and_perspective():
    quads = np.random.default_rng(1).uniform(0, 500, size=(6, 4, 2)).astype(np.float32)
    affine = cv2.getRotationMatrix2D((250, 250), 17.0, 0.9)
    expect = cv2.transform(quads.reshape(-1, 1, 2), affine).reshape(quads.shape)
    assert np.allclose(transform_quads(quads, affine), expect, atol=1e-3)
    src = np.float32([[0, 0], [500, 0], [500, 500], [0, 500]])
    persp = cv2.getPerspectiveTransform(src, np.float32([[10, 5], [480, 30], [470, 490], [20, 460]]))
    got = transform_quads(quads, persp)
    assert got.dtype == np.float32 and got.shape == quads.shape
    assert np.allclose(got, cv2.perspectiveTransform(quads.reshape(-1, 1, 2), persp).reshape(quads.shape), atol=1e-2)
    assert np.array_equal(transform_quads(quads, np.eye(3)), quads)
