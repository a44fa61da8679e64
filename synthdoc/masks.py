"""Text masks: which pixels of a page are text ink, optionally which word each belongs to (the ``mask`` column).

Kinds (:data:`MASK_KINDS`, config key ``mask``):

* ``none``: no mask (the column is null);
* ``ink``: (H, W) uint8 PNG, 255 where text ink covers the pixel, 0 elsewhere;
* ``words``: (H, W) uint16 PNG, 0 for background and k + 1 on the ink of word k (flat reading-order index of
  the row's ``words``), an instance mask.

How: the ink layers of the page's text (glyph coverage of every ink colour, after the text-phase augmentation
steps the row records, e.g. stroke width or edge noise; effect layers such as outlines and shadows are not
text) are merged by maximum; a pixel is ink where the coverage is at least :data:`INK_COVERAGE` (half). For
``words``, the word quads of the clean render are filled in reading order and kept on the ink. Then every
geometric step the row records is applied to the mask with the same mapping as to the page pixels and
nearest-neighbour sampling: the step warps a coordinate field (source x, source y, validity) exactly as it warps
the image (bilinear interpolation of an affine field is exact), and each output pixel takes the mask value at
the rounded source coordinate (0 where the step filled the border). Photometric steps do not move text, so they
leave the mask as it is.
"""
from __future__ import annotations

import copy

import cv2
import numpy as np

from synthdoc.doc import Page

MASK_KINDS = ("none", "ink", "words")
INK_COVERAGE = 128
_OUTSIDE = -1.0


def ink_mask(layers: list[np.ndarray], height: int, width: int) -> np.ndarray:
    """(H, W) bool: coverage of any ink layer ((H, W) uint8 each) >= :data:`INK_COVERAGE`."""
    out = np.zeros((height, width), bool)
    for mask in layers:
        out |= mask >= INK_COVERAGE
    return out


def word_labels(page: Page) -> np.ndarray:
    """(H, W) uint16: k + 1 inside the quad of word k (flat reading order; a later word wins where quads
    overlap), 0 elsewhere. Page pixels of `page`.

    Raises:
        ValueError: more than 65,535 words (the 16-bit PNG limit).
    """
    words = page.words
    if len(words) > 65535:
        raise ValueError(f"{len(words)} words do not fit a 16-bit instance mask")
    labels = np.zeros((page.height, page.width), np.uint16)
    for k, word in enumerate(words):
        pts = np.rint(np.asarray(word.quad, np.float64)).astype(np.int32)
        cv2.fillPoly(labels, [pts], k + 1)
    return labels


def text_layers(page: Page, masks: dict, record: dict | None) -> list[np.ndarray]:
    """Ink coverage layers of a page after the text-phase steps of its augmentation `record` (replayed).

    Args:
        page: the clean page (before geometric steps).
        masks: ink colour -> (H, W) uint8 coverage, as :func:`synthdoc.render.compose.text_masks` returns.
        record: the row's ``meta["augment"]`` (None: no augmentation).

    Returns:
        (H, W) uint8 coverage per ink layer.
    """
    from synthdoc.augment.base import STEPS, AugmentState

    steps = [(STEPS[s["name"]], s["params"]) for s in (record or {}).get("steps", []) if s.get("name") in STEPS]
    steps = [(cls, params) for cls, params in steps if cls.phase == "text"]
    if not steps:
        return list(masks.values())
    background = np.full((page.height, page.width, 3), 255, np.uint8)
    state = AugmentState.from_render(page, background, {k: v.copy() for k, v in masks.items()})
    state.advance("text")
    for cls, params in steps:
        cls.apply(state, copy.deepcopy(params))
    return [layer.mask for layer in state.layers if layer.ink]


def follow_geometry(mask: np.ndarray, page: Page, record: dict | None) -> np.ndarray:
    """`mask` ((H, W) any integer dtype, page pixels of the clean render) moved by every geometric step of
    `record`, nearest-neighbour; pixels from outside the source page become 0. Same shape and dtype."""
    from synthdoc.augment.base import STEPS, AugmentState

    steps = [(STEPS[s["name"]], s["params"]) for s in (record or {}).get("steps", []) if s.get("name") in STEPS]
    steps = [(cls, params) for cls, params in steps if cls.phase == "geometric"]
    if not steps:
        return mask
    h, w = mask.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    field = np.dstack([xs, ys, np.ones_like(xs)])
    state = AugmentState(page, np.zeros((h, w, 3), np.uint8), [], image=field, phase="geometric",
                         ink_ref=np.zeros((h, w), np.uint8))  # steps also move their reference ink: give them one
    for cls, params in steps:
        params = copy.deepcopy(params)
        if "border_rgb" in params:
            params["border_rgb"] = [_OUTSIDE] * 3
        cls.apply(state, params)
    field = state.image
    x = np.clip(np.rint(field[..., 0]), 0, w - 1).astype(np.intp)
    y = np.clip(np.rint(field[..., 1]), 0, h - 1).astype(np.intp)
    out = mask[y, x]
    out[field[..., 2] <= 0.5] = 0
    return out


def page_mask(kind: str, page: Page, masks: dict, record: dict | None) -> np.ndarray | None:
    """The text mask of one sample, in the pixels of its final image.

    Args:
        kind: one of :data:`MASK_KINDS`.
        page: the clean page (before geometric steps; its word quads index the words).
        masks: ink colour -> (H, W) uint8 coverage of the clean render.
        record: the row's ``meta["augment"]`` or None.

    Returns:
        None for "none"; (H, W) uint8 {0, 255} for "ink"; (H, W) uint16 word index + 1 for "words".
    """
    if kind == "none":
        return None
    ink = ink_mask(text_layers(page, masks, record), page.height, page.width)
    mask = np.where(ink, word_labels(page), 0).astype(np.uint16) if kind == "words" else ink.astype(np.uint8) * 255
    return follow_geometry(mask, page, record)


def encode_mask(mask: np.ndarray) -> bytes:
    """PNG bytes of a mask (uint8 -> 8-bit grey, uint16 -> 16-bit grey; lossless)."""
    ok, buf = cv2.imencode(".png", mask, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:
        raise RuntimeError("PNG encoding of a mask failed")
    return buf.tobytes()


def decode_mask(data: bytes) -> np.ndarray:
    """A ``mask`` column value back to its array ((H, W) uint8 or uint16)."""
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
