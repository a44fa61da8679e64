"""synthdoc.config: defaults, round trips through a mapping and YAML, and one-line errors naming file and key."""
from __future__ import annotations

import dataclasses

import pytest
import yaml

from synthdoc.config import (DEFAULT_LANGUAGES, GenerateConfig, config_from_mapping, load_config,
                             read_yaml_mapping)
from synthdoc.errors import SynthdocError


def test_defaults_are_valid_and_round_trip():
    cfg = GenerateConfig()
    assert cfg.validate() is cfg
    assert cfg.languages == list(DEFAULT_LANGUAGES) and cfg.augment == "none"
    assert config_from_mapping(cfg.to_dict()) == cfg
    custom = dataclasses.replace(cfg, languages=["en", "ja"], pages=3, seed=9, layouts={"toc": 2, "slide": 1},
                                 augment={"steps": [{"Jpeg": {}}]})
    assert config_from_mapping(custom.to_dict()) == custom


def test_yaml_file_round_trip(tmp_path):
    path = tmp_path / "run.yaml"
    data = {"languages": ["ko", "ru"], "pages": 4, "seed": 2, "image_format": "png", "augment": "light"}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    cfg = load_config(path)
    assert {k: getattr(cfg, k) for k in data} == data
    assert cfg.shard_size == GenerateConfig().shard_size  # keys not in the file keep their defaults
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    assert load_config(tmp_path / "empty.yaml") == GenerateConfig()


@pytest.mark.parametrize("key,value,message", [
    ("pages", 0, "key 'pages' must be a positive integer, got 0"),
    ("workers", True, "key 'workers' must be a positive integer, got True"),
    ("seed", -1, "key 'seed' must be a non-negative integer"),
    ("image_format", "gif", "key 'image_format' must be 'jpeg' or 'png'"),
    ("jpeg_quality", 101, "key 'jpeg_quality' must be an integer 1-100"),
    ("languages", [], "key 'languages' must be a non-empty list"),
    ("layouts", {"toc": -1}, "key 'layouts' must map template names to finite non-negative weights"),
    ("corpus", ["a"], "key 'corpus' must map language codes"),
    ("font_dirs", "fonts", "key 'font_dirs' must be a list of folder paths"),
    ("augment", "", "key 'augment' must be a preset name"),
])
def test_invalid_values_name_the_source_and_key(key, value, message):
    with pytest.raises(SynthdocError) as e:
        config_from_mapping({key: value}, "my.yaml")
    assert str(e.value).startswith("my.yaml: ") and message in str(e.value) and "\n" not in str(e.value)


def test_unknown_key_lists_the_valid_ones():
    with pytest.raises(SynthdocError, match=r"cfg: unknown key 'page'; valid keys: .*\bpages\b"):
        config_from_mapping({"page": 3}, "cfg")


def test_yaml_reader_errors_are_one_line(tmp_path):
    with pytest.raises(SynthdocError, match="cannot read config .*missing.yaml.*; check the --config path"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("pages: [1,\n", encoding="utf-8")
    with pytest.raises(SynthdocError, match="bad.yaml: invalid YAML"):
        load_config(bad)
    seq = tmp_path / "seq.yaml"
    seq.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(SynthdocError, match="a layout template file must be a YAML mapping"):
        read_yaml_mapping(seq, "layout template", "check the path")
