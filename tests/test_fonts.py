"""Font catalogue: collections, per-language faces chosen by name, on-disk index cache, user folders."""
import dataclasses
import json
import os
import shutil

import pytest

from synthdoc.errors import SynthdocError
from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.languages import LanguageRegistry, load_fonts_yaml

CJK_TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
NOTO_SANS = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"


@pytest.fixture()
def user_fonts(tmp_path):
    d = tmp_path / "fonts"
    d.mkdir()
    shutil.copy(CJK_TTC, d)
    shutil.copy(NOTO_SANS, d)
    return d


def test_collection_faces_share_cmap_and_are_chosen_by_name(user_fonts, tmp_path):
    cat = FontCatalogue([str(user_fonts)], system_fonts=False, cache_dir=tmp_path / "cache")
    cjk = [f for f in cat.faces if f.path.endswith(".ttc")]
    assert len({f.index for f in cjk}) >= 5  # JP, KR, SC, TC, HK (+ mono)
    assert len({f.cmap for f in cjk if "Mono" not in f.family}) == 1  # one shared cmap
    reg = LanguageRegistry(load_fonts_yaml())
    hant = reg.resolve("zho_Hant")
    hong_kong = dataclasses.replace(hant, code="yue_Hant", hb_language="yue-Hant")  # likely region HK
    for lang, regions in [(reg.resolve("jpn_Jpan"), ["JP"]), (reg.resolve("kor_Hang"), ["KR"]),
                          (reg.resolve("zho_Hans"), ["SC"]), (hant, ["TC"]), (hong_kong, ["TC", "HK"])]:
        faces = cat.faces_for(lang)
        # every face of the collection covers every CJK language: the family's region tag picks (HK glyph
        # forms serve a Hong Kong language, not zh-Hant, whose likely region is Taiwan)
        assert {f.family for fs in faces.values() for f in fs} == {
            f"Noto Sans{m} CJK {r}" for r in regions for m in ("", " Mono")}


def test_index_cache_is_reused_and_refreshed_on_change(user_fonts, tmp_path):
    cache = tmp_path / "cache"
    FontCatalogue([str(user_fonts)], system_fonts=False, cache_dir=cache)
    index = json.loads((cache / "fonts-index.json").read_text())
    path = os.path.realpath(user_fonts / "NotoSans-Regular.ttf")
    assert path in index["files"]
    # a tampered cached entry with the right size and mtime is trusted (proves the cache is read) ...
    index["files"][path]["faces"][0].update(family="Cached Family", names=["Cached Family"])
    (cache / "fonts-index.json").write_text(json.dumps(index))
    cat = FontCatalogue([str(user_fonts)], system_fonts=False, cache_dir=cache)
    assert cat.family("Cached Family")
    # ... and a changed mtime makes the catalogue read the file again
    os.utime(path, (1, 1))
    cat = FontCatalogue([str(user_fonts)], system_fonts=False, cache_dir=cache)
    assert not cat.family("Cached Family") and cat.family("Noto Sans")


def test_narrow_catalogue_does_not_drop_other_entries(user_fonts, tmp_path):
    cache = tmp_path / "cache"
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(NOTO_SANS, other / "Copy.ttf")
    FontCatalogue([str(user_fonts), str(other)], system_fonts=False, cache_dir=cache)
    FontCatalogue([str(other)], system_fonts=False, cache_dir=cache)
    files = json.loads((cache / "fonts-index.json").read_text())["files"]
    assert os.path.realpath(user_fonts / "NotoSans-Regular.ttf") in files


def test_env_font_dirs(user_fonts, tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHDOC_FONT_DIRS", str(user_fonts))
    cat = FontCatalogue([], system_fonts=False, cache_dir=tmp_path / "c")
    assert cat.family("Noto Sans")


def test_missing_font_error_names_package(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    cat = FontCatalogue([str(empty)], system_fonts=False, cache_dir=None)
    reg = LanguageRegistry(load_fonts_yaml())
    with pytest.raises(SynthdocError) as e:
        cat.faces_for(reg.resolve("ja"))
    assert "fonts-noto-cjk" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(SynthdocError, match="does not exist"):
        FontCatalogue([str(tmp_path / "nope")], system_fonts=False)


def test_every_installed_family_is_used():
    reg = LanguageRegistry(load_fonts_yaml())
    faces = FontCatalogue().faces_for(reg.resolve("en"))
    families = {f.family for fs in faces.values() for f in fs}
    assert {"Noto Serif", "Noto Sans", "DejaVu Serif", "DejaVu Sans"} <= families


def test_index_cmaps_round_trip_and_a_damaged_one_is_read_again(tmp_path):
    from synthdoc.fonts.catalogue import decode_cmap, encode_cmap

    points = {0x20, 0x21, 0x22, 0x41, 0x3042, 0x3043, 0x1F600}
    assert set(decode_cmap(encode_cmap(points))) == points and not set(decode_cmap(encode_cmap([])))
    with pytest.raises(ValueError):
        decode_cmap("AAAA")  # 3 bytes: not whole (start, end) uint32 pairs
    d = tmp_path / "fonts"
    d.mkdir()
    shutil.copy(NOTO_SANS, d)
    cache = tmp_path / "cache"
    good = FontCatalogue([str(d)], system_fonts=False, cache_dir=cache).faces
    index = json.loads((cache / "fonts-index.json").read_text())
    for entry in index["files"].values():
        entry["faces"][0]["cmap"] = "not base64!"
    (cache / "fonts-index.json").write_text(json.dumps(index))
    assert FontCatalogue([str(d)], system_fonts=False, cache_dir=cache).faces == good


def test_many_font_files_are_read_in_child_processes_with_the_same_result(tmp_path):
    """From SCAN_IN_CHILDREN_MIN_FILES files on, a cold scan reads in spawned children (the parent keeps none of
    fontTools' memory): the faces read are the same as reading in this process."""
    from synthdoc.fonts import catalogue

    paths = []
    for k in range(catalogue.SCAN_IN_CHILDREN_MIN_FILES):
        paths.append(str(tmp_path / f"f{k}.ttf"))
        shutil.copy(NOTO_SANS if k % 2 else "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf", paths[-1])
    here = [catalogue._read_font_file(p) for p in paths]
    assert all(here) and catalogue.read_font_files(paths) == here


def test_shaping_checks_are_stored_and_redone_for_a_changed_file(user_fonts, tmp_path, monkeypatch):
    """shapecheck.json keeps each face's shaping-check result: a second process-like catalogue shapes nothing and
    builds the same pool; a file with another size or mtime is checked again."""
    from synthdoc.fonts import shapecheck

    lang = LanguageRegistry(load_fonts_yaml()).resolve("en")
    cache = tmp_path / "cache"
    first = FontCatalogue([str(user_fonts)], system_fonts=False, cache_dir=cache).faces_for(lang)
    stored = json.loads((cache / "shapecheck.json").read_text())
    assert stored["version"] == shapecheck.SHAPECHECK_VERSION
    assert any(True in e["checks"].values() for e in stored["files"].values())
    calls = []
    real = shapecheck.shapes_well
    monkeypatch.setattr(shapecheck, "shapes_well", lambda *a: calls.append(a) or real(*a))
    assert FontCatalogue([str(user_fonts)], system_fonts=False, cache_dir=cache).faces_for(lang) == first
    assert calls == []  # every result came from the store
    noto = user_fonts / os.path.basename(NOTO_SANS)
    os.utime(noto, (1_000_000_000, 1_000_000_000))
    assert FontCatalogue([str(user_fonts)], system_fonts=False, cache_dir=cache).faces_for(lang) == first
    assert calls and {c[0] for c in calls} == {str(noto)}  # only the changed file is shaped again
