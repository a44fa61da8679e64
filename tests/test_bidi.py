"""Bidirectional text (UAX #9 through ICU): embedding levels and visual runs, mixed-direction lines laid out
visually with labels in logical order, mirrored brackets, and right-to-left pages in every layout mode —
right-aligned paragraphs, columns and table columns from right to left, list markers and bullets on the right —
with previews whose reading-order arrows follow the lines; the CLI generates ar, he, hi and th."""
from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from synthdoc.config import GenerateConfig
from synthdoc.doc import check
from synthdoc.fonts.catalogue import FontCatalogue
from synthdoc.languages import LanguageRegistry, load_fonts_yaml
from synthdoc.layout.base import LayoutInput
from synthdoc.layout.typeset import place_horizontal, typeset_horizontal
from synthdoc.pipeline import SampleFactory
from synthdoc.render.face import FaceCache
from synthdoc.render.itemize import bidi_paragraph

AR_MIXED = "قال المدير إن شركة Google Maps ستفتح 3 مكاتب في عام 2024 (قريبا)."


@pytest.fixture(scope="module")
def styles():
    """lang alias -> TextStyle of its Noto sans face (the first sans face if none) at 30 px (with its fallback face):
    the tests below rely on Noto Sans Arabic / Hebrew leaving the parentheses to the fallback face."""
    reg, cat, fc = LanguageRegistry(load_fonts_yaml()), FontCatalogue(), FaceCache()
    out = {}
    for alias in ("ar", "he", "en"):
        lang = reg.resolve(alias)
        faces = cat.faces_for(lang)
        face = next((f for f in faces["sans"] if f.family.startswith("Noto Sans") and f.style == "Regular"),
                    faces["sans"][0])
        out[alias] = LayoutInput(lang, faces, fc, sampler=None).style(face, 30, (0, 0, 0))
    return out


# ----------------------------------------------------------------------------- levels


def test_levels_of_a_left_to_right_paragraph_with_hebrew_and_digits():
    text = "abc אבג 123 def"
    para = bidi_paragraph(text, None)  # P2-P3: the first strong character is L
    assert para.base_level == 0 and not para.rtl
    lv = para.levels.tolist()
    assert lv[0:4] == [0, 0, 0, 0] and lv[4:7] == [1, 1, 1]
    assert lv[8:11] == [2, 2, 2]  # European digits after R: EN raised to the next even level (I1)
    assert lv[12:] == [0, 0, 0]


def test_paragraph_direction_from_first_strong_or_from_the_language():
    assert bidi_paragraph("שלום world", None).base_level == 1
    assert bidi_paragraph("Google ستفتح", None).base_level == 0
    assert bidi_paragraph("Google ستفتح", "rtl").base_level == 1  # HL1: the language says right to left
    with pytest.raises(ValueError, match="direction"):
        bidi_paragraph("x", "ttb")


def test_visual_runs_of_a_line():
    para = bidi_paragraph(AR_MIXED, "rtl")
    start = AR_MIXED.index("شركة")
    end = AR_MIXED.index("ستفتح") + len("ستفتح")
    runs = para.visual_runs(start, end)  # "شركة Google Maps ستفتح", left to right on the page
    assert [(AR_MIXED[a:b], rtl) for a, b, rtl in runs] == [(" ستفتح", True), ("Google Maps", False),
                                                            ("شركة ", True)]
    assert "".join(AR_MIXED[a:b] for a, b, _ in sorted(runs)) == AR_MIXED[start:end]


def test_non_bmp_text_maps_utf16_back_to_code_points():
    text = "a𝐀b שלום 😀"  # astral characters take two UTF-16 units in ICU
    para = bidi_paragraph(text, "ltr")
    assert len(para.levels) == len(text)
    assert para.levels[text.index("ש")] == 1 and para.levels[1] == 0
    assert sorted(a for a, _, _ in para.visual_runs(0, len(text)))[0] == 0


# ----------------------------------------------------------------------------- lines


def test_mixed_line_is_visual_labels_are_logical(styles):
    st = styles["ar"]
    (line,) = typeset_horizontal(AR_MIXED, st, 1e5)
    assert line.direction == "rtl" and line.text == AR_MIXED
    words = {w: (a, b) for w, a, b in line.words}
    assert [w for w, _, _ in line.words] == AR_MIXED.split(" ")  # logical order
    x = lambda w: words[w][0]  # noqa: E731
    assert x("قال") > x("المدير") > x("إن") > x("شركة")  # Arabic reads right to left
    assert x("شركة") > x("Maps") > x("Google")  # the English phrase sits left of شركة, read left to right
    assert x("Google") > x("ستفتح") > x("3") > x("مكاتب") > x("2024")
    # the digits of 2024 run left to right: the glyph of "2" lies left of the glyph of "4"
    x0, x1 = words["2024"]
    xs = {}
    for s, gids, pos, _ in line.runs:
        for d in "24":
            gid = s.face.hb_font.get_nominal_glyph(ord(d))
            xs.setdefault(d, []).extend(float(x) for g, x in zip(gids.tolist(), pos[:, 0]) if g == gid and x0 <= x < x1)
    assert len(xs["2"]) == 2 and len(xs["4"]) == 1 and max(xs["2"]) < xs["4"][0]


def test_brackets_are_mirrored_in_right_to_left_runs(styles):
    st = styles["ar"]
    (line,) = typeset_horizontal("الخميس (في الشمال)", st, 1e5)
    font = st.fallback.hb_font  # Noto Sans Arabic has no parentheses: the fallback draws them
    open_gid, close_gid = font.get_nominal_glyph(ord("(")), font.get_nominal_glyph(ord(")"))
    (fb_run,) = [(g, p) for s, g, p, _ in line.runs if s.face is st.fallback]
    order = [int(g) for g, _ in sorted(zip(fb_run[0], fb_run[1][:, 0]), key=lambda t: t[1])]
    # left to right on the page: the closing ")" (drawn as "(") at the left end, the opening "(" (drawn ")") right
    assert order == [open_gid, close_gid]


def test_hebrew_line_right_aligned_when_mirrored(styles):
    st = styles["he"]
    lines = typeset_horizontal("שלום עולם, זה טקסט קצר.", st, 600)
    line, _ = place_horizontal(lines[0], 100.0, 100.0, " ", mirror_px=1000.0)
    q = np.asarray(line.quad)
    assert abs(q[:, 0].max() - 900.0) <= 0.01  # frame [100, 700] mirrored to [300, 900], start = right edge
    assert line.words[0].quad[0, 0] > line.words[-1].quad[0, 0]
    assert line.direction == "rtl" and np.allclose(q[0], q.min(axis=0))  # vertex 0: top-left of the frame


# ----------------------------------------------------------------------------- pages


def _body_columns(page):
    """Body lines grouped by column (by the x of their right edge), in reading order of appearance."""
    cols: list[list] = []
    for p in page.paragraphs:
        if p.role != "body":
            continue
        for ln in p.lines:
            right = float(np.asarray(ln.quad)[:, 0].max())
            for col in cols:
                if abs(col[0] - right) < 30:
                    col[1].append(ln)
                    break
            else:
                cols.append([right, [ln]])
    return cols


@pytest.fixture(scope="module")
def rtl_multicolumn(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "rtl_cols.yaml"
    path.write_text("mode: multi_column\ncolumn_weights: {2: 1}\nalign_weights: {left: 1}\nparagraph_indent_p: 0\n"
                    "title_p: 0\nheading_p: 0\n")
    factory = SampleFactory(GenerateConfig(languages=["ar", "he", "fa"], layouts={str(path): 1}, seed=5))
    return [factory.make(i).page for i in range(3)]


def test_rtl_pages_are_right_aligned_with_columns_right_to_left(rtl_multicolumn):
    for page in rtl_multicolumn:
        check(page)
        assert {ln.direction for ln in page.lines} == {"rtl"}
        cols = _body_columns(page)
        assert len(cols) == 2, page.lang
        assert cols[0][0] > cols[1][0]  # the first column in reading order is the right one
        for right, lines in cols:  # start-aligned: every line ends flush at the column's right edge
            assert all(abs(float(np.asarray(ln.quad)[:, 0].max()) - right) <= 0.05 for ln in lines), page.lang
            lefts = [float(np.asarray(ln.quad)[:, 0].min()) for ln in lines]
            assert max(lefts) - min(lefts) > 20  # ragged on the left
        graph = page.relation_graph()  # logical reading order: words in the order of the text
        for ln, idx in zip(page.lines, graph["line_words"]):
            assert [page.words[i].text for i in idx] == [w.text for w in ln.words]
            assert ln.separator.join(w.text for w in ln.words) == ln.text


@pytest.mark.parametrize("mode", ["document", "table", "slide", "scattered", "toc"])
def test_every_mode_lays_out_right_to_left(mode):
    factory = SampleFactory(GenerateConfig(languages=["ar", "he"], layouts={mode: 1}, seed=2))
    for i in range(4):
        page = factory.make(i).page
        check(page)
        assert all((r.gids != 0).all() for r in page.runs)
        assert {ln.direction for ln in page.lines} == {"rtl"}
        if mode == "table":
            cells = [p for p in page.paragraphs if p.role == "table_cell"]
            row0 = {p.cell[1]: float(np.asarray(p.quad)[:, 0].mean()) for p in cells if p.cell[0] == 0 and p.cell[3] == 1}
            xs = [row0[c] for c in sorted(row0)]
            assert xs == sorted(xs, reverse=True), "column 0 is the rightmost"
            for p in cells:  # text inside the (mirrored) cell boxes of the metadata
                box = next(c for c in page.meta["cells"] if tuple(c[:4]) == tuple(p.cell))
                q = np.asarray(p.quad)
                assert box[4] - 1 <= q[:, 0].min() and q[:, 0].max() <= box[6] + 1
        if mode in ("document", "slide"):
            for p in page.paragraphs:
                if p.role == "list_item" and len(p.lines[0].words) > 1:
                    first = p.lines[0].words  # the marker is the first word and stands right of the text
                    assert np.asarray(first[0].quad)[:, 0].min() > np.asarray(first[1].quad)[:, 0].max()
        if mode == "toc":
            for p in page.paragraphs:
                if p.role == "toc_entry":  # reading: title ... leader, page number at the left end
                    xs = [float(np.asarray(w.quad)[:, 0].mean()) for w in p.lines[0].words]
                    assert xs == sorted(xs, reverse=True)


def test_preview_arrows_follow_rtl_reading_order(rtl_multicolumn):
    from synthdoc.preview import draw_annotations

    page = rtl_multicolumn[0]
    row = {"lines": {"quad": [ln.quad for ln in page.lines],
                     "parent": [pi for pi, p in enumerate(page.paragraphs) for _ in p.lines]},
           "words": {"quad": [w.quad for w in page.words]},
           "paragraphs": {"quad": [p.quad for p in page.paragraphs]}}
    img = np.full((page.height, page.width, 3), 255, np.uint8)
    out = draw_annotations(img, row)
    centres = [np.asarray(ln.quad).mean(axis=0) for ln in page.lines]
    hits = 0
    for a, b in zip(centres, centres[1:]):
        m = np.round((a + b) / 2).astype(int)
        patch = out[m[1] - 2:m[1] + 3, m[0] - 2:m[0] + 3].reshape(-1, 3).astype(int)
        hits += bool(((patch[:, 0] > 150) & (patch[:, 1] < 120) & (patch[:, 2] < 120)).any())  # red arrow there
    assert hits >= 0.9 * (len(centres) - 1)
    # an arrow from the last line of the right column goes left, to the top of the left column
    cols = _body_columns(page)
    last_right = centres[page.lines.index(cols[0][1][-1])]
    first_left = centres[page.lines.index(cols[1][1][0])]
    assert first_left[0] < last_right[0] and first_left[1] < last_right[1]


def test_cli_generates_arabic_hebrew_hindi_thai(tmp_path, synthdoc_cli):
    res = synthdoc_cli(["generate", "--languages", "ar,he,hi,th", "--pages", "4", "--seed", "3", "--out", "out"],
                       cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    rows = {r["lang"]: r for s in sorted((tmp_path / "out" / "data").glob("*/*.parquet"))
            for r in pq.read_table(s).to_pylist()}
    assert set(rows) == {"arb_Arab", "heb_Hebr", "hin_Deva", "tha_Thai"}
    for code, row in rows.items():
        assert set(row["lines"]["direction"]) == {"rtl" if code in ("arb_Arab", "heb_Hebr") else "ltr"}
        assert row["text"] == "\n".join(row["lines"]["text"])
    res = synthdoc_cli(["preview", "--dataset", "out", "--out", "prev", "--pages", "1"], cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert len(list((tmp_path / "prev").glob("*.png"))) == 4
