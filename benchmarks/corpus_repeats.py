"""How often does a default run repeat a corpus paragraph? Per language, with the bundled corpora.

Two steps, both at the text sampling level:

1. ``--probe`` pages per language of the real layout stage (the default layout mixture, seed 0) with the
   sampler's paragraph list replaced by a recording list: every paragraph a page reads (running text, bullets,
   cells, phrases, and the paragraph a title is cut from) is recorded once per page. This gives the distribution of distinct paragraphs a page reads.
2. The run of ``--pages`` pages over the six default languages (page i is language i mod 6): for each page of a
   language, the start paragraph is drawn by the corpus sampler itself (:meth:`TextSampler.start_index`, from the
   page's text stream ``sample_rng(seed, i, "text", 0)``) and the number of consecutive paragraphs it reads is
   drawn from step 1's distribution; each paragraph's page count is tallied.

Prints, per language, the paragraphs of the corpus, paragraphs read per page (mean), the page count of the
most and the median repeated paragraph, and the CPU time of loading the bundled corpus (:func:`load_bundled`, best
of 5, after a warm-up load); writes ``benchmarks/results/corpus_repeats.json``.

Usage::

    python benchmarks/corpus_repeats.py [--pages 10000] [--probe 60]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from synthdoc.config import DEFAULT_LANGUAGES, GenerateConfig  # noqa: E402
from synthdoc.errors import SampleError  # noqa: E402
from synthdoc.pipeline import SampleFactory  # noqa: E402
from synthdoc.rng import sample_rng  # noqa: E402
from synthdoc.text.sources import load_bundled  # noqa: E402


class RecordingList(list):
    """A list that records every index read through ``[]`` (into :attr:`read`)."""

    def __init__(self, items):
        super().__init__(items)
        self.read: set[int] = set()

    def __getitem__(self, index):
        if isinstance(index, int):
            self.read.add(index % len(self))
        return super().__getitem__(index)


def paragraphs_per_page(factory: SampleFactory, code: str, pages: int) -> list[int]:
    """Distinct flat paragraphs each of `pages` layout-stage pages of language `code` reads."""
    sampler = factory.inputs[code].sampler
    recording = RecordingList(sampler.flat_paragraphs)
    sampler._flat = recording  # the sampler's flat list, read by every mode through flat_paragraphs
    li = [lang.code for lang in factory.languages].index(code)
    out = []
    for k in range(pages):
        index = li + k * len(factory.languages)
        recording.read = set()
        for attempt in range(factory.cfg.max_retries):
            try:
                factory.layout_page(index, attempt)
                break
            except SampleError:
                recording.read = set()
        out.append(len(recording.read))
    return out


def sampler_titles(factory: SampleFactory, code: str) -> list[str]:
    """Corpus document titles of language `code` (drawn as page titles, not body text)."""
    return factory.inputs[code].sampler.titles


def run_counts(factory: SampleFactory, code: str, pages: int, reads: list[int], seed: int) -> np.ndarray:
    """Pages of a `pages`-page run that read each flat paragraph of language `code` (see the module docstring)."""
    sampler = factory.inputs[code].sampler
    n = len(sampler.flat_paragraphs)
    counts = np.zeros(n, dtype=np.int64)
    li = [lang.code for lang in factory.languages].index(code)
    draw = np.random.default_rng(seed)
    for index in range(li, pages, len(factory.languages)):
        start = sampler.start_index(sample_rng(seed, index, "text", 0))
        m = min(n, reads[int(draw.integers(len(reads)))])
        counts[(start + np.arange(m)) % n] += 1
    return counts


def load_cpu_ms(code: str, repeats: int = 5) -> float:
    """Least CPU milliseconds of :func:`load_bundled` over `repeats` loads (after one warm-up load)."""
    load_bundled(code)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        load_bundled(code)
        best = min(best, time.process_time() - t0)
    return 1000 * best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--probe", type=int, default=60)
    args = ap.parse_args()
    cfg = GenerateConfig(pages=args.pages, seed=0, augment="none").validate()  # the default layout mixture
    factory = SampleFactory(cfg)
    rows = []
    for code in DEFAULT_LANGUAGES:
        reads = paragraphs_per_page(factory, code, args.probe)
        counts = run_counts(factory, code, args.pages, reads, cfg.seed)
        rows.append({"language": code, "paragraphs": int(len(counts)), "pages": len(range(0, args.pages, 6)),
                     "read_per_page_mean": float(np.mean(reads)), "max_repeats": int(counts.max()),
                     "median_repeats": float(np.median(counts)), "unused": int((counts == 0).sum()),
                     "titles": len(sampler_titles(factory, code)), "load_cpu_ms": round(load_cpu_ms(code), 2)})
        r = rows[-1]
        print(f"{code}: {r['paragraphs']} paragraphs, {r['read_per_page_mean']:.1f} read per page, "
              f"most repeated {r['max_repeats']}x, median {r['median_repeats']:g}x over {r['pages']} pages; "
              f"load {r['load_cpu_ms']:.1f} ms CPU")
    out = ROOT / "benchmarks" / "results" / "corpus_repeats.json"
    out.write_text(json.dumps({"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                               "run_pages": args.pages, "probe_pages_per_language": args.probe,
                               "note": "bundled corpora (hand-written samples + Debian Administrator's Handbook), default "
                               "layout mixture, seed 0; text sampling level; load times on a shared 2-core machine",
                               "languages": rows}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
