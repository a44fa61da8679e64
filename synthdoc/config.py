"""Typed, validated generation config (dataclass) and YAML loading. Errors name the file and key."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import yaml

from synthdoc.errors import SynthdocError

DEFAULT_LANGUAGES = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")


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
        jpeg_quality: JPEG quality 1-100.
        layouts: template name or YAML path -> weight.
        corpus: language code/alias (or "*" for all) -> local file/folder or Hugging Face dataset name.
        text_field: field holding text in .jsonl / .parquet / Hub corpora.
        max_documents: documents read from a Hugging Face corpus.
        font_dirs: extra font folders (added to the system ones and $SYNTHDOC_FONT_DIRS).
        system_fonts: scan the system font folders.
        fonts: mapping merged over the shipped fonts.yaml (add languages, scripts, families).
        max_retries: attempts per sample before the run fails.
        split: dataset split name.
        augment: augmentation stack: a preset name (none, light, default, scan, photo, heavy), the path of a
            stack YAML file, or a stack mapping (see synthdoc.augment.stack); "none" renders clean pages.
        mask: text mask column: "none", "ink" (8-bit, 255 on text ink) or "words" (16-bit word index + 1);
            see synthdoc.masks.
        labels: label levels to write: words, lines and paragraphs are always written; add "chars" for the
            character level (one entry per grapheme cluster; see synthdoc.render.chars).
    """

    languages: list[str] = field(default_factory=lambda: list(DEFAULT_LANGUAGES))
    pages: int = 60
    seed: int = 0
    workers: int = 1
    shard_size: int = 500
    image_format: str = "jpeg"
    jpeg_quality: int = 90
    layouts: dict[str, float] = field(default_factory=lambda: {"multi_column": 1.0})
    corpus: dict[str, str] = field(default_factory=dict)
    text_field: str = "text"
    max_documents: int = 2000
    font_dirs: list[str] = field(default_factory=list)
    system_fonts: bool = True
    fonts: dict[str, Any] = field(default_factory=dict)
    max_retries: int = 20
    split: str = "train"
    augment: Any = "none"
    mask: str = "none"
    labels: list[str] = field(default_factory=lambda: ["words", "lines", "paragraphs"])

    def validate(self, where: str = "config") -> "GenerateConfig":
        """Check types and ranges.

        Raises:
            SynthdocError: the first invalid key, named with `where`.
        """
        def bad(key: str, msg: str) -> SynthdocError:
            return SynthdocError(f"{where}: key {key!r} {msg}")

        if not isinstance(self.languages, list) or not self.languages or not all(isinstance(x, str) for x in self.languages):
            raise bad("languages", "must be a non-empty list of language codes")
        for key in ("pages", "workers", "shard_size", "max_retries", "max_documents"):
            v = getattr(self, key)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise bad(key, f"must be a positive integer, got {v!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise bad("seed", f"must be a non-negative integer, got {self.seed!r}")
        if self.image_format not in ("jpeg", "png"):
            raise bad("image_format", f"must be 'jpeg' or 'png', got {self.image_format!r}")
        if not isinstance(self.jpeg_quality, int) or not 1 <= self.jpeg_quality <= 100:
            raise bad("jpeg_quality", f"must be an integer 1-100, got {self.jpeg_quality!r}")
        if (not isinstance(self.layouts, dict) or not self.layouts
                or not all(isinstance(w, (int, float)) and w >= 0 for w in self.layouts.values())
                or sum(self.layouts.values()) <= 0):
            raise bad("layouts", "must map template names to non-negative weights, e.g. {multi_column: 1}")
        for key in ("corpus", "fonts"):
            if not isinstance(getattr(self, key), dict):
                raise bad(key, "must be a mapping")
        if not isinstance(self.font_dirs, list):
            raise bad("font_dirs", "must be a list of folders")
        if not (isinstance(self.augment, str) and self.augment) and not isinstance(self.augment, dict):
            raise bad("augment", "must be a preset name (none, light, default, scan, photo, heavy), a stack YAML "
                      "path or a stack mapping")
        if self.mask not in ("none", "ink", "words"):
            raise bad("mask", f"must be 'none', 'ink' or 'words', got {self.mask!r}")
        if not isinstance(self.labels, list) or not set(self.labels) <= {"words", "lines", "paragraphs", "chars"}:
            raise bad("labels", f"must list levels of words, lines, paragraphs, chars, got {self.labels!r}")
        return self

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
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise SynthdocError(f"cannot read {what} {p}: {e.strerror}; {fix}") from None
    except yaml.YAMLError as e:
        raise SynthdocError(f"{p}: invalid YAML ({str(e).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SynthdocError(f"{p}: a {what} file must be a YAML mapping of keys to values")
    return data


def load_config(path: str | Path) -> GenerateConfig:
    """Read a YAML config file.

    Raises:
        SynthdocError: unreadable file, invalid YAML, not a mapping, unknown key or invalid value.
    """
    return config_from_mapping(read_yaml_mapping(path, "config", "check the --config path"), str(path))
