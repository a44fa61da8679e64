"""Keep-lists: text files of the row ids to keep, one per line (written by ``synthdoc validate --filter``, read
by :func:`synthdoc.api.filter_dataset`; the filtered copy itself is written by :mod:`synthdoc.writers.filtered`)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from synthdoc.errors import SynthdocError


def write_keep_list(path: str | os.PathLike, ids: Iterable[str]) -> Path:
    """Write row ids, one per line (UTF-8). Returns the path."""
    path = Path(path)
    path.write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
    return path


def read_keep_list(path: str | os.PathLike) -> list[str]:
    """Row ids of a keep-list file (blank lines ignored).

    Raises:
        SynthdocError: the file cannot be read.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise SynthdocError(f"cannot read keep-list {str(path)!r}: {e.strerror}") from None
    return [s.strip() for s in text.splitlines() if s.strip()]
