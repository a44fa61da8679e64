"""Every script in examples/ runs as a user would run it (a subprocess, small page counts) and makes what it says."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _run(name: str, *args) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)], capture_output=True, text=True,
                          timeout=600)  # PYTHONPATH: conftest puts the repository first
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _rows(folder: Path, columns: list[str]) -> list[dict]:
    return [r for s in sorted(folder.glob("data/*/*.parquet")) for r in pq.read_table(s, columns=columns).to_pylist()]


def test_every_example_has_a_test():
    tested = {"generate_mixed.py", "torch_dataloader.py", "custom_layout.py", "custom_augment.py", "add_language.py",
              "validate_and_filter.py", "export_formats.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_generate_mixed(tmp_path):
    out = _run("generate_mixed.py", tmp_path / "ds", "--pages", 6)
    rows = _rows(tmp_path / "ds", ["lang", "layout", "meta"])
    assert len(rows) == 6 and {r["lang"] for r in rows} == {"eng_Latn", "jpn_Jpan", "rus_Cyrl"}
    assert {json.loads(r["meta"])["augment"]["preset"] for r in rows} == {"light"}
    assert "wrote 6 pages" in out and (tmp_path / "ds" / "README.md").is_file()


def test_torch_dataloader():
    pytest.importorskip("torch")
    out = _run("torch_dataloader.py", "--batches", 2, "--batch-size", 2, "--workers", 0)
    lines = [ln for ln in out.splitlines() if ln.startswith("batch ")]
    assert len(lines) == 2 and all("images (2, 3, 256, " in ln for ln in lines)


def test_custom_layout(tmp_path):
    out = _run("custom_layout.py", tmp_path / "pv", "--pages", 2)
    assert out.count(" my_slides ") == 2 and len(list((tmp_path / "pv").glob("*.png"))) == 2


def test_custom_augment(tmp_path):
    _run("custom_augment.py", tmp_path / "ds", "--pages", 2)
    records = [json.loads(r["meta"])["augment"] for r in _rows(tmp_path / "ds", ["meta"])]
    assert len(records) == 2
    for record in records:
        names = [s["name"] for s in record["steps"]]
        assert names[0] == "PaperTexture" and names[-1] == "Jpeg"  # p = 1: always applied, in phase order


def test_add_language(tmp_path):
    out = _run("add_language.py", tmp_path / "de", "--pages", 2)
    rows = _rows(tmp_path / "de", ["lang", "text"])
    assert [r["lang"] for r in rows] == ["deu_Latn", "deu_Latn"] and "deu_Latn" in out
    assert all(set(r["text"]) & set("äöüßÄÖÜ") for r in rows)  # the German corpus, umlauts labelled


@pytest.mark.slow
def test_validate_and_filter(tmp_path):
    out = _run("validate_and_filter.py", tmp_path / "v", "--pages", 2, "--max-ned", 0.5)
    assert (tmp_path / "v" / "report" / "validation.md").is_file()
    kept = (tmp_path / "v" / "report" / "keep.txt").read_text(encoding="utf-8").split()
    assert sorted(r["id"] for r in _rows(tmp_path / "v" / "filtered", ["id"])) == sorted(kept)
    assert f"filtered copy from keep.txt: {len(kept)} kept" in out


def test_export_formats(tmp_path):
    from synthdoc.writers.exports import formats

    out = _run("export_formats.py", tmp_path / "x", "--pages", 2)
    for fmt in formats():
        assert f"exported 2 pages as {fmt}" in out and any((tmp_path / "x" / fmt).iterdir())
