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
