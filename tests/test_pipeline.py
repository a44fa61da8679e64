"""synthdoc.pipeline: the render stage draws what the page's typed fields say (background, rules), per-sample
counters come back with each sample (SampleStats), and the writer's info is built from them and page.fonts."""
from __future__ import annotations

import numpy as np
import pytest

from synthdoc import parallel
from synthdoc.config import GenerateConfig
from synthdoc.doc import BackgroundSpec, Rule
from synthdoc.errors import SampleError
from synthdoc.pipeline import SampleFactory
from synthdoc.stats import SampleStats


@pytest.fixture(scope="module")
def factory(catalogue):
    return SampleFactory(GenerateConfig(languages=["eng_Latn"], layouts={"multi_column": 1.0}, seed=2),
                         catalogue=catalogue)


def _text_free(page) -> np.ndarray:
    """(H, W) bool: pixels at least 4 px away from every word box."""
    free = np.ones((page.height, page.width), bool)
    for w in page.words:
        x0, y0 = np.floor(w.quad.min(axis=0)).astype(int) - 4
        x1, y1 = np.ceil(w.quad.max(axis=0)).astype(int) + 4
        free[max(0, y0):y1, max(0, x0):x1] = False
    return free


def test_rules_of_the_page_are_drawn_under_the_text(factory):
    page, _ = factory.layout_page(0, 0)
    page.rules = [Rule(5, 6, 40, 9, (200, 0, 0)), Rule(20, 7, 30, 8, (0, 0, 255), kind="shade")]
    image, _ = factory.render(page, 0, 0)
    assert (image[6:10, 5:20] == (200, 0, 0)).all() and (image[6:10, 31:41] == (200, 0, 0)).all()
    assert (image[7:9, 20:31] == (0, 0, 255)).all()  # drawn later, on top of the first
    assert not (image[11:20, 5:41] == (200, 0, 0)).all(axis=-1).any()  # inclusive corners, nothing more


def test_a_solid_background_spec_is_drawn_and_reported(factory):
    page, _ = factory.layout_page(0, 0)
    page.background = BackgroundSpec("solid", params={"kind": "solid", "rgb": [10, 200, 30]})
    image, params = factory.render(page, 0, 0)
    assert params["kind"] == "solid" and [int(c) for c in params["rgb"]] == [10, 200, 30]
    assert (image[_text_free(page)] == (10, 200, 30)).all()


def test_paper_grey_range_of_the_spec_sets_the_paper(factory):
    page, _ = factory.layout_page(0, 0)
    page.background = BackgroundSpec(gray_range=(90.0, 90.0))
    image, _ = factory.render(page, 0, 0)
    paper = image[_text_free(page)].astype(int)
    assert np.abs(paper - 90).max() <= 6  # grey 90 with a tint of at most 6 per channel


def test_meta_fonts_and_background_are_derived_from_typed_fields(factory):
    sample = factory.make(1)
    page = sample.page
    uses = [f.use for f in page.fonts]
    assert uses[:2] == ["body", "bold"] and set(uses[2:]) <= {"italic_emphasis", "bold_emphasis", "title"}
    assert sample.meta["fonts"] == {f.use: f"{f.family} {f.style}" for f in page.fonts}
    assert sample.meta["paper_gray_range"] == list(page.background.gray_range)
    assert sample.meta["plan"]["layout"] == "multi_column" and sample.meta["plan"]["tape"] is not None
    assert all(f.path and f.family for f in page.fonts)


def test_retries_are_counted_per_sample(catalogue, monkeypatch):
    f = SampleFactory(GenerateConfig(languages=["eng_Latn"], seed=2), catalogue=catalogue)
    real = f.layout_page
    calls = []

    def flaky(index, attempt, stats=None):
        calls.append(attempt)
        if attempt < 2:
            raise SampleError("does not fit")
        return real(index, attempt, stats)

    monkeypatch.setattr(f, "layout_page", flaky)
    sample = f.make(0)
    assert calls == [0, 1, 2] and sample.attempts == 3 and sample.stats.retries == 2
    assert f.make(0).stats.retries == 2  # a value per sample, not a running total


def test_text_the_face_cannot_draw_is_skipped_and_counted(tmp_path, catalogue):
    corpus = tmp_path / "corpus.txt"
    bad = "This paragraph has a character no font draws: \U00013000 here."
    good = "A plain paragraph of ordinary English words that every face can draw without trouble at all."
    corpus.write_text("\n".join([bad, good, bad, good] * 30) + "\n")
    f = SampleFactory(GenerateConfig(languages=["eng_Latn"], seed=2, corpus={"eng_Latn": str(corpus)}),
                      catalogue=catalogue)
    samples = [f.make(i) for i in range(3)]
    assert all(s.stats.skipped_for_coverage > 0 for s in samples)
    assert all("\U00013000" not in s.page.text for s in samples)


def test_writer_info_comes_from_the_sample(factory):
    sample = factory.make(3)
    (index, row, info), = list(parallel.generate_rows(factory.cfg, [3], 1, factory.corpora, factory))
    assert index == 3 and row.column("id")[0].as_py() == sample.id
    assert info["stats"] == sample.stats.as_dict() == {"retries": sample.stats.retries,
                                                       "skipped_for_coverage": sample.stats.skipped_for_coverage}
    assert info["fonts"] == sorted({f.family for f in sample.page.fonts})
    assert info["layout"] == "multi_column"


def test_sample_stats_add():
    assert SampleStats(1, 2) + SampleStats(3, 4) == SampleStats(4, 6)


def test_replay_layout_from_a_rows_meta_json(factory):
    import json

    from synthdoc.errors import SynthdocError
    from synthdoc.pipeline import sample_meta_json

    sample = factory.make(4)
    page = factory.replay_layout("en", json.loads(sample_meta_json(sample)))
    assert page.text == sample.page.text
    assert [w.quad.tolist() for w in page.words] == [w.quad.tolist() for w in sample.page.words]
    with pytest.raises(SynthdocError, match="no recorded layout plan"):
        factory.replay_layout("en", {})


def test_layout_retrying_counts_failed_attempts_and_names_the_last_reason(monkeypatch):
    from synthdoc.errors import SynthdocError

    factory = SampleFactory(GenerateConfig(languages=["en"], max_retries=3))
    real = factory.layout_page
    tried = []

    def flaky(index, attempt, stats=None):
        tried.append(attempt)
        if attempt < 2:
            raise SampleError(f"no room on attempt {attempt}")
        return real(index, attempt, stats)

    monkeypatch.setattr(factory, "layout_page", flaky)
    stats = SampleStats()
    page, template, attempt = factory.layout_retrying(4, stats)
    assert (attempt, tried, stats.retries) == (2, [0, 1, 2], 2) and page.paragraphs and template.mode
    assert factory.make(4).attempts == 3  # make lays out through the same retries

    monkeypatch.setattr(factory, "layout_page", lambda index, attempt, stats=None: (_ for _ in ()).throw(
        SampleError(f"no room on attempt {attempt}")))
    with pytest.raises(SynthdocError, match=r"sample 4 failed 3 times \(last: no room on attempt 2\)"):
        factory.layout_retrying(4)
