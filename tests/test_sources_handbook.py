"""The bundled extra corpora (The Debian Administrator's Handbook, the LibreOffice Help) and the scripts that build
them."""
from __future__ import annotations

import importlib.util
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from synthdoc.resources import samples_dir
from synthdoc.text.clean import clean_paragraph
from synthdoc.text.pieces import MAX_PARAGRAPH_CHARS
from synthdoc.text.sampler import TextSampler
from synthdoc.text.sources import (
    HANDBOOK_DIR,
    HANDBOOK_LICENSE,
    LOHELP_DIR,
    LOHELP_LICENSE,
    Corpus,
    extra_documents,
    load_bundled,
    load_txt,
)

ROOT = Path(__file__).resolve().parent.parent
HANDBOOK = samples_dir() / HANDBOOK_DIR
LOHELP = samples_dir() / LOHELP_DIR

# Least body paragraphs of the bundled corpus (hand-written + handbook + LibreOffice Help) per covered language;
# the shipped build has eng 2661, jpn 6287, zho_Hans 6158, rus 5851, ell 5129, vie 4963, kor 4904, zho_Hant 4707,
# arb 1521, pes 1486, hin 740.
MIN_PARAGRAPHS = {"eng_Latn": 2600, "jpn_Jpan": 6100, "zho_Hans": 6000, "rus_Cyrl": 5700, "ell_Grek": 5000,
                  "vie_Latn": 4800, "kor_Hang": 4750, "zho_Hant": 4550, "arb_Arab": 1450, "pes_Arab": 1400,
                  "hin_Deva": 700}
HANDBOOK_LANGUAGES = sorted(set(MIN_PARAGRAPHS) - {"hin_Deva"})
LOHELP_LANGUAGES = ["ell_Grek", "hin_Deva", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "vie_Latn", "zho_Hans", "zho_Hant"]

# Independent of the build script's ICU Script property: Unicode character names.
NAME_PREFIXES = {"jpn_Jpan": ("CJK", "HIRAGANA", "KATAKANA"), "kor_Hang": ("HANGUL", "CJK"),
                 "zho_Hans": ("CJK",), "zho_Hant": ("CJK",), "rus_Cyrl": ("CYRILLIC",), "ell_Grek": ("GREEK",),
                 "arb_Arab": ("ARABIC",), "pes_Arab": ("ARABIC",), "hin_Deva": ("DEVANAGARI",)}


def _letters(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c).startswith("L")]


@pytest.mark.parametrize("code", sorted(MIN_PARAGRAPHS))
def test_bundled_source_yields_handbook_paragraphs(code):
    corpus = load_bundled(code)
    sampler = TextSampler(corpus)
    assert len(sampler.flat_paragraphs) >= MIN_PARAGRAPHS[code]
    assert (HANDBOOK_LICENSE in corpus.license) == (code in HANDBOOK_LANGUAGES)
    assert (LOHELP_LICENSE in corpus.license) == (code in LOHELP_LANGUAGES)
    hand_written = load_txt(samples_dir() / f"{code}.txt").documents
    assert corpus.documents[: len(hand_written)] == hand_written  # the hand-written sample comes first


@pytest.mark.parametrize(("folder", "code"), [(HANDBOOK_DIR, c) for c in HANDBOOK_LANGUAGES]
                         + [(LOHELP_DIR, c) for c in LOHELP_LANGUAGES])
def test_extra_corpus_lines_are_clean_and_in_the_language_script(folder, code):
    docs = extra_documents(code, folder)
    lines = [p for doc in docs for p in doc]
    assert lines and all(clean_paragraph(p) == p and len(p) <= MAX_PARAGRAPH_CHARS for p in lines)
    assert len({p for doc in docs for p in doc[1:]}) == sum(len(doc) - 1 for doc in docs)  # no duplicate paragraph
    for p in lines:
        letters = _letters(p)
        if code in NAME_PREFIXES:
            own = sum(unicodedata.name(c, "").startswith(NAME_PREFIXES[code]) for c in letters)
            assert own >= 0.5 * len(letters), p  # not mostly another script (untranslated English)
        elif code == "vie_Latn":
            assert sum(not c.isascii() for c in letters) >= 0.05 * len(letters), p  # Vietnamese, not English


@pytest.mark.parametrize("code", ["eng_Latn", "jpn_Jpan", "zho_Hant"])
def test_handbook_titles_come_through_as_titles(code):
    docs = extra_documents(code)
    sampler = TextSampler(load_bundled(code))
    titles, body = set(sampler.titles), set(sampler.flat_paragraphs)
    assert all(doc[0] in titles and doc[0] not in body for doc in docs)
    drawn = {sampler.title(np.random.default_rng(seed), max_words=12, max_chars=40, space_delimited=code == "eng_Latn")
             for seed in range(200)}
    assert drawn & {doc[0] for doc in docs}  # handbook section titles are drawn as page titles / headings


def test_handbook_notice_names_licence_source_and_version():
    notice = (HANDBOOK / "NOTICE").read_text(encoding="utf-8")
    for needle in ("The Debian Administrator's Handbook", "Raphaël Hertzog", "Roland Mas", "CC-BY-SA-3.0",
                   "debian-handbook version 11.20220922"):
        assert needle in notice
    assert {p.stem for p in HANDBOOK.glob("*.txt")} == set(HANDBOOK_LANGUAGES)


def test_lohelp_notice_names_licence_source_and_version():
    notice = (LOHELP / "NOTICE").read_text(encoding="utf-8")
    for needle in ("LibreOffice Help", "The Document Foundation", "Mozilla Public License, v. 2.0",
                   "https://mozilla.org/MPL/2.0/", "libreoffice-help-<locale>: 4:7.4.7"):
        assert needle in notice
    assert {p.stem for p in LOHELP.glob("*.txt")} == set(LOHELP_LANGUAGES)


def test_start_paragraph_is_uniform_over_paragraphs():
    docs = [["Short title", "lonely paragraph."], [f"paragraph {k}." for k in range(49)]]
    sampler = TextSampler(Corpus(name="t", license="x", documents=docs))
    rng = np.random.default_rng(0)
    starts = np.array([sampler.start_index(rng) for _ in range(5000)])
    assert abs((starts == 0).mean() - 1 / 50) < 0.01  # a uniform document would start 50 % of pages there


# --------------------------------------------------------------------------- the build script's filters


def _build_module():
    """scripts/build_handbook_corpus.py as a module (registered in sys.modules: it defines a dataclass)."""
    if "build_handbook_corpus" not in sys.modules:
        spec = importlib.util.spec_from_file_location("build_handbook_corpus",
                                                      ROOT / "scripts" / "build_handbook_corpus.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
    return sys.modules["build_handbook_corpus"]


PAGE1 = """<html><body><div class="titlepage"><h1 class="title">{chapter}</h1></div>
<div class="toc"><div class="para">A table of contents entry that is long enough to be a paragraph here.</div></div>
<div class="para">{prose}</div>
<div class="para">{english}</div>
<div class="para">{lead}<div class="itemizedlist"><ul><li><div class="para">{item}</div></li></ul></div></div>
<pre class="screen">$ apt install something-long-enough-to-count --with-options</pre>
<div class="para">{code_para}</div>
<div class="para">{short}</div>
<div class="para">{prose}</div>
<div class="sidebar"><div class="titlepage"><p class="title">TIP sidebar title</p></div><div class="para">{tip}</div></div>
<div class="footnotes"><div class="footnote"><div class="para">{footnote}</div></div></div>
<ul class="docnav"><li class="next"><a href="page2.html"><strong>Next</strong></a></li></ul>
</body></html>"""
PAGE2 = """<html><body><div class="titlepage"><h2 class="title">1.1. {untranslated}</h2></div>
<div class="para">{second}</div>
<div class="titlepage"><h2 class="title">1.2. {question}</h2></div>
<div class="para">{third}</div>
<div class="legalnotice"><div class="para">{legal}</div></div></body></html>"""
JA = dict(chapter="第 1 章 はじめに", prose="これは日本語の文章で、十分な長さを持つ段落です。テストのために書きました。",
          english="This paragraph was left untranslated in English, so it must be dropped from the corpus.",
          lead="次の項目はリストとして書かれていますが、段落の本文には含めません。", item="リストの項目の文章はここにあります。",
          code_para="設定は /etc/apt/sources.list.d/*.list と $HOME/.config/{a,b} に <書く> = 値。",
          short="短い。", tip="サイドバーの段落も節の本文として残ります。とても便利です。",
          footnote="脚注の文章は本文ではないので捨てられるべきものです。", untranslated="Untranslated Heading",
          second="二つ目のページの段落で、見出しが翻訳されていないので前の文書に続きます。",
          question="なぜですか？", third="疑問符で終わる見出しは題名にならないので、この段落も前の文書に入ります。",
          legal="著作権とライセンスの文章はコーパスに含めないで捨てられます。")


def test_build_script_filters_on_a_tiny_html_tree(tmp_path):
    build = _build_module()
    html = tmp_path / "html" / "ja-JP"
    html.mkdir(parents=True)
    (html / "index.html").write_text(PAGE1.format(**JA), encoding="utf-8")
    (html / "page2.html").write_text(PAGE2.format(**JA), encoding="utf-8")
    out = tmp_path / "out"
    build.main(["--source", str(tmp_path / "html"), "--out", str(out), "--languages", "jpn_Jpan"])
    text = (out / "jpn_Jpan.txt").read_text(encoding="utf-8")
    # one document: the chapter title without its numbering, the prose once (duplicate dropped), the lead without
    # its list, the sidebar paragraph; the untranslated and the question headings give their paragraphs to it
    assert text == "\n".join(["はじめに", JA["prose"], JA["lead"], JA["tip"], JA["second"], JA["third"]]) + "\n"
    assert "CC-BY-SA-3.0" in (out / "NOTICE").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "code", "reason"), [
    ("A perfectly ordinary English sentence that is long enough to keep.", "eng_Latn", None),
    ("Too short.", "eng_Latn", "length"),
    ("1234 5678 9012 3456 7890 1234 5678 9012 3456 7890 12345 67890", "eng_Latn", "letters"),
    ("Edit /etc/apt/sources.list and ~/.bashrc, then run $ sudo apt-get update; done.", "eng_Latn", "code"),
    ("This paragraph is English text inside the Russian translation of the book.", "rus_Cyrl", "script"),
    ("This paragraph is English text inside the Vietnamese translation of the book.", "vie_Latn", "script"),
    ("Đây là một đoạn văn tiếng Việt đủ dài để được giữ lại trong kho văn bản.", "vie_Latn", None),
    ("Это обычный русский абзац достаточной длины, чтобы его оставить.", "rus_Cyrl", None),
])
def test_build_script_reject_reasons(text, code, reason):
    build = _build_module()
    assert build.reject_reason(text, code, build.ParagraphFilter()) == reason


def test_build_script_normalises_arabic_presentation_forms_and_persian_letters():
    build = _build_module()
    assert build.normalise_letters("\ufef9", "arb_Arab") == "\u0644\u0625"  # lam-alef ligature -> lam, alef
    assert build.normalise_letters("\u0643\u062a\u0627\u0628 \u0639\u0644\u064a", "pes_Arab") == \
        "\u06a9\u062a\u0627\u0628 \u0639\u0644\u06cc"  # Arabic kaf / yeh -> Persian keheh / yeh
    assert build.normalise_letters("\u0643\u062a\u0627\u0628", "arb_Arab") == "\u0643\u062a\u0627\u0628"


# --------------------------------------------------------------------------- the LibreOffice Help build


HELP_PAGE = """<html><body><div id="DisplayArea">
<h1 id="hd_1">{title}</h1>
<p class="paragraph">{prose}</p>
<div class="howtoget"><p class="howtogetheader">{menu}</p><div class="howtogetbody"><p class="embedded">{menu}</p></div></div>
<div class="note"><div class="notetext"><p>{note}</p></div></div>
<table><tr><td><p class="paragraph">{cell}</p></td></tr></table>
<p class="paragraph">{english}</p>
<h2 id="hd_2">{heading}</h2>
<p class="paragraph">{prose2}</p>
<p class="paragraph">{prose}</p>
</div></body></html>"""
KO = dict(title="버전 관리", prose="문서의 새 버전을 저장하고 이전 버전을 열거나 비교할 수 있습니다.",
          menu="파일 - 버전을 선택합니다. 이 메뉴 경로는 본문이 아닙니다.",
          note="버전 정보가 있는 파일의 사본을 저장하면 버전 정보는 함께 저장되지 않습니다.",
          cell="표 안의 문장은 표에 속하므로 말뭉치에 넣지 않습니다.",
          english="Saves and organizes multiple versions of the current document in the same file.",
          heading="새 버전 저장", prose2="문서의 현재 상태를 새 버전으로 저장하며 설명을 입력할 수도 있습니다.")


def _lohelp_module():
    _build_module()  # build_lohelp_corpus imports build_handbook_corpus's filters
    if "build_lohelp_corpus" not in sys.modules:
        spec = importlib.util.spec_from_file_location("build_lohelp_corpus", ROOT / "scripts" / "build_lohelp_corpus.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
    return sys.modules["build_lohelp_corpus"]


def test_lohelp_build_keeps_prose_and_notes_not_menus_tables_or_english(tmp_path):
    build, handbook = _lohelp_module(), _build_module()
    text_dir = tmp_path / "ko" / "text"
    (text_dir / "shared").mkdir(parents=True)
    (text_dir / "sbasic").mkdir()
    (text_dir / "shared" / "page.html").write_text(HELP_PAGE.format(**KO), encoding="utf-8")
    (text_dir / "sbasic" / "code.html").write_text(HELP_PAGE.format(**KO), encoding="utf-8")  # Basic: skipped
    pages = build.help_pages(tmp_path / "ko")
    assert [p.name for p in pages] == ["page.html"]
    stats: dict[str, int] = {}
    docs = handbook.documents(pages, "kor_Hang", handbook.ParagraphFilter(), stats, blocks=build.page_blocks)
    assert docs == [[KO["title"], KO["prose"], KO["note"]], [KO["heading"], KO["prose2"]]]
    assert stats == {"kept": 3, "script": 1, "duplicate": 1}


def test_lohelp_spread_keeps_whole_documents_evenly():
    build = _lohelp_module()
    docs = [[f"title {i}", "a", "b"] for i in range(100)]  # 200 paragraphs
    kept = build.spread(docs, 50)
    assert len(kept) == 25 and all(len(d) == 3 for d in kept)
    indices = [docs.index(d) for d in kept]
    assert indices == sorted(indices) and max(np.diff(indices)) == 4  # every fourth document
    assert build.spread(docs, 500) == docs
