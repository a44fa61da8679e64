"""Line crops and the scoring policy of the labels-match-pixels OCR tests.

A row of a written dataset gives, for every line, the label Tesseract should read and the crop it reads.
Three things on a page are not text a line recogniser is built for; the policy removes them from both the
crop (painted over with the colour around them) and the label, so that what is compared is text:

- words labelled ``ignore`` (toc dot leaders: "don't care" for training, see ``layouts/toc.yaml``);
- list markers: the first word of a ``list_item`` paragraph when it holds no letter or digit
  ("•", "◆", "–"; numbered markers such as "3." or "b)" stay and are read).

Their boxes are checked geometrically by the layout tests (inside their region, no overlap, ink covered).

Lines whose normalised label has fewer than :data:`SHORT_CHARS` characters ("店", "в", "—", "5%") are
scored apart: without context a line recogniser cannot tell "в" from "В" or "—" from "ー" / "一", so their
mean NED is reported and held to a looser guard that still catches a misplaced box (NED ~1 per line).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from synthdoc.geometry import crop_line
from synthdoc.ocr.metrics import normalise
from synthdoc.render.vertical import is_upright

SHORT_CHARS = 3


@dataclass
class LineItem:
    """One scored line: its label (policy applied), upright crop, row id, line index and flags."""

    label: str
    crop: np.ndarray
    row_id: str
    line: int
    lang: str
    layout: str
    vertical: bool
    short: bool       # fewer than SHORT_CHARS characters after normalisation
    upright: bool     # every character upright, no digit or Latin run (always True for horizontal lines)
    pred: str = ""    # what the OCR engine read, filled in by the test


def masked_words(row: dict) -> set[int]:
    """Indices of the row's words that the policy paints out: ``ignore`` words and symbol-only list markers."""
    words, graph, paras = row["words"], row["relation_graph"], row["paragraphs"]
    out = {i for i, flag in enumerate(words["ignore"]) if flag}
    for p, role in enumerate(paras["role"]):
        lines = graph["paragraph_lines"][p]
        if role == "list_item" and lines and graph["line_words"][lines[0]]:
            first = graph["line_words"][lines[0]][0]
            if not any(ch.isalnum() for ch in words["text"][first]):
                out.add(first)
    return out


def paint_out(rgb: np.ndarray, quad: np.ndarray, ring_px: int = 3) -> None:
    """Fill `quad` (4, 2) on `rgb` (H, W, 3) uint8, in place, with the median colour of its bounding box grown
    by `ring_px` (mostly the paper or texture around the word)."""
    h, w = rgb.shape[:2]
    x0, y0 = np.maximum(np.floor(quad.min(0)).astype(int) - ring_px, 0)
    x1, y1 = np.minimum(np.ceil(quad.max(0)).astype(int) + ring_px, [w, h])
    colour = np.median(rgb[y0:y1, x0:x1].reshape(-1, rgb.shape[2]), axis=0)
    cv2.fillConvexPoly(rgb, np.round(quad).astype(np.int32), [float(c) for c in colour])


def remove_words(line_text: str, words: list[str]) -> str:
    """`line_text` with each of `words` (in order) replaced by a space, each once."""
    pos, out = 0, []
    for word in words:
        at = line_text.find(word, pos)
        if at < 0:
            raise AssertionError(f"word {word!r} is not in its line {line_text!r}")
        out.append(line_text[pos:at] + " ")
        pos = at + len(word)
    return "".join(out) + line_text[pos:]


def dark_ink(crop: np.ndarray) -> np.ndarray:
    """(h, w) uint8 grey crop with ink dark on light: luminance stretched so that its darkest pixel is 0 and
    its lightest 255, inverted when the background (the median) lies on the dark side. Light-on-dark and
    coloured scene text (scattered pages) otherwise defeat Tesseract's binariser; dark-on-light paper
    crops only get their contrast stretched."""
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    lo, hi = float(grey.min()), float(grey.max())
    scale = 255.0 / max(hi - lo, 1.0)
    stretched = cv2.convertScaleAbs(grey, alpha=scale, beta=-lo * scale)
    return 255 - stretched if np.median(stretched) < 128 else stretched


def line_items(row: dict, rgb: np.ndarray) -> list[LineItem]:
    """Every line of a decoded dataset row (`rgb` is its (H, W, 3) uint8 image), with the policy applied."""
    masked = masked_words(row)
    words, lines = row["words"], row["lines"]
    if masked:
        rgb = rgb.copy()
        for i in masked:
            paint_out(rgb, np.asarray(words["quad"][i], np.float32))
    items = []
    for k, (text, quad, direction) in enumerate(zip(lines["text"], lines["quad"], lines["direction"])):
        gone = [words["text"][i] for i in row["relation_graph"]["line_words"][k] if i in masked]
        label = remove_words(text, gone) if gone else text
        norm = normalise(label, row["lang"])
        if not norm:
            continue  # a line of leaders / markers only
        crop = crop_line(rgb, np.asarray(quad, np.float32), direction)
        items.append(LineItem(label, crop, row["id"], k, row["lang"], row["layout"], direction == "ttb",
                              len(norm) < SHORT_CHARS,
                              direction != "ttb" or all(is_upright(c) for c in norm)))
    return items
