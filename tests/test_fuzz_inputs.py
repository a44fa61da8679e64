"""Fuzz-style robustness test (issue #17): 200 seeded random mutations of a valid config, layout template and
augmentation stack (wrong types, NaN, inf, huge, negative, wrong shapes, unicode, deletions). Each case must end
like a CLI run may end — accepted (and, for some, a page made) or a one-line SynthdocError — never another
exception and never a hang (a per-case alarm). Most cases run in-process through the validation layer; a few run
the real CLI and check exit 0 with a valid dataset, or exit 2 with one line on stderr."""
from __future__ import annotations

import copy
import math
import signal
import subprocess
import sys
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import yaml

from synthdoc.errors import SynthdocError

CASE_LIMIT_S = 60  # per case, generous for a loaded 2-core machine; a hang is what this catches

CONFIG = {"languages": ["en", "ja"], "pages": 2, "seed": 3, "workers": 1, "shard_size": 2, "image_format": "jpeg",
          "jpeg_quality": 80, "layouts": {"multi_column": 1.0}, "corpus": {}, "text_field": "text",
          "max_documents": 10, "font_dirs": [], "system_fonts": True, "max_retries": 5,
          "fonts": {"languages": {"deu_Latn": {"script": "Latn", "aliases": ["de"], "name": "German",
                                               "fonts": {"serif": ["Noto Serif"]}, "space_delimited": True}}},
          "split": "train", "augment": "none"}
TEMPLATE = {"mode": "multi_column", "dpi": 100, "margin_frac_range": [0.06, 0.1], "ink_gray_range": [0, 70],
            "paper_gray_range": [228, 255], "page_sizes_mm": {"A5": [148, 210]}, "page_size_weights": {"A5": 1},
            "font_role_weights": {"serif": 1, "sans": 1}}
STACK = {"steps": [{"Rotate": {"p": 0.5, "angle_deg_range": [-1, 1]}},
                   {"GaussianBlur": {"p": 0.5, "sigma_px_range": [0.3, 0.6]}},
                   {"Jpeg": {"p": 0.5, "quality_range": [70, 90]}}]}

ODD_VALUES = [None, True, False, 0, -1, -10 ** 9, 10 ** 12, 2 ** 70, 0.5, -0.5, math.nan, math.inf, -math.inf, 1e308,
              "", " ", "x", "../../etc", "日本語", "\u202e\u0000", "🙂" * 50, [], [1], [1, 2, 3], [math.nan, 1],
              [5, -5], ["a", "b"], {}, {"a": 1}, {"": math.inf}, [[1, 2]], "none", "light", 3.0]


def _paths(obj, prefix=()):
    """Every (path, value) in a nested dict/list."""
    yield prefix, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


def _mutate(base: dict, rng: np.random.Generator) -> dict:
    """1-2 random edits: replace a value (anywhere in the tree) by an odd one, delete a key, or add an unknown key."""
    data = copy.deepcopy(base)
    for _ in range(int(rng.integers(1, 3))):
        paths = [p for p, _ in _paths(data) if p]
        if not paths:
            break
        path = paths[int(rng.integers(len(paths)))]
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        kind = rng.random()
        if kind < 0.75:
            parent[path[-1]] = copy.deepcopy(ODD_VALUES[int(rng.integers(len(ODD_VALUES)))])
        elif kind < 0.9 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent["unknown_" + str(int(rng.integers(100)))] = 1
    return data


@contextmanager
def _time_limit(seconds: int, case: str):
    def on_alarm(signum, frame):
        raise TimeoutError(f"case {case} took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _expect_clean(run, case: str) -> str:
    """'ok' or 'error' (a one-line SynthdocError); any other exception fails the test with the case."""
    try:
        with _time_limit(CASE_LIMIT_S, case):
            run()
        return "ok"
    except SynthdocError as e:
        assert "\n" not in str(e) and str(e).strip(), (case, str(e))
        return "error"
    except Exception as e:  # noqa: BLE001 - this is the assertion
        pytest.fail(f"{case}: {type(e).__name__}: {e}")


def _config_case(data: dict, catalogue, make_page: bool) -> None:
    from synthdoc.config import config_from_mapping
    from synthdoc.pipeline import SampleFactory

    cfg = config_from_mapping(data, "fuzz")
    factory = SampleFactory(cfg, catalogue=catalogue if cfg.system_fonts and not cfg.font_dirs else None)
    if make_page:
        factory.make(0)


def _template_case(data: dict, folder: Path, catalogue, make_page: bool) -> None:
    from synthdoc.config import GenerateConfig
    from synthdoc.layout.template import load_template
    from synthdoc.pipeline import SampleFactory

    path = folder / "fuzz_template.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_template(str(path))
    if make_page:
        SampleFactory(GenerateConfig(languages=["en"], layouts={str(path): 1}), catalogue=catalogue).make(0)


def _stack_case(data: dict, catalogue, make_page: bool) -> None:
    from synthdoc.augment.stack import load_stack
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory

    load_stack(data)
    if make_page:
        SampleFactory(GenerateConfig(languages=["en"], augment=data), catalogue=catalogue).make(0)


@pytest.mark.slow
def test_200_mutations_end_cleanly(tmp_path, catalogue):
    rng = np.random.default_rng(20261205)
    outcomes = {"ok": 0, "error": 0}
    for case in range(194):
        which = case % 3
        make_page = case % 8 == 0  # a page for some accepted cases: acceptance must mean it works
        if which == 0:
            data = _mutate(CONFIG, rng)
            result = _expect_clean(partial(_config_case, data, catalogue, make_page), f"config {case}: {data!r}")
        elif which == 1:
            data = _mutate(TEMPLATE, rng)
            result = _expect_clean(partial(_template_case, data, tmp_path, catalogue, make_page),
                                   f"template {case}: {data!r}")
        else:
            data = _mutate(STACK, rng)
            result = _expect_clean(partial(_stack_case, data, catalogue, make_page), f"stack {case}: {data!r}")
        outcomes[result] += 1
    assert outcomes["ok"] > 10 and outcomes["error"] > 50, outcomes  # the mutations exercise both outcomes


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_mutated_configs_through_the_cli(tmp_path, seed, synthdoc_cli):
    """The remaining 6 of the 200 cases: the real CLI; exit 0 with a dataset that opens, or exit 2 with one line."""
    from synthdoc.dataset import open_dataset

    data = _mutate({**CONFIG, "languages": ["en"], "pages": 1}, np.random.default_rng(1000 + seed))
    text = yaml.safe_dump(data, allow_unicode=True)
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    try:
        proc = synthdoc_cli(["generate", "--config", "c.yaml", "--out", "X", "--quiet"], tmp_path, timeout=180)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hang with config {text!r}")
    if proc.returncode == 0:
        assert open_dataset(tmp_path / "X").num_rows > 0
    else:
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("synthdoc: error:"), \
            (text, proc.returncode, proc.stderr[-2000:], sys.executable)
