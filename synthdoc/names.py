"""Untrusted names -> safe file names: the one place that decides whether a row id, a split, a config (language
folder) name or a shard file name read from a file may become part of a path.

A dataset may come from anyone (the Hub): its row ids, split and config names are data, not paths. Every writer,
exporter and preview builds file names through :func:`safe_name` / :func:`safe_join`, so a value such as
``../../x``, ``/etc/passwd``, ``a/b``, ``..`` or ``""`` is refused with a one-line :class:`SynthdocError` instead
of writing outside the chosen folder.

A safe name matches :data:`SAFE_NAME_RE`: 1-128 characters from ``[A-Za-z0-9._-]``, starting with a letter or
digit (so never ``.``, ``..``, a hidden file or an option-like ``-x``), no path separator, no NUL, no space.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from synthdoc.errors import SynthdocError

SAFE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def is_safe_name(value: object) -> bool:
    """True when `value` is a str matching :data:`SAFE_NAME_RE` (and is not made of dots only)."""
    return isinstance(value, str) and bool(SAFE_NAME_RE.fullmatch(value)) and value.strip(".") != ""


def safe_name(value: object, what: str) -> str:
    """`value` itself when it is a safe file name component.

    Args:
        value: the untrusted name (row id, split, config name, shard name).
        what: what it is, for the message ("row id", "split", "config name").

    Raises:
        SynthdocError: not a str, empty, or with characters outside ``[A-Za-z0-9._-]`` (e.g. ``/``, ``..``).
    """
    if not is_safe_name(value):
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise SynthdocError(f"{what} {shown} is not a safe name (1-128 of A-Z a-z 0-9 . _ -, starting with a "
                            "letter or digit); the dataset or config is damaged or hostile")
    return value


def safe_join(folder: str | os.PathLike, *names: str, what: str = "name") -> Path:
    """``folder / name1 / name2 ...`` after checking each name with :func:`safe_name`, and that the result
    stays inside `folder` (resolved, so a symlinked component pointing elsewhere is refused too).

    Raises:
        SynthdocError: an unsafe name, or a path that resolves outside `folder`.
    """
    base = Path(folder)
    path = base.joinpath(*(safe_name(n, what) for n in names))
    root = base.resolve()
    if not path.resolve().is_relative_to(root):
        raise SynthdocError(f"{path} leads outside {base} (a symbolic link?); choose another --out")
    return path


def check_new_file(path: Path, overwrite: bool) -> Path:
    """`path`, after refusing to replace an existing file unless `overwrite`.

    Raises:
        SynthdocError: `path` exists and `overwrite` is False.
    """
    if not overwrite and (path.exists() or path.is_symlink()):
        raise SynthdocError(f"{path} already exists; choose another --out or pass --overwrite")
    return path
