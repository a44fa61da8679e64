"""Stream pages made on the fly into a PyTorch DataLoader (nothing written to disk; needs ``synthdoc[torch]``).

    python examples/torch_dataloader.py --batches 2 --batch-size 2 --workers 0

Each row is turned into a (3, H, W) float tensor resized to a fixed height and the list of its line texts; the
DataLoader's workers each make their own disjoint slice of sample indices, so the pages seen do not depend on
timing.
"""
from __future__ import annotations

import argparse

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader

from synthdoc import GenerateConfig
from synthdoc.torch_dataset import PageDataset

HEIGHT_PX = 256


def to_tensors(row: dict) -> tuple[torch.Tensor, list[str]]:
    """A dataset row -> ((3, HEIGHT_PX, W) float32 in [0, 1], line texts in reading order)."""
    bgr = cv2.imdecode(np.frombuffer(row["image"]["bytes"], np.uint8), cv2.IMREAD_COLOR)
    width = max(1, round(bgr.shape[1] * HEIGHT_PX / bgr.shape[0]))
    rgb = cv2.resize(bgr, (width, HEIGHT_PX), interpolation=cv2.INTER_AREA)[:, :, ::-1]
    return torch.from_numpy(rgb.copy()).permute(2, 0, 1).float() / 255.0, list(row["lines"]["text"])


def collate(batch: list[tuple[torch.Tensor, list[str]]]) -> tuple[torch.Tensor, list[list[str]]]:
    """Pad the images of a batch to the widest one: ((B, 3, HEIGHT_PX, W_max), texts)."""
    width = max(img.shape[2] for img, _ in batch)
    images = torch.ones(len(batch), 3, HEIGHT_PX, width)
    for k, (img, _) in enumerate(batch):
        images[k, :, :, : img.shape[2]] = img
    return images, [texts for _, texts in batch]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    args = parser.parse_args()

    cfg = GenerateConfig(languages=["en", "ko"], layouts={"slide": 1, "multi_column": 1})
    dataset = PageDataset(cfg, seed=0, transform=to_tensors)   # endless; stop= bounds it
    loader = DataLoader(dataset, batch_size=args.batch_size, num_workers=args.workers, collate_fn=collate)
    for step, (images, texts) in enumerate(loader):
        print(f"batch {step}: images {tuple(images.shape)}, lines per page {[len(t) for t in texts]}")
        if step + 1 == args.batches:
            break


if __name__ == "__main__":
    main()
