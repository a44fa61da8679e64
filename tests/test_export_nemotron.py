"""``synthdoc export --format nemotron`` and ``synthdoc import --format nemotron``: the HDF5 layout of
nvidia/OCR-Synthetic-Multilingual-v1, read by a reader written from the dataset card alone (h5py + json), every
field with the documented dtype, and the synthdoc -> Nemotron -> synthdoc round trip exact for every label."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from synthdoc.api import write_dataset
from synthdoc.cli import main
from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.writers.exports import export_dataset
from synthdoc.writers.imports import import_dataset

h5py = pytest.importorskip("h5py")
QUALITY = 87


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """6 pages, seed 2: English, Japanese (vertical columns), Arabic (RTL); toc pages have ignored words."""
    out = tmp_path_factory.mktemp("nemo") / "ds"
    write_dataset(GenerateConfig(languages=["en", "ja", "ar"], pages=6, seed=2, jpeg_quality=QUALITY,
                                 layouts={"multi_column": 1, "vertical": 1, "toc": 1}), out)
    return out


@pytest.fixture(scope="module")
def rows(dataset):
    out = {}
    for shard in sorted(dataset.glob("data/*/*.parquet")):
        for row in pq.read_table(shard).to_pylist():
            out[row["id"]] = row
    assert any("ttb" in r["lines"]["direction"] for r in out.values())
    assert any("rtl" in r["lines"]["direction"] for r in out.values())
    return out


@pytest.fixture(scope="module")
def exported(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("nemo-export") / "h5"
    summary = export_dataset(dataset, "nemotron", out)
    return out, summary


def card_reader(folder: Path):
    """A reader written from the dataset card only: {lang}/{split}/*_NNN.h5 with six datasets."""
    for path in sorted(folder.glob("*/*/*.h5")):
        lang, split = path.parent.parent.name, path.parent.name
        with h5py.File(path, "r") as f:
            for i in range(len(f["images"])):
                yield lang, split, path.name, {
                    "image": bytes(f["images"][i]), "annotation": json.loads(f["annotations"][i]),
                    "hw": f["dimensions"][i].tolist(), "label": f["labels"][i].decode("utf-8"),
                    "quality": int(f["qualities"][i]), "sample_id": int(f["sample_ids"][i])}


def test_files_and_dtypes(exported, rows):
    out, summary = exported
    assert summary.pages == len(rows) == 6
    files = sorted(out.glob("*/*/*.h5"))
    assert {p.parent.parent.name for p in files} == {"en", "ja", "arb_Arab"}  # card folders, else the code
    assert all(p.parent.name == "train" and re.fullmatch(r"train_\d{3}\.h5", p.name) for p in files)
    with h5py.File(files[0], "r") as f:
        assert set(f) == {"images", "annotations", "dimensions", "labels", "qualities", "sample_ids"}
        n = f["images"].shape[0]
        assert h5py.check_vlen_dtype(f["images"].dtype) == np.uint8
        assert h5py.check_string_dtype(f["annotations"].dtype).encoding == "utf-8"
        assert h5py.check_string_dtype(f["labels"].dtype).encoding == "utf-8"
        assert f["dimensions"].dtype == np.int32 and f["dimensions"].shape == (n, 2)
        assert f["qualities"].dtype == np.int32 and f["qualities"].shape == (n,)
        assert f["sample_ids"].dtype == np.int64 and f["sample_ids"].shape == (n,)


def test_card_reader_sees_the_labels(exported, rows):
    out, _ = exported
    by_index = {r["index"]: r for r in rows.values()}
    seen = 0
    for _, _, _, s in card_reader(out):
        row = by_index[s["sample_id"]]
        seen += 1
        assert s["image"] == row["image"]["bytes"]  # JPEG copied byte for byte
        assert s["hw"] == [row["height"], row["width"]]
        assert s["label"] == row["text"]
        assert s["quality"] == QUALITY  # read back from the quantisation tables
        ann = s["annotation"]
        words, lines, graph = row["words"], row["lines"], row["relation_graph"]
        assert [w["text"] for w in ann["word_bboxes"]] == words["text"]
        for w, q, b in zip(ann["word_bboxes"], words["quad"], words["bbox"]):
            assert np.allclose(w["quad"], q) and np.allclose(w["bbox"], [b[0], b[1], b[2] - b[0], b[3] - b[1]])
        assert ann["relation_graph"] == [[graph["line_words"][li] for li in ls] for ls in graph["paragraph_lines"]]
        flat = [w for para in ann["relation_graph"] for line in para for w in line]
        assert flat == list(range(len(words["text"])))
        for li, e in enumerate(ann["line_bboxes"]):
            p = lines["parent"][li]
            assert e["para_idx"] == p and e["line_idx"] == graph["paragraph_lines"][p].index(li)
            assert e["word_indices"] == graph["line_words"][li]
            assert e["text"] == lines["text"][li]
        assert [p["text"] for p in ann["para_bboxes"]] == row["paragraphs"]["text"]
    assert seen == len(rows)


def test_word_quads_run_along_the_reading_direction(exported, rows):
    """Edge 0 -> 1 of every word quad points down a vertical column and across a horizontal line."""
    out, _ = exported
    by_index = {r["index"]: r for r in rows.values()}
    checked = set()
    for _, _, _, s in card_reader(out):
        row, ann = by_index[s["sample_id"]], s["annotation"]
        for li, e in enumerate(ann["line_bboxes"]):
            direction = row["lines"]["direction"][li]
            for k in e["word_indices"]:
                q = np.asarray(ann["word_bboxes"][k]["quad"])
                dx, dy = q[1] - q[0]
                if direction == "ttb":
                    assert dy > abs(dx), (direction, q.tolist())
                else:
                    assert dx > abs(dy), (direction, q.tolist())
                checked.add(direction)
    assert checked == {"ltr", "rtl", "ttb"}


def test_round_trip_is_exact(exported, rows, tmp_path):
    out, _ = exported
    back = tmp_path / "back"
    summary = import_dataset(out, back, "nemotron")
    assert summary.pages == len(rows)
    got = {}
    for shard in back.glob("data/*/*.parquet"):
        for row in pq.read_table(shard).to_pylist():
            got[row["id"]] = row
    assert set(got) == set(rows)
    for rid, row in rows.items():
        assert got[rid] == row, rid  # every column: image bytes, words, lines, paragraphs, graph, meta
    assert (back / "README.md").exists() and (back / "synthdoc-manifest.json").exists()


@pytest.fixture(scope="module")
def with_chars_and_masks(tmp_path_factory):
    """4 pages with the optional columns: chars and 16-bit word-instance masks (Japanese vertical, Thai)."""
    base = tmp_path_factory.mktemp("nemo-chars")
    write_dataset(GenerateConfig(languages=["ja", "th"], pages=4, seed=5, mask="words",
                                 labels=["words", "lines", "paragraphs", "chars"],
                                 layouts={"multi_column": 1, "vertical": 1}), base / "ds")
    rows = {r["id"]: r for shard in sorted((base / "ds").glob("data/*/*.parquet"))
            for r in pq.read_table(shard).to_pylist()}
    assert all(r["chars"] is not None and r["mask"] is not None for r in rows.values())
    export_dataset(base / "ds", "nemotron", base / "h5")
    return rows, base / "h5"


def test_chars_and_masks_are_exported(with_chars_and_masks):
    """``char_bboxes`` holds the chars level in word_bboxes' style; the extra ``masks`` dataset the PNG bytes."""
    import cv2

    rows, out = with_chars_and_masks
    seen = 0
    for path in sorted(out.glob("*/*/*.h5")):
        with h5py.File(path, "r") as f:
            assert h5py.check_vlen_dtype(f["masks"].dtype) == np.uint8
            assert f["masks"].shape == f["images"].shape
            for i in range(len(f["images"])):
                ann = json.loads(f["annotations"][i])
                row = rows[ann["synthdoc"]["id"]]
                assert bytes(f["masks"][i]) == row["mask"]
                mask = cv2.imdecode(np.frombuffer(bytes(f["masks"][i]), np.uint8), cv2.IMREAD_UNCHANGED)
                assert mask.dtype == np.uint16 and mask.shape == (row["height"], row["width"])
                chars = ann["char_bboxes"]
                assert [c["text"] for c in chars] == row["chars"]["text"]
                assert [c["word_idx"] for c in chars] == row["chars"]["parent"]
                assert np.allclose([c["quad"] for c in chars], row["chars"]["quad"])
                for k, word in enumerate(ann["word_bboxes"]):
                    assert "".join(c["text"] for c in chars if c["word_idx"] == k) == word["text"]
                seen += 1
    assert seen == len(rows)


def test_round_trip_keeps_chars_and_masks(with_chars_and_masks, tmp_path):
    rows, out = with_chars_and_masks
    import_dataset(out, tmp_path / "back", "nemotron")
    got = {r["id"]: r for shard in (tmp_path / "back").glob("data/*/*.parquet")
           for r in pq.read_table(shard).to_pylist()}
    assert set(got) == set(rows)
    for rid, row in rows.items():
        assert got[rid] == row, rid  # chars (text, quad, bbox, parent) and mask bytes included


def test_import_of_card_only_files_infers_the_rest(tmp_path):
    """A file as the released dataset has it (no synthdoc record): ids, directions and defaults filled in."""
    import cv2

    _, jpg = cv2.imencode(".jpg", np.full((40, 60, 3), 255, np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 100])
    quad_h = [[2, 2], [20, 2], [20, 10], [2, 10]]
    quad_v = [[50, 2], [50, 30], [42, 30], [42, 2]]  # a vertical column: TR, BR, BL, TL
    ann = {"word_bboxes": [{"text": "ab", "bbox": [2, 2, 18, 8], "quad": quad_h},
                           {"text": "縦", "bbox": [42, 2, 8, 28], "quad": quad_v}],
           "line_bboxes": [{"text": "ab", "bbox": [2, 2, 18, 8], "quad": quad_h, "para_idx": 0, "line_idx": 0,
                            "word_indices": [0]},
                           {"text": "縦", "bbox": [42, 2, 8, 28], "quad": quad_v, "para_idx": 1, "line_idx": 0,
                            "word_indices": [1]}],
           "para_bboxes": [{"text": "ab", "bbox": [2, 2, 18, 8], "quad": quad_h},
                           {"text": "縦", "bbox": [42, 2, 8, 28], "quad": quad_v}],
           "relation_graph": [[[0]], [[1]]]}
    src = tmp_path / "nemo" / "ja" / "test"
    src.mkdir(parents=True)
    with h5py.File(src / "test_000.h5", "w") as f:
        f.create_dataset("images", data=np.array([np.void(jpg.tobytes())]))  # opaque bytes: also accepted
        f.create_dataset("annotations", data=[json.dumps(ann)], dtype=h5py.string_dtype())
        f.create_dataset("dimensions", data=[[40, 60]])
        f.create_dataset("labels", data=["ab\n縦"], dtype=h5py.string_dtype())
        f.create_dataset("qualities", data=[100])
        f.create_dataset("sample_ids", data=[42])
    assert main(["import", str(tmp_path / "nemo"), "--format", "nemotron", "--out", str(tmp_path / "ds")]) == 0
    (row,) = pq.read_table(next((tmp_path / "ds").glob("data/jpn_Jpan/test-*.parquet"))).to_pylist()
    assert row["id"] == "nemotron-jpn_Jpan-000000042" and row["lang"] == "jpn_Jpan" and row["index"] == 42
    assert row["lines"]["direction"] == ["ltr", "ttb"]
    assert row["words"]["bbox"] == [[2, 2, 20, 10], [42, 2, 50, 30]]
    assert row["relation_graph"] == {"paragraph_lines": [[0], [1]], "line_words": [[0], [1]]}
    assert json.loads(row["meta"])["source"] == "nemotron"
    assert row["chars"] is None and row["mask"] is None  # the released files have neither


def test_import_errors(tmp_path, exported, capsys):
    out, _ = exported
    with pytest.raises(SynthdocError, match="no <language>/<split>/\\*.h5"):
        import_dataset(tmp_path, tmp_path / "x", "nemotron")
    with pytest.raises(SynthdocError, match="no split 'test'"):
        import_dataset(out, tmp_path / "y", "nemotron", split="test")
    import_dataset(out, tmp_path / "z", "nemotron")
    assert main(["import", str(out), "--format", "nemotron", "--out", str(tmp_path / "z")]) == 2
    assert "already holds a dataset" in capsys.readouterr().err
