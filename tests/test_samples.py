"""The bundled sample corpora meet the core issue's size and content requirements."""
import re
import unicodedata

import pytest

from synthdoc.resources import samples_dir
from synthdoc.text.sources import load_bundled

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]
CJK = {"jpn_Jpan", "zho_Hans", "zho_Hant"}
# Sentence ends: . ! ? followed by a space, a closing quote/bracket or the end of a paragraph; 。！？ anywhere.
SENTENCE_END = re.compile(r"[.!?](?=[\s\"”’»)]|$)|[。！？]")


@pytest.mark.parametrize("code", LANGS)
def test_sample_size_and_content(code):
    text = (samples_dir() / f"{code}.txt").read_text(encoding="utf-8")
    paragraphs = [p for doc in load_bundled(code).documents for p in doc]
    body = "".join(paragraphs)
    assert len(body) >= 8000
    assert sum(len(SENTENCE_END.findall(p)) for p in paragraphs) >= 150
    assert len(text.split("\n\n")) >= 12  # varied topics: many short documents
    assert unicodedata.is_normalized("NFC", text)
    assert re.search(r"\d", body) and re.search(r"[(（]", body)  # numbers and brackets
    assert re.search(r"[“”«»「」『』\"]", body)  # quotes
    assert re.search(r"\d{4}", body)  # years / dates
    if code in CJK:
        assert re.search(r"[A-Za-z]{2,}", body)  # embedded Latin words
