"""Reference OCR engines, NED (normalised edit distance) metrics and validation of datasets.

Modules: ``metrics`` (NED, CER, normalisation), ``orientation`` (the line orientations engines declare),
``engine`` (the recogniser protocol, the engine registry, ``auto`` routing), ``onnx`` (bundled PP-OCRv6 models,
onnxruntime sessions), ``ppocr`` (PP-OCRv6 recogniser), ``tesseract`` (Tesseract 5), ``nemotron`` (Nemotron OCR v2
adapter), ``detect`` (PP-OCRv6 detector, IoU matching), ``pages`` (reading a dataset folder), ``report``
(aggregation, Markdown), ``validate`` (``synthdoc validate``), ``filter`` (keep-lists). Line crops come from
:func:`synthdoc.geometry.crop_line`; filtered copies are written by :mod:`synthdoc.writers.filtered`.
"""
