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

DOCTR_SKIP = ("python-doctr cannot be imported here ({}): scripts/test.sh installs it with torchvision 0.16.2 "
              "(--no-deps) wherever the CPU torch is installed; PyPI's newer torchvision wheels fail to import beside "
              "the CPU torch ('RuntimeError: operator torchvision::nms does not exist')")


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
import json, sys
import numpy as np
from doctr.datasets import DetectionDataset, RecognitionDataset
out = sys.argv[1]
det = DetectionDataset(out + "/detection/images", out + "/detection/labels.json", use_polygons=True)
rec = RecognitionDataset(out + "/recognition/images", out + "/recognition/labels.json")
pages = {}
for i, (name, _) in enumerate(det.data):
    s = det[i]
    img, target = (s.image, s.target) if hasattr(s, "image") else s  # doctr >= 1.0 returns a Sample
    h, w = img.shape[-2:]  # CHW tensor; polygons relative to (w, h)
    polys = np.concatenate([np.asarray(v, np.float64).reshape(-1, 4, 2) for v in target.values()])
    pages[name] = {"hw": [int(h), int(w)], "polygons_px": (polys * [w, h]).tolist()}
texts = {}
for i, (name, _) in enumerate(rec.data):
    s = rec[i]
    crop, text = (s.image, s.target) if hasattr(s, "image") else s
    texts[name] = [text, int(crop.shape[-2]), int(crop.shape[-1])]
print(json.dumps({"det": pages, "rec": texts}))
"""


def test_doctr_loads_both_sets(rows_and_export):
    """python-doctr's own loaders read both sets: with this Python (CI: python-doctr 1.1.0 + torchvision 0.16.2 beside
    the CPU torch, scripts/test.sh), or the one named by SYNTHDOC_DOCTR_PYTHON."""
    import subprocess
    import sys

    python = os.environ.get("SYNTHDOC_DOCTR_PYTHON")
    if not python:  # probe in a child: importing torch here would start its threads in the forking test process
        python = sys.executable
        probe = subprocess.run([python, "-W", "ignore", "-c", "import doctr.datasets"], capture_output=True, text=True,
                               timeout=300, check=False)
        if probe.returncode:
            reason = (probe.stderr.strip().splitlines() or ["no error message"])[-1]
            pytest.skip(DOCTR_SKIP.format(reason) + "; or set SYNTHDOC_DOCTR_PYTHON to a Python where it does")
    rows, out = rows_and_export
    proc = subprocess.run([python, "-c", LOADER, str(out)], capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sorted(got["det"]) == sorted(f"{rid}.jpg" for rid in rows)
    for name, page in got["det"].items():  # doctr's polygons, back in pixels, are the unignored word quads
        row = rows[name[:-4]]
        assert page["hw"] == [row["height"], row["width"]]
        keep = [q for q, ign in zip(row["words"]["quad"], row["words"]["ignore"]) if not ign]
        assert np.allclose(np.asarray(page["polygons_px"]), np.asarray(keep), atol=0.01)
    want = {f"{rid}_{k:05d}.jpg": t for rid, r in rows.items()
            for k, (t, ign) in enumerate(zip(r["words"]["text"], r["words"]["ignore"])) if not ign}
    assert {name: v[0] for name, v in got["rec"].items()} == want
    assert all(v[1] > 2 and v[2] > 2 for v in got["rec"].values())
