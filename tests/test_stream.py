"""On-the-fly data: ``synthdoc.stream`` yields the rows a written run holds, forever; the datasets
IterableDataset has the written dataset's features and rows; worker slices are disjoint and deterministic;
the PyTorch IterableDataset gives each DataLoader worker its own slice (skipped without torch)."""
from __future__ import annotations

import importlib
import itertools
import sys

import pyarrow.parquet as pq
import pytest

import synthdoc
from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.streaming import iterable_dataset, stream, worker_indices

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]


@pytest.fixture(scope="module")
def written(session_dataset):
    """index -> row of the session dataset (seed 3, six languages, 12 pages)."""
    out, _ = session_dataset
    rows = {}
    for shard in out.glob("data/*/*.parquet"):
        for row in pq.read_table(shard).to_pylist():
            rows[row["index"]] = row
    return rows


def _cfg(**kw):
    return GenerateConfig(languages=list(LANGS), **kw)


def test_stream_rows_are_the_written_rows(written):
    rows = list(synthdoc.stream(_cfg(), seed=3, start=0, stop=3))
    assert [r["index"] for r in rows] == [0, 1, 2]
    for r in rows:
        assert r == written[r["index"]]  # every column, image bytes included


def test_stream_is_endless_with_start_and_step(written):
    it = stream(_cfg(seed=3), start=5, step=3)
    got = [r["index"] for r in itertools.islice(it, 3)]
    assert got == [5, 8, 11]
    assert next(it)["index"] == 14  # beyond the 12 pages of the written run: there is no end
    assert next(stream(_cfg(seed=3), start=11))["image"] == written[11]["image"]


def test_stream_checks_the_config_at_the_call():
    with pytest.raises(SynthdocError, match="unknown language 'xx'"):
        stream(GenerateConfig(languages=["xx"]))
    with pytest.raises(SynthdocError, match="seed"):
        stream(GenerateConfig(languages=["en"]), seed=-1)


@pytest.mark.parametrize("start, stop, workers", [(0, 10, 1), (0, 10, 3), (7, 30, 4), (5, 6, 2), (3, 3, 2)])
def test_worker_slices_are_disjoint_and_cover(start, stop, workers):
    slices = [list(worker_indices(start, stop, w, workers)) for w in range(workers)]
    flat = [i for s in slices for i in s]
    assert len(flat) == len(set(flat))
    assert sorted(flat) == list(range(start, stop))
    assert slices == [list(worker_indices(start, stop, w, workers)) for w in range(workers)]  # deterministic


def test_endless_worker_slices():
    a = list(itertools.islice(worker_indices(4, None, 1, 3), 4))
    assert a == [5, 8, 11, 14]


@pytest.mark.parametrize("worker, workers", [(2, 2), (-1, 2), (0, 0)])
def test_bad_worker_slice(worker, workers):
    with pytest.raises(ValueError, match="worker"):
        worker_indices(0, 10, worker, workers)


def test_iterable_dataset_matches_the_written_dataset(session_dataset):
    import datasets

    out, _ = session_dataset
    loaded = datasets.load_dataset(str(out), "all", split="train")
    ids = iterable_dataset(_cfg(), seed=3, stop=3)
    assert ids.features == loaded.features
    no_decode = datasets.Image(decode=False)
    got = list(ids.cast_column("image", no_decode))
    want = {r["index"]: r for r in loaded.cast_column("image", no_decode)}
    assert [r["index"] for r in got] == [0, 1, 2]
    for r in got:
        assert r == want[r["index"]]


def test_iterable_dataset_shards_are_the_worker_slices():
    ids = iterable_dataset(_cfg(seed=4), start=2, stop=7, num_shards=2)
    assert ids.num_shards == 2
    order = [r["index"] for r in ids.cast_column("image", __import__("datasets").Image(decode=False))]
    assert order == [2, 4, 6, 3, 5]  # slice 0, then slice 1 (one process reads the shards in turn)


# ------------------------------------------------------------------ PyTorch

def test_torch_dataset_without_torch_is_a_clear_error(monkeypatch):
    for name in ("torch", "torch.utils", "torch.utils.data"):
        monkeypatch.setitem(sys.modules, name, None)  # import torch... -> ImportError
    monkeypatch.delitem(sys.modules, "synthdoc.torch_dataset", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'synthdoc\[torch\]'"):
        importlib.import_module("synthdoc.torch_dataset")


@pytest.mark.slow
def test_torch_dataloader_workers_read_disjoint_slices(written):
    pytest.importorskip("torch")
    from torch.utils.data import DataLoader

    from synthdoc.torch_dataset import PageDataset

    ds = PageDataset(_cfg(), seed=3, start=0, stop=5, transform=lambda r: (r["index"], r["image"]["bytes"]))
    got = list(DataLoader(ds, batch_size=None, num_workers=2))
    indices = [i for i, _ in got]
    assert sorted(indices) == [0, 1, 2, 3, 4]  # every index once across the two workers
    for i, image in got:
        assert image == written[int(i)]["image"]["bytes"]


def test_torch_dataset_ranks():
    pytest.importorskip("torch")
    from synthdoc.torch_dataset import PageDataset

    ds = PageDataset(_cfg(seed=3), start=0, stop=6, rank=1, world_size=3, transform=lambda r: r["index"])
    assert list(ds.indices()) == [1, 4]
    assert list(ds) == [1, 4]
    with pytest.raises(ValueError, match="rank"):
        PageDataset(_cfg(seed=3), rank=3, world_size=3)
