"""Typed, validated generation config (dataclass) and YAML loading. Errors name the file and key."""
from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import yaml

from synthdoc.names import is_safe_name as _is_safe_name

from synthdoc.errors import SynthdocError

DEFAULT_LANGUAGES = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")
MAX_PAGES = 100_000_000  # pages per run (the shard plan and manifest are held in memory)
MAX_SHARDS_PER_CONFIG = 99_999  # shard names count to 5 digits: <split>-NNNNN-of-NNNNN.parquet
MAX_WORKERS = 1024
FONTS_KEYS = ("scripts", "languages", "deny")  # what a config's `fonts:` may hold (merged over fonts.yaml)
MAX_YAML_NODES = 200_000  # nodes of a YAML file after alias expansion (a "billion laughs" file is refused)


MIXTURE_PATH = Path(__file__).resolve().parent / "mixture.yaml"


@functools.lru_cache(maxsize=1)
def default_mixture() -> dict:
    """The shipped default mixture (``synthdoc/mixture.yaml``): {"layouts": {template: weight}, "augment": name}.
    Callers copy what they keep (the result is cached)."""
    data = yaml.safe_load(MIXTURE_PATH.read_text(encoding="utf-8"))
    return {"layouts": {str(k): float(v) for k, v in data["layouts"].items()}, "augment": str(data["augment"])}


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_finite_number(v: object) -> bool:
    """A finite int or float (not a bool; an int too large for a float is not finite)."""
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _show(v: object, limit: int = 60) -> str:
    text = repr(v)
    return text if len(text) <= limit else text[:limit - 3] + "..."


@dataclass
class GenerateConfig:
    """Everything that defines a generation run (with the seed, it fixes every output byte).

    Attributes:
        languages: language codes or aliases; sample i uses languages[i % len(languages)].
        pages: number of pages (rows) to write.
        seed: run seed (non-negative).
        workers: worker processes (1 = in-process); output is identical for any value.
        shard_size: rows per Parquet shard (per language config).
        image_format: "jpeg" or "png".
        jpeg_quality: JPEG quality 1-100 of the stored pages (a page whose augmentation ends with a JPEG
            re-compression step is stored as that step's JPEG instead: compressed once, at the step's quality).
        layouts: template name or YAML path -> weight; default: every mode by the weights of the shipped
            ``synthdoc/mixture.yaml`` (:func:`default_mixture`).
        corpus: language code/alias (or "*" for all) -> local file/folder or Hugging Face dataset name.
        text_field: field holding text in .jsonl / .parquet / Hub corpora.
        max_documents: documents read from a Hugging Face corpus.
        corpus_skip: rows skipped at the start of a Hugging Face corpus stream.
        corpus_shuffle: rows in the seeded (``seed``) shuffle buffer of a Hugging Face corpus stream; 0 keeps order.
        corpus_filter: quality filters of a Hugging Face corpus (synthdoc.text.quality): "none" (default),
            "default" (min_chars 16, min_letter_frac 0.5, boilerplate, max_repeats 3) or a mapping of those keys.
        font_dirs: extra font folders (added to the system ones and $SYNTHDOC_FONT_DIRS).
        system_fonts: scan the system font folders.
        fonts: mapping merged over the shipped fonts.yaml (add languages, scripts, families).
        max_retries: attempts per sample before the run fails.
        split: dataset split name.
        augment: augmentation stack: a preset name (:func:`synthdoc.augment.stack.preset_names`), the path of a
            stack YAML file, or a stack mapping (see synthdoc.augment.stack); "none" renders clean pages; default
            ``mixed`` (a whole preset per page by weight, :mod:`synthdoc.augment.mixture`).
        mask: text mask column: "none", "ink" (8-bit, 255 on text ink) or "words" (16-bit word index + 1);
            see synthdoc.masks.
        labels: label levels to write: words, lines and paragraphs are always written; add "chars" for the
            character level (one entry per grapheme cluster; see synthdoc.render.chars).
        coverage: target character set the run steers towards (synthdoc.text.coverage): "none" (default), one of
            jis0208, ksx1001, gb2312, big5, exemplar (CLDR exemplars of each language), or a UTF-8 file path.
        coverage_min: K, the least number of times every target character is to be drawn over the run.
    """

    languages: list[str] = field(default_factory=lambda: list(DEFAULT_LANGUAGES))
    pages: int = 60
    seed: int = 0
    workers: int = 1
    shard_size: int = 500
    image_format: str = "jpeg"
    jpeg_quality: int = 90
    layouts: dict[str, float] = field(default_factory=lambda: dict(default_mixture()["layouts"]))
    corpus: dict[str, str] = field(default_factory=dict)
    text_field: str = "text"
    max_documents: int = 2000
    corpus_skip: int = 0
    corpus_shuffle: int = 0
    corpus_filter: Any = "none"
    font_dirs: list[str] = field(default_factory=list)
    system_fonts: bool = True
    fonts: dict[str, Any] = field(default_factory=dict)
    max_retries: int = 20
    split: str = "train"
    augment: Any = field(default_factory=lambda: default_mixture()["augment"])
    mask: str = "none"
    labels: list[str] = field(default_factory=lambda: ["words", "lines", "paragraphs"])
    coverage: str = "none"
    coverage_min: int = 3

    def validate(self, where: str = "config") -> "GenerateConfig":
        """Check types and ranges (every key, before any work).

        Raises:
            SynthdocError: the first invalid key, named with `where`.
        """
        def bad(key: str, msg: str) -> SynthdocError:
            return SynthdocError(f"{where}: key {key!r} {msg}")

        if not isinstance(self.languages, list) or not self.languages or not all(isinstance(x, str) and x for x in self.languages):
            raise bad("languages", "must be a non-empty list of language codes")
        for key in ("pages", "workers", "shard_size", "max_retries", "max_documents", "coverage_min"):
            v = getattr(self, key)
            if not _is_int(v) or v < 1:
                raise bad(key, f"must be a positive integer, got {_show(v)}")
        if self.pages > MAX_PAGES:
            raise bad("pages", f"must be at most {MAX_PAGES:,} per run, got {self.pages:,}; split the work into "
                      "several runs with different seeds")
        if self.pages / self.shard_size > MAX_SHARDS_PER_CONFIG:
            raise bad("shard_size", f"{self.shard_size} gives more than {MAX_SHARDS_PER_CONFIG} shards; use a larger "
                      "shard_size")
        if self.workers > MAX_WORKERS:
            raise bad("workers", f"must be at most {MAX_WORKERS}, got {self.workers}")
        if not _is_int(self.seed) or not 0 <= self.seed < 2 ** 63:
            raise bad("seed", f"must be a non-negative integer below 2**63, got {_show(self.seed)}")
        if self.image_format not in ("jpeg", "png"):
            raise bad("image_format", f"must be 'jpeg' or 'png', got {_show(self.image_format)}")
        if not _is_int(self.jpeg_quality) or not 1 <= self.jpeg_quality <= 100:
            raise bad("jpeg_quality", f"must be an integer 1-100, got {_show(self.jpeg_quality)}")
        self._validate_mappings(bad)
        return self

    def _validate_mappings(self, bad) -> None:
        """The keys that hold strings, lists and mappings (part of :meth:`validate`)."""
        if (not isinstance(self.layouts, dict) or not self.layouts
                or not all(isinstance(k, str) and k for k in self.layouts)
                or not all(is_finite_number(w) and w >= 0 for w in self.layouts.values())
                or sum(self.layouts.values()) <= 0):
            raise bad("layouts", "must map template names to finite non-negative weights, e.g. {multi_column: 1}")
        if not isinstance(self.corpus, dict) or not all(isinstance(k, str) and k and isinstance(v, str) and v
                                                        for k, v in self.corpus.items()):
            raise bad("corpus", "must map language codes (or '*') to a file, folder or Hugging Face dataset name")
        if not isinstance(self.text_field, str) or not self.text_field:
            raise bad("text_field", f"must be a field name such as 'text', got {_show(self.text_field)}")
        if not isinstance(self.fonts, dict):
            raise bad("fonts", "must be a mapping with 'scripts' and/or 'languages' (merged over fonts.yaml)")
        unknown = sorted(str(k) for k in self.fonts if k not in FONTS_KEYS)
        if unknown:
            raise bad("fonts", f"has unknown key {unknown[0]!r}; valid keys: {', '.join(FONTS_KEYS)}")
        if not all(isinstance(self.fonts.get(k, {}), dict) for k in ("scripts", "languages")):
            raise bad("fonts", "'scripts' and 'languages' must be mappings")
        if not isinstance(self.fonts.get("deny", []), list) or not all(isinstance(p, str) for p in self.fonts.get("deny", [])):
            raise bad("fonts", "'deny' must be a list of family-name glob patterns, e.g. ['*Nastaliq*']")
        if not isinstance(self.font_dirs, list) or not all(isinstance(d, str) and d for d in self.font_dirs):
            raise bad("font_dirs", "must be a list of folder paths")
        if not isinstance(self.system_fonts, bool):
            raise bad("system_fonts", f"must be true or false, got {_show(self.system_fonts)}")
        if not _is_safe_name(self.split):
            raise bad("split", f"must be a name of 1-128 letters, digits, '.', '_' or '-' starting with a letter or "
                      f"digit (e.g. train), got {_show(self.split)}")
        if not (isinstance(self.augment, str) and self.augment) and not isinstance(self.augment, dict):
            raise bad("augment", "must be a preset name (synthdoc.augment.preset_names()), a stack YAML path or a "
                      "stack mapping")
        for key in ("corpus_skip", "corpus_shuffle"):
            if not _is_int(getattr(self, key)) or getattr(self, key) < 0:
                raise bad(key, f"must be a non-negative integer, got {_show(getattr(self, key))}")
        from synthdoc.text.quality import QualityFilter

        QualityFilter.from_config(self.corpus_filter)
        if not isinstance(self.coverage, str) or not self.coverage:
            raise bad("coverage", "must be 'none', a set name (jis0208, ksx1001, gb2312, big5, exemplar) or a file "
                      f"path, got {_show(self.coverage)}")
        if self.mask not in ("none", "ink", "words"):
            raise bad("mask", f"must be 'none', 'ink' or 'words', got {_show(self.mask)}")
        if not isinstance(self.labels, list) or not all(isinstance(v, str) for v in self.labels) \
                or not set(self.labels) <= {"words", "lines", "paragraphs", "chars"}:
            raise bad("labels", f"must list levels of words, lines, paragraphs, chars, got {_show(self.labels)}")

    def to_dict(self) -> dict:
        return asdict(self)


def config_from_mapping(data: Mapping[str, Any], where: str = "config") -> GenerateConfig:
    """GenerateConfig from a mapping.

    Raises:
        SynthdocError: unknown key (with the valid ones) or invalid value.
    """
    valid = {f.name for f in fields(GenerateConfig)}
    for key in data:
        if key not in valid:
            raise SynthdocError(f"{where}: unknown key {key!r}; valid keys: {', '.join(sorted(valid))}")
    return GenerateConfig(**dict(data)).validate(where)


def read_yaml_mapping(path: str | Path, what: str, fix: str) -> dict:
    """Read a YAML file that must hold a mapping (an empty file gives {}).

    Args:
        path: the file.
        what: what the file is, for messages ("config", "layout template", ...).
        fix: what the user should check when it cannot be read ("check the --config path").

    Raises:
        SynthdocError: one line naming the file: unreadable, invalid YAML, or not a mapping.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise SynthdocError(f"cannot read {what} {p}: {e.strerror}; {fix}") from None
    except UnicodeDecodeError as e:
        raise SynthdocError(f"{p}: not UTF-8 text (byte {e.start}); save the {what} file as UTF-8") from None
    try:
        data = load_yaml_bounded(text)
    except yaml.YAMLError as e:
        raise SynthdocError(f"{p}: invalid YAML ({(str(e).splitlines() or [type(e).__name__])[0]})") from None
    except RecursionError:
        raise SynthdocError(f"{p}: the YAML is nested too deeply; a {what} file is small and flat") from None
    except _TooBig as e:
        raise SynthdocError(f"{p}: the YAML expands to more than {MAX_YAML_NODES:,} values ({e}); a {what} file is "
                            "small, check for aliases (*name) that repeat large parts") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SynthdocError(f"{p}: a {what} file must be a YAML mapping of keys to values")
    return data


class _TooBig(Exception):
    """A YAML document whose alias-expanded size exceeds MAX_YAML_NODES."""


def _expanded_size(node: yaml.Node, sizes: dict[int, int], active: set[int]) -> int:
    """Nodes of `node` with every alias expanded (memoised per node, so a bomb is measured in linear time).

    Raises:
        _TooBig: more than MAX_YAML_NODES, or a recursive alias (infinite expansion).
    """
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:
        raise _TooBig("a recursive alias")
    active.add(key)
    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        children = []
    total = 1
    for child in children:
        total += _expanded_size(child, sizes, active)
        if total > MAX_YAML_NODES:
            raise _TooBig(f"{total:,} at least")
    active.discard(key)
    sizes[key] = total
    return total


# libyaml's parser when PyYAML was built with it (about 10x faster than the pure-Python one; same documents)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_bounded(text: str):
    """``yaml.safe_load`` of `text` after checking that its alias-expanded size is at most MAX_YAML_NODES.

    Raises:
        yaml.YAMLError: invalid YAML.
        _TooBig: too large once aliases are expanded, or recursive.
    """
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, {}, set())
        return loader.construct_document(node)  # what yaml.safe_load builds, from the node already composed
    finally:
        loader.dispose()


def load_config(path: str | Path) -> GenerateConfig:
    """Read a YAML config file.

    Raises:
        SynthdocError: unreadable file, invalid YAML, not a mapping, unknown key or invalid value.
    """
    return config_from_mapping(read_yaml_mapping(path, "config", "check the --config path"), str(path))


def check_run_config(config: object, seed: object = None) -> GenerateConfig:
    """`config` (None: the defaults) with `seed` applied, validated: what every API entry point runs first.

    Raises:
        SynthdocError: `config` is not a GenerateConfig, `seed` is not a non-negative integer, an invalid key.
    """
    if config is None:
        config = GenerateConfig()
    if not isinstance(config, GenerateConfig):
        raise SynthdocError(f"config must be a synthdoc GenerateConfig (or None), got {type(config).__name__}; "
                            "build one with GenerateConfig(...) or load_config(path)")
    if seed is not None:
        if not _is_int(seed) or seed < 0:
            raise SynthdocError(f"seed must be a non-negative integer, got {_show(seed)}")
        config = GenerateConfig(**{**config.to_dict(), "seed": seed})
    return config.validate()


def check_index_range(start: object, stop: object, step: object = 1) -> None:
    """Check a sample index range of the API (generate_samples, stream, iterable_dataset).

    Raises:
        SynthdocError: `start` not an integer >= 0, `stop` neither None nor an integer >= `start`, `step` not an
            integer >= 1.
    """
    if not _is_int(start) or start < 0:
        raise SynthdocError(f"start must be a sample index (an integer >= 0), got {_show(start)}")
    if stop is not None and (not _is_int(stop) or stop < start):
        raise SynthdocError(f"stop must be None (endless) or an integer >= start ({start}), got {_show(stop)}")
    if not _is_int(step) or step < 1:
        raise SynthdocError(f"step must be a positive integer, got {_show(step)}")
