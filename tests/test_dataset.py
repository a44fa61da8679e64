"""Tests for the written dataset: Hugging Face layout, typed columns through ``datasets.load_dataset``,
the dataset card, shard names, no leftover temporary files; compatibility with datasets 3.6 (opt-in)."""
from __future__ import annotations

import os
import re
import subprocess
import textwrap

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

LANGS = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")
SHARD_RE = re.compile(r"train-\d{5}-of-\d{5}\.parquet")


@pytest.fixture(scope="module")
def ds_dir(session_dataset):
    return session_dataset[0]


@pytest.fixture(scope="module")
def card(ds_dir):
    text = (ds_dir / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    header = text.split("\n---\n", 1)[0][4:]
    return yaml.safe_load(header), text


@pytest.fixture(scope="module")
def load():
    assert os.environ.get("HF_DATASETS_OFFLINE") == "1"  # set by conftest before datasets is imported
    import datasets

    def _load(ds_dir, config):
        return datasets.load_dataset(str(ds_dir), config, split="train")

    return _load


def test_summary(session_dataset):
    out, summary = session_dataset
    assert summary.pages == 12
    assert summary.shards == 6
    assert summary.counts == {c: 2 for c in LANGS}
    assert "wrote 12 pages in 6 shards" in summary.line()


def test_shard_layout_and_names(ds_dir):
    shards = sorted(ds_dir.glob("data/*/*.parquet"))
    assert sorted({s.parent.name for s in shards}) == sorted(LANGS)
    for s in shards:
        assert SHARD_RE.fullmatch(s.name), s.name
    assert all(len(list((ds_dir / "data" / c).iterdir())) == 1 for c in LANGS)
    assert (ds_dir / "data" / "jpn_Jpan" / "train-00000-of-00001.parquet").exists()


def test_no_temporary_files_remain(ds_dir):
    leftovers = [p for p in ds_dir.rglob("*") if p.name.startswith(".") or p.name.endswith((".tmp", ".part"))]
    assert leftovers == []
    assert {p.name for p in ds_dir.iterdir()} == {"README.md", "data", "synthdoc-manifest.json"}


def test_parquet_rows_per_config(ds_dir):
    for code in LANGS:
        (shard,) = (ds_dir / "data" / code).glob("*.parquet")
        t = pq.read_table(shard)
        assert t.num_rows == 2
        assert set(t.column("lang").to_pylist()) == {code}
        idx = t.column("index").to_pylist()
        assert idx == sorted(idx)
        assert all(LANGS[i % 6] == code for i in idx)
        assert set(t.column("seed").to_pylist()) == {3}
        meta = t.schema.metadata or {}
        assert b"huggingface" in meta  # features travel with the file


def test_card_configs(card):
    header, text = card
    names = [c["config_name"] for c in header["configs"]]
    assert set(names) == set(LANGS) | {"all"}
    for c in header["configs"]:
        (df,) = c["data_files"]
        assert df["split"] == "train"
        assert df["path"] == ("data/*/train-*.parquet" if c["config_name"] == "all" else f"data/{c['config_name']}/train-*.parquet")
    info = {d["config_name"]: d for d in header["dataset_info"]}
    assert set(info) == set(names)
    assert info["all"]["splits"][0]["num_examples"] == 12
    assert all(info[c]["splits"][0]["num_examples"] == 2 for c in LANGS)
    feature_names = [f["name"] for f in info["all"]["features"]]
    assert feature_names[:2] == ["id", "image"]
    assert {"words", "lines", "paragraphs", "relation_graph", "meta"} <= set(feature_names)
    for c in LANGS:
        assert f"| {c} | 2 |" in text


def test_card_splits_are_complete(card):
    header, _ = card
    for d in header["dataset_info"]:
        for s in d["splits"]:
            assert {"name", "num_examples", "num_bytes"} <= set(s)


@pytest.mark.parametrize("config, n", [("jpn_Jpan", 2), ("eng_Latn", 2), ("all", 12)])
def test_load_dataset_row_counts(ds_dir, load, config, n):
    ds = load(ds_dir, config)
    assert ds.num_rows == n
    if config != "all":
        assert set(ds["lang"]) == {config}
    else:
        assert sorted(ds["lang"]) == sorted(LANGS * 2)


def test_load_dataset_typed_columns(ds_dir, load):
    import datasets
    from PIL import Image

    ds = load(ds_dir, "jpn_Jpan")
    assert isinstance(ds.features["image"], datasets.Image)
    row = ds[0]
    img = row["image"]
    assert isinstance(img, Image.Image)
    assert img.size == (row["width"], row["height"])
    assert row["lang"] == "jpn_Jpan"
    assert row["text"] == "\n".join(row["lines"]["text"])

    npds = ds.with_format("numpy")
    for r in npds:
        for level in ("words", "lines", "paragraphs"):
            q = r[level]["quad"]
            b = r[level]["bbox"]
            n = len(r[level]["text"])
            assert isinstance(q, np.ndarray) and q.dtype == np.float32 and q.shape == (n, 4, 2), (level, q.shape)
            assert isinstance(b, np.ndarray) and b.dtype == np.float32 and b.shape == (n, 4), (level, b.shape)
            # bbox is the tight xyxy box of the quad, clipped to the page
            w, h = int(r["width"]), int(r["height"])
            expect = np.clip(np.concatenate([q.min(axis=1), q.max(axis=1)], axis=1), 0, [w, h, w, h])
            assert np.allclose(b, expect)
        assert len(r["words"]["text"]) > 20


def test_load_dataset_matches_parquet(ds_dir, load):
    ds = load(ds_dir, "kor_Hang")
    (shard,) = (ds_dir / "data" / "kor_Hang").glob("*.parquet")
    rows = pq.read_table(shard).to_pylist()
    for a, b in zip(ds.cast_column("image", __import__("datasets").Image(decode=False)), rows):
        assert a["id"] == b["id"]
        assert a["image"]["bytes"] == b["image"]["bytes"]
        assert a["words"]["text"] == b["words"]["text"]
        assert a["relation_graph"] == b["relation_graph"]


def test_datasets_36_compat(ds_dir, tmp_path):
    python = os.environ.get("SYNTHDOC_DATASETS36_PYTHON")
    if not python:
        pytest.skip("set SYNTHDOC_DATASETS36_PYTHON to a python with datasets 3.6 installed")
    script = textwrap.dedent(f"""
        import datasets
        ds = datasets.load_dataset({str(ds_dir)!r}, "jpn_Jpan", split="train").with_format("numpy")
        r = ds[0]
        print("version", datasets.__version__)
        print("quad", r["words"]["quad"].dtype, tuple(r["words"]["quad"].shape[1:]), len(r["words"]["text"]) == len(r["words"]["quad"]))
        print("bbox", r["words"]["bbox"].dtype, tuple(r["words"]["bbox"].shape[1:]))
        print("rows", ds.num_rows)
        print("image", type(datasets.load_dataset({str(ds_dir)!r}, "all", split="train")[0]["image"]).__name__)
    """)
    env = {**os.environ, "HF_DATASETS_CACHE": str(tmp_path / "hf36"), "PYTHONPATH": ""}
    proc = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout.splitlines()
    assert "quad float32 (4, 2) True" in out
    assert "bbox float32 (4,)" in out
    assert "rows 2" in out
    version = next(line.split()[1] for line in out if line.startswith("version "))
    assert version.startswith("3.6"), version
    assert any(line.startswith("image ") and "ImageFile" in line for line in out)
