"""Reference OCR engines, NED (normalised edit distance) metrics and line crops used to validate datasets."""
