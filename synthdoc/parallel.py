"""Generation backends. Output is identical at any worker count and on either backend: each sample is a pure
function of (config, seed, index), and each shard holds its rows in index order.

* ``local``: a process pool (fork where available) makes rows in index order; a shard is written as soon as
  its last row is in.
* ``ray``: one Ray task per shard (``num_cpus=1``) on a local Ray instance or an existing cluster
  (``address``); the task makes the shard's rows and writes the shard itself to the output (a local path,
  which must then be shared by all nodes, or an fsspec URL), and returns its :class:`ShardRecord`. Ray does
  the scheduling and retries tasks of crashed workers (a shard is idempotent).
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import socket
from typing import Callable, Iterator, Sequence

from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.text.sources import Corpus
from synthdoc.writers.manifest import ShardRecord
from synthdoc.writers.parquet import ShardBuffer, ShardSpec, write_shard
from synthdoc.writers.storage import Storage

BACKENDS = ("local", "ray")
_FACTORY = None  # the SampleFactory of this worker process (set by _init_worker)


def _init_worker(cfg: GenerateConfig, corpora: dict[str, Corpus]) -> None:
    import cv2

    from synthdoc.pipeline import SampleFactory

    cv2.setNumThreads(1)
    global _FACTORY  # per worker process, set once by the pool initializer (or the first Ray task)
    _FACTORY = SampleFactory(cfg, corpora=corpora)


def _make_row(index: int) -> tuple[int, dict, dict]:
    """(index, Parquet row, info) of sample `index`; info = {stats delta, fonts, layout, augment} for the card."""
    from synthdoc.writers.parquet import sample_to_row

    before = dict(_FACTORY.stats)
    sample = _FACTORY.make(index)
    delta = {k: _FACTORY.stats[k] - before.get(k, 0) for k in _FACTORY.stats}
    info = {"stats": delta, "fonts": _families(_FACTORY, sample.meta.get("fonts", {})), "layout": sample.page.layout,
            "augment": sample.meta.get("augment")}
    return index, sample_to_row(sample), info


def _families(factory, used) -> list[str]:
    """Font families of the faces a page used (meta "fonts": role -> "Family Style", or a list of them)."""
    family_of = {f"{face.family} {face.style}": face.family
                 for roles in factory.faces.values() for faces in roles.values() for face in faces}
    names = used.values() if isinstance(used, dict) else used
    return sorted({family_of.get(n.split(" @")[0], n) for n in names})  # " @wght=..": drawn axis coordinates


def generate_rows(cfg: GenerateConfig, indices: Sequence[int], workers: int,
                  corpora: dict[str, Corpus], factory=None) -> Iterator[tuple[int, dict, dict]]:
    """Yield (index, row, info) for each index, in the order of `indices`.

    Args:
        cfg: run config.
        indices: sample indices to make.
        workers: 1 = this process; more = a process pool (fork where available).
        corpora: loaded corpora (shared with workers so they do not reload Hub data).
        factory: an already built SampleFactory for `cfg`, reused when `workers` <= 1.
    """
    global _FACTORY  # the in-process "worker"
    if workers <= 1:
        if factory is None:
            _init_worker(cfg, corpora)
        else:
            import cv2

            cv2.setNumThreads(1)
            _FACTORY = factory
        for i in indices:
            yield _make_row(i)
        return
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    with ctx.Pool(workers, initializer=_init_worker, initargs=(cfg, corpora)) as pool:
        yield from pool.imap(_make_row, indices, chunksize=2)


def _finish_shard(storage: Storage, spec: ShardSpec, rows: list[dict], infos: list[dict]) -> ShardRecord:
    sha256, nbytes = write_shard(storage, spec, rows)
    return ShardRecord.from_infos(infos, sha256, nbytes)


def write_shards(cfg: GenerateConfig, storage: Storage, specs: list[ShardSpec], *, corpora: dict[str, Corpus],
                 backend: str = "local", workers: int = 1, address: str | None = None, factory=None,
                 on_pages: Callable[[int], None] | None = None) -> Iterator[tuple[ShardSpec, ShardRecord]]:
    """Make and write the shards `specs`; yield (spec, record) as each shard is complete on storage.

    Args:
        cfg: run config.
        storage: the dataset folder.
        specs: shards to write.
        corpora: loaded corpora (sent to the workers once).
        backend: "local" (process pool of `workers`) or "ray" (one task per shard).
        workers: local pool size; for "ray" without `address`, the CPUs of the local Ray instance.
        address: Ray cluster address (e.g. "ray://head:10001" or "auto"); None = the Ray instance already
            initialised in this process, else a new local one.
        factory: an already built SampleFactory for `cfg` (local backend, one worker).
        on_pages: called with the number of pages just finished (per page locally, per shard on Ray).

    Raises:
        SynthdocError: unknown backend, Ray not installed or unreachable, a sample that cannot be made.
    """
    if backend == "local":
        buffer = ShardBuffer(specs)
        indices = sorted(i for spec in specs for i in spec.indices)
        for index, row, info in generate_rows(cfg, indices, workers, corpora, factory):
            if on_pages:
                on_pages(1)
            done = buffer.add(index, row, info)
            if done:
                yield done[0], _finish_shard(storage, *done)
    elif backend == "ray":
        yield from _ray_write_shards(cfg, storage, specs, corpora, workers, address, on_pages)
    else:
        check_backend(backend)


def _ray_task(cfg: GenerateConfig, corpora: dict[str, Corpus], url: str, spec: ShardSpec) -> ShardRecord:
    """Body of the Ray task of one shard: make its rows in index order and write it to `url`."""
    if _FACTORY is None or _FACTORY.cfg != cfg:  # a Ray worker process is reused by later tasks
        _init_worker(cfg, corpora)
    rows, infos = [], []
    for i in spec.indices:
        _, row, info = _make_row(i)
        rows.append(row)
        infos.append(info)
    return _finish_shard(Storage(url), spec, rows, infos)


def check_backend(backend: str, address: str | None = None) -> None:
    """Check before any work that the backend can run: a known name; for "ray", Ray importable and `address`
    (when given as HOST:PORT) reachable.

    Raises:
        SynthdocError: unknown backend, Ray missing, nobody listening at `address`.
    """
    if backend not in BACKENDS:
        raise SynthdocError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if backend == "ray":
        _import_ray()
        if address:
            _check_reachable(address)


def _import_ray():
    try:
        import ray
    except ImportError:
        raise SynthdocError("the ray backend needs Ray; install it with `pip install 'synthdoc[ray]'`") from None
    return ray


def _ray_connect(address: str | None, num_cpus: int):
    """Import Ray and connect; returns (ray module, whether this call started the connection).

    Raises:
        SynthdocError: Ray is not installed, or the cluster cannot be reached.
    """
    ray = _import_ray()
    if ray.is_initialized():
        return ray, False
    try:
        if address:
            ray.init(address=address, logging_level=logging.WARNING)
        else:
            ray.init(num_cpus=num_cpus, include_dashboard=False, logging_level=logging.WARNING)
    except (ConnectionError, RuntimeError, ValueError) as e:
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise SynthdocError(f"cannot start Ray at {address or 'a local instance'}: {reason}; "
                            "start a cluster with `ray start --head` or fix --address") from None
    return ray, True


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast on a HOST:PORT (or ray://HOST:PORT) address nobody listens on; Ray itself retries for minutes.

    Raises:
        SynthdocError: the TCP connection is refused or times out.
    """
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit():  # "auto", "local", ...: Ray resolves them
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as e:
        raise SynthdocError(f"cannot reach the Ray cluster at {address} ({e.strerror or e}); "
                            "start one with `ray start --head` or fix --address") from None


def _ray_write_shards(cfg: GenerateConfig, storage: Storage, specs: list[ShardSpec], corpora: dict[str, Corpus],
                      workers: int, address: str | None,
                      on_pages: Callable[[int], None] | None) -> Iterator[tuple[ShardSpec, ShardRecord]]:
    if not specs:
        return
    ray, started = _ray_connect(address, workers)
    pending: list = []
    try:
        task = ray.remote(num_cpus=1)(_ray_task)
        cfg_ref, corpora_ref = ray.put(cfg), ray.put(corpora)
        spec_of = {}
        for spec in specs:
            ref = task.remote(cfg_ref, corpora_ref, storage.url, spec)
            spec_of[ref] = spec
            pending.append(ref)
        while pending:
            (ref,), pending = ray.wait(pending, num_returns=1)
            try:
                record = ray.get(ref)
            except ray.exceptions.RayTaskError as e:
                if isinstance(e.cause, SynthdocError):
                    raise SynthdocError(str(e.cause)) from None
                raise
            if on_pages:
                on_pages(len(spec_of[ref].indices))
            yield spec_of[ref], record
    finally:
        for ref in pending:
            ray.cancel(ref)
        if started:
            ray.shutdown()
