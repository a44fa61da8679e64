"""Where the default mixture's CPU time goes: the whole page against its layout alone and everything after it.

For each language, three passes over the same ``--pages`` sample indices, each in a factory of its own
(``GenerateConfig(languages=[lang])``: the default mixture), each factory first warmed on ``WARMUP_PAGES``
other indices (whole pages) so that its font, glyph and module caches are in the state of a long run, never
warmed on the measured pages themselves:

- **whole**: ``SampleFactory.make`` plus the Parquet row (``sample_to_batch``), as
  ``benchmarks/throughput.py`` times a page; every page's laid-out :class:`synthdoc.doc.Page` is kept.
- **layout**: ``SampleFactory.layout_retrying`` alone (text sampling, shaping, line breaking, placement).
- **after layout**: the same pages made again with ``layout_retrying`` answering from the kept layouts:
  rendering, every augmentation phase, the legibility check, encoding and the Parquet row. The image bytes
  must equal the whole pass's, page for page (checked: the replay makes the same pages).

Then the layout and after-layout passes run once more, each in a fresh factory of its own (the after-layout
one on the kept layouts), under ``cProfile`` with Python's cyclic garbage collector paused (its collections would
be charged to whichever call happened to trigger them). The profile splits their time in three by the own time
of each function: calls into C libraries (OpenCV, numpy, HarfBuzz, FreeType, Arrow), Python's runtime built-ins
(``len``, ``max``, list, dict and str methods: :func:`_python_runtime`) and Python code. The profiler slows
Python several-fold and C calls hardly at all, so the C-library figure is close to the real one: no change to
synthdoc's Python code goes below it short of calling the libraries less (numpy arithmetic written as operators,
``a + b``, counts as Python code there, so the true floor is higher still).

CPU time of the process (``time.process_time``), OpenCV on one thread, the heap tuned as ``synthdoc generate``
does. ``--rounds`` repeats the three passes (languages alternating) and reports medians. The "after layout"
figure bounds what any speed-up of the layout code can give: pages/s per core can never exceed
1000 / (its ms a page).

Prints a table and writes ``benchmarks/results/floor.json`` with machine information and the date.

Usage::

    python benchmarks/floor.py [--pages 60] [--languages eng_Latn jpn_Jpan] [--rounds 3] [--layout NAME] [--out PATH]
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

from throughput import WARMUP_PAGES, save_report  # noqa: E402  (benchmarks/throughput.py: the same warm-up)

from synthdoc.writers.parquet import sample_to_batch  # noqa: E402

WARMUP_START = 100_000  # warm-up indices, far from the measured ones


def _factory(lang: str, layouts: dict | None):
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory

    factory = SampleFactory(GenerateConfig(languages=[lang], **({"layouts": layouts} if layouts else {})))
    for i in range(WARMUP_START, WARMUP_START + WARMUP_PAGES):
        sample_to_batch(factory.make(i))
    return factory


def _cpu_ms(fn, indices: range) -> tuple[float, list]:
    """(CPU ms a page of fn(i) over `indices`, the results)."""
    t = time.process_time()
    out = [fn(i) for i in indices]
    return 1000 * (time.process_time() - t) / len(indices), out


_RUNTIME = re.compile(r"<built-in method builtins\.|<method '\w+' of '(list|dict|str|tuple|set|frozenset|int|float|"
                      r"bytes|bytearray|object|generator)' objects>|<built-in method _?(thread|weakref|operator|"
                      r"functools|itertools|collections)")


def _python_runtime(name: str) -> bool:
    """True for a cProfile built-in entry of Python's own runtime (``<built-in method builtins.len>``, ``<method
    'append' of 'list' objects>``), False for a C library's (``<multiply>``, ``<built-in method numpy.array>``).
    Standard-library C modules outside that list (``math``, ``_bisect``: 0.15 ms a page in the English layout) count as C
    libraries."""
    return bool(_RUNTIME.match(name))


def _c_split(fn, indices: range, top: int = 12) -> dict:
    """fn(i) over `indices` under cProfile, the garbage collector paused: own time of C-library calls, of Python's
    runtime built-ins and of Python code, ms a page (the last two slowed by the profiler), and the `top`
    C-library calls by own time."""
    gc.collect()
    gc.disable()
    prof = cProfile.Profile()
    try:
        prof.enable()
        for i in indices:
            fn(i)
        prof.disable()
    finally:
        gc.enable()
    c_ms: dict[str, float] = {}
    runtime_s = python_s = 0.0
    for (filename, _, name), (_, _, own_s, _, _) in pstats.Stats(prof).stats.items():
        if filename != "~":
            python_s += own_s
        elif _python_runtime(name):
            runtime_s += own_s
        else:
            c_ms[name] = c_ms.get(name, 0.0) + 1000 * own_s / len(indices)
    ranked = sorted(c_ms.items(), key=lambda kv: -kv[1])
    return {"c_ms": sum(c_ms.values()), "runtime_builtins_ms_profiled": 1000 * runtime_s / len(indices),
            "python_ms_profiled": 1000 * python_s / len(indices),
            "top_c_ms": {name: round(ms, 2) for name, ms in ranked[:top]}}


def _made(factory, index: int) -> bytes:
    """Sample `index` made and turned into its Parquet row, as a benchmark page is; returns its image bytes."""
    sample = factory.make(index)
    sample_to_batch(sample)
    return sample.image_bytes


def measure(lang: str, pages: int, templates: dict | None = None) -> dict:
    """One round of the three passes for `lang` (module docstring); `templates`: layouts of the config (None:
    the default mixture's)."""
    indices = range(pages)
    kept: dict[int, tuple] = {}  # index -> layout_retrying result
    whole = _factory(lang, templates)
    real_layout = whole.layout_retrying

    def keeping(index, stats=None):
        kept[index] = real_layout(index, stats)
        return kept[index]

    whole.layout_retrying = keeping
    whole_ms, images = _cpu_ms(lambda i: _made(whole, i), indices)
    digests = [hashlib.sha256(data).hexdigest() for data in images]
    modes = [kept[i][1].mode for i in indices]

    layout_ms, _ = _cpu_ms(_factory(lang, templates).layout_retrying, indices)

    replay = _factory(lang, templates)
    replay.layout_retrying = lambda index, stats=None: kept[index]
    after_ms, images = _cpu_ms(lambda i: _made(replay, i), indices)
    same = digests == [hashlib.sha256(data).hexdigest() for data in images]
    profiled_replay = _factory(lang, templates)
    profiled_replay.layout_retrying = replay.layout_retrying
    profiled = {"after_layout": _c_split(lambda i: _made(profiled_replay, i), indices),
                "layout": _c_split(_factory(lang, templates).layout_retrying, indices)}
    return {"whole_ms": whole_ms, "layout_ms": layout_ms, "after_layout_ms": after_ms, "replay_identical": same,
            "modes": {m: modes.count(m) for m in sorted(set(modes))}, "profiled": profiled}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--languages", nargs="+", default=["eng_Latn", "jpn_Jpan"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--layout", help="one layout template instead of the mixture's (e.g. multi_column: "
                                     "benchmarks/augment.py's benchmark page)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "floor.json"))
    args = ap.parse_args(argv)
    import cv2

    cv2.setNumThreads(1)
    from synthdoc.heap import tune_heap

    tune_heap()  # as `synthdoc generate` does
    from synthdoc.writers.parquet import defer_pandas

    defer_pandas()
    rounds: dict[str, list[dict]] = {lang: [] for lang in args.languages}
    for r in range(args.rounds):
        for lang in args.languages:
            rounds[lang].append(measure(lang, args.pages, {args.layout: 1.0} if args.layout else None))
            print(f"round {r + 1} {lang}: " + ", ".join(f"{k} {v:.1f}" for k, v in rounds[lang][-1].items()
                                                     if k.endswith("_ms")), flush=True)
    results = []
    print(f"{'language':9} {'whole ms':>9} {'layout ms':>10} {'after ms':>9} {'p/s/core':>9} {'ceiling':>8} "
          f"{'C ms':>6} {'C ceiling':>9}")
    for lang, rs in rounds.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("whole_ms", "layout_ms", "after_layout_ms")}
        c_ms = {part: statistics.median(r["profiled"][part]["c_ms"] for r in rs) for part in ("layout", "after_layout")}
        res = {"language": lang, **med, "pages_per_cpu_s": 1000 / med["whole_ms"],
               "ceiling_pages_per_cpu_s": 1000 / med["after_layout_ms"], "c_ms": c_ms,
               "c_ceiling_pages_per_cpu_s": 1000 / sum(c_ms.values()),
               "replay_identical": all(r["replay_identical"] for r in rs), "modes": rs[0]["modes"], "rounds": rs}
        results.append(res)
        print(f"{lang:9} {med['whole_ms']:9.1f} {med['layout_ms']:10.1f} {med['after_layout_ms']:9.1f} "
              f"{res['pages_per_cpu_s']:9.2f} {res['ceiling_pages_per_cpu_s']:8.2f} {sum(c_ms.values()):6.1f} "
              f"{res['c_ceiling_pages_per_cpu_s']:9.2f}")
    config = f"GenerateConfig(languages=[lang], layouts={{{args.layout}: 1}})" if args.layout else \
        "GenerateConfig(languages=[lang]): the default mixture"
    save_report("floor", {"settings": {"pages": args.pages, "rounds": args.rounds, "warmup_pages": WARMUP_PAGES,
                                       "config": config, "opencv_threads": 1, "heap": "synthdoc.heap.tune_heap()"},
                          "results": results}, args.out)
    return 0 if all(r["replay_identical"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
