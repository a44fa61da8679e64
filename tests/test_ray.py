"""Backends and output locations: the Ray backend (one task per shard, local Ray with 2 CPUs) writes the same
bytes, shard for shard, as the local process pool, to a folder or an fsspec URL; errors inside Ray tasks
come back as one-line SynthdocErrors."""
from __future__ import annotations

import sys

import fsspec
import pytest

from synthdoc.api import write_dataset
from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError

RUN = {"languages": ["en", "ja"], "pages": 4, "shard_size": 1, "seed": 13}


def _files(out) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "ds"
    write_dataset(GenerateConfig(**RUN), out)
    return out


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_local_run_has_four_shards(local_run):
    shards = [p for p in _files(local_run) if p.endswith(".parquet")]
    assert len(shards) == 4


@pytest.mark.slow
def test_ray_backend_writes_the_same_bytes(ray_cluster, local_run, tmp_path):
    pages = []
    summary = write_dataset(GenerateConfig(**RUN), tmp_path / "ray", backend="ray", progress=pages.append)
    assert (summary.pages, summary.shards) == (4, 4)
    assert pages[-1] == 4 and pages == sorted(pages)
    got, want = _files(tmp_path / "ray"), _files(local_run)
    assert sorted(got) == sorted(want)
    for path in want:  # every shard, the card and the manifest
        assert got[path] == want[path], path


@pytest.mark.slow
def test_ray_backend_writes_to_an_fsspec_url(ray_cluster, local_run, tmp_path):
    url = (tmp_path / "via-url").as_uri()  # file:///...: the tasks open it through fsspec
    write_dataset(GenerateConfig(**RUN), url, backend="ray")
    assert _files(tmp_path / "via-url") == _files(local_run)


@pytest.mark.slow
def test_error_in_a_ray_task_is_one_synthdoc_error(ray_cluster, tmp_path):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "data").write_text("a file where the data folder should be")
    with pytest.raises(SynthdocError, match="cannot write") as info:
        write_dataset(GenerateConfig(**RUN), out, backend="ray")
    assert "\n" not in str(info.value)


def test_local_backend_to_a_memory_url_writes_the_same_bytes(local_run):
    write_dataset(GenerateConfig(**RUN), "memory://synthdoc-test/ds")
    fs = fsspec.filesystem("memory")
    try:
        got = {p.split("/ds/", 1)[1]: fs.cat_file(p) for p in fs.find("/synthdoc-test/ds")}
    finally:
        fs.rm("/synthdoc-test", recursive=True)
    assert got == _files(local_run)


def test_missing_ray_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(SynthdocError, match=r"pip install 'synthdoc\[ray\]'"):
        write_dataset(GenerateConfig(**RUN), tmp_path / "ds", backend="ray")
    assert not (tmp_path / "ds").exists()  # checked before any work


def test_unknown_backend(tmp_path):
    with pytest.raises(SynthdocError, match="unknown backend 'spark'; use one of local, ray"):
        write_dataset(GenerateConfig(**RUN), tmp_path / "ds", backend="spark")
    assert not (tmp_path / "ds").exists()


def test_unreachable_ray_address_fails_fast(tmp_path):
    pytest.importorskip("ray")
    with pytest.raises(SynthdocError, match=r"cannot reach the Ray cluster at 127\.0\.0\.1:1 .*--address"):
        write_dataset(GenerateConfig(**RUN), tmp_path / "ds", backend="ray", address="127.0.0.1:1")
    assert not (tmp_path / "ds").exists()  # checked before any work
