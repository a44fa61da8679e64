"""Corpus sources: bundled samples, local text / JSON lines / Parquet files, Hugging Face datasets.

Every loader returns a :class:`Corpus`: a list of documents, each a list of cleaned, non-empty
paragraphs (one line of text each, see :func:`synthdoc.text.clean.clean_paragraph`). Every loader
raises :class:`~synthdoc.errors.SynthdocError` with a one-line message naming the file or dataset,
the problem and the fix, so the CLI can fail before any page is rendered.

The mOSCAR adapter follows the dataset's published schema (oscar-corpus/mOSCAR, CC BY 4.0; Futeral
et al. 2024, arXiv:2406.08707): a row is one web document with ``text: [{text, text_idx}]``,
``images: [{img_idx, sha512, url}]`` and ``metadata: [{node_order, url}]``; ``node_order`` lists the
text and image nodes in page order, e.g. ``"img_#000002|txt_#000000|txt_#000001"``.
"""
from __future__ import annotations

import itertools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from synthdoc.errors import SynthdocError
from synthdoc.resources import samples_dir
from synthdoc.text.clean import clean_lines, clean_paragraph, clean_text
from synthdoc.text.pieces import split_paragraph
from synthdoc.text.quality import QualityFilter, filter_documents

MOSCAR_NAME = "oscar-corpus/mOSCAR"
MOSCAR_LICENSE = "CC BY 4.0"
BUNDLED_LICENSE = "Apache-2.0 (synthdoc samples)"
HANDBOOK_LICENSE = "CC BY-SA 3.0 (The Debian Administrator's Handbook, R. Hertzog and R. Mas, see samples/handbook/NOTICE)"
HANDBOOK_DIR = "handbook"
"""Sub-folder of :func:`synthdoc.resources.samples_dir` with the handbook corpora (scripts/build_handbook_corpus.py)."""
LOHELP_LICENSE = "MPL-2.0 (LibreOffice Help, The Document Foundation, see samples/lohelp/NOTICE)"
LOHELP_DIR = "lohelp"
"""Sub-folder of :func:`synthdoc.resources.samples_dir` with the LibreOffice Help corpora
(scripts/build_lohelp_corpus.py)."""
BUNDLED_EXTRAS = ((HANDBOOK_DIR, HANDBOOK_LICENSE), (LOHELP_DIR, LOHELP_LICENSE))
"""The bundled corpora read after a language's hand-written sample, in this order: (sub-folder, licence)."""
LOCAL_LICENSE = "unknown (local file)"
SUPPORTED_EXTENSIONS = (".txt", ".jsonl", ".json", ".parquet")
"""File name endings :func:`load_path` reads (case-insensitive); ``.json`` is read as JSON lines."""

_HF_NAME_RE = re.compile(r"^(?P<name>[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)(?::(?P<config>[\w.+-]+))?$")
_HF_PREFIXED_RE = re.compile(r"^(?P<name>[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?)(?::(?P<config>[\w.+-]+))?$")
_TOKEN_RE = re.compile(r"hf_[A-Za-z0-9]{8,}")
_MAX_REASON_CHARS = 200

Document = list[str]


@dataclass
class Corpus:
    """Text to lay out on pages.

    Attributes:
        name: where the text came from (file path, folder, ``hf:owner/name:config``, bundled sample).
        license: licence of the text, e.g. "CC BY 4.0" (mOSCAR), "Apache-2.0 (synthdoc samples)",
            "unknown (local file)".
        documents: documents in source order; each is a list of cleaned, non-empty paragraphs
            (one line each, no newlines).
    """

    name: str
    license: str
    documents: list[Document] = field(default_factory=list)

    def num_paragraphs(self) -> int:
        """Total number of paragraphs over all documents."""
        return sum(len(doc) for doc in self.documents)


# --------------------------------------------------------------------------- helpers


def _one_line(text: str, limit: int = _MAX_REASON_CHARS) -> str:
    """`text` on one line, shortened to `limit` characters, with Hub tokens masked."""
    text = _TOKEN_RE.sub("hf_***", " ".join(str(text).split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _make_corpus(name: str, license: str, documents: Iterable[Document], fix: str) -> Corpus:
    """A :class:`Corpus` of the non-empty documents, paragraphs longer than
    :data:`synthdoc.text.pieces.MAX_PARAGRAPH_CHARS` cut into pieces (:func:`synthdoc.text.pieces.split_paragraph`).

    Raises:
        SynthdocError: no paragraph is left after cleaning (`fix` ends the message).
    """
    docs = [[piece for para in doc for piece in split_paragraph(para)] for doc in documents if doc]
    if not docs:
        raise SynthdocError(f"corpus {name} has no text after cleaning; {fix}")
    return Corpus(name=name, license=license, documents=docs)


def _read_bytes(path: Path) -> bytes:
    """Bytes of a corpus file.

    Raises:
        SynthdocError: the file cannot be read.
    """
    try:
        return path.read_bytes()
    except OSError as e:
        raise SynthdocError(f"cannot read corpus file '{path}': {e.strerror or e}; check the --corpus path") from None


def _check_file(path: Path) -> None:
    """Raise SynthdocError unless `path` is an existing file."""
    if not path.exists():
        raise SynthdocError(f"cannot read corpus file '{path}': No such file or directory; check the --corpus path")
    if not path.is_file():
        raise SynthdocError(f"cannot read corpus file '{path}': not a regular file; check the --corpus path")


def _read_utf8(path: Path) -> str:
    """Text of a UTF-8 corpus file (a leading BOM is dropped).

    Raises:
        SynthdocError: the file cannot be read or is not valid UTF-8.
    """
    data = _read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SynthdocError(
            f"corpus file '{path}' is not valid UTF-8 (byte {e.start}); re-encode it as UTF-8, e.g. with iconv"
        ) from None


def _field_paragraphs(value: Any, where: str) -> Document:
    """Paragraphs of one text field: a string split at newlines, or a list of strings.

    Args:
        value: the field's value; None gives no paragraphs.
        where: "file 'x', line 3" or similar, for the error message.

    Raises:
        SynthdocError: the value is neither a string nor a list of strings.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return clean_lines(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) or v is None for v in value):
        return [p for p in (clean_paragraph(v) for v in value if v is not None) if p]
    raise SynthdocError(
        f"{where}: text field is a {type(value).__name__}, expected a string or a list of strings; "
        "pick another field with the config key text_field"
    )


# --------------------------------------------------------------------------- mOSCAR


def _node_key(idx: Any) -> str:
    """Text node id without its ``txt_`` prefix: "txt_#000001" and "#000001" both give "#000001"."""
    s = str(idx)
    return s[4:] if s.startswith("txt_") else s


def _moscar_text_nodes(text: Any) -> list[tuple[str, str]]:
    """(text_idx, text) pairs of a row's ``text`` column: a list of structs or a struct of lists."""
    if isinstance(text, Mapping):  # datasets' Sequence-of-struct encoding: a dict of parallel lists
        return [(str(i), t or "") for i, t in zip(text.get("text_idx") or [], text.get("text") or [])]
    nodes = []
    for node in text or []:
        if isinstance(node, Mapping):
            nodes.append((str(node.get("text_idx", "")), node.get("text") or ""))
    return nodes


def _moscar_node_order(metadata: Any) -> list[str] | None:
    """Node ids of ``metadata.node_order`` (a struct, a list of one struct, or a struct of lists)."""
    if isinstance(metadata, (list, tuple)):
        metadata = metadata[0] if metadata else None
    if not isinstance(metadata, Mapping):
        return None
    order = metadata.get("node_order")
    if isinstance(order, (list, tuple)):
        order = order[0] if order else None
    if not isinstance(order, str) or not order.strip():
        return None
    return [n.strip() for n in order.split("|") if n.strip()]


def is_moscar_row(row: Mapping[str, Any]) -> bool:
    """True when `row` has mOSCAR's ``text`` column: text nodes that carry a ``text_idx``."""
    text = row.get("text") if isinstance(row, Mapping) else None
    if isinstance(text, Mapping):
        return "text_idx" in text
    return isinstance(text, (list, tuple)) and bool(text) and isinstance(text[0], Mapping) and "text_idx" in text[0]


def moscar_document(row: Mapping[str, Any]) -> Document:
    """Paragraphs of one mOSCAR row in page order.

    The ``txt_`` nodes are taken in ``metadata.node_order`` order (``img_`` nodes skipped); text
    nodes that node_order does not mention follow in list order. Without node_order the ``text``
    list order is used. Each node is cleaned and split at its newlines into paragraphs; empty
    paragraphs are dropped.

    Args:
        row: one row as a dict, e.g. ``{"text": [{"text": ..., "text_idx": "txt_#000000"}],
            "metadata": [{"node_order": "img_#000001|txt_#000000", "url": ...}]}``.

    Returns:
        The cleaned paragraphs (possibly empty).
    """
    nodes = _moscar_text_nodes(row.get("text"))
    by_key = {_node_key(i): t for i, t in nodes}
    order = _moscar_node_order(row.get("metadata"))
    keys: list[str] = []
    if order is not None:
        keys = [_node_key(n) for n in order if n.startswith("txt_") and _node_key(n) in by_key]
    seen = set(keys)
    keys += [k for k in (_node_key(i) for i, _ in nodes) if k not in seen and not seen.add(k)]
    return [p for k in keys for p in clean_lines(by_key[k])]


# --------------------------------------------------------------------------- rows (JSON lines, Parquet, Hub)


def _row_document(row: Mapping[str, Any], text_field: str, where: str) -> Document | None:
    """Paragraphs of one row, or None when the row lacks `text_field`."""
    if text_field == "text" and is_moscar_row(row):
        return moscar_document(row)
    if text_field not in row:
        return None
    return _field_paragraphs(row[text_field], where)


def _documents_from_rows(
    rows: Iterable[tuple[str, Mapping[str, Any]]], text_field: str, source: str, max_documents: int | None
) -> list[Document]:
    """Documents of (where, row) pairs, stopping after `max_documents` rows.

    Raises:
        SynthdocError: no row has `text_field` (the message lists the first row's keys).
    """
    docs: list[Document] = []
    first_keys: list[str] | None = None
    found = False
    for n, (where, row) in enumerate(rows):
        if max_documents is not None and n >= max_documents:
            break
        if first_keys is None:
            first_keys = sorted(map(str, row))
        doc = _row_document(row, text_field, where)
        if doc is not None:
            found = True
            docs.append(doc)
    if first_keys is not None and not found:
        raise SynthdocError(
            f"{source} has no field {text_field!r} (available: {', '.join(first_keys) or 'none'}); "
            "set the right one with the config key text_field"
        )
    return docs


def _json_rows(path: Path) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, object) per non-blank line of a JSON lines file, or per item of a JSON array.

    Raises:
        SynthdocError: a line (or the array) is not valid JSON or not an object.
    """
    text = _read_utf8(path)
    if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as e:
            raise SynthdocError(f"corpus file '{path}': invalid JSON at line {e.lineno}: {e.msg}; fix the file") from None
        lines = [(f"corpus file '{path}', item {i + 1}", item) for i, item in enumerate(items)]
    else:
        lines = _parse_json_lines(path, text)
    for where, obj in lines:
        if not isinstance(obj, Mapping):
            raise SynthdocError(f"{where} is a JSON {type(obj).__name__}, expected an object; write one object per line")
        yield where, obj


def _parse_json_lines(path: Path, text: str) -> list[tuple[str, Any]]:
    """Parsed objects of the non-blank lines, each with its "corpus file 'x', line N" label."""
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"corpus file '{path}', line {lineno}"
        try:
            out.append((where, json.loads(line)))
        except json.JSONDecodeError as e:
            raise SynthdocError(f"{where}: invalid JSON ({e.msg}); write one JSON object per line") from None
    return out


def _open_parquet(path: Path, text_field: str) -> Any:
    """The ``pyarrow.parquet.ParquetFile`` of `path`, checked to have column `text_field`.

    Raises:
        SynthdocError: the file is missing, unreadable or not Parquet, or lacks `text_field`.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    _check_file(path)
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as e:
        reason = getattr(e, "strerror", None) or _one_line(str(e))
        raise SynthdocError(f"cannot read corpus file '{path}': {reason}; check that it is a Parquet file") from None
    names = pf.schema_arrow.names
    if text_field not in names:
        raise SynthdocError(
            f"corpus file '{path}' has no column {text_field!r} (available: {', '.join(names)}); "
            "set the right one with the config key text_field"
        )
    return pf


def _is_moscar_schema(schema: Any) -> bool:
    """True when the Arrow schema's ``text`` column is a list of structs with a ``text_idx`` field."""
    import pyarrow as pa

    if "text" not in schema.names:
        return False
    t = schema.field("text").type
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)) or not pa.types.is_struct(t.value_type):
        return False
    return t.value_type.get_field_index("text_idx") >= 0


def _parquet_rows(pf: Any, path: Path, columns: list[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, row) per Parquet row, reading only `columns`, in batches.

    Raises:
        SynthdocError: a row group cannot be decoded (truncated or corrupt file).
    """
    import pyarrow as pa

    n = 0
    try:
        for batch in pf.iter_batches(columns=columns, batch_size=256):
            for row in batch.to_pylist():
                n += 1
                yield f"corpus file '{path}', row {n}", row
    except (OSError, pa.ArrowException) as e:
        raise SynthdocError(f"cannot read corpus file '{path}': {_one_line(str(e))}; the file may be truncated") from None


# --------------------------------------------------------------------------- local loaders


def load_txt(path: str | os.PathLike) -> Corpus:
    """Read a UTF-8 text file: documents separated by blank lines, each non-empty line a paragraph.

    Args:
        path: the file.

    Returns:
        The corpus, licence "unknown (local file)".

    Raises:
        SynthdocError: the file is unreadable, not UTF-8, or has no text after cleaning.
    """
    p = Path(path)
    return _make_corpus(str(p), LOCAL_LICENSE, _txt_documents(_read_utf8(p)), "add text to the file")


def _txt_documents(text: str) -> list[Document]:
    """Documents of a blank-line separated text (see :func:`load_txt`)."""
    return [[p for p in block.split("\n") if p] for block in clean_text(text).split("\n\n")]


def load_jsonl(path: str | os.PathLike, text_field: str = "text", max_documents: int | None = None) -> Corpus:
    """Read JSON lines: one object per line, one document per object.

    The field may be a string (split into paragraphs at newlines; blank lines do not matter) or a
    list of strings (each one paragraph). Rows without the field are skipped; mOSCAR-shaped rows
    (``text`` is a list of ``{text, text_idx}``) are read with :func:`moscar_document`. A ``.json``
    file whose content starts with ``[`` is read as one JSON array of objects.

    Args:
        path: the file.
        text_field: name of the text field.
        max_documents: read at most this many rows; None reads all.

    Returns:
        The corpus, licence "unknown (local file)".

    Raises:
        SynthdocError: unreadable file, invalid UTF-8, a line that is not a JSON object (the message
            gives the line number), no row with `text_field`, or no text after cleaning.
    """
    p = Path(path)
    docs = _documents_from_rows(_json_rows(p), text_field, f"corpus file '{p}'", max_documents)
    return _make_corpus(str(p), LOCAL_LICENSE, docs, f"check that field {text_field!r} holds the text")


def load_parquet(path: str | os.PathLike, text_field: str = "text", max_documents: int | None = None) -> Corpus:
    """Read a Parquet file, one document per row (same field rules as :func:`load_jsonl`).

    An mOSCAR shard (``text`` is a list of ``{text, text_idx}`` structs, with ``metadata``) is
    recognised automatically and read in page order with :func:`moscar_document`; its licence is
    recorded as "CC BY 4.0".

    Args:
        path: the file.
        text_field: name of the text column.
        max_documents: read at most this many rows; None reads all.

    Returns:
        The corpus.

    Raises:
        SynthdocError: unreadable or non-Parquet file, no `text_field` column, bad column type,
            or no text after cleaning.
    """
    p = Path(path)
    pf = _open_parquet(p, text_field)
    moscar = text_field == "text" and _is_moscar_schema(pf.schema_arrow)
    columns = [text_field] + (["metadata"] if moscar and "metadata" in pf.schema_arrow.names else [])
    docs = _documents_from_rows(_parquet_rows(pf, p, columns), text_field, f"corpus file '{p}'", max_documents)
    license = MOSCAR_LICENSE if moscar else LOCAL_LICENSE
    return _make_corpus(str(p), license, docs, f"check that column {text_field!r} holds the text")


def _file_corpus(path: Path, text_field: str) -> Corpus:
    """Corpus of one file, by extension.

    Raises:
        SynthdocError: unsupported extension, or the loader's errors.
    """
    ext = path.suffix.lower()
    if ext == ".txt":
        return load_txt(path)
    if ext in (".jsonl", ".json"):
        return load_jsonl(path, text_field)
    if ext == ".parquet":
        return load_parquet(path, text_field)
    raise SynthdocError(
        f"corpus file '{path}' has unsupported extension {ext or '(none)'!r}; use one of {', '.join(SUPPORTED_EXTENSIONS)}"
    )


def _folder_files(folder: Path) -> list[Path]:
    """Supported files under `folder`, recursively, sorted by path; hidden files and folders skipped."""
    files = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).parts
        if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS and not any(s.startswith(".") for s in rel):
            files.append(p)
    return sorted(files, key=lambda q: q.relative_to(folder).as_posix())


def load_path(path: str | os.PathLike, text_field: str = "text") -> Corpus:
    """Read a corpus file (by extension: .txt, .jsonl, .json, .parquet) or a folder of them.

    A folder gives all supported files in it, recursively, sorted by relative path, their
    documents concatenated in that order; the licence is the files' common licence, or
    "mixed (local files)" when they differ.

    Args:
        path: file or folder.
        text_field: field / column with the text (JSON lines, Parquet).

    Returns:
        The corpus.

    Raises:
        SynthdocError: missing path, unsupported extension, a folder without supported files, or
            any error of the per-format loaders.
    """
    p = Path(path).expanduser()
    if p.is_dir():
        return _folder_corpus(p, text_field)
    if not p.exists():
        raise SynthdocError(f"cannot read corpus file '{p}': No such file or directory; check the --corpus path")
    return _file_corpus(p, text_field)


def _folder_corpus(folder: Path, text_field: str) -> Corpus:
    """Concatenated corpora of the supported files under `folder`."""
    files = _folder_files(folder)
    if not files:
        raise SynthdocError(
            f"corpus folder '{folder}' has no {', '.join(SUPPORTED_EXTENSIONS)} files; check the --corpus path"
        )
    parts = [_file_corpus(f, text_field) for f in files]
    licenses = {c.license for c in parts}
    license = licenses.pop() if len(licenses) == 1 else "mixed (local files)"
    return Corpus(name=str(folder), license=license, documents=[d for c in parts for d in c.documents])


def load_bundled(code: str) -> Corpus:
    """Read the corpus shipped with synthdoc for a language: the hand-written sample
    (``synthdoc/text/samples/<code>.txt``) followed by the prose of The Debian Administrator's Handbook and of the
    LibreOffice Help in that language where they have it (``samples/handbook/<code>.txt``,
    ``samples/lohelp/<code>.txt``, see :func:`extra_documents`).

    Args:
        code: canonical language code, e.g. "jpn_Jpan".

    Returns:
        The corpus; licence "Apache-2.0 (synthdoc samples)", plus the handbook's CC BY-SA 3.0 and the Help's
        MPL-2.0 where they have text for `code` (" + " between them).

    Raises:
        SynthdocError: there is no sample for `code`, or it is unreadable / empty.
    """
    p = samples_dir() / f"{code}.txt"
    if not p.is_file():
        have = sorted(f.stem for f in samples_dir().glob("*.txt")) if samples_dir().is_dir() else []
        raise SynthdocError(
            f"there is no bundled sample corpus for {code!r} (bundled: {', '.join(have) or 'none'}); "
            f"pass --corpus {code}=PATH (a .txt/.jsonl/.parquet file, a folder, or a Hugging Face dataset)"
        )
    documents, licenses = load_txt(p).documents, [BUNDLED_LICENSE]
    for folder, license in BUNDLED_EXTRAS:
        extra = extra_documents(code, folder)
        if extra:
            documents, licenses = documents + extra, licenses + [license]
    return Corpus(name=f"synthdoc bundled sample {code}", license=" + ".join(licenses), documents=documents)


def extra_documents(code: str, folder: str = HANDBOOK_DIR) -> list[Document]:
    """Documents of a bundled extra corpus of `code` (title line, then its paragraphs): The Debian
    Administrator's Handbook (`folder` :data:`HANDBOOK_DIR`) or the LibreOffice Help (:data:`LOHELP_DIR`); [] when
    it has no text in that language.

    The files are written by ``scripts/build_handbook_corpus.py`` / ``build_lohelp_corpus.py`` with every line
    already cleaned (:func:`synthdoc.text.clean.clean_paragraph`, a fixed point: tests/test_sources_handbook.py
    checks it) and no paragraph longer than :data:`synthdoc.text.pieces.MAX_PARAGRAPH_CHARS`, so they are split
    without cleaning again: reading the largest (English, ~0.9 MB) costs a few milliseconds instead of ~80.

    Raises:
        SynthdocError: the file is unreadable or not UTF-8.
    """
    p = samples_dir() / folder / f"{code}.txt"
    if not p.is_file():
        return []
    return [doc for doc in ([q for q in block.split("\n") if q] for block in _read_utf8(p).split("\n\n")) if doc]


# --------------------------------------------------------------------------- Hugging Face


def _default_load_dataset() -> Callable[..., Iterable[Mapping[str, Any]]]:
    """``datasets.load_dataset``, imported on first use."""
    from datasets import load_dataset

    return load_dataset


def _hf_error(name: str, config: str | None, split: str, err: BaseException, token: str | None) -> SynthdocError:
    """One-line error for a failed Hub load; never contains `token`."""
    reason = f"{type(err).__name__}: {err}"
    if token:
        reason = reason.replace(token, "***")
    cfg = f", config {config!r}" if config else ""
    return SynthdocError(
        f"cannot load Hugging Face dataset {name!r}{cfg}, split {split!r} ({_one_line(reason)}); "
        "check the name and network, for gated datasets accept the terms and run `huggingface-cli login` "
        "or set HF_TOKEN, or pass a local file/folder to --corpus"
    )


def _hf_rows(dataset: Iterable[Mapping[str, Any]], name: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, row) per dataset row."""
    for i, row in enumerate(dataset):
        yield f"Hugging Face dataset {name!r}, row {i + 1}", row


@dataclass(frozen=True)
class HubOptions:
    """How rows are taken from a Hugging Face dataset stream.

    Attributes:
        skip: rows skipped at the start of the stream (e.g. to hold out the first rows, or to take another slice
            than an earlier run); 0 skips none.
        shuffle_buffer: rows in the seeded shuffle buffer (``IterableDataset.shuffle(seed, buffer_size)``: shard
            order and rows within the buffer are shuffled); 0 keeps stream order.
        seed: seed of the shuffle.
        quality: paragraph filters (:class:`synthdoc.text.quality.QualityFilter`), applied after reading.
    """

    skip: int = 0
    shuffle_buffer: int = 0
    seed: int = 0
    quality: QualityFilter = field(default_factory=QualityFilter)


def load_hf(
    name: str,
    config: str | None,
    split: str = "train",
    text_field: str = "text",
    max_documents: int = 2000,
    token: str | None = None,
    load_dataset: Callable[..., Iterable[Mapping[str, Any]]] | None = None,
    options: HubOptions | None = None,
) -> Corpus:
    """Stream rows of a Hugging Face dataset (e.g. mOSCAR) into a corpus.

    Calls ``load_dataset(name, config, split=split, streaming=True, token=token)``, skips ``options.skip`` rows,
    shuffles through a seeded buffer of ``options.shuffle_buffer`` rows (when > 0), and reads the next
    `max_documents` rows; then drops the paragraphs ``options.quality`` rejects. mOSCAR (by name,
    case-insensitive, or by row shape) is read in page order with :func:`moscar_document`; other datasets through
    `text_field` (a string split at newlines, or a list of strings).

    Args:
        name: dataset repository id, "owner/name" (or a builder such as "parquet" with ``data_files`` bound in
            `load_dataset`).
        config: dataset config (for mOSCAR a language code such as "jpn_Jpan"), or None.
        split: split name.
        text_field: column with the text (ignored for mOSCAR rows).
        max_documents: number of rows to read.
        token: Hub token for gated / private datasets; None uses the login / HF_TOKEN. Never echoed.
        load_dataset: replacement for ``datasets.load_dataset`` (tests, local files); None imports datasets.
        options: skip, shuffle and quality filters; None: none of them.

    Returns:
        The corpus named ``hf:<name>[:<config>]``; licence "CC BY 4.0" for mOSCAR, else a pointer to
        the dataset card.

    Raises:
        SynthdocError: the dataset cannot be loaded or streamed (not found, gated, offline), has no
            `text_field`, or gives no text after cleaning and filtering.
    """
    if max_documents < 1:
        raise SynthdocError(f"max_documents must be >= 1, got {max_documents}")
    opts = options or HubOptions()
    if opts.skip < 0 or opts.shuffle_buffer < 0:
        raise SynthdocError(f"corpus_skip and corpus_shuffle must be >= 0, got {opts.skip} and {opts.shuffle_buffer}")
    load = load_dataset or _default_load_dataset()
    label = f"hf:{name}" + (f":{config}" if config else "")
    is_moscar = name.lower() == MOSCAR_NAME.lower()
    docs = _hf_documents(load, name, config, split, text_field if not is_moscar else "text", max_documents, token,
                         opts)
    docs, _ = filter_documents(docs, opts.quality)
    license = MOSCAR_LICENSE if is_moscar else f"see the dataset card at https://huggingface.co/datasets/{name}"
    return _make_corpus(label, license, docs, "try another config, split or text_field (config key), or a milder "
                        "corpus_filter")


def _stream(dataset: Any, opts: HubOptions) -> Iterable[Mapping[str, Any]]:
    """`dataset` with ``opts.skip`` rows skipped and shuffled through ``opts.shuffle_buffer`` rows: the dataset's
    own ``skip`` / ``shuffle`` (``datasets.IterableDataset``), else the same on a plain iterable (islice, and a
    seeded buffer: each row goes into a full buffer at a uniformly drawn slot whose row is yielded)."""
    if opts.skip:
        dataset = dataset.skip(opts.skip) if hasattr(dataset, "skip") else itertools.islice(dataset, opts.skip, None)
    if opts.shuffle_buffer:
        if hasattr(dataset, "shuffle"):
            return dataset.shuffle(seed=opts.seed, buffer_size=opts.shuffle_buffer)
        return _buffer_shuffle(dataset, opts.shuffle_buffer, opts.seed)
    return dataset


def _buffer_shuffle(rows: Iterable[Any], size: int, seed: int) -> Iterator[Any]:
    """Rows of `rows` shuffled through a buffer of `size` rows (the ``datasets`` buffer-shuffle scheme)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    buf: list[Any] = []
    for row in rows:
        if len(buf) < size:
            buf.append(row)
            continue
        i = int(rng.integers(size))
        yield buf[i]
        buf[i] = row
    for i in rng.permutation(len(buf)):
        yield buf[int(i)]


def _hf_documents(
    load: Callable[..., Iterable[Mapping[str, Any]]],
    name: str,
    config: str | None,
    split: str,
    text_field: str,
    max_documents: int,
    token: str | None,
    opts: HubOptions,
) -> list[Document]:
    """Documents of the first `max_documents` rows after skip and shuffle; load and stream errors become
    SynthdocError."""
    try:
        dataset = _stream(load(name, config, split=split, streaming=True, token=token), opts)
        return _documents_from_rows(_hf_rows(dataset, name), text_field, f"Hugging Face dataset {name!r}", max_documents)
    except SynthdocError:
        raise
    except Exception as e:  # network, gated, not found, bad config: all become one line
        raise _hf_error(name, config, split, e, token) from None


# --------------------------------------------------------------------------- --corpus values


def _parse_hf_spec(spec: str) -> tuple[str, str | None] | None:
    """(name, config) of "hf:name[:config]" or "owner/name[:config]"; None if `spec` is neither."""
    if spec.startswith("hf:"):
        m = _HF_PREFIXED_RE.match(spec[3:])
    else:
        m = _HF_NAME_RE.match(spec)
        if m and Path(m.group("name")).suffix.lower() in SUPPORTED_EXTENSIONS:
            return None  # looks like a missing relative file path, e.g. "corpora/eng.txt"
    return (m.group("name"), m.group("config")) if m else None


def resolve_corpus(spec: str, lang_code: str, text_field: str = "text", max_documents: int = 2000,
                   options: HubOptions | None = None) -> Corpus:
    """The corpus for a ``--corpus`` value (the part after ``LANG=``).

    An existing file or folder is read with :func:`load_path`. Otherwise ``hf:name[:config]`` or
    ``owner/name[:config]`` is streamed with :func:`load_hf`; the config defaults to `lang_code`
    for mOSCAR and to None for other datasets.

    Args:
        spec: path, or Hugging Face dataset name.
        lang_code: canonical language code the corpus is for, e.g. "eng_Latn".
        text_field: field / column with the text.
        max_documents: rows to read from a Hugging Face dataset (local files are read whole).
        options: skip, shuffle and quality filters of a Hugging Face dataset (:class:`HubOptions`).

    Returns:
        The corpus.

    Raises:
        SynthdocError: `spec` is neither an existing path nor a dataset name, or the loader fails.
    """
    spec = spec.strip()
    if spec and Path(spec).expanduser().exists():
        return load_path(spec, text_field)
    parsed = _parse_hf_spec(spec) if spec else None
    if parsed is None:
        if Path(spec).suffix.lower() in SUPPORTED_EXTENSIONS:
            raise SynthdocError(f"cannot read corpus file '{spec}': No such file or directory; check the --corpus path")
        raise SynthdocError(
            f"corpus {spec!r} is neither an existing file/folder nor a Hugging Face dataset name (owner/name); "
            "check the --corpus value"
        )
    name, config = parsed
    if config is None and name.lower() == MOSCAR_NAME.lower():
        config = lang_code
    return load_hf(name, config, text_field=text_field, max_documents=max_documents, options=options)
