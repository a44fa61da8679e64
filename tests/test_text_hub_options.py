"""Hugging Face corpus reader: skip, seeded shuffle buffer and quality filters, on a local dataset read through
``datasets.load_dataset`` in streaming mode (the same code path as the Hub, no network)."""
from __future__ import annotations

import pytest

from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.text.quality import QualityFilter, filter_documents, is_boilerplate
from synthdoc.text.sources import HubOptions, _buffer_shuffle, load_hf

GOOD = "The river runs past the old mill and turns north towards the hills before the town."


@pytest.fixture(scope="module")
def parquet_loader(tmp_path_factory):
    """A ``load_dataset`` that streams a local Parquet file written by ``datasets.Dataset.to_parquet``: 30 rows,
    row i = "doc i" plus a sentence, a shared footer, and (rows 0-2) boilerplate."""
    import datasets

    rows = []
    for i in range(30):
        paras = [f"Document {i:02d}: {GOOD}", "Home | News | Sport | Weather | Contact", "© 2024 Example Media"]
        if i < 3:
            paras += ["We use cookies to improve your experience. Accept all", "12 345 678 / 90 %", "OK"]
        rows.append("\n".join(paras))
    path = tmp_path_factory.mktemp("hub") / "train.parquet"
    datasets.Dataset.from_dict({"text": rows, "id": list(range(30))}).to_parquet(str(path))

    def load(name, config, split="train", streaming=True, token=None):
        assert streaming
        return datasets.load_dataset("parquet", data_files={"train": str(path)}, split=split, streaming=True)
    return load


def _first_ids(corpus) -> list[int]:
    return [int(doc[0].split(":")[0].split()[1]) for doc in corpus.documents]


def test_skip_starts_after_the_skipped_rows(parquet_loader):
    c = load_hf("local/news", None, max_documents=5, load_dataset=parquet_loader, options=HubOptions(skip=7))
    assert _first_ids(c) == [7, 8, 9, 10, 11]


def test_shuffle_buffer_is_seeded(parquet_loader):
    def ids(seed, n=30):
        return _first_ids(load_hf("local/news", None, max_documents=n, load_dataset=parquet_loader,
                                  options=HubOptions(shuffle_buffer=10, seed=seed)))

    a, b, c = ids(1), ids(1), ids(2)
    assert a == b and a != c and a != list(range(30))
    assert sorted(a) == list(range(30))  # a permutation: nothing lost or repeated
    assert max(a[:5]) < 15  # a buffer of 10 rows: the first rows out come from near the start


def test_quality_filter_drops_boilerplate_menus_short_numeric_and_repeated_lines(parquet_loader):
    plain = load_hf("local/news", None, max_documents=30, load_dataset=parquet_loader)
    assert "Home | News | Sport | Weather | Contact" in plain.documents[0]
    c = load_hf("local/news", None, max_documents=30, load_dataset=parquet_loader,
                options=HubOptions(quality=QualityFilter.from_config("default")))
    assert [d for d in c.documents] == [[f"Document {i:02d}: {GOOD}"] for i in range(30)]


def test_each_rule_on_its_own():
    docs = [["short", GOOD, "1 2 3 4 5 6 7 8 9 10 11 12 13"], [GOOD, "Footer line that repeats on every page"]] + \
           [["Footer line that repeats on every page"]] * 3
    assert filter_documents(docs, QualityFilter(min_chars=6))[0][0] == ["short", GOOD, "1 2 3 4 5 6 7 8 9 10 11 12 13"]
    assert filter_documents([[GOOD, "short"]], QualityFilter(min_chars=6))[0] == [[GOOD]]  # only a first one is a title
    assert filter_documents(docs, QualityFilter(min_letter_frac=0.5))[0][0] == ["short", GOOD]
    kept, dropped = filter_documents(docs, QualityFilter(max_repeats=3))
    assert kept == [docs[0], [GOOD]] and dropped == 4
    assert filter_documents(docs, QualityFilter()) == (docs, 0)
    for text in ("쿠키 사용에 동의하십니까?", "Все права защищены.", "版权所有 © 2020", "ホーム › ニュース › 天気 › お問い合わせ",
                 "Skip to main content"):
        assert is_boilerplate(text), text
    for text in (GOOD, "東京の北を流れる川は冬になると凍る。", "Он вошёл в дом и сел у окна."):
        assert not is_boilerplate(text), text


def test_plain_iterable_buffer_shuffle_is_a_seeded_permutation():
    a = list(_buffer_shuffle(range(50), 8, seed=3))
    assert a == list(_buffer_shuffle(range(50), 8, seed=3)) and sorted(a) == list(range(50)) and a != list(range(50))


def test_config_keys_are_checked():
    GenerateConfig(corpus_skip=5, corpus_shuffle=100, corpus_filter={"min_chars": 20}).validate()
    with pytest.raises(SynthdocError, match="corpus_skip"):
        GenerateConfig(corpus_skip=-1).validate()
    with pytest.raises(SynthdocError, match="unknown key 'min_len'"):
        GenerateConfig(corpus_filter={"min_len": 3}).validate()
    with pytest.raises(SynthdocError, match="min_letter_frac in"):
        GenerateConfig(corpus_filter={"min_letter_frac": 2}).validate()
