"""On-the-fly training data: dataset rows made as they are read, never written to disk.

``synthdoc.stream(config, seed)`` yields the rows of a run forever (row i is byte for byte row i of
:func:`synthdoc.api.write_dataset` with the same config and seed); :func:`iterable_dataset` wraps it as a
Hugging Face ``datasets.IterableDataset`` with the dataset's typed features; for PyTorch see
:class:`synthdoc.torch_dataset.PageDataset`. Workers read disjoint, deterministic slices of sample indices
(:func:`worker_indices`), so the pages seen do not depend on timing.
"""
from __future__ import annotations

import itertools
from typing import Iterable, Iterator

from synthdoc.config import GenerateConfig, check_index_range, check_run_config
from synthdoc.errors import SynthdocError
from synthdoc.pipeline import SampleFactory
from synthdoc.writers.parquet import sample_to_row


def run_config(config: GenerateConfig | None, seed: int | None) -> GenerateConfig:
    """`config` (default: GenerateConfig()) with `seed` when given, validated.

    Raises:
        SynthdocError: an invalid config.
    """
    return check_run_config(config, seed)


def worker_indices(start: int, stop: int | None, worker: int, num_workers: int) -> Iterable[int]:
    """Sample indices of one worker: start + worker, start + worker + num_workers, ... below `stop`
    (forever when `stop` is None). The slices of workers 0 .. num_workers-1 are disjoint and together
    cover every index from `start`.

    Raises:
        ValueError: num_workers < 1 or worker outside [0, num_workers).
    """
    if num_workers < 1 or not 0 <= worker < num_workers:
        raise ValueError(f"worker {worker} of {num_workers}: need 0 <= worker < num_workers")
    if stop is None:
        return itertools.count(start + worker, num_workers)
    return range(start + worker, stop, num_workers)


def stream(config: GenerateConfig | None = None, seed: int | None = None, *, start: int = 0,
           stop: int | None = None, step: int = 1) -> Iterator[dict]:
    """Rows of samples start, start + step, ... of a run (forever when `stop` is None).

    Args:
        config: run config (default: the six bundled languages, multi_column).
        seed: overrides config.seed.
        start, stop, step: sample indices to make.

    Returns:
        An iterator of dataset rows (dicts as in :mod:`synthdoc.writers.schema`: ``image`` as
        {"bytes", "path"}, quads as nested lists of float32 values, ...).

    Raises:
        SynthdocError: invalid config, seed or index range, unknown language, missing font, unreadable corpus
            (at the call, before any row).
    """
    check_index_range(start, stop, step)
    factory = SampleFactory(run_config(config, seed))
    indices = itertools.count(start, step) if stop is None else range(start, stop, step)
    return (sample_to_row(factory.make(i)) for i in indices)


def _shard_rows(config: GenerateConfig, start: int, stop: int | None, num_shards: int,
                shards: list[int]) -> Iterator[dict]:
    """Rows of the index slices `shards` (of `num_shards`), interleaved round-robin (datasets generator)."""
    factory = SampleFactory(config)
    slices = [iter(worker_indices(start, stop, k, num_shards)) for k in shards]
    while slices:
        alive = []
        for it in slices:
            index = next(it, None)
            if index is not None:
                alive.append(it)
                yield sample_to_row(factory.make(index))
        slices = alive


def iterable_dataset(config: GenerateConfig | None = None, seed: int | None = None, *, start: int = 0,
                     stop: int | None = None, num_shards: int = 1):
    """A ``datasets.IterableDataset`` of the rows of a run, with the written dataset's features (Image,
    float32 quads), endless when `stop` is None.

    Args:
        config, seed: the run (as :func:`stream`).
        start, stop: sample index range.
        num_shards: index slices (:func:`worker_indices`); a torch DataLoader with W workers needs
            num_shards >= W, and datasets hands each worker whole slices.

    Raises:
        SynthdocError: an invalid config (languages, fonts and corpora are checked when iteration starts).
    """
    import datasets

    from synthdoc.writers.schema import FEATURES

    cfg = run_config(config, seed)
    check_index_range(start, stop)
    if not isinstance(num_shards, int) or isinstance(num_shards, bool) or num_shards < 1:
        raise SynthdocError(f"num_shards must be a positive integer, got {num_shards!r}")
    return datasets.IterableDataset.from_generator(
        _shard_rows, features=datasets.Features.from_dict(FEATURES),
        gen_kwargs={"config": cfg, "start": start, "stop": stop, "num_shards": num_shards,
                    "shards": list(range(num_shards))})
