"""NED normalisation and the character error rate (synthdoc.ocr.metrics).

NED = Levenshtein(a, b) / max(len(a), len(b)) after NFKC, with whitespace removed for Chinese and Japanese and
collapsed elsewhere; CER = Levenshtein(a, b) / len(a) (a = label).
"""
from __future__ import annotations

import pytest

from synthdoc.ocr.metrics import cer, edit_counts, ned, normalise


@pytest.mark.parametrize("text, lang, expected", [
    ("ﬁne ﬂow", "eng_Latn", "fine flow"),                    # NFKC unfolds ligatures
    ("Ｈｅｌｌｏ，　ｗｏｒｌｄ！", "eng_Latn", "Hello, world!"),  # full-width forms and ideographic space
    ("灯台\u3000守の 日誌", "jpn_Jpan", "灯台守の日誌"),          # ideographic and ASCII spaces removed in CJK
    ("台风，来了", "zho_Hans", "台风,来了"),                    # full-width comma folds to ASCII
    ("颱\t風\n", "zho_Hant", "颱風"),
    ("인공  지능\u00a0연구", "kor_Hang", "인공 지능 연구"),       # Korean keeps (collapsed) spaces
    ("  два\tслова ", "rus_Cyrl", "два слова"),
    ("ｶﾞｲﾄﾞ", "jpn_Jpan", "ガイド"),                            # half-width katakana with voicing marks
    ("x²", "eng_Latn", "x2"),
])
def test_normalise(text, lang, expected):
    assert normalise(text, lang) == expected


def test_what_normalisation_keeps():
    # curly quotes, dashes and case are not folded: they are what was drawn
    assert normalise("“Now” — ok", "eng_Latn") == "“Now” — ok"
    assert ned("Keeper’s", "Keeper's", "eng_Latn") == pytest.approx(1 / 8)
    assert ned("Dog", "dog", "eng_Latn") == pytest.approx(1 / 3)


def test_ned_divides_by_the_longer_string():
    assert ned("abc", "abcdef", "eng_Latn") == pytest.approx(3 / 6)
    assert ned("abcdef", "abc", "eng_Latn") == pytest.approx(3 / 6)
    assert ned("灯 台", "灯台守", "jpn_Jpan") == pytest.approx(1 / 3)  # the label's space is not counted
    assert 0.0 <= ned("a", "bcdefgh", "eng_Latn") <= 1.0


def test_edit_counts_and_cer():
    assert edit_counts("kitten", "sitting", "eng_Latn") == (3, 6, 7)
    assert cer("kitten", "sitting", "eng_Latn") == pytest.approx(3 / 6)
    assert edit_counts("灯 台 守", "灯台", "jpn_Jpan") == (1, 3, 2)
    assert cer("ab", "abxxxx", "eng_Latn") == pytest.approx(2.0)  # CER can exceed 1, NED cannot
    assert ned("ab", "abxxxx", "eng_Latn") == pytest.approx(4 / 6)
    assert cer("", "", "eng_Latn") == 0.0
    assert cer("", "xy", "eng_Latn") == 2.0
