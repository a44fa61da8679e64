"""Speed and memory with the extra fonts against the default pool, measured in the same run, alternating.

The machine may be shared, so absolute figures drift: every round measures each language with the default font
pool and with the extra fonts back to back (the order flips every round), and the report quotes the ratios
extra / default per round and of the medians. Per language and pool, each in a fresh process:

- **pages/s per core** (excluding start-up): ``benchmarks/throughput.py``'s in-process measurement (the default
  mixture, one worker, pages made, encoded and written to a shard) — plus the **glyphs drawn per page** and
  **glyphs/s per core** (glyph-cache lookups: every drawn glyph is one), because the extra faces put more text
  on a page (a Japanese face with a 1.0 em line band instead of Noto CJK's 1.45 em sets ~45 % more lines), so
  pages/s alone mixes the cost of the fonts with the amount of text; the glyph-cache hit rate; faces loaded;
  the peak resident set size of that process (MB).
- **start-up CPU s**: a fresh ``synthdoc generate --pages 1`` process (user + system CPU), font index cached.

The default pool is the system fonts alone: the Google Fonts packages (``--extra-pythonpath``) are on the path
of the extra rows only.

Usage::

    python benchmarks/fonts_speed.py --font-dir /usr/share/fonts-extra --extra-pythonpath /opt/gf \
        [--rounds 3] [--pages 40] [--languages eng_Latn jpn_Jpan] [--out benchmarks/results/fonts_speed.json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import throughput  # noqa: E402  (benchmarks/throughput.py: measure_language, _cli_cpu_s, save_report)


def measure_one(lang: str, pages: int, font_dirs: list[str]) -> dict:
    """throughput.measure_language plus the glyphs drawn (glyph-cache lookups) in the timed pages."""
    import synthdoc.pipeline as pipeline

    made = []
    init = pipeline.SampleFactory.__init__

    def capture(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(self)

    pipeline.SampleFactory.__init__ = capture
    r = throughput.measure_language(lang, pages, font_dirs)
    g = made[-1].glyph_cache
    r["glyphs_per_page"] = (g.hits + g.misses) / pages
    r["glyphs_per_cpu_s"] = (g.hits + g.misses) / r["cpu_s"]
    return r


def _env(extra_pythonpath: list[str]) -> dict:
    """:func:`throughput.child_env` with ROOT and `extra_pythonpath` first on PYTHONPATH."""
    return throughput.child_env(str(ROOT), *extra_pythonpath)


def run_pool(lang: str, pages: int, font_dirs: list[str], extra_pythonpath: list[str]) -> dict:
    """One language with one pool: the in-process measurement in a child, then the CLI start-up."""
    env = _env(extra_pythonpath)
    cmd = [sys.executable, __file__, "--one", lang, "--pages", str(pages)] + [a for d in font_dirs for a in ("--font-dir", d)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{lang}: failed\n{proc.stderr.strip()}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    r["startup_cpu_s"] = throughput._cli_cpu_s(lang, 1, font_dirs, env)
    return {k: r[k] for k in ("pages_per_cpu_s", "glyphs_per_page", "glyphs_per_cpu_s", "glyph_cache_hit_rate",
                              "faces_loaded", "peak_rss_mb", "startup_cpu_s", "factory_startup_cpu_s", "ms_per_page")}


def summarise(rounds: list[dict], languages: list[str]) -> dict:
    """Per language: medians per pool and the extra / default ratios (of the medians, and per round)."""
    out = {}
    for lang in languages:
        rows = {pool: [r[lang][pool] for r in rounds] for pool in ("default", "extra")}
        med = {pool: {k: statistics.median(x[k] for x in rows[pool]) for k in
                      ("pages_per_cpu_s", "glyphs_per_page", "glyphs_per_cpu_s", "glyph_cache_hit_rate",
                       "faces_loaded", "peak_rss_mb", "startup_cpu_s")} for pool in rows}
        per_round = [r[lang]["extra"]["pages_per_cpu_s"] / r[lang]["default"]["pages_per_cpu_s"] for r in rounds]
        out[lang] = {"median": med,
                     "pages_ratio_extra_over_default": med["extra"]["pages_per_cpu_s"] / med["default"]["pages_per_cpu_s"],
                     "pages_ratio_per_round": per_round,
                     "glyphs_ratio_extra_over_default": med["extra"]["glyphs_per_cpu_s"] / med["default"]["glyphs_per_cpu_s"],
                     "glyphs_per_page_ratio": med["extra"]["glyphs_per_page"] / med["default"]["glyphs_per_page"]}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--font-dir", action="append", default=[], required=False, help="extra font folder (repeatable)")
    ap.add_argument("--extra-pythonpath", action="append", default=[], help="folder of fontpkg packages (extra rows)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", type=int, default=40, help="timed pages per language, pool and round")
    ap.add_argument("--languages", nargs="+", default=["eng_Latn", "jpn_Jpan"])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "fonts_speed.json"))
    ap.add_argument("--one", metavar="LANG", help=argparse.SUPPRESS)  # child mode: one measurement as JSON
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one, args.pages, args.font_dir)))
        return 0
    if not args.font_dir and not args.extra_pythonpath:
        ap.error("give the extra fonts: --font-dir and/or --extra-pythonpath")
    pools = {"default": ([], []), "extra": (args.font_dir, args.extra_pythonpath)}
    for dirs, path in pools.values():  # both indexes cached before anything is timed
        throughput._cli_cpu_s("en", 1, dirs, _env(path))
    rounds = []
    for k in range(args.rounds):
        order = ("default", "extra") if k % 2 == 0 else ("extra", "default")
        rounds.append({lang: {pool: run_pool(lang, args.pages, *pools[pool]) for pool in order}
                       for lang in args.languages})
        for lang in args.languages:
            d, e = rounds[-1][lang]["default"], rounds[-1][lang]["extra"]
            print(f"round {k}: {lang}: {d['pages_per_cpu_s']:.2f} / {e['pages_per_cpu_s']:.2f} pages/s "
                  f"(x{e['pages_per_cpu_s'] / d['pages_per_cpu_s']:.2f}), start-up {d['startup_cpu_s']:.2f} / "
                  f"{e['startup_cpu_s']:.2f} CPU s, RSS {d['peak_rss_mb']:.0f} / {e['peak_rss_mb']:.0f} MB",
                  file=sys.stderr, flush=True)
    summary = summarise(rounds, args.languages)
    print(json.dumps({lang: {k: v for k, v in s.items() if k != "median"} for lang, s in summary.items()}, indent=1))
    settings = {"rounds": args.rounds, "pages": args.pages, "warmup_pages": throughput.WARMUP_PAGES,
                "font_dirs": args.font_dir, "extra_pythonpath": args.extra_pythonpath,
                "note": "shared machine: compare the ratios, measured back to back, not absolute figures"}
    throughput.save_report("fonts_speed", {"settings": settings, "summary": summary, "rounds": rounds}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
