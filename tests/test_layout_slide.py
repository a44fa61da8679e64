"""The `slide` layout mode: 16:9 / 4:3 slides with a title, bullet lists (levels 1-3, the bullet labelled as a
word), a footer last in reading order, ink that contrasts with the solid / gradient background under it."""
import re

import cv2
import numpy as np
import pytest

from synthdoc.background import gradient, render_background, solid
from synthdoc.colour import contrast_ratio, mean_color_under
from synthdoc.config import GenerateConfig
from synthdoc.doc import check
from synthdoc.layout.template import load_template
from synthdoc.pipeline import SampleFactory
from synthdoc.render.compose import text_masks

from layout_checks import max_box_overlap

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]
NUMBERED = re.compile(r"^\d+\.$")


@pytest.fixture(scope="module")
def factory():
    return SampleFactory(GenerateConfig(languages=LANGS, layouts={"slide": 1}, seed=4))


@pytest.fixture(scope="module")
def samples(factory):
    return [factory.make(i) for i in range(4 * len(LANGS))]




def test_pages_pass_check_in_every_language_without_tofu(samples):
    assert {s.page.lang for s in samples} == set(LANGS)
    for s in samples:
        check(s.page)
        assert s.page.layout == "slide"
        assert all((run.gids != 0).all() for run in s.page.runs)


def test_slides_are_16_9_or_4_3(samples):
    ratios = set()
    for s in samples:
        r = s.page.width / s.page.height
        assert min(abs(r - 16 / 9), abs(r - 4 / 3)) < 0.01, (s.page.width, s.page.height)
        ratios.add(round(r, 2))
        assert s.image.shape == (s.page.height, s.page.width, 3)
    assert ratios == {1.78, 1.33}


BODY_ROLE = {"bullets": "list_item", "text": "body", "table": "table_cell"}


def test_reading_order_per_layout(samples):
    """Title, the layout's body, footers last; section: number, title, subtitle; quote: quote, attribution."""
    kinds = set()
    for s in samples:
        kind = s.page.meta["slide_layout"]
        kinds.add(kind)
        roles = [p.role for p in s.page.paragraphs]
        assert roles[-1] == "footer"
        n_footer = next(k for k in range(len(roles)) if roles[len(roles) - 1 - k] != "footer")
        rest = roles[:len(roles) - n_footer]
        assert "footer" not in rest
        if kind in BODY_ROLE:
            assert rest[0] == "slide_title" and len(rest) >= 2 and set(rest[1:]) == {BODY_ROLE[kind]}, rest
        elif kind == "section":
            assert rest in (["heading", "slide_title", "heading"], ["heading", "slide_title"]), rest
            assert re.fullmatch(r"\d\d", s.page.paragraphs[0].text)
        else:
            assert rest in (["quote", "caption"], ["quote"]), rest
            quote = s.page.paragraphs[0].text
            assert quote[0] in "“«「" and quote[-1] in "”»」", quote
        # the slide number is the last footer and holds a digit
        assert re.search(r"\d", s.page.paragraphs[-1].text)
    assert kinds == {"bullets", "text", "section", "table", "quote"}


def test_table_slides_read_row_major_with_typed_columns(samples):
    seen = 0
    for s in samples:
        if s.page.meta["slide_layout"] != "table":
            continue
        cells = [p.cell for p in s.page.paragraphs if p.role == "table_cell"]
        assert cells == sorted(cells)
        assert max(c[0] for c in cells) >= 2  # header and two body rows
        assert any(re.search(r"\d", p.text) for p in s.page.paragraphs if p.role == "table_cell" and p.cell[1] > 0)
        seen += 1
    assert seen


def test_accent_bars_lie_clear_of_the_text_and_are_drawn(samples):
    accents = set()
    for s in samples:
        page = s.page
        accents.add(page.meta["accent"])
        for (x0, y0, x1, y1, *rgb) in page.meta["rules"]:
            for w in page.words:
                q = np.asarray(w.quad)
                assert q[:, 0].max() < x0 or q[:, 0].min() > x1 + 1 or q[:, 1].max() < y0 or q[:, 1].min() > y1 + 1
            assert (s.image[y0:y1 + 1, x0:x1 + 1] == rgb).all()
    assert accents == {"none", "left_bar", "top_band", "title_rule"}


def test_list_items_have_levels_1_to_3_and_a_bullet_word(samples, factory):
    template = load_template("slide")
    bullets = {b for st in template.params.bullet_sets for b in st} | {"•", "–", "-"}
    levels = set()
    for s in samples:
        for p in s.page.paragraphs:
            if p.role != "list_item":
                continue
            levels.add(p.level)
            assert 1 <= p.level <= 3
            first = p.lines[0].words[0].text
            assert first in bullets or NUMBERED.match(first), first
            assert len(p.lines[0].words) >= 2  # the bullet, then the item's text
    assert levels == {1, 2, 3}


def test_list_columns_read_left_then_right_and_top_down(samples):
    two_columns = 0
    for s in samples:
        page = s.page
        items = [p for p in page.paragraphs if p.role == "list_item"]
        col = [int(p.quad[:, 0].min() > page.width / 2 - 1) for p in items]
        assert col == sorted(col)
        two_columns += page.meta["columns"] == 2 and page.meta["slide_layout"] == "bullets"
        for a, b, ca, cb in zip(items, items[1:], col, col[1:]):
            if ca == cb:
                assert b.quad[:, 1].min() >= a.quad[:, 1].max() - 1
    assert two_columns


def test_no_two_word_quads_overlap(samples):
    for s in samples:
        assert max_box_overlap([w.quad for w in s.page.words]) <= 1.0


def test_ink_contrasts_with_the_background_under_each_paragraph(samples):
    for s in samples:
        page = s.page
        assert page.background.params["kind"] in ("solid", "gradient")
        bg, params = render_background(page.height, page.width, page.background.params, np.random.default_rng(0))
        assert params == page.background.params
        boxes = [(p.quad[:, 0].min() - 1, p.quad[:, 1].min() - 1, p.quad[:, 0].max() + 1, p.quad[:, 1].max() + 1)
                 for p in page.paragraphs]
        for run in page.runs:
            o = run.origins
            owners = [k for k, (x0, y0, x1, y1) in enumerate(boxes)
                      if (o[:, 0] >= x0).all() and (o[:, 0] <= x1).all() and (o[:, 1] >= y0).all() and (o[:, 1] <= y1).all()]
            assert len(owners) == 1
            under = mean_color_under(bg, page.paragraphs[owners[0]].quad)
            assert contrast_ratio(run.color, under) >= 4.5, (page.lang, run.color, under)


def test_ink_lies_inside_the_word_quads_and_the_background_is_replayed(samples, factory):
    for s in samples[:6]:
        page = s.page
        ink = np.maximum.reduce(list(text_masks(page, factory.glyph_cache).values()))
        region = np.zeros((page.height, page.width), np.uint8)
        cv2.fillPoly(region, [np.round(np.asarray(w.quad)).astype(np.int32) for w in page.words], 255)
        region = cv2.dilate(region, np.ones((5, 5), np.uint8))
        on = ink > 64
        assert np.count_nonzero(on & (region > 0)) / np.count_nonzero(on) >= 0.99
        bg, _ = render_background(page.height, page.width, page.background.params, np.random.default_rng(0))
        for rule in page.rules:  # accent bars and table rules, drawn under the text
            bg[rule.y0:rule.y1 + 1, rule.x0:rule.x1 + 1] = rule.rgb
        assert np.array_equal(s.image[ink == 0], bg[ink == 0])


def test_solid_and_gradient_backgrounds():
    rng = np.random.default_rng(1)
    img, params = solid(90, 160, rng, rgb=(10, 20, 30))
    assert params == {"kind": "solid", "rgb": [10, 20, 30]} and (img == [10, 20, 30]).all()
    img, params = gradient(90, 160, rng, colors=[(0, 0, 0), (255, 255, 255)], angle_deg=0.0, shape="linear")
    row = img[45, :, 0].astype(int)
    assert row[0] < 10 and row[-1] > 245 and (np.diff(row) >= 0).all()  # left to right, monotonic
    again, _ = render_background(90, 160, params, np.random.default_rng(2))
    assert np.array_equal(img, again)
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
