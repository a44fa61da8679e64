"""Every covering face is eligible: roles from font data, deny list, shaping check, italics kept out of body
text, uniform family sampling, variable-font instancing, Google Fonts metadata (fontpkg and METADATA.pb)."""
import os
import shutil
from collections import Counter
from dataclasses import replace
from importlib.metadata import entry_points

import numpy as np
import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont

from synthdoc.config import GenerateConfig
from synthdoc.fonts.catalogue import FaceInfo, FontCatalogue
from synthdoc.fonts.googlefonts import fontpkg_families, read_metadata_pb
from synthdoc.fonts.roles import classify, font_traits
from synthdoc.fonts.sampling import sample_face
from synthdoc.fonts.shapecheck import shapes_well
from synthdoc.languages import LanguageRegistry, load_fonts_yaml
from synthdoc.pipeline import SampleFactory
from synthdoc.render.face import load_face
from synthdoc.render.raster import GlyphCache

NOTO = "/usr/share/fonts/truetype/noto"
NOTO_SANS = f"{NOTO}/NotoSans-Regular.ttf"
NOTO_SERIF = f"{NOTO}/NotoSerif-Regular.ttf"
DEJAVU_MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
NOTO_SANS_ITALIC = f"{NOTO}/NotoSans-Italic.ttf"
FONTPKGS = {ep.dist.name for ep in entry_points(group="fontpkg.family") if ep.dist}


def _dir(tmp_path, *files, name="fonts"):
    d = tmp_path / name
    d.mkdir()
    for f in files:
        shutil.copy(f, d)
    return d


def _factory(font_dir, fonts=None, pages_langs=("eng_Latn",)):
    cfg = GenerateConfig(languages=list(pages_langs), layouts={"multi_column": 1}, seed=3, font_dirs=[str(font_dir)],
                         system_fonts=False, fonts=fonts or {})
    return SampleFactory(cfg)


def test_roles_from_real_font_data():
    assert font_traits(TTFont(DEJAVU_MONO))["role"] == "mono"  # post.isFixedPitch / name
    assert font_traits(TTFont(NOTO_SERIF))["role"] == "serif"
    assert font_traits(TTFont(NOTO_SANS))["role"] == "sans"
    t = font_traits(TTFont(NOTO_SANS_ITALIC))
    assert t["italic"] and t["weight"] == 400
    # no keyword in the name: OS/2 class and PANOSE decide
    assert classify("Foo", False, 10 << 8, ()) == "handwriting"
    assert classify("Foo", False, 0, (3, 0, 0, 0)) == "handwriting"
    assert classify("Foo", False, 0, (2, 11, 5, 3)) == "sans"
    assert classify("Foo", False, 0, (2, 2, 5, 3)) == "serif"
    assert classify("Foo", True, 0, (2, 2, 5, 3)) == "mono"
    assert classify("Foo", False, 9 << 8, ()) == "display"
    assert classify("Kristi", False, 0, ()) == "handwriting"


def test_unlisted_covering_face_is_used_and_denied_never(tmp_path):
    d = _dir(tmp_path, NOTO_SANS, NOTO_SERIF, NOTO_SANS_ITALIC)
    only_serif = {"scripts": {"Latn": {"fonts": {"serif": ["Noto Serif"]}}}}
    f = _factory(d, only_serif)
    faces = f.faces["eng_Latn"]
    assert [x.family for x in faces["sans"]] == ["Noto Sans"]  # not listed in fonts.yaml, covers English
    assert [x.style for x in faces["italic"]] == ["Italic"]  # italics never in a body role
    bodies = Counter(f.make(i).meta["fonts"]["body"] for i in range(8))
    assert "Noto Sans Regular" in bodies and not any("Italic" in b for b in bodies)
    denied = _factory(d, {**only_serif, "deny": ["noto sans*"]})
    assert {x.family for v in denied.faces["eng_Latn"].values() for x in v} == {"Noto Serif"}
    assert all(denied.make(i).meta["fonts"]["body"].startswith("Noto Serif") for i in range(4))


def test_config_deny_list_extends_the_shipped_one(tmp_path):
    shipped = load_fonts_yaml()
    merged = load_fonts_yaml(override={"deny": ["*Caveat*", "*Emoji*"],
                                       "languages": {"jpn_Jpan": {"deny": ["Foo Mincho*"]}}})
    assert merged["deny"] == shipped["deny"] + ["*Caveat*"]  # shipped first, new patterns once
    ja = LanguageRegistry(merged).resolve("ja")
    assert {"*Dingbat*", "Nanum*", "Foo Mincho*", "*Caveat*"} <= set(ja.deny)  # top level, language, config
    # a face named like a dingbat font covers Latin (its cmap is Noto Sans'), yet a config with a deny list of its
    # own does not re-admit it: the shipped "*Dingbat*" still holds
    d = _dir(tmp_path, NOTO_SANS, NOTO_SERIF)
    font = TTFont(NOTO_SANS)
    for name_id in (1, 16):
        font["name"].setName("Test Dingbats Sans", name_id, 3, 1, 0x409)
    font.save(d / "TestDingbats.ttf")
    cat = FontCatalogue([str(d)], system_fonts=False, cache_dir=None)
    assert any(x.family == "Test Dingbats Sans" for x in cat.faces)
    registry = LanguageRegistry(load_fonts_yaml(override={"deny": ["noto serif*"]}))
    pool = cat.faces_for(registry.resolve("en"))
    assert {x.family for v in pool.values() for x in v} == {"Noto Sans"}


def test_face_that_shapes_badly_is_excluded(tmp_path):
    d = tmp_path / "broken"
    d.mkdir()
    font = TTFont(NOTO_SANS)
    gname = font.getBestCmap()[ord("a")]
    font["hmtx"].metrics[gname] = (0, font["hmtx"].metrics[gname][1])  # a base letter that does not advance
    font["name"].setName("Broken Sans", 1, 3, 1, 0x409)
    font.save(d / "Broken.ttf")
    shutil.copy(NOTO_SERIF, d)
    assert not shapes_well(str(d / "Broken.ttf"), 0, (), "Latn", "Latn", "en")
    assert shapes_well(str(d / "NotoSerif-Regular.ttf"), 0, (), "Latn", "Latn", "en")
    # a zero-advance contextual form is a designed ligature component, not a broken face: Noto Naskh Arabic
    # draws lam-alef as a wide lam plus an alef form that does not advance
    assert shapes_well(f"{NOTO}/NotoNaskhArabic-Regular.ttf", 0, (), "Arab", "Arab", "ar")
    cat = FontCatalogue([str(d)], system_fonts=False, cache_dir=None)
    assert any(x.family == "Broken Sans" for x in cat.faces)  # indexed, covers English ...
    pool = cat.faces_for(LanguageRegistry(load_fonts_yaml()).resolve("en"))
    assert {x.family for v in pool.values() for x in v} == {"Noto Serif"}  # ... but never set


def _face(family, style, i):
    return FaceInfo(path=f"/x/{family}-{i}.ttf", index=0, family=family, style=style, names=(family,),
                    cmap=frozenset(range(32, 127)))


def test_uniform_family_sampling_a_30_weight_family_does_not_dominate():
    faces = [_face("Huge", f"W{i}", i) for i in range(30)] + [_face(f"Solo{k}", "Regular", 0) for k in range(4)]
    rng = np.random.default_rng(0)
    counts = Counter(sample_face(rng, faces).family for _ in range(5000))
    assert set(counts) == {"Huge", "Solo0", "Solo1", "Solo2", "Solo3"}
    for fam, n in counts.items():
        assert 0.17 < n / 5000 < 0.23, (fam, n)  # 1/5 each; face-uniform would give Huge 30/34


def _variable_face():
    for fam in fontpkg_families():
        for path in fam.files:
            if "[" in os.path.basename(path) and "Italic" not in path and any(a[0] == "wght" for a in fam.axes):
                cat = FontCatalogue([os.path.dirname(path)], system_fonts=False, cache_dir=None)
                for f in cat.faces:
                    if f.path == path:
                        return f
    pytest.skip("no variable fontpkg family installed (pip install fontpkg-lora)")


def _ink_and_advance(face, text, size_px=40):
    lf = load_face(face)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(lf.hb_font, buf, {})
    cache = GlyphCache()
    ink = sum(int(cache.get(lf, size_px, g.codepoint).alpha.astype(np.int64).sum()) for g in buf.glyph_infos)
    return ink, sum(p.x_advance for p in buf.glyph_positions)


def test_variable_instances_change_ink_and_advances():
    face = _variable_face()
    instances = [f for f in FontCatalogue([os.path.dirname(face.path)], system_fonts=False, cache_dir=None).faces
                 if f.path == face.path]
    assert len(instances) >= 2 and len({f.key for f in instances}) == len(instances)  # named instances are faces
    axes = {a[0]: a for a in face.axes}
    lo, hi = max(300.0, axes["wght"][1]), min(800.0, axes["wght"][3])
    light = replace(face, coords=tuple((t, lo if t == "wght" else d) for t, _, d, _ in face.axes))
    heavy = replace(face, coords=tuple((t, hi if t == "wght" else d) for t, _, d, _ in face.axes))
    assert light.key != heavy.key  # separate cache entries
    ink_l, adv_l = _ink_and_advance(light, "Hamburgefonstiv quick")
    ink_h, adv_h = _ink_and_advance(heavy, "Hamburgefonstiv quick")
    assert ink_h > ink_l * 1.2  # FreeType outlines follow the coordinates
    assert adv_h != adv_l  # HarfBuzz advances (HVAR/gvar phantom points) follow the same coordinates


def test_variable_pages_record_coordinates_and_pass_check(tmp_path):
    face = _variable_face()
    d = _dir(tmp_path, face.path)
    f = _factory(d, {"scripts": {"Latn": {"fonts": {"serif": [], "sans": [], "mono": []}}}})
    bodies = [f.make(i).meta["fonts"]["body"] for i in range(10)]  # make() runs doc.check on every page
    drawn = {b for b in bodies if " @" in b and "wght=" in b}
    assert len(drawn) >= 2, bodies  # several axis points, recorded in meta


@pytest.mark.skipif("fontpkg-caveat" not in FONTPKGS, reason="fontpkg-caveat not installed (test extra)")
def test_fontpkg_reader_on_installed_packages():
    fams = {g.family: g for g in fontpkg_families()}
    cav = fams["Caveat"]
    assert cav.role == "handwriting" and cav.license.startswith("OFL") and "latin" in cav.subsets
    assert cav.files and all(os.path.exists(p) for p in cav.files)
    cat = FontCatalogue([], system_fonts=True, cache_dir=None)
    faces = [x for x in cat.faces if x.family == "Caveat"]
    assert faces and {x.role for x in faces} == {"handwriting"} and {x.license for x in faces} == {cav.license}
    pool = cat.faces_for(LanguageRegistry(load_fonts_yaml()).resolve("ru"))  # Caveat has Cyrillic
    assert "Caveat" in {x.family for x in pool.get("handwriting", [])}


def test_metadata_pb_reader_on_a_small_tree(tmp_path):
    fam = tmp_path / "gf" / "ofl" / "notohand"
    fam.mkdir(parents=True)
    shutil.copy(NOTO_SANS, fam / "NotoHand-Regular.ttf")
    (fam / "METADATA.pb").write_text(
        'name: "Noto Sans"\ndesigner: "Google"\nlicense: "OFL"\ncategory: "HANDWRITING"\ndate_added: "2020-01-01"\n'
        'fonts {\n  name: "Noto Sans"\n  style: "normal"\n  weight: 400\n  filename: "NotoHand-Regular.ttf"\n'
        '  post_script_name: "NotoSans-Regular"\n  full_name: "Noto Sans Regular"\n}\n'
        'subsets: "latin"\nsubsets: "cyrillic"\naxes {\n  tag: "wght"\n  min_value: 100.0\n  max_value: 900.0\n}\n'
        'source {\n  repository_url: "https://github.com/notofonts/latin-greek-cyrillic"\n}\nprimary_script: "Latn"\n')
    g = read_metadata_pb(fam / "METADATA.pb")
    assert (g.family, g.role, g.license, g.subsets) == ("Noto Sans", "handwriting", "OFL", ("latin", "cyrillic"))
    assert g.axes == (("wght", 100.0, 900.0),) and g.files == (os.path.realpath(fam / "NotoHand-Regular.ttf"),)
    cat = FontCatalogue([str(tmp_path / "gf")], system_fonts=False, cache_dir=None)
    assert [(x.role, x.license) for x in cat.faces] == [("handwriting", "OFL")]  # overrides the font's own "sans"
    unlisted = {"scripts": {"Latn": {"fonts": {"sans": []}}}}
    assert list(cat.faces_for(LanguageRegistry(load_fonts_yaml(override=unlisted)).resolve("en"))) == ["handwriting"]
    # fonts.yaml wins over Google Fonts metadata: the shipped file lists Noto Sans as sans
    assert list(cat.faces_for(LanguageRegistry(load_fonts_yaml()).resolve("en"))) == ["sans"]
