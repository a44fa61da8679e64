"""One column flow: rows of text placed into column boxes, top to bottom, then the next column (multi_column,
document; any mode with flowing text)."""
from __future__ import annotations

from synthdoc.doc import GlyphRun, Paragraph
from synthdoc.layout.place import Row, place_parts
from synthdoc.layout.typeset import SetLine, TextStyle
from synthdoc.types import union_quad


class Flow:
    """Places rows (lines made of parts, see :data:`synthdoc.layout.place.Row`) into column boxes.

    Attributes:
        columns: (left, right) x of each column in the logical frame, page pixels.
        y0, y1: top and bottom of every column, page pixels.
        col: index of the current column (== len(columns) when the flow is full).
        y: top of the free space in the current column, page pixels.
        paragraphs, runs: what was placed, in reading order.
    """

    def __init__(self, columns: list[tuple[float, float]], y0: float, y1: float, separator: str,
                 mirror_px: float | None = None):
        self.columns, self.y0, self.y1, self.sep = columns, y0, y1, separator
        self.mirror_px = mirror_px
        self.col = 0
        self.y = y0
        self.paragraphs: list[Paragraph] = []
        self.runs: list[GlyphRun] = []

    @property
    def done(self) -> bool:
        return self.col >= len(self.columns)

    @property
    def width(self) -> float:
        """Width of the current column (of the last one when the flow is full), px."""
        a, b = self.columns[min(self.col, len(self.columns) - 1)]
        return b - a

    def next_column(self) -> None:
        self.col += 1
        self.y = self.y0

    def room(self, style: TextStyle, pitch: float, n_lines: int) -> bool:
        """True when `n_lines` lines of `style` at `pitch` fit below the current position."""
        return self.y + style.band_px + (n_lines - 1) * pitch <= self.y1

    def place(self, rows: list[Row], style: TextStyle, pitch: float, role: str, level: int = 0) -> list[Row]:
        """Place as many `rows` as fit in the current column as one paragraph; return the rest."""
        placed = []
        left = self.columns[self.col][0]
        while rows and self.room(style, pitch, len(placed) + 1):
            baseline = self.y + style.ascent_px + len(placed) * pitch
            line, runs = place_parts([(sl, left + dx) for sl, dx in rows[0]], baseline, self.sep, self.mirror_px)
            placed.append(line)
            self.runs.extend(runs)
            rows = rows[1:]
        if placed:
            self.paragraphs.append(Paragraph(placed, union_quad([ln.quad for ln in placed]), role=role, level=level))
            self.y += style.band_px + (len(placed) - 1) * pitch
        return rows

    def place_lines(self, lines: list[SetLine], style: TextStyle, pitch: float, role: str,
                    level: int = 0) -> list[SetLine]:
        """:meth:`place` for plain lines (one part each, at the column's left edge); return the lines left."""
        rest = self.place([[(ln, 0.0)] for ln in lines], style, pitch, role, level)
        return [row[0][0] for row in rest]
