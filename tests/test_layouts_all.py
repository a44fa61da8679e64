"""Every registered layout mode in every language it supports: check passes, no tofu, words inside the page,
no overlapping words (except scattered, which has its own test), and user templates are data."""
import numpy as np
import pytest

from synthdoc.config import GenerateConfig
from synthdoc.doc import check
from synthdoc.errors import SynthdocError
from synthdoc.languages import LanguageRegistry, load_fonts_yaml
from synthdoc.layout import registry
from synthdoc.layout.template import load_template
from synthdoc.pipeline import SampleFactory

from layout_checks import max_box_overlap

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]
MODES = sorted(registry.modes())
REG = LanguageRegistry(load_fonts_yaml())




@pytest.mark.parametrize("mode", MODES)
def test_mode_in_every_supported_language(mode):
    langs = [c for c in LANGS if registry.supports(mode, REG.resolve(c))]
    assert langs, f"{mode} supports no language"
    factory = SampleFactory(GenerateConfig(languages=langs, layouts={mode: 1}, seed=11))
    for i in range(len(langs)):
        sample = factory.make(i)
        page = sample.page
        check(page)
        assert page.layout == mode and page.lang == langs[i]
        assert all((run.gids != 0).all() for run in page.runs)
        quads = np.asarray([w.quad for w in page.words])
        assert (quads[..., 0] >= -1).all() and (quads[..., 0] <= page.width + 1).all()
        assert (quads[..., 1] >= -1).all() and (quads[..., 1] <= page.height + 1).all()
        if mode != "scattered":  # axis-aligned text: word boxes never overlap
            assert max_box_overlap(quads) <= 1.0, (mode, langs[i])


def test_user_template_from_a_temporary_folder(tmp_path):
    path = tmp_path / "narrow.yaml"
    path.write_text("mode: multi_column\ncolumn_weights: {3: 1}\ntitle_p: 0\nbody_size_px_range: [16, 16]\n")
    factory = SampleFactory(GenerateConfig(languages=["en"], layouts={str(path): 1}))
    page = factory.make(0).page
    check(page)
    assert page.layout == "narrow" and page.meta["columns"] == 3 and page.meta["body_size_px"] == 16


@pytest.mark.parametrize("body, key", [
    ("mode: multi_column\nbody_size_px_range: [30, 10]\n", "body_size_px_range"),
    ("mode: multi_column\nno_such_key: 1\n", "no_such_key"),
    ("mode: multi_column\ntitle_p: 2\n", "title_p"),
    ("mode: no_such_mode\n", "no_such_mode"),
])
def test_bad_template_is_a_one_line_error_naming_file_and_key(tmp_path, body, key):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(SynthdocError) as e:
        load_template(str(path))
    msg = str(e.value)
    assert str(path) in msg and key in msg and "\n" not in msg


def test_multi_column_reading_order_columns_left_to_right():
    """Every line of column k precedes every line of column k+1; within a column lines go down."""
    factory = SampleFactory(GenerateConfig(languages=["en", "ja"], layouts={"multi_column": 1}, seed=2))
    seen_multi = False
    for i in range(8):
        page = factory.make(i).page
        body = [(round(float(p.quad[:, 0].min())), ln) for p in page.paragraphs if p.role != "title" for ln in p.lines]
        starts = []  # column left edges: x positions more than a gutter apart (indents are smaller)
        for x in sorted({x for x, _ in body}):
            if not starts or x - starts[-1] > 0.12 * page.width:
                starts.append(x)
        seen_multi |= len(starts) > 1
        col_of = [sum(x >= s - 1 for s in starts) - 1 for x, _ in body]
        assert col_of == sorted(col_of)
        for (_, a), (_, b), ca, cb in zip(body, body[1:], col_of, col_of[1:]):
            if ca == cb:
                assert b.quad[0][1] > a.quad[0][1]
    assert seen_multi


def test_write_dataset_with_every_mode(tmp_path):
    """One dataset mixing every mode: written, loadable, and each mode present in the `layout` column."""
    import pyarrow.parquet as pq

    from synthdoc.api import write_dataset

    summary = write_dataset(GenerateConfig(languages=["ja", "en"], pages=4 * len(MODES), seed=4,
                                           layouts={m: 1 for m in MODES}), tmp_path / "ds")
    assert summary.pages == 4 * len(MODES)
    table = pq.read_table(sorted((tmp_path / "ds").glob("data/*/*.parquet")))
    assert table.num_rows == 4 * len(MODES)
    assert len(set(table.column("layout").to_pylist())) >= len(MODES) - 2  # a random mixture of 28 pages
    card = (tmp_path / "ds" / "README.md").read_text()
    assert "## Layouts" in card and "## Fonts" in card


@pytest.mark.parametrize("mode", ["multi_column", "document", "slide"])
def test_paragraphs_the_face_cannot_draw_are_skipped_and_counted(tmp_path, mode):
    """An English corpus with Thai paragraphs: English faces lack Thai, so those paragraphs are skipped (never
    drawn as tofu) and counted in the run summary."""
    import pyarrow.parquet as pq

    from synthdoc.api import write_dataset

    english = "The harbour master counted the boats that came back before the storm reached the bay."
    thai = "ชาวประมงกลับเข้าฝั่งก่อนที่พายุจะมาถึงอ่าว"
    corpus = tmp_path / "mixed.txt"
    corpus.write_text("\n\n".join([english, thai] * 40) + "\n", encoding="utf-8")
    summary = write_dataset(GenerateConfig(languages=["en"], pages=2, seed=4, layouts={mode: 1.0},
                                           corpus={"eng_Latn": str(corpus)}), tmp_path / "ds")
    assert summary.skipped_for_coverage > 0
    rows = [r for f in sorted((tmp_path / "ds").glob("data/*/*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert rows and all("ชาว" not in r["text"] for r in rows)
    assert any("harbour" in r["text"] for r in rows)


@pytest.mark.parametrize("body, needle", [("[1, 2]\n", "a layout template file must be a YAML mapping"),
                                          ("mode: [\n", "invalid YAML")])
def test_template_that_is_not_a_yaml_mapping_is_a_one_line_error(tmp_path, body, needle):
    path = tmp_path / "odd.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SynthdocError, match=needle) as e:
        load_template(str(path))
    assert "\n" not in str(e.value) and "odd.yaml" in str(e.value)
