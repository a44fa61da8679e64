"""Python API: an iterator of samples and a function that writes a dataset. The CLI only wraps these."""
from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.pipeline import Sample, SampleFactory


def generate_samples(config: GenerateConfig | None = None, seed: int | None = None, start: int = 0,
                     stop: int | None = None) -> Iterator[Sample]:
    """Iterate over samples start, start+1, ... of a run (forever when `stop` is None).

    Args:
        config: run config (defaults: the six bundled languages, multi_column).
        seed: overrides config.seed.
        start, stop: index range.

    Raises:
        SynthdocError: invalid config, unknown language, missing font, unreadable corpus (before any sample).
    """
    cfg = config or GenerateConfig()
    if seed is not None:
        cfg = GenerateConfig(**{**cfg.to_dict(), "seed": seed})
    return SampleFactory(cfg).samples(start, stop)


@dataclass
class WriteSummary:
    """What a run wrote: pages, shards, retries, paragraphs skipped for font coverage, wall time (s)."""

    out: str
    pages: int
    shards: int
    retries: int
    skipped_for_coverage: int
    wall_s: float
    counts: dict = field(default_factory=dict)

    def line(self) -> str:
        rate = self.pages / self.wall_s if self.wall_s else 0.0
        return (f"wrote {self.pages} pages in {self.shards} shards to {self.out} "
                f"({self.retries} retries, {self.skipped_for_coverage} texts skipped for coverage, "
                f"{self.wall_s:.1f} s, {rate:.2f} pages/s)")


def check_output_dir(out: Path, overwrite: bool) -> None:
    """Create `out` and make sure it is writable and holds no dataset (unless `overwrite`).

    Raises:
        SynthdocError: not writable, or a dataset is already there.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".synthdoc-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise SynthdocError(f"cannot write to output folder {str(out)!r}: {e.strerror}; choose a writable --out") from None
    if not overwrite and any((out / "data").glob("*/*.parquet")):
        raise SynthdocError(f"{out} already holds a dataset; choose another --out or pass --overwrite")


def write_dataset(config: GenerateConfig, out: str | os.PathLike, *, overwrite: bool = False,
                  progress: Callable[[int], None] | None = None) -> WriteSummary:
    """Generate config.pages pages and write them as Parquet shards with a dataset card.

    Args:
        config: run config.
        out: dataset folder (OUT/data/<lang>/<split>-NNNNN-of-NNNNN.parquet, OUT/README.md).
        overwrite: replace shards of an existing dataset in `out`.
        progress: called with the number of pages finished after each page.

    Raises:
        SynthdocError: bad config / language / font / corpus, or an unwritable `out` (before any work).
    """
    from synthdoc.parallel import generate_rows
    from synthdoc.writers.card import write_card
    from synthdoc.writers.parquet import DatasetWriter, ShardPlan

    cfg = config.validate()
    out = Path(out)
    factory = SampleFactory(cfg)  # validates languages, fonts, corpora, templates before work starts
    check_output_dir(out, overwrite)
    codes = [lang.code for lang in factory.languages]
    plan = ShardPlan.build(codes, cfg.pages, cfg.shard_size)
    writer = DatasetWriter(out, plan, cfg.split)
    t0 = time.perf_counter()
    stats: Counter = Counter()
    layouts: Counter = Counter()
    fonts: Counter = Counter()
    for n, (index, row, info) in enumerate(generate_rows(cfg, range(cfg.pages), cfg.workers, factory.corpora, factory), 1):
        writer.add(index, row)
        stats.update(info["stats"])
        layouts[info["layout"]] += 1
        used = info["fonts"]  # role -> face name, or a list of face names (scattered: one per phrase)
        for fam in set(used.values() if isinstance(used, dict) else used):
            fonts[fam] += 1
        if progress:
            progress(n)
    wall = time.perf_counter() - t0
    summary = WriteSummary(str(out), cfg.pages, len(writer.written), stats["retries"], stats["skipped_for_coverage"],
                           wall, plan.counts())
    corpora = {c: (factory.corpora[c].name, factory.corpora[c].license) for c in codes}
    write_card(out, counts=plan.counts(), split=cfg.split, config=cfg.to_dict(), corpora=corpora,
               layouts=layouts, fonts=fonts, summary=asdict(summary))
    return summary
