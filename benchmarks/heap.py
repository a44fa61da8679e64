"""Speed with and without the malloc tuning of ``synthdoc.heap.tune_heap`` (what ``synthdoc generate`` does).

Each round runs ``benchmarks/throughput.py``'s in-process measurement (default mixture, one worker, pages made,
encoded and written to a shard; pages per CPU second, user + system, excluding start-up) three times, in fresh
processes, the order flipped every round: with glibc's adaptive thresholds, tuned with the 8 MiB trim threshold
of the stop before, and tuned as now (:data:`VARIANTS`); the report gives the medians and their ratios.
The memory side is the 10,000-page trace of ``throughput.py --rss-pages`` (``throughput_rss.json``).

Usage::

    python benchmarks/heap.py [--rounds 3] [--pages 40] [--language eng_Latn] [--out benchmarks/results/heap.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from throughput import save_report  # noqa: E402  (benchmarks/throughput.py)


VARIANTS = {"glibc": ["--glibc-heap"], "trim_8mib": ["--trim-mib", "8"], "tuned": []}
"""glibc's adaptive thresholds; tuned with the 8 MiB trim threshold of the stop before; tuned as now."""


def _run(lang: str, pages: int, variant: str) -> dict:
    cmd = [sys.executable, str(ROOT / "benchmarks" / "throughput.py"), "--one", lang, "--pages", str(pages)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run(cmd + VARIANTS[variant], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--language", default="eng_Latn")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "heap.json"))
    args = ap.parse_args(argv)
    rounds = []
    names = list(VARIANTS)
    for r in range(args.rounds):
        row = {}
        for variant in (names if r % 2 == 0 else names[::-1]):
            res = _run(args.language, args.pages, variant)
            row[variant] = {k: res[k] for k in ("pages_per_cpu_s", "peak_rss_mb", "minor_faults_per_page",
                                                "system_ms_per_page")}
        rounds.append(row)
        print(f"round {r}: " + " / ".join(f"{k} {row[k]['pages_per_cpu_s']:.2f}" for k in names) + " pages/s per core",
              file=sys.stderr, flush=True)
    med = {k: statistics.median(r[k]["pages_per_cpu_s"] for r in rounds) for k in names}
    faults = {k: statistics.median(r[k]["minor_faults_per_page"] for r in rounds) for k in names}
    system = {k: statistics.median(r[k]["system_ms_per_page"] for r in rounds) for k in names}
    summary = {"median_pages_per_cpu_s": med, "median_minor_faults_per_page": faults,
               "median_system_ms_per_page": system, "ratio_tuned_over_glibc": med["tuned"] / med["glibc"],
               "ratio_tuned_over_trim_8mib": med["tuned"] / med["trim_8mib"]}
    print(json.dumps(summary))
    save_report("heap", {"settings": {"rounds": args.rounds, "pages": args.pages, "language": args.language},
                         "rounds": rounds, "summary": summary}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
