"""Reference OCR engines, NED (normalised edit distance) metrics and line crops used to validate datasets.

Modules: ``metrics`` (NED, CER, normalisation), ``crops`` (perspective-rectified line crops), ``engine`` (the
recogniser protocol, ``auto`` routing), ``onnx`` (bundled PP-OCRv6 models, onnxruntime sessions), ``ppocr``
(PP-OCRv6 recogniser), ``tesseract`` (Tesseract 5), ``nemotron`` (Nemotron OCR v2 adapter), ``detect``
(PP-OCRv6 detector, IoU matching), ``pages`` (reading a dataset folder), ``report`` (aggregation, Markdown),
``validate`` (``synthdoc validate``), ``filter`` (keep-lists, filtered copies).
"""
