"""Filtered copies of a dataset (drop pages too degraded to train on, e.g. by ``synthdoc validate --filter``).

A filtered copy has the same layout as the source
(``OUT/data/<config>/<split>-NNNNN-of-NNNNN.parquet``, same schema and Hugging Face features metadata, image
bytes stored uncompressed and other columns with zstd) and a copy of the source's dataset card whose row
counts and sizes are updated and which gains a "Filtering" section. Shards left empty are not written; the
others are renumbered so ``-of-NNNNN`` stays right. Shards are written under temporary names and renamed.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from synthdoc.dataset import open_dataset
from synthdoc.errors import SynthdocError
from synthdoc.writers.parquet import encode_shard, shard_name
from synthdoc.writers.storage import Storage


@dataclass
class FilterSummary:
    """What a filtered copy holds: rows kept and dropped, per config kept rows, shards written."""

    out: str
    kept: int
    dropped: int
    counts: dict
    shards: int


def check_output_dir(out: Path, src: Path) -> None:
    """Create `out` and make sure it is writable, is not `src` and holds no dataset.

    Raises:
        SynthdocError: naming the problem and the fix.
    """
    if out.resolve() == src.resolve():
        raise SynthdocError(f"--out {out} is the dataset being filtered; choose a new folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".synthdoc-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise SynthdocError(f"cannot write to output folder {str(out)!r}: {e.strerror}; choose a writable --out") from None
    if any(out.glob("data/*/*.parquet")):
        raise SynthdocError(f"{out} already holds a dataset; choose another --out for the filtered copy")


def _update_config_tables(body: str, cells: dict[str, dict[str, str]]) -> str:
    """In every Markdown table whose first column is "config", set the cells of the columns named in
    `cells[config]` (e.g. rows, shards, MB) on the rows of those configs."""
    out, header = [], None
    for line in body.split("\n"):
        parts = [p.strip() for p in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if parts is None:
            header = None
        elif parts[0] == "config":
            header = parts
        elif header and parts[0] in cells and len(parts) == len(header):
            parts = [cells[parts[0]].get(name, value) for name, value in zip(header, parts)]
            line = "| " + " | ".join(parts) + " |"
        out.append(line)
    return "\n".join(out)


def _update_card(src: Path, out: Path, counts: dict[str, int], split: str, note: str) -> None:
    """Copy src/README.md to out/README.md with row counts, sizes and configs updated and `note` appended."""
    sizes: dict[str, int] = {}
    for f in out.glob(f"data/*/{split}-*.parquet"):
        sizes[f.parent.name] = sizes.get(f.parent.name, 0) + f.stat().st_size
    sizes["all"] = sum(sizes.values())
    rows = {**counts, "all": sum(counts.values())}
    try:
        text = (src / "README.md").read_text(encoding="utf-8")
    except OSError:
        text = ""
    header, body = {}, text
    parts = text.split("---\n", 2) if text.startswith("---\n") else []
    if len(parts) == 3:
        header, body = yaml.safe_load(parts[1]) or {}, parts[2]
    keep_configs = {c for c, n in rows.items() if n}
    header["configs"] = [c for c in header.get("configs", []) if c.get("config_name") in keep_configs] or [
        {"config_name": "all", "data_files": [{"split": split, "path": f"data/*/{split}-*.parquet"}]}]
    info = [i for i in header.get("dataset_info", []) if i.get("config_name") in keep_configs]
    for item in info:
        c = item["config_name"]
        item["splits"] = [{"name": split, "num_bytes": sizes.get(c, 0), "num_examples": rows[c]}]
        item["download_size"] = item["dataset_size"] = sizes.get(c, 0)
    if info:
        header["dataset_info"] = info

    shards = Counter(f.parent.name for f in out.glob(f"data/*/{split}-*.parquet"))
    shards["all"] = sum(shards.values())
    cells = {c: {"rows": str(rows[c]), "shards": str(shards.get(c, 0)), "MB": f"{sizes.get(c, 0) / 1e6:.1f}"}
             for c in rows}
    body = _update_config_tables(body, cells)
    card = "---\n" + yaml.safe_dump(header, sort_keys=False, allow_unicode=True) + "---\n" + body.rstrip("\n")
    note += (" Row counts and sizes in this card are those of the filtered copy; other statistics (layouts, "
             "augmentation, fonts) describe the source run.")
    (out / "README.md").write_text(card + "\n\n## Filtering\n\n" + note + "\n", encoding="utf-8")


def filter_dataset(src: str | os.PathLike, out: str | os.PathLike, keep: Iterable[str], note: str = "", *,
                   verify: bool = True) -> FilterSummary:
    """Write a copy of dataset `src` to `out` holding only the rows whose id is in `keep`.

    Args:
        src: source dataset folder (written by ``synthdoc generate``).
        out: new folder; it must not hold a dataset already and must not be `src`.
        keep: row ids to keep (e.g. :func:`synthdoc.ocr.filter.read_keep_list`).
        note: text for the card's "Filtering" section (what was dropped and why).
        verify: compare shard SHA-256 sums with the source's manifest (:func:`synthdoc.dataset.open_dataset`).

    Returns:
        A :class:`FilterSummary`.

    Raises:
        SynthdocError: `src` holds no shards, `out` is `src`, holds a dataset, or is not writable.
    """
    src, out = Path(src), Path(out)
    ds = open_dataset(src, verify=verify)
    check_output_dir(out, src)
    keep_ids = pa.array(sorted(set(keep)), pa.string())
    by_config: dict[tuple[str, str], list[pa.Table]] = {}
    total = 0
    for shard in ds.shards:
        table = ds.read_table(shard)
        total += table.num_rows
        kept = table.filter(pc.is_in(table.column("id"), value_set=keep_ids))
        by_config.setdefault((shard.config, shard.split), [])
        if kept.num_rows:
            by_config[(shard.config, shard.split)].append(kept)
    counts: dict[str, int] = {}
    n_shards = 0
    storage = Storage(out)
    for (config, split), tables in by_config.items():
        counts[config] = counts.get(config, 0) + sum(t.num_rows for t in tables)
        for k, table in enumerate(tables):
            storage.write_bytes(f"data/{config}/{shard_name(split, k, len(tables))}", encode_shard(table.to_pylist()))
            n_shards += 1
    kept_total = sum(counts.values())
    splits = sorted({split for _, split in by_config}) or ["train"]
    _update_card(src, out, counts, splits[0], note or f"Filtered copy of `{src}`: {kept_total} of {total} rows kept.")
    return FilterSummary(str(out), kept_total, total - kept_total, counts, n_shards)
