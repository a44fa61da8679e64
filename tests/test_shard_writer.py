"""Shards streamed as their rows are made (synthdoc.writers.parquet.ShardWriter / RowGroupWriter and
Storage.open_atomic): row groups by a fixed rule (rows and bytes), files that load with ``datasets`` (current
and 3.6), nothing under a shard's name until it is complete (errors, a SIGKILL mid-shard), byte-identical
output at 1 and 2 workers and after ``--resume``."""
from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthdoc.api import write_dataset
from synthdoc.config import GenerateConfig
from synthdoc.writers import parquet
from synthdoc.writers.manifest import MANIFEST_NAME
from synthdoc.writers.parquet import RowGroupWriter, ShardSpec, ShardWriter, encode_shard
from synthdoc.writers.storage import Storage

RUN = {"languages": ["en"], "pages": 5, "shard_size": 5, "seed": 5}


def _files(out) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _group_rows(path) -> list[int]:
    meta = pq.read_metadata(path)
    return [meta.row_group(k).num_rows for k in range(meta.num_row_groups)]


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[dict]:
    """The 5 rows of a small real run (read back from its one shard)."""
    out = tmp_path_factory.mktemp("rows") / "ds"
    write_dataset(GenerateConfig(**RUN), out)
    (shard,) = out.glob("data/*/*.parquet")
    return pq.read_table(shard).to_pylist()


def _copies(rows: list[dict], n: int) -> list[dict]:
    """`n` rows cycling through `rows`, renumbered 0..n-1 (index and id)."""
    out = []
    for i in range(n):
        row = dict(rows[i % len(rows)])
        out.append({**row, "index": i, "id": f"{row['id'].rsplit('-', 1)[0]}-{i}"})
    return out


def _write(storage: Storage, rows: list[dict], name: str = "train-00000-of-00001.parquet", **kw) -> ShardWriter:
    spec = ShardSpec("eng_Latn", f"data/eng_Latn/{name}", range(rows[0]["index"], rows[0]["index"] + len(rows)))
    with ShardWriter(storage, spec, **kw) as shard:
        for row in rows:
            shard.add(row)
    return shard


def test_default_bytes_per_group(rows, tmp_path):
    n = 3 * parquet.ROW_GROUP_ROWS
    _write(Storage(tmp_path), _copies(rows, n))
    meta = pq.read_metadata(tmp_path / "data/eng_Latn/train-00000-of-00001.parquet")
    assert meta.num_rows == n
    assert all(meta.row_group(k).num_rows <= parquet.ROW_GROUP_ROWS for k in range(meta.num_row_groups))
    assert all(meta.row_group(k).total_byte_size <= parquet.ROW_GROUP_BYTES * 1.05 for k in range(meta.num_row_groups))


@pytest.mark.parametrize(("n", "per_group"), [(5, 2), (5, 5), (5, 1), (7, 3)])
def test_shard_of_n_rows_has_ceil_n_over_k_row_groups(rows, tmp_path, n, per_group):
    shard = _write(Storage(tmp_path), _copies(rows, n), rows_per_group=per_group)
    path = tmp_path / "data/eng_Latn/train-00000-of-00001.parquet"
    groups = _group_rows(path)
    assert len(groups) == math.ceil(n / per_group)
    assert groups == [per_group] * (n // per_group) + ([n % per_group] if n % per_group else [])
    data = path.read_bytes()
    assert (shard.sha256, shard.nbytes) == (hashlib.sha256(data).hexdigest(), len(data))
    assert pq.read_table(path).to_pylist() == _copies(rows, n)
    assert encode_shard(_copies(rows, n), rows_per_group=per_group) == data  # same bytes in memory


def test_default_rows_per_group(rows, tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "ROW_GROUP_BYTES", 1 << 40)  # the row rule alone
    n = 2 * parquet.ROW_GROUP_ROWS + 3
    _write(Storage(tmp_path), _copies(rows, n))
    assert _group_rows(tmp_path / "data/eng_Latn/train-00000-of-00001.parquet") == [
        parquet.ROW_GROUP_ROWS, parquet.ROW_GROUP_ROWS, 3]


def test_row_groups_bounded_by_bytes(rows, tmp_path):
    sizes = [pa.RecordBatch.from_pylist([r], schema=parquet.schema_with_features()).nbytes for r in rows]
    budget = sizes[0] + sizes[1] + sizes[2] // 2  # two rows fit, the third does not
    _write(Storage(tmp_path), rows, rows_per_group=100, group_bytes=budget)
    path = tmp_path / "data/eng_Latn/train-00000-of-00001.parquet"
    groups = _group_rows(path)
    # the rule: close the group before a row that would take it past the budget (the rows alone decide)
    want, acc, count = [], 0, 0
    for size in sizes:
        if count and acc + size > budget:
            want.append(count)
            acc, count = 0, 0
        acc, count = acc + size, count + 1
    want.append(count)
    assert groups == want and len(groups) >= 2
    meta = pq.read_metadata(path)
    for k in range(meta.num_row_groups):  # uncompressed size of every group with more than one row is bounded
        if meta.row_group(k).num_rows > 1:
            assert meta.row_group(k).total_byte_size <= budget * 1.05


def test_image_bytes_stored_plain_and_uncompressed(rows, tmp_path):
    _write(Storage(tmp_path), rows)
    meta = pq.read_metadata(tmp_path / "data/eng_Latn/train-00000-of-00001.parquet")
    col = next(meta.row_group(0).column(i) for i in range(meta.num_columns)
               if meta.row_group(0).column(i).path_in_schema == "image.bytes")
    assert col.compression == "UNCOMPRESSED"
    assert "RLE_DICTIONARY" not in col.encodings and "PLAIN_DICTIONARY" not in col.encodings


def test_loads_with_datasets(rows, tmp_path):
    import datasets

    _write(Storage(tmp_path), _copies(rows, 7), rows_per_group=3)
    ds = datasets.load_dataset("parquet", data_files=str(tmp_path / "data/eng_Latn/*.parquet"), split="train",
                               cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == 7
    assert ds[6]["index"] == 6 and ds[6]["words"]["text"] == rows[1]["words"]["text"]
    assert type(ds[0]["image"]).__name__.endswith("ImageFile")  # features from the schema metadata


def test_loads_with_datasets_36(rows, tmp_path):
    python = os.environ.get("SYNTHDOC_DATASETS36_PYTHON")
    if not python:
        pytest.skip("set SYNTHDOC_DATASETS36_PYTHON to a python with datasets 3.6 installed")
    _write(Storage(tmp_path), _copies(rows, 7), rows_per_group=3)
    script = textwrap.dedent(f"""
        import datasets
        ds = datasets.load_dataset("parquet", data_files={str(tmp_path / "data/eng_Latn/*.parquet")!r},
                                   split="train", cache_dir={str(tmp_path / "cache36")!r})
        print("version", datasets.__version__)
        print("rows", ds.num_rows, [r["index"] for r in ds])
        print("image", type(ds[0]["image"]).__name__)
    """)
    env = {**os.environ, "PYTHONPATH": ""}
    proc = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=300, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout.splitlines()
    assert next(line for line in out if line.startswith("version ")).split()[1].startswith("3.6")
    assert f"rows 7 {list(range(7))}" in out
    assert any(line.startswith("image ") and "ImageFile" in line for line in out)


@pytest.mark.parametrize("location", ["local", "memory"])
def test_error_mid_shard_leaves_nothing(rows, tmp_path, location):
    storage = Storage(tmp_path / "ds" if location == "local" else f"memory://sd-{os.getpid()}/ds")
    spec = ShardSpec("eng_Latn", "data/eng_Latn/train-00000-of-00001.parquet", range(5))
    with pytest.raises(RuntimeError, match="boom"), ShardWriter(storage, spec, rows_per_group=2) as shard:
        for row in rows[:3]:
            shard.add(row)  # one row group is out in the temporary file
        raise RuntimeError("boom")
    assert storage.glob("data/*/*") == [] and storage.glob("data/*/.*") == []
    with pytest.raises(ValueError, match="do not match its indices"), ShardWriter(storage, spec) as shard:
        shard.add(rows[0])  # too few rows: not a complete shard
    with pytest.raises(ValueError, match="do not match its indices"), ShardWriter(storage, spec) as shard:
        shard.add(rows[1])  # not the next index
    assert storage.glob("data/*/*") == [] and storage.glob("data/*/.*") == []


def test_fsspec_url_gets_the_same_bytes(rows, tmp_path):
    url = f"memory://sd-{os.getpid()}/url"
    shard = _write(Storage(url), rows, rows_per_group=2)
    data = Storage(url).read_bytes("data/eng_Latn/train-00000-of-00001.parquet")
    assert data == encode_shard(rows, rows_per_group=2)
    assert shard.sha256 == hashlib.sha256(data).hexdigest()


def test_byte_identical_at_1_and_2_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 2)  # several row groups per shard, rows of 2 configs interleaved
    run = {"languages": ["en", "ja"], "pages": 10, "shard_size": 3, "seed": 9}
    write_dataset(GenerateConfig(**run, workers=1), tmp_path / "w1")
    write_dataset(GenerateConfig(**run, workers=2), tmp_path / "w2")
    one, two = _files(tmp_path / "w1"), _files(tmp_path / "w2")
    assert sorted(one) == sorted(two)
    for path in one:
        if path.endswith(".parquet"):
            assert one[path] == two[path], path
            assert _group_rows(tmp_path / "w1" / path) in ([2, 1], [2])
    manifest = json.loads(one[MANIFEST_NAME])
    for path, rec in manifest["completed"].items():
        assert rec["sha256"] == hashlib.sha256(one[path]).hexdigest() and rec["bytes"] == len(one[path])
        assert rec["rows"] == pq.read_metadata(tmp_path / "w1" / path).num_rows


def test_row_group_writer_counts(rows):
    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, data):
            self.parts.append(bytes(data))
            return len(data)

        def tell(self):
            return sum(map(len, self.parts))

        def flush(self):
            pass

        closed = False

        def close(self):
            pass

    sink = Sink()
    writer = RowGroupWriter(sink, rows_per_group=2)
    for row in rows:
        writer.add(row)
    writer.close()
    assert (writer.rows, writer.row_groups) == (5, 3)
    assert b"".join(sink.parts) == encode_shard(rows, rows_per_group=2)


KILL_RUN = ["generate", "--languages", "en", "--pages", "12", "--shard-size", "12", "--seed", "4", "--quiet",
            "--layouts", "multi_column=1", "--augment", "none"]  # explicit: also started without the helper


@pytest.mark.slow
def test_sigkill_mid_shard_then_resume(tmp_path, synthdoc_cli):
    """SIGKILL while the only shard is half written: no file under its name; --resume gives the bytes of an
    uninterrupted run."""
    out = tmp_path / "X"
    proc = subprocess.Popen([sys.executable, "-m", "synthdoc", *KILL_RUN, "--out", str(out)], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    seen = None
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            tmps = list(out.glob("data/*/.*.tmp"))
            if tmps:  # the shard's temporary file is open: its first row is being written into it
                time.sleep(0.2)
                os.killpg(proc.pid, signal.SIGKILL)
                seen = tmps
                break
            time.sleep(0.005)
    finally:
        if proc.poll() is None and seen is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert seen is not None, f"run ended before it could be killed: {proc.stderr.read()!r}"
    assert list(out.glob("data/*/*.parquet")) == []  # nothing under the final name
    assert [p.exists() for p in seen] == [True]  # the half-written temporary file the kill left
    assert json.loads((out / MANIFEST_NAME).read_text())["completed"] == {}

    resumed = synthdoc_cli([*KILL_RUN, "--out", "X", "--resume"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    reference = synthdoc_cli([*KILL_RUN, "--out", "R"], tmp_path)
    assert reference.returncode == 0, reference.stderr
    got, want = _files(out), _files(tmp_path / "R")
    assert sorted(got) == sorted(want)  # the temporary file is gone
    for path in want:
        assert got[path] == want[path], path


def test_shard_buffer_streams_interleaved_shards_and_discards_open_ones(rows, tmp_path):
    from synthdoc.parallel import ShardBuffer

    storage = Storage(tmp_path)
    specs = [ShardSpec("a", "data/a/train-00000-of-00001.parquet", range(0, 5, 2)),
             ShardSpec("b", "data/b/train-00000-of-00001.parquet", range(1, 5, 2))]
    buffer = ShardBuffer(storage, specs)
    done = []
    for i, row in enumerate(_copies(rows, 5)):  # rows of two configs interleave, each shard in its order
        got = buffer.add(i, row, {"layout": "x", "stats": {}})
        if got:
            done.append(got)
    assert [spec.path for spec, _ in done] == [specs[1].path, specs[0].path]  # b is complete at index 3
    for spec, record in done:
        data = (tmp_path / spec.path).read_bytes()
        assert record.rows == len(spec.indices) and record.bytes == len(data)
        assert record.sha256 == hashlib.sha256(data).hexdigest()
        assert pq.read_table(tmp_path / spec.path, columns=["index"]).column("index").to_pylist() == list(spec.indices)

    buffer = ShardBuffer(Storage(tmp_path / "two"), specs)
    buffer.add(0, _copies(rows, 1)[0], {"layout": "x", "stats": {}})
    assert len(list((tmp_path / "two").glob("data/a/.*.tmp"))) == 1  # open under its temporary name
    buffer.close()  # e.g. the generator of write_shards closed by an error elsewhere
    assert [p for p in (tmp_path / "two").rglob("*") if p.is_file()] == []


def test_generate_writes_shards_without_importing_pandas_and_pandas_still_works(tmp_path):
    """Start-up: `synthdoc generate` keeps pyarrow from importing pandas (~0.2 CPU s) while it writes shards;
    pyarrow's pandas conversion still works afterwards in the same process."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from synthdoc.cli import main\n"
        f"code = main(['generate', '--out', {str(tmp_path / 'ds')!r}, '--pages', '2', '--languages', 'en', '--quiet',"
        " '--layouts', 'multi_column=1', '--augment', 'none'])\n"
        "assert code == 0, code\n"
        "print('pandas imported:', 'pandas' in sys.modules)\n"
        "import pyarrow as pa\n"
        "print('to_pandas rows:', len(pa.table({'a': [1, 2]}).to_pandas()))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "pandas imported: False" in out.stdout and "to_pandas rows: 2" in out.stdout, out.stdout


def test_sample_to_batch_equals_the_row_converted_by_arrow():
    """The writer's fast path (quads and boxes from numpy straight into Arrow buffers) gives the same Arrow row as
    pyarrow's conversion of the plain-Python row, for every level including characters."""
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory
    from synthdoc.writers.parquet import SCHEMA, sample_to_batch, sample_to_row

    factory = SampleFactory(GenerateConfig(languages=["en", "ja"], labels=["words", "lines", "paragraphs", "chars"],
                                           layouts={"table": 1.0, "scattered": 1.0}, augment="none"))
    for i in range(4):
        sample = factory.make(i)
        batch = sample_to_batch(sample)
        assert batch.num_rows == 1 and batch.schema.equals(SCHEMA)
        assert batch.equals(pa.RecordBatch.from_pylist([sample_to_row(sample)], schema=SCHEMA))
        assert batch.column("words").to_pylist()[0]["quad"] == np.asarray([w.quad for w in sample.page.words],
                                                                            np.float32).tolist()
