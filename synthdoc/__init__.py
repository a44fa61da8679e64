"""synthdoc: synthetic document pages with exact word / line / paragraph labels for OCR training.

Public API:
    generate_samples(config, seed) -> iterator of :class:`synthdoc.pipeline.Sample`
    write_dataset(config, out_dir, pages, seed, workers) -> :class:`synthdoc.writers.parquet.WriteSummary`
    stream(config, seed) -> endless iterator of dataset rows (see :mod:`synthdoc.streaming`)
    GenerateConfig, load_config
"""
from synthdoc._version import __version__
from synthdoc.errors import SynthdocError

__all__ = ["SynthdocError", "__version__", "GenerateConfig", "load_config", "generate_samples", "write_dataset",
           "stream"]


def __getattr__(name: str):  # lazy imports keep `import synthdoc` cheap
    if name in ("GenerateConfig", "load_config"):
        from synthdoc import config

        return getattr(config, name)
    if name in ("generate_samples", "write_dataset"):
        from synthdoc import api

        return getattr(api, name)
    if name == "stream":
        from synthdoc.streaming import stream

        return stream
    raise AttributeError(name)
