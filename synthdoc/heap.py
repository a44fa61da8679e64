"""Returning freed heap memory to the operating system between pages.

A page allocates and frees tens of megabytes of image arrays. glibc's allocator keeps much of what was freed in
its heap (the dynamic mmap threshold rises after large frees, so later large arrays come from the heap), and the
resident set of a long run then wanders by 10-15 % with whatever the last few pages left behind.
:func:`release_free_heap` asks glibc to give free heap pages back (``malloc_trim(0)``, ``man 3 malloc_trim``): a
long run's resident set stays at what is live. It costs about 1-2 ms a page; elsewhere (musl, macOS, Windows) it
does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's ``malloc_trim`` or None where the C library has none."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def release_free_heap() -> bool:
    """Give the free pages of the C heap back to the operating system. Returns True when glibc released memory
    (False: nothing to release, or not glibc)."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
