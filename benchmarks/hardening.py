"""Costs of the hardening checks (issue #17), each against what it protects from.

* Reading a dataset: :func:`synthdoc.dataset.open_dataset` with the SHA-256 check (default) and without it
  (``--no-verify``), against the bytes on disk (MB/s), for a run of ``--pages`` pages.
* Long corpus paragraphs: a one-line corpus of ``--corpus-mb`` MB (bundled English words) loaded (cleaned and cut
  into pieces of at most 2000 characters at UAX #14 opportunities), then ``--long-pages`` pages made from it.
  Before the fix the whole paragraph was shaped again for every page (the issue measured 301 s for 3 pages
  of a 2 MB paragraph).
* A dead worker: seconds from SIGKILL of one worker of a 2-worker CLI run to the end of the run.

Best of ``--repeats``; run it on an otherwise idle machine for figures to quote (a shared machine is noisy:
compare the rows of one run). Prints a table and writes ``benchmarks/results/hardening.json``.

Usage::

    python benchmarks/hardening.py [--pages 48] [--corpus-mb 2] [--long-pages 3] [--repeats 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def reading(tmp: Path, pages: int, repeats: int) -> dict:
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig
    from synthdoc.dataset import open_dataset

    out = tmp / "ds"
    write_dataset(GenerateConfig(languages=["en", "ja"], pages=pages, shard_size=8, seed=1), out)
    nbytes = sum(p.stat().st_size for p in out.glob("data/*/*.parquet"))
    verify = _best(lambda: open_dataset(out), repeats)
    no_verify = _best(lambda: open_dataset(out, verify=False), repeats)
    rows = _best(lambda: sum(1 for _ in open_dataset(out, verify=False).iter_rows(["id", "image"])), repeats)
    return {"pages": pages, "mb": nbytes / 1e6, "open_verify_s": verify, "open_no_verify_s": no_verify,
            "verify_mb_per_s": nbytes / 1e6 / max(verify - no_verify, 1e-9), "read_all_rows_s": rows}


def long_paragraph(tmp: Path, corpus_mb: float, pages: int) -> dict:
    import numpy as np

    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory
    from synthdoc.text.sources import load_bundled, load_txt

    words = " ".join(load_bundled("eng_Latn").documents[0]).split()
    rng = np.random.default_rng(0)
    text = " ".join(rng.choice(words, int(corpus_mb * 1e6 / 6)))
    path = tmp / "long.txt"
    path.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    corpus = load_txt(path)
    load_s = time.perf_counter() - t0
    factory = SampleFactory(GenerateConfig(languages=["en"], corpus={"en": str(path)}))
    t0 = time.perf_counter()
    for i in range(pages):
        factory.make(i)
    return {"corpus_mb": len(text.encode()) / 1e6, "pieces": corpus.num_paragraphs(), "load_s": load_s,
            "pages": pages, "pages_s": time.perf_counter() - t0}


def dead_worker(tmp: Path) -> dict:
    out = tmp / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "synthdoc", "generate", "--languages", "en,ja", "--pages", "400",
                             "--shard-size", "4", "--workers", "2", "--quiet", "--out", str(out)],
                            cwd=str(tmp), stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    while not (out / "synthdoc-manifest.json").exists() and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1.0)
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True, text=True).stdout
    os.kill(int(children.split()[0]), signal.SIGKILL)
    t0 = time.perf_counter()
    _, err = proc.communicate(timeout=300)
    return {"end_after_kill_s": time.perf_counter() - t0, "exit": proc.returncode, "stderr": err.strip()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=48)
    ap.add_argument("--corpus-mb", type=float, default=2.0)
    ap.add_argument("--long-pages", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "hardening.json"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        result = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
                  "reading": reading(tmp, args.pages, args.repeats),
                  "long_paragraph": long_paragraph(tmp, args.corpus_mb, args.long_pages),
                  "dead_worker": dead_worker(tmp)}
    r, lp, dw = result["reading"], result["long_paragraph"], result["dead_worker"]
    print(f"open {r['pages']} pages ({r['mb']:.1f} MB): {r['open_verify_s']:.3f} s with SHA-256, "
          f"{r['open_no_verify_s']:.3f} s with --no-verify ({r['verify_mb_per_s']:.0f} MB/s hashed); "
          f"all rows read in {r['read_all_rows_s']:.3f} s")
    print(f"{lp['corpus_mb']:.1f} MB one-line paragraph: loaded in {lp['load_s']:.2f} s ({lp['pieces']} pieces), "
          f"{lp['pages']} pages in {lp['pages_s']:.2f} s")
    print(f"killed worker: run ended {dw['end_after_kill_s']:.2f} s later, exit {dw['exit']}: {dw['stderr']}")
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
