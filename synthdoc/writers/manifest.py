"""Run manifest: ``OUT/synthdoc-manifest.json``, the record that makes a run resumable and checkable.

It holds what fixes every output byte (synthdoc version, config, seed), the shard plan (config, path and
sample index range of every shard), the corpora with their licences, and one record per completed shard
(rows, size, sha256 of the file, and what went into it: layouts, fonts, augmentation presets, retries).
The manifest is rewritten atomically after every completed shard, so after a crash (even SIGKILL) it
lists exactly the shards that are complete on storage: `--resume` regenerates the others. The dataset
card is generated from it.

JSON layout (``format`` 1)::

    {"format": 1, "synthdoc_version": "0.1.0", "seed": 0, "split": "train", "config": {...},
     "languages": ["eng_Latn", ...], "corpora": {"eng_Latn": {"name": ..., "license": ...}},
     "shards": [{"config": "eng_Latn", "path": "data/eng_Latn/train-00000-of-00001.parquet",
                 "indices": [start, stop, step]}, ...],
     "completed": {"<path>": {"rows": 2, "bytes": 812345, "sha256": "...", "layouts": {...}, ...}},
     "finished": true}
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from synthdoc._version import __version__
from synthdoc.errors import SynthdocError
from synthdoc.writers.parquet import SHARD_NAME_RE, ShardPlan, ShardSpec
from synthdoc.writers.storage import TMP_SUFFIX, Storage

MANIFEST_NAME = "synthdoc-manifest.json"
FORMAT = 1
# config keys that do not change a single output byte (they may differ between a run and its resumption)
RUNTIME_KEYS = ("workers",)


@dataclass
class ShardRecord:
    """A completed shard: the file and what went into it.

    Attributes:
        rows: rows in the file.
        bytes: file size in bytes.
        sha256: hex SHA-256 of the file.
        layouts: layout template -> pages.
        fonts: font family -> pages using it.
        augment: augmentation preset -> pages ("none" when a row records no augmentation).
        augment_steps: augmentation step name -> pages it was applied to.
        retries: failed attempts retried while making its rows.
        skipped_for_coverage: paragraphs skipped because no font covered them.
        ignored_words: words the legibility check marked ignore (``meta["augment"]["ignored_words"]``).
        chars: character -> occurrences in the page texts (spaces excluded), keys sorted, in runs with a coverage
            target (config key ``coverage``; empty otherwise): the card's coverage figures.
    """

    rows: int
    bytes: int
    sha256: str
    layouts: dict[str, int] = field(default_factory=dict)
    fonts: dict[str, int] = field(default_factory=dict)
    augment: dict[str, int] = field(default_factory=dict)
    augment_steps: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    skipped_for_coverage: int = 0
    ignored_words: int = 0
    chars: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_infos(cls, infos: list[dict], sha256: str, nbytes: int) -> "ShardRecord":
        """Aggregate per-row generation infos: ``layout`` (template name), ``fonts`` (families used),
        ``augment`` (the row's meta["augment"] record, e.g. {"preset": "scan", "steps": [{"name": ...}]}, or
        None), ``stats`` (retries, skipped_for_coverage)."""
        layouts: Counter = Counter()
        fonts: Counter = Counter()
        augment: Counter = Counter()
        steps: Counter = Counter()
        stats: Counter = Counter()
        chars: Counter = Counter()
        for info in infos:
            chars.update(info.get("chars") or {})
            layouts[info["layout"]] += 1
            fonts.update(set(info.get("fonts") or ()))  # font families of the page
            augment[augment_label(info.get("augment"))] += 1
            steps.update(set(augment_steps(info.get("augment"))))
            stats.update(info.get("stats", {}))
            record = info.get("augment")
            stats["ignored_words"] += int(record.get("ignored_words", 0)) if isinstance(record, dict) else 0
        return cls(len(infos), nbytes, sha256, dict(sorted(layouts.items())), dict(sorted(fonts.items())),
                   dict(sorted(augment.items())), dict(sorted(steps.items())), int(stats["retries"]),
                   int(stats["skipped_for_coverage"]), int(stats["ignored_words"]), dict(sorted(chars.items())))


def augment_label(meta_augment) -> str:
    """Name of the augmentation a row's ``meta["augment"]`` records: its ``preset`` when it is a mapping with
    one, "custom" for another non-empty record, "none" when absent or empty."""
    if not meta_augment:
        return "none"
    if isinstance(meta_augment, dict):
        preset = meta_augment.get("preset")
        return str(preset) if preset else "custom"
    return str(meta_augment) if isinstance(meta_augment, str) else "custom"


def augment_steps(meta_augment) -> list[str]:
    """Names of the steps a row's ``meta["augment"]`` records as applied (its ``steps`` list of
    ``{"name": ...}`` records; none when absent)."""
    steps = meta_augment.get("steps") if isinstance(meta_augment, dict) else None
    return [str(x["name"]) for x in steps or [] if isinstance(x, dict) and x.get("name")]


@dataclass
class RunManifest:
    """The manifest of one run (see the module docstring for the JSON layout)."""

    config: dict
    languages: list[str]
    corpora: dict[str, dict[str, str]]
    shards: list[ShardSpec]
    completed: dict[str, ShardRecord] = field(default_factory=dict)
    finished: bool = False
    synthdoc_version: str = __version__

    @property
    def seed(self) -> int:
        return int(self.config["seed"])

    @property
    def split(self) -> str:
        return str(self.config["split"])

    @classmethod
    def new(cls, config: dict, languages: list[str], corpora: dict[str, tuple[str, str]]) -> "RunManifest":
        """Manifest of a fresh run.

        Args:
            config: the run's GenerateConfig as a dict.
            languages: canonical codes of the run's languages, in run order.
            corpora: language -> (corpus name, licence).
        """
        plan = ShardPlan.build(languages, config["pages"], config["shard_size"])
        return cls(dict(config), list(languages), {c: {"name": n, "license": lic} for c, (n, lic) in corpora.items()},
                   plan.specs(config["split"]))

    def counts(self) -> dict[str, int]:
        """Config (language code) -> planned rows."""
        out: dict[str, int] = {}
        for spec in self.shards:
            out[spec.config] = out.get(spec.config, 0) + len(spec.indices)
        return out

    def pending(self) -> list[ShardSpec]:
        """Shards not completed yet, in plan order."""
        return [s for s in self.shards if s.path not in self.completed]

    def to_json(self) -> str:
        data = {
            "format": FORMAT, "synthdoc_version": self.synthdoc_version, "seed": self.seed, "split": self.split,
            "config": self.config, "languages": self.languages, "corpora": self.corpora,
            "shards": [{"config": s.config, "path": s.path, "indices": [s.indices.start, s.indices.stop, s.indices.step]}
                       for s in self.shards],
            "completed": {p: asdict(self.completed[p]) for p in sorted(self.completed)},  # any completion order
            "finished": self.finished,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)

    @classmethod
    def from_json(cls, text: str) -> "RunManifest":
        """Parse a manifest.

        Raises:
            ValueError: not a synthdoc manifest of a known format.
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a format-{FORMAT} synthdoc manifest")
        shards = [ShardSpec(s["config"], s["path"], range(*s["indices"])) for s in data["shards"]]
        done = {p: ShardRecord(**r) for p, r in data["completed"].items()}
        return cls(data["config"], data["languages"], data["corpora"], shards, done, bool(data["finished"]),
                   data["synthdoc_version"])

    @classmethod
    def load(cls, storage: Storage) -> "RunManifest | None":
        """The manifest in `storage`, or None when there is none.

        Raises:
            SynthdocError: the file is unreadable or not a synthdoc manifest.
        """
        if not storage.exists(MANIFEST_NAME):
            return None
        try:
            return cls.from_json(storage.read_bytes(MANIFEST_NAME).decode("utf-8"))
        except (ValueError, KeyError, TypeError):
            raise SynthdocError(f"{storage.location}/{MANIFEST_NAME} is not a valid synthdoc manifest; "
                                "write the dataset again with `synthdoc generate --overwrite`") from None

    def save(self, storage: Storage) -> None:
        """Write the manifest atomically."""
        storage.write_bytes(MANIFEST_NAME, self.to_json().encode("utf-8"))

    def difference(self, other: "RunManifest") -> str | None:
        """First difference that changes output bytes between this run and `other` (the stored one), e.g.
        "pages 10 now, 12 there"; None when they describe the same output."""
        if self.synthdoc_version != other.synthdoc_version:
            return f"synthdoc version {self.synthdoc_version} now, {other.synthdoc_version} there"
        for key in sorted(set(self.config) | set(other.config)):
            if key in RUNTIME_KEYS or key == "languages":  # languages: compared as resolved codes below
                continue
            a, b = self.config.get(key, "<unset>"), other.config.get(key, "<unset>")
            if a != b:
                return f"{key} {_short(a)} now, {_short(b)} there"
        if self.languages != other.languages:
            return f"languages {_short(self.languages)} now, {_short(other.languages)} there"
        if self.shards != other.shards:
            return "another shard plan"
        return None


def _short(value, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def sha256_of(storage: Storage, rel: str) -> str:
    """Hex SHA-256 of a file in `storage` (read in 8 MB blocks)."""
    h = hashlib.sha256()
    with storage.fs.open(storage.path(rel), "rb") as f:
        for block in iter(lambda: f.read(8 << 20), b""):
            h.update(block)
    return h.hexdigest()


def open_run(storage: Storage, fresh: RunManifest, *, overwrite: bool = False, resume: bool = False) -> RunManifest:
    """Prepare `storage` for a run and return the manifest to continue from (saved before returning).

    * a new folder (or one without shards or manifest): `fresh`;
    * ``overwrite``: `fresh`; shard files of another plan (``data/*/<split>-NNNNN-of-NNNNN.parquet`` that
      `fresh` does not plan) are deleted so the folder holds one dataset;
    * ``resume`` with a manifest: the stored manifest (unchanged, so it keeps the first run's worker count),
      after checking that it describes the same run (version, config except the worker count, seed, shard
      plan); completed shards whose file is missing or has another size are queued again;
    * left-over temporary files of interrupted writes are deleted.

    Raises:
        SynthdocError: the folder is not writable; it holds a dataset or an unfinished run and neither
            ``overwrite`` nor ``resume`` is set; ``resume`` of a different run; shards without a manifest.
    """
    storage.check_writable()
    old = RunManifest.load(storage) if not overwrite else None
    stored = old.to_json() if old is not None else None
    present = storage.glob("data/*/*.parquet")
    where = storage.location
    if overwrite:
        planned = {s.path for s in fresh.shards}
        for p in present:
            if SHARD_NAME_RE.fullmatch(p.rsplit("/", 1)[-1]) and p not in planned:
                storage.remove(p)
        run = fresh
    elif old is not None and resume:
        diff = fresh.difference(old)
        if diff:
            raise SynthdocError(f"{where} holds another run ({diff}); "
                                "use the same config and seed to resume, choose another --out, or pass --overwrite")
        run = old
    elif old is not None:
        if old.finished:
            raise SynthdocError(f"{where} already holds a dataset; choose another --out or pass --overwrite "
                                "(or --resume, which does nothing for a finished run)")
        raise SynthdocError(f"{where} holds an unfinished run ({len(old.completed)} of {len(old.shards)} shards); "
                            "pass --resume to complete it, or --overwrite to start again")
    elif present:
        how = "cannot resume it without a synthdoc manifest; " if resume else ""
        raise SynthdocError(f"{where} already holds a dataset; {how}choose another --out or pass --overwrite")
    else:
        run = fresh
    for tmp in storage.glob(f"data/*/.*{TMP_SUFFIX}") + storage.glob(f".*{TMP_SUFFIX}"):
        storage.remove(tmp)
    for path, rec in list(run.completed.items()):
        if storage.size(path) != rec.bytes:
            del run.completed[path]
            run.finished = False
    if run.to_json() != stored:  # a finished run that is resumed again stays untouched
        run.save(storage)
    return run
