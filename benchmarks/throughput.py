"""Single-worker throughput of synthdoc per language: pages/s per core, time per stage, peak memory.

For each language, a fresh Python process (so that peak RSS and caches are per language, like a pool
worker) builds an in-process :class:`synthdoc.pipeline.SampleFactory` with the default
``GenerateConfig(languages=[lang])`` (multi_column layout, JPEG), calls ``make()`` for 2 warm-up pages,
then times ``--pages`` pages of ``make()`` (layout + render + JPEG encode). Figures:

- pages/s per core = pages / CPU seconds of the process (``time.process_time``, all threads; OpenCV is
  limited to one thread with ``cv2.setNumThreads(1)`` as in pool workers), and wall pages/s;
- mean ms per page of each stage (``layout_page`` incl. retried attempts, ``render``, ``encode``), wall
  time measured around the factory's own methods while ``make()`` runs;
- peak RSS of the process (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, MB) and factory start-up time.

Prints a table and writes ``benchmarks/results/throughput.json`` with machine information and the date.

Usage::

    python benchmarks/throughput.py [--pages 30] [--languages eng_Latn jpn_Jpan ...] [--out PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_LANGUAGES = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")
WARMUP_PAGES = 2


def _peak_rss_mb() -> float:
    """Peak resident set size of this process, MB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure_language(lang: str, pages: int) -> dict:
    """Time `pages` pages of ``SampleFactory.make`` for one language in this process."""
    import cv2

    cv2.setNumThreads(1)
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory

    t0 = time.perf_counter()
    factory = SampleFactory(GenerateConfig(languages=[lang]))
    startup_s = time.perf_counter() - t0

    stage_s = {"layout": 0.0, "render": 0.0, "encode": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                stage_s[name] += time.perf_counter() - t
        return wrapper

    # instance attributes shadow the methods, so make() goes through the timers
    factory.layout_page = timed("layout", factory.layout_page)
    factory.render = timed("render", factory.render)
    factory.encode = timed("encode", factory.encode)

    for i in range(WARMUP_PAGES):
        factory.make(i)
    for k in stage_s:
        stage_s[k] = 0.0
    retries = 0
    chars = pixels = 0
    image_bytes = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(WARMUP_PAGES, WARMUP_PAGES + pages):
        sample = factory.make(i)
        retries += sample.stats.retries
        chars += len(sample.page.text)
        pixels += sample.page.width * sample.page.height
        image_bytes += len(sample.image_bytes)
    cpu_s, wall_s = time.process_time() - cpu0, time.perf_counter() - wall0

    return {
        "language": lang,
        "pages": pages,
        "cpu_s": cpu_s,
        "wall_s": wall_s,
        "pages_per_cpu_s": pages / cpu_s,
        "pages_per_wall_s": pages / wall_s,
        "ms_per_page": {k: 1000 * v / pages for k, v in stage_s.items()},
        "retries": retries,
        "mean_chars_per_page": chars / pages,
        "mean_megapixels": pixels / pages / 1e6,
        "mean_jpeg_kb": image_bytes / pages / 1024,
        "startup_s": startup_s,
        "peak_rss_mb": _peak_rss_mb(),
    }


def machine_info() -> dict:
    import cv2
    import numpy as np

    import synthdoc

    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "synthdoc": synthdoc.__version__,
    }


def table(results: list[dict]) -> str:
    head = (f"{'language':9} {'pages/s/core':>12} {'wall pages/s':>12} {'layout ms':>9} {'render ms':>9} "
            f"{'encode ms':>9} {'chars/page':>10} {'MP':>5} {'peak RSS MB':>11} {'start s':>7}")
    rows = [head, "-" * len(head)]
    for r in results:
        ms = r["ms_per_page"]
        rows.append(f"{r['language']:9} {r['pages_per_cpu_s']:12.2f} {r['pages_per_wall_s']:12.2f} "
                    f"{ms['layout']:9.1f} {ms['render']:9.1f} {ms['encode']:9.1f} {r['mean_chars_per_page']:10.0f} "
                    f"{r['mean_megapixels']:5.2f} {r['peak_rss_mb']:11.0f} {r['startup_s']:7.2f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=30, help="timed pages per language (after 2 warm-up pages)")
    ap.add_argument("--languages", nargs="+", default=list(DEFAULT_LANGUAGES))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "throughput.json"))
    ap.add_argument("--one", metavar="LANG", help=argparse.SUPPRESS)  # child mode: print one result as JSON
    args = ap.parse_args(argv)
    if args.pages < 1:
        ap.error("--pages must be >= 1")

    if args.one:
        print(json.dumps(measure_language(args.one, args.pages)))
        return 0

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    results = []
    for lang in args.languages:
        proc = subprocess.run([sys.executable, __file__, "--one", lang, "--pages", str(args.pages)],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            print(f"{lang}: failed\n{proc.stderr.strip()}", file=sys.stderr)
            return 1
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"{lang}: {results[-1]['pages_per_cpu_s']:.2f} pages/s per core", file=sys.stderr, flush=True)

    print(table(results))
    report = {
        "benchmark": "throughput",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "settings": {"pages": args.pages, "warmup_pages": WARMUP_PAGES, "workers": 1,
                     "config": "GenerateConfig(languages=[lang]) defaults: multi_column, JPEG q90",
                     "opencv_threads": 1},
        "results": results,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
