"""The `toc` layout mode: entries of title words, a dot leader word and a right-aligned page number."""
import re

import numpy as np
import pytest

from synthdoc.config import GenerateConfig
from synthdoc.doc import check
from synthdoc.errors import SynthdocError
from synthdoc.layout.template import load_template
from synthdoc.layout.toc import Params
from synthdoc.pipeline import SampleFactory

from layout_checks import max_box_overlap

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]


@pytest.fixture(scope="module")
def pages():
    factory = SampleFactory(GenerateConfig(languages=LANGS, layouts={"toc": 1}, seed=7))
    return [factory.make(i).page for i in range(18)]




def _entries(page):
    return [p for p in page.paragraphs if p.role == "toc_entry"]


def test_pages_pass_check_without_tofu_inside_the_page(pages):
    assert {p.lang for p in pages} == set(LANGS)
    for page in pages:
        check(page)
        assert page.layout == "toc"
        assert all((run.gids != 0).all() for run in page.runs)
        q = np.asarray([w.quad for w in page.words])
        assert (q[..., 0] >= 0).all() and (q[..., 0] <= page.width).all()
        assert (q[..., 1] >= 0).all() and (q[..., 1] <= page.height).all()
        assert {p.role for p in page.paragraphs} <= {"title", "toc_entry"}
        assert all(p.role != "title" for p in page.paragraphs[1:])  # a title only comes first


def test_no_two_word_quads_overlap(pages):
    for page in pages:
        assert max_box_overlap(np.asarray([w.quad for w in page.words], np.float64)) <= 1.0


def test_entry_reads_title_leader_number(pages):
    for page in pages:
        leader = page.meta["leader"]
        entries = _entries(page)
        assert len(entries) >= 5
        for para in entries:
            assert 1 <= para.level <= 3 and len(para.lines) == 1
            line = para.lines[0]
            *title, lead, number = line.words
            assert title and re.fullmatch(r"\d+", number.text)
            assert set(lead.text) == {leader} and len(lead.text) >= 3
            x0 = [float(w.quad[:, 0].min()) for w in line.words]
            x1 = [float(w.quad[:, 0].max()) for w in line.words]
            assert x0 == sorted(x0)  # reading order is left to right
            assert max(x1[:-2]) <= x0[-2] + 1e-3 and x1[-2] <= x0[-1] + 1e-3  # title | leader | number
            assert x1[-1] == max(x1)  # the number is the rightmost word
            sep = "" if page.lang in ("jpn_Jpan", "zho_Hans", "zho_Hant") else " "
            assert line.separator == sep and line.text == sep.join(w.text for w in line.words)
            if sep == "":
                assert line.text.endswith(lead.text + number.text)


def test_leader_quad_spans_its_glyphs(pages):
    """The leader word's quad runs from the first leader glyph's origin to the end of the last one's advance."""
    for page in pages:
        for para in _entries(page):
            lead = para.lines[0].words[-2]
            lx0, lx1 = float(lead.quad[:, 0].min()), float(lead.quad[:, 0].max())
            ly = float(lead.quad[:, 1].mean())
            inside = [run for run in page.runs
                      if len(run.origins) and (abs(run.origins[:, 1] - ly) < run.size_px).all()
                      and run.origins[:, 0].min() >= lx0 - 0.5 and run.origins[:, 0].max() <= lx1 + 0.5]
            n = sum(len(r.gids) for r in inside)
            assert n >= len(lead.text)  # every leader character drawn (an ellipsis may be one glyph)
            assert min(float(r.origins[:, 0].min()) for r in inside) == pytest.approx(lx0, abs=0.5)


def test_page_numbers_right_aligned_and_non_decreasing(pages):
    for page in pages:
        numbers = [p.lines[0].words[-1] for p in _entries(page)]
        right = [float(w.quad[:, 0].max()) for w in numbers]
        assert max(right) - min(right) <= 1.0
        values = [int(w.text) for w in numbers]
        assert values == sorted(values)


def test_levels_indent_and_section_numbers(pages):
    numbered = 0
    for page in pages:
        entries = _entries(page)
        assert entries[0].level == 1
        for a, b in zip(entries, entries[1:]):
            assert b.level <= a.level + 1  # never skips a level going deeper
        left = {}
        for para in entries:
            left.setdefault(para.level, set()).add(round(float(para.quad[:, 0].min()), 1))
        levels = sorted(left)
        for lo, hi in zip(levels, levels[1:]):
            assert min(left[hi]) > max(left[lo])  # deeper levels are indented
        if page.meta["numbered"]:
            numbered += 1
            for para in entries:
                first = para.lines[0].words[0].text
                assert re.fullmatch(r"\d+" + r"\.\d+" * (para.level - 1), first), (first, para.level)
    assert numbered  # both styles occur


def test_titles_localized_or_sampled(pages):
    titled = [p for p in pages if p.paragraphs[0].role == "title"]
    assert titled
    localized = Params().localized_titles
    assert any(p.paragraphs[0].text in localized[p.lang] for p in titled)


@pytest.mark.parametrize("ignore_p, expected", [(0, False), (1, True)])
def test_leader_ignore_flag_follows_template(tmp_path, ignore_p, expected):
    path = tmp_path / f"toc_ignore{ignore_p}.yaml"
    path.write_text(f"mode: toc\nleaders_ignore_p: {ignore_p}\n")
    factory = SampleFactory(GenerateConfig(languages=["en", "ja"], layouts={str(path): 1}, seed=3))
    for i in range(4):
        page = factory.make(i).page
        check(page)
        assert page.layout == path.stem and page.meta["leaders_ignored"] is expected
        for para in _entries(page):
            words = para.lines[0].words
            assert words[-2].ignore is expected
            assert not any(w.ignore for k, w in enumerate(words) if k != len(words) - 2)


def test_long_titles_are_cut_to_fit_a_narrow_page(tmp_path):
    path = tmp_path / "narrow_toc.yaml"
    path.write_text("mode: toc\npage_sizes_mm: {narrow: [80, 160]}\npage_size_weights: {narrow: 1}\n"
                    "entry_size_px_range: [26, 26]\nentry_max_words: 12\nentry_max_chars: 30\nmin_leader_glyphs: 4\n"
                    "depth_weights: {3: 1}\n")
    factory = SampleFactory(GenerateConfig(languages=["en", "zh-Hans"], layouts={str(path): 1}, seed=1))
    for i in range(4):
        page = factory.make(i).page
        check(page)
        assert max_box_overlap(np.asarray([w.quad for w in page.words], np.float64)) <= 1.0
        for para in _entries(page):
            assert len(para.lines[0].words[-2].text) >= 4
            assert float(para.quad[:, 0].max()) <= page.width


@pytest.mark.parametrize("body, key", [
    ("mode: toc\nleaders_ignore_p: 2\n", "leaders_ignore_p"),
    ("mode: toc\ndepth_weights: {4: 1}\n", "depth_weights"),
    ("mode: toc\nleader_weights: {'..': 1}\n", "leader_weights"),
    ("mode: toc\nlocalized_titles: {eng_Latn: []}\n", "localized_titles"),
])
def test_bad_toc_template_is_a_one_line_error(tmp_path, body, key):
    path = tmp_path / "bad_toc.yaml"
    path.write_text(body)
    with pytest.raises(SynthdocError) as e:
        load_template(str(path))
    assert key in str(e.value) and "\n" not in str(e.value)
