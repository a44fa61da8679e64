"""The line-recogniser protocol shared by the reference OCR engines, and ``auto`` selection per line.

An engine recognises a batch of upright line crops (see :func:`synthdoc.ocr.crops.crop_line`) of one language
and orientation and returns one string per crop. It declares what it covers in ``coverage``: canonical
language code -> orientations ("horizontal", "vertical").
"""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from synthdoc.errors import SynthdocError

HORIZONTAL, VERTICAL = "horizontal", "vertical"
ENGINE_NAMES = ("auto", "ppocr", "tesseract", "nemotron")


def orientation(vertical: bool) -> str:
    """"vertical" for a top-to-bottom column (line direction ``ttb``), else "horizontal"."""
    return VERTICAL if vertical else HORIZONTAL


@runtime_checkable
class Engine(Protocol):
    """A batch line recogniser.

    Attributes:
        name: short engine name used in reports ("ppocr", "tesseract", "nemotron").
        coverage: canonical language code -> frozenset of orientations it reads.
    """

    name: str
    coverage: Mapping[str, frozenset[str]]

    def recognise(self, crops: Sequence[np.ndarray], lang_code: str, vertical: bool) -> list[str]:
        """One string per crop ((h, w, 3) uint8 RGB, upright; a vertical column stays vertical), in order."""
        ...


def supports(engine: Engine, lang_code: str, vertical: bool) -> bool:
    """Whether `engine` declares `lang_code` in `orientation(vertical)`."""
    return orientation(vertical) in engine.coverage.get(lang_code, frozenset())


#: ``auto``'s preference per line kind (:func:`synthdoc.ocr.pages.line_kind`), or per (kind, language) where
#: that differs, best first. Measured on clean rendered lines (README, "Validating a dataset"): PP-OCRv6 reads
#: horizontal lines best, and vertical columns holding sideways Latin / digit runs (mean NED 0.03-0.10 against
#: Tesseract's 0.12-0.22); on columns of upright characters Tesseract's ``*_vert`` models are better for
#: Japanese (0.003 against 0.06) and Simplified Chinese (0.05 against 0.12), PP-OCRv6 for Traditional
#: Chinese (0.02 against 0.04).
AUTO_PREFERENCE: dict = {
    "horizontal": ("ppocr", "tesseract", "nemotron"),
    "vertical": ("tesseract", "ppocr"),
    ("vertical", "zho_Hant"): ("ppocr", "tesseract"),
    "vertical_mixed": ("ppocr", "tesseract"),
}


class AutoEngine:
    """Per line, the first engine of the preference list of its kind that covers its language and orientation.

    Args:
        engines: the candidate engines (any order).
        preference: line kind, or (kind, language code), -> engine names, best first (default
            :data:`AUTO_PREFERENCE`; a (kind, language) entry overrides the kind's).
    """

    name = "auto"

    def __init__(self, engines: Sequence[Engine], preference: Mapping | None = None):
        self.engines = {e.name: e for e in engines}
        self.preference = dict(preference or AUTO_PREFERENCE)
        cov: dict[str, set[str]] = {}
        for e in engines:
            for lang, orients in e.coverage.items():
                cov.setdefault(lang, set()).update(orients)
        self.coverage = {lang: frozenset(o) for lang, o in cov.items()}

    def engine_for(self, lang_code: str, kind: str) -> Engine | None:
        """The engine used for lines of `lang_code` and `kind` ("horizontal", "vertical", "vertical_mixed"),
        or None when no candidate covers them."""
        vertical = kind != "horizontal"
        for name in self.preference.get((kind, lang_code), self.preference.get(kind, ())):
            engine = self.engines.get(name)
            if engine is not None and supports(engine, lang_code, vertical):
                return engine
        return None

    def recognise(self, crops: Sequence[np.ndarray], lang_code: str, vertical: bool) -> list[str]:
        """Recognise with the engine preferred for (`lang_code`, "vertical" or "horizontal").

        Raises:
            SynthdocError: no candidate engine covers the language and orientation.
        """
        engine = self.engine_for(lang_code, orientation(vertical))
        if engine is None:
            raise SynthdocError(f"no OCR engine reads {orientation(vertical)} {lang_code}; "
                                f"covered: {', '.join(sorted(self.coverage))}")
        return engine.recognise(crops, lang_code, vertical)


def engine_for(engine: Engine, lang_code: str, kind: str) -> Engine | None:
    """The engine that reads lines of `lang_code` and `kind` under `engine` (resolving ``auto``), or None."""
    if isinstance(engine, AutoEngine):
        return engine.engine_for(lang_code, kind)
    return engine if supports(engine, lang_code, kind != "horizontal") else None


def make_engine(name: str = "auto", *, device: str | None = None, batch_size: int | None = None,
                nemotron_dir: str | None = None) -> Engine:
    """Build an engine by name.

    Args:
        name: "auto" (PP-OCRv6 and, when installed, Tesseract, chosen per line by :data:`AUTO_PREFERENCE`;
            Tesseract reads Korean and Russian), "ppocr", "tesseract", "nemotron", or "probe:CHECKPOINT" (a
            recognizer trained by ``synthdoc probe``; needs PyTorch).
        device: "cuda", "cpu" or None (CUDA when onnxruntime-gpu offers it); used by ppocr and nemotron.
        batch_size: crops per forward pass (ppocr; None: 32 on the CPU, 256 on CUDA).
        nemotron_dir: folder with the Nemotron OCR v2 weights (nemotron only).

    Raises:
        SynthdocError: unknown name, or the engine cannot start (missing package, model, weights, device).
    """
    from synthdoc.ocr.onnx import resolve_device

    if name.startswith("probe:"):  # a checkpoint of `synthdoc probe` (synthdoc.ocr.probe)
        from synthdoc.ocr.probe import PREFIX, ProbeEngine

        return ProbeEngine(name[len(PREFIX):], device=device, batch_size=batch_size)
    if name not in ENGINE_NAMES:
        raise SynthdocError(f"unknown OCR engine {name!r}; use one of {', '.join(ENGINE_NAMES)}")
    if name == "nemotron":
        from synthdoc.ocr.nemotron import NemotronEngine

        return NemotronEngine(nemotron_dir, device=device)
    if name == "tesseract":
        from synthdoc.ocr.tesseract import TesseractEngine

        return TesseractEngine()
    from synthdoc.ocr.ppocr import PPOCRRecognizer

    ppocr = PPOCRRecognizer(device=resolve_device(device), batch_size=batch_size)
    if name == "ppocr":
        return ppocr
    from synthdoc.ocr.tesseract import TesseractEngine, tesseract_available

    return AutoEngine([ppocr, TesseractEngine()] if tesseract_available() else [ppocr])
