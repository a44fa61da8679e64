"""Line orientations an OCR engine declares it reads (a leaf module: engines and ``auto`` routing import it)."""
from __future__ import annotations

HORIZONTAL, VERTICAL = "horizontal", "vertical"


def orientation(vertical: bool) -> str:
    """"vertical" for a top-to-bottom column (line direction ``ttb``), else "horizontal"."""
    return VERTICAL if vertical else HORIZONTAL
