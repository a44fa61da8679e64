"""PyTorch side of the probe's data: the streaming training-line dataset, batching, and batched prediction.

Imported only once PyTorch is known to be installed (:func:`synthdoc.probe.torchutil.require_torch`).
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from synthdoc.probe.charset import Charset
from synthdoc.probe.config import ProbeConfig
from synthdoc.probe.lines import COLUMNS, iter_split_rows, page_samples, shuffled
from synthdoc.probe.model import STRIDE_PX


def ctc_feasible(ids: Sequence[int], width_px: int) -> bool:
    """Whether CTC can align `ids` to a crop `width_px` wide: frames >= labels + repeated neighbours (each
    repeat needs a blank between)."""
    repeats = sum(1 for a, b in zip(ids, ids[1:]) if a == b)
    return 0 < len(ids) + repeats <= width_px // STRIDE_PX


class TrainLines(IterableDataset):
    """Endless stream of (crop, class ids) of the training split, epoch after epoch.

    Worker w of W reads the (shard, row group) units w, w + W, ... in a seeded order per epoch and
    shuffles their lines through a seeded buffer; the stream is a pure function of (units, seed,
    first_epoch, W). Lines CTC cannot align (:func:`ctc_feasible`) are left out.

    Args:
        units: (shard, row group) pairs of the training dataset.
        chars: the charset's characters.
        config: crop size, validation fraction, shuffle buffer.
        seed: run seed.
        first_epoch: epoch to start from (a resumed run starts a fresh epoch).
    """

    def __init__(self, units: list[tuple[Path, int]], chars: list[str], config: ProbeConfig, seed: int,
                 first_epoch: int = 0):
        self.units, self.chars, self.config = units, chars, config
        self.seed, self.first_epoch = seed, first_epoch

    def __iter__(self) -> Iterator[tuple[np.ndarray, list[int]]]:
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        mine = self.units[worker::workers]
        if not mine:
            return
        charset, cfg = Charset(self.chars), self.config
        for epoch in itertools.count(self.first_epoch):
            rng = np.random.default_rng([self.seed, epoch, worker])
            order = [mine[int(k)] for k in rng.permutation(len(mine))]
            rows = iter_split_rows(order, COLUMNS, cfg.val_frac, validation=False)
            samples = (s for row in rows for s in page_samples(row, cfg.height_px, cfg.max_width_px))
            for s in shuffled(samples, cfg.shuffle_buffer, rng):
                ids = charset.encode(s.label)
                if ctc_feasible(ids, s.image.shape[1]):
                    yield s.image, ids


def batch_images(images: Sequence[np.ndarray]) -> torch.Tensor:
    """(B, 1, H, W) float32 in [-1, 1] from (H, w_i) uint8 grey crops, right-padded with white to the widest
    (rounded up to a multiple of 4 px)."""
    h = images[0].shape[0]
    w = max(im.shape[1] for im in images)
    w = -(-w // STRIDE_PX) * STRIDE_PX
    out = np.full((len(images), 1, h, w), 255, np.uint8)
    for i, im in enumerate(images):
        out[i, 0, :, : im.shape[1]] = im
    return torch.from_numpy(out).float().div_(127.5).sub_(1.0)


def collate(batch: list[tuple[np.ndarray, list[int]]]) -> dict:
    """A training batch: images (B, 1, H, W) float32, targets (sum L,) int64, target_lengths (B,) int64,
    input_lengths (B,) int64 (frames of each unpadded crop)."""
    images = [b[0] for b in batch]
    return {"images": batch_images(images),
            "targets": torch.tensor([i for b in batch for i in b[1]], dtype=torch.long),
            "target_lengths": torch.tensor([len(b[1]) for b in batch], dtype=torch.long),
            "input_lengths": torch.tensor([im.shape[1] // STRIDE_PX for im in images], dtype=torch.long),
            "lines": len(batch)}


@torch.no_grad()
def predict(model: torch.nn.Module, charset: Charset, images: Sequence[np.ndarray], device: str,
            batch_size: int = 32) -> list[str]:
    """Greedy-decoded text of each (H, w) uint8 grey crop, in input order (batched by similar width)."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(images)), key=lambda i: images[i].shape[1])
    out: list[str] = [""] * len(images)
    for k in range(0, len(order), batch_size):
        idx = order[k: k + batch_size]
        x = batch_images([images[i] for i in idx]).to(device)
        best = model(x).argmax(-1).cpu().numpy()
        for row, i in zip(best, idx):
            out[i] = charset.decode_greedy(row[: max(1, images[i].shape[1] // STRIDE_PX)])
    model.train(was_training)
    return out
