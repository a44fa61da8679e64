"""Where a dataset lives: a local folder or an fsspec URL (``s3://``, ``gs://``, ``file://``, ``memory://``, ...).

Every file synthdoc writes into a dataset goes through :meth:`Storage.write_bytes`, which never leaves a
partial file under the final name: on a local disk the bytes go to a hidden temporary file in the same
folder (``.<name>.<pid>.tmp``), are flushed with ``fsync`` and renamed over the target with ``os.replace``
(atomic on POSIX); on object stores a single ``put`` of the whole object is atomic by itself (S3, GCS and
Azure only show an object once its upload is complete).

Files written piece by piece (Parquet shards streamed row group by row group) go through
:meth:`Storage.open_atomic`, which gives the same guarantee: locally the same hidden temporary file, fsync and
``os.replace`` once the writer is done; on other filesystems the pieces go to a local temporary file (so memory
stays bounded) that is then uploaded with a single ``put_file``. Either way an error or a kill part-way leaves
nothing under the final name.
"""
from __future__ import annotations

import contextlib
import os
import posixpath
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import fsspec
from fsspec.implementations.local import LocalFileSystem

from synthdoc.errors import SynthdocError

TMP_SUFFIX = ".tmp"


class Storage:
    """A dataset folder addressed by a local path or an fsspec URL.

    Args:
        location: local path (relative paths are resolved against the working directory) or fsspec URL.

    Attributes:
        location: what the user gave, for messages.
        fs: the fsspec filesystem.
        root: the folder on `fs` (absolute path for local folders, no protocol).

    Raises:
        SynthdocError: unknown URL protocol, or the filesystem's package (s3fs, gcsfs, ...) is missing.
    """

    def __init__(self, location: str | os.PathLike):
        self.location = str(location)
        try:
            self.fs, root = fsspec.core.url_to_fs(self.location)
        except ValueError as e:
            raise SynthdocError(f"cannot use output {self.location!r}: {e}; give a folder or an fsspec URL") from None
        except ImportError as e:
            raise SynthdocError(f"cannot use output {self.location!r}: {e}") from None
        self.root = root.rstrip("/") or "/"

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    @property
    def url(self) -> str:
        """Absolute address another process can open: the absolute path of a local folder, else a URL."""
        return self.root if self.is_local else self.fs.unstrip_protocol(self.root)

    def path(self, rel: str) -> str:
        """Full path on `fs` of `rel`, a '/'-separated path inside the dataset."""
        return posixpath.join(self.root, rel)

    def exists(self, rel: str) -> bool:
        return bool(self.fs.exists(self.path(rel)))

    def size(self, rel: str) -> int | None:
        """Size in bytes of `rel`, or None when it does not exist."""
        try:
            return int(self.fs.size(self.path(rel)))
        except FileNotFoundError:
            return None

    def read_bytes(self, rel: str) -> bytes:
        return self.fs.cat_file(self.path(rel))

    def glob(self, pattern: str) -> list[str]:
        """Dataset-relative paths matching a glob `pattern` (e.g. ``data/*/*.parquet``), sorted."""
        prefix = self.root.rstrip("/") + "/"
        found = self.fs.glob(self.path(pattern))
        return sorted(p[len(prefix):] if p.startswith(prefix) else p for p in found)

    def remove(self, rel: str) -> None:
        """Delete `rel` (no error when it is already gone)."""
        try:
            self.fs.rm_file(self.path(rel))
        except FileNotFoundError:
            pass

    def child(self, rel: str) -> "Storage":
        """The folder `rel` inside this one as a Storage of its own (e.g. the staging folder of --overwrite)."""
        return Storage(self.url.rstrip("/") + "/" + rel if not self.is_local else posixpath.join(self.root, rel))

    def move(self, src: str, dst: str) -> None:
        """Move the file `src` (dataset-relative) to `dst`, replacing it: ``os.replace`` on a local disk (atomic),
        ``fs.mv`` elsewhere.

        Raises:
            SynthdocError: the move failed.
        """
        try:
            if self.is_local:
                Path(self.path(dst)).parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.path(src), self.path(dst))
            else:
                self.fs.mv(self.path(src), self.path(dst))
        except OSError as e:
            raise SynthdocError(f"cannot move {src} to {dst} in {self.location}: {e.strerror or e}") from None

    def remove_tree(self, rel: str) -> None:
        """Delete the folder `rel` and everything in it (no error when it is already gone)."""
        try:
            self.fs.rm(self.path(rel), recursive=True)
        except FileNotFoundError:
            pass

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write `data` to `rel` atomically (see the module docstring).

        Raises:
            SynthdocError: the location is not writable.
        """
        target = self.path(rel)
        try:
            if self.is_local:
                _write_local_atomic(Path(target), data)
            else:
                self.fs.makedirs(posixpath.dirname(target), exist_ok=True)
                self.fs.pipe_file(target, data)
        except OSError as e:
            reason = e.strerror or str(e)
            raise SynthdocError(f"cannot write {self.location}/{rel}: {reason}; choose a writable --out") from None

    @contextlib.contextmanager
    def open_atomic(self, rel: str) -> Iterator[BinaryIO]:
        """A binary file to write `rel` piece by piece; it appears under its name, whole, only when the
        ``with`` block ends without an error (see the module docstring). On an error nothing is left behind.

        Raises:
            SynthdocError: the location is not writable (errors raised inside the block pass through).
        """
        target = self.path(rel)
        try:
            opener = _open_local_atomic(Path(target)) if self.is_local else self._open_remote_atomic(target)
            with opener as f:
                yield f
        except OSError as e:
            reason = e.strerror or str(e)
            raise SynthdocError(f"cannot write {self.location}/{rel}: {reason}; choose a writable --out") from None

    @contextlib.contextmanager
    def _open_remote_atomic(self, target: str) -> Iterator[BinaryIO]:
        """A local temporary file, uploaded to `target` with one ``put_file`` when the block succeeds."""
        with tempfile.NamedTemporaryFile(prefix=".synthdoc-", suffix=TMP_SUFFIX) as f:
            yield f
            f.flush()
            self.fs.makedirs(posixpath.dirname(target), exist_ok=True)
            self.fs.put_file(f.name, target)

    def check_writable(self) -> None:
        """Create the folder and write and delete a probe file.

        Raises:
            SynthdocError: the folder cannot be created or written.
        """
        probe = f".synthdoc-write-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            self.fs.makedirs(self.root, exist_ok=True)
            self.fs.pipe_file(self.path(probe), b"")
            self.fs.rm_file(self.path(probe))
        except OSError as e:
            reason = e.strerror or str(e)
            raise SynthdocError(f"cannot write to output folder {self.location!r}: {reason}; choose a writable --out") from None


def _write_local_atomic(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, ``os.replace`` (the temporary file is removed on error)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _open_local_atomic(path: Path) -> Iterator[BinaryIO]:
    """The streaming form of :func:`_write_local_atomic`: the same temporary name, fsync and ``os.replace``
    when the block ends without an error; the temporary file is removed on any error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
