"""Dataset card (OUT/README.md), generated from the run manifest: YAML header with ``configs`` and
``dataset_info`` (Hugging Face dataset card metadata), then languages and row counts per config and split,
the layout and augmentation mixture, font families with their licences, text sources with their licences,
and the synthdoc version, config and seed that reproduce the data. The same manifest always gives the same
card (no timestamps), so an interrupted and resumed run has the card of an uninterrupted one.
"""
from __future__ import annotations

import json
from collections import Counter

import yaml

from synthdoc.errors import SynthdocError
from synthdoc.writers.manifest import RUNTIME_KEYS, RunManifest
from synthdoc.writers.schema import features_yaml
from synthdoc.writers.storage import Storage

CARD_NAME = "README.md"
# Licences by family-name prefix, as SPDX identifiers (https://spdx.org/licenses/).
FONT_LICENSES = {
    "Noto": "OFL-1.1",
    "DejaVu": "Bitstream-Vera",
    "Liberation": "OFL-1.1",
    "IPA": "IPA",
    "Takao": "IPA",
    "Nanum": "OFL-1.1",
    "WenQuanYi": "GPL-2.0-only WITH Font-exception-2.0",
    "AR PL": "Arphic-1999",
    "Un ": "GPL-2.0-only",
}
UNKNOWN_LICENSE = "unknown — check the font"
SECTIONS = ("## Contents", "## Layouts", "## Augmentation", "## Fonts", "## Text sources", "## Reproduce")


def font_license(family: str) -> str:
    """SPDX licence of a font family by its name prefix (:data:`UNKNOWN_LICENSE` otherwise)."""
    for prefix, lic in FONT_LICENSES.items():
        if family.startswith(prefix):
            return lic
    from synthdoc.fonts.googlefonts import license_of_family  # installed Google Fonts (fontpkg) metadata

    return license_of_family(family) or UNKNOWN_LICENSE


def _totals(manifest: RunManifest) -> dict:
    """Sums over the completed shards: bytes per config, layouts, fonts, augment presets, retries, skipped."""
    size: Counter = Counter()
    layouts: Counter = Counter()
    fonts: Counter = Counter()
    augment: Counter = Counter()
    steps: Counter = Counter()
    retries = skipped = ignored = 0
    config_of = {s.path: s.config for s in manifest.shards}
    for path, rec in manifest.completed.items():
        size[config_of.get(path, "?")] += rec.bytes
        layouts.update(rec.layouts)
        fonts.update(rec.fonts)
        augment.update(rec.augment)
        steps.update(rec.augment_steps)
        retries += rec.retries
        skipped += rec.skipped_for_coverage
        ignored += rec.ignored_words
    return {"size": size, "layouts": layouts, "fonts": fonts, "augment": augment, "steps": steps,
            "retries": retries, "skipped_for_coverage": skipped, "ignored_words": ignored}


def _header(manifest: RunManifest, counts: dict[str, int], size: Counter) -> dict:
    split = manifest.split
    codes = sorted(c for c, n in counts.items() if n)
    configs = [{"config_name": "all", "data_files": [{"split": split, "path": f"data/*/{split}-*.parquet"}]}]
    configs += [{"config_name": c, "data_files": [{"split": split, "path": f"data/{c}/{split}-*.parquet"}]} for c in codes]
    feats = features_yaml()
    total = sum(size.values())
    info = [{"config_name": c, "features": feats,
             "splits": [{"name": split, "num_bytes": b, "num_examples": n}], "download_size": b, "dataset_size": b}
            for c, n, b in [("all", sum(counts.values()), total), *((c, counts[c], size[c]) for c in codes)]]
    return {
        "license": "other",
        "language": sorted({c.split("_")[0] for c in codes}),
        "task_categories": ["image-to-text"],
        "tags": ["ocr", "synthetic", "document", "synthdoc"],
        "pretty_name": "synthdoc synthetic document pages",
        "configs": configs,
        "dataset_info": info,
    }


def _mixture(what: str, counter: Counter, pages: int) -> list[str]:
    """A Markdown table: `what` | pages | share of all pages."""
    lines = [f"| {what} | pages | share |", "|---|---|---|"]
    return lines + [f"| {k} | {v} | {v / max(pages, 1):.1%} |" for k, v in sorted(counter.items())]


def _configured_weights(config: dict) -> list[str]:
    """The layout weights of the run's config, as a sentence (and a blank line)."""
    layouts = config.get("layouts") or {}
    if not isinstance(layouts, dict) or not layouts:
        return []
    total = sum(float(w) for w in layouts.values()) or 1.0
    shown = ", ".join(f"{k} {float(w) / total:.0%}" for k, w in layouts.items())
    return [f"Each page draws its layout by weight from: {shown} (a template whose mode does not support the "
            "page's language is left out for it: vertical only for Chinese and Japanese).", ""]


def _configured_augment(config: dict) -> list[str]:
    """The augmentation mixture of the run's config (a mixture preset or file) as a sentence; [] otherwise."""
    spec = config.get("augment")
    if not isinstance(spec, str):
        return []
    from synthdoc.augment.mixture import MixtureStack
    from synthdoc.augment.stack import load_stack

    try:
        stack = load_stack(spec)
    except SynthdocError:
        return []
    if not isinstance(stack, MixtureStack):
        return []
    total = sum(stack.weights) or 1.0
    shown = ", ".join(f"{s.name} {w / total:.0%}" for s, w in zip(stack.stacks, stack.weights))
    return [f"Mixture `{spec}`: each page draws one whole preset by weight from: {shown}.", ""]


def _locale_of(code: str) -> str:
    """BCP 47 tag of a language code (its HarfBuzz language, e.g. "zh-Hans"), for CLDR exemplar sets."""
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml

    try:
        return LanguageRegistry(load_fonts_yaml()).resolve(code).hb_language
    except SynthdocError:
        return code.split("_")[0]


def _characters(manifest: RunManifest) -> list[str]:
    """The "Characters" section: per language, characters drawn, distinct characters, and with a coverage target
    (config key ``coverage``) the target's size, how many of its characters were drawn at least once and at least
    K times, and the distribution of their counts (:func:`synthdoc.text.coverage.coverage_report`)."""
    from synthdoc.text.coverage import coverage_report, target_set

    per: dict[str, Counter] = {}
    config_of = {s.path: s.config for s in manifest.shards}
    for path, rec in manifest.completed.items():
        per.setdefault(config_of.get(path, "?"), Counter()).update(rec.chars)
    spec, k = manifest.config.get("coverage", "none"), int(manifest.config.get("coverage_min", 3))
    if not any(per.values()):
        return []
    lines = ["", "## Characters", ""]
    if spec != "none":
        lines += [f"Coverage target `{spec}`, K = {k}: the text was steered so every target character is drawn at "
                  "least K times (synthdoc.text.coverage).", ""]
    lines += ["| language | characters | distinct | target | covered | >= K | min | p1 / p10 / p50 | under K |",
              "|---|---|---|---|---|---|---|---|---|"]
    for code in sorted(per):
        try:
            target = target_set(spec, _locale_of(code)) if spec != "none" else []
        except SynthdocError:  # the coverage file is gone: report the seen characters only
            target = []
        r = coverage_report(per[code], target, k)
        cells = ["", "", "", "", "", ""] if not target else [
            str(r["target"]), str(r["covered"]), str(r["at_least_k"]), str(r["min"]),
            " / ".join(f"{v:g}" for v in r["percentiles"].values()), r["missing"] or "none"]
        lines.append(f"| {code} | {r['chars']} | {r['distinct']} | " + " | ".join(cells) + " |")
    return lines


def card_text(manifest: RunManifest) -> str:
    """The dataset card of a run (Markdown with a YAML header)."""
    counts = manifest.counts()
    t = _totals(manifest)
    pages = sum(counts.values())
    split = manifest.split
    shards_of = Counter(s.config for s in manifest.shards)
    header = _header(manifest, counts, t["size"])
    codes = sorted(c for c, n in counts.items() if n)
    config = {k: v for k, v in manifest.config.items() if k not in RUNTIME_KEYS}  # same card at any worker count
    lines = ["---", yaml.safe_dump(header, sort_keys=False, allow_unicode=True).rstrip(), "---", "",
             "# Synthetic document pages (synthdoc)", "",
             f"Generated by synthdoc {manifest.synthdoc_version} with seed {manifest.seed}: {pages} page images with "
             "exact word / line / paragraph quads and reading order.", "",
             "## Contents", "", f"Languages: {', '.join(codes)}.", "",
             "| config | rows | split | shards | MB |", "|---|---|---|---|---|"]
    lines += [f"| {c} | {counts[c]} | {split} | {shards_of[c]} | {t['size'][c] / 1e6:.1f} |" for c in codes]
    lines += [f"| all | {pages} | {split} | {len(manifest.shards)} | {sum(t['size'].values()) / 1e6:.1f} |"]
    lines += ["", "## Layouts", ""] + _configured_weights(manifest.config) + _mixture("layout", t["layouts"], pages)
    lines += ["", "## Augmentation", ""] + _configured_augment(manifest.config)
    if set(t["augment"]) <= {"none"}:
        lines += ["None: every page is a clean rendering."]
    else:
        lines += _mixture("preset", t["augment"], pages)
        if t["steps"]:
            lines += ["", "Steps applied (a page counts once per step):", ""] + _mixture("step", t["steps"], pages)
    if t["ignored_words"] or set(t["augment"]) - {"none"}:
        lines += ["", "Words marked ignore because their glyphs were not legible in the final page (legibility "
                  f"check): {t['ignored_words']}."]
    lines += ["", "## Fonts", "", "| family | pages | licence | share of pages |", "|---|---|---|---|"]
    lines += [f"| {f} | {n} | {font_license(f)} | {n / max(pages, 1):.1%} |" for f, n in sorted(t["fonts"].items())]
    lines += ["", "## Text sources", "", "| language | source | licence |", "|---|---|---|"]
    lines += [f"| {c} | {src['name']} | {src['license']} |" for c, src in sorted(manifest.corpora.items())]
    lines += _characters(manifest)
    lines += ["", "The page images are synthetic; their licence follows the text sources and fonts above.", "",
              "## Reproduce", "",
              f"synthdoc {manifest.synthdoc_version}, seed {manifest.seed}; {t['retries']} retried attempts, "
              f"{t['skipped_for_coverage']} paragraphs skipped for font coverage. Write the config below to a YAML "
              "file and run `synthdoc generate --config FILE --out DIR` with the same synthdoc version and fonts "
              "to get the same bytes.", "",
              "```json", json.dumps({"synthdoc_version": manifest.synthdoc_version, "seed": manifest.seed,
                                     "config": config}, indent=1, ensure_ascii=False, default=str),
              "```", ""]
    return "\n".join(lines)


def write_card(storage: Storage, manifest: RunManifest) -> None:
    """Write OUT/README.md (atomically) from the manifest."""
    storage.write_bytes(CARD_NAME, card_text(manifest).encode("utf-8"))


def card_problems(text: str, manifest: RunManifest) -> list[str]:
    """What a dataset card lacks before it is published: the YAML header with a config per language plus
    ``all`` and row counts equal to the manifest's, a language list, each section of :data:`SECTIONS`, the
    synthdoc version and seed, a licence for every text source. An empty list means complete."""
    problems = []
    if not text.startswith("---\n") or "\n---\n" not in text:
        return ["no YAML header"]
    try:
        header = yaml.safe_load(text[4:text.index("\n---\n")]) or {}
    except yaml.YAMLError:
        return ["the YAML header does not parse"]
    counts = manifest.counts()
    want = {"all": sum(counts.values()), **{c: n for c, n in counts.items() if n}}
    got = {}
    for d in header.get("dataset_info") or []:
        got[d.get("config_name")] = sum(s.get("num_examples", 0) for s in d.get("splits") or [])
    if got != want:
        problems.append(f"row counts {got} differ from the manifest's {want}")
    if {c.get("config_name") for c in header.get("configs") or []} != set(want):
        problems.append("configs do not list every language and 'all'")
    if not header.get("language"):
        problems.append("no language list")
    body = text[text.index("\n---\n") + 5:]
    problems += [f"no '{s}' section" for s in SECTIONS if f"\n{s}\n" not in f"\n{body}"]
    if f"synthdoc {manifest.synthdoc_version}" not in body or f"seed {manifest.seed}" not in body:
        problems.append("no synthdoc version and seed")
    problems += [f"no licence for the text of {c}" for c, src in manifest.corpora.items() if not src.get("license")]
    return problems
