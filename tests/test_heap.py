"""synthdoc.heap.tune_heap: with glibc's thresholds fixed, the memory a page frees stays in the heap and the next
page reuses it (no fresh page faults), where glibc's adaptive thresholds hand it back to the kernel and the next
page faults it in again; and a process making page after page does not grow. Each case runs in a fresh
interpreter, as the thresholds are process-wide."""
from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

_PATTERN = textwrap.dedent("""
    import os, resource, sys
    import numpy as np

    def rss_mb():
        with open(f"/proc/{os.getpid()}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20

    def page():  # the pattern of a page: a large buffer and many mid-sized layers, all freed
        big = np.ones(30 * 2 ** 20, np.uint8)
        layers = [np.ones(2 * 2 ** 20, np.uint8) for _ in range(60)]
        del big, layers

    if sys.argv[1] != "default":
        from synthdoc.heap import tune_heap
        assert tune_heap() if sys.argv[1] == "tune" else tune_heap(8 * 2 ** 20)  # "trim8": stop 23's threshold
    page()
    first = rss_mb()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(4):
        page()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, rss_mb() - first)
""")


def _faults_and_growth(mode: str) -> tuple[int, float]:
    """(page faults of pages 2-5, RSS growth in MB from page 1 to page 5)."""
    out = subprocess.run([sys.executable, "-c", _PATTERN, mode], check=True, capture_output=True, text=True)
    faults, growth = out.stdout.split()
    return int(faults), float(growth)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc mallopt")
def test_tuned_heap_reuses_freed_page_memory():
    default_faults, _ = _faults_and_growth("default")
    tuned_faults, tuned_growth = _faults_and_growth("tune")
    per_page = 150 * 2 ** 20 // 4096  # 150 MB of 4 KiB pages
    assert default_faults > per_page  # glibc's adaptive thresholds return it: every later page faults it back in
    assert tuned_faults < per_page // 20  # tuned: pages 2-5 reuse page 1's memory
    assert abs(tuned_growth) < 8  # and the process does not grow page after page
    assert _faults_and_growth("trim8")[0] > per_page  # a small trim threshold hands the pages back again


def test_generate_tunes_the_heap_of_the_process_that_makes_pages(monkeypatch, tmp_path):
    from synthdoc import cli, heap

    calls = []
    monkeypatch.setattr(heap, "tune_heap", lambda: calls.append(1) or True)
    rc = cli.main(["generate", "--out", str(tmp_path / "out"), "--pages", "1", "--quiet",
                   "--layouts", "multi_column=1", "--augment", "none"])
    assert rc == 0 and calls == [1]
