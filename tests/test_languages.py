"""Tests for synthdoc.languages: alias resolution, unknown languages, and a seventh language added by
configuration only (fonts + corpus in a user config) through the CLI."""
from __future__ import annotations

import pyarrow.parquet as pq
import pytest
import yaml

from synthdoc.errors import SynthdocError
from synthdoc.languages import LanguageRegistry, load_fonts_yaml


@pytest.mark.parametrize("name, code", [
    ("en", "eng_Latn"), ("EN", "eng_Latn"), ("eng", "eng_Latn"), ("eng_latn", "eng_Latn"), ("ENG-LATN", "eng_Latn"),
    ("ja", "jpn_Jpan"), ("Ja", "jpn_Jpan"), ("jpn_Jpan", "jpn_Jpan"),
    ("ko", "kor_Hang"), ("kor_hang", "kor_Hang"),
    ("ru", "rus_Cyrl"), ("RU", "rus_Cyrl"),
    ("zh-Hans", "zho_Hans"), ("zh_hans", "zho_Hans"), ("ZH-HANS", "zho_Hans"), ("zho_Hans", "zho_Hans"),
    ("zh-Hant", "zho_Hant"), ("ZH-HANT", "zho_Hant"), ("zh_hant", "zho_Hant"), (" zh-TW ", "zho_Hant"),
])
def test_aliases_resolve(registry, name, code):
    assert registry.resolve(name).code == code


def test_registry_has_the_six_default_languages(registry, all_languages):
    assert set(all_languages) <= set(registry.codes())
    assert len(registry) == len(registry.codes())
    ja = registry.resolve("ja")
    assert ja.script == "Jpan" and "ttb" in ja.directions and not ja.space_delimited and ja.word_separator == ""
    en = registry.resolve("en")
    assert en.space_delimited and en.word_separator == " " and en.directions[0] == "ltr"
    assert registry.resolve("ko").space_delimited  # Korean uses spaces between words


@pytest.mark.parametrize("name", ["xx", "english", "zh-Hanx", "", "de", "eng_Cyrl"])
def test_unknown_language_is_a_one_line_error(registry, name):
    with pytest.raises(SynthdocError) as ei:
        registry.resolve(name)
    msg = str(ei.value)
    assert "\n" not in msg
    assert repr(name) in msg
    assert "eng_Latn" in msg  # names the valid codes


def test_registry_override_adds_language_without_code():
    data = load_fonts_yaml(override={"languages": {"deu_Latn": {"name": "German", "aliases": ["de"], "script": "Latn",
                                                                "hb_language": "de"}}})
    reg = LanguageRegistry(data)
    de = reg.resolve("DE")
    assert de.code == "deu_Latn" and de.name == "German" and de.script == "Latn"
    assert de.hb_script == "Latn" and de.space_delimited and de.directions == ("ltr",)
    assert de.fonts == reg.resolve("en").fonts  # the script's font families
    assert reg.resolve("en").code == "eng_Latn"  # merged over, not replaced


@pytest.mark.parametrize("ldef, match", [
    ({"script": "Zzzz"}, "script 'Zzzz'"),
    ({"script": "Latn", "bogus": 1}, "unknown key 'bogus'"),
    ({"script": "Latn", "fonts": {"fancy": ["X"]}}, "unknown font role 'fancy'"),
    ({"script": "Latn", "directions": ["diagonal"]}, "unknown direction"),
    ({"script": "Latn", "min_line_band_em": "tall"}, "min_line_band_em must be a number"),
    ({"script": "Latn", "min_line_band_em": 9}, "min_line_band_em must be a number"),
])
def test_bad_language_definitions(ldef, match):
    with pytest.raises(SynthdocError, match=match):
        LanguageRegistry(load_fonts_yaml(override={"languages": {"deu_Latn": ldef}}))


GERMAN = """Die Größe der Bäume überrascht jeden Besucher. Über die Straße läuft ein müder Fuchs, während die Vögel
im Gebüsch zwitschern und die Kinder fröhlich spielen.

Schöne Grüße aus München! Der Bäcker öffnet früh am Morgen, und die Brötchen schmecken süß und außergewöhnlich gut.

Fünf große Äpfel lagen auf dem Tisch. Ökologische Landwirtschaft fördert die Artenvielfalt und schützt die Böden
für künftige Generationen.

Übermäßiger Verkehr verursacht Lärm in der Großstadt; dennoch genießen viele Bürger die Gemütlichkeit ihrer Viertel.
"""


@pytest.fixture()
def german_config(tmp_path):
    corpus = tmp_path / "german.txt"
    corpus.write_text(GERMAN, encoding="utf-8")
    cfg = {
        "fonts": {"languages": {"deu_Latn": {"name": "German", "aliases": ["de"], "script": "Latn", "hb_language": "de"}}},
        "corpus": {"de": str(corpus)},
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def _check_german_dataset(out):
    shards = sorted(out.glob("data/*/*.parquet"))
    assert [s.parent.name for s in shards] == ["deu_Latn"]
    rows = pq.read_table(shards[0]).to_pylist()
    assert len(rows) == 2
    words = set(GERMAN.split())
    for row in rows:
        assert row["lang"] == "deu_Latn"
        text = row["text"]
        assert any(c in text for c in "äöüß")
        # text comes from the German corpus (umlaut words, not the bundled English sample)
        assert sum(w in words for w in text.split()) >= 10
        assert "Größe" in text or "Grüße" in text or "Äpfel" in text or "Übermäßiger" in text
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "config_name: deu_Latn" in card


def test_seventh_language_by_configuration_via_cli_main(german_config, tmp_path, capsys):
    from synthdoc.cli import main

    out = tmp_path / "out"
    rc = main(["generate", "--config", str(german_config), "--languages", "de", "--pages", "2", "--out", str(out),
               "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "wrote 2 pages" in captured.out
    _check_german_dataset(out)


def test_seventh_language_by_configuration_via_subprocess(german_config, tmp_path, synthdoc_cli):
    out = tmp_path / "out-sub"
    proc = synthdoc_cli(["generate", "--config", german_config.name, "--languages", "de", "--pages", "2",
                         "--out", "out-sub", "--quiet"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    _check_german_dataset(out)
