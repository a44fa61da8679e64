"""Tesseract as a reference line recogniser: one process per batch of line crops.

Tesseract loads its (large, for CJK) models once per process, so a batch is written as PNGs plus a list
file and recognised by a single ``tesseract list.txt stdout`` call (~20-35 ms per line instead of
~65-260 ms per line with one process each; see FIELD_NOTES.md). Horizontal lines use page segmentation
mode 7 (one text line); vertical columns use ``--psm 5`` (one uniform block of vertically aligned text)
with a ``*_vert`` model.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

from synthdoc.ocr.engine import register_engine
from synthdoc.ocr.orientation import HORIZONTAL, VERTICAL

#: Canonical language code -> Tesseract traineddata name.
TESSERACT_LANG = {
    "eng_Latn": "eng",
    "jpn_Jpan": "jpn",
    "kor_Hang": "kor",
    "rus_Cyrl": "rus",
    "zho_Hans": "chi_sim",
    "zho_Hant": "chi_tra",
    "arb_Arab": "ara",
    "pes_Arab": "fas",
    "heb_Hebr": "heb",
    "hin_Deva": "hin",
    "ben_Beng": "ben",
    "tam_Taml": "tam",
    "tha_Thai": "tha",
    "ell_Grek": "ell",
    "vie_Latn": "vie",
    "ukr_Cyrl": "ukr",
}

#: Second model read with the language's horizontal lines: Russian and Korean prose names Latin things (Debian, USB,
#: CD-ROM, "Trusted Organizations" in the bundled handbook corpus), which ``rus`` reads as Cyrillic look-alikes and
#: ``kor`` as digits (hyphenated Russian handbook lines: mean NED 0.066 with ``rus``, 0.008 with ``rus+eng``;
#: tests/test_labels_match_pixels.py, Korean: 0.051 with ``kor``); Arabic and Persian handbook prose as well
#: (tests/test_complex_ocr.py, Arabic: 0.209 with ``ara``, 0.140 with ``ara+eng``).
TESSERACT_WITH = {"rus_Cyrl": "eng", "kor_Hang": "eng", "arb_Arab": "eng", "pes_Arab": "eng"}


#: Languages set in vertical columns (Tesseract has ``*_vert`` models for them).
VERTICAL_LANGS = frozenset({"jpn_Jpan", "zho_Hans", "zho_Hant"})


def _binary() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        raise RuntimeError("tesseract not found on PATH; install it, e.g. apt-get install tesseract-ocr "
                           "tesseract-ocr-<lang> (eng, jpn, kor, rus, chi-sim, chi-tra)")
    return exe


@functools.cache
def installed_languages() -> frozenset[str]:
    """Traineddata names reported by ``tesseract --list-langs``.

    Raises:
        RuntimeError: tesseract is not installed.
    """
    out = subprocess.run([_binary(), "--list-langs"], capture_output=True, text=True, check=False)
    lines = (out.stdout or out.stderr).splitlines()
    return frozenset(s.strip() for s in lines[1:] if s.strip())


def tesseract_model(lang_code: str, vertical: bool) -> str:
    """Traineddata for `lang_code`: TESSERACT_LANG (plus TESSERACT_WITH, e.g. ``rus+eng``), or for vertical text
    ``<model>_vert`` if installed, else ``jpn_vert`` (which also reads Chinese hanzi).

    Raises:
        RuntimeError: unknown language, or tesseract / the model is not installed (names the Debian package).
    """
    if lang_code not in TESSERACT_LANG:
        raise RuntimeError(f"no Tesseract model for {lang_code!r}; known: {', '.join(TESSERACT_LANG)}")
    base = TESSERACT_LANG[lang_code]
    have = installed_languages()
    model = base
    if vertical:
        model = f"{base}_vert" if f"{base}_vert" in have else "jpn_vert"
    elif lang_code in TESSERACT_WITH:
        model = f"{base}+{TESSERACT_WITH[lang_code]}"
    missing = [m for m in model.split("+") if m not in have]  # "rus+eng": both models at once
    if missing:
        pkg = "tesseract-ocr-" + missing[0].replace("_", "-")  # Debian: tesseract-ocr-jpn-vert, -chi-sim, ...
        raise RuntimeError(f"Tesseract model {missing[0]!r} is not installed; apt-get install tesseract-ocr {pkg}")
    return model


def recognise_lines(crops: list[np.ndarray], lang_code: str, vertical: bool = False,
                    timeout_s: float | None = None, psm: int | None = None) -> list[str]:
    """Recognise line crops with one tesseract process.

    Args:
        crops: (h, w, 3) uint8 RGB (or (h, w) grey) line crops, upright (see :func:`synthdoc.geometry.crop_line`).
        lang_code: canonical language code (key of :data:`TESSERACT_LANG`).
        vertical: crops are vertical columns (``*_vert`` model, ``--psm 5``), else ``--psm 7``.
        timeout_s: kill tesseract after this many seconds (None: no limit).
        psm: Tesseract page segmentation mode overriding the one `vertical` picks (e.g. 10: each crop is a
            single character).

    Returns:
        One stripped string per crop, in order.

    Raises:
        RuntimeError: tesseract or the language model missing, tesseract failed, or its output did not
            have one page per crop.
    """
    if not crops:
        return []
    exe = _binary()
    model = tesseract_model(lang_code, vertical)
    with tempfile.TemporaryDirectory(prefix="synthdoc-tess-") as tmp:
        paths = []
        for i, crop in enumerate(crops):
            p = Path(tmp) / f"{i:06d}.png"
            img = crop if crop.ndim == 2 else np.ascontiguousarray(crop[:, :, ::-1])
            if not cv2.imwrite(str(p), img):
                raise RuntimeError(f"cannot write crop {i} to {p}")
            paths.append(str(p))
        listing = Path(tmp) / "list.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        mode = str(psm) if psm is not None else "5" if vertical else "7"
        cmd = [exe, str(listing), "stdout", "-l", model, "--psm", mode]
        env = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
        res = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout_s, check=False)
    if res.returncode != 0:
        err = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"tesseract failed (exit {res.returncode}): {err[-1] if err else 'no message'}")
    # Tesseract 5 writes the page separator (form feed) *between* pages, so N crops give N parts even when
    # some pages are empty; tolerate a trailing separator after the last page (N + 1 parts, last empty).
    pages = res.stdout.decode("utf-8", "replace").split("\f")
    if len(pages) == len(crops) + 1 and not pages[-1].strip():
        pages = pages[:-1]
    if len(pages) != len(crops):
        raise RuntimeError(f"tesseract returned {len(pages)} pages for {len(crops)} crops")
    return [p.strip() for p in pages]


def tesseract_available() -> bool:
    """True when a ``tesseract`` binary is on PATH."""
    return shutil.which("tesseract") is not None


def tesseract_coverage() -> dict[str, frozenset[str]]:
    """Language code -> orientations the installed Tesseract models read: "horizontal" with the language's
    model, "vertical" for Japanese and Chinese with a ``*_vert`` model (or ``jpn_vert``); {} without tesseract."""
    if not tesseract_available():
        return {}
    have = installed_languages()
    cov: dict[str, frozenset[str]] = {}
    for code, model in TESSERACT_LANG.items():
        orients = set()
        if model in have:
            orients.add(HORIZONTAL)
            if code in VERTICAL_LANGS and (f"{model}_vert" in have or "jpn_vert" in have):
                orients.add(VERTICAL)
        if orients:
            cov[code] = frozenset(orients)
    return cov



class TesseractEngine:
    """Tesseract 5 behind the :class:`synthdoc.ocr.engine.Engine` protocol: one process per batch.

    Covers every language of :data:`TESSERACT_LANG` whose model is installed, horizontally with
    ``--psm 7`` and, for Japanese and Chinese, vertically with ``*_vert`` / ``--psm 5``.

    Raises:
        SynthdocError: tesseract is not installed (names the Debian packages).
    """

    name = "tesseract"

    def __init__(self, timeout_s: float | None = None):
        from synthdoc.errors import SynthdocError

        if not tesseract_available():
            raise SynthdocError("tesseract not found on PATH; install it with `apt-get install tesseract-ocr "
                                "tesseract-ocr-jpn tesseract-ocr-jpn-vert tesseract-ocr-kor tesseract-ocr-rus "
                                "tesseract-ocr-chi-sim tesseract-ocr-chi-tra` or choose --engine ppocr")
        self.coverage = tesseract_coverage()
        self.timeout_s = timeout_s

    def recognise(self, crops: list[np.ndarray], lang_code: str, vertical: bool = False) -> list[str]:
        """:func:`recognise_lines` on one batch (one tesseract process)."""
        return recognise_lines(list(crops), lang_code, vertical, self.timeout_s)


@register_engine("tesseract", in_auto=tesseract_available)
def build(**_) -> TesseractEngine:
    """``--engine tesseract``: Tesseract 5 with the installed language packs (``auto`` uses it when installed)."""
    return TesseractEngine()
