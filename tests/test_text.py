"""Tests for synthdoc.text: cleaning, corpus loaders (txt, JSON lines, Parquet, mOSCAR, Hub), sampling."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthdoc.errors import SynthdocError
from synthdoc.resources import samples_dir
from synthdoc.text import (
    Corpus,
    TextSampler,
    clean_paragraph,
    clean_text,
    load_bundled,
    load_hf,
    load_jsonl,
    load_parquet,
    load_path,
    load_txt,
    moscar_document,
    resolve_corpus,
)
from synthdoc.text import sources

# --------------------------------------------------------------------------- clean_text


def test_clean_nfc_composes():
    assert clean_text("Caf\u0065\u0301") == "Caf\u00e9"
    # a removed format character between base and mark does not block composition
    assert clean_text("e\u200b\u0301") == "\u00e9"


def test_clean_removes_control_and_format_chars():
    assert clean_text("a\x00b\x07c\x1bd") == "abcd"
    assert clean_text("\ufeffsoft\u00adhy\u200bphen\u202e") == "softhyphen"
    assert clean_text("pua\ue000 x\ufffd\ufdd0\U0010ffff") == "pua x"


def test_clean_keeps_zwj_and_zwnj():
    text = "\u0915\u094d\u200d\u0937 \u0645\u200c\u06cc"
    assert clean_text(text) == text


def test_clean_spaces_and_newlines():
    assert clean_text("a\u00a0b\u2009c\u202fd") == "a b c d"
    assert clean_text("a\tb    c") == "a b c"
    assert clean_text("  lead and trail  \n  next ") == "lead and trail\nnext"
    assert clean_text("x\r\ny\rz\u2028w\u2029v") == "x\ny\nz\nw\nv"
    assert clean_text("p1\n\n\n\n  \n\np2\n\n") == "p1\n\np2"
    assert clean_text("\u3000日本\u3000語\u3000") == "日本\u3000語"
    assert clean_text(" \x00\u200b ") == ""


def test_clean_paragraph_joins_lines():
    assert clean_paragraph("one\ntwo  \n\n three") == "one two three"
    assert clean_paragraph("一\n二", sep="") == "一二"


# --------------------------------------------------------------------------- local loaders


def test_load_txt(tmp_path: Path):
    f = tmp_path / "c.txt"
    f.write_text("Title one\nPara  a.\n\n\n\nTitle two\r\nPara b.\nPara c.\n \n", encoding="utf-8")
    c = load_txt(f)
    assert c.documents == [["Title one", "Para a."], ["Title two", "Para b.", "Para c."]]
    assert c.num_paragraphs() == 5
    assert c.license == "unknown (local file)"


def test_load_txt_invalid_utf8(tmp_path: Path):
    f = tmp_path / "bad.txt"
    f.write_bytes(b"ok\n\xff\xfe broken")
    with pytest.raises(SynthdocError) as e:
        load_txt(f)
    assert "UTF-8" in str(e.value) and str(f) in str(e.value)


def test_load_txt_empty_after_cleaning(tmp_path: Path):
    f = tmp_path / "empty.txt"
    f.write_text(" \n\u200b\n\n", encoding="utf-8")
    with pytest.raises(SynthdocError, match="no text"):
        load_txt(f)


def test_missing_file_error_is_one_line(tmp_path: Path):
    missing = tmp_path / "nope.txt"
    for loader in (load_txt, load_jsonl, load_parquet, load_path):
        with pytest.raises(SynthdocError) as e:
            loader(missing)
        msg = str(e.value)
        assert "\n" not in msg and str(missing) in msg and "No such file" in msg


def test_load_jsonl_string_and_list_fields(tmp_path: Path):
    f = tmp_path / "c.jsonl"
    rows = [
        {"text": "First doc\n\nline two\n", "id": 1},
        {"id": 2},  # no field: skipped
        {"text": ["  para  one ", "", "para two"]},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    c = load_jsonl(f)
    assert c.documents == [["First doc", "line two"], ["para one", "para two"]]


def test_load_jsonl_custom_field_and_max_documents(tmp_path: Path):
    f = tmp_path / "c.jsonl"
    f.write_text("\n".join(json.dumps({"body": f"doc {i}"}) for i in range(5)), encoding="utf-8")
    assert load_jsonl(f, text_field="body", max_documents=2).documents == [["doc 0"], ["doc 1"]]


def test_load_jsonl_bad_line_names_line_number(tmp_path: Path):
    f = tmp_path / "c.jsonl"
    f.write_text('{"text": "ok"}\n\n{"text": broken}\n', encoding="utf-8")
    with pytest.raises(SynthdocError) as e:
        load_jsonl(f)
    msg = str(e.value)
    assert "line 3" in msg and str(f) in msg and "\n" not in msg


def test_load_jsonl_missing_field_lists_keys(tmp_path: Path):
    f = tmp_path / "c.jsonl"
    f.write_text('{"content": "x", "id": 1}\n{"content": "y", "id": 2}\n', encoding="utf-8")
    with pytest.raises(SynthdocError) as e:
        load_jsonl(f)
    msg = str(e.value)
    assert "'text'" in msg and "content" in msg and "id" in msg


def test_load_json_array(tmp_path: Path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps([{"text": "a"}, {"text": "b"}]), encoding="utf-8")
    assert load_path(f).documents == [["a"], ["b"]]


def test_load_parquet_plain(tmp_path: Path):
    f = tmp_path / "c.parquet"
    pq.write_table(pa.table({"text": ["Doc one\npara two", None, "Doc three"], "n": [1, 2, 3]}), f)
    c = load_parquet(f)
    assert c.documents == [["Doc one", "para two"], ["Doc three"]]
    g = tmp_path / "lists.parquet"
    pq.write_table(pa.table({"paras": [["a", "b"], ["c"]]}), g)
    assert load_parquet(g, text_field="paras").documents == [["a", "b"], ["c"]]


def test_load_parquet_missing_column(tmp_path: Path):
    f = tmp_path / "c.parquet"
    pq.write_table(pa.table({"body": ["x"]}), f)
    with pytest.raises(SynthdocError, match="body"):
        load_parquet(f)


def test_load_parquet_not_parquet(tmp_path: Path):
    f = tmp_path / "c.parquet"
    f.write_text("not parquet", encoding="utf-8")
    with pytest.raises(SynthdocError) as e:
        load_parquet(f)
    assert str(f) in str(e.value) and "\n" not in str(e.value)


def test_load_path_folder_recursive_sorted(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Z doc", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": "A doc"}), encoding="utf-8")
    pq.write_table(pa.table({"text": ["P doc"]}), tmp_path / "b" / "p.parquet")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    c = load_path(tmp_path)
    assert c.documents == [["A doc"], ["P doc"], ["Z doc"]]
    assert c.name == str(tmp_path)


def test_load_path_empty_folder(tmp_path: Path):
    with pytest.raises(SynthdocError, match="no .txt"):
        load_path(tmp_path)


def test_load_path_unknown_extension(tmp_path: Path):
    f = tmp_path / "c.csv"
    f.write_text("a,b", encoding="utf-8")
    with pytest.raises(SynthdocError) as e:
        load_path(f)
    msg = str(e.value)
    assert ".csv" in msg and ".txt" in msg and ".jsonl" in msg and ".parquet" in msg


# --------------------------------------------------------------------------- mOSCAR

MOSCAR_ROWS = [
    {
        # stored out of order; node_order gives the page order, with an image node in between
        "text": [
            {"text": "Second paragraph.", "text_idx": "txt_#000001"},
            {"text": "Page title", "text_idx": "txt_#000000"},
            {"text": "Third\n\n paragraph,  split\nin two.", "text_idx": "txt_#000002"},
        ],
        "images": [{"img_idx": "img_#000003", "sha512": "ab" * 64, "url": "https://example.org/a.jpg"}],
        "metadata": [
            {"node_order": "txt_#000000|img_#000003|txt_#000001|txt_#000002", "url": "https://example.org/a"}
        ],
    },
    {
        "text": [
            {"text": "B last", "text_idx": "txt_#000001"},
            {"text": "B first", "text_idx": "txt_#000000"},
            {"text": " \u200b ", "text_idx": "txt_#000002"},
        ],
        "images": [],
        "metadata": [{"node_order": "img_#000005|txt_#000000|txt_#000002|txt_#000001", "url": "https://example.org/b"}],
    },
]
MOSCAR_EXPECTED = [
    ["Page title", "Second paragraph.", "Third", "paragraph, split", "in two."],
    ["B first", "B last"],
]


def _write_moscar(path: Path) -> None:
    text_t = pa.list_(pa.struct([("text", pa.string()), ("text_idx", pa.string())]))
    img_t = pa.list_(pa.struct([("img_idx", pa.string()), ("sha512", pa.string()), ("url", pa.string())]))
    meta_t = pa.list_(pa.struct([("node_order", pa.string()), ("url", pa.string())]))
    schema = pa.schema([("text", text_t), ("images", img_t), ("metadata", meta_t)])
    pq.write_table(pa.Table.from_pylist(MOSCAR_ROWS, schema=schema), path)


def test_moscar_document_order_and_fallbacks():
    assert moscar_document(MOSCAR_ROWS[0]) == MOSCAR_EXPECTED[0]
    # metadata as a single struct
    row = dict(MOSCAR_ROWS[1], metadata=MOSCAR_ROWS[1]["metadata"][0])
    assert moscar_document(row) == MOSCAR_EXPECTED[1]
    # no node_order: text list order
    assert moscar_document({"text": MOSCAR_ROWS[1]["text"]}) == ["B last", "B first"]
    # datasets' struct-of-lists encoding
    cols = {"text": ["y", "x"], "text_idx": ["txt_#000001", "txt_#000000"]}
    assert moscar_document({"text": cols, "metadata": {"node_order": ["txt_#000000|txt_#000001"]}}) == ["x", "y"]


def test_moscar_parquet(tmp_path: Path):
    f = tmp_path / "00000.parquet"
    _write_moscar(f)
    c = load_parquet(f)
    assert c.documents == MOSCAR_EXPECTED
    assert c.license == "CC BY 4.0"
    assert load_path(f).documents == MOSCAR_EXPECTED


def test_moscar_hf_with_fake_load_dataset(tmp_path: Path):
    f = tmp_path / "00000.parquet"
    _write_moscar(f)
    rows = pq.read_table(f).to_pylist()
    calls = []

    def fake_load_dataset(name, config, split, streaming, token):
        calls.append((name, config, split, streaming, token))
        return iter(rows)

    c = load_hf("oscar-corpus/mOSCAR", "eng_Latn", load_dataset=fake_load_dataset)
    assert c.documents == MOSCAR_EXPECTED
    assert c.license == "CC BY 4.0"
    assert c.name == "hf:oscar-corpus/mOSCAR:eng_Latn"
    assert calls == [("oscar-corpus/mOSCAR", "eng_Latn", "train", True, None)]
    # detected by row shape under another name, and max_documents respected
    c2 = load_hf("someone/mirror", None, max_documents=1, load_dataset=lambda *a, **k: iter(rows))
    assert c2.documents == MOSCAR_EXPECTED[:1]


def test_hf_plain_text_field():
    rows = [{"content": "a\nb"}, {"content": "c"}]
    c = load_hf("o/n", None, text_field="content", load_dataset=lambda *a, **k: rows)
    assert c.documents == [["a", "b"], ["c"]]
    with pytest.raises(SynthdocError, match="content"):
        load_hf("o/n", None, load_dataset=lambda *a, **k: rows)


def test_hf_errors_are_wrapped_without_token():
    secret = "hf_abcdefghijklmnopqrstuvwxyz123456"

    def gated(*args, **kwargs):
        raise ConnectionError(f"401 Client Error for token {secret}\nDataset is gated")

    with pytest.raises(SynthdocError) as e:
        load_hf("oscar-corpus/mOSCAR", "eng_Latn", token=secret, load_dataset=gated)
    msg = str(e.value)
    assert "\n" not in msg and secret not in msg
    assert "oscar-corpus/mOSCAR" in msg and "huggingface-cli login" in msg and "HF_TOKEN" in msg

    def fails_while_streaming(*args, **kwargs):
        yield {"text": "ok"}
        raise TimeoutError("read timed out")

    with pytest.raises(SynthdocError, match="read timed out"):
        load_hf("o/n", None, load_dataset=fails_while_streaming)


# --------------------------------------------------------------------------- resolve_corpus


def test_resolve_corpus_local(tmp_path: Path):
    f = tmp_path / "c.txt"
    f.write_text("hello", encoding="utf-8")
    assert resolve_corpus(str(f), "eng_Latn").documents == [["hello"]]
    assert resolve_corpus(str(tmp_path), "eng_Latn").documents == [["hello"]]


def test_resolve_corpus_hf_dispatch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    calls = []

    def fake_load_hf(name, config, **kwargs):
        calls.append((name, config, kwargs.get("max_documents")))
        return Corpus(name=name, license="x", documents=[["t"]])

    monkeypatch.setattr(sources, "load_hf", fake_load_hf)
    resolve_corpus("oscar-corpus/mOSCAR", "jpn_Jpan", max_documents=7)
    resolve_corpus("hf:oscar-corpus/mOSCAR:kor_Hang", "jpn_Jpan")
    resolve_corpus("owner/other", "jpn_Jpan")
    resolve_corpus("owner/other:cfg", "jpn_Jpan")
    resolve_corpus("hf:wikitext:raw", "eng_Latn")
    assert calls == [
        ("oscar-corpus/mOSCAR", "jpn_Jpan", 7),
        ("oscar-corpus/mOSCAR", "kor_Hang", 2000),
        ("owner/other", None, 2000),
        ("owner/other", "cfg", 2000),
        ("wikitext", "raw", 2000),
    ]


def test_resolve_corpus_neither(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SynthdocError, match="neither an existing file/folder nor a Hugging Face dataset"):
        resolve_corpus("./not here", "eng_Latn")
    with pytest.raises(SynthdocError, match="No such file"):
        resolve_corpus("corpora/eng.txt", "eng_Latn")


# --------------------------------------------------------------------------- bundled samples


def test_load_bundled_unknown_language():
    with pytest.raises(SynthdocError) as e:
        load_bundled("xxx_Zzzz")
    assert "xxx_Zzzz" in str(e.value) and "--corpus" in str(e.value)


@pytest.mark.parametrize("code", sorted(p.stem for p in samples_dir().glob("*.txt")))
def test_load_bundled(code: str):
    c = load_bundled(code)
    assert c.documents and c.num_paragraphs() > 0
    extras = [lic for folder, lic in sources.BUNDLED_EXTRAS if (samples_dir() / folder / f"{code}.txt").is_file()]
    assert c.license == " + ".join(["Apache-2.0 (synthdoc samples)", *extras])
    assert all(p and "\n" not in p for doc in c.documents for p in doc)


# --------------------------------------------------------------------------- sampler


def _corpus() -> Corpus:
    docs = [[f"d{d} p{p} word word word." for p in range(n)] for d, n in enumerate([3, 1, 5, 2, 4])]
    return Corpus(name="test", license="x", documents=docs)


def _take(it, n):
    return [next(it) for _ in range(n)]


def test_sampler_deterministic():
    s = TextSampler(_corpus())
    a = _take(s.paragraphs(np.random.default_rng(5)), 20)
    b = _take(s.paragraphs(np.random.default_rng(5)), 20)
    assert a == b
    starts = {next(s.paragraphs(np.random.default_rng(seed))) for seed in range(30)}
    assert len(starts) > 5


def test_sampler_draws_eagerly():
    s = TextSampler(_corpus())
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    it = s.paragraphs(r1)
    s.paragraphs(r2)
    assert r1.integers(1 << 30) == r2.integers(1 << 30)  # same draws, whether or not iterated
    assert next(it)


def test_sampler_contiguous_with_wraparound():
    s = TextSampler(_corpus())
    flat = s.flat_paragraphs
    n = len(flat)
    for seed in range(20):
        run = _take(s.paragraphs(np.random.default_rng(seed)), n + 3)
        i0 = flat.index(run[0])
        assert run == [flat[(i0 + k) % n] for k in range(n + 3)]


def test_sampler_empty_corpus():
    with pytest.raises(SynthdocError):
        TextSampler(Corpus(name="e", license="x", documents=[]))


def test_title_short_nonempty_deterministic():
    docs = [
        ["The quick brown fox jumps over the lazy dog again and again.", "Hello, world and more"],
        ["... !!", "“Quoted start of a sentence here”"],
    ]
    s = TextSampler(Corpus(name="t", license="x", documents=docs))
    for seed in range(50):
        t = s.title(np.random.default_rng(seed), max_words=5)
        assert t and "\n" not in t and len(t.split()) <= 5
        assert t[-1] not in ".,;:!?”" and t[0] not in "“."
        assert t == s.title(np.random.default_rng(seed), max_words=5)
    assert s.title(np.random.default_rng(0), max_words=2) in {"The quick", "Hello", "Quoted start"}


def test_title_cjk():
    docs = [["日本語の文章です。次の文が続きます。", "短い、文"], ["中文段落内容很长很长很长很长很长很长很长很长"]]
    s = TextSampler(Corpus(name="t", license="x", documents=docs))
    for seed in range(50):
        t = s.title(np.random.default_rng(seed), max_chars=12, space_delimited=False)
        assert 2 <= len(t) <= 12
        assert "。" not in t and t[-1] not in "、" and t[0] not in "、"  # a sentence, clause or phrase


def test_title_only_punctuation_falls_back():
    s = TextSampler(Corpus(name="t", license="x", documents=[["... !!"]]))
    assert s.title(np.random.default_rng(0)) == "..."


def test_strip_punctuation_edges_only():
    from synthdoc.text import strip_punctuation

    assert strip_punctuation(" «Привет, мир!» ") == "Привет, мир"
    assert strip_punctuation("「日本語」。") == "日本語"
    assert strip_punctuation("...") == ""
    assert strip_punctuation("e.g. x") == "e.g. x"
