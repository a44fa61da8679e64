"""Public entry points of the probe: :func:`evaluate` a checkpoint, and :func:`probe` (train on one or two
datasets with the same budget and seed, then write ``report.json`` and ``curve.png``)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Sequence

from synthdoc.probe.checkpoint import build_model, load_checkpoint
from synthdoc.probe.config import ProbeConfig
from synthdoc.probe.curve import draw_curves
from synthdoc.probe.torchutil import require_torch, resolve_device
from synthdoc.probe.train import load_sets, score_sets, train, versions


def evaluate(checkpoint: str | os.PathLike, eval_sets: Sequence[str], *, device: str | None = None,
             max_lines: int | None = None, eval_lang: str = "und", worst: int = 20) -> dict:
    """Score a probe checkpoint on evaluation sets.

    Args:
        checkpoint: ``checkpoint.pt`` (or the folder holding it).
        eval_sets: ``[NAME=]PATH`` specs (:func:`synthdoc.probe.evalsets.load_eval_set`).
        device: "cpu", "cuda" or None (CUDA when available).
        max_lines: lines per set (None: the checkpoint's ``eval_lines``).
        eval_lang: language code for lines of real sets.
        worst: worst lines listed per set.

    Returns:
        {set name: {"lines", "ned", "cer", "per_lang", "unseen_chars", "worst"}}.

    Raises:
        SynthdocError: no PyTorch, a bad device or checkpoint, a bad eval set, or one outside the charset.
    """
    require_torch()
    dev = resolve_device(device)
    model, charset, cfg = build_model(load_checkpoint(checkpoint), dev)
    if max_lines is not None:
        cfg = ProbeConfig.from_dict({**cfg.to_dict(), "eval_lines": max_lines})
    sets = load_sets(eval_sets, cfg, charset, eval_lang)
    return score_sets(model, charset, sets, dev, worst=worst)


def probe(dataset: str | os.PathLike, *, out: str | os.PathLike, eval_sets: Sequence[str] = (),
          compare: str | os.PathLike | None = None, steps: int | None = None, minutes: float | None = None,
          device: str | None = None, seed: int = 0, config: ProbeConfig | None = None, resume: bool = False,
          eval_lang: str = "und", progress: Callable[[str, dict], None] | None = None) -> dict:
    """Train the probe on `dataset` (and, with `compare`, on a second dataset with the same budget, seed and
    config) and write ``out/report.json`` and ``out/curve.png``.

    Checkpoints: ``out/checkpoint.pt`` for `dataset`, ``out/compare/checkpoint.pt`` for `compare`.

    Returns:
        {"runs": [report of dataset, report of compare], "versions", "seed", "report", "curve"} (see
        :func:`synthdoc.probe.train.run_report`), as written to report.json.

    Raises:
        SynthdocError: as :func:`synthdoc.probe.train.train`, for either dataset (the second is checked
            after the first trained).
    """
    out_dir = Path(out)
    targets = [(str(dataset), out_dir)] + ([(str(compare), out_dir / "compare")] if compare else [])
    runs = []
    for data, folder in targets:
        cb = (lambda point, d=data: progress(d, point)) if progress else None
        runs.append(train(data, out=folder, eval_sets=eval_sets, steps=steps, minutes=minutes, device=device,
                          seed=seed, config=config, resume=resume, eval_lang=eval_lang, progress=cb))
    labels = _labels([r["dataset"] for r in runs])
    curve = draw_curves({lab: r["curve"] for lab, r in zip(labels, runs)}, out_dir / "curve.png")
    report = {"seed": seed, "versions": versions(), "runs": runs, "report": str(out_dir / "report.json"),
              "curve": str(curve)}
    (out_dir / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return report


def _labels(paths: list[str]) -> list[str]:
    names = [Path(p).name or p for p in paths]
    return names if len(set(names)) == len(names) else paths


__all__ = ["evaluate", "probe", "train", "ProbeConfig", "resolve_device"]
