"""The `table` layout mode: cells with (row, col, span) labels, boxes that tile the table, text inside its cell,
row-major reading order, right-aligned numeric columns, merged cells, and rules that no ink touches."""
import re

import numpy as np
import pytest

from synthdoc.config import GenerateConfig
from synthdoc.doc import check
from synthdoc.errors import SynthdocError
from synthdoc.layout.template import load_template
from synthdoc.pipeline import SampleFactory
from synthdoc.render.compose import text_masks
from synthdoc.writers.parquet import sample_to_row

from layout_checks import max_box_overlap

LANGS = ["eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant"]
N_PAGES = 18
_TAGS = {"eng_Latn": "en", "jpn_Jpan": "ja", "kor_Hang": "ko", "rus_Cyrl": "ru", "zho_Hans": "zh-Hans",
         "zho_Hant": "zh-Hant"}  # fonts.yaml hb_language


@pytest.fixture(scope="module")
def factory():
    return SampleFactory(GenerateConfig(languages=LANGS, layouts={"table": 1}, seed=3))


@pytest.fixture(scope="module")
def samples(factory):
    return [factory.make(i) for i in range(N_PAGES)]


@pytest.fixture(scope="module")
def pages(samples):
    return [s.page for s in samples]




def _cells(page):
    return [p for p in page.paragraphs if p.role == "table_cell"]


def _boxes(page) -> dict:
    return {(r, c): (rs, cs, np.array(box, np.float64)) for r, c, rs, cs, *box in page.meta["cells"]}


def _template(tmp_path, name: str, body: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text("mode: table\n" + body)
    return str(path)


def test_pages_pass_check_and_have_no_tofu(pages):
    assert {p.lang for p in pages} == set(LANGS)
    for page in pages:
        check(page)
        assert page.layout == "table"
        assert all((run.gids != 0).all() for run in page.runs)
        assert _cells(page)


def test_no_two_word_quads_overlap(pages):
    for page in pages:
        assert max_box_overlap([w.quad for w in page.words]) <= 1.0


def test_cells_are_labelled_and_boxes_do_not_overlap(pages):
    for page in pages:
        boxes = _boxes(page)
        assert len(boxes) == len(page.meta["cells"])  # one box per grid position
        for para in page.paragraphs:
            if para.role == "table_cell":
                assert para.cell is not None and tuple(para.cell[:2]) in boxes
                assert boxes[tuple(para.cell[:2])][:2] == tuple(para.cell[2:])
            else:
                assert para.cell is None
        items = list(boxes.values())
        for _, _, a in items:
            assert a[2] > a[0] and a[3] > a[1]
        assert max_box_overlap([b for _, _, b in items]) <= 1.0
        # the boxes tile the table box exactly
        x0, y0, x1, y1 = page.meta["table_box"]
        assert sum((b[2] - b[0]) * (b[3] - b[1]) for _, _, b in items) == pytest.approx((x1 - x0) * (y1 - y0))


def test_words_lie_inside_their_cell_box_minus_padding(pages):
    for page in pages:
        boxes = _boxes(page)
        pad_x, pad_y = page.meta["cell_padding_px"]
        assert pad_x >= 5 and pad_y >= 4
        for para in _cells(page):
            x0, y0, x1, y1 = boxes[tuple(para.cell[:2])][2]
            for line in para.lines:
                for w in line.words:
                    q = np.asarray(w.quad, np.float64)
                    assert q[:, 0].min() >= x0 + pad_x - 0.01 and q[:, 0].max() <= x1 - pad_x + 0.01, w.text
                    assert q[:, 1].min() >= y0 + pad_y - 0.01 and q[:, 1].max() <= y1 - pad_y + 0.01, w.text


def test_reading_order_is_caption_then_cells_row_major(pages):
    for page in pages:
        roles = [p.role for p in page.paragraphs]
        first = roles.index("table_cell")
        last = len(roles) - 1 - roles[::-1].index("table_cell")
        assert set(roles[first:last + 1]) == {"table_cell"}  # the cells are contiguous
        order = [tuple(p.cell[:2]) for p in _cells(page)]
        assert order == sorted(order)
        if page.meta["caption"] == "above":
            assert roles[first - 1] == "caption"
        elif page.meta["caption"] == "below":
            assert roles[last + 1] == "caption"
        else:
            assert "caption" not in roles


def test_header_row_spans_all_columns_and_at_least_two_body_rows(pages):
    for page in pages:
        n_cols = page.meta["columns"]
        assert 2 <= n_cols <= 8
        header = [p for p in _cells(page) if p.cell[0] == 0]
        assert sum(p.cell[3] for p in header) == n_cols
        body_rows = {r for r, *_ in page.meta["cells"] if r >= page.meta["header_rows"]}
        assert len(body_rows) >= 2
        # every grid position is covered by exactly one cell
        grid = np.zeros((page.meta["rows"], n_cols), int)
        for r, c, rs, cs, *_ in page.meta["cells"]:
            grid[r:r + rs, c:c + cs] += 1
        assert (grid == 1).all()


def _edge_x(word, right: bool) -> float:
    q = np.asarray(word.quad)[:, 0]
    return float(q.max() if right else q.min())


def _decimal_x(para, sep: str) -> float:
    """x of the decimal separator's left edge (of the number's right edge when it has none), from char quads."""
    word = para.lines[-1].words[-1] if sep not in para.text else next(w for ln in para.lines for w in ln.words
                                                                           if sep in w.text)
    spans = [t for t, *_ in word.char_spans()]
    quads = word.char_quads()
    if sep not in word.text:
        return float(quads[:, :, 0].max())
    k = max(i for i, t in enumerate(spans) if t == sep)
    return float(quads[k][:, 0].min())


def test_at_least_half_the_columns_are_typed(pages):
    for page in pages:
        kinds = page.meta["column_kinds"]
        assert sum(k == "numeric" for k in kinds) >= len(kinds) / 2, kinds
        assert set(page.meta["numeric_kinds"].values()) <= {"integer", "decimal", "percent", "currency", "date",
                                                           "time", "code", "unit"}
    seen = {k for page in pages for k in page.meta["numeric_kinds"].values()}
    assert len(seen) >= 6, seen


def _check_alignment(pages) -> dict:
    """Right-aligned: every line's last word ends at the cell's right edge less the padding; left-aligned: the
    first word starts at the left edge plus the padding; decimal-aligned: the decimal separators (char quads) of
    the column's cells share one x."""
    from synthdoc.layout.table_values import decimal_separator, locale_for

    seen = {"right": 0, "left": 0, "decimal": 0}
    for page in pages:
        boxes, pad_x = _boxes(page), page.meta["cell_padding_px"][0]
        sep = decimal_separator(locale_for(_TAGS[page.lang]))
        aligns = {int(c): a for c, a in page.meta["column_align"].items()}
        decimal_x: dict[int, list[float]] = {}
        for para in _cells(page):
            r, c, rs, cs = para.cell
            if cs != 1 or c not in aligns or r < page.meta["header_rows"] or para.text in ("", "—", "-"):
                continue
            x0, x1 = boxes[(r, c)][2][0], boxes[(r, c)][2][2]
            if aligns[c] == "right":
                for line in para.lines:
                    assert abs(_edge_x(line.words[-1], True) - (x1 - pad_x)) <= 1.0, line.text
            elif aligns[c] == "left":
                assert abs(_edge_x(para.lines[0].words[0], False) - (x0 + pad_x)) <= 1.0, para.text
            else:
                decimal_x.setdefault(c, []).append(_decimal_x(para, sep))
            seen[aligns[c]] += 1
        for c, xs in decimal_x.items():
            assert max(xs) - min(xs) <= 1.5, (page.lang, c, xs)
    return seen


def test_typed_columns_are_aligned_as_declared(pages):
    seen = _check_alignment(pages)
    assert seen["right"] > 50 and seen["left"] > 0, seen


def test_decimal_aligned_columns(tmp_path):
    path = _template(tmp_path, "decimal", "column_type_weights: {decimal: 1}\ntyped_col_p: 1\n"
                     "column_weights: {3: 1}\nmerge_p: 0\n")
    factory = SampleFactory(GenerateConfig(languages=["en", "ru", "ja"], layouts={path: 1}, seed=11))
    pages = [factory.make(i).page for i in range(9)]
    assert any("decimal" in p.meta["column_align"].values() for p in pages)
    assert _check_alignment(pages)["decimal"] > 20


def test_totals_row_sums_the_values_as_printed(tmp_path):
    """A totals row parses (ICU, the page's locale) to the exact sum of the values shown above it."""
    import icu

    from synthdoc.layout.table_values import locale_for

    path = _template(tmp_path, "totals", "totals_p: 1\ncolumn_type_weights: {integer: 1, currency: 1, decimal: 1}\n"
                     "merge_p: 0\ntext_below_p: 0\n")
    factory = SampleFactory(GenerateConfig(languages=["en", "ru", "ja", "zh-Hans"], layouts={path: 1}, seed=5))
    def parse(t: str, loc) -> float:  # the number without its currency sign; labels print NBSP as a space
        fmt = icu.NumberFormat.createInstance(loc)
        fmt.setLenient(True)
        return fmt.parse(re.sub(r"[^0-9.,\-]", "", t.replace(" ", "\u00a0")).strip() or "0").getDouble()

    checked = 0
    for i in range(8):
        page = factory.make(i).page
        if not page.meta["totals_row"]:
            continue
        loc = locale_for(_TAGS[page.lang])
        cells = {p.cell[:2]: p for p in _cells(page)}
        last = max(r for r, _ in cells)
        assert cells[(last, 0)].text in ("Total", "Итого", "合計", "合计")
        for c, kind in page.meta["numeric_kinds"].items():
            c = int(c)
            if (last, c) not in cells:  # empty: a column that does not add up
                assert kind not in ("integer", "currency") and not page.meta["column_align"][str(c)] == "right" \
                    or kind not in ("integer", "decimal", "currency")
                continue
            total = cells[(last, c)].text
            body = [cells[(r, c)].text for r in range(page.meta["header_rows"], last) if (r, c) in cells]

            assert abs(sum(parse(t, loc) for t in body) - parse(total, loc)) < 1e-6, (page.lang, body, total)
            checked += 1
    assert checked >= 3


def test_table_and_its_text_cover_most_of_the_text_area(pages):
    """Table box plus the boxes of all other paragraphs cover >= 60 % of the area inside the margins, on average."""
    fracs = []
    for page in pages:
        m, W, H = int(page.meta["margin_px"]), page.width, page.height
        mask = np.zeros((H, W), bool)
        x0, y0, x1, y1 = (int(round(v)) for v in page.meta["table_box"])
        mask[y0:y1, x0:x1] = True
        for para in page.paragraphs:
            q = np.asarray(para.quad)
            (a, b), (c, d) = np.floor(q.min(0)).astype(int), np.ceil(q.max(0)).astype(int)
            mask[max(b, 0):d, max(a, 0):c] = True
        fracs.append(mask[m:H - m, m:W - m].mean())
    assert np.mean(fracs) >= 0.6, fracs


def test_multi_line_cells_occur(pages):
    assert any(len(p.lines) > 1 for page in pages for p in _cells(page))


@pytest.mark.parametrize("kind", ["header_span", "header_group", "row_span", "section_row"])
def test_forced_merges_give_spanning_cells(tmp_path, kind):
    path = _template(tmp_path, f"merge_{kind}", f"merge_p: 1\nmerge_kind_weights: {{{kind}: 1}}\n"
                     "column_weights: {3: 1, 5: 1}\n")
    factory = SampleFactory(GenerateConfig(languages=["en", "ja", "ru"], layouts={path: 1}, seed=4))
    for i in range(3):
        page = factory.make(i).page
        check(page)
        assert page.meta["merges"] == [kind]
        spans = [p.cell for p in _cells(page) if p.cell[2] > 1 or p.cell[3] > 1]
        assert spans
        header = [p for p in _cells(page) if p.cell[0] == 0]
        assert sum(p.cell[3] for p in header) == page.meta["columns"]
        if kind == "row_span":
            assert any(c[1] == 0 and c[2] > 1 for c in spans)
        if kind == "section_row":
            assert any(c[3] == page.meta["columns"] for c in spans)
        if kind == "header_group":
            assert page.meta["header_rows"] == 2


def _check_rules_clear_of_ink(factory, sample):
    page = sample.page
    ink = np.zeros((page.height, page.width), np.uint8)
    for mask in text_masks(page, factory.glyph_cache).values():
        np.maximum(ink, mask, out=ink)
    n_rules = 0
    for (x0, y0, x1, y1, r, g, b), kind in zip(page.meta["rules"], page.meta["rule_kinds"]):
        assert 0 <= x0 <= x1 < page.width and 0 <= y0 <= y1 < page.height
        if kind != "rule":
            continue
        n_rules += 1
        assert 1 <= min(x1 - x0, y1 - y0) + 1 <= 2  # thickness 1-2 px
        assert not ink[y0:y1 + 1, x0:x1 + 1].any(), (kind, x0, y0, x1, y1)
        # the render hook drew it: rule pixels show the rule colour (no text on top)
        assert (sample.image[y0:y1 + 1, x0:x1 + 1] == (r, g, b)).all()
    return n_rules


def test_no_ink_touches_a_rule(factory, samples):
    styles = set()
    for sample in samples:
        n = _check_rules_clear_of_ink(factory, sample)
        styles.add(sample.page.meta["rule_style"])
        assert (n == 0) == (sample.page.meta["rule_style"] == "none")
    assert len(styles) >= 3


@pytest.mark.parametrize("style", ["grid", "horizontal", "none", "zebra"])
def test_each_rule_style(tmp_path, style):
    path = _template(tmp_path, style, f"rule_style_weights: {{{style}: 1}}\nrow_rules_p: 1\nheader_shade_p: 0\n"
                     "rule_thickness_px_range: [2, 2]\nmerge_p: 0.5\n")
    factory = SampleFactory(GenerateConfig(languages=["en", "zh-Hant", "ko"], layouts={path: 1}, seed=7))
    for i in range(3):
        sample = factory.make(i)
        kinds = sample.page.meta["rule_kinds"]
        _check_rules_clear_of_ink(factory, sample)
        assert ("shade" in kinds) == (style == "zebra")
        assert ("rule" in kinds) == (style != "none")
        if style == "grid":  # vertical rules between columns
            assert any(y1 - y0 > x1 - x0 for x0, y0, x1, y1, *_ in sample.page.meta["rules"])


def test_shard_row_carries_cell_spans(samples):
    for sample in samples[:6]:
        cells = sample_to_row(sample)["paragraphs"]["cell"]
        assert len(cells) == len(sample.page.paragraphs)
        for para, cell in zip(sample.page.paragraphs, cells):
            if para.role == "table_cell":
                assert list(cell) == list(para.cell) and cell[2] >= 1 and cell[3] >= 1
            else:
                assert list(cell) == [-1, -1, 0, 0]


def test_rows_stop_at_the_foot_of_the_page(tmp_path):
    path = _template(tmp_path, "long", "body_rows_range: [200, 200]\ncaption_p: 1\ntext_below_p: 0\n")
    factory = SampleFactory(GenerateConfig(languages=["en", "ja"], layouts={path: 1}, seed=1))
    for i in range(2):
        page = factory.make(i).page
        assert page.meta["rows"] < 200
        assert max(np.asarray(w.quad)[:, 1].max() for w in page.words) <= page.height
        assert page.meta["table_box"][3] < page.height


def test_impossible_table_is_retried_then_reported(tmp_path):
    path = _template(tmp_path, "huge", "body_size_px_range: [400, 400]\n")
    factory = SampleFactory(GenerateConfig(languages=["en"], layouts={path: 1}, max_retries=3))
    with pytest.raises(SynthdocError, match="failed 3 times"):
        factory.make(0)


@pytest.mark.parametrize("body, key", [("column_weights: {9: 1}\n", "column_weights"),
                                       ("rule_style_weights: {dotted: 1}\n", "rule_style_weights"),
                                       ("merge_p: 3\n", "merge_p")])
def test_bad_table_template_names_the_key(tmp_path, body, key):
    path = _template(tmp_path, "bad", body)
    with pytest.raises(SynthdocError, match=key):
        load_template(path)
