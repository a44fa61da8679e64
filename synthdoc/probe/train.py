"""Training loop of the probe: stream line crops of a synthdoc dataset, fit the CRNN with CTC under a step or
time budget, score the evaluation sets along the way (the learning curve), checkpoint, resume.

The learning rate warms up linearly over `warmup_frac` of the budget, then follows a cosine to zero (a
one-cycle shape); with a time budget the schedule follows elapsed training time. On the CPU the run is
deterministic for a seed (``torch.use_deterministic_algorithms``, seeded shuffles, fixed worker count); on
CUDA it runs in bfloat16 autocast. Time spent evaluating and checkpointing is not charged to the budget.
"""
from __future__ import annotations

import math
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from synthdoc.errors import SynthdocError
from synthdoc.probe.charset import Charset
from synthdoc.probe.checkpoint import CHECKPOINT_NAME, load_checkpoint, save_checkpoint
from synthdoc.probe.config import ProbeConfig
from synthdoc.probe.evalsets import EvalSet, dataset_label_rows, load_eval_set
from synthdoc.probe.lines import COLUMNS, is_validation, iter_split_rows, line_labels, page_samples, row_group_units
from synthdoc.probe.scoring import score_lines
from synthdoc.probe.torchutil import require_torch, resolve_device


@dataclass
class Budget:
    """A training budget: `steps` optimiser steps, or `seconds` of training time (exactly one is set)."""

    steps: int | None = None
    seconds: float | None = None

    @classmethod
    def make(cls, steps: int | None, minutes: float | None) -> "Budget":
        """Raises SynthdocError: both or neither given, or a non-positive value."""
        if (steps is None) == (minutes is None):
            raise SynthdocError("give the probe a budget: --steps S or --minutes M (one of them)")
        if (steps is not None and steps < 1) or (minutes is not None and minutes <= 0):
            raise SynthdocError(f"the probe budget must be positive, got steps={steps} minutes={minutes}")
        return cls(steps=steps, seconds=None if minutes is None else 60.0 * minutes)

    def frac(self, step: int, train_s: float) -> float:
        """Fraction of the budget used, in [0, 1]."""
        used = step / self.steps if self.steps else train_s / self.seconds
        return min(1.0, used)

    def describe(self) -> dict:
        return {"steps": self.steps, "minutes": None if self.seconds is None else self.seconds / 60.0}


def lr_at(frac: float, config: ProbeConfig) -> float:
    """Learning rate at a fraction of the budget: linear warm-up, then cosine decay to 0."""
    if frac < config.warmup_frac:
        return config.lr * (0.05 + 0.95 * frac / config.warmup_frac)
    t = (frac - config.warmup_frac) / max(1e-9, 1.0 - config.warmup_frac)
    return config.lr * 0.5 * (1.0 + math.cos(math.pi * min(1.0, t)))


def prior_bias(charset: Charset, samples: Sequence, default_char_frac: float = 0.15) -> np.ndarray:
    """Log class priors for the output layer's bias, (classes,) float32: class 0 (blank) log(1 - r), character c
    log(r * p_c), where r is the share of frames that carry a character (label characters / frames of
    `samples`, LineSample crops; `default_char_frac` without samples) and p_c the add-one-smoothed frequency of c
    in the training labels (``charset.counts``)."""
    from synthdoc.probe.model import STRIDE_PX

    frames = sum(s.image.shape[1] // STRIDE_PX for s in samples)
    r = min(0.9, sum(len(s.label) for s in samples) / frames) if frames else default_char_frac
    counts = np.array([charset.counts.get(c, 0) for c in charset.chars], np.float64) + 1.0
    return np.concatenate([[math.log(1.0 - r)], np.log(r * counts / counts.sum())]).astype(np.float32)


def build_charset(dataset: str | os.PathLike, val_frac: float) -> tuple[Charset, dict[str, list[str]]]:
    """Charset of the training split's labels, and language -> orientations ("horizontal", "vertical") of its
    lines (reads only the label columns).

    Raises:
        SynthdocError: the training split has no labelled line.
    """
    labels, langs = [], {}
    for row in dataset_label_rows(Path(dataset)):
        if is_validation(str(row["id"]), val_frac):
            continue
        directions = row["lines"].get("direction") or ["ltr"] * len(row["lines"]["text"])
        for i, lab, _ in line_labels(row):
            labels.append(lab)
            langs.setdefault(str(row.get("lang") or "und"), set()).add(
                "vertical" if directions[i] == "ttb" else "horizontal")
    if not labels:
        raise SynthdocError(f"dataset {str(dataset)!r} has no labelled line to train on (empty dataset, or every "
                            "page in the validation split); generate more pages")
    return Charset.from_labels(labels), {k: sorted(v) for k, v in sorted(langs.items())}


def validation_set(dataset: str | os.PathLike, config: ProbeConfig) -> EvalSet | None:
    """The training dataset's own validation pages (at most `eval_lines` lines), or None when it has none."""
    samples = []
    for row in iter_split_rows(row_group_units(dataset), COLUMNS, config.val_frac, validation=True):
        samples.extend(page_samples(row, config.height_px, config.max_width_px))
        if len(samples) >= config.eval_lines:
            break
    if not samples:
        return None
    return EvalSet("val", "synthdoc", str(dataset), samples[: config.eval_lines], [])


def load_sets(specs: Sequence[str], config: ProbeConfig, charset: Charset, lang: str) -> list[EvalSet]:
    """Load every eval spec and check that each shares characters with the charset.

    Raises:
        SynthdocError: a bad spec (:func:`load_eval_set`), or a set none of whose characters is in the charset.
    """
    sets = [load_eval_set(s, height_px=config.height_px, max_width_px=config.max_width_px,
                          max_lines=config.eval_lines, lang=lang) for s in specs]
    for s in sets:
        if not any(charset.encode(x.label) for x in s.samples):
            raise SynthdocError(f"eval set {s.name!r}: none of its characters occurs in the training labels "
                                f"({len(charset)} characters); train on a dataset of its language or script")
    return sets


def score_sets(model, charset: Charset, sets: Sequence[EvalSet], device: str, worst: int = 20) -> dict:
    """{set name: :func:`score_lines` result} for the model as it is now."""
    from synthdoc.probe.data import predict

    out = {}
    for s in sets:
        preds = predict(model, charset, [x.image for x in s.samples], device)
        out[s.name] = score_lines(s.samples, preds, charset, worst=worst)
    return out


def versions() -> dict:
    """Versions of synthdoc, torch, numpy and Python."""
    from synthdoc import __version__

    torch = require_torch()
    return {"synthdoc": __version__, "torch": torch.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def _out_dir(out: str | os.PathLike) -> Path:
    d = Path(out)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SynthdocError(f"cannot create the probe output folder {str(d)!r}: {e.strerror}; "
                            "choose another --out") from None
    return d


class _Run:
    """State of one training run (model, optimiser, progress counters, curve)."""

    def __init__(self, torch, config: ProbeConfig, charset: Charset, device: str, seed: int, state: dict | None):
        from synthdoc.probe.model import CRNN

        torch.manual_seed(seed)
        self.torch, self.config, self.charset, self.device = torch, config, charset, device
        self.model = CRNN(config, charset.classes).to(device)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self.ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
        self.step, self.lines_seen, self.train_s, self.curve, self.losses = 0, 0, 0.0, [], []
        if state is not None:
            self.model.load_state_dict(state["model"])
            self.opt.load_state_dict(state["optimizer"])
            self.step, self.lines_seen = state["step"], state["lines_seen"]
            self.train_s, self.curve = state["train_s"], state["curve"]

    def fit_batch(self, batch: dict, lr: float) -> float:
        """One optimiser step on a collated batch; returns the CTC loss (mean over lines)."""
        torch = self.torch
        for g in self.opt.param_groups:
            g["lr"] = lr
        x = batch["images"].to(self.device, non_blocking=True)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=self.device == "cuda"):
            logits = self.model(x)
        log_probs = logits.float().log_softmax(-1).transpose(0, 1)  # (T, B, C)
        frames = batch["input_lengths"].clamp(max=log_probs.shape[0])
        loss = self.ctc(log_probs, batch["targets"], frames, batch["target_lengths"])
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
        self.opt.step()
        return float(loss.detach())

    def state(self, meta: dict) -> dict:
        return {"model": self.model.state_dict(), "optimizer": self.opt.state_dict(), "charset": self.charset.chars,
                "config": self.config.to_dict(), "step": self.step, "lines_seen": self.lines_seen,
                "train_s": self.train_s, "curve": self.curve, **meta}


def _loader(torch, units, charset: Charset, config: ProbeConfig, seed: int, first_epoch: int):
    from torch.utils.data import DataLoader

    from synthdoc.probe.data import TrainLines, collate

    ds = TrainLines(units, charset.chars, config, seed, first_epoch)
    return DataLoader(ds, batch_size=config.batch_size, collate_fn=collate, num_workers=config.workers,
                      persistent_workers=config.workers > 0, prefetch_factor=4 if config.workers else None)


def _eval_due(run: _Run, budget: Budget, config: ProbeConfig, next_eval: float) -> bool:
    return budget.frac(run.step, run.train_s) >= next_eval - 1e-9


def _curve_point(run: _Run, sets: Sequence[EvalSet], scores: dict | None = None) -> dict:
    """A learning-curve point now: step, lines seen, training seconds, mean loss since the last point, and
    NED / CER per set (`scores` when already computed)."""
    if scores is None:
        scores = score_sets(run.model, run.charset, sets, run.device, worst=0) if sets else {}
    loss = float(np.mean(run.losses)) if run.losses else None
    run.losses = []
    return {"step": run.step, "lines_seen": run.lines_seen, "train_s": round(run.train_s, 2), "loss": loss,
            "scores": {k: {"ned": v["ned"], "cer": v["cer"]} for k, v in scores.items()}}


def _loop(run: _Run, batches, budget: Budget, sets: Sequence[EvalSet], save: Callable[[], None],
          progress: Callable[[dict], None] | None) -> None:
    """Train until the budget is spent, adding a curve point every 1 / eval_points of it (the last one is
    added by :func:`train` from the final scores) and saving every checkpoint_every steps."""
    cfg = run.config
    next_eval = (math.floor(budget.frac(run.step, run.train_s) * cfg.eval_points) + 1) / cfg.eval_points
    while budget.frac(run.step, run.train_s) < 1.0:
        t0 = time.perf_counter()
        batch = next(batches, None)
        if batch is None:
            raise SynthdocError("no training line can be aligned by CTC (every label is longer than its crop's "
                                "width / 4 px allows); raise the probe's max_width_px")
        run.losses.append(run.fit_batch(batch, lr_at(budget.frac(run.step, run.train_s), cfg)))
        run.step += 1
        run.lines_seen += batch["lines"]
        run.train_s += time.perf_counter() - t0
        if _eval_due(run, budget, cfg, next_eval) and budget.frac(run.step, run.train_s) < 1.0:
            run.curve.append(_curve_point(run, sets))
            next_eval = (math.floor(budget.frac(run.step, run.train_s) * cfg.eval_points) + 1) / cfg.eval_points
            if progress:
                progress(run.curve[-1])
        if run.step % cfg.checkpoint_every == 0:
            save()


def _setup_torch(torch, device: str, config: ProbeConfig) -> bool:
    """Threads and determinism; returns the previous use_deterministic_algorithms flag."""
    previous = torch.are_deterministic_algorithms_enabled()
    if device == "cpu":
        torch.set_num_threads(config.threads or os.cpu_count() or 1)
        torch.use_deterministic_algorithms(True)
    return previous


def train(dataset: str | os.PathLike, *, out: str | os.PathLike, eval_sets: Sequence[str] = (),
          steps: int | None = None, minutes: float | None = None, device: str | None = None, seed: int = 0,
          config: ProbeConfig | None = None, resume: bool = False, eval_lang: str = "und",
          progress: Callable[[dict], None] | None = None) -> dict:
    """Train the probe recognizer on a synthdoc dataset's line crops and score it on evaluation sets.

    Args:
        dataset: synthdoc dataset folder (``DIR/data/<config>/*.parquet``).
        out: folder for ``checkpoint.pt`` (written every `config.checkpoint_every` steps and at the end).
        eval_sets: ``[NAME=]PATH`` specs (:func:`synthdoc.probe.evalsets.load_eval_set`); the training
            dataset's own validation pages are scored too, as "val", when it has any.
        steps, minutes: the budget (exactly one).
        device: "cpu", "cuda" or None (CUDA when available).
        seed: seeds the model initialisation and the shuffles.
        config: hyper-parameters (default :class:`ProbeConfig`).
        resume: continue from ``out/checkpoint.pt`` when it exists (up to the same budget).
        eval_lang: language code given to lines of real sets (line folders, PAGE-XML).
        progress: called with each new learning-curve point.

    Returns:
        The run report (see :func:`run_report`).

    Raises:
        SynthdocError: no PyTorch, a bad budget or device, an empty dataset, a bad eval set (before training).
    """
    torch = require_torch()
    budget, dev, cfg = Budget.make(steps, minutes), resolve_device(device), config or ProbeConfig()
    out_dir, units = _out_dir(out), row_group_units(dataset)
    ckpt = out_dir / CHECKPOINT_NAME
    state = load_checkpoint(ckpt) if resume and ckpt.is_file() else None
    if state is not None:
        cfg = ProbeConfig.from_dict({**state["config"], "workers": cfg.workers, "threads": cfg.threads})
    charset, langs = (Charset(state["charset"]), state["langs"]) if state else build_charset(dataset, cfg.val_frac)
    sets = load_sets(eval_sets, cfg, charset, eval_lang)
    val = validation_set(dataset, cfg)
    sets = ([val] if val else []) + sets
    previous = _setup_torch(torch, dev, cfg)
    t_start = time.perf_counter()
    try:
        run = _Run(torch, cfg, charset, dev, seed, state)
        if state is None and len(charset) >= cfg.prior_bias_min_chars:
            with torch.no_grad():
                run.model.head.bias.copy_(torch.from_numpy(prior_bias(charset, val.samples if val else [])))
        meta = {"seed": seed, "dataset": str(dataset), "budget": budget.describe(), "langs": langs}
        if not run.curve:
            run.curve.append(_curve_point(run, sets))
        batches = iter(_loader(torch, units, charset, cfg, seed, first_epoch=run.step))
        _loop(run, batches, budget, sets, lambda: save_checkpoint(ckpt, run.state(meta)), progress)
        final = score_sets(run.model, charset, sets, dev)
        if run.curve[-1]["step"] != run.step:
            run.curve.append(_curve_point(run, sets, final))
            if progress:
                progress(run.curve[-1])
        save_checkpoint(ckpt, run.state(meta))
    finally:
        torch.use_deterministic_algorithms(previous)
    return run_report(run, sets, final, meta, dev, time.perf_counter() - t_start, ckpt)


def run_report(run: _Run, sets: Sequence[EvalSet], final: dict, meta: dict, device: str, wall_s: float,
               ckpt: Path) -> dict:
    """The report of one run: budget, steps, lines seen, wall and training seconds, lines/s, parameters,
    charset size, final scores per set (with worst lines), best NED per set along the curve, the curve,
    versions, seed, device, config and eval set descriptions."""
    from synthdoc.probe.model import parameter_count

    best = {}
    for p in run.curve:
        for name, s in p["scores"].items():
            if s["ned"] is not None and (name not in best or s["ned"] < best[name]["ned"]):
                best[name] = {"ned": s["ned"], "cer": s["cer"], "step": p["step"]}
    return {**meta, "device": device, "steps": run.step, "lines_seen": run.lines_seen,
            "wall_s": round(wall_s, 2), "train_s": round(run.train_s, 2),
            "lines_per_s": round(run.lines_seen / run.train_s, 2) if run.train_s else None,
            "parameters": parameter_count(run.model), "charset_size": len(run.charset),
            "eval_sets": [{"name": s.name, "kind": s.kind, "path": s.path, "lines": len(s.samples),
                           "skipped_files": len(s.skipped)} for s in sets],
            "final": final, "best": best, "curve": run.curve, "checkpoint": str(ckpt),
            "config": run.config.to_dict(), "versions": versions()}
