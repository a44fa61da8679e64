"""The line-recogniser protocol shared by the reference OCR engines, their registry, and ``auto`` selection.

An engine recognises a batch of upright line crops (see :func:`synthdoc.geometry.crop_line`) of one language
and orientation and returns one string per crop. It declares what it covers in ``coverage``: canonical
language code -> orientations ("horizontal", "vertical").

Registry: a module of ``synthdoc/ocr/`` registers its engine with :func:`register_engine` on a builder function;
:func:`engine_names` and :func:`make_engine` import every module of the package once (``pkgutil``), so adding an
engine is one new file (copy ``synthdoc/ocr/tesseract.py``'s ``build`` at its end) plus its test.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from synthdoc.errors import SynthdocError
from synthdoc.ocr.orientation import orientation


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


@dataclass(frozen=True)
class EngineSpec:
    """One registered engine.

    Attributes:
        name: the name given to ``--engine`` and :func:`make_engine`.
        build: ``build(device=..., batch_size=..., nemotron_dir=...) -> Engine`` (keyword options; an engine takes
            the ones it uses and ignores the others); raises SynthdocError when the engine cannot start.
        in_auto: None when ``auto`` never uses the engine, else a function telling whether ``auto`` can build it
            here (e.g. the binary is installed).
    """

    name: str
    build: Callable[..., Engine]
    in_auto: Callable[[], bool] | None = None


_ENGINES: dict[str, EngineSpec] = {}
_DISCOVERED: list[bool] = []


def register_engine(name: str, *, in_auto: Callable[[], bool] | None = None):
    """Decorator registering a builder function as the OCR engine `name` (see :class:`EngineSpec`).

    Raises:
        ValueError: `name` is "auto" or already registered by another builder.
    """
    def deco(build: Callable[..., Engine]) -> Callable[..., Engine]:
        old = _ENGINES.get(name)
        where = (build.__module__, build.__qualname__)
        if name == "auto" or (old is not None and (old.build.__module__, old.build.__qualname__) != where):
            raise ValueError(f"OCR engine name {name!r} is reserved or already registered")
        _ENGINES[name] = EngineSpec(name, build, in_auto)
        return build
    return deco


def registered_engines() -> dict[str, EngineSpec]:
    """Every registered engine by name, after importing each module of ``synthdoc.ocr`` once."""
    if not _DISCOVERED:
        import synthdoc.ocr as package

        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
        _DISCOVERED.append(True)
    return dict(sorted(_ENGINES.items()))


def engine_names() -> tuple[str, ...]:
    """Names :func:`make_engine` accepts: "auto", then the registered engines in name order."""
    return ("auto", *registered_engines())


class AutoEngine:
    """Per line, the first engine of the preference list of its kind that covers its language and orientation.

    Args:
        engines: the candidate engines (any order).
        preference: line kind, or (kind, language code), -> engine names, best first (default
            :data:`AUTO_PREFERENCE`; a (kind, language) entry overrides the kind's). Candidates a list does not
            name are tried after it, in name order.
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
        listed = tuple(self.preference.get((kind, lang_code), self.preference.get(kind, ())))
        for name in listed + tuple(sorted(set(self.engines) - set(listed))):
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
    """Build a registered engine by name, or ``auto``.

    Args:
        name: "auto" (every registered engine whose ``in_auto`` says yes here: PP-OCRv6 and, when installed,
            Tesseract, chosen per line by :data:`AUTO_PREFERENCE`), or one of :func:`engine_names`, or "probe:CHECKPOINT" (a recognizer trained by
            ``synthdoc probe``; needs PyTorch).
        device: "cuda", "cpu" or None (CUDA when onnxruntime-gpu offers it); used by ppocr and nemotron.
        batch_size: crops per forward pass (ppocr; None: 32 on the CPU, 256 on CUDA).
        nemotron_dir: folder with the Nemotron OCR v2 weights (nemotron only).

    Raises:
        SynthdocError: unknown name, or the engine cannot start (missing package, model, weights, device).
    """
    if name.startswith("probe:"):  # a checkpoint of `synthdoc probe` (synthdoc.ocr.probe): a name prefix, not a name
        from synthdoc.ocr.probe import PREFIX, ProbeEngine

        return ProbeEngine(name[len(PREFIX):], device=device, batch_size=batch_size)
    engines = registered_engines()
    options = {"device": device, "batch_size": batch_size, "nemotron_dir": nemotron_dir}
    if name == "auto":
        return AutoEngine([spec.build(**options) for spec in engines.values() if spec.in_auto and spec.in_auto()])
    if name not in engines:
        raise SynthdocError(f"unknown OCR engine {name!r}; use one of {', '.join(engine_names())}")
    return engines[name].build(**options)
