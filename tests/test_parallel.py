"""synthdoc.parallel: rows come back in the order asked for, identical in-process and from a pool, shards are
written as their last row arrives, and backends are checked before any work."""
from __future__ import annotations

import socket

import pytest

from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError


def _cfg(**kw) -> GenerateConfig:
    return GenerateConfig(**{"languages": ["en", "ko"], "pages": 4, "seed": 21, "layouts": {"slide": 1}, **kw})


@pytest.fixture(scope="module")
def corpora() -> dict:
    """The run's loaded corpora (the bundled samples), as write_dataset hands them to the workers."""
    from synthdoc.pipeline import SampleFactory

    return SampleFactory(_cfg()).corpora


def test_rows_follow_the_requested_order_and_do_not_depend_on_the_pool(corpora):
    from synthdoc.parallel import generate_rows

    order = [3, 0, 2]
    one = list(generate_rows(_cfg(), order, 1, corpora))
    two = list(generate_rows(_cfg(), order, 2, corpora))
    assert [i for i, _, _ in one] == order == [i for i, _, _ in two]
    for (_, row1, info1), (_, row2, info2) in zip(one, two):  # rows are one-row Arrow batches
        assert row1.equals(row2) and info1["layout"] == info2["layout"]
    assert [r.to_pylist()[0]["index"] for _, r, _ in one] == order
    alone = list(generate_rows(_cfg(), [2], 1, corpora))[0][1]
    assert alone.equals(one[2][1])  # a sample does not depend on the samples made before it


def test_pool_workers_inherit_the_parents_factory_with_their_own_caches(monkeypatch):
    """Forked workers take the factory the parent built (catalogue, corpora, templates shared copy-on-write) and
    do not build their own: _init_worker raising in the children (they inherit the patch) would fail the run."""
    from synthdoc import parallel
    from synthdoc.pipeline import SampleFactory

    factory = SampleFactory(_cfg())
    in_process = list(parallel.generate_rows(_cfg(), [0, 1, 2, 3], 1, factory.corpora, SampleFactory(_cfg())))

    def rebuild(*_args, **_kw):
        raise AssertionError("a pool worker rebuilt the SampleFactory")

    monkeypatch.setattr(parallel, "_init_worker", rebuild)
    pooled = list(parallel.generate_rows(_cfg(), [0, 1, 2, 3], 2, factory.corpora, factory))
    assert [row.to_pylist() for _, row, _ in pooled] == [row.to_pylist() for _, row, _ in in_process]
    faces, glyphs, inputs = factory.face_cache, factory.glyph_cache, factory.inputs
    assert factory.with_own_caches() is factory
    assert factory.face_cache is not faces and factory.glyph_cache is not glyphs and len(factory.glyph_cache) == 0
    assert all(inp.face_cache is factory.face_cache for inp in factory.inputs.values())
    assert [inp.lang for inp in factory.inputs.values()] == [inp.lang for inp in inputs.values()]


def test_write_shards_yields_each_shard_once_complete(tmp_path, corpora):
    import pyarrow.parquet as pq

    from synthdoc.parallel import write_shards
    from synthdoc.writers.parquet import ShardSpec
    from synthdoc.writers.storage import Storage

    specs = [ShardSpec("eng_Latn", "data/eng_Latn/train-00000-of-00001.parquet", range(0, 4, 2)),
             ShardSpec("kor_Hang", "data/kor_Hang/train-00000-of-00001.parquet", range(1, 4, 2))]
    pages = []
    done = list(write_shards(_cfg(), Storage(tmp_path), specs, corpora=corpora, on_pages=pages.append))
    assert [spec for spec, _ in done] == specs and sum(pages) == 4
    for spec, record in done:
        table = pq.read_table(tmp_path / spec.path)
        assert table.column("index").to_pylist() == list(spec.indices)
        assert set(table.column("lang").to_pylist()) == {spec.config}
        assert record.rows == len(spec.indices)


def test_backends_are_checked_before_any_work():
    from synthdoc.parallel import BACKENDS, check_backend

    assert BACKENDS == ("local", "ray")
    check_backend("local")
    with pytest.raises(SynthdocError, match="unknown backend 'dask'; use one of local, ray"):
        check_backend("dask")
    pytest.importorskip("ray")
    with socket.socket() as s:  # a port nobody listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        with pytest.raises(SynthdocError, match=f"cannot reach the Ray cluster at 127.0.0.1:{port}"):
            check_backend("ray", f"127.0.0.1:{port}")
