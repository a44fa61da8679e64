"""Unicode Vertical_Orientation (UAX #50) for vertical (ttb) text.

U (upright) and Tu / Tr (transformed: the font's vert/vrt2 forms) are shaped with direction "ttb";
R (rotated) characters — Latin letters, digits — are shaped horizontally and turned 90° clockwise, except
short numbers set tate-chu-yoko (縦中横: "horizontal in vertical"): a sideways run of at most two ASCII digits
("4月", "12日") is drawn upright, horizontally, inside one em of the column (JIS X 4051 §3.1.8; W3C JLREQ
§3.1.9).
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


def vertical_runs(text: str, tcy_max_digits: int = 0) -> list[tuple[int, int, str]]:
    """Split `text` into runs drawn "upright", "sideways" or "tcy" (tate-chu-yoko) in a vertical column.

    A sideways run (see :func:`orientation_runs`) made only of 1..`tcy_max_digits` ASCII digits becomes "tcy";
    longer numbers ("2024") and digits next to other sideways characters ("50%", "1,240", "A4") stay sideways.

    Args:
        text: the column's text (logical order).
        tcy_max_digits: longest number set tate-chu-yoko; 0 disables it.

    Returns:
        list of (start, end, kind) code-point ranges covering `text` in order.
    """
    out = []
    for a, b, upright in orientation_runs(text):
        if upright:
            out.append((a, b, "upright"))
        elif b - a <= tcy_max_digits and all("0" <= ch <= "9" for ch in text[a:b]):
            out.append((a, b, "tcy"))
        else:
            out.append((a, b, "sideways"))
    return out
