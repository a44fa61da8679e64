"""Adapter for NVIDIA Nemotron OCR v2 (PyPI ``nemotron-ocr``) for users who have its weights on disk.

Nemotron OCR is a page-level detector + recogniser + reading-order model (CUDA only, PyTorch). It has no
crop-level recogniser, so each line crop is run through the whole pipeline at ``merge_level="word"`` and the
words are joined left to right (with a space for space-delimited languages). The upstream class downloads
its five checkpoint files from the Hugging Face Hub when any is missing; this adapter checks the files first,
fails with a one-line error naming the missing ones, and runs the model with the Hub in offline mode
(``HF_HUB_OFFLINE=1``) so nothing is ever fetched.

Weights: ``huggingface-cli download nvidia/nemotron-ocr-v2 --include "v2_multilingual/*" --local-dir DIR``,
then pass ``DIR/v2_multilingual`` (``--nemotron-dir`` or ``$SYNTHDOC_NEMOTRON_DIR``).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from synthdoc.errors import SynthdocError
from synthdoc.ocr.engine import register_engine
from synthdoc.ocr.metrics import NOT_SPACE_DELIMITED
from synthdoc.ocr.orientation import HORIZONTAL

#: Checkpoint files ``nemotron_ocr.inference.pipeline.CHECKPOINT_FILES`` (nemotron-ocr 2.0.2) needs.
WEIGHT_FILES = ("detector.pth", "recognizer.pth", "relational.pth", "charset.txt", "model_config.json")

#: Languages of the v2 multilingual checkpoint (model card: English, Chinese, Japanese, Korean, Russian),
#: horizontal lines only.
COVERAGE = {code: frozenset({HORIZONTAL})
            for code in ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")}

ENV_DIR = "SYNTHDOC_NEMOTRON_DIR"
_GET = ('get them with `huggingface-cli download nvidia/nemotron-ocr-v2 --include "v2_multilingual/*" '
        '--local-dir DIR` and pass --nemotron-dir DIR/v2_multilingual')


def missing_weights(model_dir: str | os.PathLike) -> list[str]:
    """Names of the :data:`WEIGHT_FILES` that are not regular files in `model_dir`."""
    return [f for f in WEIGHT_FILES if not (Path(model_dir) / f).is_file()]


def check_weights(model_dir: str | os.PathLike | None) -> Path:
    """The weights folder (`model_dir`, else ``$SYNTHDOC_NEMOTRON_DIR``), checked before anything is loaded.

    Raises:
        SynthdocError: no folder given, or files missing (all missing names listed).
    """
    model_dir = model_dir or os.environ.get(ENV_DIR)
    if not model_dir:
        raise SynthdocError(f"the nemotron engine needs its weights on disk ({', '.join(WEIGHT_FILES)}); {_GET}")
    missing = missing_weights(model_dir)
    if missing:
        raise SynthdocError(f"Nemotron OCR weights missing in {model_dir}: {', '.join(missing)}; {_GET}")
    return Path(model_dir)


@contextlib.contextmanager
def hub_offline() -> Iterator[None]:
    """Force Hugging Face Hub offline mode (environment and the already-imported ``huggingface_hub`` constant)
    inside the block; both are restored afterwards."""
    from huggingface_hub import constants

    old_env, old_const = os.environ.get("HF_HUB_OFFLINE"), constants.HF_HUB_OFFLINE
    os.environ["HF_HUB_OFFLINE"] = "1"
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = old_const
        if old_env is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = old_env


def join_words(predictions: list[dict], lang_code: str) -> str:
    """One line's text from Nemotron word predictions (dicts with "text" and "left", normalised x), sorted by
    their left edge and joined with a space, or without one for Chinese and Japanese."""
    words = sorted(predictions, key=lambda p: float(p.get("left", 0.0)))
    sep = "" if lang_code in NOT_SPACE_DELIMITED else " "
    return sep.join(str(p.get("text", "")) for p in words).strip()


class NemotronEngine:
    """Nemotron OCR v2 behind the :class:`synthdoc.ocr.engine.Engine` protocol (horizontal lines).

    Args:
        model_dir: folder with :data:`WEIGHT_FILES` (default ``$SYNTHDOC_NEMOTRON_DIR``).
        device: must be "cuda" or None; the model runs on CUDA only.

    Raises:
        SynthdocError, in this order: weights folder missing or incomplete; device "cpu"; ``nemotron-ocr``
            not installed; no CUDA device.
    """

    name = "nemotron"
    coverage = COVERAGE

    def __init__(self, model_dir: str | os.PathLike | None = None, device: str | None = None):
        path = check_weights(model_dir)
        if device not in (None, "auto", "cuda"):
            raise SynthdocError("the nemotron engine runs on CUDA only; drop --device cpu or choose --engine ppocr")
        try:
            import torch
            from nemotron_ocr.inference.pipeline_v2 import NemotronOCRV2
        except ImportError:
            raise SynthdocError("the nemotron engine needs `pip install nemotron-ocr` (PyTorch with CUDA)") from None
        if not torch.cuda.is_available():
            raise SynthdocError("the nemotron engine needs a CUDA GPU and none is visible to PyTorch; "
                                "choose --engine ppocr")
        with hub_offline():
            self.model = NemotronOCRV2(model_dir=str(path))

    def recognise(self, crops: Sequence[np.ndarray], lang_code: str, vertical: bool = False) -> list[str]:
        """Run the page pipeline on each (h, w, 3) uint8 RGB crop; one string per crop."""
        if not crops:
            return []
        with hub_offline():
            results = self.model([np.ascontiguousarray(c) for c in crops], merge_level="word")
        return [join_words(preds, lang_code) for preds in results]


@register_engine("nemotron")
def build(*, nemotron_dir: str | None = None, device: str | None = None, **_) -> NemotronEngine:
    """``--engine nemotron``: Nemotron OCR v2 from `nemotron_dir` (never chosen by ``auto``)."""
    return NemotronEngine(nemotron_dir, device=device)
