"""Generation backends. Output is identical at any worker count and on either backend: each sample is a pure
function of (config, seed, index), and each shard holds its rows in index order.

* ``local``: a process pool (``concurrent.futures.ProcessPoolExecutor``, fork where available) makes rows in
  index order; each row goes into its shard's file as it arrives (:class:`ShardBuffer`), which is complete on
  storage with its last row. A worker that dies stops the run with a one-line error (resumable); workers ignore
  SIGINT / SIGTERM and the parent stops them.
* ``ray``: one Ray task per shard (``num_cpus=1``) on a local Ray instance or an existing cluster
  (``address``); the task makes the shard's rows and streams them into the shard itself, on the output (a
  local path, which must then be shared by all nodes, or an fsspec URL), and returns its :class:`ShardRecord`. Ray does
  the scheduling and retries tasks of crashed workers (a shard is idempotent).
"""
from __future__ import annotations

import itertools
import logging
import multiprocessing as mp
import os
import signal
import socket
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterator, Sequence

import pyarrow as pa

from synthdoc.config import GenerateConfig
from synthdoc.errors import SynthdocError
from synthdoc.text.coverage import char_counts
from synthdoc.text.sources import Corpus
from synthdoc.writers.manifest import ShardRecord
from synthdoc.writers.parquet import ShardSpec, ShardWriter, sample_to_batch
from synthdoc.writers.storage import Storage

BACKENDS = ("local", "ray")
_FACTORY = None  # the SampleFactory of this worker process (set by _init_worker)


def _init_worker(cfg: GenerateConfig, corpora: dict[str, Corpus]) -> None:
    import cv2

    from synthdoc.heap import tune_heap
    from synthdoc.pipeline import SampleFactory

    cv2.setNumThreads(1)
    tune_heap()  # a spawned worker (a forked one inherits the parent's setting)
    global _FACTORY  # per worker process, set once by the pool initializer (or the first Ray task)
    _FACTORY = SampleFactory(cfg, corpora=corpora)


def _make_row(index: int) -> tuple[int, pa.RecordBatch, dict]:
    """(index, Parquet row as a one-row Arrow batch, info) of sample `index`; info = {stats delta, fonts, layout,
    augment} for the card."""
    sample = _FACTORY.make(index)
    info = {"stats": sample.stats.as_dict(), "fonts": sorted({f.family for f in sample.page.fonts}),
            "layout": sample.page.layout, "augment": sample.meta.get("augment")}
    if _FACTORY.cfg.coverage != "none":  # per-character counts for the card's coverage figures
        info["chars"] = char_counts(sample.page.text)
    return index, sample_to_batch(sample), info


def generate_rows(cfg: GenerateConfig, indices: Sequence[int], workers: int,
                  corpora: dict[str, Corpus], factory=None) -> Iterator[tuple[int, dict, dict]]:
    """Yield (index, row, info) for each index, in the order of `indices`.

    Args:
        cfg: run config.
        indices: sample indices to make.
        workers: 1 = this process; more = a process pool (fork where available, see :func:`_pool_rows`).
        corpora: loaded corpora (shared with workers so they do not reload Hub data).
        factory: an already built SampleFactory for `cfg`: used in this process when `workers` <= 1, inherited by
            the forked pool workers otherwise (not rebuilt per worker).

    Raises:
        SynthdocError: a sample that cannot be made, or a worker process that died (see :func:`_pool_rows`).
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
    yield from _pool_rows(cfg, indices, workers, corpora, factory)


def _init_pool_worker(cfg: GenerateConfig, corpora: dict[str, Corpus], parent_pid: int, factory=None) -> None:
    """Initializer of a pool worker: ignore SIGINT / SIGTERM (the parent decides when the run stops and shuts
    the pool down; a Ctrl-C or a ``kill`` of the process group must not give one traceback per worker), exit
    when the parent is gone (so a SIGKILLed run leaves no orphans), then take the SampleFactory inherited from the
    parent (fork: its catalogue, corpora, templates and stacks are shared copy-on-write; only the face and glyph
    caches are the worker's own) or build one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True, name="synthdoc-parent-watch").start()
    if factory is None:
        _init_worker(cfg, corpora)
        return
    import cv2

    cv2.setNumThreads(1)
    global _FACTORY  # per worker process, set once by the pool initializer
    _FACTORY = factory.with_own_caches()


def _exit_with_parent(parent_pid: int, period_s: float = 1.0) -> None:
    while os.getppid() == parent_pid:
        time.sleep(period_s)
    os._exit(1)


def _dead_workers(pool: ProcessPoolExecutor, known: dict, wait_s: float = 3.0) -> str:
    """'worker process 123 (killed by SIGKILL)' for the pool's processes that ended abnormally.

    The executor's own manager thread may reap a dead worker first (our wait then sees no status until it has
    recorded it), so the processes are polled for up to `wait_s` seconds before the generic "a worker process"."""
    known.update(getattr(pool, "_processes", None) or {})  # CPython keeps pid -> Process here
    deadline = time.monotonic() + wait_s
    while True:
        dead = []
        for pid, proc in sorted(known.items()):
            proc.join(timeout=0.05)  # a killed worker is reaped at once; the survivors ignore the executor's SIGTERM
            code = proc.exitcode
            if code is not None and code != 0:
                how = f"killed by {signal.Signals(-code).name}" if code < 0 and -code in signal.valid_signals() \
                    else f"exit status {code}"
                dead.append(f"worker process {pid} ({how})")
        if dead or time.monotonic() >= deadline:
            return ", ".join(dead) or "a worker process"
        time.sleep(0.05)


def _pool_rows(cfg: GenerateConfig, indices: Sequence[int], workers: int,
               corpora: dict[str, Corpus], factory=None) -> Iterator[tuple[int, dict, dict]]:
    """Rows made by a ``concurrent.futures.ProcessPoolExecutor`` of `workers`, yielded in `indices` order with at
    most ``4 * workers`` samples in flight.

    A worker that dies (SIGKILL, out of memory) breaks the pool at once (``BrokenProcessPool``): the run stops with
    a one-line error naming the dead process; shards completed before stay valid and recorded, so ``--resume``
    completes the run. On any exit (error, Ctrl-C, SIGTERM turned into an exception by the CLI) queued samples are
    cancelled and the workers are stopped before this generator returns.

    Raises:
        SynthdocError: a worker died, or a sample could not be made.
    """
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    inherited = factory if method == "fork" else None  # a forked worker's arguments are inherited, not pickled
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context(method), initializer=_init_pool_worker,
                               initargs=(cfg, corpora, os.getpid(), inherited))
    known: dict = {}
    pending: deque = deque()
    todo = iter(indices)
    complete = False
    i = None
    try:
        try:
            for i in itertools.islice(todo, 4 * workers):
                pending.append((i, pool.submit(_make_row, i)))
            while pending:
                i, future = pending.popleft()
                known.update(getattr(pool, "_processes", None) or {})
                result = future.result()
                for j in itertools.islice(todo, 1):
                    pending.append((j, pool.submit(_make_row, j)))
                yield result
        except BrokenProcessPool:
            raise SynthdocError(f"{_dead_workers(pool, known)} died; the run stopped at sample {i}, finished "
                                "shards are kept: run the same command with --resume to complete the run") from None
        complete = True
    finally:
        if not complete:  # error, interrupt or an abandoned generator: the rows in flight are not wanted
            _kill_workers(pool, known)
        pool.shutdown(wait=True, cancel_futures=True)


def _kill_workers(pool: ProcessPoolExecutor, known: dict) -> None:
    """SIGKILL every live worker of `pool`. They ignore SIGTERM, which is what the executor itself sends to the
    survivors of a broken pool before joining them: without this, shutdown would wait for them forever."""
    known.update(getattr(pool, "_processes", None) or {})
    for proc in known.values():
        if proc.exitcode is None:
            try:
                proc.kill()
            except (OSError, ValueError):  # already gone, or closed
                pass


class ShardBuffer:
    """Streams rows arriving in index order into their shards: a shard's file is opened (under a temporary
    name) with its first row and finished with its last; only the small per-row infos are kept until then.
    At most one shard per config is open at a time (rows of the configs interleave).

    Args:
        storage: the dataset folder.
        specs: the shards to fill.

    Raises:
        ValueError: a row that is not the next of its shard (rows must come in index order).
        SynthdocError: the output is not writable.
    """

    def __init__(self, storage: Storage, specs: list[ShardSpec]):
        self._storage = storage
        self._spec_of = {i: spec for spec in specs for i in spec.indices}
        self._open: dict[str, tuple[ShardWriter, list[dict]]] = {}

    def add(self, index: int, row: dict | pa.RecordBatch, info: dict) -> tuple[ShardSpec, ShardRecord] | None:
        """Write the row (and keep the generation info) of sample `index`.

        Returns:
            (spec, record) when this row completed a shard (then complete on storage), else None.
        """
        spec = self._spec_of[index]
        if spec.path not in self._open:
            self._open[spec.path] = (ShardWriter(self._storage, spec).__enter__(), [])
        writer, infos = self._open[spec.path]
        try:
            writer.add(row)
        except BaseException as e:
            self._discard(spec.path, e)
            raise
        infos.append(info)
        if len(infos) < len(spec.indices):
            return None
        return spec, _finish_shard(*self._open.pop(spec.path))

    def _discard(self, path: str, exc: BaseException) -> None:
        writer, _ = self._open.pop(path)
        writer.__exit__(type(exc), exc, exc.__traceback__)

    def close(self) -> None:
        """Discard the shards still open (their temporary files are removed; nothing is renamed)."""
        for path in list(self._open):
            self._discard(path, GeneratorExit())


def _finish_shard(writer: ShardWriter, infos: list[dict]) -> ShardRecord:
    """Close a complete shard (footer, fsync, rename) and aggregate its record."""
    writer.__exit__(None, None, None)
    return ShardRecord.from_infos(infos, writer.sha256, writer.nbytes)


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
        factory: an already built SampleFactory for `cfg` (local backend: used in this process for one worker,
            inherited by forked pool workers).
        on_pages: called with the number of pages just finished (per page locally, per shard on Ray).

    Raises:
        SynthdocError: unknown backend, Ray not installed or unreachable, a sample that cannot be made.
    """
    if backend == "local":
        buffer = ShardBuffer(storage, specs)
        indices = sorted(i for spec in specs for i in spec.indices)
        try:
            for index, row, info in generate_rows(cfg, indices, workers, corpora, factory):
                if on_pages:
                    on_pages(1)
                done = buffer.add(index, row, info)
                del row  # the row is in the shard's pending row group (as Arrow) now
                if done:
                    yield done
        finally:
            buffer.close()
    elif backend == "ray":
        yield from _ray_write_shards(cfg, storage, specs, corpora, workers, address, on_pages)
    else:
        check_backend(backend)


def _ray_task(cfg: GenerateConfig, corpora: dict[str, Corpus], url: str, spec: ShardSpec) -> ShardRecord:
    """Body of the Ray task of one shard: make its rows in index order and write it to `url`."""
    if _FACTORY is None or _FACTORY.cfg != cfg:  # a Ray worker process is reused by later tasks
        _init_worker(cfg, corpora)
    buffer = ShardBuffer(Storage(url), [spec])
    try:
        for i in spec.indices:
            done = buffer.add(*_make_row(i))
    finally:
        buffer.close()
    return done[1]


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
