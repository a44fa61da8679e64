"""``synthdoc validate``: the report's numbers recomputed independently, the keep-list and the filtered copy,
sampling, detection figures, and one-line errors.

The dataset: four clean slide pages (English, Japanese), then edited like a user's dataset could be: one page
gets the augmentation preset "light" in its meta, one page is relabelled with layout "slide_b" (so groups
differ by language, layout and preset), and one page's line labels are rotated by one (every label names the
wrong line), which must make that page the worst and drop it under any sensible threshold.
"""
from __future__ import annotations

import json
import statistics
from pathlib import Path

import cv2
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rapidfuzz.distance import Levenshtein

from synthdoc.errors import SynthdocError
from synthdoc.geometry import crop_line
from synthdoc.ocr.metrics import normalise

BAD_PAGE = "eng_Latn-s5-000000002"


def _edit(shard: Path, edit) -> None:
    table = pq.read_table(shard)
    rows = table.to_pylist()
    for row in rows:
        edit(row)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), shard)
    _record_in_manifest(shard)


def _record_in_manifest(shard: Path) -> None:
    """Record the edited shard's size and SHA-256 in the run manifest (the dataset reader checks them)."""
    import dataclasses

    from synthdoc.writers.manifest import RunManifest, sha256_of
    from synthdoc.writers.storage import Storage

    storage = Storage(shard.parents[2])
    run = RunManifest.load(storage)
    rel = shard.relative_to(shard.parents[2]).as_posix()
    run.completed[rel] = dataclasses.replace(run.completed[rel], sha256=sha256_of(storage, rel),
                                             bytes=shard.stat().st_size)
    run.save(storage)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig

    out = tmp_path_factory.mktemp("validate") / "ds"
    write_dataset(GenerateConfig(languages=["en", "ja"], pages=4, image_format="png", seed=5,
                                 layouts={"slide": 1}), out)

    def edit_en(row):
        if row["id"] == BAD_PAGE:
            texts = row["lines"]["text"]
            row["lines"]["text"] = texts[1:] + texts[:1]

    def edit_ja(row):
        meta = json.loads(row["meta"])
        if row["index"] == 1:
            meta["augment"] = {"preset": "light", "steps": []}
        else:
            row["layout"] = "slide_b"
        row["meta"] = json.dumps(meta)

    _edit(next(out.glob("data/eng_Latn/*.parquet")), edit_en)
    _edit(next(out.glob("data/jpn_Jpan/*.parquet")), edit_ja)
    return out


def _independent_scores(ds: Path) -> list[dict]:
    """Every line of every page, read with a fresh PP-OCRv6 recogniser in the order validate queues them (one
    batch per language), scored with rapidfuzz on the normalised strings."""
    from synthdoc.ocr.ppocr import PPOCRRecognizer

    lines: dict[str, list[dict]] = {}
    for shard in sorted(ds.glob("data/*/*.parquet")):
        for row in pq.read_table(shard).to_pylist():
            rgb = cv2.imdecode(np.frombuffer(row["image"]["bytes"], np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
            meta = json.loads(row["meta"])
            preset = (meta.get("augment") or {}).get("preset", "none")
            for i, (text, quad, d) in enumerate(zip(row["lines"]["text"], row["lines"]["quad"], row["lines"]["direction"])):
                lines.setdefault(row["lang"], []).append(
                    {"id": row["id"], "line": i, "lang": row["lang"], "layout": row["layout"], "preset": preset,
                     "label": text, "crop": crop_line(rgb, np.asarray(quad, np.float32), d)})
    rec = PPOCRRecognizer(device="cpu", batch_size=64)
    out = []
    for lang, items in lines.items():
        for item, pred in zip(items, rec.recognise([it["crop"] for it in items], lang, False)):
            a, b = normalise(item["label"], lang), normalise(pred, lang)
            dist = Levenshtein.distance(a, b)
            out.append({**item, "pred": pred, "dist": dist, "len": len(a),
                        "ned": dist / max(len(a), len(b)) if max(len(a), len(b)) else 0.0})
    return out


@pytest.fixture(scope="module")
def validated(dataset, tmp_path_factory):
    from synthdoc.api import validate

    rep = tmp_path_factory.mktemp("report")
    out = tmp_path_factory.mktemp("filtered") / "ds"
    result = validate(dataset, engine="ppocr", device="cpu", batch_size=64, max_ned=0.3, out=out, report_dir=rep)
    return result, out, _independent_scores(dataset)


@pytest.mark.slow
def test_report_numbers_match_an_independent_recomputation(validated):
    result, _, lines = validated
    report = result.report
    on_disk = json.loads((result.report_dir / "validation.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(report))
    assert report["pages"] == 4 and report["lines"] == len(lines)
    groups: dict[tuple, list[dict]] = {}
    for ln in lines:
        groups.setdefault((ln["lang"], ln["layout"], ln["preset"]), []).append(ln)
    assert {(g["lang"], g["layout"], g["preset"]) for g in report["groups"]} == set(groups)
    assert ("jpn_Jpan", "slide", "light") in groups and ("jpn_Jpan", "slide_b", "none") in groups
    for g in report["groups"]:
        mine = groups[(g["lang"], g["layout"], g["preset"])]
        neds = [ln["ned"] for ln in mine]
        assert g["lines"] == len(mine)
        assert g["mean_ned"] == pytest.approx(statistics.fmean(neds), abs=1e-12)
        p90 = statistics.quantiles(neds, n=10, method="inclusive")[8] if len(neds) > 1 else neds[0]
        assert g["p90_ned"] == pytest.approx(p90, abs=1e-12)
        assert g["cer"] == pytest.approx(sum(ln["dist"] for ln in mine) / sum(ln["len"] for ln in mine), abs=1e-12)
        assert g["engines"] == {"ppocr": len(mine)}
    for lang_row in report["languages"]:
        neds = [ln["ned"] for ln in lines if ln["lang"] == lang_row["lang"]]
        assert lang_row["mean_ned"] == pytest.approx(statistics.fmean(neds), abs=1e-12)
    t = report["throughput"]
    assert t["lines_per_s"] == pytest.approx(len(lines) / t["wall_s"])
    assert t["recognition_s"] <= t["wall_s"]


@pytest.mark.slow
def test_worst_lines_are_the_worst_with_their_crops(validated):
    result, _, lines = validated
    worst = result.report["worst"]
    expected = sorted((ln for ln in lines if ln["ned"] > 0), key=lambda ln: -ln["ned"])[:len(worst)]
    assert [w["ned"] for w in worst] == pytest.approx([ln["ned"] for ln in expected])
    assert worst[0]["id"] == BAD_PAGE and worst[0]["ned"] > 0.5
    by_key = {(ln["id"], ln["line"]): ln for ln in lines}
    for w in worst[:5]:
        png = cv2.imread(str(result.report_dir / w["crop"]), cv2.IMREAD_COLOR)[:, :, ::-1]
        line = by_key[(w["id"], w["line"])]
        assert np.array_equal(png, line["crop"])  # the saved crop is exactly what was read
        assert w["label"] == line["label"] and w["prediction"] == line["pred"]
    md = (result.report_dir / "validation.md").read_text(encoding="utf-8")
    assert f"![]({worst[0]['crop']})" in md and "| jpn_Jpan | slide | light |" in md


@pytest.mark.slow
def test_filter_drops_exactly_the_pages_above_the_threshold(validated, dataset):
    import datasets

    result, out, lines = validated
    page_lines: dict[str, list[float]] = {}
    for ln in lines:
        page_lines.setdefault(ln["id"], []).append(ln["ned"])
    page_ned = {pid: statistics.fmean(v) for pid, v in page_lines.items()}
    keep = sorted(pid for pid, v in page_ned.items() if v <= 0.3)
    assert BAD_PAGE not in keep and len(keep) == 3
    assert result.page_ned == pytest.approx(page_ned)
    assert sorted(result.keep) == keep
    assert sorted((result.report_dir / "keep.txt").read_text(encoding="utf-8").split()) == keep
    assert result.report["filter"] == {"max_ned": 0.3, "kept": 3, "dropped": 1, "keep_list": "keep.txt", "out": str(out)}
    pages = [json.loads(s) for s in (result.report_dir / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {p["id"]: p["mean_ned"] for p in pages} == pytest.approx(page_ned)

    ds_all = datasets.load_dataset(str(out), "all", split="train")
    assert sorted(ds_all["id"]) == keep
    en = datasets.load_dataset(str(out), "eng_Latn", split="train")
    assert sorted(en["id"]) == [k for k in keep if k.startswith("eng_Latn")]
    assert en.features["image"].__class__.__name__ == "Image"
    assert np.asarray(en.with_format("numpy")[0]["lines"]["quad"]).dtype == np.float32
    # the copy keeps the layout and the rows' bytes; the source is untouched
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("data/*/*.parquet")) == [
        "data/eng_Latn/train-00000-of-00001.parquet", "data/jpn_Jpan/train-00000-of-00001.parquet"]
    src = {r["id"]: r for s in dataset.glob("data/*/*.parquet") for r in pq.read_table(s).to_pylist()}
    assert len(src) == 4
    for s in out.glob("data/*/*.parquet"):
        for r in pq.read_table(s).to_pylist():
            assert r == src[r["id"]]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "## Filtering" in card and "3 of 4 rows kept" in card
    assert "| eng_Latn | 1 |" in card and "| jpn_Jpan | 2 |" in card
    header = __import__("yaml").safe_load(card.split("---\n")[1])
    examples = {i["config_name"]: i["splits"][0]["num_examples"] for i in header["dataset_info"]}
    assert examples == {"all": 3, "eng_Latn": 1, "jpn_Jpan": 2}


def test_filter_dataset_api_with_a_keep_list_file(dataset, tmp_path):
    import datasets

    from synthdoc.api import filter_dataset

    ids = sorted(r for s in dataset.glob("data/*/*.parquet") for r in pq.read_table(s, columns=["id"])["id"].to_pylist())
    keep_file = tmp_path / "keep.txt"
    keep_file.write_text(f"{ids[0]}\n\n{ids[-1]}\n", encoding="utf-8")
    summary = filter_dataset(dataset, tmp_path / "copy", keep_file)
    assert (summary.kept, summary.dropped) == (2, 2)
    assert sorted(datasets.load_dataset(str(tmp_path / "copy"), "all", split="train")["id"]) == [ids[0], ids[-1]]
    with pytest.raises(SynthdocError, match="already holds a dataset"):
        filter_dataset(dataset, tmp_path / "copy", [ids[0]])
    with pytest.raises(SynthdocError, match="is the dataset being filtered"):
        filter_dataset(dataset, dataset, [ids[0]])
    with pytest.raises(SynthdocError, match="cannot read keep-list"):
        filter_dataset(dataset, tmp_path / "other", tmp_path / "missing.txt")


def test_sample_selection_is_seeded_and_uniform():
    from synthdoc.ocr.pages import select_rows

    counts = [5, 0, 7, 3]
    a = select_rows(counts, 6, seed=1)
    assert [x.tolist() for x in a] == [x.tolist() for x in select_rows(counts, 6, seed=1)]
    assert sum(len(x) for x in a) == 6
    assert all(np.all(np.diff(x) > 0) and (len(x) == 0 or (x.min() >= 0 and x.max() < n)) for x, n in zip(a, counts))
    assert [x.tolist() for x in select_rows(counts, None)] == [list(range(n)) for n in counts]
    assert [len(x) for x in select_rows(counts, 100)] == counts
    hits = np.zeros(15)
    for seed in range(400):
        picked = select_rows([15], 3, seed)[0]
        hits[picked] += 1
    assert hits.min() > 40 and hits.max() < 120  # ~80 each
    with pytest.raises(SynthdocError, match="positive number of pages"):
        select_rows(counts, 0)


@pytest.mark.slow
def test_sampled_validation_with_detection(dataset, tmp_path):
    from synthdoc.api import validate

    result = validate(dataset, engine="auto", sample=2, seed=3, device="cpu", detect=True, report_dir=tmp_path / "r")
    report = result.report
    assert report["pages"] == 2 and report["sample"] == 2
    ids = [json.loads(s)["id"] for s in (tmp_path / "r" / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    n_lines = {r["id"]: len(r["lines"]["text"]) for s in sorted(dataset.glob("data/*/*.parquet"))
               for r in pq.read_table(s, columns=["id", "lines"]).to_pylist()}
    det = report["detection"]["groups"]
    assert sum(g["pages"] for g in det) == 2
    assert sum(g["gt_lines"] for g in det) == sum(n_lines[i] for i in ids) == report["lines"]
    for g in det:
        assert 0.0 <= g["gt_matched_frac"] <= 1.0 and 0.0 <= g["det_unmatched_frac"] <= 1.0
        assert g["gt_matched_frac"] >= 0.8  # clean slides: the detector finds the labelled lines
    assert "## Detection" in (tmp_path / "r" / "validation.md").read_text(encoding="utf-8")


def test_cli_errors_are_one_line(dataset, tmp_path, capsys):
    from synthdoc.cli import main

    cases = [
        (["--out", str(tmp_path / "o")], "needs a threshold; add --filter MAX_NED"),
        (["--filter", "0.2", "--sample", "2"], "drop --sample"),
        (["--filter", "1.5"], "between 0 and 1"),
        (["--filter", "0.2", "--out", str(dataset)], "is the dataset being filtered"),
        (["--sample", "0"], "positive number of pages"),
    ]
    for extra, message in cases:
        code = main(["validate", str(dataset), "--quiet", "--report-dir", str(tmp_path / "r"), *extra])
        err = capsys.readouterr().err.strip()
        assert code == 2 and err.startswith("synthdoc: error: ") and "\n" not in err and message in err, (extra, err)
    assert main(["validate", str(tmp_path / "nowhere"), "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_validate_prints_a_summary(dataset, tmp_path, capsys):
    from synthdoc.cli import main

    code = main(["validate", str(dataset), "--engine", "ppocr", "--sample", "1", "--quiet", "--report-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "validated 1 pages" in out and "mean NED" in out and str(tmp_path / "validation.md") in out
    assert (tmp_path / "validation.json").is_file()
