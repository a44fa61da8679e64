"""``synthdoc probe``: train a compact line recognizer (CRNN + CTC) on a dataset's line crops and measure
what the data teaches, by scoring it on held-out synthdoc pages and real line sets.

PyTorch (the ``torch`` extra) is imported only when training or evaluating; without it these functions raise
a one-line :class:`~synthdoc.errors.SynthdocError`.
"""
from synthdoc.probe.api import evaluate, probe
from synthdoc.probe.config import ProbeConfig
from synthdoc.probe.train import train

__all__ = ["evaluate", "probe", "train", "ProbeConfig"]
