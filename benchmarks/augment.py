"""Cost of augmentation: per-step ms/page at A4 150 dpi, and whole-pipeline pages/s per core for each preset.

Per step: an English multi_column A4 page at 150 dpi (1240x1754) is rendered once; for each registered step
(constructed with its defaults, p = 1, text-height gates off, TextureFolder on a generated folder of 1024x1024
textures) ``--repeats`` fresh copies of the clean render are advanced to the step's phase (untimed: copying,
compositing), then ``sample`` + ``apply`` are timed in CPU time (``time.process_time``: robust to other processes
on a shared machine; OpenCV runs on one thread); the median is reported.
Compositing the text layers (what the stack does between the text and image phases) is timed the same way.

Per preset: an in-process :class:`synthdoc.pipeline.SampleFactory` over the six default languages (sample i is
language i mod 6; the benchmark page: multi_column, JPEG q90) makes 6 warm-up pages, then ``--pages`` timed pages
of ``make()`` (layout + render + augment + encode); pages/s per core = pages / CPU seconds
(``time.process_time``), OpenCV on one thread (``cv2.setNumThreads(1)``, as in pool workers), the C heap tuned as
``synthdoc generate`` tunes it (:func:`synthdoc.heap.tune_heap`). Stage means are wall ms per page.
``mixed``, the default mixture (a whole preset drawn per page), gets ``--mixed-pages`` timed pages (a sixth of
them clean, a tenth photographed: 36 pages would be mostly luck), once on the benchmark page and once over every
layout mode of the default mixture (row ``mixed (all modes)``).

Prints tables and writes ``benchmarks/results/augment.json``. With ``--images DIR`` it also writes
``DIR/augment_<preset>.jpg``: the same page clean and augmented, whole and a 1:1 crop.

Usage::

    python benchmarks/augment.py [--pages 36] [--mixed-pages 300] [--repeats 7] [--images docs/images]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

from throughput import machine_info  # noqa: E402  (benchmarks/throughput.py)

PRESETS = ("none", "light", "default", "scan", "photo", "heavy", "mixed")
BENCHMARK_LAYOUTS = {"multi_column": 1.0}  # the benchmark page
LANGUAGES = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")
WARMUP_PAGES = 6


def _a4_clean(factory):
    """(page, background, masks) of the first A4 page (1240x1754) the factory makes."""
    from synthdoc.render.compose import text_masks

    for i in range(50):
        page, _ = factory.layout_page(i, 0)
        if (page.width, page.height) == (1240, 1754):
            bg, _ = factory.background(page, i, 0)
            return page, bg, text_masks(page, factory.glyph_cache)
    raise RuntimeError("no A4 page in 50 samples")


def _texture_dir(tmp: Path) -> Path:
    import cv2
    import numpy as np

    g = np.random.default_rng(0)
    for k in range(3):
        img = cv2.resize(g.integers(150, 256, (32, 32, 3), dtype=np.uint8), (1024, 1024), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(tmp / f"texture{k}.jpg"), img)
    return tmp


def step_costs(repeats: int) -> tuple[list[dict], float]:
    """Median CPU ms of sample + apply for every registered step, and of compositing the text layers."""
    import dataclasses

    import numpy as np

    from synthdoc.augment import STEPS, AugmentState
    from synthdoc.augment.base import composite_layers
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory

    page, bg, masks = _a4_clean(SampleFactory(GenerateConfig(languages=["eng_Latn"], seed=0)))

    def fresh(phase):
        state = AugmentState.from_render(page, bg.copy(), {c: m.copy() for c, m in masks.items()})
        state.advance(phase)
        return state

    composite_ms = []
    for _ in range(repeats):
        state = fresh("text")
        t = time.process_time()
        composite_layers(state.background, state.layers)
        composite_ms.append(1000 * (time.process_time() - t))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tex = _texture_dir(Path(tmp))
        for name, cls in sorted(STEPS.items(), key=lambda kv: (kv[1].phase, kv[0])):
            fields = {f.name for f in dataclasses.fields(cls)}
            kwargs = {"min_text_height_px": 0} if "min_text_height_px" in fields else {}
            if name == "TextureFolder":
                kwargs["dirs"] = [str(tex)]
            step = cls(**kwargs)
            times = []
            for r in range(repeats + 1):  # the first run warms caches (texture decode, LUTs)
                state = fresh(cls.phase)
                rng = np.random.default_rng(r)
                t = time.process_time()
                params = step.sample(rng, state)
                cls.apply(state, params)
                if r:
                    times.append(1000 * (time.process_time() - t))
            rows.append({"step": name, "phase": cls.phase, "ms_median": statistics.median(times),
                         "ms_min": min(times)})
    return rows, statistics.median(composite_ms)


def _time_into(totals: dict, key: str, fn):
    """`fn`, adding the wall seconds of each call to ``totals[key]``."""
    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        totals[key] += time.perf_counter() - start
        return result
    return timed


def preset_throughput(preset: str, pages: int, layouts: dict | None = BENCHMARK_LAYOUTS) -> dict:
    """Pages/s per core of `preset` on `layouts` (None: the default mixture's layout modes)."""
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory

    pinned = {} if layouts is None else {"layouts": dict(layouts)}
    factory = SampleFactory(GenerateConfig(languages=list(LANGUAGES), augment=preset, **pinned))
    stage_s = {"layout": 0.0, "render+augment": 0.0, "encode": 0.0}
    for attr, key in (("layout_page", "layout"), ("render", "render+augment"),
                      ("render_augmented", "render+augment"), ("encode", "encode")):
        setattr(factory, attr, _time_into(stage_s, key, getattr(factory, attr)))  # instance attribute shadows
    for i in range(WARMUP_PAGES):
        factory.make(i)
    for k in stage_s:
        stage_s[k] = 0.0
    steps = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(WARMUP_PAGES, WARMUP_PAGES + pages):
        steps += len(factory.make(i).meta.get("augment", {}).get("steps", []))
    cpu_s, wall_s = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"preset": preset if layouts is not None else f"{preset} (all modes)",
            "layouts": "benchmark page (multi_column)" if layouts is not None else "default mixture (every mode)",
            "pages": pages, "cpu_s": cpu_s, "wall_s": wall_s,
            "pages_per_cpu_s": pages / cpu_s, "pages_per_wall_s": pages / wall_s,
            "ms_per_page": {k: 1000 * v / pages for k, v in stage_s.items()},
            "mean_steps_per_page": steps / pages}


def write_images(out_dir: Path) -> list[Path]:
    """augment_<preset>.jpg: one English page clean and augmented (the page of the first six with the most applied
    steps), each scaled to 420 px wide, over a 1:1 crop of each."""
    import cv2
    import numpy as np

    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory

    out_dir.mkdir(parents=True, exist_ok=True)
    clean = SampleFactory(GenerateConfig(languages=["eng_Latn"], seed=7, augment="none", layouts=BENCHMARK_LAYOUTS))
    paths = []
    for preset in PRESETS:
        if preset in ("none", "mixed"):  # mixed: one of the others per page
            continue
        f = SampleFactory(GenerateConfig(languages=["eng_Latn"], seed=7, augment=preset, layouts=BENCHMARK_LAYOUTS))
        samples = [f.make(i) for i in range(6)]
        best = max(samples, key=lambda s: len(s.meta["augment"]["steps"]))
        before = clean.make(best.index).image
        after = best.image
        h, w = before.shape[:2]
        small = [cv2.resize(im, (420, int(round(h * 420 / w))), interpolation=cv2.INTER_AREA) for im in (before, after)]
        line = best.page.lines[min(4, len(best.page.lines) - 1)].quad
        x0 = int(np.clip(line[:, 0].min() - 20, 0, w - 420))
        y0 = int(np.clip(line[:, 1].min() - 40, 0, h - 220))
        crops = [im[y0:y0 + 220, x0:x0 + 420] for im in (before, after)]
        gap = np.full((small[0].shape[0] + 220 + 8, 8, 3), 255, np.uint8)
        cols = [np.vstack([s, np.full((8, 420, 3), 255, np.uint8), c]) for s, c in zip(small, crops)]
        grid = np.hstack([cols[0], gap, cols[1]])
        path = out_dir / f"augment_{preset}.jpg"
        cv2.imwrite(str(path), cv2.cvtColor(grid, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 82])
        steps = ", ".join(s["name"] for s in best.meta["augment"]["steps"])
        print(f"wrote {path} ({path.stat().st_size // 1024} KB; page {best.index}: {steps})")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    import cv2

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=36, help="timed pages per preset (after 6 warm-up pages)")
    ap.add_argument("--mixed-pages", type=int, default=300, help="timed pages of the mixed preset (each layout set)")
    ap.add_argument("--repeats", type=int, default=7, help="timed runs per step")
    ap.add_argument("--presets", nargs="+", default=list(PRESETS))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "augment.json"))
    ap.add_argument("--images", metavar="DIR", help="also write before/after images augment_<preset>.jpg to DIR")
    args = ap.parse_args(argv)
    if args.pages < 1 or args.repeats < 1 or args.mixed_pages < 1:
        ap.error("--pages, --mixed-pages and --repeats must be >= 1")
    cv2.setNumThreads(1)
    from synthdoc.heap import tune_heap

    tune_heap()  # as `synthdoc generate` does

    steps, composite_ms = step_costs(args.repeats)
    print(f"{'step':20} {'phase':10} {'CPU ms/page':>11} {'min ms':>7}")
    for r in steps:
        print(f"{r['step']:20} {r['phase']:10} {r['ms_median']:11.2f} {r['ms_min']:7.2f}")
    print(f"{'(composite layers)':20} {'':10} {composite_ms:11.2f}")

    presets = []
    runs = [(p, args.mixed_pages if p == "mixed" else args.pages, BENCHMARK_LAYOUTS) for p in args.presets]
    if "mixed" in args.presets:
        runs.append(("mixed", args.mixed_pages, None))
    for preset, pages, layouts in runs:
        presets.append(preset_throughput(preset, pages, layouts))
        r = presets[-1]
        print(f"{r['preset']}: {r['pages_per_cpu_s']:.2f} pages/s per core", file=sys.stderr, flush=True)
    head = f"{'preset':18} {'pages/s/core':>12} {'layout ms':>9} {'render+aug ms':>13} {'encode ms':>9} {'steps/page':>10}"
    print(head + "\n" + "-" * len(head))
    for r in presets:
        ms = r["ms_per_page"]
        print(f"{r['preset']:18} {r['pages_per_cpu_s']:12.2f} {ms['layout']:9.1f} {ms['render+augment']:13.1f} "
              f"{ms['encode']:9.1f} {r['mean_steps_per_page']:10.1f}")

    report = {
        "benchmark": "augment",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "settings": {"page": "eng_Latn multi_column A4 150 dpi (1240x1754) for per-step costs",
                     "repeats": args.repeats, "pages": args.pages, "mixed_pages": args.mixed_pages,
                     "warmup_pages": WARMUP_PAGES, "heap": "synthdoc.heap.tune_heap()",
                     "languages": list(LANGUAGES), "workers": 1, "opencv_threads": 1,
                     "config": "GenerateConfig(languages=six, augment=preset, layouts={multi_column: 1}), JPEG q90; "
                               "row 'mixed (all modes)': the default mixture's layouts"},
        "steps": steps,
        "composite_ms": composite_ms,
        "presets": presets,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {out}")
    if args.images:
        write_images(Path(args.images))
    return 0


if __name__ == "__main__":
    sys.exit(main())
