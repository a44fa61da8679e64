"""Exports of a written dataset to the label formats OCR toolkits read: HierText JSONL, PAGE-XML 2019,
PaddleOCR detection / recognition labels, ICDAR 2015 text files, the Nemotron HDF5 layout, docTR detection / recognition sets (one module per format)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from synthdoc.errors import SynthdocError
from synthdoc.writers.exports.common import dataset_shards, iter_rows
from synthdoc.writers.exports.doctr import DoctrWriter
from synthdoc.writers.exports.hiertext import HierTextWriter
from synthdoc.writers.exports.icdar2015 import Icdar2015Writer
from synthdoc.writers.exports.nemotron import NemotronWriter
from synthdoc.writers.exports.paddleocr import PaddleOcrWriter
from synthdoc.writers.exports.pagexml import PageXmlWriter

WRITERS = {"hiertext": HierTextWriter, "pagexml": PageXmlWriter, "paddleocr": PaddleOcrWriter,
           "icdar2015": Icdar2015Writer, "nemotron": NemotronWriter,
           "doctr": DoctrWriter}
FORMATS = tuple(WRITERS)


@dataclass
class ExportSummary:
    """What an export wrote: format, folder, pages, label files."""

    format: str
    out: str
    pages: int
    label_files: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"exported {self.pages} pages as {self.format} to {self.out} ({len(self.label_files)} label files)"


def export_dataset(dataset_dir: str | os.PathLike, fmt: str, out: str | os.PathLike) -> ExportSummary:
    """Convert every row of a dataset folder to `fmt` under `out` (images copied byte for byte).

    Args:
        dataset_dir: folder written by ``synthdoc generate``.
        fmt: one of :data:`FORMATS`.
        out: export folder; must be empty or not exist.

    Raises:
        SynthdocError: unknown format, no shards in `dataset_dir`, `out` not empty or not writable.
    """
    if fmt not in WRITERS:
        raise SynthdocError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    shards = dataset_shards(dataset_dir)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SynthdocError(f"{out} is not an empty folder; choose a new --out for the export")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SynthdocError(f"cannot create {out}: {e.strerror}; choose a writable --out") from None
    writer = WRITERS[fmt](out)
    pages = 0
    for split, row in iter_rows(shards):
        writer.add(split, row)
        pages += 1
    return ExportSummary(fmt, str(out), pages, [str(p) for p in writer.close()])
