"""PP-OCRv6 small text-line recogniser (bundled in the ``rapidocr`` wheel), batched through onnxruntime.

Recognition only (line crops come from the labels). Pre- and post-processing follow PaddleOCR's
``RecResizeImg`` / ``CTCLabelDecode`` (PaddleOCR ``ppocr/data/imaug/rec_img_aug.py``,
``ppocr/postprocess/rec_postprocess.py``), as the rapidocr 3.x runtime also does:

* a crop is converted to BGR (PaddleOCR reads images with OpenCV), resized to height 48 keeping its aspect
  ratio (width ceil(48 w / h)), scaled to [-1, 1] and right-padded with 0 to the widest crop of its batch,
  at least 320 px (the model's training width);
* greedy CTC decoding: arg-max class per time step, repeats collapsed, blank (class 0) dropped; class k in
  1..K is the k-th entry of the dictionary stored in the ONNX metadata key ``character`` (one character per
  line, K = 18,708), class K + 1 is a space.

Vertical columns are rotated 90° counter-clockwise first, so the column's top comes to the left and the
characters are read in order (PaddleOCR's recognisers are trained on such rotated vertical lines).
"""
from __future__ import annotations

import math
from typing import Sequence

import cv2
import numpy as np

from synthdoc.ocr.engine import register_engine
from synthdoc.ocr.onnx import bundled_model_path, resolve_device, session
from synthdoc.ocr.orientation import HORIZONTAL, VERTICAL

HEIGHT_PX = 48
MIN_WIDTH_PX = 320
MAX_WIDTH_PX = 3200  # 400 CTC time steps (stride 8): far more than the longest line of a page
WIDTH_STEP_PX = 32  # batch widths are rounded up to a multiple of this (fewer distinct shapes for cuDNN)
MAX_PAD_FRAC = 0.25  # a batch's widest crop is at most this much wider than its narrowest (see plan_batches)
#: Default crops per forward pass. On the CPU the size matters little once batches hold similar widths
#: (38-42 lines/s at 16-64 on 2 cores, benchmarks/validate.py); a GPU wants large batches.
DEFAULT_BATCH_SIZE = {"cpu": 32, "cuda": 256}

#: Languages the dictionary covers (Latin letters, digits and ASCII punctuation, hanzi, kana; no hangul,
#: no Cyrillic) and the orientations read.
COVERAGE = {
    "eng_Latn": frozenset({HORIZONTAL}),
    "jpn_Jpan": frozenset({HORIZONTAL, VERTICAL}),
    "zho_Hans": frozenset({HORIZONTAL, VERTICAL}),
    "zho_Hant": frozenset({HORIZONTAL, VERTICAL}),
}


def read_dictionary(sess) -> list[str]:
    """The recogniser's class list: ["" (blank), dictionary..., " "], from the ONNX metadata key ``character``.

    Raises:
        ValueError: the model has no ``character`` metadata.
    """
    meta = sess.get_modelmeta().custom_metadata_map
    if "character" not in meta:
        raise ValueError("the recognition model has no 'character' metadata (not a PP-OCR rec model?)")
    return ["", *meta["character"].splitlines(), " "]


def resized_width(crop: np.ndarray) -> int:
    """Width of `crop` resized to height 48 px with its aspect ratio kept: ceil(48 w / h), in [1, 3200]."""
    return min(MAX_WIDTH_PX, max(1, math.ceil(HEIGHT_PX * crop.shape[1] / max(1, crop.shape[0]))))


def plan_batches(widths: Sequence[int], batch_size: int, max_pad_frac: float = MAX_PAD_FRAC) -> list[np.ndarray]:
    """Group crops into batches of similar width.

    Crops are sorted by resized width; a batch holds at most `batch_size` crops, and a crop starts a new batch
    when it is more than (1 + `max_pad_frac`) times wider than the batch's first crop (or than 320 px, the
    minimum batch width), so no crop is padded by much more than that fraction of its width. (Long grey
    padding after a short line makes the recogniser emit spurious or dropped characters, measured on
    vertical columns: mean NED 0.08 with batches of 16 vs 0.10-0.17 with unconstrained batches of 64.)

    Returns:
        Index arrays into `widths`, one per batch, covering every crop once.
    """
    order = np.argsort(np.asarray(widths), kind="stable")
    batches, start = [], 0
    for i in range(1, len(order) + 1):
        if i == len(order) or i - start >= batch_size or \
                widths[order[i]] > max(MIN_WIDTH_PX, widths[order[start]]) * (1 + max_pad_frac):
            batches.append(order[start:i])
            start = i
    return batches


def prepare_batch(crops: Sequence[np.ndarray], width_step_px: int = WIDTH_STEP_PX) -> np.ndarray:
    """Resize, normalise and pad horizontal line crops into one network input.

    Args:
        crops: (h, w, 3) uint8 RGB (or (h, w) grey) crops, text left to right.
        width_step_px: the batch width is rounded up to a multiple of this.

    Returns:
        (N, 3, 48, W) float32 BGR in [-1, 1]; W = max(320, widest resized crop) rounded up to
        `width_step_px`, capped at 3200 (wider crops are squeezed to 3200); padding is 0.
    """
    widths = [resized_width(c) for c in crops]
    width = min(MAX_WIDTH_PX, max(MIN_WIDTH_PX, -(-max(widths) // width_step_px) * width_step_px))
    batch = np.zeros((len(crops), 3, HEIGHT_PX, width), np.float32)
    for i, (crop, w) in enumerate(zip(crops, widths)):
        bgr = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) if crop.ndim == 2 else crop[:, :, 2::-1]
        resized = cv2.resize(np.ascontiguousarray(bgr), (w, HEIGHT_PX), interpolation=cv2.INTER_LINEAR)
        batch[i, :, :, :w] = resized.transpose(2, 0, 1).astype(np.float32) / 127.5 - 1.0
    return batch


def ctc_greedy_decode(probs: np.ndarray, classes: Sequence[str]) -> list[str]:
    """Greedy (best-path) CTC decoding.

    Args:
        probs: (N, T, C) float32 class scores per time step.
        classes: C class strings, class 0 the blank.

    Returns:
        N strings: arg-max class per step, consecutive repeats collapsed, blanks dropped.
    """
    best = probs.argmax(axis=2)
    keep = best != 0
    keep[:, 1:] &= best[:, 1:] != best[:, :-1]
    return ["".join(classes[k] for k in row[mask]) for row, mask in zip(best, keep)]


class PPOCRRecognizer:
    """The bundled PP-OCRv6 small recogniser.

    Args:
        device: "cuda" (CUDA execution provider, heuristic cuDNN algorithm search) or "cpu".
        batch_size: most crops per forward pass (None: :data:`DEFAULT_BATCH_SIZE` of the device); batches
            hold crops of similar width (:func:`plan_batches`).
        threads: CPU intra-op threads (0 = onnxruntime's default).

    Raises:
        SynthdocError: rapidocr / onnxruntime missing, or CUDA asked for and unavailable.
    """

    name = "ppocr"
    coverage = COVERAGE

    def __init__(self, device: str = "cpu", batch_size: int | None = None, threads: int = 0):
        self.model_path = bundled_model_path("rec")
        self.session = session(self.model_path, device, threads)
        self.device = device
        self.batch_size = max(1, int(batch_size or DEFAULT_BATCH_SIZE[device]))
        self.classes = read_dictionary(self.session)
        self._input = self.session.get_inputs()[0].name

    def recognise(self, crops: Sequence[np.ndarray], lang_code: str = "", vertical: bool = False) -> list[str]:
        """Recognise line crops.

        Args:
            crops: (h, w, 3) uint8 RGB upright crops; vertical columns stay vertical (they are rotated here).
            lang_code: unused (one dictionary for all covered languages); kept for the Engine protocol.
            vertical: the crops are top-to-bottom columns.

        Returns:
            One string per crop, in order.
        """
        if vertical:
            crops = [cv2.rotate(c, cv2.ROTATE_90_COUNTERCLOCKWISE) for c in crops]
        out: list[str] = [""] * len(crops)
        for idx in plan_batches([resized_width(c) for c in crops], self.batch_size):
            probs = self.session.run(None, {self._input: prepare_batch([crops[i] for i in idx])})[0]
            for i, text in zip(idx, ctc_greedy_decode(probs, self.classes)):
                out[i] = text
        return out


@register_engine("ppocr", in_auto=lambda: True)
def build(*, device: str | None = None, batch_size: int | None = None, **_) -> PPOCRRecognizer:
    """``--engine ppocr``: the bundled PP-OCRv6 recogniser on `device` (None: CUDA when available)."""
    return PPOCRRecognizer(device=resolve_device(device), batch_size=batch_size)
