"""Probe settings for a large charset, measured: short runs of the same dataset, seed and budget with one
setting changed each, scored on the dataset's own validation pages (loss and NED along the way).

Usage: nice -n 10 python benchmarks/probe_tune.py DATASET --minutes 3 --out benchmarks/results/probe_ja_tuning.json \\
    base "prior:prior_bias_min_chars=1" "lr4e-3:lr=0.004" "batch8:batch_size=8"
Each variant is NAME[:KEY=VALUE,...] of :class:`synthdoc.probe.ProbeConfig` fields over the base settings
(one thread, one loader worker, 150 validation lines, 3 curve points). Runs go one after another (one training
process at a time); figures from a shared machine are noisy, so compare variants of the same invocation.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path


def parse_variant(spec: str) -> tuple[str, dict]:
    """"NAME:key=value,key=value" -> (NAME, {key: number or string})."""
    name, _, rest = spec.partition(":")
    out = {}
    for part in filter(None, rest.split(",")):
        key, _, value = part.partition("=")
        try:
            out[key] = int(value)
        except ValueError:
            try:
                out[key] = float(value)
            except ValueError:
                out[key] = value
    return name, out


def main() -> None:
    from synthdoc.probe import ProbeConfig, train

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset")
    ap.add_argument("variants", nargs="+")
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", required=True, help="JSON results file")
    args = ap.parse_args()
    results = []
    for spec in args.variants:
        name, over = parse_variant(spec)
        cfg = ProbeConfig(**{"workers": 1, "threads": args.threads, "eval_lines": 150, "eval_points": 3, **over})
        with tempfile.TemporaryDirectory() as tmp:
            r = train(args.dataset, out=tmp, minutes=args.minutes, device="cpu", seed=0, config=cfg)
        row = {"variant": name, "settings": over, "steps": r["steps"], "lines_seen": r["lines_seen"],
               "lines_per_s": r["lines_per_s"], "charset_size": r["charset_size"],
               "final_val_ned": r["final"]["val"]["ned"], "final_val_cer": r["final"]["val"]["cer"],
               "curve": [{"step": p["step"], "loss": p["loss"], "val_ned": p["scores"]["val"]["ned"]}
                         for p in r["curve"]]}
        print(json.dumps({k: v for k, v in row.items() if k != "curve"}), flush=True)
        results.append(row)
        Path(args.out).write_text(json.dumps({"dataset": args.dataset, "minutes": args.minutes,
                                              "threads": args.threads, "results": results}, indent=1))


if __name__ == "__main__":
    main()
