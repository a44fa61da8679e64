"""Throughput of ``synthdoc validate``: lines/s of the bundled PP-OCRv6 recogniser on the CPU and, where
onnxruntime-gpu sees a CUDA device, on the GPU at batch sizes 64-1024; compared with generation speed.

Steps:

1. Generate a clean dataset (default multi_column pages, JPEG) of ``--pages`` pages in the four languages
   PP-OCRv6 reads (eng_Latn, jpn_Jpan, zho_Hans, zho_Hant) with one worker, timing it (pages/s).
2. Cut every line out once (:func:`synthdoc.geometry.crop_line`).
3. Recogniser alone: for each device and batch size, a fresh :class:`~synthdoc.ocr.ppocr.PPOCRRecognizer`,
   one warm-up batch, then all crops of each language (one call per language, sorted into batches by aspect
   ratio as validate does) timed with ``time.perf_counter`` -> lines/s and the mean NED (a sanity check).
4. End to end: :func:`synthdoc.ocr.validate.validate` (decode, crop, recognise, report) on the dataset with
   ``engine="ppocr"`` per device at its best batch size -> lines/s and pages/s, and the ratio of validation
   time to generation time for the same pages (below 1 = validating a shard takes less time than making it).
5. CPU, ``engine="auto"`` on a six-language dataset of the same size (Tesseract reads Korean and Russian).

Prints a table and writes ``benchmarks/results/validate.json`` with machine information and the date.
Without a CUDA device the CUDA figures are recorded as not measured.

Usage::

    python benchmarks/validate.py [--pages 24] [--cpu-batch-sizes 16 32 64] [--cuda-batch-sizes 64 128 256 512 1024]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PPOCR_LANGUAGES = ["eng_Latn", "jpn_Jpan", "zho_Hans", "zho_Hant"]
ALL_LANGUAGES = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]


def generate(out: Path, languages: list[str], pages: int) -> dict:
    """Write a clean dataset with one worker; returns pages, seconds and pages/s."""
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig

    t0 = time.perf_counter()
    write_dataset(GenerateConfig(languages=languages, pages=pages, seed=0, workers=1), out)
    wall = time.perf_counter() - t0
    return {"pages": pages, "wall_s": wall, "pages_per_s": pages / wall}


def line_crops(dataset: Path) -> dict[str, list[tuple[str, object]]]:
    """lang -> [(label, crop)] of every line of the dataset."""
    from synthdoc.dataset import decode_image, open_dataset
    from synthdoc.ocr.pages import COLUMNS, crop, page_lines

    out: dict[str, list] = {}
    for n, (_, row) in enumerate(open_dataset(dataset).iter_rows(COLUMNS)):
        image = decode_image(row)
        for line in page_lines(row, n):
            out.setdefault(row["lang"], []).append((line.label, crop(image, line)))
    return out


def recogniser_speed(crops: dict[str, list], device: str, batch_size: int) -> dict:
    """Lines/s of PPOCRRecognizer alone over all crops (after one warm-up batch), and mean NED."""
    import numpy as np

    from synthdoc.ocr.metrics import ned
    from synthdoc.ocr.ppocr import PPOCRRecognizer

    rec = PPOCRRecognizer(device=device, batch_size=batch_size)
    first = next(iter(crops.values()))
    rec.recognise([c for _, c in first[:batch_size]])
    n, neds, t = 0, [], 0.0
    for lang, items in crops.items():
        t0 = time.perf_counter()
        preds = rec.recognise([c for _, c in items], lang, False)
        t += time.perf_counter() - t0
        n += len(items)
        neds += [ned(label, p, lang) for (label, _), p in zip(items, preds)]
    return {"device": device, "batch_size": batch_size, "lines": n, "seconds": t, "lines_per_s": n / t,
            "mean_ned": float(np.mean(neds))}


def end_to_end(dataset: Path, engine: str, device: str, batch_size: int, gen: dict, report_dir: Path) -> dict:
    """validate() on the whole dataset: lines/s, pages/s and validation time / generation time."""
    from synthdoc.ocr.validate import validate

    r = validate(dataset, engine=engine, device=device, batch_size=batch_size, report_dir=report_dir).report
    t = r["throughput"]
    return {"engine": engine, "device": device, "batch_size": batch_size, "pages": r["pages"], "lines": r["lines"],
            "wall_s": t["wall_s"], "lines_per_s": t["lines_per_s"], "pages_per_s": t["pages_per_s"],
            "recognition_lines_per_s": t["recognition_lines_per_s"],
            "validate_over_generate_time": t["wall_s"] / gen["wall_s"],
            "mean_ned": {g["lang"]: g["mean_ned"] for g in r["languages"]}}


def machine() -> dict:
    import onnxruntime as ort

    info = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "onnxruntime": ort.__version__, "providers": ort.get_available_providers()}
    if shutil.which("nvidia-smi"):
        res = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, check=False)
        info["gpu"] = res.stdout.strip() or None
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=24, help="pages per dataset")
    ap.add_argument("--cpu-batch-sizes", type=int, nargs="+", default=[16, 32, 64])
    ap.add_argument("--cuda-batch-sizes", type=int, nargs="+", default=[64, 128, 256, 512, 1024])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "validate.json"))
    args = ap.parse_args()

    from synthdoc.ocr.onnx import cuda_available

    devices = {"cpu": args.cpu_batch_sizes}
    if cuda_available():
        devices["cuda"] = args.cuda_batch_sizes
    result = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
              "pages": args.pages, "recogniser": [], "end_to_end": [],
              "cuda": "measured" if "cuda" in devices else "not measured: onnxruntime has no CUDAExecutionProvider here"}
    with tempfile.TemporaryDirectory(prefix="synthdoc-bench-validate-") as tmp:
        tmp = Path(tmp)
        gen = generate(tmp / "ppocr", PPOCR_LANGUAGES, args.pages)
        result["generate"] = gen
        crops = line_crops(tmp / "ppocr")
        print(f"generated {gen['pages']} pages in {gen['wall_s']:.1f} s ({gen['pages_per_s']:.2f} pages/s, one worker); "
              f"{sum(len(v) for v in crops.values())} lines")
        for device, sizes in devices.items():
            for b in sizes:
                r = recogniser_speed(crops, device, b)
                result["recogniser"].append(r)
                print(f"recogniser  {device:4s} batch {b:5d}: {r['lines_per_s']:8.1f} lines/s  (mean NED {r['mean_ned']:.4f})")
            best = max((r for r in result["recogniser"] if r["device"] == device), key=lambda r: r["lines_per_s"])
            e = end_to_end(tmp / "ppocr", "ppocr", device, best["batch_size"], gen, tmp / f"report-{device}")
            result["end_to_end"].append(e)
            print(f"validate    {device:4s} batch {best['batch_size']:5d}: {e['lines_per_s']:8.1f} lines/s, "
                  f"{e['pages_per_s']:.2f} pages/s; validation / generation time {e['validate_over_generate_time']:.2f}")
        gen6 = generate(tmp / "all", ALL_LANGUAGES, args.pages)
        e = end_to_end(tmp / "all", "auto", "cpu", 64, gen6, tmp / "report-auto")
        e["generate"] = gen6
        result["end_to_end"].append(e)
        print(f"validate    auto (PP-OCRv6 + Tesseract) cpu, six languages: {e['lines_per_s']:.1f} lines/s, "
              f"{e['pages_per_s']:.2f} pages/s; validation / generation time {e['validate_over_generate_time']:.2f}")
    if "cuda" not in devices:
        print("CUDA: not measured (no CUDAExecutionProvider; pip install \"synthdoc[gpu]\" on a machine with a GPU)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
