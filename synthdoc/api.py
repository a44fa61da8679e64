"""Python API: an iterator of samples and a function that writes a dataset. The CLI only wraps these."""
from __future__ import annotations

import os
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from synthdoc.config import GenerateConfig, check_index_range, check_run_config
from synthdoc.errors import SynthdocError, SynthdocWarning
from synthdoc.pipeline import Sample, SampleFactory


def generate_samples(config: GenerateConfig | None = None, seed: int | None = None, start: int = 0,
                     stop: int | None = None) -> Iterator[Sample]:
    """Iterate over samples start, start+1, ... of a run (forever when `stop` is None).

    Args:
        config: run config (defaults: the six bundled languages, multi_column).
        seed: overrides config.seed.
        start, stop: index range.

    Raises:
        SynthdocError: invalid config, seed or index range, unknown language, missing font, unreadable corpus
            (before any sample).
    """
    cfg = check_run_config(config, seed)
    check_index_range(start, stop)
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
    card_written: bool = False  # this call wrote the dataset card (again)

    def line(self) -> str:
        if self.already_complete and not self.shards:
            what = "wrote the dataset card again" if self.card_written else "nothing to do"
            return (f"{what}: {self.out} already holds all {sum(self.counts.values())} pages "
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

    With `overwrite` over an existing dataset, the new run is written beside the old one, into the hidden folder
    ``OUT/.synthdoc-overwrite/``, and replaces the old dataset only once it is complete (old shards of another
    plan deleted, new shards, card and manifest moved in, manifest last). A run that fails or is interrupted
    leaves the old dataset byte-identical (the staging folder is removed; after a SIGKILL it stays and the next
    ``--overwrite`` of the same run continues it).

    Args:
        config: run config.
        out: dataset folder or fsspec URL (OUT/data/<lang>/<split>-NNNNN-of-NNNNN.parquet, OUT/README.md,
            OUT/synthdoc-manifest.json).
        overwrite: replace an existing dataset in `out` (see above).
        resume: complete the interrupted run in `out` (same config and seed); nothing happens when it is finished.
        backend: "local" (process pool of config.workers, at most one per page to make) or "ray" (one Ray task
            per shard, at most one CPU per shard); same bytes.
        address: Ray cluster address for backend "ray" (None: the Ray already initialised, or a local one).
        progress: called with the number of pages finished (including those of a resumed run) as they finish.

    Raises:
        SynthdocError: bad arguments, config, language, font or corpus, an unwritable `out`, an existing dataset
            without `overwrite` or `resume`, a `resume` of another run, Ray missing or unreachable (all before any
            work); a sample that cannot be made or a worker process that died (during the run).
    """
    from synthdoc.parallel import check_backend
    from synthdoc.writers.manifest import RunManifest, open_run
    from synthdoc.writers.storage import Storage

    cfg = _check_write_args(config, out, overwrite, resume, progress)
    check_backend(backend, address)
    factory = SampleFactory(cfg)  # validates languages, fonts, corpora, templates before work starts
    codes = [lang.code for lang in factory.languages]
    corpora = {c: (factory.corpora[c].name, factory.corpora[c].license) for c in codes}
    storage = Storage(out)
    fresh = RunManifest.new(cfg.to_dict(), codes, corpora)
    storage.check_writable()
    if not (overwrite and _holds_dataset(storage)):
        run = open_run(storage, fresh, overwrite=overwrite, resume=resume)
        return _write_run(cfg, storage, run, factory, backend, address, progress, str(out))
    staging = storage.child(STAGING)
    try:
        run = _open_staging(storage, staging, fresh)
        summary = _write_run(cfg, staging, run, factory, backend, address, progress, str(out))
    except BaseException:
        storage.remove_tree(STAGING)  # the old dataset was not touched
        raise
    _replace_with_staged(storage, run)
    return summary


STAGING = ".synthdoc-overwrite"  # where --overwrite writes the new run before it replaces the old one


def _check_write_args(config, out, overwrite, resume, progress) -> GenerateConfig:
    """The validated config after checking write_dataset's other arguments.

    Raises:
        SynthdocError: a config that is not a GenerateConfig, `out` not a path or URL, both `overwrite` and
            `resume`, `progress` not callable, an invalid config.
    """
    if not isinstance(out, (str, os.PathLike)) or not str(out).strip():
        raise SynthdocError(f"out must be a folder path or fsspec URL, got {out!r}")
    if overwrite and resume:
        raise SynthdocError("overwrite and resume exclude each other; pass one of them")
    if progress is not None and not callable(progress):
        raise SynthdocError(f"progress must be a function of the pages done, got {type(progress).__name__}")
    return check_run_config(config)


def _holds_dataset(storage) -> bool:
    from synthdoc.writers.manifest import MANIFEST_NAME

    return storage.exists(MANIFEST_NAME) or bool(storage.glob("data/*/*.parquet"))


def _open_staging(storage, staging, fresh):
    """The run to write into the staging folder: the one a SIGKILLed ``--overwrite`` of the same run left there,
    else `fresh` in an emptied staging folder."""
    from synthdoc.writers.manifest import RunManifest, open_run

    try:
        old = RunManifest.load(staging)
    except SynthdocError:
        old = None
    if old is not None and fresh.difference(old) is None:
        return open_run(staging, fresh, resume=True)
    storage.remove_tree(STAGING)
    return open_run(staging, fresh)


def _replace_with_staged(storage, run) -> None:
    """Replace the dataset in `storage` with the complete run in its staging folder: the old manifest first (so
    an interruption here never leaves a manifest that describes other files), old shards of another plan, then
    the new shards, the card and the manifest are moved in; the staging folder is removed."""
    from synthdoc.writers.card import CARD_NAME
    from synthdoc.writers.manifest import MANIFEST_NAME
    from synthdoc.writers.parquet import SHARD_NAME_RE

    storage.remove(MANIFEST_NAME)
    planned = {s.path for s in run.shards}
    for p in storage.glob("data/*/*.parquet"):
        if SHARD_NAME_RE.fullmatch(p.rsplit("/", 1)[-1]) and p not in planned:
            storage.remove(p)
    for rel in [*sorted(run.completed), CARD_NAME, MANIFEST_NAME]:
        storage.move(f"{STAGING}/{rel}", rel)
    storage.remove_tree(STAGING)


def _pool_size(cfg: GenerateConfig, backend: str, todo: list) -> int:
    """Workers worth starting: at most one per page to make (local) or per shard (Ray); a SynthdocWarning when
    more local workers than CPUs are asked for."""
    limit = len(todo) if backend == "ray" else sum(len(s.indices) for s in todo)
    workers = max(1, min(cfg.workers, limit))
    cpus = os.cpu_count() or 1
    if backend == "local" and workers > cpus:
        warnings.warn(SynthdocWarning(f"--workers {workers} is more than the {cpus} CPUs of this machine; the run "
                                      f"will not be faster than with --workers {cpus}"), stacklevel=3)
    return workers


def _write_run(cfg: GenerateConfig, storage, run, factory, backend: str, address: str | None,
               progress: Callable[[int], None] | None, out: str) -> WriteSummary:
    """Make and write the pending shards of `run` into `storage`, then the card; the summary of this call."""
    from synthdoc.parallel import write_shards
    from synthdoc.writers.card import CARD_NAME, write_card

    todo = run.pending()
    already = len(run.shards) - len(todo)
    t0 = time.perf_counter()
    stats: Counter = Counter()
    done_pages = [sum(len(s.indices) for s in run.shards if s.path in run.completed)]

    def advance(n: int) -> None:
        done_pages[0] += n
        if progress:
            progress(done_pages[0])

    card = False
    if todo or not run.finished or not storage.exists(CARD_NAME):  # a deleted card is written again
        for spec, record in write_shards(cfg, storage, todo, corpora=factory.corpora, backend=backend,
                                         workers=_pool_size(cfg, backend, todo), address=address, factory=factory,
                                         on_pages=advance):
            run.completed[spec.path] = record
            run.save(storage)
            stats.update(retries=record.retries, skipped_for_coverage=record.skipped_for_coverage)
        write_card(storage, run)
        card = True
        run.finished = True
        run.save(storage)
    return WriteSummary(out, sum(len(s.indices) for s in todo), len(todo), stats["retries"],
                        stats["skipped_for_coverage"], time.perf_counter() - t0, run.counts(), already, card)


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
    from synthdoc.dataset import open_dataset
    from synthdoc.ocr.validate import check_options, validate as _validate
    from synthdoc.writers.filtered import check_output_dir, filter_dataset as _filter

    dataset_dir = Path(dataset_dir)
    if out is not None:
        open_dataset(dataset_dir, verify=False)  # names, manifest file set and row counts; hashes when validating
        check_options(options.get("sample"), options.get("max_ned"), out, options.get("batch_size"))
        check_output_dir(Path(out), dataset_dir)
    result = _validate(dataset_dir, out=out, **options)
    if out is not None:
        r, max_ned = result.report, options["max_ned"]
        note = (f"Rows whose mean line NED read by the `{r['engine']}` reference OCR engine is above {max_ned} were "
                f"dropped by `synthdoc validate --filter {max_ned}`: {len(result.keep)} of {r['pages']} rows "
                f"kept from `{dataset_dir}`.")
        _filter(dataset_dir, out, result.keep, note, verify=False)  # checked when validation opened it
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
