"""Character coverage: target sets, the deterministic schedule, steered pages, replay, worker-count determinism and
the card's figures."""
from __future__ import annotations

import json
import unicodedata
from collections import Counter

import pytest

import synthdoc.config as config_module
from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.text.coverage import build_schedule, char_counts, coverage_report, named_set, target_set
from synthdoc.text.sources import load_bundled

RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def test_named_sets_have_the_standard_sizes():
    jis = named_set("jis0208")
    assert len(jis) == 6878  # JIS X 0208:1997: 6,355 kanji + 524 non-kanji, less the ideographic space
    assert {"亜", "熙", "ア", "あ", "─"} <= set(jis) and "\u3094" not in jis  # ゔ is JIS X 0213, not 0208
    hangul = named_set("ksx1001")
    assert len(hangul) == 2350 and all("HANGUL SYLLABLE" in unicodedata.name(c) for c in hangul)
    assert "가" in hangul and "똠" not in hangul  # 똠 is the classic syllable KS X 1001 lacks
    gb = named_set("gb2312")
    assert len(gb) == 3755 and gb[0] >= "\u4e00" and "啊" in gb and "亍" not in gb  # 亍 is level 2
    assert len(named_set("big5")) == 5401


def test_exemplar_set_and_user_file(tmp_path):
    assert set(named_set("exemplar", "ru")) == set(RUSSIAN) | set(RUSSIAN.upper())
    f = tmp_path / "chars.txt"
    f.write_text("ab c\nb\n", encoding="utf-8")
    assert target_set(str(f)) == ["a", "b", "c"]
    with pytest.raises(SynthdocError, match="neither a set name"):
        target_set("jis0209")


def test_schedule_is_pure_and_schedules_every_missing_character_k_plus_margin_times():
    target = named_set("ksx1001")[:300]
    flat = load_bundled("kor_Hang").documents[0]
    args = (target, flat, 500, 3, 7, lambda c: c != target[0])
    a, b = build_schedule(*args, margin=2), build_schedule(*args, margin=2)
    assert a.words == b.words and a.starts == b.starts
    assert a.uncoverable == [target[0]] and target[0] not in "".join(w for ws in a.words.values() for w in ws)
    drawn = Counter("".join(w for ws in a.words.values() for w in ws))
    corpus = char_counts("".join(flat))
    missing = [c for c in target[1:] if corpus[c] == 0]
    assert missing and all(drawn[c] == 5 for c in missing)
    assert build_schedule(*args[:4], 8, args[5], margin=2).words != a.words  # another seed, another order


def _layout_counts(cfg: GenerateConfig) -> tuple[Counter, list]:
    from synthdoc.pipeline import SampleFactory

    factory = SampleFactory(cfg)
    counts: Counter = Counter()
    pages = []
    for index in range(cfg.pages):
        page = factory.layout_retrying(index)[0]
        counts.update(char_counts(page.text))
        pages.append(page)
    return counts, pages


@pytest.mark.real_defaults
def test_small_target_is_covered_k_times_in_n_pages_of_every_mode(tmp_path):
    """40 KS X 1001 syllables the bundled Korean corpus never uses, K = 2, 40 pages of the whole layout mixture."""
    corpus = char_counts("".join(p for d in load_bundled("kor_Hang").documents for p in d))
    rare = [c for c in named_set("ksx1001") if corpus[c] == 0][::40][:40]
    f = tmp_path / "target.txt"
    f.write_text("".join(rare), encoding="utf-8")
    base = dict(languages=["ko"], pages=40, seed=3, augment="none", layouts=dict(config_module.default_mixture()["layouts"]))
    on, pages = _layout_counts(GenerateConfig(**base, coverage=str(f), coverage_min=2).validate())
    assert len({p.layout for p in pages}) >= 4
    assert min(on[c] for c in rare) >= 2, {c: on[c] for c in rare if on[c] < 2}
    off, _ = _layout_counts(GenerateConfig(**base).validate())
    assert sum(off[c] for c in rare) == 0  # without steering the corpus never shows them
    assert all(p.meta["coverage"]["words"] is not None for p in pages)


def test_steered_page_replays_from_its_meta():
    from synthdoc.pipeline import SampleFactory, sample_meta_json

    cfg = GenerateConfig(languages=["ja"], pages=4, seed=1, augment="none", coverage="jis0208").validate()
    factory = SampleFactory(cfg)
    sample = factory.make(2)
    words = sample.meta["coverage"]["words"]
    text = "".join(sample.page.text.split())
    assert words and any(w in text for w in words)
    page = factory.replay_layout("ja", json.loads(sample_meta_json(sample)))
    assert page.text == sample.page.text
    assert [w.quad.tolist() for w in page.words] == [w.quad.tolist() for w in sample.page.words]


def test_coverage_report_figures():
    r = coverage_report(Counter({"a": 5, "b": 1, " ": 9}), ["a", "b", "c"], 2)
    assert (r["target"], r["covered"], r["at_least_k"], r["min"], r["missing"]) == (3, 2, 1, 0, "bc")


def test_config_and_cli_errors(synthdoc_cli, tmp_path):
    with pytest.raises(SynthdocError, match="coverage_min"):
        GenerateConfig(coverage_min=0).validate()
    r = synthdoc_cli(["generate", "--out", tmp_path / "o", "--pages", "1", "--coverage", "jis0209"], tmp_path)
    assert r.returncode == 2 and r.stderr.strip().startswith("synthdoc: error: coverage 'jis0209' is neither")
    assert "Traceback" not in r.stderr


@pytest.mark.slow
def test_one_and_two_workers_write_the_same_bytes_with_coverage_on(tmp_path):
    from synthdoc.api import write_dataset

    def run(workers: int) -> tuple[dict, str]:
        out = tmp_path / f"w{workers}"
        cfg = GenerateConfig(languages=["ko", "ja"], pages=8, seed=5, workers=workers, shard_size=2,
                             augment="none", layouts={"multi_column": 1, "slide": 1}, coverage="ksx1001",
                             coverage_min=2)
        write_dataset(cfg, out)
        manifest = json.loads((out / "synthdoc-manifest.json").read_text())
        return {p: r["sha256"] for p, r in manifest["completed"].items()}, (out / "README.md").read_text()

    one, card = run(1)
    two, card2 = run(2)
    assert one == two and len(one) == 4
    assert card == card2
    assert "## Characters" in card and "Coverage target `ksx1001`" in card
    section = card[card.index("## Characters"):]
    row = next(line for line in section.splitlines() if line.startswith("| kor_Hang |"))
    assert row.split("|")[4].strip() == "2350"


def test_rare_corpus_characters_get_passages_that_start_pages():
    """A character the corpus holds once in 400 paragraphs is not expected K + margin times in 100 pages: the
    schedule starts PASSAGE_COPIES x (K + margin) pages at the paragraph holding it instead of inserting it."""
    from synthdoc.text.coverage import SteeredSampler
    from synthdoc.text.sampler import TextSampler
    from synthdoc.text.sources import Corpus

    import numpy as np

    base = TextSampler(Corpus("t", "x", [["abc abc."] * 200 + ["abc xyz."] + ["abc abc."] * 199]))
    flat = base.flat_paragraphs
    sched = build_schedule(["a", "x", "q"], flat, 100, 2, 0, lambda c: True, margin=1)
    assert sorted(sched.starts.values()) == [200] * 6 and len(sched.starts) == 6  # PASSAGE_COPIES x (K + margin)
    assert "".join(w for ws in sched.words.values() for w in ws) == "qqq"  # absent from the corpus: inserted

    j = next(iter(sched.starts))
    view = SteeredSampler(base, sched.words.get(j, []), sched.starts[j])
    start = view.start_index(np.random.default_rng(0))
    run = [view.flat_paragraphs[start + k] for k in range(4)]
    assert "abc xyz." in run[:2]
