"""Evaluation sets for the probe: a synthdoc dataset, a folder of real line images, or PAGE-XML pages.

A spec is ``[NAME=]PATH``:

- a synthdoc dataset folder (``PATH/data/<config>/*.parquet``): every line of its pages
  (:mod:`synthdoc.probe.lines`);
- a folder of line images ``NAME.png|jpg|jpeg|tif|tiff`` (also OCRopus' ``NAME.bin.png``) beside
  ``NAME.gt.txt``, the line ground-truth layout of OCRopus, Calamari, kraken and tesstrain;
- a PAGE-XML file, or a folder of them (PRImA PAGE, any schema version): each ``TextLine``'s ``Coords``
  polygon is cut out of the page image named by ``Page/@imageFilename`` (its bounding box, pixels outside the
  polygon painted with the paper colour) and read against the line's own ``TextEquiv/Unicode``. A line
  more than twice as tall as wide is taken as a vertical column and turned 90° counter-clockwise.
  Parsed with the standard library's ElementTree (expat refuses entity expansion attacks since 2.4.1), so
  no parser dependency is added.

Real sets carry no language: their lines get `lang` (default "und").
"""
from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from synthdoc.errors import SynthdocError
from synthdoc.probe.lines import (
    COLUMNS,
    LABEL_COLUMNS,
    LineSample,
    iter_rows,
    normalise_crop,
    page_samples,
    row_group_units,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


@dataclass
class EvalSet:
    """A named, loaded evaluation set.

    Attributes:
        name: short name used in the report and the curve.
        kind: "synthdoc", "lines" or "pagexml".
        path: where it was read from.
        samples: its line crops (at most the `max_lines` asked for).
        skipped: files left out (images without ground truth), with the reason.
    """

    name: str
    kind: str
    path: str
    samples: list[LineSample]
    skipped: list[str]


def parse_spec(spec: str) -> tuple[str, Path]:
    """(name, path) of ``[NAME=]PATH``; the name defaults to the path's last component."""
    name, sep, path = spec.partition("=")
    if not sep or "/" in name or not name:
        name, path = "", spec
    p = Path(path)
    return name or p.name or str(p), p


def load_eval_set(spec: str, *, height_px: int, max_width_px: int, max_lines: int | None = None,
                  lang: str = "und") -> EvalSet:
    """Read an evaluation set (kind detected from the path, see the module docstring).

    Raises:
        SynthdocError: the path does not exist, is none of the three kinds, holds no line with ground truth,
            or holds an unreadable image or XML file.
    """
    name, path = parse_spec(spec)
    if not path.exists():
        raise SynthdocError(f"eval set {str(path)!r} does not exist; pass a synthdoc dataset, a folder of "
                            "line images with .gt.txt files, or PAGE-XML files")
    args = dict(height_px=height_px, max_width_px=max_width_px, max_lines=max_lines)
    if path.is_dir() and (path / "data").is_dir():
        kind, samples, skipped = "synthdoc", synthdoc_lines(path, **args), []
    elif path.suffix.lower() == ".xml" or (path.is_dir() and any(path.glob("*.xml"))):
        kind, (samples, skipped) = "pagexml", pagexml_lines(path, lang=lang, **args)
    elif path.is_dir():
        kind, (samples, skipped) = "lines", folder_lines(path, lang=lang, **args)
    else:
        raise SynthdocError(f"eval set {str(path)!r} is neither a dataset folder, a line folder nor PAGE-XML")
    if not samples:
        raise SynthdocError(f"eval set {str(path)!r} holds no line with a text label")
    return EvalSet(name, kind, str(path), samples, skipped)


def synthdoc_lines(path: Path, *, height_px: int, max_width_px: int, max_lines: int | None) -> list[LineSample]:
    """Lines of a synthdoc dataset's pages in shard order, at most `max_lines`."""
    out: list[LineSample] = []
    for row in iter_rows(row_group_units(path), COLUMNS):
        out.extend(page_samples(row, height_px, max_width_px))
        if max_lines is not None and len(out) >= max_lines:
            return out[:max_lines]
    return out


def dataset_label_rows(path: Path):
    """Rows of a dataset without their images (for building a charset from the labels)."""
    return iter_rows(row_group_units(path), LABEL_COLUMNS, batch_rows=64)


def _read_grey(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None or img.size == 0:
        raise SynthdocError(f"cannot read the image {str(path)!r}; remove it or convert it to PNG")
    return img


def _stem(image: Path) -> str:
    name = image.name[: -len(image.suffix)]
    return name[:-4] if name.endswith(".bin") else name


def folder_lines(path: Path, *, lang: str, height_px: int, max_width_px: int,
                 max_lines: int | None) -> tuple[list[LineSample], list[str]]:
    """Line images beside ``.gt.txt`` files (sorted by name), at most `max_lines`; images without a
    ``.gt.txt`` are listed in the second value.

    Raises:
        SynthdocError: images but no ``.gt.txt`` at all, or an unreadable image.
    """
    images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    out, skipped = [], []
    for img in images:
        gt = img.with_name(_stem(img) + ".gt.txt")
        if not gt.is_file():
            skipped.append(f"{img.name}: no {gt.name}")
            continue
        label = unicodedata.normalize("NFC", gt.read_text(encoding="utf-8").strip())
        if not label:
            skipped.append(f"{img.name}: empty {gt.name}")
            continue
        out.append(LineSample(normalise_crop(_read_grey(img), False, height_px, max_width_px), label, lang,
                              _stem(img)))
        if max_lines is not None and len(out) >= max_lines:
            break
    if images and not out:
        raise SynthdocError(f"{str(path)!r} has {len(images)} images but no NAME.gt.txt ground truth beside them; "
                            "add one UTF-8 text file per line image")
    return out, skipped


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _line_text(line: ET.Element) -> str:
    """The TextLine's own TextEquiv/Unicode (the one with the lowest @index when there are several)."""
    equivs = _children(line, "TextEquiv")
    equivs.sort(key=lambda e: int(e.get("index", "0") or 0))
    for eq in equivs:
        for u in _children(eq, "Unicode"):
            return unicodedata.normalize("NFC", (u.text or "").strip())
    return ""


def _polygon(line: ET.Element) -> np.ndarray | None:
    for coords in _children(line, "Coords"):
        pts = coords.get("points")
        if pts:
            xy = [tuple(float(v) for v in p.split(",")) for p in pts.split()]
            return np.asarray(xy, np.float32)
    return None


def polygon_crop(page: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """The polygon's bounding box cut out of a grey page, pixels outside the polygon painted with the
    median of the pixels inside it that are brighter than their mean (the paper).

    Args:
        page: (H, W) uint8 grey page.
        polygon: (N, 2) float32, page pixels.

    Returns:
        (h, w) uint8 crop, at least 1x1.
    """
    h, w = page.shape
    x0, y0 = np.clip(np.floor(polygon.min(0)).astype(int), 0, [w - 1, h - 1])
    x1, y1 = np.clip(np.ceil(polygon.max(0)).astype(int), 0, [w - 1, h - 1])
    crop = page[y0:y1 + 1, x0:x1 + 1].copy()
    mask = np.zeros(crop.shape, np.uint8)
    cv2.fillPoly(mask, [np.round(polygon - [x0, y0]).astype(np.int32)], 1)
    inside = crop[mask > 0]
    if inside.size:
        paper = inside[inside >= inside.mean()]
        crop[mask == 0] = int(np.median(paper)) if paper.size else 255
    return crop


def _page_file_lines(xml: Path, lang: str, height_px: int, max_width_px: int) -> list[LineSample]:
    try:
        root = ET.parse(xml).getroot()
    except (ET.ParseError, OSError) as e:
        raise SynthdocError(f"cannot parse the PAGE-XML file {str(xml)!r}: {e}") from None
    page_el = next((el for el in root.iter() if _local(el.tag) == "Page"), None)
    if page_el is None or not page_el.get("imageFilename"):
        raise SynthdocError(f"{str(xml)!r} has no Page element with an imageFilename; is it PAGE-XML?")
    page = _read_grey(xml.parent / page_el.get("imageFilename"))
    out = []
    for n, line in enumerate(el for el in root.iter() if _local(el.tag) == "TextLine"):
        label, poly = _line_text(line), _polygon(line)
        if not label or poly is None or len(poly) < 3:
            continue
        crop = polygon_crop(page, poly)
        vertical = crop.shape[0] > 2 * crop.shape[1]
        out.append(LineSample(normalise_crop(crop, vertical, height_px, max_width_px), label, lang,
                              f"{xml.stem}:{line.get('id', n)}", vertical))
    return out


def pagexml_lines(path: Path, *, lang: str, height_px: int, max_width_px: int,
                  max_lines: int | None) -> tuple[list[LineSample], list[str]]:
    """TextLines with text of a PAGE-XML file or of every ``*.xml`` in a folder (sorted), at most `max_lines`.

    Raises:
        SynthdocError: an unparsable XML file, a file without Page/@imageFilename, an unreadable page image.
    """
    files = [path] if path.is_file() else sorted(path.glob("*.xml"))
    out: list[LineSample] = []
    for xml in files:
        out.extend(_page_file_lines(xml, lang, height_px, max_width_px))
        if max_lines is not None and len(out) >= max_lines:
            return out[:max_lines], []
    return out, []
