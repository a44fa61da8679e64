"""Font discovery, cmap coverage and face loading (see :mod:`synthdoc.fonts.catalogue`)."""
from synthdoc.fonts.catalogue import FaceInfo, FontCatalogue, font_dirs_from_env

__all__ = ["FaceInfo", "FontCatalogue", "font_dirs_from_env"]
