"""Process-pool generation. Output is identical at any worker count: each sample is a pure function of
(config, seed, index), and results are consumed in index order."""
from __future__ import annotations

import multiprocessing as mp
from typing import Iterator, Sequence

from synthdoc.config import GenerateConfig
from synthdoc.text.sources import Corpus

_FACTORY = None


def _init_worker(cfg: GenerateConfig, corpora: dict[str, Corpus]) -> None:
    import cv2

    from synthdoc.pipeline import SampleFactory

    cv2.setNumThreads(1)
    global _FACTORY  # per worker process, set once by the pool initializer
    _FACTORY = SampleFactory(cfg, corpora=corpora)


def _make_row(index: int) -> tuple[int, dict, dict]:
    from synthdoc.writers.parquet import sample_to_row

    before = dict(_FACTORY.stats)
    sample = _FACTORY.make(index)
    delta = {k: _FACTORY.stats[k] - before.get(k, 0) for k in _FACTORY.stats}
    return index, sample_to_row(sample), {"stats": delta, "fonts": sample.meta.get("fonts", {}), "layout": sample.page.layout}


def generate_rows(cfg: GenerateConfig, indices: Sequence[int], workers: int,
                  corpora: dict[str, Corpus], factory=None) -> Iterator[tuple[int, dict, dict]]:
    """Yield (index, row, info) for each index, in the order of `indices`.

    Args:
        cfg: run config.
        indices: sample indices to make.
        workers: 1 = this process; more = a process pool (fork where available).
        corpora: loaded corpora (shared with workers so they do not reload Hub data).
        factory: an already built SampleFactory for `cfg`, reused when `workers` <= 1.
    """
    global _FACTORY  # the in-process "worker"
    if workers <= 1:
        if factory is None:
            _init_worker(cfg, corpora)
        else:
            import cv2

            cv2.setNumThreads(1)
            _FACTORY = factory
        for i in indices:
            yield _make_row(i)
        return
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    with ctx.Pool(workers, initializer=_init_worker, initargs=(cfg, corpora)) as pool:
        yield from pool.imap(_make_row, indices, chunksize=2)
