"""Variable fonts: fvar axes and named instances (read at index time), axis-coordinate draws, and applying
coordinates identically to HarfBuzz (``Font.set_variations``: advances and shaping) and FreeType
(``set_var_design_coords``: outlines).

Coordinates are design-space values in axis units (wght 100-900, wdth percent, opsz points, slnt degrees).
"""
from __future__ import annotations

import numpy as np

# axis tag -> (low, high, step) of the range drawn for body text, clipped to the font's own range
BODY_AXIS_RANGES: dict[str, tuple[float, float, float]] = {
    "wght": (300.0, 650.0, 50.0),
    "wdth": (85.0, 110.0, 5.0),
    "opsz": (9.0, 14.0, 1.0),  # optical size matched to body sizes (about 9-14 pt)
}
UPRIGHT_AXES = ("slnt", "ital")  # held at 0 for upright body text
P_DRAW = 0.5  # share of variable picks whose coordinates are drawn (else the named instance as is)


def read_fvar(font) -> tuple[list[list], list[list]]:
    """Axes and named instances of a fontTools ``TTFont``.

    Returns:
        (axes, instances): axes = [[tag, min, default, max], ...] in fvar order; instances =
        [[subfamily name, {tag: value}], ...]. Both empty for a static font.
    """
    if "fvar" not in font:
        return [], []
    fvar = font["fvar"]
    axes = [[a.axisTag, float(a.minValue), float(a.defaultValue), float(a.maxValue)] for a in fvar.axes]
    name = font["name"]
    instances = []
    for inst in fvar.instances:
        label = name.getDebugName(inst.subfamilyNameID) or "Instance"
        instances.append([label, {t: float(v) for t, v in inst.coordinates.items()}])
    return axes, instances


def coords_label(coords: tuple[tuple[str, float], ...]) -> str:
    """"wght=450,wdth=90" for coordinates ((tag, value), ...)."""
    return ",".join(f"{t}={v:g}" for t, v in coords)


def parse_coords_label(label: str) -> tuple[tuple[str, float], ...]:
    """The coordinates of a :func:`coords_label` string ("wght=450,wdth=90" -> (("wght", 450.0), ("wdth", 90.0))).

    Raises:
        ValueError: not a label of that form.
    """
    out = []
    for part in label.split(","):
        tag, sep, value = part.partition("=")
        if not sep or not tag:
            raise ValueError(f"not an axis coordinate label: {label!r}")
        out.append((tag, float(value)))
    return tuple(out)


def draw_coords(rng: np.random.Generator, axes: tuple[tuple[str, float, float, float], ...],
                base: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    """Axis coordinates for upright body text: wght, wdth and opsz drawn on a grid within
    :data:`BODY_AXIS_RANGES` clipped to the font's range, slnt/ital at 0, other axes as in `base`.

    Args:
        rng: the page's generator (one draw per axis in :data:`BODY_AXIS_RANGES` the font has).
        axes: ((tag, min, default, max), ...) of the face.
        base: the named instance's coordinates ((tag, value), ...).

    Returns:
        ((tag, value), ...) for every axis, in fvar order.
    """
    out = dict(base)
    for tag, lo, default, hi in axes:
        if tag in BODY_AXIS_RANGES:
            a, b, step = BODY_AXIS_RANGES[tag]
            a, b = max(a, lo), min(b, hi)
            if a > b:
                out[tag] = out.get(tag, default)
                continue
            n = int((b - a) // step)
            out[tag] = float(a + step * int(rng.integers(n + 1)))
        elif tag in UPRIGHT_AXES:
            out[tag] = float(min(max(0.0, lo), hi))
        else:
            out.setdefault(tag, default)
    return tuple((t, out[t]) for t, *_ in axes)


def apply_coords(hb_font, ft_face, axes, coords) -> None:
    """Set `coords` ((tag, value), ...) on a uharfbuzz Font and a freetype-py Face (same design coordinates,
    so shaping advances and rasterised outlines agree); axes not in `coords` take their default."""
    if not coords:
        return
    values = dict(coords)
    hb_font.set_variations(values)
    ft_face.set_var_design_coords([values.get(tag, default) for tag, _, default, _ in axes])
