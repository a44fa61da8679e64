"""The `document` layout mode: header, title, numbered headings, body, lists, footnotes under a rule, footer."""
import re

import numpy as np
import pytest

from synthdoc.config import GenerateConfig
from synthdoc.doc import check
from synthdoc.errors import SynthdocError
from synthdoc.layout.document import Params
from synthdoc.layout.template import load_template
from synthdoc.pipeline import SampleFactory

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]
ORDER = {"header": 0, "title": 1, "heading": 2, "body": 2, "list_item": 2, "quote": 2, "caption": 2, "footnote": 3,
         "footer": 4}


@pytest.fixture(scope="module")
def samples():
    factory = SampleFactory(GenerateConfig(languages=LANGS, layouts={"document": 1}, seed=4))
    return [factory.make(i) for i in range(24)]


@pytest.fixture(scope="module")
def pages(samples):
    return [s.page for s in samples]


def _boxes(quads) -> np.ndarray:
    q = np.asarray(quads, np.float64).reshape(-1, 4, 2)
    return np.concatenate([q.min(axis=1), q.max(axis=1)], axis=1)


def _max_overlap(a: np.ndarray, b: np.ndarray | None = None) -> float:
    """Largest intersection area (px²) between boxes of `a` (pairs of different boxes) or between `a` and `b`."""
    same = b is None
    b = a if same else b
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    area = np.clip(w, 0, None) * np.clip(h, 0, None)
    if same:
        np.fill_diagonal(area, 0)
    return float(area.max()) if area.size else 0.0


def test_pages_pass_check_without_tofu_inside_the_page(pages):
    assert {p.lang for p in pages} == set(LANGS)
    for page in pages:
        check(page)
        assert page.layout == "document"
        assert all((run.gids != 0).all() for run in page.runs)
        q = np.asarray([w.quad for w in page.words])
        assert (q[..., 0] >= 0).all() and (q[..., 0] <= page.width).all()
        assert (q[..., 1] >= 0).all() and (q[..., 1] <= page.height).all()


def test_no_two_word_quads_overlap(pages):
    for page in pages:
        assert _max_overlap(_boxes([w.quad for w in page.words])) <= 1.0


def test_roles_present_and_in_reading_order(pages):
    seen = set()
    for page in pages:
        roles = [p.role for p in page.paragraphs]
        seen |= set(roles)
        assert set(roles) <= set(ORDER) and "body" in roles
        ranks = [ORDER[r] for r in roles]
        assert ranks == sorted(ranks)  # header, title, body..., footnotes, footer
        assert roles.count("header") <= 1 and roles.count("footer") <= 1
        if "header" in roles:
            assert roles[0] == "header"
        if "footer" in roles:
            assert roles[-1] == "footer"
    assert {"header", "title", "heading", "body", "list_item", "quote", "caption", "footnote", "footer"} <= seen


def test_block_quotes_are_indented_on_both_sides(pages):
    seen = 0
    for page in pages:
        body = [p for p in page.paragraphs if p.role == "body"]
        for para in (p for p in page.paragraphs if p.role == "quote"):
            q = np.asarray(para.quad)
            # some body paragraph in the same column starts left of the quote and ends right of it
            same_col = [b for b in body if abs(np.asarray(b.quad)[:, 0].min() - q[:, 0].min()) < 0.25 * page.width]
            assert any(np.asarray(b.quad)[:, 0].min() < q[:, 0].min() - 10 for b in same_col) or not same_col
            seen += 1
    assert seen >= 3


def test_figures_have_a_box_and_a_numbered_caption_under_it(pages):
    import re

    seen = 0
    for page in pages:
        boxes = [r for r in page.meta["rules"] if r[3] - r[1] > 40]  # figure boxes (rules are thin)
        for para in (p for p in page.paragraphs if p.role == "caption"):
            assert re.search(r"\d", para.lines[0].words[0].text + para.lines[0].words[-1].text + para.text)
            q = np.asarray(para.quad)
            above = [b for b in boxes if b[3] <= q[:, 1].min() and b[0] < q[:, 0].max() and b[2] > q[:, 0].min()]
            assert above, para.text
            for w in page.words:  # no text on a figure box
                wq = np.asarray(w.quad)
                for x0, y0, x1, y1, *_ in boxes:
                    assert wq[:, 0].max() <= x0 or wq[:, 0].min() >= x1 or wq[:, 1].max() <= y0 or wq[:, 1].min() >= y1
            seen += 1
    assert seen >= 3


def test_footnote_markers_in_the_text_match_the_footnotes(pages):
    sup = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
    seen = 0
    for page in pages:
        notes = [p.lines[0].words[0].text for p in page.paragraphs if p.role == "footnote"]
        marks = [w.text for p in page.paragraphs if p.role == "body" for ln in p.lines for w in ln.words
                 if any(ch in w.text for ch in "⁰¹²³⁴⁵⁶⁷⁸⁹")]
        if not notes:
            assert not marks
        for m in marks:
            digits = "".join(ch for ch in m if ch in "⁰¹²³⁴⁵⁶⁷⁸⁹").translate(sup)
            assert digits in notes, (m, notes)
            assert m.translate(sup).endswith(digits)  # the marker ends its word (or is one)
            seen += 1
    assert seen >= 2


def test_header_above_and_footer_below_everything(pages):
    for page in pages:
        paras = page.paragraphs
        tops = [float(p.quad[:, 1].min()) for p in paras]
        bottoms = [float(p.quad[:, 1].max()) for p in paras]
        for k, p in enumerate(paras):
            if p.role == "header":
                assert bottoms[k] < min(t for j, t in enumerate(tops) if j != k)
            if p.role == "footer":
                assert tops[k] > max(b for j, b in enumerate(bottoms) if j != k)
                assert str(page.meta["page_number"]) in p.text


def test_heading_numbers_match_levels(pages):
    numbered = 0
    for page in pages:
        for para in page.paragraphs:
            if para.role != "heading":
                continue
            assert 1 <= para.level <= 3
            if page.meta["heading_numbered"]:
                numbered += 1
                first = para.lines[0].words[0].text
                assert re.fullmatch(r"\d+" + r"\.\d+" * (para.level - 1), first), (first, para.level)
                assert re.match(r"\d+" + r"\.\d+" * (para.level - 1), para.text)
    assert numbered


def test_heading_numbers_follow_each_other(pages):
    """Within a page, each numbered heading continues the previous one (1.2 -> 1.3, 1.3 -> 1.3.1 or 2)."""
    for page in pages:
        if not page.meta["heading_numbered"]:
            continue
        nums = [tuple(int(x) for x in p.lines[0].words[0].text.split("."))
                for p in page.paragraphs if p.role == "heading"]
        for a, b in zip(nums, nums[1:]):
            k = len(b) - 1
            assert len(b) <= len(a) + 1 and b[:k] == a[:k] and b[k] == (a[k] + 1 if len(a) > k else 1), (a, b)


def test_list_items_start_with_a_marker_word(pages):
    p = Params()
    bullets = set(p.bullet_weights) | set(p.sub_bullet_weights) | {"-"}
    marker = re.compile(r"\(?(\d+|[a-z]+)[.)]")
    items = 0
    for page in pages:
        paras = page.paragraphs
        for k, para in enumerate(paras):
            if para.role != "list_item":
                continue
            items += 1
            assert para.level in (1, 2)
            first = para.lines[0].words[0]
            new_column = float(paras[k - 1].quad[:, 1].max()) > float(para.quad[:, 1].min())
            if first.text in bullets or marker.fullmatch(first.text):
                if len(para.lines[0].words) > 1:  # the text hangs right of the marker
                    assert float(para.lines[0].words[1].quad[:, 0].min()) > float(first.quad[:, 0].max())
                for line in para.lines[1:]:  # continuation lines align with the text, not the marker
                    assert float(line.quad[:, 0].min()) > float(first.quad[:, 0].max())
            else:
                assert new_column  # only an item continued from the previous column lacks its marker
    assert items


def test_rules_are_drawn_and_clear_of_text(samples):
    footnoted = 0
    for s in samples:
        page = s.page
        rules = page.meta["rules"]
        words = _boxes([w.quad for w in page.words])
        for x0, y0, x1, y1, *rgb in rules:
            assert 0 <= x0 <= x1 < page.width and 0 <= y0 <= y1 < page.height
            assert _max_overlap(np.array([[x0, y0, x1 + 1, y1 + 1]], np.float64), words) == 0
            under = s.image[y0:y1 + 1, x0:x1 + 1].astype(int)
            above = s.image[max(0, y0 - 4), x0:x1 + 1].astype(int)
            assert (under == rgb).all() and (above != rgb).any()  # the render stage drew it
        fns = [p for p in page.paragraphs if p.role == "footnote"]
        if fns:
            footnoted += 1
            top = float(fns[0].quad[:, 1].min())
            assert any(y1 < top and top - y1 < 3 * page.meta["body_size_px"] for _, _, _, y1, *_ in rules)
            body_bottom = max(float(p.quad[:, 1].max()) for p in page.paragraphs if ORDER[p.role] == 2)
            assert body_bottom < top
    assert footnoted


def test_two_column_pages_read_column_by_column(pages):
    two = [p for p in pages if p.meta["columns"] == 2]
    assert two
    for page in two:
        mid = page.width / 2
        cols = [int(float(p.quad[:, 0].min()) > mid) for p in page.paragraphs if ORDER[p.role] == 2]
        assert cols == sorted(cols) and set(cols) == {0, 1}


@pytest.mark.parametrize("body, key", [
    ("mode: document\nfooter_formats: {'*': ['page']}\n", "footer_formats"),
    ("mode: document\nlist_marker_weights: {'1.': 1}\n", "list_marker_weights"),
    ("mode: document\nheading_level_weights: {4: 1}\n", "heading_level_weights"),
    ("mode: document\nfootnote_p: -0.1\n", "footnote_p"),
])
def test_bad_document_template_is_a_one_line_error(tmp_path, body, key):
    path = tmp_path / "bad_document.yaml"
    path.write_text(body)
    with pytest.raises(SynthdocError) as e:
        load_template(str(path))
    assert key in str(e.value) and "\n" not in str(e.value)


def test_user_template_single_column_with_footnotes(tmp_path):
    path = tmp_path / "memo.yaml"
    path.write_text("mode: document\ncolumn_weights: {1: 1}\nfootnote_p: 1\nheader_p: 1\nfooter_p: 1\ntitle_p: 0\n")
    factory = SampleFactory(GenerateConfig(languages=["ru", "zh-Hant"], layouts={str(path): 1}, seed=2))
    for i in range(2):
        page = factory.make(i).page
        check(page)
        roles = [p.role for p in page.paragraphs]
        assert page.layout == "memo" and page.meta["columns"] == 1
        assert roles[0] == "header" and roles[-1] == "footer" and "footnote" in roles and "title" not in roles
