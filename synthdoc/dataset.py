"""The read side: open a dataset written by ``synthdoc generate`` (a local folder or an fsspec URL), list its configs
and shards, check it against its run manifest, iterate its rows (only the columns asked for) and decode images.

``preview``, ``export``, ``validate``, ``filter`` and ``push`` all read through :func:`open_dataset`, so a dataset
from anywhere (the Hub) is checked the same way before anything is done with it:

* every shard is ``data/<config>/<split>-NNNNN-of-NNNNN.parquet`` with a safe config and split
  (:func:`synthdoc.names.safe_name`);
* with a manifest (``synthdoc-manifest.json``): the run is finished, the set of files under ``data/`` equals the
  manifest's completed shards (a missing or an extra file is refused), each shard's row count (Parquet footer)
  equals the manifest's and, unless ``verify=False`` (CLI ``--no-verify``), its SHA-256 too;
* without a manifest (e.g. a filtered copy, or a folder assembled by hand): the shards found are used, with the
  same name, footer and id checks; nothing is compared (there is nothing to compare with);
* row ids are unique and safe file names across the whole dataset (read from the ``id`` column only);
* a truncated or corrupt shard is a one-line :class:`SynthdocError`, never an Arrow traceback.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Iterator, Sequence

import cv2
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from synthdoc.errors import SynthdocError
from synthdoc.names import is_safe_name, safe_name
from synthdoc.writers.manifest import MANIFEST_NAME, RunManifest, sha256_of
from synthdoc.writers.parquet import SHARD_NAME_RE
from synthdoc.writers.storage import TMP_SUFFIX, Storage

BATCH_ROWS = 16
_HINT = "pass the folder given to `synthdoc generate --out`"


@dataclass(frozen=True)
class ShardFile:
    """One shard of a dataset.

    Attributes:
        path: dataset-relative path, ``data/<config>/<split>-NNNNN-of-NNNNN.parquet``.
        config: the config (language folder) name.
        split: the split name.
        rows: rows in the file (from its Parquet footer).
    """

    path: str
    config: str
    split: str
    rows: int


class Dataset:
    """A checked, opened dataset (use :func:`open_dataset`).

    Attributes:
        storage: where it lives.
        manifest: its run manifest, or None for a dataset without one.
        shards: its shards, sorted by path.
    """

    def __init__(self, storage: Storage, manifest: RunManifest | None, shards: list[ShardFile]):
        self.storage = storage
        self.manifest = manifest
        self.shards = shards

    @property
    def location(self) -> str:
        return self.storage.location

    @property
    def configs(self) -> list[str]:
        """Config (language folder) names, sorted."""
        return sorted({s.config for s in self.shards})

    @property
    def num_rows(self) -> int:
        return sum(s.rows for s in self.shards)

    def parquet_file(self, shard: ShardFile) -> pq.ParquetFile:
        """The shard opened with pyarrow.

        Raises:
            SynthdocError: the file is missing, truncated or not Parquet.
        """
        try:
            return pq.ParquetFile(self.storage.fs.open(self.storage.path(shard.path), "rb"))
        except (OSError, pa.ArrowException) as e:
            raise _damaged(self, shard.path, e) from None

    def read_table(self, shard: ShardFile, columns: Sequence[str] | None = None) -> pa.Table:
        """The whole shard (or `columns` of it) as a table.

        Raises:
            SynthdocError: the shard is damaged.
        """
        try:
            return self.parquet_file(shard).read(columns=list(columns) if columns else None)
        except (OSError, pa.ArrowException) as e:
            raise _damaged(self, shard.path, e) from None

    def iter_rows(self, columns: Sequence[str] | None = None, shards: Sequence[ShardFile] | None = None,
                  selected: Sequence[np.ndarray] | None = None) -> Iterator[tuple[ShardFile, dict]]:
        """(shard, row) of the rows, in shard and row order, reading one row group (or batch) at a time.

        Args:
            columns: columns to read (None: all).
            shards: which shards (default: all, in path order).
            selected: per shard of `shards`, sorted int64 row indices to read (None: every row).

        Raises:
            SynthdocError: a shard is damaged (raised when it is reached).
        """
        shards = list(self.shards if shards is None else shards)
        for k, shard in enumerate(shards):
            rows = None if selected is None else np.asarray(selected[k], np.int64)
            if rows is not None and not len(rows):
                continue
            try:
                yield from ((shard, r) for r in _shard_rows(self.parquet_file(shard), columns, rows))
            except (OSError, pa.ArrowException) as e:
                raise _damaged(self, shard.path, e) from None


def _shard_rows(pf: pq.ParquetFile, columns, rows: np.ndarray | None) -> Iterator[dict]:
    cols = list(columns) if columns else None
    if rows is None:
        for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=cols):
            yield from batch.to_pylist()
        return
    start = 0
    for g in range(pf.num_row_groups):
        n = pf.metadata.row_group(g).num_rows
        local = rows[(rows >= start) & (rows < start + n)] - start
        if len(local):
            yield from pf.read_row_group(g, columns=cols).take(local).to_pylist()
        start += n


def _damaged(ds: Dataset, path: str, e: BaseException) -> SynthdocError:
    reason = " ".join(str(e).split())[:160] or type(e).__name__
    return SynthdocError(f"{ds.location}/{path} is damaged ({reason}); delete it and run `synthdoc generate "
                         "--resume` with the same options, or fetch the dataset again")


def decode_image(row: dict) -> np.ndarray:
    """(H, W, 3) uint8 RGB page from a row's encoded image bytes.

    Raises:
        SynthdocError: the row has no image bytes, or they do not decode (a damaged shard).
    """
    image = row.get("image") if isinstance(row, dict) else None
    data = image.get("bytes") if isinstance(image, dict) else None
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise SynthdocError(f"row {row.get('id') if isinstance(row, dict) else None!r} has no image bytes; "
                            "the shard is damaged")
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise SynthdocError(f"row {row.get('id')!r}: image bytes do not decode; the shard is damaged")
    return np.ascontiguousarray(img[:, :, ::-1])


def _parse_shard_path(location: str, rel: str) -> tuple[str, str]:
    """(config, split) of ``data/<config>/<split>-NNNNN-of-NNNNN.parquet``.

    Raises:
        SynthdocError: any other path, or an unsafe config or split name.
    """
    parts = rel.split("/")
    m = SHARD_NAME_RE.fullmatch(parts[-1]) if len(parts) == 3 and parts[0] == "data" else None
    if m is None:
        raise SynthdocError(f"{location}/{rel} is not a shard (data/<config>/<split>-NNNNN-of-NNNNN.parquet); "
                            "remove it or fetch the dataset again")
    return safe_name(parts[1], f"config name in {rel}"), safe_name(m["split"], f"split in {rel}")


def _data_files(storage: Storage) -> list[str]:
    """Every file under ``data/`` (any depth), dataset-relative, sorted; only the temporary files of an interrupted
    write (``.<name>.<pid>.tmp``, :mod:`synthdoc.writers.storage`) are left out."""
    found = storage.glob("data/**")
    return sorted(p for p in found if not _is_tmp(p.rsplit("/", 1)[-1]) and storage.fs.isfile(storage.path(p)))


def _is_tmp(name: str) -> bool:
    return name.startswith(".") and name.endswith(TMP_SUFFIX)


def _footer_rows(storage: Storage, rel: str) -> int:
    try:
        with storage.fs.open(storage.path(rel), "rb") as f:
            return pq.ParquetFile(f).metadata.num_rows
    except (OSError, pa.ArrowException) as e:
        reason = " ".join(str(e).split())[:160] or type(e).__name__
        raise SynthdocError(f"{storage.location}/{rel} is damaged ({reason}); delete it and run `synthdoc generate "
                            "--resume` with the same options, or fetch the dataset again") from None


def _check_against_manifest(storage: Storage, manifest: RunManifest, files: list[str], verify: bool) -> None:
    where = storage.location
    if not manifest.finished or len(manifest.completed) != len(manifest.shards):
        raise SynthdocError(f"{where} holds an unfinished run ({len(manifest.completed)} of {len(manifest.shards)} "
                            "shards); complete it with `synthdoc generate --resume` and the same options first")
    listed = set(manifest.completed)
    for rel in files:
        if rel not in listed:
            raise SynthdocError(f"{where}/{rel} is not listed in {MANIFEST_NAME}; remove it or fetch the dataset again")
    for rel in sorted(listed):
        if rel not in files:
            raise SynthdocError(f"{where}/{rel} is missing (listed in {MANIFEST_NAME}); run `synthdoc generate "
                                "--resume` with the same options, or fetch the dataset again")
        if verify and sha256_of(storage, rel) != manifest.completed[rel].sha256:
            raise SynthdocError(f"{where}/{rel} does not match its checksum in {MANIFEST_NAME}; delete it and run "
                                "`synthdoc generate --resume` with the same options, or fetch the dataset again")


def open_dataset(location: str | os.PathLike, *, verify: bool = True, check_ids: bool = True) -> Dataset:
    """Open and check a dataset folder or fsspec URL (see the module docstring for what is checked).

    Args:
        location: the folder given to ``synthdoc generate --out`` (or a URL).
        verify: also compare every shard's SHA-256 with the manifest (reads every byte once).
        check_ids: read the ``id`` column and refuse duplicate or unsafe ids.

    Returns:
        The opened :class:`Dataset`.

    Raises:
        SynthdocError: no such folder, no shards, an unfinished run, a file not in (or missing from) the manifest,
            a row count or checksum that differs, a damaged shard, a duplicate or unsafe id, an unsafe name.
    """
    storage = Storage(location)
    if not storage.fs.isdir(storage.root):
        raise SynthdocError(f"dataset folder {storage.location!r} does not exist; {_HINT}")
    manifest = RunManifest.load(storage)
    files = _data_files(storage)
    if manifest is not None:
        _check_against_manifest(storage, manifest, files, verify)
    shards = []
    for rel in files:
        config, split = _parse_shard_path(storage.location, rel)
        rows = _footer_rows(storage, rel)
        if manifest is not None and rows != manifest.completed[rel].rows:
            raise SynthdocError(f"{storage.location}/{rel} holds {rows} rows, {MANIFEST_NAME} says "
                                f"{manifest.completed[rel].rows}; the dataset was edited or damaged, fetch it again")
        shards.append(ShardFile(rel, config, split, rows))
    if not shards:
        raise SynthdocError(f"no Parquet shards under {storage.location}/data; {_HINT}")
    ds = Dataset(storage, manifest, shards)
    if check_ids:
        _check_ids(ds)
    return ds


def _check_ids(ds: Dataset) -> None:
    """Refuse duplicate or unsafe row ids (one ``id`` column read per shard)."""
    seen: Counter = Counter()
    for shard in ds.shards:
        ids = ds.read_table(shard, ["id"]).column("id").to_pylist()
        for i in ids:
            if not is_safe_name(i):
                safe_name(i, f"row id in {shard.path}")
        seen.update(ids)
    dups = [i for i, n in seen.items() if n > 1]
    if dups:
        raise SynthdocError(f"{ds.location}: {len(dups)} row ids occur more than once (e.g. {dups[0]!r}); "
                            "the dataset was assembled wrongly, fetch or generate it again")
