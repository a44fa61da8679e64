"""Unicode Vertical_Orientation (UAX #50) for vertical (ttb) text.

U (upright) and Tu / Tr (transformed: the font's vert/vrt2 forms) are shaped with direction "ttb";
R (rotated) characters — Latin letters, digits — are shaped horizontally and turned 90° clockwise.
"""
from __future__ import annotations

from bisect import bisect_right

from synthdoc.render._vo_data import ENDS, STARTS, VALUES


def vertical_orientation(ch: str) -> str:
    """Vertical_Orientation of one character: "U", "R", "Tu" or "Tr" (UAX #50; default R)."""
    cp = ord(ch)
    i = bisect_right(STARTS, cp) - 1
    if i >= 0 and cp <= ENDS[i]:
        return VALUES[i]
    return "R"


def is_upright(ch: str) -> bool:
    """True when `ch` is set upright in vertical text (U, Tu, Tr)."""
    return vertical_orientation(ch) != "R"


def orientation_runs(text: str) -> list[tuple[int, int, bool]]:
    """Split `text` into maximal runs of upright / sideways characters.

    Returns:
        list of (start, end, upright) code-point ranges covering `text` in order.
    """
    runs: list[tuple[int, int, bool]] = []
    for i, ch in enumerate(text):
        up = is_upright(ch)
        if runs and runs[-1][2] == up:
            runs[-1] = (runs[-1][0], i + 1, up)
        else:
            runs.append((i, i + 1, up))
    return runs
