"""``synthdoc push``: checks before upload (finished run, checksums, complete card), the calls made to an
autospec'd ``HfApi`` (create_repo exist_ok, branch, upload of the card, manifest and shards only), the token
never in output or errors, and no network at all (HF_HUB_OFFLINE=1 and sockets blocked). An opt-in live test
pushes to a real repo when SYNTHDOC_HUB_TEST_REPO and HF_TOKEN are set."""
from __future__ import annotations

import fnmatch
import os
import shutil
import socket
import subprocess
import sys
from unittest import mock

import huggingface_hub
import pytest
from huggingface_hub import HfApi

from synthdoc import cli
from synthdoc.api import write_dataset
from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.writers.hub import push_dataset

FAKE_TOKEN = "hf_FakeTokenForTests0123456789abcdef"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("hub") / "ds"
    write_dataset(GenerateConfig(languages=["en"], pages=2, shard_size=1, seed=5), out)
    return out


@pytest.fixture
def offline(monkeypatch):
    """HF_HUB_OFFLINE=1 (set by conftest before huggingface_hub was imported), a fake token in the
    environment, and every socket connection refused."""
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def api():
    fake = mock.create_autospec(HfApi, instance=True)
    fake.create_repo.return_value = "https://huggingface.co/datasets/me/pages"
    return fake


def _uploaded(folder, patterns) -> set[str]:
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    return {f for f in files if any(fnmatch.fnmatch(f, pat) for pat in patterns)}


def test_push_calls(dataset, offline, api):
    url = push_dataset(dataset, "me/pages", private=True, revision="v1", api=api)
    assert url == "https://huggingface.co/datasets/me/pages"
    api.create_repo.assert_called_once_with("me/pages", repo_type="dataset", private=True, exist_ok=True)
    api.create_branch.assert_called_once_with("me/pages", branch="v1", repo_type="dataset", exist_ok=True)
    (call,) = api.upload_folder.call_args_list
    kw = call.kwargs
    assert (kw["repo_id"], kw["repo_type"], kw["revision"], kw["folder_path"]) == ("me/pages", "dataset", "v1", str(dataset))
    assert _uploaded(dataset, kw["allow_patterns"]) == {
        "README.md", "synthdoc-manifest.json",
        "data/eng_Latn/train-00000-of-00002.parquet", "data/eng_Latn/train-00001-of-00002.parquet"}
    for c in api.mock_calls:  # the token is never handed around by synthdoc
        assert FAKE_TOKEN not in repr(c)


def test_push_public_main(dataset, offline, api):
    push_dataset(dataset, "me/pages", api=api)
    api.create_repo.assert_called_once_with("me/pages", repo_type="dataset", private=None, exist_ok=True)
    api.create_branch.assert_not_called()
    assert api.upload_folder.call_args.kwargs["revision"] is None


def test_upload_large_folder_is_used_where_it_exists(dataset, offline):
    class ApiWithLargeFolder(HfApi):  # huggingface_hub 0.25 - 1.x
        def upload_large_folder(self, repo_id, folder_path, *, repo_type, revision=None, private=None,
                                allow_patterns=None, ignore_patterns=None, num_workers=None, print_report=True,
                                print_report_every=60):
            raise NotImplementedError

    fake = mock.create_autospec(ApiWithLargeFolder, instance=True)
    push_dataset(dataset, "me/pages", api=fake)
    fake.upload_folder.assert_not_called()
    kw = fake.upload_large_folder.call_args.kwargs
    assert (kw["repo_id"], kw["repo_type"]) == ("me/pages", "dataset")
    assert kw["allow_patterns"] == ["README.md", "synthdoc-manifest.json", "data/eng_Latn/train-00000-of-00002.parquet",
                                    "data/eng_Latn/train-00001-of-00002.parquet"]


def test_cli_push_with_the_token_in_an_error(dataset, offline, api, monkeypatch, capsys):
    from huggingface_hub.errors import HfHubHTTPError

    response = mock.Mock(status_code=403, headers={"x-request-id": "r1"}, request=None)
    api.upload_folder.side_effect = HfHubHTTPError(f"403 Forbidden: token {FAKE_TOKEN} cannot write to me/pages",
                                                   response=response)
    monkeypatch.setattr(huggingface_hub, "HfApi", lambda *a, **k: api)
    assert cli.main(["push", str(dataset), "--repo", "me/pages"]) == 2
    out, err = capsys.readouterr()
    assert FAKE_TOKEN not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synthdoc: error: cannot push")
    assert "403 Forbidden" in lines[0] and "***" in lines[0]


def test_cli_push_happy_path(dataset, offline, api, monkeypatch, capsys):
    monkeypatch.setattr(huggingface_hub, "HfApi", lambda *a, **k: api)
    assert cli.main(["push", str(dataset), "--repo", "me/pages", "--private"]) == 0
    out, _ = capsys.readouterr()
    assert out.strip() == f"pushed {dataset} to https://huggingface.co/datasets/me/pages"
    assert api.create_repo.call_args.kwargs["private"] is True


def test_real_hfapi_offline_is_a_one_line_error(dataset, offline):
    with pytest.raises(SynthdocError, match="cannot push .*OfflineModeIsEnabled") as info:
        push_dataset(dataset, "me/pages")  # a real HfApi: HF_HUB_OFFLINE stops it before any socket
    assert FAKE_TOKEN not in str(info.value) and "\n" not in str(info.value)


def test_no_token(dataset, offline, api, monkeypatch, tmp_path):
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    with pytest.raises(SynthdocError, match="no Hugging Face token; set HF_TOKEN"):
        push_dataset(dataset, "me/pages", api=api)
    api.create_repo.assert_not_called()


@pytest.mark.parametrize("repo", ["pages", "a/b/c", "", "me/pa ges"])
def test_bad_repo_id(dataset, offline, api, repo):
    with pytest.raises(SynthdocError, match="--repo must be OWNER/NAME"):
        push_dataset(dataset, repo, api=api)
    api.create_repo.assert_not_called()


# ------------------------------------------------------------------ checks before anything is sent

def _copy(dataset, tmp_path):
    out = tmp_path / "ds"
    shutil.copytree(dataset, out)
    return out


def _refused(folder, api, *needles):
    with pytest.raises(SynthdocError) as info:
        push_dataset(folder, "me/pages", api=api)
    for n in needles:
        assert n in str(info.value), (n, str(info.value))
    assert api.mock_calls == []


def test_refuses_a_damaged_shard(dataset, offline, api, tmp_path):
    out = _copy(dataset, tmp_path)
    shard = out / "data/eng_Latn/train-00001-of-00002.parquet"
    data = bytearray(shard.read_bytes())
    data[100] ^= 0xFF  # same size, other bytes
    shard.write_bytes(bytes(data))
    _refused(out, api, "train-00001-of-00002.parquet does not match its checksum", "--resume")


def test_refuses_an_incomplete_card(dataset, offline, api, tmp_path):
    out = _copy(dataset, tmp_path)
    card = (out / "README.md").read_text(encoding="utf-8")
    (out / "README.md").write_text(card.replace("## Fonts", "## Typefaces"), encoding="utf-8")
    _refused(out, api, "dataset card", "no '## Fonts' section")


def test_refuses_wrong_row_counts_in_the_card(dataset, offline, api, tmp_path):
    out = _copy(dataset, tmp_path)
    card = (out / "README.md").read_text(encoding="utf-8")
    (out / "README.md").write_text(card.replace("num_examples: 2", "num_examples: 3"), encoding="utf-8")
    _refused(out, api, "row counts")


def test_refuses_an_unfinished_run(dataset, offline, api, tmp_path):
    out = _copy(dataset, tmp_path)
    from synthdoc.writers.manifest import RunManifest
    from synthdoc.writers.storage import Storage

    m = RunManifest.load(Storage(out))
    m.finished = False
    m.completed.pop(next(iter(m.completed)))
    m.save(Storage(out))
    _refused(out, api, "unfinished run (1 of 2 shards)", "--resume")


def test_refuses_a_folder_without_manifest(offline, api, tmp_path):
    (tmp_path / "ds").mkdir()
    _refused(tmp_path / "ds", api, "no synthdoc-manifest.json")


# ------------------------------------------------------------------ opt-in live test

@pytest.mark.slow
def test_live_push(dataset, tmp_path):
    repo = os.environ.get("SYNTHDOC_HUB_TEST_REPO")
    if not repo or not os.environ.get("HF_TOKEN"):
        pytest.skip("set SYNTHDOC_HUB_TEST_REPO=owner/name and HF_TOKEN to push to a real test repo")
    env = {**os.environ, "HF_HUB_OFFLINE": "0"}  # conftest made this process offline; the child is not
    proc = subprocess.run([sys.executable, "-m", "synthdoc", "push", str(dataset), "--repo", repo, "--private"],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert os.environ["HF_TOKEN"] not in proc.stdout + proc.stderr
    check = ("from huggingface_hub import HfApi; import sys; "
             f"files = HfApi().list_repo_files({repo!r}, repo_type='dataset'); "
             "print('\\n'.join(sorted(files)))")
    listed = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120, env=env)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert {"README.md", "synthdoc-manifest.json", "data/eng_Latn/train-00000-of-00002.parquet"} <= set(
        listed.stdout.split())
