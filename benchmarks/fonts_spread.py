"""Font spread and throughput of an English run: distinct families, the largest family's share of pages,
variable-font axis values, and CPU time per page, with and without extra font folders.

For each pool (the default one: system folders + installed fontpkg families; and, with ``--font-dir``, the
default plus those folders, e.g. the fonts `scripts/setup.sh --fonts extra` installs) an in-process
:class:`synthdoc.pipeline.SampleFactory` with ``GenerateConfig(languages=["eng_Latn"], font_dirs=...)``
(multi_column layout, JPEG) makes ``--pages`` pages (``make()``: layout + render + encode). Families come from
each page's meta "fonts" (a page counts each family once); variable-font coordinates from the " @tag=value"
labels of drawn instances and the named instances' coordinates. Throughput = pages / CPU seconds
(``time.process_time``, OpenCV on one thread), after 2 warm-up pages; factory start-up (font index, pools)
is reported separately.

Each pool runs in its own process (``--child``); ``--baseline-src`` adds a run of another source tree (the code
before this change) with its default pool, for today's throughput. Prints a summary and writes
``benchmarks/results/fonts_spread.json``.

Usage::

    python benchmarks/fonts_spread.py [--pages 300] [--font-dir DIR ...] [--extra-pythonpath DIR]
        [--baseline-src DIR] [--out PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path and "--child" not in sys.argv:  # a child imports synthdoc from its PYTHONPATH
    sys.path.insert(0, str(ROOT))

WARMUP_PAGES = 2


def _family_of(factory) -> dict[str, tuple[str, tuple]]:
    """"Family Style" label -> (family, coordinates) for every face of the factory's pools."""
    return {f"{f.family} {f.style}": (f.family, getattr(f, "coords", ()))  # baseline code: no coords
            for roles in factory.faces.values() for faces in roles.values() for f in faces}


def _parse_coords(label: str) -> tuple:
    return tuple((kv.split("=")[0], float(kv.split("=")[1])) for kv in label.split(" @", 1)[1].split(","))


SYNTHETIC_RE = re.compile(r" \(synthetic [a-z+]+\)")


def measure(font_dirs: list[str], pages: int, seed: int) -> dict:
    """Make `pages` English pages with the default pool plus `font_dirs`; spread and CPU-time figures."""
    import cv2

    cv2.setNumThreads(1)
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory

    t0 = time.perf_counter()
    factory = SampleFactory(GenerateConfig(languages=["eng_Latn"], font_dirs=font_dirs, seed=seed))
    startup_s = time.perf_counter() - t0
    fam_of = _family_of(factory)
    pool_families = len({fam for fam, _ in fam_of.values()})
    for i in range(WARMUP_PAGES):
        factory.make(pages + 1000 + i)
    per_family: Counter = Counter()
    axis_values: dict[str, set] = {}
    c0 = time.process_time()
    for i in range(pages):
        used = factory.make(i).meta.get("fonts", {})
        labels = used.values() if isinstance(used, dict) else used
        fams = set()
        for label in labels:
            label = SYNTHETIC_RE.sub("", label)  # an emphasis run's synthetic style is its family's
            fam, coords = fam_of.get(label.split(" @")[0], (label, ()))
            coords = _parse_coords(label) if " @" in label else coords
            fams.add(fam)
            for tag, v in coords:
                axis_values.setdefault(tag, set()).add(v)
        per_family.update(fams)
    cpu_s = time.process_time() - c0
    top = per_family.most_common(1)[0] if per_family else ("", 0)
    return {"font_dirs": font_dirs, "pages": pages, "startup_s": round(startup_s, 2), "pool_families": pool_families,
            "families_used": len(per_family), "top_family": top[0], "top_family_share": round(top[1] / pages, 4),
            "axis_values": {t: sorted(v) for t, v in sorted(axis_values.items()) if t in ("wght", "wdth", "opsz")},
            "cpu_s_per_page": round(cpu_s / pages, 4), "pages_per_cpu_s": round(pages / cpu_s, 3),
            "families": dict(per_family.most_common())}


def _child(font_dirs: list[str], pages: int, seed: int, pythonpath: str, cache_dir: str | None = None) -> dict:
    """:func:`measure` in a fresh process whose PYTHONPATH is `pythonpath` (which synthdoc source tree and
    which pip --target folders of fontpkg packages it sees); `cache_dir` gives it its own font index."""
    env = {**os.environ, "PYTHONPATH": pythonpath}
    if cache_dir:
        env["SYNTHDOC_CACHE_DIR"] = cache_dir
    cmd = [sys.executable, __file__, "--child", "--pages", str(pages), "--seed", str(seed)]
    cmd += [a for d in font_dirs for a in ("--font-dir", d)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--font-dir", action="append", default=[], dest="font_dirs",
                    help="extra font folders of the 'extra' run (e.g. where fonts-extra.txt's packages put fonts)")
    ap.add_argument("--extra-pythonpath", default="",
                    help="PYTHONPATH entries of the 'extra' run only (e.g. a pip --target folder of fontpkg packages)")
    ap.add_argument("--baseline-src", help="also run this synthdoc source tree (e.g. `git archive` of main) with "
                                            "the default pool: today's throughput")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "fonts_spread.json"))
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.font_dirs, args.pages, args.seed)))
        return
    runs = {}
    if args.baseline_src:
        runs["baseline_code_default_pool"] = _child([], args.pages, args.seed, args.baseline_src,
                                                    os.path.join(args.baseline_src, ".font-index"))
    runs["default_pool"] = _child([], args.pages, args.seed, str(ROOT))
    runs["extra_pool"] = _child(args.font_dirs, args.pages, args.seed,
                                os.pathsep.join(p for p in (str(ROOT), args.extra_pythonpath) if p))
    for name, r in runs.items():
        print(f"{name}: {r['pool_families']} families in the pool, {r['families_used']} used on {r['pages']} pages, "
              f"top {r['top_family']!r} on {r['top_family_share']:.1%} of pages; "
              f"{len(r['axis_values'].get('wght', []))} wght values; {r['pages_per_cpu_s']:.2f} pages/CPU-s "
              f"(start-up {r['startup_s']:.1f} s)")
    for name in ("baseline_code_default_pool", "default_pool"):
        if name in runs:
            print(f"throughput extra_pool / {name}: {runs['extra_pool']['pages_per_cpu_s'] / runs[name]['pages_per_cpu_s']:.3f}")
    info = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": platform.machine(),
            "python": platform.python_version(), "cpus": os.cpu_count(),
            "note": "shared 2-core machine under load from other jobs: compare ratios within one run", "runs": runs}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
