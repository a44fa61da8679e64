"""The package version, in one place: ``synthdoc.__version__`` and pyproject's ``[tool.hatch.version]`` read it."""

__version__ = "0.1.0"
