"""Corpus text: sources (bundled samples, local files, Hugging Face datasets such as mOSCAR),
cleaning, and sampling of paragraphs and titles for pages."""
from synthdoc.text.clean import clean_lines, clean_paragraph, clean_text, strip_punctuation
from synthdoc.text.sampler import TextSampler
from synthdoc.text.sources import (
    SUPPORTED_EXTENSIONS,
    Corpus,
    is_moscar_row,
    load_bundled,
    load_hf,
    load_jsonl,
    load_parquet,
    load_path,
    load_txt,
    moscar_document,
    resolve_corpus,
)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Corpus",
    "TextSampler",
    "clean_lines",
    "clean_paragraph",
    "clean_text",
    "strip_punctuation",
    "is_moscar_row",
    "load_bundled",
    "load_hf",
    "load_jsonl",
    "load_parquet",
    "load_path",
    "load_txt",
    "moscar_document",
    "resolve_corpus",
]
