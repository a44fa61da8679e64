"""The C heap of a page-making process: fixed glibc malloc thresholds so that a long run's memory stays flat.

A page allocates and frees a few hundred megabytes of image arrays (each 2-7 MB). By default glibc adapts its
mmap threshold to the largest block freed (up to 32 MiB) and its trim threshold to twice that: after the first
pages every array comes from the heap, and up to 64 MiB freed at the top of the heap stays resident. Which pages
came last then decides the resident set, which wanders by 10-15 % over a 10,000-page run.
:func:`tune_heap` fixes both (``mallopt``, ``man 3 mallopt``): arrays below 32 MiB still come from the heap (no
page faults for fresh mappings), and the heap is trimmed as soon as 8 MiB at its top are
free. Measured on 10,000 pages of the default mixture: 313-375 MB after page 500 with the bundled technical
corpora (292-321 MB with the hand-written samples; 311-356 MB with a 16 MiB trim threshold and 16 MiB row groups,
426-488 MB untuned; ``benchmarks/results/throughput_rss.json``), at 0.98 of the untuned pages/s
(``benchmarks/results/heap.json``: medians of 3 alternating rounds, within their spread). Process-wide, so it is called by the process that makes
pages (``synthdoc generate`` and its spawned workers; forked workers inherit it), never on import; elsewhere than
glibc it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # glibc <malloc.h>
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024  # glibc's largest allowed value (HEAP_MAX_SIZE / 2 on 64-bit)
TRIM_THRESHOLD_BYTES = 8 * 1024 * 1024


def tune_heap() -> bool:
    """Set glibc's mmap threshold to 32 MiB and its trim threshold to 8 MiB for this process (inherited by
    forked children). Returns True when both were set (False: not glibc, or refused)."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    except OSError:
        return False
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD,
                                                                                   TRIM_THRESHOLD_BYTES))
