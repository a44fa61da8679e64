"""The C heap of a page-making process: fixed glibc malloc thresholds, so that a page reuses the memory the pages
before it freed instead of asking the kernel for fresh pages.

A page allocates and frees a few hundred megabytes of image arrays (each 2-7 MB). By default glibc adapts its
mmap threshold to the largest block freed (up to 32 MiB) and its trim threshold to twice that; arrays above the
current threshold are mapped fresh, and memory freed at the heap's top beyond the trim threshold goes back to the
kernel. Either way the next page touches new pages, and each first touch is a page fault (the kernel zeroes
4 KiB). :func:`tune_heap` fixes both (``mallopt``, ``man 3 mallopt``): arrays below 32 MiB come from the heap, and
the heap is never trimmed in practice (1 GiB), so its high-water mark stays resident and is reused page after
page. Measured (``benchmarks/heap.py``: English default mixture, one process, 3 alternating rounds;
``benchmarks/results/heap.json``): 363 page faults and 4.1 ms of system time a page instead of 4,021 and 9.9 ms
with the 8 MiB trim threshold of the stop before, 10.80 pages/s per core instead of 10.16 (10.27 with glibc's
adaptive thresholds). The price is memory: a process keeps the largest working set it has met (a 10,000-page
run: 449-510 MB after page 500, 480-510 MB from page 1,100; 313-375 MB with the 8 MiB trim threshold;
``benchmarks/results/throughput_rss.json``). Process-wide, so it is called by the process
that makes pages (``synthdoc generate`` and its spawned workers; forked workers inherit it), never on import;
elsewhere than glibc it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # glibc <malloc.h>
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024  # glibc's largest allowed value (HEAP_MAX_SIZE / 2 on 64-bit)
TRIM_THRESHOLD_BYTES = 1024 * 1024 * 1024  # never trimmed in practice: freed pages stay resident for reuse


def tune_heap(trim_threshold_bytes: int = TRIM_THRESHOLD_BYTES) -> bool:
    """Set glibc's mmap threshold to 32 MiB and its trim threshold to `trim_threshold_bytes` (default 1 GiB) for
    this process (inherited by forked children); ``benchmarks/heap.py`` passes other trim thresholds to compare.
    Returns True when both were set (False: not glibc, or refused)."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    except OSError:
        return False
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD,
                                                                                   int(trim_threshold_bytes)))
