"""Parquet shards in the Hugging Face layout: ``OUT/data/<config>/<split>-NNNNN-of-NNNNN.parquet``.

One row per page (schema in :mod:`synthdoc.writers.schema`). Image bytes are stored uncompressed (JPEG and
PNG are compressed already), other columns with zstd. A shard is streamed as its rows are made
(:class:`ShardWriter`): rows become Arrow at once and go out in row groups of at most ``ROW_GROUP_ROWS`` rows
and ``ROW_GROUP_BYTES`` uncompressed bytes, so a writer holds one row group, never a whole shard. The file is
written atomically through :meth:`synthdoc.writers.storage.Storage.open_atomic` (temporary name, renamed once
complete), so a file under a shard's name is always complete.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import math
import re
import sys
from dataclasses import dataclass, field
from typing import BinaryIO, Self

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from synthdoc.pipeline import Sample, sample_meta_json
from synthdoc.types import quads_to_bboxes
from synthdoc.writers.schema import SCHEMA, schema_with_features
from synthdoc.writers.storage import Storage

ROW_GROUP_ROWS = 100  # as `datasets` writes image datasets (PARQUET_ROW_GROUP_SIZE_FOR_IMAGE_DATASETS)
ROW_GROUP_BYTES = 8 * 1024 * 1024  # uncompressed Arrow bytes per group (~20 pages; the Hub viewer rejects > ~300 MB)
_COMPRESSION = {name: "zstd" for name in SCHEMA.names if name not in ("image", "mask")}  # PNG: compressed
_COMPRESSION_BY_COLUMN = {**_COMPRESSION, "image.bytes": "NONE", "image.path": "zstd", "mask": "NONE"}
_NO_DICTIONARY = ("image.bytes", "mask")  # all distinct: a dictionary would only hold a copy of the images
# Parquet options fixed so that the bytes depend only on the rows (not on how the Arrow data is chunked):
# values go to the column writers one at a time (pages close at the first value past the page size)
_WRITE_BATCH_SIZE = 1


class _NoPandas:
    """Import hook refusing ``pandas`` (see :func:`defer_pandas`)."""

    def find_spec(self, name: str, path=None, target=None):  # noqa: ANN001 - importlib's finder protocol
        if name == "pandas":
            raise ImportError("pandas is not needed to write shards")
        return None


def defer_pandas() -> None:
    """Keep pyarrow from importing pandas (~0.2 CPU s) in a process that only writes shards (``synthdoc generate``).

    pyarrow's pandas shim imports pandas at the first conversion from Python objects (``RecordBatch.from_pylist``)
    to recognise pandas inputs. This makes that first check find no pandas; pyarrow imports it again when pandas
    is really asked for (``Table.to_pandas``), so nothing is lost. No effect when pandas is already imported.
    """
    if "pandas" in sys.modules:
        return
    hook = _NoPandas()
    sys.meta_path.insert(0, hook)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(hook)


@functools.cache
def _dictionary_columns() -> tuple[str, ...]:
    """Parquet leaf column paths of :data:`SCHEMA` (e.g. ``words.text.list.element``) that use a dictionary."""
    sink = pa.BufferOutputStream()
    pq.ParquetWriter(sink, SCHEMA).close()  # not write_table(SCHEMA.empty_table()): that imports pandas (~0.2 s)
    meta = pq.read_metadata(pa.BufferReader(sink.getvalue()))
    return tuple(p for p in (meta.schema.column(i).path for i in range(meta.num_columns)) if p not in _NO_DICTIONARY)


def _level(quads: list[np.ndarray], texts: list[str], parents: list[int], w: int, h: int, **extra) -> dict:
    """A level struct (words, lines, paragraphs, chars) with ``quad`` (N, 4, 2) and ``bbox`` (N, 4) float32 arrays."""
    q = np.asarray(quads, np.float32).reshape(-1, 4, 2)
    return {"text": texts, "quad": q, "bbox": quads_to_bboxes(q, w, h), "parent": parents, **extra}


_LEVELS = ("words", "lines", "paragraphs", "chars")


def sample_to_row(sample: Sample) -> dict:
    """The Parquet row of a sample (plain Python values matching :data:`SCHEMA`)."""
    row = _row(sample)
    for name in _LEVELS:
        if row[name] is not None:
            row[name] = {**row[name], "quad": row[name]["quad"].tolist(), "bbox": row[name]["bbox"].tolist()}
    return row


def sample_to_batch(sample: Sample) -> pa.RecordBatch:
    """The Parquet row of a sample as a one-row Arrow batch of :data:`SCHEMA`: equal to
    ``pa.RecordBatch.from_pylist([sample_to_row(sample)], schema=SCHEMA)``, but the quads and boxes go from
    their numpy arrays into Arrow buffers directly instead of through nested Python lists (~5 ms a page)."""
    row = _row(sample)
    columns = []
    for f in SCHEMA:
        value = row[f.name]
        if f.name in _LEVELS and value is not None:
            columns.append(_level_array(value, f.type))
        else:
            columns.append(pa.array([value], type=f.type))
    return pa.RecordBatch.from_arrays(columns, schema=SCHEMA)


def _level_array(level: dict, struct_type: pa.StructType) -> pa.StructArray:
    """One-row struct array of a level (:func:`_level`): ``quad`` and ``bbox`` from their float32 arrays."""
    children = []
    for f in struct_type:
        value = level[f.name]
        if f.name in ("quad", "bbox"):
            flat = pa.array(np.ascontiguousarray(value, np.float32).ravel(), type=pa.float32())
            inner = pa.FixedSizeListArray.from_arrays(flat, 2) if f.name == "quad" else flat
            items = pa.FixedSizeListArray.from_arrays(inner, 4)
            children.append(pa.ListArray.from_arrays(pa.array([0, len(items)], pa.int32()), items, type=f.type))
        else:
            children.append(pa.array([value], type=f.type))
    return pa.StructArray.from_arrays(children, fields=list(struct_type))


def _row(sample: Sample) -> dict:
    """The row of a sample with each level's quads and boxes as numpy arrays (:func:`_level`)."""
    page = sample.page
    w, h = page.width, page.height
    words_q, words_t, words_p, words_i = [], [], [], []
    lines_q, lines_t, lines_p, lines_d = [], [], [], []
    for pi, para in enumerate(page.paragraphs):
        for line in para.lines:
            li = len(lines_t)
            lines_q.append(line.quad)
            lines_t.append(line.text)
            lines_p.append(pi)
            lines_d.append(line.direction)
            for word in line.words:
                words_q.append(word.quad)
                words_t.append(word.text)
                words_p.append(li)
                words_i.append(bool(word.ignore))
    paras = page.paragraphs
    return {
        "id": sample.id,
        "image": {"bytes": sample.image_bytes, "path": f"{sample.id}.{'png' if sample.image_format == 'png' else 'jpg'}"},
        "width": w, "height": h, "lang": page.lang, "layout": page.layout, "text": page.text,
        "words": _level(words_q, words_t, words_p, w, h, ignore=words_i),
        "lines": _level(lines_q, lines_t, lines_p, w, h, direction=lines_d),
        "paragraphs": _level([p.quad for p in paras], [p.text for p in paras], [-1] * len(paras), w, h,
                             role=[p.role for p in paras], level=[p.level for p in paras],
                             cell=[list(p.cell) if p.cell else [-1, -1, 0, 0] for p in paras]),
        "relation_graph": page.relation_graph(),
        "seed": sample.seed, "index": sample.index, "meta": sample_meta_json(sample),
        "mask": sample.mask_bytes,
        "chars": chars_level(page) if sample.with_chars else None,
    }


def chars_level(page) -> dict:
    """The ``chars`` column of a page: every word's grapheme clusters in reading order (parent = word index);
    a word the renderer drew without tracked clusters is split evenly (synthdoc.render.chars.even_split)."""
    from synthdoc.render.chars import char_quads, even_split

    texts, quads, parents = [], [], []
    for k, word in enumerate(page.words):
        spans = word.char_spans() if word.chars is not None else even_split(word.text)
        texts += [c[0] for c in spans]
        quads.append(char_quads(word.quad, spans))
        parents += [k] * len(spans)
    q = np.concatenate(quads) if quads else np.zeros((0, 4, 2), np.float32)
    return _level(list(q), texts, parents, page.width, page.height)


def shard_name(split: str, k: int, n: int) -> str:
    """``<split>-NNNNN-of-NNNNN.parquet`` (zero-based k)."""
    return f"{split}-{k:05d}-of-{n:05d}.parquet"


SHARD_NAME_RE = re.compile(r"(?P<split>[\w.]+)-(?P<k>\d{5})-of-(?P<n>\d{5})\.parquet")


def encode_shard(rows: list[dict], rows_per_group: int | None = None, group_bytes: int | None = None) -> bytes:
    """The Parquet file of `rows` (in the given order) as bytes, exactly as :class:`ShardWriter` streams it
    (same row groups, same bytes; arguments as for :class:`RowGroupWriter`). The same rows always give the
    same bytes."""
    sink = _HashingSink(io.BytesIO())
    writer = RowGroupWriter(sink, rows_per_group, group_bytes)
    for row in rows:
        writer.add(row)
    writer.close()
    return sink.raw.getvalue()


class _HashingSink:
    """A write-only binary file that passes bytes on to `raw` and keeps their SHA-256 and count (Parquet is
    written strictly sequentially, so this is the digest of the finished file without reading it back)."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.nbytes = 0
        self.closed = False
        self.discard = False  # set when the file is being thrown away: later writes are dropped

    def write(self, data) -> int:
        view = memoryview(data)
        if self.discard:
            return view.nbytes
        self.raw.write(view)
        self.sha256.update(view)
        self.nbytes += view.nbytes
        return view.nbytes

    def tell(self) -> int:
        return self.nbytes

    def flush(self) -> None:
        self.raw.flush()

    def close(self) -> None:  # the owner of `raw` closes it (Storage.open_atomic renames it first)
        self.closed = True

    def writable(self) -> bool:
        return True


class RowGroupWriter:
    """Streams rows into a Parquet file: each row is converted to Arrow as it comes (its Python lists are
    dropped at once) and a row group is written as soon as it is full, so memory holds at most one row group.

    The row-group rule depends only on the rows: a group is closed after ``rows_per_group`` rows, or before
    a row that would take the group's Arrow size (uncompressed: image bytes, label arrays, strings) past
    ``group_bytes`` (a single larger row makes a group of its own). Image bytes are stored uncompressed
    (JPEG and PNG are compressed already) and without a dictionary, other columns with zstd; features go in
    the schema metadata. Values reach pyarrow's column writers one at a time (``write_batch_size=1``), so a
    data page closes right after the value that fills it: a row group is encoded without a copy of it and
    the bytes do not depend on how the rows were batched.

    Args:
        sink: binary file object to write to (only ``write``, ``tell`` and ``flush`` are used).
        rows_per_group: most rows in a row group (None: ``ROW_GROUP_ROWS``).
        group_bytes: most Arrow bytes in a row group unless one row is larger (None: ``ROW_GROUP_BYTES``).
    """

    def __init__(self, sink, rows_per_group: int | None = None, group_bytes: int | None = None):
        self._schema = schema_with_features()
        self._writer = pq.ParquetWriter(sink, self._schema, compression=_COMPRESSION_BY_COLUMN,
                                        use_dictionary=list(_dictionary_columns()), write_batch_size=_WRITE_BATCH_SIZE)
        self._rows_per_group = max(1, rows_per_group or ROW_GROUP_ROWS)
        self._group_bytes = group_bytes or ROW_GROUP_BYTES
        self._pending: list[pa.RecordBatch] = []
        self._pending_bytes = 0
        self.rows = 0
        self.row_groups = 0

    def add(self, row: dict | pa.RecordBatch) -> None:
        """Append one row: plain Python values matching :data:`SCHEMA`, or a one-row batch
        (:func:`sample_to_batch`)."""
        if isinstance(row, pa.RecordBatch):
            batch = pa.RecordBatch.from_arrays(row.columns, schema=self._schema)  # the schema with features metadata
        else:
            batch = pa.RecordBatch.from_pylist([row], schema=self._schema)
        if self._pending and self._pending_bytes + batch.nbytes > self._group_bytes:
            self._flush()
        self._pending.append(batch)
        self._pending_bytes += batch.nbytes
        self.rows += 1
        if len(self._pending) >= self._rows_per_group:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        table = pa.Table.from_batches(self._pending, schema=self._schema)  # no copy: one chunk per row
        self._pending, self._pending_bytes = [], 0
        self._writer.write_table(table, row_group_size=table.num_rows)
        self.row_groups += 1

    def close(self) -> None:
        """Write the last row group and the Parquet footer."""
        self._flush()
        self._writer.close()


@dataclass(frozen=True)
class ShardSpec:
    """One shard of a run.

    Attributes:
        config: dataset config (language code) the shard belongs to.
        path: dataset-relative path, ``data/<config>/<split>-NNNNN-of-NNNNN.parquet``.
        indices: sample indices of its rows, in row order.
    """

    config: str
    path: str
    indices: range


class ShardWriter:
    """Writes the shard `spec` to `storage` row by row, atomically (temporary name, renamed once the footer
    is written: see :meth:`Storage.open_atomic`); a ``with`` block that ends in an error leaves nothing.

    Usage::

        with ShardWriter(storage, spec) as shard:
            for row in rows:          # the rows of spec.indices, in that order
                shard.add(row)
        shard.sha256, shard.nbytes    # of the final file

    Args:
        storage: the dataset folder.
        spec: the shard; its rows must come in the order of ``spec.indices``.
        rows_per_group: most rows per row group (None: ``ROW_GROUP_ROWS``; see :class:`RowGroupWriter`).
        group_bytes: most Arrow bytes per row group (None: ``ROW_GROUP_BYTES``).

    Attributes:
        sha256: hex SHA-256 of the written file (set when the block ends without an error).
        nbytes: size of the written file in bytes (likewise).

    Raises:
        SynthdocError: the output is not writable.
        ValueError: a row of another index than the next of `spec`, or too few rows at the end.
    """

    def __init__(self, storage: Storage, spec: ShardSpec, rows_per_group: int | None = None,
                 group_bytes: int | None = None):
        self.spec = spec
        self._storage, self._rows_per_group, self._group_bytes = storage, rows_per_group, group_bytes
        self._stack = contextlib.ExitStack()
        self._sink: _HashingSink | None = None
        self._writer: RowGroupWriter | None = None
        self.sha256: str | None = None
        self.nbytes: int | None = None

    def __enter__(self) -> Self:
        with contextlib.ExitStack() as stack:
            raw = stack.enter_context(self._storage.open_atomic(self.spec.path))
            self._sink = _HashingSink(raw)
            self._writer = RowGroupWriter(self._sink, self._rows_per_group, self._group_bytes)
            self._stack = stack.pop_all()
        return self

    def add(self, row: dict | pa.RecordBatch) -> None:
        """Append the next row of the shard (its ``index`` must be the next of ``spec.indices``): a row dict or a
        one-row batch (:func:`sample_to_batch`)."""
        done = self._writer.rows
        index = row.column("index")[0].as_py() if isinstance(row, pa.RecordBatch) else row["index"]
        if done >= len(self.spec.indices) or index != self.spec.indices[done]:
            raise ValueError(f"rows of {self.spec.path} do not match its indices (row {done}: index {index})")
        self._writer.add(row)

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            self._abandon()
            return self._stack.__exit__(exc_type, exc, tb)  # removes the temporary file
        try:
            if self._writer.rows != len(self.spec.indices):
                raise ValueError(f"rows of {self.spec.path} do not match its indices "
                                 f"({self._writer.rows} rows for {len(self.spec.indices)})")
            self._writer.close()  # the footer, then Storage renames the temporary file
        except BaseException as e:
            self._abandon()
            if not self._stack.__exit__(type(e), e, e.__traceback__):
                raise
            return False
        self._stack.close()
        self.sha256, self.nbytes = self._sink.sha256.hexdigest(), self._sink.nbytes
        return False

    def _abandon(self) -> None:
        """Stop writing to the file being discarded (and close pyarrow's writer without a footer there)."""
        self._sink.discard = True
        with contextlib.suppress(Exception):
            self._writer.close()


@dataclass
class ShardPlan:
    """Which sample indices go to which shard of which config.

    Attributes:
        shards: config -> list of index ranges, one per shard, in index order.
    """

    shards: dict[str, list[range]] = field(default_factory=dict)

    @classmethod
    def build(cls, languages: list[str], pages: int, shard_size: int) -> "ShardPlan":
        """Sample i belongs to languages[i % len(languages)]; each language's indices are cut into shards."""
        plan = cls()
        for li, code in enumerate(languages):
            idx = range(li, pages, len(languages))
            n = max(1, math.ceil(len(idx) / shard_size)) if len(idx) else 0
            plan.shards[code] = [idx[k * shard_size:(k + 1) * shard_size] for k in range(n)]
        return plan

    def counts(self) -> dict[str, int]:
        return {c: sum(len(s) for s in shards) for c, shards in self.shards.items()}

    def specs(self, split: str) -> list[ShardSpec]:
        """Every shard of the plan, config by config."""
        return [ShardSpec(code, f"data/{code}/{shard_name(split, k, len(shards))}", idx)
                for code, shards in self.shards.items() for k, idx in enumerate(shards)]
