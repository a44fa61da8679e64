"""``synthdoc`` command line: a thin wrapper over the Python API.

User mistakes (SynthdocError) print one line ``synthdoc: error: ...`` and exit with status 2.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import warnings

from synthdoc.errors import SynthdocError


def _split(s: str) -> list[str]:
    return [x.strip() for x in s.split(",") if x.strip()]


def _weights(s: str) -> dict[str, float]:
    out = {}
    for part in _split(s):
        name, _, w = part.partition("=")
        try:
            out[name] = float(w) if w else 1.0
        except ValueError:
            raise SynthdocError(f"--layouts: weight of {name!r} must be a number, e.g. multi_column=3") from None
    return out


def _corpus(specs: list[str] | None) -> dict[str, str]:
    out = {}
    for spec in specs or []:
        lang, sep, path = spec.partition("=")
        if sep and lang and "/" not in lang and "." not in lang:
            out[lang] = path
        else:
            out["*"] = spec
    return out


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="YAML config file (CLI options override it)")
    p.add_argument("--languages", help="comma-separated codes or aliases, e.g. en,ja,ko,ru,zh-Hans,zh-Hant")
    p.add_argument("--pages", type=int, help="number of pages")
    p.add_argument("--seed", type=int, help="run seed")
    p.add_argument("--workers", type=int, help="worker processes (output is identical for any count)")
    p.add_argument("--layouts", help="template weights, e.g. multi_column=1 (names or .yaml paths; default: "
                                     "every mode by the weights in synthdoc/mixture.yaml)")
    p.add_argument("--corpus", action="append", metavar="[LANG=]PATH",
                   help="local file/folder or Hugging Face dataset (owner/name); repeatable")
    p.add_argument("--font-dir", action="append", help="extra font folder; repeatable")
    from synthdoc.augment.stack import preset_names

    p.add_argument("--augment", metavar="PRESET|FILE",
                   help=f"augmentation preset ({', '.join(preset_names())}; default mixed: a whole preset per page "
                        "by weight) or a stack YAML file")
    _add_coverage_options(p)


def _add_coverage_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--coverage", metavar="SET|FILE",
                   help="steer the text so every character of a target set is drawn: jis0208, ksx1001, gb2312, big5, "
                        "exemplar (CLDR) or a UTF-8 file of characters; default none")
    p.add_argument("--coverage-min", type=int, metavar="K", help="least count of every target character (default 3)")


def _config(args: argparse.Namespace):
    from synthdoc.config import GenerateConfig, config_from_mapping, load_config

    cfg = load_config(args.config) if args.config else GenerateConfig()
    over = cfg.to_dict()
    if args.languages:
        over["languages"] = _split(args.languages)
    for key in ("pages", "seed", "workers"):
        if getattr(args, key, None) is not None:
            over[key] = getattr(args, key)
    if args.layouts:
        over["layouts"] = _weights(args.layouts)
    if args.corpus:
        over["corpus"] = {**over["corpus"], **_corpus(args.corpus)}
    if args.font_dir:
        over["font_dirs"] = over["font_dirs"] + args.font_dir
    if getattr(args, "augment", None):
        over["augment"] = args.augment
    if getattr(args, "labels", None):
        over["labels"] = _split(args.labels)
    for key in ("shard_size", "image_format", "jpeg_quality", "mask", "coverage", "coverage_min"):
        if getattr(args, key, None) is not None:
            over[key] = getattr(args, key)
    return config_from_mapping(over, "command line")


def cmd_generate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from synthdoc.api import write_dataset
    from synthdoc.heap import tune_heap
    from synthdoc.writers.parquet import defer_pandas

    defer_pandas()  # start-up: writing shards never needs pandas
    tune_heap()  # flat memory over long runs (forked workers inherit it)
    cfg = _config(args)
    if args.exclude_fonts_of:
        from synthdoc.fonts_exclusion import exclude_fonts_of

        cfg = exclude_fonts_of(cfg, args.exclude_fonts_of)
    bars = []  # created at the first finished page, so that errors raised before work starts stay one line

    def step(n: int) -> None:
        if not bars:
            bars.append(tqdm(total=cfg.pages, unit="page", desc="synthdoc", disable=args.quiet, dynamic_ncols=True))
        bars[0].update(n - bars[0].n)

    try:
        summary = write_dataset(cfg, args.out, overwrite=args.overwrite, resume=args.resume, backend=args.backend,
                                address=args.address, progress=step)
    finally:
        for bar in bars:
            bar.close()
    print(summary.line())
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from synthdoc.writers.hub import push_dataset

    url = push_dataset(args.dir, args.repo, private=args.private, revision=args.revision)
    print(f"pushed {args.dir} to {url}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from synthdoc.writers.exports import export_dataset

    print(export_dataset(args.dir, args.format, args.out, verify=not args.no_verify).line())
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from synthdoc.writers.imports import import_dataset

    print(import_dataset(args.src, args.out, args.format, split=args.split).line())
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from synthdoc.api import validate

    bars = []  # created at the first finished page, so that errors raised before work starts stay one line

    def step(pages: int, total: int, lines: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="page", desc="validate", disable=args.quiet, dynamic_ncols=True))
        bars[0].update(pages - bars[0].n)
        bars[0].set_postfix(lines=lines, refresh=False)

    try:
        result = validate(args.dir, engine=args.engine, sample=args.sample, seed=args.seed, device=args.device,
                          detect=args.detect, max_ned=args.filter, out=args.out, report_dir=args.report_dir,
                          batch_size=args.batch_size, nemotron_dir=args.nemotron_dir, progress=step,
                          verify=not args.no_verify)
    finally:
        for bar in bars:
            bar.close()
    r = result.report
    print(f"validated {r['pages']} pages, {r['lines']} lines with {r['engine']} on {r['device']} "
          f"({r['throughput']['lines_per_s']:.1f} lines/s)")
    for g in r["languages"]:
        print(f"  {g['lang']:9s} lines {g['lines']:6d}  mean NED {g['mean_ned']:.4f}  p90 NED {g['p90_ned']:.4f}")
    if r["filter"]:
        f = r["filter"]
        print(f"kept {f['kept']} of {f['kept'] + f['dropped']} pages (mean NED <= {f['max_ned']})"
              + (f"; filtered copy in {f['out']}" if f["out"] else ""))
    print(f"report: {result.report_dir / 'validation.md'}")
    return 0


def cmd_probe(args: argparse.Namespace) -> int:
    from synthdoc.probe import ProbeConfig, probe

    cfg = ProbeConfig(height_px=args.height, batch_size=args.batch_size, workers=args.workers,
                      threads=args.threads, eval_lines=args.eval_lines)

    def show(dataset: str, p: dict) -> None:
        if not args.quiet:
            scores = "  ".join(f"{k} NED {v['ned']:.3f}" for k, v in p["scores"].items())
            loss = f"loss {p['loss']:.3f}  " if p["loss"] is not None else ""
            print(f"[{dataset}] step {p['step']}  lines {p['lines_seen']}  {loss}{scores}", flush=True)

    report = probe(args.dataset, out=args.out, eval_sets=args.eval or [], compare=args.compare, steps=args.steps,
                   minutes=args.minutes, device=args.device, seed=args.seed, config=cfg, resume=args.resume,
                   eval_lang=args.eval_lang, progress=show)
    for r in report["runs"]:
        final = "  ".join(f"{k} NED {v['ned']:.4f} CER {v['cer']:.4f}" for k, v in r["final"].items())
        print(f"{r['dataset']}: {r['steps']} steps, {r['lines_seen']} lines, {r['lines_per_s']} lines/s on "
              f"{r['device']}; {final}")
    print(f"report: {report['report']}  curve: {report['curve']}")
    return 0


def _add_probe_parser(sub) -> None:
    q = sub.add_parser("probe", help="train a compact line recognizer on a dataset and score it on eval sets")
    q.add_argument("dataset", help="training dataset folder written by `synthdoc generate`")
    q.add_argument("--eval", action="append", metavar="[NAME=]PATH",
                   help="eval set: a synthdoc dataset, a folder of line images + NAME.gt.txt, or PAGE-XML; repeatable")
    q.add_argument("--compare", metavar="DATASET_B", help="also train on this dataset (same budget, seed) and compare")
    budget = q.add_mutually_exclusive_group(required=True)
    budget.add_argument("--steps", type=int, help="training budget in optimiser steps")
    budget.add_argument("--minutes", type=float, help="training budget in minutes of training time")
    q.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda when PyTorch sees a GPU")
    q.add_argument("--out", required=True, help="folder for report.json, curve.png and checkpoint.pt")
    q.add_argument("--seed", type=int, default=0, help="seed of the model initialisation and the shuffles")
    q.add_argument("--height", type=int, default=32, choices=[32, 48], help="crop height in pixels")
    q.add_argument("--batch-size", dest="batch_size", type=int, default=16, help="lines per step")
    q.add_argument("--workers", type=int, default=1, help="DataLoader processes decoding crops")
    q.add_argument("--threads", type=int, help="torch CPU threads (default: every core)")
    q.add_argument("--eval-lines", dest="eval_lines", type=int, default=300, help="lines scored per eval set")
    q.add_argument("--eval-lang", dest="eval_lang", default="und", help="language code of real line sets")
    q.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    q.add_argument("--quiet", action="store_true", help="no per-evaluation progress lines")
    q.set_defaults(func=cmd_probe)


def cmd_preview(args: argparse.Namespace) -> int:
    from synthdoc.preview import dataset_rows, write_previews

    if args.pages is not None and args.pages < 1:
        raise SynthdocError(f"--pages must be a positive number of pages, got {args.pages}")
    if args.dataset:
        rows = dataset_rows(args.dataset, 2 if args.pages is None else args.pages, verify=not args.no_verify)
    else:
        from synthdoc.pipeline import SampleFactory
        from synthdoc.writers.parquet import sample_to_row

        cfg = _config(args)
        factory = SampleFactory(cfg)
        rows = (sample_to_row(s) for s in factory.samples(0, args.pages or len(factory.languages)))
    paths = write_previews(rows, args.out, overwrite=args.overwrite)
    print(f"wrote {len(paths)} previews to {args.out}")
    return 0


def cmd_fonts(args: argparse.Namespace) -> int:
    from synthdoc.config import GenerateConfig, load_config
    from synthdoc.fonts.catalogue import FontCatalogue
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml

    cfg = load_config(args.config) if args.config else GenerateConfig()
    registry = LanguageRegistry(load_fonts_yaml(override=cfg.fonts))
    catalogue = FontCatalogue(cfg.font_dirs + (args.font_dir or []), cfg.system_fonts)
    langs = [registry.resolve(x) for x in _split(args.languages)] if args.languages else list(registry)
    if args.summary or args.json:
        return _fonts_summary(catalogue, langs, args.json)
    status = 0
    for lang in langs:
        print(f"{lang.code} ({lang.name}, script {lang.script}):")
        try:
            faces = catalogue.faces_for(lang)
        except SynthdocError as e:
            print(f"  none: {e}")
            status = 1
            continue
        for role, fs in faces.items():
            for f in fs:
                print(f"  {role:6s} {f.family} {f.style}  {f.path}#{f.index}")
    return status


def _fonts_summary(catalogue, langs, as_json: bool) -> int:
    """`synthdoc fonts --summary/--json`: families and faces per language by role, static vs variable."""
    import json

    from synthdoc.fonts.summary import format_summary, language_summary

    rows = [language_summary(catalogue, lang) for lang in langs]
    print(json.dumps(rows, indent=1, ensure_ascii=False) if as_json else format_summary(rows))
    return 1 if any(r["error"] for r in rows) else 0


def _add_exclusion_and_write_options(g: argparse.ArgumentParser) -> None:
    """generate's --exclude-fonts-of, --overwrite and --quiet."""
    g.add_argument("--exclude-fonts-of", action="append", metavar="DATASET", dest="exclude_fonts_of",
                   help="leave out every font family this finished dataset used (e.g. its training set: the new "
                        "pages then show unseen fonts); recorded in the config's fonts.deny; repeatable")
    g.add_argument("--overwrite", action="store_true", help="replace an existing dataset in --out")
    g.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_no_verify(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-verify", dest="no_verify", action="store_true",
                   help="skip the SHA-256 check of every shard against the manifest (file set, row counts and ids "
                        "are still checked)")


class _EngineOption(argparse.Action):
    """``validate --engine``: stores the name; its metavar lists the registered engines, looked up only when a help
    or error message shows it (discovering them imports every OCR module, ~50 ms that other commands skip).
    ``add_argument`` checks the metavar's form as it adds the option: until ``listing`` is set after that, it
    reads a placeholder of the same form."""

    listing = False

    @property
    def metavar(self) -> str:
        if not self.listing:
            return "{auto,probe:CHECKPOINT}"
        from synthdoc.ocr.engine import engine_names

        return "{" + ",".join(engine_names()) + ",probe:CHECKPOINT}"

    @metavar.setter
    def metavar(self, value) -> None:  # argparse.Action.__init__ assigns None
        pass

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, values)


def build_parser() -> argparse.ArgumentParser:
    from synthdoc._version import __version__
    from synthdoc.parallel import BACKENDS
    from synthdoc.writers.exports import formats
    from synthdoc.writers.imports import IMPORTERS

    parser = argparse.ArgumentParser(prog="synthdoc", description="Synthetic document pages with exact OCR labels.")
    parser.add_argument("--version", action="version", version=f"synthdoc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write a dataset of Parquet shards")
    _add_run_options(g)
    g.add_argument("--out", required=True, help="output dataset folder")
    g.add_argument("--shard-size", type=int, dest="shard_size", help="rows per shard")
    g.add_argument("--image-format", choices=["jpeg", "png"], dest="image_format")
    g.add_argument("--jpeg-quality", type=int, dest="jpeg_quality", help="JPEG quality (default 90; a page "
                   "whose augmentation ends with a Jpeg step keeps that step's JPEG, compressed once)")
    g.add_argument("--labels", help="label levels, e.g. words,lines,paragraphs,chars (chars: one box per grapheme "
                   "cluster; words, lines and paragraphs are always written)")
    g.add_argument("--mask", choices=["none", "ink", "words"],
                   help="text mask column: ink (255 on text ink) or words (16-bit word index + 1); default none")
    _add_exclusion_and_write_options(g)
    g.add_argument("--resume", action="store_true",
                   help="complete the interrupted run in --out (same config and seed); a finished run is left as is")
    g.add_argument("--backend", choices=BACKENDS, default="local",
                   help="local process pool, or one Ray task per shard (same output)")
    g.add_argument("--address", help="Ray cluster address for --backend ray (default: a local Ray instance)")
    g.set_defaults(func=cmd_generate)
    h = sub.add_parser("push", help="upload a finished dataset folder to the Hugging Face Hub")
    h.add_argument("dir", help="dataset folder written by `synthdoc generate`")
    h.add_argument("--repo", required=True, help="dataset repo OWNER/NAME (created if missing)")
    h.add_argument("--private", action="store_true", help="create the repo private")
    h.add_argument("--revision", help="branch to upload to (created if missing; default main)")
    h.set_defaults(func=cmd_push)
    e = sub.add_parser("export", help="convert a dataset's labels to another OCR toolkit's format")
    e.add_argument("dir", help="dataset folder written by `synthdoc generate`")
    e.add_argument("--format", required=True, choices=formats())
    e.add_argument("--out", required=True, help="new (empty) folder for the export")
    _add_no_verify(e)
    e.set_defaults(func=cmd_export)
    i = sub.add_parser("import", help="turn another dataset layout (Nemotron HDF5) into a synthdoc dataset folder")
    i.add_argument("src", help="folder in that layout (nemotron: the folder holding en/, ja/, ...)")
    i.add_argument("--format", required=True, choices=sorted(IMPORTERS))
    i.add_argument("--out", required=True, help="new dataset folder")
    i.add_argument("--split", help="split to import when the folder holds several (train, test, validation)")
    i.set_defaults(func=cmd_import)
    v = sub.add_parser("validate", help="read every line back with a reference OCR model; report NED, filter")
    v.add_argument("dir", help="dataset folder written by `synthdoc generate`")
    engine = v.add_argument("--engine", default="auto", action=_EngineOption,
                            help="auto: bundled PP-OCRv6, Tesseract for Korean / Russian and upright vertical "
                                 "columns; probe:CHECKPOINT: a recognizer trained by `synthdoc probe`")
    engine.listing = True
    v.add_argument("--sample", type=int, help="validate N pages drawn at random (default: every page)")
    v.add_argument("--seed", type=int, default=0, help="seed of the --sample draw")
    v.add_argument("--device", choices=["cuda", "cpu"], help="default: cuda when onnxruntime-gpu is installed")
    v.add_argument("--detect", action="store_true", help="also run the PP-OCRv6 text detector and match its boxes")
    v.add_argument("--filter", type=float, metavar="MAX_NED", help="write a keep-list of pages with mean NED <= MAX_NED")
    v.add_argument("--out", help="with --filter: write the filtered dataset copy here")
    v.add_argument("--report-dir", dest="report_dir", help="report folder (default DIR/validation)")
    v.add_argument("--batch-size", dest="batch_size", type=int, help="line crops per forward pass (default 32 on the CPU, 256 on CUDA)")
    v.add_argument("--nemotron-dir", dest="nemotron_dir", help="Nemotron OCR v2 weights folder (--engine nemotron)")
    v.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_no_verify(v)
    v.set_defaults(func=cmd_validate)
    _add_probe_parser(sub)
    p = sub.add_parser("preview", help="write annotated PNG previews (of a dataset, or of freshly generated pages)")
    _add_run_options(p)
    p.add_argument("--out", required=True, help="folder for the PNGs")
    p.add_argument("--dataset", help="preview rows of this dataset folder instead of generating")
    p.add_argument("--overwrite", action="store_true", help="replace existing <id>.png files in --out")
    _add_no_verify(p)
    p.set_defaults(func=cmd_preview)
    f = sub.add_parser("fonts", help="list, per language, the installed faces that cover it")
    f.add_argument("--languages", help="comma-separated codes or aliases (default: all)")
    f.add_argument("--config", help="YAML config file (fonts, font_dirs)")
    f.add_argument("--font-dir", action="append", help="extra font folder (or google/fonts checkout); repeatable")
    f.add_argument("--summary", action="store_true", help="per language: families and faces by role, static/variable")
    f.add_argument("--json", action="store_true", help="the --summary figures as JSON")
    f.set_defaults(func=cmd_fonts)
    return parser


class _Terminated(Exception):
    """Raised in the main thread by the SIGTERM handler, so that clean-up (``finally`` blocks) runs."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from synthdoc.errors import SynthdocWarning

    if issubclass(category, SynthdocWarning):
        print(f"synthdoc: warning: {message}", file=sys.stderr)
    else:
        _DEFAULT_SHOWWARNING(message, category, filename, lineno, file, line)


_DEFAULT_SHOWWARNING = warnings.showwarning
_STOPPED = "finished shards are complete, unfinished ones were not written; --resume completes the run"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``synthdoc`` console script.

    Exit status: 0 done, 2 a user mistake (one line ``synthdoc: error: ...``), 130 interrupted (Ctrl-C),
    143 terminated (SIGTERM); the last two print one line and no traceback, after the worker processes are
    stopped.
    """
    args = build_parser().parse_args(argv)
    warnings.showwarning = _show_warning
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if threading.current_thread() is threading.main_thread() \
        else None
    try:
        return args.func(args)
    except SynthdocError as e:
        print(f"synthdoc: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"synthdoc: interrupted; {_STOPPED}", file=sys.stderr)
        return 130
    except MemoryError:
        print("synthdoc: error: out of memory; use fewer --workers, smaller layouts or a smaller corpus file "
              f"({_STOPPED})", file=sys.stderr)
        return 2
    except _Terminated:
        print(f"synthdoc: terminated; {_STOPPED}", file=sys.stderr)
        return 143
    finally:
        warnings.showwarning = _DEFAULT_SHOWWARNING
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
