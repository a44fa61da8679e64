"""The probe recognizer: a CRNN (Shi, Bai & Yao 2015) — conv feature extractor, two BiLSTM layers, CTC.

Input (B, 1, H, W) float32 grey crops scaled to [-1, 1] (H = 32 or 48); the feature extractor halves the width
twice (4 px per output frame) and collapses the height, so a crop of width W gives W // 4 frames of
`classes` logits. Imported only once PyTorch is known to be installed (:func:`require_torch`).
"""
from __future__ import annotations

import torch
from torch import nn

from synthdoc.probe.config import ProbeConfig

STRIDE_PX = 4  # crop pixels per output frame


def _conv(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class CRNN(nn.Module):
    """Conv (6 x 3x3, pools 2x2, 2x2, 2x1, 2x1) -> height-collapsing conv -> 2 BiLSTM (+ a linear skip
    around them) -> linear.

    Args:
        config: channels, hidden size and crop height.
        classes: output classes (characters + the CTC blank at 0).
    """

    def __init__(self, config: ProbeConfig, classes: int):
        super().__init__()
        c = config.channels
        layers = [*_conv(1, c[0]), nn.MaxPool2d(2), *_conv(c[0], c[1]), nn.MaxPool2d(2),
                  *_conv(c[1], c[2]), *_conv(c[2], c[3]), nn.MaxPool2d((2, 1)),
                  *_conv(c[3], c[4]), *_conv(c[4], c[5]), nn.MaxPool2d((2, 1))]
        self.features = nn.Sequential(*layers)
        rows = config.height_px // 16
        self.collapse = nn.Sequential(nn.Conv2d(c[5], c[5], (rows, 1), bias=False), nn.BatchNorm2d(c[5]),
                                      nn.ReLU(inplace=True))
        self.rnn = nn.LSTM(c[5], config.hidden, num_layers=2, bidirectional=True, batch_first=True, dropout=0.1)
        self.skip = nn.Linear(c[5], 2 * config.hidden)  # residual around the BiLSTM: CTC converges sooner
        self.head = nn.Linear(2 * config.hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) float -> (B, W // 4, classes) logits."""
        f = self.collapse(self.features(x))  # (B, C, 1, W // 4)
        f = f.squeeze(2).transpose(1, 2)  # (B, T, C)
        out, _ = self.rnn(f)
        return self.head(out + self.skip(f))


def parameter_count(model: nn.Module) -> int:
    """Trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
