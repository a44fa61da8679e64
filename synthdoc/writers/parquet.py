"""Parquet shards in the Hugging Face layout: ``OUT/data/<config>/<split>-NNNNN-of-NNNNN.parquet``.

One row per page (schema in :mod:`synthdoc.writers.schema`). Image bytes are stored uncompressed (JPEG and
PNG are compressed already), other columns with zstd; row groups hold at most ``ROW_GROUP_BYTES`` of
images. A shard is written under a temporary name and renamed when complete.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from synthdoc.errors import SynthdocError
from synthdoc.pipeline import Sample, sample_meta_json
from synthdoc.types import quads_to_bboxes
from synthdoc.writers.schema import SCHEMA, schema_with_features

ROW_GROUP_BYTES = 64 * 1024 * 1024
_COMPRESSION = {name: "zstd" for name in SCHEMA.names if name != "image"}


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
    }


def shard_name(split: str, k: int, n: int) -> str:
    """``<split>-NNNNN-of-NNNNN.parquet`` (zero-based k)."""
    return f"{split}-{k:05d}-of-{n:05d}.parquet"


def write_shard(rows: list[dict], path: Path) -> None:
    """Write `rows` to `path` atomically (temporary name, then rename).

    Raises:
        SynthdocError: the folder is not writable.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    table = pa.Table.from_pylist(rows, schema=schema_with_features())
    image_bytes = sum(len(r["image"]["bytes"]) for r in rows) or 1
    per_group = max(1, int(len(rows) * ROW_GROUP_BYTES / image_bytes))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, tmp, row_group_size=per_group,
                       compression={**_COMPRESSION, "image.bytes": "NONE", "image.path": "zstd"})
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise SynthdocError(f"cannot write shard {path}: {e.strerror}; choose a writable --out folder") from None


@dataclass
class ShardPlan:
    """Which sample indices go to which shard of which config.

    Attributes:
        shards: config -> list of index lists, one per shard, in index order.
    """

    shards: dict[str, list[list[int]]] = field(default_factory=dict)

    @classmethod
    def build(cls, languages: list[str], pages: int, shard_size: int) -> "ShardPlan":
        """Sample i belongs to languages[i % len(languages)]; each language's indices are cut into shards."""
        plan = cls()
        for li, code in enumerate(languages):
            idx = list(range(li, pages, len(languages)))
            n = max(1, math.ceil(len(idx) / shard_size)) if idx else 0
            plan.shards[code] = [idx[k * shard_size:(k + 1) * shard_size] for k in range(n)]
        return plan

    def counts(self) -> dict[str, int]:
        return {c: sum(len(s) for s in shards) for c, shards in self.shards.items()}


class DatasetWriter:
    """Collects rows in index order and writes each shard as soon as it is complete.

    Args:
        out: dataset folder.
        plan: the shard plan.
        split: split name.
    """

    def __init__(self, out: Path, plan: ShardPlan, split: str = "train"):
        self.out, self.plan, self.split = Path(out), plan, split
        self._where: dict[int, tuple[str, int]] = {}
        for code, shards in plan.shards.items():
            for k, idx in enumerate(shards):
                for i in idx:
                    self._where[i] = (code, k)
        self._pending: dict[tuple[str, int], dict[int, dict]] = {}
        self.written: list[Path] = []

    def path(self, code: str, k: int) -> Path:
        return self.out / "data" / code / shard_name(self.split, k, len(self.plan.shards[code]))

    def add(self, index: int, row: dict) -> Path | None:
        """Add the row of sample `index`; returns the shard path when this row completed a shard."""
        code, k = self._where[index]
        bucket = self._pending.setdefault((code, k), {})
        bucket[index] = row
        want = self.plan.shards[code][k]
        if len(bucket) == len(want):
            path = self.path(code, k)
            write_shard([bucket[i] for i in want], path)
            del self._pending[(code, k)]
            self.written.append(path)
            return path
        return None
