"""Throughput of the real workload: the default mixture (every layout mode the language supports, the ``mixed``
augmentation preset) with the installed font pool, per language, one worker.

Three figures per language, each from its own fresh process:

- **pages/s per core, excluding start-up** (``--one``): an in-process :class:`synthdoc.pipeline.SampleFactory` for
  ``GenerateConfig(languages=[lang])`` (the default mixture) makes ``WARMUP_PAGES`` pages, then ``--pages`` timed
  pages, each made, turned into its Parquet row and written to a shard (``ShardWriter`` in a temporary folder):
  pages / CPU seconds of the process (``time.process_time``; OpenCV on one thread as in pool workers). Stage
  times (CPU ms per page) come from wrappers around the functions of each stage while the same pages are made:
  text sampling, layout (which includes text sampling and shaping), shaping (HarfBuzz), background, raster
  (glyphs into coverage masks), compositing, each augmentation phase (background, text, image, geometric, page),
  the legibility check, encode, and write (row + Parquet). Glyph-cache hit rate and faces loaded are reported.
- **pages/s per core, including start-up**: the real CLI, ``python -m synthdoc generate --languages LANG --pages
  N --workers 1`` in a fresh process, CPU seconds (user + system) of the whole process from its exit status
  (``RUSAGE_CHILDREN``), with the font index already cached.
- **start-up**: the same CLI for ``--pages 1`` (CPU s, the page included).

``--rounds N`` measures every language N times (rounds in turn, languages alternating inside a round, every
measurement a fresh process) and reports the median of each figure (per stage too), with every round's figures
beside them: on a machine whose speed drifts by a few percent from one hour to the next, a single run is not
enough to compare against.

``--clean`` measures the clean pages of earlier releases instead (``--layouts multi_column=1 --augment none``).
``--font-dir DIR`` adds font folders (the "extra fonts" rows: ``scripts/setup.sh --fonts extra`` puts them
under /usr/share/fonts; a folder such as an unpacked copy works the same). ``--rss-pages N`` instead runs one
long in-process run of N pages (English, writing shards), recording the resident set size (``/proc``, MB)
every 100 pages: memory must stay flat.

Prints a table and writes ``benchmarks/results/throughput.json`` (or ``--out``) with machine information and
the date.

Usage::

    python benchmarks/throughput.py [--pages 60] [--languages eng_Latn jpn_Jpan ...] [--font-dir DIR] [--clean]
        [--rounds N] [--out PATH]
    python benchmarks/throughput.py --rss-pages 10000 --out benchmarks/results/throughput_rss.json
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_LANGUAGES = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")
WARMUP_PAGES = 3


def _peak_rss_mb() -> float:
    """Peak resident set size of this process, MB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _rss_mb() -> float:
    """Current resident set size of this process, MB (Linux /proc)."""
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


class StageTimer:
    """CPU seconds spent inside wrapped callables, by stage name (nested stages count in both)."""

    def __init__(self):
        self.cpu_s: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.cpu_s[name] += time.process_time() - t
        return timed

    def patch(self, owner, attr: str, name: str) -> None:
        setattr(owner, attr, self.wrap(name, getattr(owner, attr)))

    def reset(self) -> None:
        self.cpu_s.clear()


def _instrument(factory, timer: StageTimer) -> None:
    """Wrap the functions of each stage (module attributes where the pipeline looks them up)."""
    import synthdoc.augment.base as aug_base
    import synthdoc.augment.stack as aug_stack
    import synthdoc.pipeline as pipeline
    import synthdoc.text.sampler as sampler
    from synthdoc.augment.base import STEPS

    for mod in list(sys.modules.values()):  # every module that imported render.shaping.shape by name
        if getattr(mod, "__name__", "").startswith("synthdoc.") and mod.__name__ != "synthdoc.render.shaping" \
                and getattr(mod, "shape", None) is sys.modules["synthdoc.render.shaping"].shape:
            timer.patch(mod, "shape", "shaping")
    for attr in ("title", "_run_from"):
        fn = getattr(sampler.TextSampler, attr)
        if attr == "_run_from":  # a generator: time each paragraph it yields
            def gen(self, index, _fn=fn):
                it = _fn(self, index)
                while True:
                    t = time.process_time()
                    try:
                        item = next(it)
                    except StopIteration:
                        timer.cpu_s["text"] += time.process_time() - t
                        return
                    timer.cpu_s["text"] += time.process_time() - t
                    yield item
            setattr(sampler.TextSampler, attr, gen)
        else:
            setattr(sampler.TextSampler, attr, timer.wrap("text", fn))
    timer.patch(pipeline, "text_masks", "raster")
    timer.patch(aug_base, "composite_layers", "compositing")
    timer.patch(aug_stack, "illegible_words", "legibility")
    for cls in set(STEPS.values()):
        cls.apply = classmethod(timer.wrap(f"augment:{cls.phase}", cls.apply.__func__))
    factory.layout_page = timer.wrap("layout", factory.layout_page)
    factory.background = timer.wrap("background", factory.background)
    factory.encode = timer.wrap("encode", factory.encode)


CLEAN = {"layouts": {"multi_column": 1.0}, "augment": "none"}  # --clean: the clean multi_column pages of old
CLEAN_ARGS = ["--layouts", "multi_column=1", "--augment", "none"]


def measure_language(lang: str, pages: int, font_dirs: list[str], clean: bool = False,
                     glibc_heap: bool = False, trim_mib: int | None = None) -> dict:
    """Excluding start-up: `pages` pages made and written in this process (see the module docstring).
    `glibc_heap`: keep glibc's adaptive malloc thresholds instead of tuning them as ``synthdoc generate`` does;
    `trim_mib`: tune them with this trim threshold, MiB (``benchmarks/heap.py``'s comparison)."""
    import cv2

    cv2.setNumThreads(1)
    from synthdoc.heap import tune_heap

    if trim_mib is not None:
        tune_heap(trim_mib * 2 ** 20)
    elif not glibc_heap:
        tune_heap()  # as `synthdoc generate` does
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory
    from synthdoc.writers.parquet import ShardSpec, ShardWriter, sample_to_batch
    from synthdoc.writers.storage import Storage

    t0 = time.process_time()
    factory = SampleFactory(GenerateConfig(languages=[lang], font_dirs=font_dirs, **(CLEAN if clean else {})))
    startup_cpu_s = time.process_time() - t0
    timer = StageTimer()
    _instrument(factory, timer)
    modes: dict[str, int] = defaultdict(int)
    with tempfile.TemporaryDirectory() as tmp:
        spec = ShardSpec(lang, "data/train-00000-of-00001.parquet", range(WARMUP_PAGES + pages))
        with ShardWriter(Storage(tmp), spec) as writer:
            add = timer.wrap("write", lambda sample: writer.add(sample_to_batch(sample)))
            for i in range(WARMUP_PAGES):
                add(factory.make(i))
            timer.reset()
            factory.glyph_cache.hits = factory.glyph_cache.misses = 0
            usage0 = resource.getrusage(resource.RUSAGE_SELF)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for i in range(WARMUP_PAGES, WARMUP_PAGES + pages):
                sample = factory.make(i)
                add(sample)
                modes[sample.page.layout] += 1
            cpu_s, wall_s = time.process_time() - cpu0, time.perf_counter() - wall0
            usage1 = resource.getrusage(resource.RUSAGE_SELF)
    g = factory.glyph_cache
    return {
        "language": lang, "workload": "clean" if clean else "mixture", "pages": pages, "font_dirs": font_dirs,
        "cpu_s": cpu_s, "wall_s": wall_s,
        "pages_per_cpu_s": pages / cpu_s, "pages_per_wall_s": pages / wall_s,
        "ms_per_page": {k: round(1000 * v / pages, 2) for k, v in sorted(timer.cpu_s.items())},
        "modes": dict(sorted(modes.items())), "factory_startup_cpu_s": startup_cpu_s,
        "glyph_cache_hit_rate": g.hits / max(1, g.hits + g.misses), "faces_loaded": len(factory.face_cache),
        "peak_rss_mb": _peak_rss_mb(),
        "minor_faults_per_page": (usage1.ru_minflt - usage0.ru_minflt) / pages,  # first touches of fresh memory
        "system_ms_per_page": 1000 * (usage1.ru_stime - usage0.ru_stime) / pages,
    }


def child_env(*pythonpath: str) -> dict:
    """Environment of the timed ``synthdoc`` processes: this one's, with `pythonpath` (default: ROOT) first on
    PYTHONPATH and Python's bytecode cache on. The package's modules are byte-compiled first (``compileall``), as
    ``pip install`` does: a shell that sets PYTHONDONTWRITEBYTECODE would otherwise have every run compile
    synthdoc from source (~0.12 CPU s), which no installed copy does."""
    import compileall

    first = list(pythonpath) or [str(ROOT)]
    keep = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p not in first]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(first + keep)
    compileall.compile_dir(str(ROOT / "synthdoc"), quiet=1)
    return env


def _cli_cpu_s(lang: str, pages: int, font_dirs: list[str], env: dict, clean: bool = False) -> float:
    """CPU seconds (user + system) of a fresh ``synthdoc generate`` process."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "synthdoc", "generate", "--out", str(Path(tmp) / "out"), "--languages", lang,
               "--pages", str(pages), "--workers", "1", "--quiet"] + (CLEAN_ARGS if clean else [])
        for d in font_dirs:
            cmd += ["--font-dir", d]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, check=True, env=env, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def rss_run(pages: int, every: int = 100) -> dict:
    """One long English run in this process (default mixture, rows written to a shard per 500 pages): RSS (MB)
    after every `every` pages."""
    import cv2

    cv2.setNumThreads(1)
    from synthdoc.heap import tune_heap

    tune_heap()  # as `synthdoc generate` does
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory
    from synthdoc.writers.parquet import ShardSpec, ShardWriter, sample_to_batch
    from synthdoc.writers.storage import Storage

    factory = SampleFactory(GenerateConfig(languages=["en"]))
    trace = []
    t0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        for start in range(0, pages, 500):
            stop = min(pages, start + 500)
            spec = ShardSpec("eng_Latn", f"data/train-{start // 500:05d}.parquet", range(start, stop))
            with ShardWriter(Storage(tmp), spec) as writer:
                for i in range(start, stop):
                    writer.add(sample_to_batch(factory.make(i)))
                    if (i + 1) % every == 0:
                        trace.append({"pages": i + 1, "rss_mb": round(_rss_mb(), 1),
                                      "cpu_s": round(time.process_time() - t0, 1)})
            os.remove(Path(tmp) / spec.path)
    after = [t["rss_mb"] for t in trace if t["pages"] > 500]
    return {"pages": pages, "every": every, "trace": trace, "peak_rss_mb": _peak_rss_mb(),
            "after_500": {"min_mb": min(after, default=None), "max_mb": max(after, default=None),
                          "spread_frac": (max(after) / min(after) - 1) if after else None}}


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


def save_report(name: str, body: dict, out: str | Path) -> Path:
    """Write ``{"benchmark": name, "date", "machine", **body}`` as indented JSON to `out` (folders created)."""
    report = {"benchmark": name, "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine_info(), **body}
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {path}")
    return path


def table(results: list[dict]) -> str:
    stages = ("text", "shaping", "layout", "background", "raster", "compositing", "augment:background",
              "augment:text", "augment:image", "augment:geometric", "augment:page", "legibility", "encode", "write")
    head = (f"{'language':9} {'fonts':6} {'p/s/core':>8} {'incl start':>10} {'start s':>7} {'RSS MB':>6}  "
            + " ".join(f"{s.split(':')[-1][:6]:>6}" for s in stages))
    rows = [head, "-" * len(head)]
    for r in results:
        ms = r["ms_per_page"]
        rows.append(f"{r['language']:9} {('extra' if r['font_dirs'] else 'system') + ('*' if r['workload'] == 'clean' else ''):6} {r['pages_per_cpu_s']:8.2f} "
                    f"{r['pages_per_cpu_s_with_startup']:10.2f} {r['startup_cpu_s']:7.2f} {r['peak_rss_mb']:6.0f}  "
                    + " ".join(f"{ms.get(s, 0.0):6.1f}" for s in stages))
    return "\n".join(rows)


def _child(args, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--one", args.lang_one, "--pages", str(args.pages)] + (["--clean"] if args.clean else [])
    for d in args.font_dir:
        cmd += ["--font-dir", d]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{args.lang_one}: failed\n{proc.stderr.strip()}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


ROUND_FIGURES = ("pages_per_cpu_s", "pages_per_cpu_s_with_startup", "startup_cpu_s", "cli_cpu_s", "peak_rss_mb",
                 "glyph_cache_hit_rate")


def median_result(runs: list[dict]) -> dict:
    """One language's result from its rounds: the median of every figure of :data:`ROUND_FIGURES` and of every
    stage's ms per page, the other fields from the first round, and ``rounds``: each round's figures."""
    out = dict(runs[0])
    for key in ROUND_FIGURES:
        out[key] = statistics.median(r[key] for r in runs)
    out["ms_per_page"] = {k: statistics.median(r["ms_per_page"].get(k, 0.0) for r in runs)
                          for k in runs[0]["ms_per_page"]}
    out["rounds"] = [{k: r[k] for k in ROUND_FIGURES} for r in runs]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=60, help="timed pages per language")
    ap.add_argument("--languages", nargs="+", default=list(DEFAULT_LANGUAGES))
    ap.add_argument("--font-dir", action="append", default=[], help="extra font folder (repeatable)")
    ap.add_argument("--clean", action="store_true", help="clean multi_column pages (--augment none) instead")
    ap.add_argument("--rss-pages", type=int, help="one long English run of this many pages, RSS every 100")
    ap.add_argument("--rounds", type=int, default=1, help="measure every language this many times, report medians")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "throughput.json"))
    ap.add_argument("--one", metavar="LANG", help=argparse.SUPPRESS)  # child mode: print one result as JSON
    ap.add_argument("--glibc-heap", action="store_true", help=argparse.SUPPRESS)  # child mode: untuned malloc
    ap.add_argument("--trim-mib", type=int, help=argparse.SUPPRESS)  # child mode: this trim threshold
    args = ap.parse_args(argv)
    if args.pages < 1 or args.rounds < 1:
        ap.error("--pages and --rounds must be >= 1")
    if args.one:
        print(json.dumps(measure_language(args.one, args.pages, args.font_dir, args.clean, args.glibc_heap,
                                          args.trim_mib)))
        return 0
    report: dict = {}
    if args.rss_pages:
        report["rss_run"] = rss_run(args.rss_pages)
        print(json.dumps(report["rss_run"]["after_500"]))
    else:
        env = child_env()
        _cli_cpu_s("en", 1, args.font_dir, env)  # the font index is cached before anything is timed
        runs: dict[str, list[dict]] = {lang: [] for lang in args.languages}
        for _ in range(args.rounds):
            for lang in args.languages:
                args.lang_one = lang
                r = _child(args, env)
                r["startup_cpu_s"] = _cli_cpu_s(lang, 1, args.font_dir, env, args.clean)
                r["cli_cpu_s"] = _cli_cpu_s(lang, args.pages, args.font_dir, env, args.clean)
                r["pages_per_cpu_s_with_startup"] = args.pages / r["cli_cpu_s"]
                runs[lang].append(r)
                print(f"{lang}: {r['pages_per_cpu_s']:.2f} pages/s per core ({r['pages_per_cpu_s_with_startup']:.2f} "
                      f"with start-up)", file=sys.stderr, flush=True)
        results = [median_result(runs[lang]) for lang in args.languages]
        print(table(results))
        report["settings"] = {"pages": args.pages, "rounds": args.rounds, "warmup_pages": WARMUP_PAGES, "workers": 1,
                              "opencv_threads": 1,
                              "config": "GenerateConfig(languages=[lang]): " + (
                                  "multi_column, augment none (clean)" if args.clean else
                                  "the default mixture (all modes, mixed augmentation)") + ", JPEG q90",
                              "font_dirs": args.font_dir}
        report["results"] = results
    save_report("throughput", report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
