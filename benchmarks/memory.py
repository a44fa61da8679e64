"""Memory: peak resident memory of a ``synthdoc generate`` run with one worker, by pages and shard size.

Shards are streamed to disk as their rows are made (one row group of at most 100 rows is held per open
shard), so the peak should not grow with the number of pages or with ``--shard-size``. Each configuration
runs the real CLI (``python -m synthdoc generate --languages en --augment default --workers 1``, the default
layout mixture unless ``--layouts`` is given) in a fresh
process writing to a fresh folder; a poller reads the resident set size (RSS) of the whole process tree
(the CLI and any child it starts) every ``--poll-ms`` milliseconds from psutil and keeps the largest sum.
The kernel's own figure for the largest single process (``ru_maxrss`` of the reaped child, what
``/usr/bin/time -v`` prints as "Maximum resident set size") is reported beside it: it catches a peak shorter
than the poll period.

Prints a table and writes ``benchmarks/results/memory.json`` with machine information and the date. The
spread is max / min - 1 of the peaks over all configurations (the target is <= 10 %).

Usage::

    python benchmarks/memory.py [--pages 60,500,2000] [--shard-sizes 100,500,2000] [--layouts L=W,...] [--out PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

from throughput import machine_info  # noqa: E402  (benchmarks/throughput.py)

MB = 1024 * 1024


def _tree_rss(proc: psutil.Process) -> int:
    """Sum of the RSS (bytes) of `proc` and its live descendants (0 for those gone meanwhile)."""
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_one(pages: int, shard_size: int, out: Path, poll_s: float, layouts: str | None = None) -> dict:
    """One CLI run; {"pages", "shard_size", "peak_tree_rss_mb", "max_rss_mb", "wall_s", "shards"}.

    Raises:
        RuntimeError: the CLI failed.
    """
    cmd = [sys.executable, "-m", "synthdoc", "generate", "--languages", "en", "--augment", "default",
           "--pages", str(pages), "--shard-size", str(shard_size), "--workers", "1", "--seed", "0",
           "--quiet", "--out", str(out)] + (["--layouts", layouts] if layouts else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        popen = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        proc, peak = psutil.Process(popen.pid), 0
        while True:
            pid, status, usage = os.wait4(popen.pid, os.WNOHANG)  # rusage of this child alone
            if pid:
                break
            peak = max(peak, _tree_rss(proc))
            time.sleep(poll_s)
        wall = time.perf_counter() - t0
        popen.returncode = code = os.waitstatus_to_exitcode(status)
        if code:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {err.read().decode()[-2000:]}")
    max_rss = usage.ru_maxrss * 1024  # KiB on Linux; the largest process of the tree that was waited for
    shards = len(list(out.glob("data/*/*.parquet")))
    return {"pages": pages, "shard_size": shard_size, "shards": shards, "peak_tree_rss_mb": round(peak / MB, 1),
            "max_rss_mb": round(max_rss / MB, 1), "wall_s": round(wall, 1)}


def table(results: list[dict]) -> str:
    lines = [f"{'pages':>6} {'shard size':>10} {'shards':>6} {'peak tree RSS MB':>16} {'max RSS MB':>10} {'wall s':>7}"]
    for r in results:
        lines.append(f"{r['pages']:>6} {r['shard_size']:>10} {r['shards']:>6} {r['peak_tree_rss_mb']:>16.1f} "
                     f"{r['max_rss_mb']:>10.1f} {r['wall_s']:>7.1f}")
    return "\n".join(lines)


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def save(args, results: list[dict]) -> dict:
    """Write the report of `results` so far to ``args.out``; returns its summary (min, max, spread)."""
    peaks = [r["peak_tree_rss_mb"] for r in results]
    summary = {"min_peak_mb": min(peaks), "max_peak_mb": max(peaks),
               "spread_frac": round(max(peaks) / min(peaks) - 1, 4)}
    report = {"benchmark": "memory", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine_info(),
              "settings": {"languages": "en", "augment": "default", "layouts": args.layouts or "default mixture",
                           "workers": 1, "seed": 0,
                           "poll_ms": args.poll_ms, "command": "python -m synthdoc generate (fresh process each)"},
              "results": results, "summary": summary}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=_ints, default=[60, 500, 2000], help="comma-separated page counts")
    ap.add_argument("--shard-sizes", type=_ints, default=[100, 500, 2000], help="comma-separated shard sizes")
    ap.add_argument("--poll-ms", type=float, default=50.0)
    ap.add_argument("--layouts", help="--layouts of the runs (default: the default mixture), e.g. multi_column=1")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "memory.json")
    args = ap.parse_args(argv)
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="synthdoc-memory-") as tmp:
        for pages in args.pages:
            for shard_size in args.shard_sizes:
                out = Path(tmp) / f"p{pages}-s{shard_size}"
                results.append(run_one(pages, shard_size, out, args.poll_ms / 1000, args.layouts))
                shutil.rmtree(out)
                print(table(results[-1:]).splitlines()[1], flush=True)
                save(args, results)  # after each configuration: a long matrix cut short keeps what it measured
    summary = save(args, results)
    print(table(results))
    print(f"peak tree RSS {summary['min_peak_mb']:.0f}-{summary['max_peak_mb']:.0f} MB, "
          f"spread {100 * summary['spread_frac']:.1f} %")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
