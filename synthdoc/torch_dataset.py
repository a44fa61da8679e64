"""PyTorch ``IterableDataset`` of synthdoc pages made on the fly (extra ``synthdoc[torch]``).

Each DataLoader worker (and each distributed rank) reads its own disjoint, deterministic slice of sample
indices (:func:`synthdoc.streaming.worker_indices`): with R ranks of W workers, worker w of rank r makes
samples start + (r W + w), start + (r W + w) + R W, ... The pages a run sees therefore do not depend on
worker timing, only on (config, seed, start, stop, ranks, workers).
"""
from __future__ import annotations

from typing import Callable

try:
    from torch.utils.data import IterableDataset, get_worker_info
except ImportError:
    raise ImportError("synthdoc.torch_dataset needs PyTorch; install it with `pip install 'synthdoc[torch]'`") from None

from synthdoc.config import GenerateConfig
from synthdoc.pipeline import SampleFactory
from synthdoc.streaming import run_config, worker_indices
from synthdoc.writers.parquet import sample_to_row


class PageDataset(IterableDataset):
    """Dataset rows (as :func:`synthdoc.stream` yields them) for a torch DataLoader.

    Args:
        config: run config (default: the six bundled languages).
        seed: overrides config.seed.
        start, stop: sample index range (forever when `stop` is None).
        transform: applied to each row (e.g. decode the image, build tensors); default: the row itself.
        rank, world_size: this process's place in a distributed job (default: single process).

    Raises:
        SynthdocError: invalid config, unknown language, missing font, unreadable corpus (at construction).
        ValueError: rank outside [0, world_size).
    """

    def __init__(self, config: GenerateConfig | None = None, seed: int | None = None, *, start: int = 0,
                 stop: int | None = None, transform: Callable[[dict], object] | None = None, rank: int = 0,
                 world_size: int = 1):
        if world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} of {world_size}: need 0 <= rank < world_size")
        self.config = run_config(config, seed)
        self.start, self.stop, self.transform = start, stop, transform
        self.rank, self.world_size = rank, world_size
        self._factory = SampleFactory(self.config)  # checks languages, fonts, corpora now; reused after fork

    def __getstate__(self) -> dict:  # spawned workers build their own factory
        return {**self.__dict__, "_factory": None}

    def indices(self):
        """Sample indices this process (or DataLoader worker) makes."""
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        return worker_indices(self.start, self.stop, self.rank * workers + worker, self.world_size * workers)

    def __iter__(self):
        if self._factory is None:
            self._factory = SampleFactory(self.config)
        for i in self.indices():
            row = sample_to_row(self._factory.make(i))
            yield self.transform(row) if self.transform else row
