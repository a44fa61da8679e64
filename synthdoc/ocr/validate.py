"""``synthdoc validate``: read back every line of (a sample of) a dataset with a reference OCR engine.

For each selected page the image is decoded, every line is cut out along its quad
(:func:`synthdoc.geometry.crop_line`, perspective-rectified), and the crops are queued per (engine, language,
orientation) and recognised in batches. Each line gets NED and edit counts (:mod:`synthdoc.ocr.metrics`);
lines are grouped by language x layout x augmentation preset (``meta["augment"]["preset"]``, "none" when
absent). Outputs, in the report folder (default ``DIR/validation``):

* ``validation.json``: run settings, per-group and per-language lines / mean NED / p90 NED / CER and the
  engines used, lines no engine covers, throughput, the worst lines, detection and filter results;
* ``validation.md``: the same as Markdown tables;
* ``worst/NNN_<row id>_<line>.png``: crops of the worst lines (RGB PNG);
* ``pages.jsonl``: one JSON object per page: id, lang, layout, preset, lines, scored lines, mean NED;
* ``keep.txt`` (with a NED threshold): ids of the pages kept.

Page NED (for filtering) = mean NED of the page's scored lines; pages without a scored line are kept.
"""
from __future__ import annotations

import heapq
import json
import os
import re
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import cv2
import numpy as np

from synthdoc._version import __version__
from synthdoc.errors import SynthdocError
from synthdoc.ocr.engine import Engine, engine_for, make_engine
from synthdoc.ocr.metrics import NOT_SPACE_DELIMITED, edit_counts
from synthdoc.dataset import decode_image, open_dataset
from synthdoc.ocr.pages import COLUMNS, LineRef, augment_preset, crop, page_lines, row_meta, select_rows
from synthdoc.ocr.report import GroupStats, markdown

NORMALISATION = (f"Unicode NFKC; all whitespace removed for {', '.join(sorted(NOT_SPACE_DELIMITED))}, "
                 "runs collapsed to one space (ends stripped) otherwise")
FLUSH_LINES = 512  # crops queued per (engine, language, orientation) before they are recognised (>= 2 batches)


@dataclass
class ValidationResult:
    """What :func:`validate` measured and wrote.

    Attributes:
        report: the content of ``validation.json``.
        report_dir: folder holding the report files.
        page_ned: row id -> mean NED of its scored lines (pages with at least one scored line).
        keep: ids of the pages kept (a threshold was given), else None.
    """

    report: dict
    report_dir: Path
    page_ned: dict[str, float]
    keep: list[str] | None = None


@dataclass
class _Page:
    id: str
    lang: str
    layout: str
    preset: str
    lines: int
    ned_sum: float = 0.0
    scored: int = 0


@dataclass
class _Scores:
    """Running state of one validation run."""

    groups: dict = field(default_factory=dict)  # (lang, layout, preset) -> GroupStats
    langs: dict = field(default_factory=dict)  # lang -> GroupStats
    pages: list = field(default_factory=list)  # _Page per page ordinal
    worst: list = field(default_factory=list)  # min-heap of (ned, seq, record, crop)
    unsupported: Counter = field(default_factory=Counter)
    recognition_s: float = 0.0
    lines: int = 0
    seq: int = 0

    def add(self, line: LineRef, prediction: str, engine: str, crop_img: np.ndarray, keep_worst: int) -> None:
        page = self.pages[line.page]
        dist, n_label, n_pred = edit_counts(line.label, prediction, page.lang)
        ned = dist / max(n_label, n_pred) if max(n_label, n_pred) else 0.0
        for stats in (self.groups.setdefault((page.lang, page.layout, page.preset), GroupStats()),
                      self.langs.setdefault(page.lang, GroupStats())):
            stats.add(ned, dist, n_label, engine)
        page.ned_sum += ned
        page.scored += 1
        self.lines += 1
        if keep_worst > 0 and ned > 0:
            record = {"id": page.id, "line": line.index, "lang": page.lang, "layout": page.layout,
                      "preset": page.preset, "direction": line.direction, "engine": engine, "label": line.label,
                      "prediction": prediction, "ned": ned}
            item = (ned, -self.seq, record, crop_img)
            self.seq += 1
            if len(self.worst) < keep_worst:
                heapq.heappush(self.worst, item)
            elif item[:2] > self.worst[0][:2]:
                heapq.heapreplace(self.worst, item)


class _Run:
    """Queues the crops of each page per (engine, language, orientation), recognises full queues, scores them;
    optionally detects text on each page and counts matches."""

    def __init__(self, engine: Engine, detector, flush_lines: int, worst: int):
        self.engine, self.detector, self.flush_lines, self.worst = engine, detector, flush_lines, worst
        self.scores = _Scores()
        self.detections: dict[tuple[str, str], Counter] = {}
        self.queues: dict[tuple[str, str, bool], list[tuple[LineRef, np.ndarray]]] = {}
        self.readers: dict[str, Engine] = {}

    def add_page(self, row: dict, meta: dict, lines: list[LineRef], image: np.ndarray, crops: list[np.ndarray]) -> None:
        lang, layout = str(row.get("lang") or meta.get("lang") or "?"), str(row.get("layout") or "?")
        self.scores.pages.append(_Page(str(row["id"]), lang, layout, augment_preset(meta), len(lines)))
        for line, line_crop in zip(lines, crops):
            reader = engine_for(self.engine, lang, line.kind)
            if reader is None:
                self.scores.unsupported[f"{lang} {line.kind}"] += 1
                continue
            self.readers[reader.name] = reader
            key = (reader.name, lang, line.vertical)
            self.queues.setdefault(key, []).append((line, line_crop))
            if len(self.queues[key]) >= self.flush_lines:
                self.flush(key)
        if self.detector is not None:
            self.detect(lang, layout, lines, image)

    def detect(self, lang: str, layout: str, lines: list[LineRef], image: np.ndarray) -> None:
        from synthdoc.ocr.detect import match

        gt = np.stack([ln.quad for ln in lines]) if lines else np.zeros((0, 4, 2), np.float32)
        found = match(gt, self.detector.detect(image))
        self.detections.setdefault((lang, layout), Counter()).update(
            {"pages": 1, "gt": len(found["gt_matched"]), "det": len(found["det_matched"]),
             "gt_matched": int(found["gt_matched"].sum()), "det_matched": int(found["det_matched"].sum()),
             "det_labelled": int(found["det_labelled"].sum())})

    def flush(self, key: tuple[str, str, bool]) -> None:
        items = self.queues.pop(key, [])
        if not items:
            return
        name, lang, vertical = key
        t0 = time.perf_counter()
        preds = self.readers[name].recognise([c for _, c in items], lang, vertical)
        self.scores.recognition_s += time.perf_counter() - t0
        for (line, c), pred in zip(items, preds):
            self.scores.add(line, pred, name, c, self.worst)

    def flush_all(self) -> None:
        for key in list(self.queues):
            self.flush(key)


def check_options(sample: int | None, max_ned: float | None, out, batch_size: int | None = None) -> None:
    """Refuse bad option values before any work (SynthdocError, one line)."""
    if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1):
        raise SynthdocError(f"--batch-size must be a positive number of line crops, got {batch_size!r}")
    if sample is not None and (not isinstance(sample, int) or isinstance(sample, bool) or sample < 1):
        raise SynthdocError(f"--sample must be a positive number of pages, got {sample!r}")
    if max_ned is not None and not (isinstance(max_ned, (int, float)) and 0.0 <= max_ned <= 1.0):
        raise SynthdocError(f"--filter takes a NED threshold between 0 and 1, got {max_ned}")
    if max_ned is not None and sample is not None:
        raise SynthdocError("--filter scores every page; drop --sample (a keep-list of a sample would drop unseen pages)")
    if out is not None and max_ned is None:
        raise SynthdocError("--out writes a filtered copy and needs a threshold; add --filter MAX_NED")


def _device(engine, device: str | None, detect: bool) -> str:
    """The device of the run: Nemotron runs on CUDA; Tesseract alone on the CPU; else onnxruntime's choice.

    Raises:
        SynthdocError: an unknown device, or "cuda" without the CUDA execution provider (onnxruntime users).
    """
    from synthdoc.ocr.onnx import resolve_device

    if isinstance(engine, str) and engine.startswith("probe:"):
        from synthdoc.probe.torchutil import resolve_device as torch_device

        return torch_device(device)
    if engine == "nemotron":
        return device or "cuda"  # PyTorch; the adapter checks its weights first, then the device
    if engine == "tesseract" and not detect and device is None:
        return "cpu"
    return resolve_device(device)


def _report_dir(dataset_dir: Path, report_dir) -> Path:
    d = Path(report_dir) if report_dir is not None else dataset_dir / "validation"
    try:
        (d / "worst").mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SynthdocError(f"cannot write the report folder {str(d)!r}: {e.strerror}; choose another --report-dir") from None
    return d


def _covered(engine: Engine, langs: list[str]) -> None:
    if not any(supports_any(engine, lang) for lang in langs):
        raise SynthdocError(f"engine {engine.name!r} reads none of the dataset's languages ({', '.join(langs)}); "
                            "use --engine auto")


def supports_any(engine: Engine, lang: str) -> bool:
    """Whether `engine` reads `lang` in some orientation."""
    return bool(engine.coverage.get(lang))


def _detection_groups(det: dict) -> list[dict]:
    out = []
    for (lang, layout), c in sorted(det.items()):
        out.append({"lang": lang, "layout": layout, "pages": c["pages"], "gt_lines": c["gt"], "detections": c["det"],
                    "gt_matched_frac": c["gt_matched"] / c["gt"] if c["gt"] else None,
                    "det_unmatched_frac": (c["det"] - c["det_matched"]) / c["det"] if c["det"] else None,
                    "det_unlabelled_frac": (c["det"] - c["det_labelled"]) / c["det"] if c["det"] else None})
    return out


def _prepare(row: dict, n_page: int) -> tuple[dict, dict, list[LineRef], np.ndarray, list[np.ndarray]]:
    """Decode a page and cut out every line: (row, meta, lines, (H, W, 3) uint8 RGB image, crops)."""
    lines = page_lines(row, n_page)
    image = decode_image(row)
    return row, row_meta(row), lines, image, [crop(image, line) for line in lines]


def _prefetch(rows: Iterable[dict], workers: int) -> Iterator[tuple]:
    """:func:`_prepare` on `workers` threads (OpenCV releases the GIL while decoding and warping), up to
    2 x `workers` pages ahead, results in page order."""
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="synthdoc-validate") as pool:
        window: deque = deque()
        for n, row in enumerate(rows):
            window.append(pool.submit(_prepare, row, n))
            if len(window) >= 2 * max(1, workers):
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]


def validate(dataset_dir: str | os.PathLike, *, engine: str | Engine = "auto", sample: int | None = None,
             seed: int = 0, device: str | None = None, detect: bool = False, max_ned: float | None = None,
             out: str | os.PathLike | None = None, report_dir: str | os.PathLike | None = None,
             batch_size: int | None = None, worst: int = 20, nemotron_dir: str | None = None,
             workers: int | None = None, progress: Callable[[int, int, int], None] | None = None,
             verify: bool = True) -> ValidationResult:
    """Validate a dataset folder: OCR every line of the selected pages and report NED.

    Args:
        dataset_dir: folder written by ``synthdoc generate``.
        engine: "auto", "ppocr", "tesseract", "nemotron", or an :class:`~synthdoc.ocr.engine.Engine`.
        sample: validate this many pages drawn uniformly with `seed` (None: every page).
        seed: seed of the page sample.
        device: "cuda", "cpu" or None (CUDA when onnxruntime-gpu offers it) for PP-OCRv6 and detection.
        detect: also run the PP-OCRv6 detector on every selected page and match its boxes to the line quads.
        max_ned: keep-list threshold: pages whose mean line NED is above it are dropped (``keep.txt``).
        out: with `max_ned`, the folder of the filtered copy, recorded in the report; the copy is written by
            :func:`synthdoc.api.validate` (:mod:`synthdoc.writers.filtered`), which checks `out` before any work.
        report_dir: where the report goes (default ``dataset_dir/validation``).
        batch_size: crops per forward pass of PP-OCRv6 (None: 32 on the CPU, 256 on CUDA).
        worst: number of worst lines kept in the report (with crops).
        nemotron_dir: Nemotron OCR weights folder (engine "nemotron").
        workers: threads decoding pages and cutting out lines (None: up to 8, one per CPU).
        progress: called as progress(pages_done, pages_total, lines_scored) after each page.
        verify: compare shard SHA-256 sums with the manifest when opening (:func:`synthdoc.dataset.open_dataset`).

    Returns:
        A :class:`ValidationResult`.

    Raises:
        SynthdocError: before any work, for a folder without shards, bad options, an engine that cannot start
            or reads none of the dataset's languages, an unwritable report folder or `out`.
    """
    dataset_dir = Path(dataset_dir)
    check_options(sample, max_ned, out, batch_size)
    ds = open_dataset(dataset_dir, verify=verify)
    dev = _device(engine, device, detect)
    rdir = _report_dir(dataset_dir, report_dir)
    eng = make_engine(engine, device=dev, batch_size=batch_size, nemotron_dir=nemotron_dir) \
        if isinstance(engine, str) else engine
    _covered(eng, ds.configs)
    detector = None
    if detect:
        from synthdoc.ocr.detect import PPOCRDetector

        detector = PPOCRDetector(dev)
    selected = select_rows([s.rows for s in ds.shards], sample, seed)
    total = int(sum(len(s) for s in selected))
    run = _Run(eng, detector, max(FLUSH_LINES, 2 * (batch_size or 0)), worst)
    t_start = time.perf_counter()
    rows = (row for _, row in ds.iter_rows(COLUMNS, selected=selected))
    for prepared in _prefetch(rows, workers or min(8, os.cpu_count() or 1)):
        run.add_page(*prepared)
        if progress:
            progress(len(run.scores.pages), total, run.scores.lines)
    run.flush_all()
    wall = time.perf_counter() - t_start
    if progress:
        progress(len(run.scores.pages), total, run.scores.lines)
    scores, det_counts = run.scores, run.detections
    return _finish(dataset_dir, rdir, eng, dev, sample, seed, scores, det_counts, wall, max_ned, out, detect)


def _finish(dataset_dir: Path, rdir: Path, eng: Engine, dev: str, sample, seed, scores: _Scores, det_counts,
            wall: float, max_ned, out, detect: bool) -> ValidationResult:
    """Write the report files (and the keep-list); return the result."""
    for old in (rdir / "worst").glob("*.png"):
        old.unlink()
    worst = []
    for rank, (_, _, record, crop_img) in enumerate(sorted(scores.worst, key=lambda t: (-t[0], -t[1]))):
        name = f"worst/{rank:03d}_{_safe(record['id'])}_{record['line']}.png"
        cv2.imwrite(str(rdir / name), np.ascontiguousarray(crop_img[:, :, ::-1]))
        worst.append({**record, "crop": name})
    page_ned = {p.id: p.ned_sum / p.scored for p in scores.pages if p.scored}
    with open(rdir / "pages.jsonl", "w", encoding="utf-8") as f:
        for p in scores.pages:
            f.write(json.dumps({"id": p.id, "lang": p.lang, "layout": p.layout, "preset": p.preset, "lines": p.lines,
                                "scored": p.scored, "mean_ned": page_ned.get(p.id)}, ensure_ascii=False) + "\n")
    groups = [{"lang": k[0], "layout": k[1], "preset": k[2], **s.summary()} for k, s in sorted(scores.groups.items())]
    report = {
        "synthdoc_version": __version__, "dataset": str(dataset_dir), "engine": eng.name, "device": dev,
        "sample": sample, "seed": seed, "pages": len(scores.pages), "lines": scores.lines,
        "lines_unsupported": dict(sorted(scores.unsupported.items())), "normalisation": NORMALISATION,
        "languages": [{"lang": k, **s.summary()} for k, s in sorted(scores.langs.items())],
        "groups": groups,
        "throughput": {"wall_s": wall, "lines_per_s": scores.lines / wall if wall else 0.0,
                       "recognition_s": scores.recognition_s,
                       "recognition_lines_per_s": scores.lines / scores.recognition_s if scores.recognition_s else 0.0,
                       "pages_per_s": len(scores.pages) / wall if wall else 0.0},
        "worst": worst,
        "detection": {"iou_min": 0.5, "groups": _detection_groups(det_counts)} if detect else None,
        "filter": None,
    }
    keep = None
    if max_ned is not None:
        from synthdoc.ocr.filter import write_keep_list

        keep = [p.id for p in scores.pages if page_ned.get(p.id, 0.0) <= max_ned]
        write_keep_list(rdir / "keep.txt", keep)
        report["filter"] = {"max_ned": max_ned, "kept": len(keep), "dropped": len(scores.pages) - len(keep),
                            "keep_list": "keep.txt", "out": str(out) if out is not None else None}
    (rdir / "validation.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    (rdir / "validation.md").write_text(markdown(report), encoding="utf-8")
    return ValidationResult(report, rdir, page_ned, keep)
