"""The generated dataset card: languages, row counts per config and split, layout and augmentation mixture,
font families with licences, text sources with licences, synthdoc version, config and seed — all taken
from what the run wrote; the completeness check used before a Hub push."""
from __future__ import annotations

import json
import re
from collections import Counter

import pyarrow.parquet as pq
import pytest
import yaml

from synthdoc import __version__
from synthdoc.api import write_dataset
from synthdoc.text.sources import BUNDLED_LICENSE, HANDBOOK_LICENSE, LOHELP_LICENSE
from synthdoc.config import GenerateConfig
from synthdoc.writers.card import SECTIONS, card_problems, card_text, font_license
from synthdoc.writers.manifest import RunManifest, ShardRecord, augment_label, augment_steps
from synthdoc.writers.storage import Storage

RUN = {"languages": ["en", "ja"], "pages": 6, "shard_size": 2, "seed": 7,
       "layouts": {"multi_column": 1, "toc": 1, "vertical": 1}}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("card") / "ds"
    write_dataset(GenerateConfig(**RUN), out)
    text = (out / "README.md").read_text(encoding="utf-8")
    rows = [r for s in sorted(out.glob("data/*/*.parquet")) for r in pq.read_table(s, columns=["lang", "layout", "meta"]).to_pylist()]
    return out, text, rows


def _section(text: str, title: str) -> str:
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _tables(section: str) -> list[list[list[str]]]:
    """The Markdown tables of a section, each as its body rows (header and rule dropped)."""
    tables, current = [], None
    for ln in section.splitlines():
        if ln.startswith("|"):
            if current is None:
                current = []
                tables.append(current)
            if not ln.startswith("|---"):
                current.append([c.strip() for c in ln.strip("|").split("|")])
        else:
            current = None
    return [t[1:] for t in tables]


def _table(section: str) -> list[list[str]]:
    (table,) = _tables(section)
    return table


def test_header_languages_and_counts(run):
    _, text, _ = run
    header = yaml.safe_load(text[4:text.index("\n---\n")])
    assert header["language"] == ["eng", "jpn"]
    info = {d["config_name"]: d["splits"] for d in header["dataset_info"]}
    assert {c: [(s["name"], s["num_examples"]) for s in v] for c, v in info.items()} == {
        "all": [("train", 6)], "eng_Latn": [("train", 3)], "jpn_Jpan": [("train", 3)]}


def test_contents_rows_per_config_and_split(run):
    out, text, _ = run
    contents = _section(text, "Contents")
    assert "Languages: eng_Latn, jpn_Jpan." in contents
    table = {r[0]: r[1:] for r in _table(contents)}
    assert table["eng_Latn"][:3] == ["3", "train", "2"]
    assert table["jpn_Jpan"][:3] == ["3", "train", "2"]
    assert table["all"][:3] == ["6", "train", "4"]
    size_mb = sum(p.stat().st_size for p in out.glob("data/*/*.parquet")) / 1e6
    assert float(table["all"][3]) == pytest.approx(size_mb, abs=0.06)


def test_layout_mixture_matches_the_rows(run):
    _, text, rows = run
    table = {r[0]: int(r[1]) for r in _table(_section(text, "Layouts"))}
    assert table == dict(Counter(r["layout"] for r in rows))
    assert sum(table.values()) == 6


def test_no_augmentation_is_stated(run):
    _, text, _ = run
    assert _section(text, "Augmentation").strip() == "None: every page is a clean rendering."


def test_fonts_with_licences_match_the_rows(run):
    _, text, rows = run
    table = {r[0]: (int(r[1]), r[2]) for r in _table(_section(text, "Fonts"))}
    faces = {f for r in rows for f in json.loads(r["meta"])["fonts"].values()}
    for face in faces:  # every face a page used belongs to a listed family
        assert any(face.startswith(fam + " ") for fam in table), face
    assert all(n <= 6 for n, _ in table.values())
    assert all(lic == font_license(fam) for fam, (_, lic) in table.items())
    assert any(fam.startswith("Noto") and lic == "OFL-1.1" for fam, (_, lic) in table.items())


def test_text_sources_with_licences(run):
    _, text, _ = run
    table = _table(_section(text, "Text sources"))
    bundled = f"{BUNDLED_LICENSE} + {HANDBOOK_LICENSE}"  # hand-written samples + The Debian Administrator's Handbook
    assert table == [["eng_Latn", "synthdoc bundled sample eng_Latn", bundled],
                     ["jpn_Jpan", "synthdoc bundled sample jpn_Jpan", f"{bundled} + {LOHELP_LICENSE}"]]


def test_version_config_and_seed_reproduce_the_run(run):
    out, text, _ = run
    block = re.search(r"```json\n(.*?)\n```", _section(text, "Reproduce"), re.S).group(1)
    data = json.loads(block)
    assert data["synthdoc_version"] == __version__ and data["seed"] == 7
    assert GenerateConfig(**{**data["config"], "workers": 1}) == GenerateConfig(**RUN)
    assert "workers" not in data["config"]  # the card does not depend on the worker count
    assert f"synthdoc {__version__}, seed 7" in text


def test_generated_card_is_complete_and_each_gap_is_found(run):
    out, text, _ = run
    manifest = RunManifest.load(Storage(out))
    assert card_problems(text, manifest) == []
    for section in SECTIONS:
        assert card_problems(text.replace(f"\n{section}\n", "\n"), manifest) == [f"no '{section}' section"]
    assert card_problems(text.replace("num_examples: 3", "num_examples: 4", 1), manifest)[0].startswith("row counts")
    assert card_problems("# no header\n", manifest) == ["no YAML header"]


def test_font_licences():
    assert font_license("Noto Serif CJK JP") == "OFL-1.1"
    assert font_license("DejaVu Sans") == "Bitstream-Vera"
    assert font_license("IPAexGothic") == "IPA"
    assert font_license("Comic Whatever").startswith("unknown")


@pytest.mark.parametrize("meta, label", [(None, "none"), ({}, "none"), ({"preset": "scan", "steps": []}, "scan"),
                                         ({"steps": [{"name": "blur"}]}, "custom"), ("photo", "photo")])
def test_augment_label(meta, label):
    assert augment_label(meta) == label


def test_augmentation_mixture_and_moscar_licence():
    """A manifest whose rows recorded augmentation presets (meta["augment"]) and an mOSCAR corpus."""
    m = RunManifest.new(GenerateConfig(languages=["ja"], pages=4, shard_size=2, seed=1).to_dict(), ["jpn_Jpan"],
                        {"jpn_Jpan": ("hf:oscar-corpus/mOSCAR:jpn_Jpan", "CC BY 4.0")})
    infos = [{"layout": "multi_column", "fonts": ["Noto Serif CJK JP"], "augment": a, "stats": {"retries": 1}}
             for a in ({"preset": "scan"}, {"preset": "scan"}, {"preset": "photo"}, None)]
    for spec, part in zip(m.shards, (infos[:2], infos[2:])):
        m.completed[spec.path] = ShardRecord.from_infos(part, "0" * 64, 1000)
    text = card_text(m)
    assert {r[0]: r[1:] for r in _table(_section(text, "Augmentation"))} == {
        "none": ["1", "25.0%"], "photo": ["1", "25.0%"], "scan": ["2", "50.0%"]}
    assert _table(_section(text, "Text sources")) == [["jpn_Jpan", "hf:oscar-corpus/mOSCAR:jpn_Jpan", "CC BY 4.0"]]
    assert _table(_section(text, "Fonts")) == [["Noto Serif CJK JP", "4", "OFL-1.1", "100.0%"]]  # share of pages
    assert "4 retried attempts" in text
    assert card_problems(text, m) == []


def test_augment_steps():
    assert augment_steps({"preset": "scan", "steps": [{"name": "Rotate", "params": {}}, {"name": "Blur"}]}) == [
        "Rotate", "Blur"]
    assert augment_steps(None) == [] and augment_steps({"preset": "x"}) == []


def test_augmented_run_card_lists_presets_and_steps(tmp_path):
    out = tmp_path / "ds"
    write_dataset(GenerateConfig(languages=["en"], pages=3, seed=1, augment="light"), out)
    text = (out / "README.md").read_text(encoding="utf-8")
    records = [json.loads(r["meta"]).get("augment") for s in out.glob("data/*/*.parquet")
               for r in pq.read_table(s, columns=["meta"]).to_pylist()]
    presets, steps = _tables(_section(text, "Augmentation"))
    assert presets == [["light", "3", "100.0%"]]
    want = Counter(name for rec in records for name in set(x["name"] for x in rec["steps"]))
    assert {r[0]: int(r[1]) for r in steps} == dict(want)
    assert card_problems(text, RunManifest.load(Storage(out))) == []
