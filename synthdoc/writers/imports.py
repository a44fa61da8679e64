"""``synthdoc import``: turn another dataset layout into a synthdoc dataset folder (Parquet shards in the Hugging
Face layout, run manifest, dataset card), so it can be previewed, validated, filtered, mixed and pushed like a
generated one.

Formats (:data:`IMPORTERS`): ``nemotron``, the HDF5 layout of nvidia/OCR-Synthetic-Multilingual-v1
(:mod:`synthdoc.writers.exports.nemotron`): ``H5_FOLDER/<language folder>/<split>/*.h5``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from synthdoc.errors import SynthdocError

SHARD_ROWS = 1000


@dataclass
class ImportSummary:
    """What an import wrote: format, dataset folder, pages, shards."""

    format: str
    out: str
    pages: int
    shards: int

    def line(self) -> str:
        return f"imported {self.pages} pages ({self.format}) into {self.out} ({self.shards} shards)"


def nemotron_files(folder: Path, split: str | None) -> tuple[str, dict[str, list[Path]]]:
    """(split, {canonical language code: sorted .h5 files}) of a Nemotron-layout folder.

    Raises:
        SynthdocError: no ``<language>/<split>/*.h5`` files, or several splits and `split` not given.
    """
    from synthdoc.writers.exports.nemotron import FOLDER_LANGS

    found: dict[str, dict[str, list[Path]]] = {}
    for path in sorted(folder.glob("*/*/*.h5")):
        lang_dir, split_dir = path.parent.parent.name, path.parent.name
        found.setdefault(split_dir, {}).setdefault(FOLDER_LANGS.get(lang_dir, lang_dir), []).append(path)
    if not found:
        raise SynthdocError(f"no <language>/<split>/*.h5 files under {folder}; pass the folder that holds the "
                            "language folders (en, ja, ...)")
    if split is None:
        if len(found) > 1:
            raise SynthdocError(f"{folder} holds the splits {', '.join(sorted(found))}; choose one with --split")
        split = next(iter(found))
    if split not in found:
        raise SynthdocError(f"{folder} has no split {split!r}; it holds {', '.join(sorted(found))}")
    return split, found[split]


def _manifest(split: str, counts: dict[str, int], shard_rows: int, source: str):
    """A finished-run manifest describing imported shards (indices = positions in import order per language)."""
    from synthdoc.writers.manifest import RunManifest
    from synthdoc.writers.parquet import ShardSpec, shard_name

    counts = {c: n for c, n in counts.items() if n}
    shards = []
    for code, n in counts.items():
        k_total = max(1, -(-n // shard_rows))
        shards += [ShardSpec(code, f"data/{code}/{shard_name(split, k, k_total)}",
                             range(k * shard_rows, min(n, (k + 1) * shard_rows))) for k in range(k_total)]
    config = {"seed": 0, "split": split, "pages": sum(counts.values()), "shard_size": shard_rows,
              "imported_from": source, "format": "nemotron"}
    corpora = {c: {"name": f"imported from {source} (Nemotron HDF5 layout)",
                   "license": "that of the source (nvidia/OCR-Synthetic-Multilingual-v1: CC-BY-4.0)"} for c in counts}
    return RunManifest(config, list(counts), corpora, shards)


def _count(files: list[Path]) -> int:
    import h5py

    total = 0
    for path in files:
        with h5py.File(path, "r") as f:
            total += f["images"].shape[0] if "images" in f else 0
    return total


def _write_language(storage, run, code: str, files: list[Path], base: Path) -> None:
    """Write one language's shards (as planned in `run`) and record each in ``run.completed``."""
    from synthdoc.writers.exports.nemotron import read_file, to_row
    from synthdoc.writers.manifest import ShardRecord
    from synthdoc.writers.parquet import encode_shard

    specs = iter([s for s in run.shards if s.config == code])
    spec = next(specs, None)
    rows: list[dict] = []

    def flush() -> None:
        data = encode_shard(rows)
        storage.write_bytes(spec.path, data)
        infos = [{"layout": r["layout"], "fonts": [], "augment": None} for r in rows]
        run.completed[spec.path] = ShardRecord.from_infos(infos, _sha256(data), len(data))
        rows.clear()

    for path in files:
        for sample in read_file(path):
            rows.append(to_row(sample, code, str(path.relative_to(base))))
            if len(rows) == len(spec.indices):
                flush()
                spec = next(specs, None)


def import_dataset(src: str | os.PathLike, out: str | os.PathLike, fmt: str = "nemotron", *,
                   split: str | None = None, shard_rows: int = SHARD_ROWS) -> ImportSummary:
    """Convert a folder in another layout into a synthdoc dataset folder at `out`.

    Args:
        src: the source folder (for ``nemotron``: the folder holding ``en/``, ``ja/``, ...).
        out: new dataset folder (must not hold a dataset).
        fmt: one of :data:`IMPORTERS`.
        split: which split to import when `src` holds several.
        shard_rows: rows per Parquet shard.

    Raises:
        SynthdocError: unknown format, nothing to import, `out` already holding a dataset or not writable, or a
            file whose annotations do not follow the layout.
    """
    if fmt not in IMPORTERS:
        raise SynthdocError(f"unknown import format {fmt!r}; use one of {', '.join(IMPORTERS)}")
    from synthdoc.writers.card import write_card
    from synthdoc.writers.manifest import RunManifest
    from synthdoc.writers.storage import Storage

    base = Path(src)
    split, by_lang = nemotron_files(base, split)
    storage = Storage(out)
    storage.check_writable()
    if RunManifest.load(storage) is not None or storage.glob("data/*/*.parquet"):
        raise SynthdocError(f"{out} already holds a dataset; choose a new --out for the import")
    run = _manifest(split, {c: _count(files) for c, files in by_lang.items()}, shard_rows, base.name)
    try:
        for code, files in by_lang.items():
            _write_language(storage, run, code, files, base)
    except (ValueError, KeyError, TypeError) as e:
        raise SynthdocError(f"cannot import {src}: {e}; it does not follow the Nemotron HDF5 layout") from None
    write_card(storage, run)
    run.finished = True
    run.save(storage)
    return ImportSummary(fmt, str(out), sum(r.rows for r in run.completed.values()), len(run.shards))


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


IMPORTERS = {"nemotron": import_dataset}
