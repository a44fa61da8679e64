"""Probe checkpoints: model state dict + charset + config (+ optimiser and progress, for resuming)."""
from __future__ import annotations

import os
from pathlib import Path

from synthdoc.errors import SynthdocError
from synthdoc.probe.charset import Charset
from synthdoc.probe.config import ProbeConfig
from synthdoc.probe.torchutil import require_torch

CHECKPOINT_NAME = "checkpoint.pt"


def save_checkpoint(path: Path, state: dict) -> None:
    """Write `state` with torch.save to a temporary name, then rename it over `path` (never half written)."""
    torch = require_torch()
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | os.PathLike) -> dict:
    """The checkpoint dict ("model", "charset", "config", "langs", "step", ...), tensors on the CPU.

    Raises:
        SynthdocError: the file is missing or is not a probe checkpoint.
    """
    torch = require_torch()
    p = Path(path)
    if p.is_dir():
        p = p / CHECKPOINT_NAME
    if not p.is_file():
        raise SynthdocError(f"probe checkpoint {str(p)!r} does not exist; "
                            "pass the checkpoint.pt of `synthdoc probe --out`")
    try:
        state = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for a damaged or foreign file
        raise SynthdocError(f"cannot load the probe checkpoint {str(p)!r}: {type(e).__name__}") from None
    if not isinstance(state, dict) or not {"model", "charset", "config"} <= set(state):
        raise SynthdocError(f"{str(p)!r} is not a synthdoc probe checkpoint (no model / charset / config)")
    return state


def build_model(state: dict, device: str):
    """(CRNN in eval mode on `device`, Charset, ProbeConfig) from a checkpoint dict."""
    from synthdoc.probe.model import CRNN

    config = ProbeConfig.from_dict(state["config"])
    charset = Charset(state["charset"])
    model = CRNN(config, charset.classes)
    model.load_state_dict(state["model"])
    return model.to(device).eval(), charset, config
