"""Publish a finished dataset folder to the Hugging Face Hub with huggingface_hub.

Before anything is sent, the folder is opened with :func:`synthdoc.dataset.open_dataset`: the run manifest
says the run finished, the files under ``data/`` are exactly the manifest's shards, every shard's row count
and SHA-256 match the manifest, ids are unique; and the dataset card is complete
(:func:`synthdoc.writers.card.card_problems`).
Then the dataset repo is created if needed (``create_repo(exist_ok=True)``), the branch if a revision is
given, and the folder is uploaded: with ``upload_large_folder`` where the installed huggingface_hub has it
(0.25 - 1.x: resumable, several commits), else ``upload_folder`` (2.x: resumable and multi-commit itself).
Only the card, the manifest and the shards the manifest lists are uploaded (``allow_patterns`` names each
file, so nothing else in the folder is sent).

The token is whatever huggingface_hub finds itself (``HF_TOKEN`` or ``hf auth login``); synthdoc only checks
that one exists and never passes it on, prints it or puts it into an error message.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from synthdoc.dataset import open_dataset
from synthdoc.errors import SynthdocError
from synthdoc.writers.card import CARD_NAME, card_problems
from synthdoc.writers.manifest import MANIFEST_NAME, RunManifest
from synthdoc.writers.storage import Storage

_REPO_ID_RE = re.compile(r"[\w.-]+/[\w.-]+")
_TOKEN_LIKE_RE = re.compile(r"hf_[A-Za-z0-9]{8,}")


def check_publishable(folder: str | os.PathLike) -> RunManifest:
    """The manifest of a finished, intact dataset folder with a complete card.

    Raises:
        SynthdocError: not a local folder, no manifest, unfinished run, a shard missing or not matching its
            checksum, a missing or incomplete dataset card.
    """
    storage = Storage(folder)
    if not storage.is_local or not Path(storage.root).is_dir():
        raise SynthdocError(f"{folder} is not a local folder; push the folder given to `synthdoc generate --out`")
    manifest = RunManifest.load(storage)
    if manifest is None:
        raise SynthdocError(f"{folder} has no {MANIFEST_NAME}; push a folder written by `synthdoc generate`")
    if not manifest.finished:
        raise SynthdocError(f"{folder} holds an unfinished run ({len(manifest.completed)} of {len(manifest.shards)} "
                            "shards); complete it with `synthdoc generate --resume` and the same options first")
    open_dataset(folder, verify=True)  # file set, row counts, SHA-256, ids (one-line errors)
    if not storage.exists(CARD_NAME):
        raise SynthdocError(f"{folder} has no {CARD_NAME}; run `synthdoc generate --resume` with the same options "
                            "to write the dataset card")
    problems = card_problems(storage.read_bytes(CARD_NAME).decode("utf-8"), manifest)
    if problems:
        raise SynthdocError(f"the dataset card {folder}/{CARD_NAME} is incomplete ({problems[0]}); restore it, or "
                            "delete it and run `synthdoc generate --resume` with the same options to write it again")
    return manifest


def redact(text: str, token: str | None, limit: int = 300) -> str:
    """`text` on one line, at most `limit` characters, with the token (and anything shaped like a Hub token)
    masked."""
    if token:
        text = text.replace(token, "***")
    text = _TOKEN_LIKE_RE.sub("hf_***", " ".join(str(text).split()))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def push_dataset(folder: str | os.PathLike, repo_id: str, *, private: bool = False, revision: str | None = None,
                 api=None) -> str:
    """Check `folder` and upload it to the dataset repo `repo_id`.

    Args:
        folder: dataset folder written by :func:`synthdoc.api.write_dataset`.
        repo_id: "owner/name" of the dataset repo (created when missing).
        private: create the repo private (an existing repo keeps its visibility).
        revision: branch to upload to (created from main when missing); None = main.
        api: a ``huggingface_hub.HfApi`` (default: a new one, which finds the token itself).

    Returns:
        The dataset's URL on the Hub.

    Raises:
        SynthdocError: the folder is not publishable (see :func:`check_publishable`), a bad repo id, no token,
            or the Hub refused or could not be reached (one line, token masked).
    """
    if not _REPO_ID_RE.fullmatch(repo_id or ""):
        raise SynthdocError(f"--repo must be OWNER/NAME, got {repo_id!r}")
    manifest = check_publishable(folder)
    allow = [CARD_NAME, MANIFEST_NAME, *sorted(manifest.completed)]  # exact names: no other file is sent
    import huggingface_hub

    token = huggingface_hub.get_token()
    if token is None:
        raise SynthdocError("no Hugging Face token; set HF_TOKEN or run `hf auth login`")
    api = api if api is not None else huggingface_hub.HfApi()
    folder = str(folder)
    try:
        url = api.create_repo(repo_id, repo_type="dataset", private=True if private else None, exist_ok=True)
        if revision:
            api.create_branch(repo_id, branch=revision, repo_type="dataset", exist_ok=True)
        if hasattr(api, "upload_large_folder"):
            api.upload_large_folder(repo_id=repo_id, folder_path=folder, repo_type="dataset", revision=revision,
                                    private=True if private else None, allow_patterns=allow)
        else:
            api.upload_folder(repo_id=repo_id, folder_path=folder, repo_type="dataset", revision=revision,
                              allow_patterns=allow, commit_message="Upload synthdoc dataset")
    except Exception as e:  # the network boundary: every failure becomes one line without the token
        raise SynthdocError(f"cannot push {folder} to {repo_id}: {type(e).__name__}: {redact(str(e), token)}; "
                            "check the repo name, your token's write access and the network") from None
    return str(url) if url else f"https://huggingface.co/datasets/{repo_id}"
