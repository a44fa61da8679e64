"""Locate the data shipped with synthdoc (fonts.yaml, layouts/, bundled text samples).

In a wheel, the repository's top-level ``fonts.yaml`` and ``layouts/`` are installed as
``synthdoc/_data/``; in a source checkout (editable install, tests) they are read from the repository root.
"""
from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Path of a shipped data file or folder: ``fonts.yaml`` or ``layouts``.

    Raises:
        FileNotFoundError: neither the installed copy nor the checkout copy exists (broken install).
    """
    for base in (_PKG / "_data", _PKG.parent):
        p = base / name
        if p.exists():
            return p
    raise FileNotFoundError(f"synthdoc data {name!r} is missing from the installation; reinstall with `pip install .`")


def samples_dir() -> Path:
    """Folder of the bundled sample corpora, one ``<code>.txt`` per language."""
    return _PKG / "text" / "samples"
