"""`synthdoc fonts --summary` / `--json`: per-language family and face counts by role, static vs variable."""
import json

from synthdoc.cli import main
from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.languages import LanguageRegistry, load_fonts_yaml


def test_fonts_json_matches_the_pools(capsys):
    assert main(["fonts", "--json", "--languages", "en,ja"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in rows] == ["eng_Latn", "jpn_Jpan"]
    cat = FontCatalogue()
    reg = LanguageRegistry(load_fonts_yaml())
    for r in rows:
        pool = cat.faces_for(reg.resolve(r["code"]))
        families = {f.family for v in pool.values() for f in v}
        assert r["families"] == len(families) == r["static_families"] + r["variable_families"]
        assert r["variable_families"] == len({f.family for v in pool.values() for f in v if f.axes})
        assert {k: v["families"] for k, v in r["roles"].items()} == {k: len({f.family for f in v}) for k, v in pool.items()}
        assert r["error"] is None
    ja = rows[1]
    assert ja["roles"]["serif"]["families"] >= 1 and ja["roles"]["sans"]["families"] >= 1


def test_fonts_summary_table(capsys):
    assert main(["fonts", "--summary", "--languages", "ru"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:5] == ["language", "families", "faces", "static", "variable"]
    row = next(line for line in out if line.startswith("rus_Cyrl"))
    assert int(row.split()[1]) >= 3  # Noto Sans, Noto Serif, DejaVu ... at least


def test_fonts_summary_reports_a_language_without_fonts(tmp_path, capsys, monkeypatch):
    empty = tmp_path / "none"
    empty.mkdir()
    (tmp_path / "cfg.yaml").write_text(f"system_fonts: false\nfont_dirs: [{empty}]\n")
    monkeypatch.setenv("SYNTHDOC_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["fonts", "--json", "--config", str(tmp_path / "cfg.yaml"), "--languages", "en"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["families"] == 0 and "no installed font for eng_Latn" in rows[0]["error"]
