"""Resumable, crash-safe runs: a real ``synthdoc generate`` killed with SIGKILL mid-run and resumed gives the
bytes of an uninterrupted run; finished runs are left alone; a resume of another run is a one-line error;
the manifest records every completed shard with its row count and checksum."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from synthdoc.api import write_dataset
from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.writers.manifest import MANIFEST_NAME, RunManifest
from synthdoc.writers.storage import Storage

RUN = {"languages": ["en", "ja"], "pages": 12, "shard_size": 2, "seed": 7}
CLI_RUN = ["generate", "--languages", "en,ja", "--pages", "12", "--shard-size", "2", "--seed", "7", "--quiet",
           "--layouts", "multi_column=1", "--augment", "none"]  # the clean run the recorded behaviour is about


def _files(out):
    """Dataset-relative path -> bytes of every file in a dataset folder."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _manifest(out) -> dict:
    return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))


def _one_line_error(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synthdoc: error:"), proc.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The same run, uninterrupted, in-process."""
    out = tmp_path_factory.mktemp("resume") / "reference"
    write_dataset(GenerateConfig(**RUN), out)
    return out


@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """A CLI run SIGKILLed (with its whole process group) right after its first shard was recorded.

    Returns (folder, copy of the folder as the kill left it, shards completed at the kill)."""
    base = tmp_path_factory.mktemp("killed")
    out = base / "X"
    proc = subprocess.Popen([sys.executable, "-m", "synthdoc", *CLI_RUN, "--out", str(out)], cwd=str(base),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    done_at_kill = None
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / MANIFEST_NAME).exists():
                done = len(_manifest(out)["completed"])  # written atomically: always complete JSON
                if done >= 1:
                    os.killpg(proc.pid, signal.SIGKILL)
                    done_at_kill = done
                    break
            time.sleep(0.005)
    finally:
        if proc.poll() is None and done_at_kill is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert done_at_kill is not None, f"run ended before it could be killed: {proc.stderr.read()!r}"
    assert proc.returncode == -signal.SIGKILL
    snapshot = base / "as_killed"
    shutil.copytree(out, snapshot)
    return out, snapshot, done_at_kill


def test_kill_left_only_complete_shards(killed):
    out, snapshot, done_at_kill = killed
    manifest = _manifest(snapshot)
    assert 1 <= len(manifest["completed"]) < len(manifest["shards"]) == 6  # killed mid-run
    assert manifest["finished"] is False
    assert not (snapshot / "README.md").exists()
    for shard in snapshot.glob("data/*/*.parquet"):  # a file under a shard's name is always a whole shard
        t = pq.read_table(shard)
        assert t.num_rows == 2
    for path, rec in manifest["completed"].items():
        data = (snapshot / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == rec["sha256"] and len(data) == rec["bytes"]
        assert rec["rows"] == pq.read_metadata(snapshot / path).num_rows


def test_resume_completes_the_run_like_an_uninterrupted_one(killed, reference, synthdoc_cli):
    out, _, _ = killed
    # an interrupted write of another process leaves a hidden temporary file; a pending shard may be garbage
    pending = [s["path"] for s in _manifest(out)["shards"] if s["path"] not in _manifest(out)["completed"]]
    stale_tmp = out / pending[-1].rsplit("/", 1)[0] / f".{pending[-1].rsplit('/', 1)[1]}.99999.tmp"
    stale_tmp.parent.mkdir(parents=True, exist_ok=True)
    stale_tmp.write_bytes(b"PAR1 half a shard")
    (out / pending[0]).parent.mkdir(parents=True, exist_ok=True)
    (out / pending[0]).write_bytes(b"not a parquet file")

    proc = synthdoc_cli([*CLI_RUN, "--out", "X", "--resume"], out.parent)
    assert proc.returncode == 0, proc.stderr
    assert "shards were already complete" in proc.stdout

    got, want = _files(out), _files(reference)
    assert sorted(got) == sorted(want)  # no temporary file, nothing extra
    for path in want:
        assert got[path] == want[path], path  # shards, card and manifest byte-identical
    ids = []
    for shard in sorted(out.glob("data/*/*.parquet")):
        ids += pq.read_table(shard, columns=["id"]).column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 12
    indices = sorted(int(i.rsplit("-", 1)[1]) for i in ids)
    assert indices == list(range(12))


def test_rerunning_a_finished_run_does_nothing(reference, synthdoc_cli):
    before = {p: p.stat().st_mtime_ns for p in reference.rglob("*")}
    proc = synthdoc_cli([*CLI_RUN, "--out", reference.name, "--resume"], reference.parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"nothing to do: {reference.name} already holds all 12 pages in 6 shards"
    assert {p: p.stat().st_mtime_ns for p in reference.rglob("*")} == before


def test_resume_with_another_config_is_a_one_line_error(killed, synthdoc_cli, tmp_path):
    _, snapshot, _ = killed
    work = tmp_path / "X"
    shutil.copytree(snapshot, work)
    before = _files(work)
    args = [a if a != "12" else "14" for a in CLI_RUN]
    proc = synthdoc_cli([*args, "--out", "X", "--resume"], tmp_path)
    _one_line_error(proc, "pages 14 now, 12 there", "--overwrite")
    assert _files(work) == before


def test_unfinished_run_without_resume_is_refused(killed, synthdoc_cli, tmp_path):
    _, snapshot, done_at_kill = killed
    shutil.copytree(snapshot, tmp_path / "X")
    proc = synthdoc_cli([*CLI_RUN, "--out", "X"], tmp_path)
    _one_line_error(proc, "unfinished run", "--resume")


# ------------------------------------------------------------------ in-process checks of the manifest

SMALL = {"languages": ["en"], "pages": 3, "shard_size": 1, "seed": 2}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("small") / "ds"
    write_dataset(GenerateConfig(**SMALL), out)
    return out


def test_manifest_contents(small):
    m = RunManifest.load(Storage(small))
    assert m.finished and m.seed == 2 and m.split == "train"
    assert m.config == GenerateConfig(**SMALL).to_dict()
    from synthdoc import __version__

    assert m.synthdoc_version == __version__
    assert [(s.config, s.path, list(s.indices)) for s in m.shards] == [
        ("eng_Latn", f"data/eng_Latn/train-0000{k}-of-00003.parquet", [k]) for k in range(3)]
    for s in m.shards:
        rec = m.completed[s.path]
        data = (small / s.path).read_bytes()
        assert (rec.rows, rec.bytes, rec.sha256) == (1, len(data), hashlib.sha256(data).hexdigest())
        assert rec.layouts == {"multi_column": 1}
        assert rec.fonts and all(isinstance(v, int) for v in rec.fonts.values())


def test_resume_rewrites_missing_or_damaged_shards(small, tmp_path):
    out = tmp_path / "ds"
    shutil.copytree(small, out)
    want = _files(small)
    (out / "data/eng_Latn/train-00001-of-00003.parquet").unlink()
    (out / "data/eng_Latn/train-00002-of-00003.parquet").write_bytes(b"truncated")
    (out / "README.md").unlink()
    summary = write_dataset(GenerateConfig(**SMALL), out, resume=True)
    assert (summary.pages, summary.shards, summary.already_complete) == (2, 2, 1)
    assert _files(out) == want


def test_resume_of_an_empty_folder_starts_the_run(tmp_path, small):
    summary = write_dataset(GenerateConfig(**SMALL), tmp_path / "new", resume=True)
    assert summary.pages == 3
    assert _files(tmp_path / "new") == _files(small)


def test_worker_count_may_change_on_resume(small, tmp_path):
    out = tmp_path / "ds"
    shutil.copytree(small, out)
    (out / "data/eng_Latn/train-00000-of-00003.parquet").unlink()
    m = RunManifest.load(Storage(out))
    del m.completed["data/eng_Latn/train-00000-of-00003.parquet"]
    m.finished = False
    m.save(Storage(out))
    write_dataset(GenerateConfig(**SMALL, workers=2), out, resume=True)
    assert _files(out) == _files(small)  # the manifest keeps the first run's worker count


def test_existing_dataset_without_manifest_cannot_be_resumed(tmp_path, small):
    out = tmp_path / "ds"
    shutil.copytree(small, out)
    (out / MANIFEST_NAME).unlink()
    with pytest.raises(SynthdocError, match="without a synthdoc manifest|cannot resume"):
        write_dataset(GenerateConfig(**SMALL), out, resume=True)


def test_corrupt_manifest_is_a_clear_error(tmp_path, small):
    out = tmp_path / "ds"
    shutil.copytree(small, out)
    (out / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(SynthdocError, match="not a valid synthdoc manifest.*--overwrite"):
        write_dataset(GenerateConfig(**SMALL), out, resume=True)


def test_overwrite_removes_shards_of_another_plan(tmp_path, small):
    out = tmp_path / "ds"
    shutil.copytree(small, out)
    write_dataset(GenerateConfig(**{**SMALL, "shard_size": 3}), out, overwrite=True)
    assert sorted(p.name for p in out.glob("data/*/*.parquet")) == ["train-00000-of-00001.parquet"]
    assert pq.read_table(out / "data/eng_Latn/train-00000-of-00001.parquet").num_rows == 3


def test_resume_accepts_language_aliases_or_codes(tmp_path, small):
    out = tmp_path / "ds"
    shutil.copytree(small, out)
    (out / "data/eng_Latn/train-00002-of-00003.parquet").unlink()
    summary = write_dataset(GenerateConfig(**{**SMALL, "languages": ["eng_Latn"]}), out, resume=True)
    assert summary.pages == 1
    assert _files(out) == _files(small)
    with pytest.raises(SynthdocError, match=r"languages \["):
        write_dataset(GenerateConfig(**{**SMALL, "languages": ["en", "ja"]}), out, resume=True)
