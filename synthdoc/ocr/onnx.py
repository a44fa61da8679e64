"""The PP-OCRv6 ONNX models bundled in the ``rapidocr`` wheel, and onnxruntime sessions for them.

Nothing is downloaded: the ``rapidocr`` 3.x wheel on PyPI ships ``rapidocr/models/PP-OCRv6_rec_small.onnx``
(text-line recogniser) and ``PP-OCRv6_det_small.onnx`` (DB text detector). The package folder is found with
:func:`importlib.util.find_spec`, which does not import (run) ``rapidocr`` itself.

Execution providers: ``CUDAExecutionProvider`` when ``onnxruntime-gpu`` is installed (``pip install
"synthdoc[gpu]"``, which also brings the CUDA runtime and cuDNN wheels that :func:`onnxruntime.preload_dlls`
loads) and a CUDA device is asked for, with ``cudnn_conv_algo_search = HEURISTIC`` — the default EXHAUSTIVE
search re-benchmarks convolution algorithms for every new input shape, and line batches have a new width almost
every time; otherwise ``CPUExecutionProvider``.

Packaging trap: ``onnxruntime`` (a dependency of synthdoc) and ``onnxruntime-gpu`` install into the same
``onnxruntime`` folder, and whichever pip writes last wins; when the CPU build wins, the CUDA provider is
missing although ``onnxruntime-gpu`` is installed. :func:`resolve_device` detects that and names the fix.
"""
from __future__ import annotations

import importlib.util
from importlib import metadata
from pathlib import Path

from synthdoc.errors import SynthdocError

#: Model kind -> file name inside ``rapidocr/models``.
MODEL_FILES = {"rec": "PP-OCRv6_rec_small.onnx", "det": "PP-OCRv6_det_small.onnx"}

_INSTALL = 'pip install "rapidocr>=3.10,<4" onnxruntime (both are dependencies of synthdoc)'


def bundled_model_path(kind: str) -> Path:
    """Path of the bundled PP-OCRv6 model `kind` ("rec" or "det") inside the installed ``rapidocr`` package.

    Raises:
        ValueError: unknown kind.
        SynthdocError: ``rapidocr`` is not installed or its wheel lacks the model file.
    """
    if kind not in MODEL_FILES:
        raise ValueError(f"unknown model kind {kind!r}; use one of {', '.join(MODEL_FILES)}")
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise SynthdocError(f"the rapidocr package (which ships the PP-OCRv6 models) is not installed; {_INSTALL}")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "models" / MODEL_FILES[kind]
        if path.is_file():
            return path
    raise SynthdocError(f"{MODEL_FILES[kind]} is not in the installed rapidocr package; {_INSTALL}")


def available_providers() -> list[str]:
    """onnxruntime's available execution providers (``[]`` when onnxruntime is not installed)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return []
    return list(ort.get_available_providers())


def cuda_available() -> bool:
    """True when the installed onnxruntime has the CUDA execution provider (``onnxruntime-gpu``)."""
    return "CUDAExecutionProvider" in available_providers()


def gpu_build_shadowed() -> bool:
    """True when the ``onnxruntime-gpu`` distribution is installed but the importable onnxruntime lacks the
    CUDA provider (the CPU build's files were written over it)."""
    try:
        metadata.version("onnxruntime-gpu")
    except metadata.PackageNotFoundError:
        return False
    return not cuda_available()


GPU_FIX = ('pip uninstall -y onnxruntime onnxruntime-gpu && pip install "onnxruntime-gpu[cuda,cudnn]" '
           '(the CPU build of onnxruntime shares its folder and must not be installed after it)')


def resolve_device(device: str | None) -> str:
    """"cuda" or "cpu": `device` checked, or (None / "auto") CUDA when onnxruntime-gpu offers it.

    Raises:
        SynthdocError: unknown device, or "cuda" asked for without the CUDA execution provider.
    """
    if device in (None, "auto"):
        return "cuda" if cuda_available() else "cpu"
    if device not in ("cuda", "cpu"):
        raise SynthdocError(f"unknown device {device!r}; use cuda or cpu")
    if device == "cuda" and not cuda_available():
        if gpu_build_shadowed():
            raise SynthdocError(f"onnxruntime-gpu is installed but the CPU build of onnxruntime hides its CUDA "
                                f"provider; run `{GPU_FIX}`, or pass --device cpu")
        raise SynthdocError('device cuda asked for, but onnxruntime has no CUDAExecutionProvider; install the GPU '
                            f'build with `pip install "synthdoc[gpu]"` then `{GPU_FIX}`, or pass --device cpu')
    return device


def providers(device: str) -> list:
    """onnxruntime ``providers`` for `device`: for "cuda" the CUDA provider on device 0 with heuristic cuDNN
    convolution algorithm search, then the CPU provider (for nodes CUDA does not run); for "cpu" the CPU
    provider only."""
    if device == "cuda":
        return [("CUDAExecutionProvider", {"device_id": 0, "cudnn_conv_algo_search": "HEURISTIC"}),
                "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def session(path: Path, device: str, threads: int = 0):
    """An ``onnxruntime.InferenceSession`` for `path` on `device` ("cuda" or "cpu").

    Args:
        path: ONNX file.
        device: "cuda" (CUDA EP, device 0, heuristic cuDNN algorithm search; CPU EP as fallback for
            unsupported nodes) or "cpu".
        threads: intra-op threads on the CPU (0 = onnxruntime's default, one per physical core).

    Raises:
        SynthdocError: onnxruntime missing, or "cuda" asked for and the session did not get the CUDA provider.
    """
    try:
        import onnxruntime as ort
    except ImportError:
        raise SynthdocError(f"onnxruntime is not installed; {_INSTALL}") from None
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    device = resolve_device(device)
    if device == "cuda" and hasattr(ort, "preload_dlls"):
        ort.preload_dlls()  # CUDA / cuDNN from the nvidia-* wheels when present, else the system libraries
    sess = ort.InferenceSession(str(path), sess_options=opts, providers=providers(device))
    if device == "cuda" and sess.get_providers()[0] != "CUDAExecutionProvider":
        raise SynthdocError("onnxruntime could not start its CUDA provider (check the CUDA and cuDNN 9 "
                            "libraries); pass --device cpu to validate on the CPU")
    return sess
