"""``synthdoc export --format doctr``: the files follow docTR's reference README (image shape, SHA-256 of the image
file, word polygons; one crop per word) and python-doctr's own DetectionDataset / RecognitionDataset load them
(skipped where python-doctr cannot be imported)."""
from __future__ import annotations

import hashlib
import json
import os

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest

from synthdoc.api import write_dataset
from synthdoc.config import GenerateConfig
from synthdoc.writers.exports import export_dataset

DOCTR_SKIP = ("python-doctr cannot be imported here ({}): it needs torchvision, and PyPI's torchvision wheels are "
              "CUDA builds that do not load next to the CPU torch, so it is not in the test extra")


@pytest.fixture(scope="module")
def rows_and_export(tmp_path_factory):
    """4 pages, seed 7: English toc + multi_column, Japanese vertical + toc (vertical words, ignored words)."""
    base = tmp_path_factory.mktemp("doctr")
    write_dataset(GenerateConfig(languages=["en", "ja"], pages=4, seed=7,
                                 layouts={"multi_column": 1, "vertical": 1, "toc": 1}), base / "ds")
    rows = {r["id"]: r for shard in sorted((base / "ds").glob("data/*/*.parquet"))
            for r in pq.read_table(shard).to_pylist()}
    assert any("ttb" in r["lines"]["direction"] for r in rows.values())
    assert any(any(r["words"]["ignore"]) for r in rows.values())
    summary = export_dataset(base / "ds", "doctr", base / "out")
    assert summary.pages == 4
    return rows, base / "out" / "train"


def test_detection_labels(rows_and_export):
    rows, out = rows_and_export
    labels = json.loads((out / "detection" / "labels.json").read_text(encoding="utf-8"))
    assert sorted(labels) == sorted(f"{rid}.jpg" for rid in rows)
    for name, label in labels.items():
        row = rows[name[:-4]]
        data = (out / "detection" / "images" / name).read_bytes()
        assert data == row["image"]["bytes"]
        assert label["img_hash"] == hashlib.sha256(data).hexdigest()
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert label["img_dimensions"] == list(img.shape[:2])
        keep = [q for q, ign in zip(row["words"]["quad"], row["words"]["ignore"]) if not ign]
        assert np.allclose(np.asarray(label["polygons"]), np.asarray(keep))


def test_recognition_labels(rows_and_export):
    rows, out = rows_and_export
    labels = json.loads((out / "recognition" / "labels.json").read_text(encoding="utf-8"))
    want = {f"{rid}_{k:05d}.jpg": t for rid, r in rows.items()
            for k, (t, ign) in enumerate(zip(r["words"]["text"], r["words"]["ignore"])) if not ign}
    assert labels == want
    vertical = 0
    for name in labels:
        rid, k = name[:-4].rsplit("_", 1)
        row = rows[rid]
        img = cv2.imread(str(out / "recognition" / "images" / name))
        assert img is not None and img.shape[0] > 2 and img.shape[1] > 2
        if row["lines"]["direction"][row["words"]["parent"][int(k)]] == "ttb" and len(labels[name]) > 2:
            vertical += 1
            assert img.shape[1] > img.shape[0], name  # a vertical word turned to run left to right
    assert vertical


LOADER = """
import sys
from doctr.datasets import DetectionDataset, RecognitionDataset
out = sys.argv[1]
det = DetectionDataset(out + "/detection/images", out + "/detection/labels.json", use_polygons=True)
s = det[0]
img, target = (s.image, s.target) if hasattr(s, "image") else s  # doctr >= 1.0 returns a Sample
boxes = sum(len(v) for v in target.values())
rec = RecognitionDataset(out + "/recognition/images", out + "/recognition/labels.json")
s = rec[0]
crop, text = (s.image, s.target) if hasattr(s, "image") else s
print("det", len(det), boxes, tuple(img.shape))
print("rec", len(rec), type(text).__name__, bool(text))
"""


def test_doctr_loads_both_sets(rows_and_export):
    """python-doctr's own loaders read both sets: here, or with the Python named by SYNTHDOC_DOCTR_PYTHON (an
    environment where doctr imports, e.g. with the CUDA torch and torchvision from PyPI)."""
    import subprocess
    import sys

    python = os.environ.get("SYNTHDOC_DOCTR_PYTHON")
    if not python:
        try:
            import doctr.datasets  # noqa: F401
        except ImportError as e:
            pytest.skip(DOCTR_SKIP.format(e) + "; or set SYNTHDOC_DOCTR_PYTHON to a Python where it does")
        python = sys.executable
    rows, out = rows_and_export
    proc = subprocess.run([python, "-c", LOADER, str(out)], capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr[-3000:]
    det, rec = (line.split() for line in proc.stdout.strip().splitlines()[-2:])
    assert det[0] == "det" and int(det[1]) == len(rows) and int(det[2]) > 0
    n = sum(1 for r in rows.values() for ign in r["words"]["ignore"] if not ign)
    assert rec[0] == "rec" and int(rec[1]) == n and rec[2] == "str" and rec[3] == "True"
