"""Glyph-cache hit rate against its byte cap, with the default font pool and with the extra fonts.

Each language and pool runs in a fresh process: a :class:`synthdoc.pipeline.SampleFactory` for the default
mixture makes ``--pages`` pages while every glyph-cache lookup is logged as (glyph key, bitmap bytes). The log is
then replayed through an LRU with the accounting of :class:`synthdoc.render.raster.GlyphCache` (bitmap bytes plus
``GLYPH_OVERHEAD_BYTES`` per entry, at most ``max_entries`` entries) for each cap of ``--caps``, the first
``--warmup`` pages filling the cache uncounted. ``ceiling`` is the hit rate of an unbounded cache: the lookups
that are not a glyph's first (face, size, glyph id, rotation). Also reported: glyphs drawn per page, distinct
glyphs, faces loaded (``FaceCache`` misses: faces opened again after being dropped count again).

Usage::

    python benchmarks/fonts_glyph_cache.py --font-dir DIR [--extra-pythonpath DIR] [--pages 100]
        [--languages eng_Latn jpn_Jpan] [--caps 4 8 16 32] [--out benchmarks/results/fonts_glyph_cache.json]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fonts_speed  # noqa: E402
import throughput  # noqa: E402


def trace(lang: str, pages: int, font_dirs: list[str]) -> dict:
    """Glyph lookups of `pages` pages: {"keys": [int per lookup], "nbytes": [...], "page_starts": [...],
    "faces_loaded": int}; keys are small ints numbering distinct (face key, size px, glyph id, rotated)."""
    import cv2

    cv2.setNumThreads(1)
    import synthdoc.render.face as face_mod
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory
    from synthdoc.render import raster

    ids: dict[tuple, int] = {}
    keys: list[int] = []
    nbytes: list[int] = []
    loads = [0]
    get, load = raster.GlyphCache.get, face_mod.load_face

    def logged_get(self, face, size_px, gid, rotated=False):
        bm = get(self, face, size_px, gid, rotated)
        keys.append(ids.setdefault((face.key, size_px, gid, rotated), len(ids)))
        nbytes.append(int(bm.alpha.nbytes))
        return bm

    def counted_load(info):
        loads[0] += 1
        return load(info)

    raster.GlyphCache.get = logged_get
    face_mod.load_face = counted_load
    factory = SampleFactory(GenerateConfig(languages=[lang], font_dirs=font_dirs))
    page_starts = []
    for i in range(pages):
        page_starts.append(len(keys))
        factory.make(i)
    return {"keys": keys, "nbytes": nbytes, "page_starts": page_starts, "faces_loaded": loads[0],
            "max_entries": factory.glyph_cache.max_entries, "default_cap_mb": factory.glyph_cache.max_bytes / 2**20}


def replay(t: dict, cap_mb: float, warmup: int) -> float:
    """Hit rate of an LRU of `cap_mb` MB (GlyphCache accounting) over the lookups after page `warmup`."""
    from synthdoc.render.raster import GLYPH_OVERHEAD_BYTES

    cap = cap_mb * 2**20
    cache: OrderedDict[int, int] = OrderedDict()
    total = hits = 0
    start = t["page_starts"][warmup] if warmup < len(t["page_starts"]) else len(t["keys"])
    for i, (k, nb) in enumerate(zip(t["keys"], t["nbytes"])):
        if k in cache:
            cache.move_to_end(k)
            hits += i >= start
            continue
        cache[k] = nb
        total += nb + GLYPH_OVERHEAD_BYTES
        while len(cache) > 1 and (len(cache) > t["max_entries"] or total > cap):
            total -= cache.popitem(last=False)[1] + GLYPH_OVERHEAD_BYTES
    return hits / max(1, len(t["keys"]) - start)


def summarise(t: dict, caps: list[float], warmup: int) -> dict:
    """Hit rate per cap, the unbounded ceiling, glyphs per page, distinct glyphs, faces loaded."""
    start = t["page_starts"][warmup]
    seen = set(t["keys"][:start])
    first = 0
    for k in t["keys"][start:]:
        first += k not in seen
        seen.add(k)
    n = len(t["keys"]) - start
    return {"hit_rate_by_cap_mb": {str(c): round(replay(t, c, warmup), 4) for c in caps},
            "ceiling": round(1 - first / max(1, n), 4), "glyphs_per_page": n / (len(t["page_starts"]) - warmup),
            "distinct_glyphs": len(seen), "faces_loaded": t["faces_loaded"], "default_cap_mb": t["default_cap_mb"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--font-dir", action="append", default=[], help="extra font folder (repeatable)")
    ap.add_argument("--extra-pythonpath", action="append", default=[], help="folder of fontpkg packages (extra rows)")
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10, help="pages filling the cache before hits are counted")
    ap.add_argument("--languages", nargs="+", default=["eng_Latn", "jpn_Jpan"])
    ap.add_argument("--caps", nargs="+", type=float, default=[4, 8, 16, 32, 64])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "fonts_glyph_cache.json"))
    ap.add_argument("--one", metavar="LANG", help=argparse.SUPPRESS)  # child mode: one summary as JSON
    args = ap.parse_args(argv)
    if args.pages <= args.warmup:
        ap.error("--pages must exceed --warmup")
    if args.one:
        print(json.dumps(summarise(trace(args.one, args.pages, args.font_dir), args.caps, args.warmup)))
        return 0
    pools = {"default": ([], []), "extra": (args.font_dir, args.extra_pythonpath)}
    results = {}
    for lang in args.languages:
        for pool, (dirs, path) in pools.items():
            cmd = [sys.executable, __file__, "--one", lang, "--pages", str(args.pages), "--warmup", str(args.warmup),
                   "--caps", *map(str, args.caps)] + [a for d in dirs for a in ("--font-dir", d)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=fonts_speed._env(path))
            if proc.returncode != 0:
                raise RuntimeError(f"{lang} {pool}: failed\n{proc.stderr.strip()}")
            results.setdefault(lang, {})[pool] = json.loads(proc.stdout.strip().splitlines()[-1])
            print(lang, pool, json.dumps(results[lang][pool]), file=sys.stderr, flush=True)
    settings = {"pages": args.pages, "warmup": args.warmup, "caps_mb": args.caps, "font_dirs": args.font_dir,
                "extra_pythonpath": args.extra_pythonpath}
    throughput.save_report("fonts_glyph_cache", {"settings": settings, "results": results}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
