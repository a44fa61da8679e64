"""Hyper-parameters of a probe run (model, crops, optimiser, loader, evaluation); stored in checkpoints."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from synthdoc.errors import SynthdocError


@dataclass
class ProbeConfig:
    """Probe settings.

    Attributes:
        height_px: crop height fed to the model (32 or 48).
        max_width_px: crop width cap; wider lines are squeezed to it.
        channels: output channels of the six 3x3 conv layers of the CRNN feature extractor.
        hidden: hidden units per direction of each of the two BiLSTM layers.
        batch_size: lines per training step.
        lr: peak learning rate of the schedule (AdamW).
        weight_decay: AdamW weight decay.
        warmup_frac: fraction of the budget spent warming the learning rate up (then cosine decay to 0).
        val_frac: fraction of the training dataset's pages (by hash of the page id) held out for validation.
        shuffle_buffer: lines in the seeded shuffle buffer.
        workers: DataLoader worker processes decoding crops (0: in the main process).
        threads: torch CPU threads (None: every core).
        eval_points: evaluations over the budget (learning-curve points, besides step 0).
        eval_lines: lines scored per evaluation set (the first ones, in file / shard order).
        checkpoint_every: steps between checkpoints (one is also written at the end).
        prior_bias_min_chars: charset size from which the output layer's bias starts at the log class priors
            (:func:`synthdoc.probe.train.prior_bias`: blank share of the frames, character frequencies of the
            training labels) instead of zero; large charsets then skip most of CTC's all-blank phase.
    """

    height_px: int = 32
    max_width_px: int = 800
    channels: tuple = (32, 64, 128, 128, 192, 192)
    hidden: int = 256
    batch_size: int = 16
    lr: float = 2e-3
    weight_decay: float = 1e-2
    warmup_frac: float = 0.05
    val_frac: float = 0.05
    shuffle_buffer: int = 256
    workers: int = 1
    threads: int | None = None
    eval_points: int = 10
    eval_lines: int = 300
    checkpoint_every: int = 500
    prior_bias_min_chars: int = 500

    def __post_init__(self):
        self.channels = tuple(int(c) for c in self.channels)
        if len(self.channels) != 6 or min(self.channels) < 1:
            raise SynthdocError(f"probe config: channels must be 6 positive numbers, got {self.channels}")
        if self.height_px not in (32, 48):
            raise SynthdocError(f"probe config: height_px must be 32 or 48, got {self.height_px}")
        for key in ("max_width_px", "hidden", "batch_size", "eval_points", "eval_lines", "checkpoint_every"):
            if getattr(self, key) < 1:
                raise SynthdocError(f"probe config: {key} must be positive, got {getattr(self, key)}")
        if not 0 <= self.val_frac < 1:
            raise SynthdocError(f"probe config: val_frac must be in [0, 1), got {self.val_frac}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["channels"] = list(self.channels)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ProbeConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


