"""Lazy access to PyTorch (the ``torch`` extra) and device choice for the probe."""
from __future__ import annotations

from synthdoc.errors import SynthdocError


def require_torch():
    """The ``torch`` module.

    Raises:
        SynthdocError: PyTorch is not installed.
    """
    try:
        import torch
    except ImportError:
        raise SynthdocError("synthdoc probe needs PyTorch; install it with `pip install 'synthdoc[torch]'`") from None
    return torch


def resolve_device(device: str | None) -> str:
    """"cuda" or "cpu": `device`, or CUDA when PyTorch sees a GPU (None).

    Raises:
        SynthdocError: an unknown device, or "cuda" when PyTorch sees no CUDA device.
    """
    torch = require_torch()
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise SynthdocError(f"unknown device {device!r}; use cpu or cuda")
    if device == "cuda" and not torch.cuda.is_available():
        raise SynthdocError("--device cuda: PyTorch sees no CUDA device (CPU build or no GPU); use --device cpu")
    return device
