"""Python API: an iterator of samples and a function that writes a dataset. The CLI only wraps these."""
from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from synthdoc.config import GenerateConfig
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
    already_complete: int = 0  # shards a resumed run found complete

    def line(self) -> str:
        if self.already_complete and not self.shards:
            return (f"nothing to do: {self.out} already holds all {sum(self.counts.values())} pages "
                    f"in {self.already_complete} shards")
        rate = self.pages / self.wall_s if self.wall_s else 0.0
        resumed = f", {self.already_complete} shards were already complete" if self.already_complete else ""
        return (f"wrote {self.pages} pages in {self.shards} shards to {self.out} "
                f"({self.retries} retries, {self.skipped_for_coverage} texts skipped for coverage, "
                f"{self.wall_s:.1f} s, {rate:.2f} pages/s{resumed})")


def write_dataset(config: GenerateConfig, out: str | os.PathLike, *, overwrite: bool = False, resume: bool = False,
                  backend: str = "local", address: str | None = None,
                  progress: Callable[[int], None] | None = None) -> WriteSummary:
    """Generate config.pages pages and write them as Parquet shards with a run manifest and a dataset card.

    Args:
        config: run config.
        out: dataset folder or fsspec URL (OUT/data/<lang>/<split>-NNNNN-of-NNNNN.parquet, OUT/README.md,
            OUT/synthdoc-manifest.json).
        overwrite: replace an existing dataset in `out`.
        resume: complete the interrupted run in `out` (same config and seed); nothing happens when it is finished.
        backend: "local" (process pool of config.workers) or "ray" (one Ray task per shard); same bytes.
        address: Ray cluster address for backend "ray" (None: the Ray already initialised, or a local one).
        progress: called with the number of pages finished (including those of a resumed run) as they finish.

    Raises:
        SynthdocError: bad config / language / font / corpus, an unwritable `out`, an existing dataset without
            `overwrite` or `resume`, a `resume` of another run, Ray missing or unreachable (before any work).
    """
    from synthdoc.parallel import check_backend, write_shards
    from synthdoc.writers.card import CARD_NAME, write_card
    from synthdoc.writers.manifest import RunManifest, open_run
    from synthdoc.writers.storage import Storage

    cfg = config.validate()
    check_backend(backend, address)
    factory = SampleFactory(cfg)  # validates languages, fonts, corpora, templates before work starts
    codes = [lang.code for lang in factory.languages]
    corpora = {c: (factory.corpora[c].name, factory.corpora[c].license) for c in codes}
    storage = Storage(out)
    run = open_run(storage, RunManifest.new(cfg.to_dict(), codes, corpora), overwrite=overwrite, resume=resume)
    todo = run.pending()
    already = len(run.shards) - len(todo)
    t0 = time.perf_counter()
    stats: Counter = Counter()
    done_pages = [sum(len(s.indices) for s in run.shards if s.path in run.completed)]

    def advance(n: int) -> None:
        done_pages[0] += n
        if progress:
            progress(done_pages[0])

    if todo or not run.finished or not storage.exists(CARD_NAME):  # a deleted card is written again
        for spec, record in write_shards(cfg, storage, todo, corpora=factory.corpora, backend=backend,
                                         workers=cfg.workers, address=address, factory=factory, on_pages=advance):
            run.completed[spec.path] = record
            run.save(storage)
            stats.update(retries=record.retries, skipped_for_coverage=record.skipped_for_coverage)
        write_card(storage, run)
        run.finished = True
        run.save(storage)
    return WriteSummary(str(out), sum(len(s.indices) for s in todo), len(todo), stats["retries"],
                        stats["skipped_for_coverage"], time.perf_counter() - t0, run.counts(), already)


def validate(dataset_dir: str | os.PathLike, *, out: str | os.PathLike | None = None, **options):
    """Read back every line of (a sample of) a dataset with a reference OCR engine and report NED.

    Runs :func:`synthdoc.ocr.validate.validate` (same keyword options: engine, sample, seed, device, detect,
    max_ned, report_dir, batch_size, worst, nemotron_dir, workers, progress) and, with `max_ned` and `out`, writes
    the filtered copy of the kept pages to `out` (:func:`synthdoc.writers.filtered.filter_dataset`; `out` is
    checked before any work). Returns the :class:`~synthdoc.ocr.validate.ValidationResult` (report dict, report
    folder, NED per page, keep-list).

    Raises:
        SynthdocError: bad folder or options, an unusable `out`, or an engine that cannot start (before any work).
    """
    from synthdoc.ocr.pages import list_shards
    from synthdoc.ocr.validate import check_options, validate as _validate
    from synthdoc.writers.filtered import check_output_dir, filter_dataset as _filter

    dataset_dir = Path(dataset_dir)
    if out is not None:
        list_shards(dataset_dir)
        check_options(options.get("sample"), options.get("max_ned"), out)
        check_output_dir(Path(out), dataset_dir)
    result = _validate(dataset_dir, out=out, **options)
    if out is not None:
        r, max_ned = result.report, options["max_ned"]
        note = (f"Rows whose mean line NED read by the `{r['engine']}` reference OCR engine is above {max_ned} were "
                f"dropped by `synthdoc validate --filter {max_ned}`: {len(result.keep)} of {r['pages']} rows "
                f"kept from `{dataset_dir}`.")
        _filter(dataset_dir, out, result.keep, note)
    return result


def filter_dataset(dataset_dir: str | os.PathLike, out: str | os.PathLike, keep, note: str = ""):
    """Write a copy of a dataset holding only the rows whose id is in `keep` (ids, or a keep-list file path).

    A thin wrapper of :func:`synthdoc.writers.filtered.filter_dataset`; returns its FilterSummary.

    Raises:
        SynthdocError: no shards in `dataset_dir`, an unreadable keep-list, or an unusable `out`.
    """
    from synthdoc.ocr.filter import read_keep_list
    from synthdoc.writers.filtered import filter_dataset as _filter

    if isinstance(keep, (str, os.PathLike)):
        keep = read_keep_list(keep)
    return _filter(dataset_dir, out, keep, note)
