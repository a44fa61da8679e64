"""Issue #17: one test per defect, each reproducing the failing input and asserting the fixed behaviour — no file
outside --out, a dead worker ends the run (then --resume is byte-identical), signals exit quietly, a failed
--overwrite leaves the old dataset byte-identical, no invisible labelled text, bounded work, one-line errors."""
from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.writers.manifest import MANIFEST_NAME, RunManifest, sha256_of
from synthdoc.writers.storage import Storage

SMALL = {"languages": ["en"], "pages": 4, "shard_size": 2, "seed": 1}


def _files(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under `folder` (hidden ones too)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_line_error(proc, *needles) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synthdoc: error:"), proc.stderr
    assert "Traceback" not in proc.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def _rewrite(shard: Path, edit) -> None:
    """Apply `edit(rows)` to a shard and record its new size and SHA-256 in the manifest (a consistent but hostile
    dataset: only the content is wrong)."""
    table = pq.read_table(shard)
    rows = table.to_pylist()
    edit(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), shard)
    root = shard.parents[2]
    storage = Storage(root)
    run = RunManifest.load(storage)
    rel = shard.relative_to(root).as_posix()
    run.completed[rel] = dataclasses.replace(run.completed[rel], sha256=sha256_of(storage, rel),
                                             bytes=shard.stat().st_size, rows=len(rows))
    run.save(storage)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    from synthdoc.api import write_dataset

    out = tmp_path_factory.mktemp("harden") / "ds"
    write_dataset(GenerateConfig(**SMALL), out)
    return out


def _copy(src: Path, tmp_path: Path, name: str = "ds") -> Path:
    out = tmp_path / name
    shutil.copytree(src, out)
    return out


# ------------------------------------------------------------------ 1. no file outside --out

@pytest.mark.parametrize("bad_id", ["../../../escaped", "/tmp/abs-escaped", "..", "a/b", ""])
def test_hostile_row_id_never_leaves_out(small, tmp_path, bad_id):
    from synthdoc.preview import write_previews
    from synthdoc.writers.exports import export_dataset, formats

    ds = _copy(small, tmp_path)
    shard = next(ds.glob("data/*/*.parquet"))
    _rewrite(shard, lambda rows: rows[0].update(id=bad_id))
    work = tmp_path / "work" / "deep" / "deeper"
    work.mkdir(parents=True)
    before = _files(tmp_path / "work")
    for fmt in formats():
        with pytest.raises(SynthdocError, match="not a safe name"):
            export_dataset(ds, fmt, work / f"out-{fmt}")
    rows = pq.read_table(shard).to_pylist()
    with pytest.raises(SynthdocError, match="not a safe name"):
        write_previews(rows, work / "previews")
    assert _files(tmp_path / "work") == before  # nothing written anywhere (the exports stop before any row)
    assert not Path("/tmp/abs-escaped.png").exists() and not Path("/tmp/abs-escaped.jpg").exists()


def test_exporters_refuse_a_bad_id_themselves(small, tmp_path):
    """Defence in depth: a writer given a hostile row directly (not through the reader) refuses it too."""
    from synthdoc.writers.exports import writers

    row = pq.read_table(next(small.glob("data/*/*.parquet"))).to_pylist()[0]
    row["id"] = "../../escaped"
    for fmt, cls in writers().items():
        out = tmp_path / "o" / fmt
        out.mkdir(parents=True)
        with pytest.raises(SynthdocError, match="not a safe name"):
            cls(out).add("train", row)
        with pytest.raises(SynthdocError, match="not a safe name"):
            cls(out).add("../gt", {**row, "id": "ok"})
    assert not list((tmp_path).glob("escaped*")) and not (tmp_path / "o" / "gt").exists()


def test_hostile_shard_name_is_refused(small, tmp_path, synthdoc_cli):
    ds = _copy(small, tmp_path)
    (ds / MANIFEST_NAME).unlink()  # no manifest: the names alone must be safe
    shard = next(ds.glob("data/*/*.parquet"))
    shard.rename(shard.with_name("..-00000-of-00001.parquet"))
    proc = synthdoc_cli(["export", str(ds), "--format", "icdar2015", "--out", "E"], tmp_path)
    _one_line_error(proc, "split in data/eng_Latn/..-00000-of-00001.parquet", "not a safe name")
    assert not (tmp_path / "gt").exists() and not (tmp_path / "E").exists()


@pytest.mark.parametrize("split", ["../../../escaped", "", "a/b", 5, "..", "x" * 200])
def test_split_is_validated_in_the_config(split):
    with pytest.raises(SynthdocError, match="key 'split'"):
        GenerateConfig(split=split).validate()


def test_generate_with_an_escaping_split_writes_nothing(tmp_path, synthdoc_cli):
    (tmp_path / "c.yaml").write_text('split: "../../../escaped"\npages: 2\nlanguages: [en]\n', encoding="utf-8")
    proc = synthdoc_cli(["generate", "--config", "c.yaml", "--out", "sub/X", "--quiet"], tmp_path)
    _one_line_error(proc, "key 'split'")
    assert not (tmp_path / "sub").exists() and not list(tmp_path.rglob("*.parquet"))


def test_preview_refuses_to_overwrite(small, tmp_path, synthdoc_cli):
    first = synthdoc_cli(["preview", "--dataset", str(small), "--out", "P"], tmp_path)
    assert first.returncode == 0, first.stderr
    png = sorted((tmp_path / "P").glob("*.png"))[0]
    png.write_bytes(b"mine")
    again = synthdoc_cli(["preview", "--dataset", str(small), "--out", "P"], tmp_path)
    _one_line_error(again, "already exists", "--overwrite")
    assert png.read_bytes() == b"mine"
    forced = synthdoc_cli(["preview", "--dataset", str(small), "--out", "P", "--overwrite"], tmp_path)
    assert forced.returncode == 0 and png.read_bytes() != b"mine"


# ------------------------------------------------------------------ 6. one checked reader

def test_reader_refuses_a_shard_not_in_the_manifest(small, tmp_path):
    from synthdoc.dataset import open_dataset
    from synthdoc.writers.hub import check_publishable

    ds = _copy(small, tmp_path)
    extra = ds / "data/eng_Latn/train-00009-of-00010.parquet"
    shutil.copy(next(ds.glob("data/*/*.parquet")), extra)
    for check in (open_dataset, check_publishable):
        with pytest.raises(SynthdocError, match="not listed in synthdoc-manifest.json"):
            check(ds)


def test_reader_refuses_a_missing_shard_and_edited_row_counts(small, tmp_path):
    from synthdoc.dataset import open_dataset
    from synthdoc.writers.hub import check_publishable

    ds = _copy(small, tmp_path)
    sorted(ds.glob("data/*/*.parquet"))[0].unlink()
    with pytest.raises(SynthdocError, match="is missing"):
        open_dataset(ds)
    ds2 = _copy(small, tmp_path, "ds2")
    data = json.loads((ds2 / MANIFEST_NAME).read_text(encoding="utf-8"))
    first = sorted(data["completed"])[0]
    data["completed"][first]["rows"] += 1
    (ds2 / MANIFEST_NAME).write_text(json.dumps(data), encoding="utf-8")
    for check in (open_dataset, check_publishable):
        with pytest.raises(SynthdocError, match="holds 2 rows, synthdoc-manifest.json says 3"):
            check(ds2)


def test_truncated_shard_is_one_line_even_without_the_hash(small, tmp_path, synthdoc_cli):
    ds = _copy(small, tmp_path)
    shard = sorted(ds.glob("data/*/*.parquet"))[0]
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])
    for cmd in (["export", str(ds), "--format", "hiertext", "--out", "E", "--no-verify"],
                ["preview", "--dataset", str(ds), "--out", "P", "--no-verify"],
                ["validate", str(ds), "--no-verify", "--quiet"]):
        _one_line_error(synthdoc_cli(cmd, tmp_path), "is damaged")
    (ds / MANIFEST_NAME).unlink()
    _one_line_error(synthdoc_cli(["export", str(ds), "--format", "hiertext", "--out", "E2"], tmp_path), "is damaged")


def test_duplicate_ids_are_refused(small, tmp_path):
    from synthdoc.dataset import open_dataset
    from synthdoc.writers.exports import export_dataset

    ds = _copy(small, tmp_path)
    a, b = sorted(ds.glob("data/*/*.parquet"))
    dup = pq.read_table(a).to_pylist()[0]["id"]
    _rewrite(b, lambda rows: rows[0].update(id=dup))
    with pytest.raises(SynthdocError, match="occur more than once"):
        open_dataset(ds)
    with pytest.raises(SynthdocError, match="occur more than once"):
        export_dataset(ds, "icdar2015", tmp_path / "E")


def test_no_verify_skips_only_the_hash(small, tmp_path):
    from synthdoc.dataset import open_dataset

    ds = _copy(small, tmp_path)
    shard = sorted(ds.glob("data/*/*.parquet"))[0]
    table = pq.read_table(shard)
    pq.write_table(table, shard, compression="gzip")  # same rows, other bytes: only the checksum differs
    with pytest.raises(SynthdocError, match="does not match its checksum"):
        open_dataset(ds)
    assert open_dataset(ds, verify=False).num_rows == 4


def test_push_uploads_only_manifest_files(small, tmp_path, monkeypatch):
    from unittest import mock

    from huggingface_hub import HfApi

    from synthdoc.writers.hub import push_dataset

    ds = _copy(small, tmp_path)
    (ds / "notes.txt").write_text("private", encoding="utf-8")
    monkeypatch.setattr("huggingface_hub.get_token", lambda: "hf_" + "x" * 30)
    api = mock.create_autospec(HfApi, instance=True)
    api.create_repo.return_value = "https://huggingface.co/datasets/me/x"
    push_dataset(ds, "me/x", api=api)
    kw = (api.upload_folder.call_args or api.upload_large_folder.call_args).kwargs
    assert sorted(kw["allow_patterns"]) == sorted(["README.md", MANIFEST_NAME, *(
        p.relative_to(ds).as_posix() for p in ds.glob("data/*/*.parquet"))])


# ------------------------------------------------------------------ 2. dead workers, signals

RUN_ARGS = ["generate", "--languages", "en,ja", "--pages", "40", "--shard-size", "2", "--seed", "3", "--workers", "2",
            "--quiet", "--layouts", "multi_column=1", "--augment", "none"]  # explicit: also started without the helper


def _start(args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "synthdoc", *args], cwd=str(cwd), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_shards(proc: subprocess.Popen, out: Path, n: int, limit_s: float = 180) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / MANIFEST_NAME).exists() and len(json.loads((out / MANIFEST_NAME).read_text())["completed"]) >= n:
            return
        time.sleep(0.01)
    raise AssertionError(f"no {n} shards before the deadline: {proc.poll()} {proc.stderr.read() if proc.poll() else ''}")


def _workers_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory) -> Path:
    from synthdoc.api import write_dataset

    out = tmp_path_factory.mktemp("ref") / "R"
    write_dataset(GenerateConfig(languages=["en", "ja"], pages=40, shard_size=2, seed=3, workers=2), out)
    return out


@pytest.mark.slow
def test_killed_worker_ends_the_run_and_resume_is_byte_identical(tmp_path, reference_run, synthdoc_cli):
    out = tmp_path / "X"
    proc = _start([*RUN_ARGS, "--out", str(out)], tmp_path)
    try:
        _wait_for_shards(proc, out, 1)
        victim = _workers_of(proc.pid)[0]
        os.kill(victim, signal.SIGKILL)
        t0 = time.monotonic()
        _, err = proc.communicate(timeout=60)  # before the fix: waited forever at 0 % CPU
        ended_s = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert ended_s < 30, ended_s
    assert proc.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"worker process {victim} (killed by SIGKILL) died" in lines[0] and "--resume" in lines[0]
    assert not _workers_of(proc.pid)
    resumed = synthdoc_cli([*RUN_ARGS, "--out", str(out), "--resume"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert _files(out) == _files(reference_run)


@pytest.mark.parametrize("sig,code,word", [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
def test_signals_exit_quietly(tmp_path, sig, code, word):
    out = tmp_path / "X"
    proc = _start([*RUN_ARGS, "--out", str(out)], tmp_path)
    try:
        _wait_for_shards(proc, out, 1)
        os.killpg(proc.pid, sig)  # the whole process group, as a terminal or a job scheduler does
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == code, err
    assert err.strip().splitlines() == [f"synthdoc: {word}; finished shards are complete, unfinished ones were not "
                                        "written; --resume completes the run"]
    run = RunManifest.load(Storage(out))
    for rel, rec in run.completed.items():  # what the manifest lists is complete
        assert sha256_of(Storage(out), rel) == rec.sha256


def test_workers_are_capped_at_the_work_and_warn_above_the_cpus(monkeypatch):
    from synthdoc.api import _pool_size
    from synthdoc.errors import SynthdocWarning
    from synthdoc.writers.parquet import ShardPlan

    cfg = GenerateConfig(languages=["en"], pages=2, workers=16)
    todo = ShardPlan.build(["eng_Latn"], 2, 500).specs("train")
    assert _pool_size(cfg, "local", todo) == 2
    assert _pool_size(cfg, "ray", todo) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    with pytest.warns(SynthdocWarning, match="more than the 1 CPUs"):
        _pool_size(cfg, "local", todo)


# ------------------------------------------------------------------ 3. --overwrite

def test_failed_overwrite_leaves_the_old_dataset_byte_identical(small, tmp_path, synthdoc_cli):
    ds = _copy(small, tmp_path)
    before = _files(ds)
    (tmp_path / "hiero.txt").write_text("𓀀𓀁𓀂𓀃 𓀄𓀅𓀆𓀇 𓀈𓀉𓀊\n\n𓀋𓀌𓀍𓀎 𓀏𓀐\n", encoding="utf-8")  # no font covers it
    proc = synthdoc_cli(["generate", "--languages", "en", "--pages", "4", "--shard-size", "2", "--out", str(ds),
                         "--overwrite", "--quiet", "--corpus", "en=hiero.txt"], tmp_path)
    _one_line_error(proc, "sample 0 failed")  # found after work started
    assert _files(ds) == before


def test_bad_jpeg_quality_is_refused_before_the_old_dataset_is_touched(small, tmp_path, synthdoc_cli):
    ds = _copy(small, tmp_path)
    before = _files(ds)
    (tmp_path / "c.yaml").write_text("jpeg_quality: true\nlanguages: [en]\npages: 2\n", encoding="utf-8")
    proc = synthdoc_cli(["generate", "--config", "c.yaml", "--out", str(ds), "--overwrite", "--quiet"], tmp_path)
    _one_line_error(proc, "key 'jpeg_quality'")
    assert _files(ds) == before


def test_successful_overwrite_replaces_the_dataset_whole(small, tmp_path):
    from synthdoc.api import write_dataset
    from synthdoc.dataset import open_dataset

    ds = _copy(small, tmp_path)
    fresh = tmp_path / "fresh"
    cfg = GenerateConfig(languages=["en"], pages=3, shard_size=3, seed=9)
    write_dataset(cfg, fresh)
    write_dataset(cfg, ds, overwrite=True)
    assert _files(ds) == _files(fresh)  # old shards of the other plan gone, no staging folder left
    assert open_dataset(ds).num_rows == 3


# ------------------------------------------------------------------ 4. labelled text that is not on the page

def _blank_font(tmp_path: Path) -> Path:
    """A copy of an installed TrueType font whose glyf outlines are all empty (cmap, metrics, names intact)."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    from synthdoc.fonts.catalogue import FontCatalogue

    src = next(f.path for f in FontCatalogue().family("DejaVu Sans") if f.path.endswith(".ttf"))
    font = TTFont(src)
    for name in font.getGlyphOrder():
        font["glyf"][name] = Glyph()
    folder = tmp_path / "fonts"
    folder.mkdir()
    font["name"].setName("Blank Sans", 1, 3, 1, 0x409)
    font["name"].setName("Blank Sans", 16, 3, 1, 0x409)
    font.save(folder / "BlankSans.ttf")
    shutil.copy(src, folder / "Control.ttf")
    return folder


def test_face_with_empty_glyphs_is_left_out(tmp_path):
    from synthdoc.fonts.catalogue import FontCatalogue

    folder = _blank_font(tmp_path)
    cat = FontCatalogue([str(folder)], system_fonts=False, cache_dir=tmp_path / "cache")
    assert [Path(f.path).name for f in cat.faces] == ["Control.ttf"]
    assert cat.family("Blank Sans") == []


@pytest.mark.parametrize("value", [[0, 1000], [0, float("nan")], [0, float("inf")], [-5, 60], [200, 250]])
def test_template_ink_range_is_validated(tmp_path, value):
    from synthdoc.layout.template import load_template

    p = tmp_path / "t.yaml"
    p.write_text(f"mode: multi_column\nink_gray_range: [{value[0]}, {value[1]}]\n".replace("nan", ".nan")
                 .replace("inf", ".inf"), encoding="utf-8")
    with pytest.raises(SynthdocError, match="ink_gray_range"):
        load_template(str(p))


# ------------------------------------------------------------------ 5. bounded work

def test_long_single_line_paragraph_is_cut_into_pieces(tmp_path):
    from synthdoc.pipeline import SampleFactory
    from synthdoc.text.pieces import MAX_PARAGRAPH_CHARS, split_paragraph
    from synthdoc.text.sources import load_bundled, load_txt

    words = (load_bundled("eng_Latn").documents[0][0] + " ").split()
    text = " ".join(words[i % len(words)] for i in range(250_000))  # ~1.5 MB on one line
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    corpus = load_txt(tmp_path / "long.txt")
    pieces = corpus.documents[0]
    assert max(map(len, pieces)) <= MAX_PARAGRAPH_CHARS and " ".join(pieces) == text
    factory = SampleFactory(GenerateConfig(languages=["en"], corpus={"en": str(tmp_path / "long.txt")}))
    t0 = time.perf_counter()
    for i in range(3):
        factory.make(i)
    assert time.perf_counter() - t0 < 120  # was 301 s on an idle machine (reshaped per page)
    for doc in load_bundled("eng_Latn").documents:  # ordinary paragraphs are unchanged
        for para in doc:
            assert split_paragraph(para) == [para]


def test_pages_cap_and_yaml_alias_bomb(tmp_path, synthdoc_cli):
    _one_line_error(synthdoc_cli(["generate", "--pages", str(10 ** 12), "--out", "X"], tmp_path), "at most")
    bomb = ["fonts:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[k]
        bomb.append(f"  {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    t0 = time.monotonic()
    _one_line_error(synthdoc_cli(["generate", "--config", "bomb.yaml", "--out", "X"], tmp_path), "expands to more")
    assert time.monotonic() - t0 < 60
    (tmp_path / "k.yaml").write_text("fonts:\n  colours: {a: 1}\n", encoding="utf-8")
    _one_line_error(synthdoc_cli(["generate", "--config", "k.yaml", "--out", "X"], tmp_path), "unknown key 'colours'")


# ------------------------------------------------------------------ 7. one-line errors, API argument checks

@pytest.mark.parametrize("yaml_text,needle", [
    ("jpeg_quality: true\n", "jpeg_quality"),
    ("layouts: {multi_column: .inf}\n", "layouts"),
    ("system_fonts: 'no'\n", "system_fonts"),
    ("text_field: 5\n", "text_field"),
    ("split: 5\n", "split"),
    ("font_dirs: [5]\n", "font_dirs"),
    ("fonts: {languages: [1, 2]}\n", "fonts"),
])
def test_config_values_are_one_line_errors(tmp_path, synthdoc_cli, yaml_text, needle):
    (tmp_path / "c.yaml").write_text(yaml_text, encoding="utf-8")
    _one_line_error(synthdoc_cli(["generate", "--config", "c.yaml", "--out", "X"], tmp_path), needle)
    assert not (tmp_path / "X").exists()


def test_non_utf8_config_and_bad_template_values(tmp_path, synthdoc_cli):
    (tmp_path / "c.yaml").write_bytes(b"pages: 2\nsplit: caf\xe9\n")
    _one_line_error(synthdoc_cli(["generate", "--config", "c.yaml", "--out", "X"], tmp_path), "not UTF-8")
    for body in ("page_sizes_mm: {A4: [210, x]}\n", "page_sizes_mm: {A4: 210}\n", "margin_frac_range: [.nan, 1]\n",
                 "dpi: .inf\n"):
        (tmp_path / "t.yaml").write_text("mode: multi_column\n" + body, encoding="utf-8")
        _one_line_error(synthdoc_cli(["generate", "--layouts", "t.yaml", "--out", "X", "--pages", "1"], tmp_path),
                        "t.yaml")


def test_cli_option_values(small, tmp_path, synthdoc_cli):
    _one_line_error(synthdoc_cli(["preview", "--dataset", str(small), "--out", "P", "--pages", "-1"], tmp_path),
                    "--pages")
    _one_line_error(synthdoc_cli(["validate", str(small), "--batch-size", "0", "--quiet"], tmp_path), "--batch-size")


def test_alias_that_takes_over_another_language_is_refused(tmp_path, synthdoc_cli):
    (tmp_path / "c.yaml").write_text("fonts:\n  languages:\n    deu_Latn: {aliases: [en]}\n", encoding="utf-8")
    _one_line_error(synthdoc_cli(["generate", "--config", "c.yaml", "--out", "X"], tmp_path), "alias 'en'")


def test_messages_name_options_that_exist():
    from synthdoc.text.sources import _field_paragraphs

    with pytest.raises(SynthdocError) as info:
        _field_paragraphs(5, "x.jsonl")
    assert "--text-field" not in str(info.value) and "text_field" in str(info.value)
    with pytest.raises(SynthdocError) as info:
        RunManifest.load(_bad_manifest_storage())
    assert "synthdoc generate --overwrite" in str(info.value)


def _bad_manifest_storage() -> Storage:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / MANIFEST_NAME).write_text("[]", encoding="utf-8")
    return Storage(folder)


def test_resume_that_rewrites_the_card_says_so(small, tmp_path):
    from synthdoc.api import write_dataset

    ds = _copy(small, tmp_path)
    (ds / "README.md").unlink()
    summary = write_dataset(GenerateConfig(**SMALL), ds, resume=True)
    assert summary.line().startswith("wrote the dataset card again") and (ds / "README.md").exists()


@pytest.mark.parametrize("call", [
    lambda: __import__("synthdoc.api").api.write_dataset(GenerateConfig(**SMALL), None),
    lambda: __import__("synthdoc.api").api.write_dataset({"pages": 2}, "x"),
    lambda: __import__("synthdoc.api").api.generate_samples(GenerateConfig(corpus={"en": 5})),
    lambda: __import__("synthdoc.api").api.generate_samples(GenerateConfig(font_dirs=[5])),
    lambda: __import__("synthdoc.api").api.generate_samples(GenerateConfig(fonts={"languages": ["x"]})),
    lambda: __import__("synthdoc.api").api.generate_samples(start="0"),
    lambda: __import__("synthdoc.api").api.generate_samples(start=-5),
    lambda: __import__("synthdoc.api").api.generate_samples(seed=-1),
    lambda: __import__("synthdoc.api").api.generate_samples(start=3, stop=1),
    lambda: __import__("synthdoc.streaming").streaming.stream(step=0),
    lambda: __import__("synthdoc.streaming").streaming.stream(GenerateConfig(pages=math.inf)),
])
def test_api_bad_arguments_raise_synthdoc_error(call, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SynthdocError):
        call()
    assert list(tmp_path.iterdir()) == []  # no ./None, no ./5


def test_font_index_of_the_wrong_shape_is_repaired_and_dangling_links_skipped(tmp_path):
    from synthdoc.fonts.catalogue import FontCatalogue

    folder = _blank_font(tmp_path)
    (folder / "gone.ttf").symlink_to(tmp_path / "does-not-exist.ttf")
    cache = tmp_path / "cache"
    cache.mkdir()
    from synthdoc.fonts.catalogue import INDEX_VERSION

    for bad in ([1, 2], {"version": INDEX_VERSION, "files": [1]},
                {"version": INDEX_VERSION, "files": {"x": {"size": "big"}}}):
        (cache / "fonts-index.json").write_text(json.dumps(bad), encoding="utf-8")
        cat = FontCatalogue([str(folder)], system_fonts=False, cache_dir=cache)
        assert [Path(f.path).name for f in cat.faces] == ["Control.ttf"]
        data = json.loads((cache / "fonts-index.json").read_text(encoding="utf-8"))
        assert data["version"] == INDEX_VERSION and isinstance(data["files"], dict)  # repaired


def test_corrupt_texture_image_is_one_line(tmp_path, synthdoc_cli):
    (tmp_path / "tex").mkdir()
    (tmp_path / "tex" / "bad.jpg").write_bytes(bytes(range(256)) * 8)  # not an image
    (tmp_path / "stack.yaml").write_text(f"steps:\n  - TextureFolder: {{p: 1.0, dirs: [{tmp_path / 'tex'}]}}\n",
                                         encoding="utf-8")
    proc = synthdoc_cli(["generate", "--languages", "en", "--pages", "1", "--augment", "stack.yaml", "--out", "X",
                         "--quiet"], tmp_path)
    _one_line_error(proc, "cannot decode texture image", "bad.jpg")


def test_overwrite_continues_the_staged_run_a_kill_left(small, tmp_path):
    """After a SIGKILL during --overwrite the staging folder holds the new run's finished shards; the next
    --overwrite of the same run keeps them (and replaces the old dataset only at its end)."""
    from synthdoc.api import STAGING, write_dataset

    cfg = GenerateConfig(languages=["en"], pages=4, shard_size=2, seed=5)
    fresh = tmp_path / "fresh"
    write_dataset(cfg, fresh)
    ds = _copy(small, tmp_path)
    staged = ds / STAGING
    shutil.copytree(fresh, staged)
    run = RunManifest.load(Storage(staged))
    run.completed.pop(sorted(run.completed)[-1])  # as a kill after the first shard leaves it
    run.finished = False
    run.save(Storage(staged))
    (staged / "README.md").unlink()
    summary = write_dataset(cfg, ds, overwrite=True)
    assert (summary.already_complete, summary.shards) == (1, 1)
    assert _files(ds) == _files(fresh)


@pytest.mark.parametrize("code", ["../../evil_Latn", "a/b_Latn", "evil_Latn/..", " x_Latn"])
def test_config_name_from_a_fonts_override_is_validated(tmp_path, synthdoc_cli, code):
    """A language code names the config folder data/<code>/: a hostile one must not leave --out."""
    (tmp_path / "c.yaml").write_text(json.dumps({"languages": [code], "pages": 1,
                                                 "fonts": {"languages": {code: {"script": "Latn"}}}}), encoding="utf-8")
    proc = synthdoc_cli(["generate", "--config", "c.yaml", "--out", "a/b/X", "--quiet"], tmp_path)
    _one_line_error(proc, "code must be language_Script")
    assert not list(tmp_path.rglob("*.parquet")) and not (tmp_path / "a").exists()


def test_fonts_override_types_are_one_line_errors():
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml

    for override in ({"languages": {"deu_Latn": [1]}}, {"languages": {"deu_Latn": {"aliases": "de"}}},
                     {"languages": {"deu_Latn": {"fonts": {"serif": 5}}}}, {"scripts": {"Latn": 5}},
                     {"languages": {"deu_Latn": {"space_delimited": "no"}}}):
        with pytest.raises(SynthdocError, match="fonts.yaml"):
            LanguageRegistry(load_fonts_yaml(override=override))
