"""``probe:CHECKPOINT``: a recognizer trained by ``synthdoc probe`` as an OCR engine for ``synthdoc validate``.

It reads the languages it was trained on, in the orientations it saw (vertical columns are turned 90°
counter-clockwise before recognition, as in training). PyTorch (the ``torch`` extra) is needed.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

PREFIX = "probe:"


class ProbeEngine:
    """Batch line recogniser backed by a probe checkpoint.

    Args:
        checkpoint: path of ``checkpoint.pt`` (or its folder).
        device: "cpu", "cuda" or None (CUDA when PyTorch sees it).
        batch_size: crops per forward pass.

    Raises:
        SynthdocError: PyTorch missing, a bad device, a missing or foreign checkpoint.
    """

    name = "probe"

    def __init__(self, checkpoint: str, device: str | None = None, batch_size: int | None = None):
        from synthdoc.probe.checkpoint import build_model, load_checkpoint
        from synthdoc.probe.torchutil import resolve_device

        self.device = resolve_device(device)
        state = load_checkpoint(checkpoint)
        self.model, self.charset, self.config = build_model(state, self.device)
        self.batch_size = batch_size or 32
        langs = state.get("langs") or {}
        self.coverage = {lang: frozenset(orients) for lang, orients in langs.items()}

    def recognise(self, crops: Sequence[np.ndarray], lang_code: str, vertical: bool) -> list[str]:
        """One string per (h, w, 3) uint8 RGB upright crop (a vertical column still vertical), in order."""
        from synthdoc.probe.data import predict
        from synthdoc.probe.lines import normalise_crop

        images = [normalise_crop(c, vertical, self.config.height_px, self.config.max_width_px) for c in crops]
        return predict(self.model, self.charset, images, self.device, self.batch_size) if images else []

