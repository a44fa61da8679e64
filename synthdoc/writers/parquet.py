"""Parquet shards in the Hugging Face layout: ``OUT/data/<config>/<split>-NNNNN-of-NNNNN.parquet``.

One row per page (schema in :mod:`synthdoc.writers.schema`). Image bytes are stored uncompressed (JPEG and
PNG are compressed already), other columns with zstd; row groups hold at most ``ROW_GROUP_BYTES`` of
images. A shard is written atomically through :class:`synthdoc.writers.storage.Storage` (temporary name,
then rename) once all its rows are made, so a file under a shard's name is always complete.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from synthdoc.pipeline import Sample, sample_meta_json
from synthdoc.types import quads_to_bboxes
from synthdoc.writers.schema import SCHEMA, schema_with_features
from synthdoc.writers.storage import Storage

ROW_GROUP_BYTES = 64 * 1024 * 1024
_COMPRESSION = {name: "zstd" for name in SCHEMA.names if name not in ("image", "mask")}  # PNG: compressed


def _level(quads: list[np.ndarray], texts: list[str], parents: list[int], w: int, h: int, **extra) -> dict:
    q = np.asarray(quads, np.float32).reshape(-1, 4, 2)
    return {"text": texts, "quad": q.tolist(), "bbox": quads_to_bboxes(q, w, h).tolist(), "parent": parents, **extra}


def sample_to_row(sample: Sample) -> dict:
    """The Parquet row of a sample (plain Python values matching :data:`SCHEMA`)."""
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


def encode_shard(rows: list[dict]) -> bytes:
    """The Parquet file of `rows` (in the given order) as bytes: image bytes uncompressed, other columns
    zstd, row groups of at most ``ROW_GROUP_BYTES`` of images, features in the schema metadata.
    The same rows always give the same bytes."""
    table = pa.Table.from_pylist(rows, schema=schema_with_features())
    image_bytes = sum(len(r["image"]["bytes"]) for r in rows) or 1
    per_group = max(1, int(len(rows) * ROW_GROUP_BYTES / image_bytes))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=per_group,
                   compression={**_COMPRESSION, "image.bytes": "NONE", "image.path": "zstd", "mask": "NONE"})
    return sink.getvalue().to_pybytes()


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


def write_shard(storage: Storage, spec: ShardSpec, rows: list[dict]) -> tuple[str, int]:
    """Write the rows of `spec` atomically; returns (sha256 hex digest, size in bytes) of the file.

    Raises:
        SynthdocError: the output is not writable.
        ValueError: `rows` are not the rows of `spec` (other indices or order).
    """
    if [r["index"] for r in rows] != list(spec.indices):
        raise ValueError(f"rows of {spec.path} do not match its indices")
    data = encode_shard(rows)
    storage.write_bytes(spec.path, data)
    return hashlib.sha256(data).hexdigest(), len(data)


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


class ShardBuffer:
    """Collects rows arriving in any order and hands back each shard once all its rows are in.

    Args:
        specs: the shards to fill.
    """

    def __init__(self, specs: list[ShardSpec]):
        self._spec_of = {i: spec for spec in specs for i in spec.indices}
        self._pending: dict[str, dict[int, tuple[dict, dict]]] = {}

    def add(self, index: int, row: dict, info: dict) -> tuple[ShardSpec, list[dict], list[dict]] | None:
        """Add the row (and its generation info) of sample `index`.

        Returns:
            (spec, rows in index order, infos in index order) when this row completed a shard, else None.
        """
        spec = self._spec_of[index]
        bucket = self._pending.setdefault(spec.path, {})
        bucket[index] = (row, info)
        if len(bucket) < len(spec.indices):
            return None
        del self._pending[spec.path]
        return spec, [bucket[i][0] for i in spec.indices], [bucket[i][1] for i in spec.indices]
