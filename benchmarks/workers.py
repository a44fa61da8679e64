"""Worker scaling of the real CLI: ``synthdoc generate`` (the default mixture) with ``--workers 1`` and ``2``.

For each page count, the two worker counts run in turn (``--repeats`` rounds, so load from elsewhere hits both
alike), each in a fresh process writing to a fresh folder, with the font index already cached; the wall time
covers the whole command (start-up, the parent's checks, forking the pool, pages, shards, manifest, card).
Speed-up = best wall time with 1 worker / best wall time with 2. Each run's CPU seconds (user + system of the
whole process tree: the parent and its pool workers, ``getrusage(RUSAGE_CHILDREN)``) show what the pool adds
(forked workers warming their own face and glyph caches, rows pickled to the writing process). The outputs of the
two worker counts are compared byte for byte (every shard file).

Prints a table and writes ``benchmarks/results/workers.json`` with machine information and the date.

Usage::

    python benchmarks/workers.py [--pages 60,600] [--languages en,ja] [--repeats 3] [--out PATH]
"""
from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

from throughput import child_env, save_report  # noqa: E402  (benchmarks/throughput.py)


def run(pages: int, workers: int, languages: str, out: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the whole process tree) of one ``synthdoc generate`` run."""
    cmd = [sys.executable, "-m", "synthdoc", "generate", "--out", str(out), "--pages", str(pages),
           "--languages", languages, "--workers", str(workers), "--quiet"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def shard_digest(folder: Path) -> str:
    """SHA-256 over the dataset's shard files (sorted by path)."""
    h = hashlib.sha256()
    for p in sorted(folder.glob("data/**/*.parquet")):
        h.update(p.relative_to(folder).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", default="60,600", help="comma-separated page counts")
    ap.add_argument("--languages", default="en,ja")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "workers.json"))
    args = ap.parse_args(argv)
    env = child_env()
    results = []
    with tempfile.TemporaryDirectory(prefix="synthdoc-workers-") as tmp:
        run(1, 1, args.languages, Path(tmp) / "warm", env)  # font index and bytecode caches
        for pages in (int(p) for p in args.pages.split(",")):
            walls: dict[int, list[float]] = {1: [], 2: []}
            cpus: dict[int, list[float]] = {1: [], 2: []}
            digests = {}
            for r in range(args.repeats):
                for workers in (1, 2):
                    out = Path(tmp) / f"p{pages}-w{workers}-r{r}"
                    wall, cpu = run(pages, workers, args.languages, out, env)
                    walls[workers].append(wall)
                    cpus[workers].append(cpu)
                    digests[workers] = shard_digest(out)
            best = {w: min(v) for w, v in walls.items()}
            cpu = {w: statistics.median(v) for w, v in cpus.items()}
            results.append({"pages": pages, "wall_s": walls, "best_wall_s": best, "cpu_s": cpus,
                            "median_cpu_s": cpu, "cpu_ratio_2_over_1": cpu[2] / cpu[1],
                            "speedup_2_workers": best[1] / best[2], "identical_shards": digests[1] == digests[2]})
            print(f"{pages} pages: 1 worker {best[1]:.2f} s, 2 workers {best[2]:.2f} s, speed-up "
                  f"{best[1] / best[2]:.2f}x (CPU {cpu[1]:.1f} / {cpu[2]:.1f} s), shards identical: "
                  f"{digests[1] == digests[2]}", flush=True)
    save_report("workers", {"settings": {"languages": args.languages, "repeats": args.repeats,
                                         "config": "synthdoc generate defaults (the default mixture)"},
                            "results": results}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
