"""``synthdoc export``: each format checked against its own rules on a small dataset that has horizontal and
vertical (ttb) text and ignored words (toc dot leaders): HierText JSONL, PAGE-XML 2019 (validated against
the bundled PRImA XSD), PaddleOCR detection / recognition labels with a character dictionary, ICDAR 2015."""
from __future__ import annotations

import json
import re
from pathlib import Path

import cv2
import numpy as np
import pyarrow.parquet as pq
import pytest

from synthdoc.api import write_dataset
from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.writers.exports import export_dataset, formats

XSD = Path(__file__).parent / "schemas" / "pagecontent-2019-07-15.xsd"
PAGE_NS = {"pc": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """4 pages, seed 7: English toc + multi_column, Japanese vertical + toc."""
    out = tmp_path_factory.mktemp("export") / "ds"
    write_dataset(GenerateConfig(languages=["en", "ja"], pages=4, seed=7,
                                 layouts={"multi_column": 1, "vertical": 1, "toc": 1}), out)
    return out


@pytest.fixture(scope="module")
def rows(dataset):
    """id -> row of the dataset; the dataset must have vertical lines and ignored words."""
    out = {}
    for shard in dataset.glob("data/*/*.parquet"):
        for row in pq.read_table(shard).to_pylist():
            out[row["id"]] = row
    assert any("ttb" in r["lines"]["direction"] for r in out.values())
    assert any(any(r["words"]["ignore"]) for r in out.values())
    return out


@pytest.fixture(scope="module")
def exported(dataset, tmp_path_factory):
    base = tmp_path_factory.mktemp("exports")
    return {fmt: (base / fmt, export_dataset(dataset, fmt, base / fmt)) for fmt in formats()}


def _reading_order(row):
    """[(paragraph, [(line, [words])])] from the relation graph."""
    g = row["relation_graph"]
    return [(p, [(li, g["line_words"][li]) for li in lines]) for p, lines in enumerate(g["paragraph_lines"])]


def _image_size(path: Path) -> tuple[int, int]:
    img = cv2.imread(str(path))
    assert img is not None, path
    return img.shape[1], img.shape[0]


def _check_points(points, w, h, n=4):
    assert isinstance(points, list) and len(points) == n
    for p in points:
        assert len(p) == 2 and all(isinstance(v, int) for v in p)
        assert 0 <= p[0] < w and 0 <= p[1] < h
    x, y = np.array(points, float).T
    assert (x * np.roll(y, -1) - np.roll(x, -1) * y).sum() >= 0  # clockwise in image coordinates (y down)


def _rounded(quad, w, h):
    q = np.clip(np.rint(np.asarray(quad)), 0, [w - 1, h - 1]).astype(int)
    return q.tolist()


# ------------------------------------------------------------------ HierText

def test_hiertext(exported, rows):
    out, summary = exported["hiertext"]
    assert summary.pages == 4
    doc = json.loads((out / "train.jsonl").read_text(encoding="utf-8"))  # one document, as HierText's gt files
    assert set(doc) == {"info", "annotations"} and len(doc["annotations"]) == 4
    for ann in doc["annotations"]:
        assert set(ann) == {"image_id", "image_width", "image_height", "paragraphs"}
        row = rows[ann["image_id"]]
        w, h = ann["image_width"], ann["image_height"]
        assert (w, h) == (row["width"], row["height"]) == _image_size(out / "train" / f"{ann['image_id']}.jpg")
        assert len(ann["paragraphs"]) == len(row["paragraphs"]["text"])
        for para, (p, line_list) in zip(ann["paragraphs"], _reading_order(row)):
            assert set(para) == {"vertices", "legible", "lines"}
            _check_points(para["vertices"], w, h)
            assert [ln["text"] for ln in para["lines"]] == [row["lines"]["text"][li] for li, _ in line_list]
            for line, (li, word_ids) in zip(para["lines"], line_list):
                assert set(line) == {"vertices", "text", "legible", "handwritten", "vertical", "words"}
                assert line["vertices"] == _rounded(row["lines"]["quad"][li], w, h)
                assert line["vertical"] is (row["lines"]["direction"][li] == "ttb")
                assert [x["text"] for x in line["words"]] == [row["words"]["text"][k] for k in word_ids]
                for word, k in zip(line["words"], word_ids):
                    assert set(word) == {"vertices", "text", "legible", "handwritten", "vertical"}
                    _check_points(word["vertices"], w, h)
                    assert word["legible"] is not row["words"]["ignore"][k]
                    assert word["vertical"] is line["vertical"]
            assert para["legible"] is any(ln["legible"] for ln in para["lines"])


# ------------------------------------------------------------------ PAGE-XML

def test_pagexml_validates_against_the_2019_schema(exported):
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    out, summary = exported["pagexml"]
    files = sorted((out / "train" / "page").glob("*.xml"))
    assert len(files) == summary.pages == 4
    for f in files:
        doc = etree.parse(str(f))
        assert schema.validate(doc), (f.name, str(schema.error_log.last_error))


def test_pagexml_structure(exported, rows):
    etree = pytest.importorskip("lxml.etree")
    out, _ = exported["pagexml"]
    for f in sorted((out / "train" / "page").glob("*.xml")):
        row = rows[f.stem]
        page = etree.parse(str(f)).getroot().find("pc:Page", PAGE_NS)
        w, h = int(page.get("imageWidth")), int(page.get("imageHeight"))
        assert _image_size(out / "train" / page.get("imageFilename")) == (w, h)
        regions = page.findall("pc:TextRegion", PAGE_NS)
        refs = page.findall("pc:ReadingOrder/pc:OrderedGroup/pc:RegionRefIndexed", PAGE_NS)
        assert [r.get("regionRef") for r in refs] == [r.get("id") for r in regions]
        assert [int(r.get("index")) for r in refs] == list(range(len(regions)))
        tree = _reading_order(row)
        assert len(regions) == len(tree)
        for region, (p, line_list) in zip(regions, tree):
            assert region.findtext("pc:TextEquiv/pc:Unicode", namespaces=PAGE_NS) == row["paragraphs"]["text"][p]
            lines = region.findall("pc:TextLine", PAGE_NS)
            assert [ln.findtext("pc:TextEquiv/pc:Unicode", namespaces=PAGE_NS) for ln in lines] == [
                row["lines"]["text"][li] for li, _ in line_list]
            vertical = row["lines"]["direction"][line_list[0][0]] == "ttb"
            assert region.get("readingDirection") == ("top-to-bottom" if vertical else "left-to-right")
            for line, (li, word_ids) in zip(lines, line_list):
                pts = [[int(v) for v in xy.split(",")] for xy in line.find("pc:Coords", PAGE_NS).get("points").split()]
                assert pts == _rounded(row["lines"]["quad"][li], w, h)
                words = line.findall("pc:Word", PAGE_NS)
                rtl = row["lines"]["direction"][li] == "rtl"  # Words listed left to right (OCR-D's convention)
                assert [x.findtext("pc:TextEquiv/pc:Unicode", namespaces=PAGE_NS) for x in words] == [
                    row["words"]["text"][k] for k in (word_ids[::-1] if rtl else word_ids)]


# ------------------------------------------------------------------ PaddleOCR

def test_paddleocr_detection_labels(exported, rows):
    out, _ = exported["paddleocr"]
    entries = (out / "det_gt_train.txt").read_text(encoding="utf-8").splitlines()
    assert len(entries) == 4
    for entry in entries:
        path, labels = entry.split("\t")
        row = rows[Path(path).stem]
        w, h = _image_size(out / path)
        items = json.loads(labels)
        tree = [(li, ws) for _, line_list in _reading_order(row) for li, ws in line_list]
        assert len(items) == len(tree)
        for item, (li, word_ids) in zip(items, tree):
            assert set(item) == {"transcription", "points"}
            _check_points(item["points"], w, h)
            all_ignored = all(row["words"]["ignore"][k] for k in word_ids)
            assert item["transcription"] == ("###" if all_ignored else row["lines"]["text"][li])


def test_paddleocr_recognition_crops_and_dictionary(exported, rows):
    out, _ = exported["paddleocr"]
    entries = (out / "rec_gt_train.txt").read_text(encoding="utf-8").splitlines()
    assert len(entries) > 40
    chars: set[str] = set()
    vertical_seen = 0
    for entry in entries:
        path, text = entry.split("\t")  # exactly one tab: labels hold no tab
        assert text and text != "###"
        stem = Path(path).stem
        row_id, line = stem.rsplit("_", 1)
        row = rows[row_id]
        assert text == row["lines"]["text"][int(line)]
        img = cv2.imread(str(out / path))
        assert img is not None and img.shape[0] >= 8 and img.shape[1] >= 8
        if row["lines"]["direction"][int(line)] == "ttb" and len(text) >= 3:
            assert img.shape[1] > img.shape[0]  # turned so the column's text runs left to right
            vertical_seen += 1
        chars.update(text)
    assert vertical_seen > 0
    dict_lines = (out / "dict.txt").read_text(encoding="utf-8").split("\n")
    assert dict_lines[-1] == ""  # newline-terminated
    entries = dict_lines[:-1]
    assert all(len(c) == 1 for c in entries)  # one character per line
    assert entries == sorted(set(entries))  # unique, code point order
    assert set(entries) == chars - {" "}


# ------------------------------------------------------------------ ICDAR 2015

def test_icdar2015(exported, rows):
    out, _ = exported["icdar2015"]
    images = sorted((out / "train" / "images").glob("*.jpg"))
    assert len(images) == 4
    line_re = re.compile(r"^(\d+,){8}.*$")
    for image in images:
        row = rows[image.stem]
        w, h = _image_size(image)
        raw = (out / "train" / "gt" / f"gt_{image.stem}.txt").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        lines = raw.decode("utf-8").splitlines()
        assert len(lines) == len(row["words"]["text"])
        for line, text, ignore, quad in zip(lines, row["words"]["text"], row["words"]["ignore"], row["words"]["quad"]):
            assert line_re.match(line), line
            *coords, transcription = line.split(",", 8)
            pts = [[int(coords[i]), int(coords[i + 1])] for i in range(0, 8, 2)]
            _check_points(pts, w, h)
            assert pts == _rounded(quad, w, h)
            assert _rrc_transcription(transcription) == ("###" if ignore else text)


def _rrc_transcription(field: str) -> str:
    """A transcription field as the RRC evaluation scripts read it (rrc_evaluation_funcs.get_tl_line_values: a
    value in double quotes is unquoted and its backslash escapes resolved)."""
    m = re.match(r'^\s*"(.*)"\s*$', field)
    return m.group(1).replace("\\\\", "\\").replace('\\"', '"') if m else field


@pytest.mark.parametrize("text", ['"distributed', 'word"', '"quoted"', '"a\\"b"', 'a "b" c', 'back\\slash"',
                                  "plain,comma", '"x,y"'])
def test_icdar2015_transcriptions_survive_rrc_and_csv_readers(text):
    """A word holding a double quote reads back exactly as RRC reads it, and a csv.reader (EAST's loader) still sees
    one record per line (raw, a leading quote opened a quoted field that swallowed the following lines)."""
    import csv
    import io

    from synthdoc.writers.exports.icdar2015 import gt_lines

    row = {"width": 100, "height": 50, "words": {"quad": [[[1, 1], [9, 1], [9, 9], [1, 9]]] * 2,
                                                 "text": [text, "next"], "ignore": [False, False]}}
    lines = gt_lines(row)
    assert [_rrc_transcription(line.split(",", 8)[8]) for line in lines] == [text, "next"]
    records = list(csv.reader(io.StringIO("".join(line + "\n" for line in lines))))
    assert len(records) == 2 and records[1][-1] == "next"


# ------------------------------------------------------------------ CLI and errors

def test_cli_export(dataset, tmp_path, synthdoc_cli):
    proc = synthdoc_cli(["export", str(dataset), "--format", "icdar2015", "--out", "E"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "exported 4 pages as icdar2015 to E (4 label files)"
    again = synthdoc_cli(["export", str(dataset), "--format", "icdar2015", "--out", "E"], tmp_path)
    assert again.returncode == 2
    assert again.stderr.strip() == "synthdoc: error: E is not an empty folder; choose a new --out for the export"


def test_export_errors(tmp_path, dataset):
    with pytest.raises(SynthdocError, match="does not exist"):
        export_dataset(tmp_path / "nothing", "hiertext", tmp_path / "o")
    with pytest.raises(SynthdocError, match="unknown export format 'coco'"):
        export_dataset(dataset, "coco", tmp_path / "o")
