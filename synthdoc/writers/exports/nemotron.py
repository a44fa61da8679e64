"""The HDF5 layout of nvidia/OCR-Synthetic-Multilingual-v1 (the dataset Nemotron OCR v2 was trained on), both ways.

Layout (the dataset card, CC BY 4.0, https://huggingface.co/datasets/nvidia/OCR-Synthetic-Multilingual-v1)::

    OUT/<language folder>/<split>/<split>_NNN.h5      e.g. OUT/ja/train/train_000.h5

Language folders are the card's ``en ja ko ru zh_hans zh_hant`` for synthdoc's six core languages
(:data:`LANG_FOLDERS`) and the canonical code itself (``ara_Arab``) for any other language. A file holds at most
``rows_per_file`` samples (default :data:`ROWS_PER_FILE`); ``NNN`` counts from 000 per folder and split.

HDF5 datasets of one file, all of length N (one entry per sample, same order):

============== ================================== =====================================================
key            h5py dtype, shape                   content
============== ================================== =====================================================
``images``     ``vlen uint8`` (N,)                 JPEG file bytes (a uint8 array per sample; ``bytes(a)``)
``annotations``  ``vlen str`` UTF-8 (N,)           one JSON object per sample (below)
``dimensions`` ``int32`` (N, 2)                    [H, W] of the image, pixels
``labels``     ``vlen str`` UTF-8 (N,)             page text: the lines joined with "\\n" in reading order
``qualities``  ``int32`` (N,)                      JPEG quality of the image (IJG scale 1-100)
``sample_ids`` ``int64`` (N,)                      sample id (synthdoc: the sample index of the run)
``masks``      ``vlen uint8`` (N,)                 not on the card, only when the dataset has the ``mask``
                                                   column: the mask's PNG bytes (empty: no mask)
============== ================================== =====================================================

Annotation JSON (the card's schema; coordinates are float page pixels, origin top-left, y down)::

    {"word_bboxes": [{"text", "bbox": [x, y, w, h], "quad": [[x, y] x 4]}, ...],
     "line_bboxes": [{"text", "bbox", "quad", "para_idx", "line_idx", "word_indices": [...]}, ...],
     "para_bboxes": [{"text", "bbox", "quad"}, ...],
     "relation_graph": [[[word, ...] per line] per paragraph],
     "char_bboxes": [{"text", "bbox", "quad", "word_idx"}, ...],
     "synthdoc": {...}}

* ``word_bboxes``: one entry per word, in reading order (word k of the page is entry k).
* ``line_bboxes``: one entry per line in reading order; ``para_idx`` is the paragraph's index,
  ``line_idx`` the line's index inside its paragraph (0, 1, ...), ``word_indices`` its words in reading order.
* ``para_bboxes``: one entry per paragraph in reading order; ``text`` is its lines joined with "\\n".
* ``relation_graph``: paragraphs in reading order, each a list of its lines, each a list of word indices in
  reading order; e.g. ``[[[0, 1], [2]], [[3]]]``: paragraph 0 has lines (0 1) and (2). Flattened it is 0..N-1.
* Quads follow synthdoc's convention, which is what the Nemotron relational model needs: vertex 0 is the top-left
  corner of the text's own frame and the edge 0 -> 1 runs along the reading direction: TL, TR, BR, BL for
  horizontal text; TR, BR, BL, TL for vertical (top-to-bottom) columns, so consecutive words of a column share
  one orientation and a column is not re-split into one-word lines by the angle test (> 80 degrees between
  consecutive rotated rectangles). RTL lines keep the visual TL, TR, BR, BL frame. The bbox is the quad's tight
  axis-aligned box clipped to the image, as [x, y, w, h].
* ``char_bboxes`` (not on the card; present only when the dataset has the ``chars`` column): one entry per
  character (grapheme cluster) in reading order, in the style of ``word_bboxes``; ``word_idx`` is its word's
  index in ``word_bboxes``. Training code written for the card ignores it.
* ``synthdoc`` (not on the card; readers of the card ignore it): what the card's schema cannot hold, so a
  synthdoc -> Nemotron -> synthdoc round trip is lossless: ``id``, ``lang``, ``layout``, ``seed``, ``index``,
  ``meta`` (the row's provenance JSON), ``word_ignore``, ``line_direction``, ``para_role``, ``para_level``,
  ``para_cell``.

Images that are PNG in the dataset are encoded as JPEG at quality 100 (the card's usual quality); JPEG images
are copied byte for byte and their quality is read from their quantisation tables. The card has no character
level and no mask: the optional ``chars`` and ``mask`` columns travel in the two additions above (``char_bboxes``,
``masks``), so they too survive the round trip; an import of the released files (which have neither) gives them
null. A mask of kind "words" numbers the words in ``word_bboxes`` order, which is the imported order for
synthdoc's own exports (their relation graph lists the words 0..N-1 in order).
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING
from pathlib import Path

import cv2
import numpy as np

from synthdoc.names import safe_join, safe_name
from synthdoc.writers.exports import register_format
from synthdoc.writers.exports.common import PNG_SIGNATURE, new_file

if TYPE_CHECKING:  # h5py and Pillow are imported where used: the CLI imports every format module at start-up
    import h5py

ROWS_PER_FILE = 10_000
PNG_JPEG_QUALITY = 100
# synthdoc canonical code -> the card's language folder
LANG_FOLDERS = {"eng_Latn": "en", "jpn_Jpan": "ja", "kor_Hang": "ko", "rus_Cyrl": "ru", "zho_Hans": "zh_hans",
                "zho_Hant": "zh_hant"}
FOLDER_LANGS = {v: k for k, v in LANG_FOLDERS.items()}
DATASETS = ("images", "annotations", "dimensions", "labels", "qualities", "sample_ids")
# IJG (libjpeg) standard luminance quantisation table, natural order (ITU-T T.81 Annex K, Table K.1)
_IJG_LUMA = np.array([16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
                      14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
                      92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], np.int64)


def jpeg_quality(data: bytes) -> int:
    """IJG quality (1-100) whose scaled standard luminance table is closest to a JPEG's own table.

    libjpeg's ``jpeg_set_quality`` scales Table K.1 by 5000/q (q < 50) or 200 - 2q and rounds; the quality
    with the smallest summed difference wins (exact for files written by libjpeg / OpenCV / Pillow).
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        table = np.asarray(im.quantization[min(im.quantization)], np.int64)  # table 0 (luminance), natural order
    q = np.arange(1, 101)[:, None]
    scale = np.where(q < 50, 5000 // q, 200 - 2 * q)
    tables = np.clip((_IJG_LUMA[None, :] * scale + 50) // 100, 1, 255)
    return int(np.argmin(np.abs(tables - table[None, :]).sum(axis=1)) + 1)


def jpeg_image(row: dict) -> tuple[bytes, int]:
    """(JPEG bytes, quality) of a row's image: JPEG copied, PNG encoded at :data:`PNG_JPEG_QUALITY`."""
    data = row["image"]["bytes"]
    if not data.startswith(PNG_SIGNATURE):
        return data, jpeg_quality(data)
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, PNG_JPEG_QUALITY])
    if not ok:
        raise RuntimeError(f"JPEG encoding of {row['id']} failed")
    return buf.tobytes(), PNG_JPEG_QUALITY


def _xywh(bbox) -> list[float]:
    x0, y0, x1, y1 = (float(v) for v in bbox)
    return [x0, y0, x1 - x0, y1 - y0]


def _entries(level: dict) -> list[dict]:
    return [{"text": t, "bbox": _xywh(b), "quad": [[float(x), float(y)] for x, y in q]}
            for t, b, q in zip(level["text"], level["bbox"], level["quad"])]


def annotation(row: dict) -> dict:
    """The annotation JSON object of a dataset row (see the module docstring)."""
    words, lines, paras, graph = row["words"], row["lines"], row["paragraphs"], row["relation_graph"]
    line_entries = _entries(lines)
    for p, line_ids in enumerate(graph["paragraph_lines"]):
        for k, li in enumerate(line_ids):
            line_entries[li].update(para_idx=p, line_idx=k, word_indices=list(graph["line_words"][li]))
    relation = [[list(graph["line_words"][li]) for li in line_ids] for line_ids in graph["paragraph_lines"]]
    chars = row.get("chars")
    extra = {"id": row["id"], "lang": row["lang"], "layout": row["layout"], "seed": row["seed"],
             "index": row["index"], "meta": row["meta"], "word_ignore": list(words["ignore"]),
             "line_direction": list(lines["direction"]), "para_role": list(paras["role"]),
             "para_level": list(paras["level"]), "para_cell": [list(c) for c in paras["cell"]]}
    out = {"word_bboxes": _entries(words), "line_bboxes": line_entries, "para_bboxes": _entries(paras),
           "relation_graph": relation}
    if chars is not None:
        out["char_bboxes"] = [{**e, "word_idx": int(k)} for e, k in zip(_entries(chars), chars["parent"])]
    return {**out, "synthdoc": extra}


def _create(path: Path) -> h5py.File:
    import h5py

    f = h5py.File(path, "w")
    text = h5py.string_dtype("utf-8")
    f.create_dataset("images", (0,), maxshape=(None,), dtype=h5py.vlen_dtype(np.uint8), chunks=(64,))
    f.create_dataset("annotations", (0,), maxshape=(None,), dtype=text, chunks=(64,))
    f.create_dataset("dimensions", (0, 2), maxshape=(None, 2), dtype=np.int32, chunks=(1024, 2))
    f.create_dataset("labels", (0,), maxshape=(None,), dtype=text, chunks=(64,))
    f.create_dataset("qualities", (0,), maxshape=(None,), dtype=np.int32, chunks=(1024,))
    f.create_dataset("sample_ids", (0,), maxshape=(None,), dtype=np.int64, chunks=(1024,))
    return f


def _append(f: h5py.File, values: dict) -> None:
    """Append one sample; ``values["masks"]`` (PNG bytes or None) creates the ``masks`` dataset on the first
    mask (earlier samples of the file read as empty, i.e. no mask)."""
    n = f["images"].shape[0]
    mask = values.get("masks")
    if mask is not None and "masks" not in f:
        import h5py

        f.create_dataset("masks", (n,), maxshape=(None,), dtype=h5py.vlen_dtype(np.uint8), chunks=(64,))
    for key in DATASETS + (("masks",) if "masks" in f else ()):
        ds = f[key]
        ds.resize(n + 1, axis=0)
        ds[n] = values[key] if key != "masks" else np.frombuffer(mask or b"", np.uint8)


@register_format("nemotron")
class NemotronWriter:
    """Writes the Nemotron HDF5 export of rows added one by one (each appended to its file at once).

    Args:
        out: export folder.
        rows_per_file: samples per ``.h5`` file before the next ``NNN`` starts.
    """

    def __init__(self, out: Path, rows_per_file: int = ROWS_PER_FILE):
        self.out = out
        self.rows_per_file = rows_per_file
        self._open: dict[tuple[str, str], tuple[h5py.File, int]] = {}
        self._paths: list[Path] = []

    def _file(self, folder: str, split: str) -> h5py.File:
        f, k = self._open.get((folder, split), (None, -1))
        if f is None or f["images"].shape[0] >= self.rows_per_file:
            if f is not None:
                f.close()
            k += 1
            path = new_file(safe_join(self.out, folder, split, what="language folder or split"), f"{split}_{k:03d}.h5")
            f = _create(path)
            self._paths.append(path)
            self._open[(folder, split)] = (f, k)
        return f

    def add(self, split: str, row: dict) -> None:
        safe_name(row["id"], "row id")  # kept in the record and used as a file name by whoever imports it
        image, quality = jpeg_image(row)
        f = self._file(LANG_FOLDERS.get(row["lang"], row["lang"]), split)
        _append(f, {"images": np.frombuffer(image, np.uint8), "dimensions": [row["height"], row["width"]],
                    "annotations": json.dumps(annotation(row), ensure_ascii=False), "labels": row["text"],
                    "qualities": quality, "sample_ids": int(row["index"]), "masks": row.get("mask")})

    def close(self) -> list[Path]:
        for f, _ in self._open.values():
            f.close()
        return list(self._paths)


def _as_bytes(value) -> bytes:
    """An ``images`` entry as bytes, whether stored as vlen uint8, vlen bytes or opaque (np.void)."""
    if isinstance(value, np.ndarray):
        return value.tobytes()
    if isinstance(value, np.void):
        return value.tobytes()
    return bytes(value)


def _as_str(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def read_file(path: str | Path) -> Iterator[dict]:
    """The samples of one ``.h5`` file, in file order, as the card describes them.

    Yields:
        {"image": JPEG bytes, "annotation": dict, "height": int, "width": int, "label": str, "quality": int,
        "sample_id": int, "mask": PNG bytes or None (no ``masks`` dataset, or an empty entry)}.

    Raises:
        KeyError: a dataset of :data:`DATASETS` is missing.
    """
    import h5py

    with h5py.File(path, "r") as f:
        missing = [k for k in DATASETS if k not in f]
        if missing:
            raise KeyError(f"{path} lacks the HDF5 dataset(s) {', '.join(missing)}")
        dims, qual, ids = f["dimensions"][()], f["qualities"][()], f["sample_ids"][()]
        masks = f["masks"] if "masks" in f else None
        for i in range(f["images"].shape[0]):
            mask = _as_bytes(masks[i]) if masks is not None else b""
            yield {"image": _as_bytes(f["images"][i]), "annotation": json.loads(_as_str(f["annotations"][i])),
                   "height": int(dims[i][0]), "width": int(dims[i][1]), "label": _as_str(f["labels"][i]),
                   "quality": int(qual[i]), "sample_id": int(ids[i]), "mask": mask or None}


def infer_direction(quad) -> str:
    """Reading direction of a line quad without a synthdoc record: "ttb" when its first edge (vertex 0 -> 1,
    along the reading direction) points down the page more than sideways, else "ltr"."""
    q = np.asarray(quad, np.float64)
    dx, dy = q[1] - q[0]
    return "ttb" if dy > abs(dx) else "ltr"


def _reading_order(ann: dict) -> tuple[list[int], list[tuple[int, int]]]:
    """(old word index per new word, (paragraph, old line index) per new line) in relation-graph order.

    Lines are matched to ``line_bboxes`` by (para_idx, word_indices); words that no line holds are dropped.

    Raises:
        ValueError: a line of the relation graph has no ``line_bboxes`` entry.
    """
    by_key = {(e.get("para_idx"), tuple(e.get("word_indices", ()))): i for i, e in enumerate(ann["line_bboxes"])}
    words, lines = [], []
    for p, para in enumerate(ann["relation_graph"]):
        for line_words in para:
            key = (p, tuple(line_words))
            if key not in by_key:
                raise ValueError(f"relation graph line {list(line_words)} of paragraph {p} has no line_bboxes entry")
            lines.append((p, by_key[key]))
            words.extend(int(w) for w in line_words)
    return words, lines


def _level(entries: list[dict], order: list[int], parents: list[int], w: int, h: int, **extra) -> dict:
    from synthdoc.types import quads_to_bboxes

    quads = np.asarray([entries[i]["quad"] for i in order], np.float32).reshape(-1, 4, 2)
    return {"text": [entries[i]["text"] for i in order], "quad": quads.tolist(),
            "bbox": quads_to_bboxes(quads, w, h).tolist(), "parent": parents, **extra}


def _chars(ann: dict, word_order: list[int], w: int, h: int) -> dict | None:
    """The ``chars`` level from ``char_bboxes`` (None without it), parents renumbered into the imported word
    order; characters of words no line holds are dropped."""
    entries = ann.get("char_bboxes")
    if entries is None:
        return None
    new_index = {old: new for new, old in enumerate(word_order)}
    keep = sorted((k for k, e in enumerate(entries) if int(e["word_idx"]) in new_index),
                  key=lambda k: (new_index[int(entries[k]["word_idx"])], k))
    return _level(entries, keep, [new_index[int(entries[k]["word_idx"])] for k in keep], w, h)


def to_row(sample: dict, lang: str, where: str) -> dict:
    """A synthdoc dataset row (synthdoc.writers.schema) from one sample of :func:`read_file`.

    Fields the card's schema lacks come from the annotation's ``synthdoc`` record when present (a synthdoc
    export), else: id ``nemotron-<lang>-<sample_id>``, layout "nemotron", words not ignored, line direction from
    the quad (:func:`infer_direction`), paragraphs role "body", level 0, no table cell, seed 0, index = sample id.

    Args:
        sample: one item of :func:`read_file`.
        lang: canonical language code of the sample's folder.
        where: the source file, recorded in ``meta``.

    Raises:
        ValueError: the relation graph and line_bboxes disagree.
    """
    ann, w, h = sample["annotation"], sample["width"], sample["height"]
    x = ann.get("synthdoc") or {}
    word_order, line_order = _reading_order(ann)
    line_of_word = [li for li, (_, old) in enumerate(line_order) for _ in ann["line_bboxes"][old]["word_indices"]]
    n_para = len(ann["relation_graph"])
    paras = ann.get("para_bboxes") or []
    ignore = x.get("word_ignore") or [False] * len(ann["word_bboxes"])
    direction = x.get("line_direction") or [infer_direction(e["quad"]) for e in ann["line_bboxes"]]
    graph_lines, k = [], 0
    for para in ann["relation_graph"]:
        graph_lines.append(list(range(k, k + len(para))))
        k += len(para)
    line_words, k = [], 0
    for _, old in line_order:
        n = len(ann["line_bboxes"][old]["word_indices"])
        line_words.append(list(range(k, k + n)))
        k += n
    sid = sample["sample_id"]
    row_id = x.get("id") or f"nemotron-{lang}-{sid:09d}"
    meta = x.get("meta") or json.dumps({"source": "nemotron", "file": where, "sample_id": sid,
                                        "jpeg_quality": sample["quality"]}, sort_keys=True, separators=(",", ":"))
    return {
        "id": row_id, "image": {"bytes": sample["image"], "path": f"{row_id}.jpg"}, "width": w, "height": h,
        "lang": x.get("lang") or lang, "layout": x.get("layout") or "nemotron", "text": sample["label"],
        "words": _level(ann["word_bboxes"], word_order, line_of_word, w, h, ignore=[bool(ignore[i]) for i in word_order]),
        "lines": _level(ann["line_bboxes"], [old for _, old in line_order], [p for p, _ in line_order], w, h,
                        direction=[direction[old] for _, old in line_order]),
        "paragraphs": _level(paras, list(range(n_para)), [-1] * n_para, w, h,
                             role=x.get("para_role") or ["body"] * n_para, level=x.get("para_level") or [0] * n_para,
                             cell=x.get("para_cell") or [[-1, -1, 0, 0]] * n_para),
        "relation_graph": {"paragraph_lines": graph_lines, "line_words": line_words},
        "seed": int(x.get("seed", 0)), "index": int(x.get("index", sid)), "meta": meta,
        "mask": sample.get("mask"), "chars": _chars(ann, word_order, w, h),
    }
