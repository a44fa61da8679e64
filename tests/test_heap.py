"""synthdoc.heap.tune_heap: with glibc's thresholds fixed, memory freed by a page goes back to the system, where the
default adaptive thresholds keep it resident (the pattern of a page: a large array freed, then many mid-sized
ones). Each case runs in a fresh interpreter, as the thresholds are process-wide."""
from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

_PATTERN = textwrap.dedent("""
    import os, sys
    import numpy as np

    def rss_mb():
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20

    if sys.argv[1] == "tune":
        from synthdoc.heap import tune_heap
        assert tune_heap()
    big = np.ones(30 * 2 ** 20, np.uint8)  # a 30 MB page buffer, freed
    del big
    base = rss_mb()
    arrays = [np.ones(2 * 2 ** 20, np.uint8) for _ in range(25)]  # 50 MB of 2 MB layers, freed
    del arrays
    print(rss_mb() - base)
""")


def _retained_mb(mode: str) -> float:
    out = subprocess.run([sys.executable, "-c", _PATTERN, mode], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc mallopt")
def test_tuned_heap_returns_freed_page_memory():
    assert _retained_mb("default") > 30  # glibc's adaptive trim threshold (2 x 30 MB) keeps the 50 MB
    assert _retained_mb("tune") < 8  # trimmed once 8 MiB at the top are free


def test_generate_tunes_the_heap_of_the_process_that_makes_pages(monkeypatch, tmp_path):
    from synthdoc import cli, heap

    calls = []
    monkeypatch.setattr(heap, "tune_heap", lambda: calls.append(1) or True)
    rc = cli.main(["generate", "--out", str(tmp_path / "out"), "--pages", "1", "--quiet",
                   "--layouts", "multi_column=1", "--augment", "none"])
    assert rc == 0 and calls == [1]
