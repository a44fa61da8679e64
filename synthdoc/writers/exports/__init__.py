"""Exports of a written dataset to the label formats OCR toolkits read: HierText JSONL, PAGE-XML 2019,
PaddleOCR detection / recognition labels, ICDAR 2015 text files, the Nemotron HDF5 layout, docTR detection /
recognition sets (one module per format).

Registry: a module of this package registers its writer class with :func:`register_format`; :func:`formats`
imports every module of the package once (``pkgutil``), so adding a format is one new file (copy
``icdar2015.py``) plus its test. A writer is built as ``Writer(out_dir)``, gets ``add(split, row)`` for every
row (rows as in :mod:`synthdoc.writers.schema`) and ``close()`` returns the label files it wrote.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

from synthdoc.errors import SynthdocError
from synthdoc.dataset import open_dataset

_WRITERS: dict[str, type] = {}
_DISCOVERED: list[bool] = []


def register_format(name: str):
    """Class decorator registering an export writer as format `name` (the ``--format`` value).

    Raises:
        ValueError: `name` is already registered by another class.
    """
    def deco(cls: type) -> type:
        old = _WRITERS.get(name)
        if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
            raise ValueError(f"export format {name!r} is already registered by {old.__module__}.{old.__qualname__}")
        _WRITERS[name] = cls
        return cls
    return deco


def writers() -> dict[str, type]:
    """Registered writer classes by format name (sorted), after importing each module of the package once."""
    if not _DISCOVERED:
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        _DISCOVERED.append(True)
    return dict(sorted(_WRITERS.items()))


def formats() -> tuple[str, ...]:
    """Names of the registered export formats, sorted (``synthdoc export --format`` choices)."""
    return tuple(writers())


@dataclass
class ExportSummary:
    """What an export wrote: format, folder, pages, label files."""

    format: str
    out: str
    pages: int
    label_files: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"exported {self.pages} pages as {self.format} to {self.out} ({len(self.label_files)} label files)"


def export_dataset(dataset_dir: str | os.PathLike, fmt: str, out: str | os.PathLike, *,
                   verify: bool = True) -> ExportSummary:
    """Convert every row of a dataset folder to `fmt` under `out` (images copied byte for byte).

    The dataset is opened with :func:`synthdoc.dataset.open_dataset` (checked against its manifest; row ids,
    splits and config names must be safe file names) and every file is created new inside `out`.

    Args:
        dataset_dir: folder written by ``synthdoc generate``.
        fmt: one of :func:`formats`.
        out: export folder; must be empty or not exist.
        verify: compare shard SHA-256 sums with the manifest (False: CLI ``--no-verify``).

    Raises:
        SynthdocError: unknown format, a dataset that does not open or check, `out` not empty or not writable.
    """
    registered = writers()
    if fmt not in registered:
        raise SynthdocError(f"unknown export format {fmt!r}; use one of {', '.join(registered)}")
    ds = open_dataset(dataset_dir, verify=verify)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthdocError(f"{out} is not an empty folder; choose a new --out for the export")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SynthdocError(f"cannot create {out}: {e.strerror}; choose a writable --out") from None
    writer = registered[fmt](out)
    pages = 0
    for shard, row in ds.iter_rows():
        writer.add(shard.split, row)
        pages += 1
    return ExportSummary(fmt, str(out), pages, [str(p) for p in writer.close()])
