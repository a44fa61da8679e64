"""Character coverage of a steered run: does every character of a target set show up at least K times?

For each (language, target set) an in-process :class:`synthdoc.pipeline.SampleFactory` with ``coverage`` on (the
default layout mixture, bundled corpora, seed 0) makes the layout stage of ``--pages`` pages (with the pipeline's
retries): the page text is exactly what the labels hold and what rendering draws (rendering, augmentation and
encoding do not change the text, so this is the fast path for the figure, not a sample of it). Every non-space
character of every page is counted; the counts are compared with the target (:func:`coverage_report`). The same is
done with coverage off for the baseline, and the share of page characters that came from scheduled words is
reported (the "last resort" fraction).

Prints a table and writes ``benchmarks/results/coverage.json``.

Usage::

    python benchmarks/coverage.py [--pages 2000] [--k 3] [--only ja]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from synthdoc.config import GenerateConfig  # noqa: E402
from synthdoc.pipeline import SampleFactory  # noqa: E402
from synthdoc.text.coverage import char_counts, coverage_report, target_set  # noqa: E402

CASES = (("ja", "jis0208"), ("ko", "ksx1001"), ("zh-Hans", "gb2312"), ("zh-Hant", "big5"))


def layout_counts(cfg: GenerateConfig) -> tuple[Counter, int, float]:
    """(character counts over the pages' text, characters of scheduled words drawn, CPU seconds) of the layout
    stage of every page of `cfg`."""
    factory = SampleFactory(cfg)
    counts: Counter = Counter()
    injected = scheduled = 0
    t0 = time.process_time()
    for index in range(cfg.pages):
        page = factory.layout_retrying(index)[0]
        counts.update(char_counts(page.text))
        words = (page.meta.get("coverage") or {}).get("words") or []
        text = "".join(page.text.split())
        injected += sum(len(w) for w in words if w in text)
        scheduled += sum(map(len, words))
    return counts, (injected, scheduled), time.process_time() - t0


def run_case(lang: str, spec: str, pages: int, k: int, baseline: bool = True) -> dict:
    """Figures of one language with coverage on and (`baseline`) off."""
    base = dict(languages=[lang], pages=pages, seed=0, augment="none")
    on, (injected, scheduled), cpu = layout_counts(GenerateConfig(**base, coverage=spec, coverage_min=k).validate())
    off, _, cpu_off = layout_counts(GenerateConfig(**base).validate()) if baseline else (Counter(), None, 0.0)
    factory = SampleFactory(GenerateConfig(**base, coverage=spec, coverage_min=k).validate())
    target = target_set(spec, factory.languages[0].hb_language)
    sched = factory.schedules[factory.languages[0].code]
    return {"language": factory.languages[0].code, "target_set": spec, "pages": pages, "k": k,
            "on": coverage_report(on, target, k), "off": coverage_report(off, target, k),
            "uncoverable_by_fonts": "".join(sched.uncoverable),
            "coverable": len(sched.target), "coverable_at_least_k": sum(on[c] >= k for c in sched.target),
            "min_coverable": min((on[c] for c in sched.target), default=0), "scheduled_words": sum(map(len, sched.words.values())),
            "scheduled_passages": len(sched.starts), "injected_chars_drawn": injected,
            "injected_share": injected / max(1, sum(on.values())),
            "scheduled_word_survival": injected / max(1, scheduled),
            "layout_cpu_s_per_page": {"on": cpu / pages, "off": cpu_off / pages}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true", help="skip the run with coverage off")
    ap.add_argument("--only", help="one language alias of the cases (ja, ko, zh-Hans, zh-Hant)")
    args = ap.parse_args()
    rows = [run_case(lang, spec, args.pages, args.k, not args.no_baseline) for lang, spec in CASES if args.only in (None, lang)]
    print(f"{'lang':10} {'set':8} {'target':>6} {'>=K on':>7} {'>=K off':>7} {'min on':>6} {'p10/p50 on':>11} "
          f"{'injected':>8} {'survival':>8} {'ms/page on/off':>15}")
    for r in rows:
        on, off = r["on"], r["off"]
        print(f"{r['language']:10} {r['target_set']:8} {on['target']:6d} {on['at_least_k']:7d} {off['at_least_k']:7d} "
              f"{on['min']:6d} {on['percentiles']['p10']:5g}/{on['percentiles']['p50']:<5g} {r['injected_share']:8.1%} {r['scheduled_word_survival']:8.1%} "
              f"{1e3 * r['layout_cpu_s_per_page']['on']:7.1f}/{1e3 * r['layout_cpu_s_per_page']['off']:<7.1f}")
    out = ROOT / "benchmarks" / "results" / "coverage.json"
    old = json.loads(out.read_text()) if out.exists() else {}
    merged = {r["language"]: r for r in old.get("cases", [])} | {r["language"]: r for r in rows}
    out.write_text(json.dumps({"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                               "note": "layout stage only (page text = labels = drawn text); shared 2-core machine",
                               "cases": list(merged.values())}, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
