"""Shared fixtures: an isolated font-index / Hugging Face cache for the session, a SampleFactory builder,
a small written dataset reused by several test modules, and a helper running the CLI in a subprocess."""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# Environment set before anything imports `datasets` / `huggingface_hub` (they read it at import time):
# offline, with caches in a throw-away folder, and the font index cache shared by in-process and
# subprocess runs (the first font scan takes a few seconds; later ones reuse the index).
_SESSION_TMP = Path(tempfile.mkdtemp(prefix="synthdoc-tests-"))
atexit.register(shutil.rmtree, _SESSION_TMP, True)
os.environ.setdefault("SYNTHDOC_CACHE_DIR", str(_SESSION_TMP / "synthdoc-cache"))
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
# OpenCV on one thread in the test process, as synthdoc sets it in every worker and single-process run: a process
# pool forked after OpenCV started its own thread pool can deadlock in the child (in-process write_dataset with
# workers=2 hung after the augmentation OCR tests had run cv2 on every core).
import cv2  # noqa: E402

cv2.setNumThreads(1)
os.environ.setdefault("HF_HOME", str(_SESSION_TMP / "hf-home"))
os.environ.setdefault("HF_DATASETS_CACHE", str(_SESSION_TMP / "hf-datasets"))
os.environ.pop("SYNTHDOC_FONT_DIRS", None)
_pp = os.environ.get("PYTHONPATH", "")
if str(REPO_ROOT) not in _pp.split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), _pp) if p)

ALL_LANGUAGES = ("eng_Latn", "jpn_Jpan", "kor_Hang", "rus_Cyrl", "zho_Hans", "zho_Hant")


@pytest.fixture(scope="session")
def all_languages() -> tuple[str, ...]:
    return ALL_LANGUAGES


@pytest.fixture(scope="session")
def catalogue():
    """One FontCatalogue for the session (system fonts)."""
    from synthdoc.fonts.catalogue import FontCatalogue

    return FontCatalogue()


@pytest.fixture(scope="session")
def registry():
    """The shipped language registry."""
    from synthdoc.languages import LanguageRegistry, load_fonts_yaml

    return LanguageRegistry(load_fonts_yaml())


@pytest.fixture(scope="session")
def factory_for(catalogue):
    """``factory_for(languages, **cfg)`` -> a cached SampleFactory(GenerateConfig(languages=..., **cfg))."""
    from synthdoc.config import GenerateConfig
    from synthdoc.pipeline import SampleFactory

    cache: dict = {}

    def make(languages, **cfg):
        langs = [languages] if isinstance(languages, str) else list(languages)
        key = (tuple(langs), tuple(sorted((k, repr(v)) for k, v in cfg.items())))
        if key not in cache:
            shared = catalogue if not {"font_dirs", "system_fonts"} & set(cfg) else None
            cache[key] = SampleFactory(GenerateConfig(languages=langs, **cfg), catalogue=shared)
        return cache[key]

    return make


@pytest.fixture(scope="session")
def all_lang_factory(factory_for):
    """Factory over the six default languages (sample i is language i % 6)."""
    return factory_for(list(ALL_LANGUAGES), seed=11)


@pytest.fixture(scope="session")
def generated_pages(all_lang_factory):
    """Two generated pages per default language: {code: [Sample, Sample]}."""
    out: dict[str, list] = {c: [] for c in ALL_LANGUAGES}
    for i in range(2 * len(ALL_LANGUAGES)):
        s = all_lang_factory.make(i)
        out[s.page.lang].append(s)
    return out


@pytest.fixture(scope="session")
def session_dataset(tmp_path_factory):
    """A 12-page dataset (seed 3, all six default languages) written once: (out folder, WriteSummary)."""
    from synthdoc.api import write_dataset
    from synthdoc.config import GenerateConfig

    out = tmp_path_factory.mktemp("dataset") / "ds"
    summary = write_dataset(GenerateConfig(pages=12, seed=3, languages=list(ALL_LANGUAGES)), out)
    return out, summary


CLEAN_DEFAULTS = {"layouts": {"multi_column": 1.0}, "augment": "none"}
"""The defaults before issue #13 made the mixture the default: tests written for clean multi_column pages run
with them (see :func:`clean_defaults`); a test of the real defaults is marked ``real_defaults``."""


def _clean_mixture() -> dict:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in CLEAN_DEFAULTS.items()}


import synthdoc.config as _config  # noqa: E402  (after the environment above)

_REAL_DEFAULT_MIXTURE = _config.default_mixture
_config.default_mixture = _clean_mixture  # for every fixture and test, whatever its scope ...


@pytest.fixture(autouse=True)
def clean_defaults(request, monkeypatch):
    """... except a test marked ``real_defaults``, which sees the shipped mixture (GenerateConfig() defaults);
    the others get clean multi_column pages, the pre-#13 default their pixel/label checks were written for."""
    if request.node.get_closest_marker("real_defaults") is not None:
        monkeypatch.setattr(_config, "default_mixture", _REAL_DEFAULT_MIXTURE)


def run_synthdoc(args, cwd, timeout=240, env=None, real_defaults=False):
    """Run ``python -m synthdoc ARGS`` in `cwd`; returns the CompletedProcess (text mode). A ``generate`` without
    --layouts / --augment / --config gets the clean pre-#13 defaults as options unless `real_defaults`."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    args = [str(a) for a in args]
    if args[:1] == ["generate"] and not real_defaults and not {"--layouts", "--augment", "--config"} & set(args):
        args += ["--layouts", "multi_column=1", "--augment", "none"]
    return subprocess.run([sys.executable, "-m", "synthdoc", *args], cwd=str(cwd), capture_output=True,
                          text=True, timeout=timeout, env=full_env)


@pytest.fixture(scope="session")
def synthdoc_cli():
    """The :func:`run_synthdoc` helper."""
    return run_synthdoc
