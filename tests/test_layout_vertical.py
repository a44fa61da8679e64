"""The `vertical` layout mode: CJK columns top to bottom, right to left, optional horizontal title."""
import pytest

from synthdoc.config import GenerateConfig
from synthdoc.doc import check
from synthdoc.errors import SynthdocError
from synthdoc.pipeline import SampleFactory

from layout_checks import max_box_overlap

LANGS = ["jpn_Jpan", "zho_Hans", "zho_Hant"]


@pytest.fixture(scope="module")
def pages():
    factory = SampleFactory(GenerateConfig(languages=LANGS, layouts={"vertical": 1}, seed=5))
    return [factory.make(i).page for i in range(9)]




def test_pages_pass_check_and_have_no_tofu(pages):
    assert {p.lang for p in pages} == set(LANGS)
    for page in pages:
        check(page)
        assert page.layout == "vertical"
        assert all((run.gids != 0).all() for run in page.runs)


def test_body_columns_are_ttb_with_vertex0_top_right(pages):
    for page in pages:
        body = [ln for p in page.paragraphs if p.role == "body" for ln in p.lines]
        assert body
        for line in body:
            q = line.quad
            assert line.direction == "ttb"
            assert q[0][0] == q[:, 0].max() and q[0][1] == q[:, 1].min()  # TR first
            assert q[1][1] > q[0][1]  # then down the right edge


def test_columns_read_right_to_left_and_top_to_bottom(pages):
    for page in pages:
        body = [ln for p in page.paragraphs if p.role == "body" for ln in p.lines]
        for a, b in zip(body, body[1:]):
            same_tier = abs(a.quad[0][1] - b.quad[0][1]) < a.quad[1][1] - a.quad[0][1]
            if same_tier:
                assert b.quad[0][0] < a.quad[0][0]  # next column lies to the left
            else:
                assert b.quad[0][1] > a.quad[1][1] - 1  # a new tier starts below the previous one
        for line in body:
            ys = [w.quad[0][1] for w in line.words]
            assert ys == sorted(ys)  # words top to bottom


def test_no_two_word_quads_overlap(pages):
    for page in pages:
        assert max_box_overlap([w.quad for w in page.words]) <= 1.0


def test_title_is_horizontal_and_first(pages):
    titled = [p for p in pages if p.paragraphs[0].role == "title"]
    assert titled
    for page in titled:
        assert page.paragraphs[0].lines[0].direction == "ltr"
        assert all(p.role != "title" for p in page.paragraphs[1:])


def test_vertical_mode_refuses_horizontal_only_languages():
    with pytest.raises(SynthdocError, match="no layout of vertical supports eng_Latn"):
        SampleFactory(GenerateConfig(languages=["en", "ja"], layouts={"vertical": 1}))
    # mixed weights: English falls back to the modes that support it
    factory = SampleFactory(GenerateConfig(languages=["en", "ja"], layouts={"vertical": 1, "multi_column": 1}))
    assert factory.layout_weights["eng_Latn"] == {"multi_column": 1}


def _ja_style(size_px: int = 40):
    from synthdoc.fonts.catalogue import FontCatalogue
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml
    from synthdoc.layout.typeset import TextStyle
    from synthdoc.render.face import FaceCache

    lang = LanguageRegistry(load_fonts_yaml()).resolve("ja")
    face = FontCatalogue().faces_for(lang)["serif"][0]
    return TextStyle(FaceCache().get(face), size_px, (0, 0, 0), lang.hb_language, lang.hb_script, False)


def test_vertical_runs_pick_tate_chu_yoko_numbers():
    from synthdoc.render.vertical import vertical_runs

    text = "4月12日に2024年、50%とA4。"
    kinds = {text[a:b]: kind for a, b, kind in vertical_runs(text, 2)}
    assert kinds["4"] == kinds["12"] == "tcy"
    assert kinds["2024"] == kinds["50%"] == kinds["A4"] == "sideways"  # long numbers, or digits with other R chars
    assert all(kind != "tcy" for _, _, kind in vertical_runs(text, 0))


def test_tate_chu_yoko_digits_are_upright_inside_one_em_of_their_word():
    """ "12" in a column: drawn unturned, side by side across the column, its ink inside its word quad, and
    the column one em longer per number than its characters (the pair takes one em, not two half-ems turned)."""
    import numpy as np

    from synthdoc.doc import Page
    from synthdoc.layout.typeset import place_vertical, typeset_vertical
    from synthdoc.render.compose import composite, text_masks
    from synthdoc.render.raster import GlyphCache

    style = _ja_style(40)
    (set_line,) = typeset_vertical("第12章", style, 600, tcy_max_digits=2)
    (sideways,) = typeset_vertical("第12章", style, 600, tcy_max_digits=0)
    assert [w[0] for w in set_line.words] == ["第", "12", "章"]
    assert set_line.width == pytest.approx(3 * 40, abs=0.5)
    line, runs = place_vertical(set_line, 100.0, 20.0)
    tcy = [r for r in runs if len(r.gids) == 2]
    assert len(tcy) == 1 and not tcy[0].rotated
    (x0, y0), (x1, y1) = tcy[0].origins.min(0), tcy[0].origins.max(0)
    assert x1 - x0 > 10 and abs(y1 - y0) < 1  # side by side on one baseline, across the column
    page = Page(200, 700, "jpn_Jpan", "t")
    page.runs = tcy
    ink = composite(np.full((700, 200, 3), 255, np.uint8), text_masks(page, GlyphCache())).min(axis=2) < 128
    ys, xs = np.nonzero(ink)
    quad = line.words[1].quad  # TR, BR, BL, TL
    assert xs.min() >= quad[:, 0].min() - 1 and xs.max() <= quad[:, 0].max() + 1
    assert ys.min() >= quad[:, 1].min() - 1 and ys.max() <= quad[:, 1].max() + 1
    assert all(r.rotated for r in place_vertical(sideways, 100.0, 20.0)[1] if len(r.gids) == 2)


def test_tate_chu_yoko_template_key_is_validated(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text("mode: vertical\ntate_chu_yoko_max_digits: 9\n", encoding="utf-8")
    with pytest.raises(SynthdocError, match="tate_chu_yoko_max_digits"):
        SampleFactory(GenerateConfig(languages=["ja"], layouts={str(path): 1}, seed=1)).make(0)
