"""Scaling: pages/s of :func:`synthdoc.api.write_dataset` with 1 and 2 local pool workers and with the Ray
backend on a local Ray instance of 2 CPUs, and the overhead of Ray versus the local pool.

Every configuration runs in a fresh Python process and writes the same run (default: English and Japanese,
multi_column, JPEG, ``--pages`` pages cut into shards of ``--shard-size`` so that Ray has one task per shard
to spread) to a fresh folder; the wall time covers the whole ``write_dataset`` call (config and font checks,
worker start-up, pages, shard writes, manifest, card), best of ``--repeats`` runs taken in turn (so load
from elsewhere hits every configuration alike). ``ray.init`` (which also starts the Ray worker processes) is
timed separately and reported both apart and included. A warm-up run first fills the font-index cache. The
outputs are compared byte for byte (shards and card; the manifest apart from its worker count).

Besides wall time, the CPU seconds of the whole process tree (driver, pool workers or Ray's raylet, GCS and
workers; read from rusage and /proc, Linux) over the ``write_dataset`` call are reported, which a machine
shared with other jobs disturbs much less than wall time.

Overhead of Ray = wall(ray, 2 CPUs) / wall(local, 2 workers) - 1, and the same with CPU seconds.

Prints a table and writes ``benchmarks/results/scaling.json`` with machine information and the date.

Usage::

    python benchmarks/scaling.py [--pages 192] [--shard-size 24] [--repeats 3] [--out PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

from throughput import machine_info  # noqa: E402  (benchmarks/throughput.py)

LANGUAGES = ["eng_Latn", "jpn_Jpan"]


CONFIGS = {"local, 1 worker": ("local", 1), "local, 2 workers": ("local", 2), "ray, 2 CPUs": ("ray", 2)}


def _outputs(out: Path) -> dict[str, bytes]:
    """Every file of a dataset folder, the manifest without its worker count (which differs on purpose)."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    manifest = json.loads(files.pop("synthdoc-manifest.json"))
    del manifest["config"]["workers"]
    files["synthdoc-manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return files


def tree_cpu_s() -> float:
    """CPU seconds (user + system) used so far by this process and all its descendants: its own and its
    reaped children's rusage, plus, from /proc (Linux), every live or zombie descendant's utime + stime and the
    cutime + cstime of the children it reaped itself (Ray workers are children of the raylet)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
            stats[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))  # ppid, ut+st+cut+cst
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    todo, ticks = list(children.get(os.getpid(), [])), 0
    while todo:
        pid = todo.pop()
        ticks += stats[pid][1]
        todo += children.get(pid, [])
    return total + ticks / os.sysconf("SC_CLK_TCK")


def single(name: str, out: Path, pages: int, shard_size: int) -> dict:
    """One configuration in this (fresh) process: {"wall_s", "cpu_s", "ray_init_s"}."""
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig

    backend, workers = CONFIGS[name]
    cfg = GenerateConfig(languages=list(LANGUAGES), pages=pages, shard_size=shard_size, seed=0, workers=workers)
    ray_init_s = 0.0
    if backend == "ray":
        import ray

        t0 = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
        ray_init_s = time.perf_counter() - t0
    cpu0, t0 = tree_cpu_s(), time.perf_counter()
    write_dataset(cfg, out, backend=backend)
    wall_s = time.perf_counter() - t0
    return {"wall_s": wall_s, "cpu_s": tree_cpu_s() - cpu0, "ray_init_s": ray_init_s}


def run_single(name: str, out: Path, args) -> dict:
    cmd = [sys.executable, __file__, "--single", name, "--dir", str(out), "--pages", str(args.pages),
           "--shard-size", str(args.shard_size)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=192)
    ap.add_argument("--shard-size", type=int, default=24)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "scaling.json"))
    ap.add_argument("--single", choices=list(CONFIGS), help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.single:
        print(json.dumps(single(args.single, Path(args.dir), args.pages, args.shard_size)))
        return 0

    import ray

    from synthdoc.writers.parquet import ShardPlan

    tmp = Path(tempfile.mkdtemp(prefix="synthdoc-scaling-"))
    try:
        run_single("local, 1 worker", tmp / "warmup", argparse.Namespace(pages=2, shard_size=2))  # font index
        times: dict[str, list[dict]] = {name: [] for name in CONFIGS}
        for rep in range(args.repeats):  # interleaved, so that load from elsewhere hits every configuration
            for i, name in enumerate(CONFIGS):
                times[name].append(run_single(name, tmp / f"{i}-{rep}", args))
        outputs = [_outputs(tmp / f"{i}-0") for i in range(len(CONFIGS))]
        identical = all(o == outputs[0] for o in outputs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    best = {name: min(t["wall_s"] for t in ts) for name, ts in times.items()}
    cpu = {name: min(t["cpu_s"] for t in ts) for name, ts in times.items()}
    ray_init_s = min(t["ray_init_s"] for t in times["ray, 2 CPUs"])
    results = [{"config": name, "wall_s": wall, "pages_per_s": args.pages / wall, "cpu_s": cpu[name],
                "pages_per_cpu_s": args.pages / cpu[name], "all_wall_s": [t["wall_s"] for t in times[name]],
                "all_cpu_s": [t["cpu_s"] for t in times[name]]} for name, wall in best.items()]
    with_init = best["ray, 2 CPUs"] + ray_init_s
    results.append({"config": "ray, 2 CPUs, incl. ray.init", "wall_s": with_init, "pages_per_s": args.pages / with_init})
    overhead = best["ray, 2 CPUs"] / best["local, 2 workers"] - 1
    report = {
        "benchmark": "scaling",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {**machine_info(), "ray": ray.__version__},
        "settings": {"languages": LANGUAGES, "pages": args.pages, "shard_size": args.shard_size,
                     "shards": sum(len(v) for v in ShardPlan.build(LANGUAGES, args.pages, args.shard_size).shards.values()),
                     "repeats": args.repeats, "layout": "multi_column", "image_format": "jpeg"},
        "results": results,
        "ray_init_s": ray_init_s,
        "ray_overhead_vs_local_2_workers": overhead,
        "ray_cpu_overhead_vs_local_2_workers": cpu["ray, 2 CPUs"] / cpu["local, 2 workers"] - 1,
        "ray_overhead_incl_init_vs_local_2_workers": with_init / best["local, 2 workers"] - 1,
        "speedup_local_2_vs_1": best["local, 1 worker"] / best["local, 2 workers"],
        "outputs_identical": identical,
    }
    head = f"{'configuration':30} {'wall s':>8} {'pages/s':>8} {'CPU s':>7} {'pages/CPU s':>11}"
    print(head)
    print("-" * len(head))
    for r in results:
        cpu_cols = f"{r['cpu_s']:7.2f} {r['pages_per_cpu_s']:11.2f}" if "cpu_s" in r else ""
        print(f"{r['config']:30} {r['wall_s']:8.2f} {r['pages_per_s']:8.2f} {cpu_cols}")
    print(f"ray.init {ray_init_s:.2f} s; Ray vs local pool (2 workers): {overhead:+.1%} wall time "
          f"({report['ray_overhead_incl_init_vs_local_2_workers']:+.1%} with ray.init), "
          f"{report['ray_cpu_overhead_vs_local_2_workers']:+.1%} CPU time; "
          f"local 2 vs 1 workers: x{report['speedup_local_2_vs_1']:.2f}; outputs identical: {identical}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"saved {args.out}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
