"""Content stream → shapes: filled rectangles (box and table shading) and horizontal rules.

Text alone cannot tell a fact box from the paragraph around it, a table's rows from each other, or
the footnote area from the body: the publisher draws them. We keep only what those stages need:
axis-aligned rectangles that are painted (filled or stroked) and horizontal lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Matrix = list[float]


@dataclass(frozen=True, slots=True)
class Shape:
    """A painted rectangle or a horizontal rule, in page coordinates (points)."""

    x0: float
    y0: float
    x1: float
    y1: float
    filled: bool  # a filled area (shading); False: a stroked outline or a rule

    @property
    def rule(self) -> bool:
        """A horizontal line (or a hairline rectangle): thin and much wider than high."""
        return self.y1 - self.y0 <= 2.0 and self.x1 - self.x0 >= 8.0

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def holds(self, x: float, y: float, slack: float = 1.0) -> bool:
        return self.x0 - slack <= x <= self.x1 + slack and self.y0 - slack <= y <= self.y1 + slack


_PAINT_FILL = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_PAINT_STROKE = {b"S", b"s"}
MAX_SHAPES_PER_PAGE = 5_000  # a map or chart draws thousands of paths; we need the few big ones


class ShapeRecorder:
    """Collects the current path from ``re``/``m``/``l`` and records it when it is painted."""

    def __init__(self) -> None:
        self.shapes: list[Shape] = []
        self._rects: list[tuple[float, float, float, float]] = []
        self._segments: list[tuple[float, float, float, float]] = []
        self._at: tuple[float, float] | None = None

    def reset(self) -> None:
        self.shapes = []
        self._clear()

    def _clear(self) -> None:
        self._rects, self._segments, self._at = [], [], None

    def feed(self, operator: bytes, operands: list[Any], ctm: Matrix, white_fill: bool) -> None:
        """One path operator; ``white_fill``: the fill colour is white (page background, not shading)."""
        try:
            if operator == b"re" and len(operands) >= 4:
                x, y, w, h = (float(v) for v in operands[:4])
                (ax, ay), (bx, by) = _apply(ctm, x, y), _apply(ctm, x + w, y + h)
                self._rects.append((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
            elif operator == b"m" and len(operands) >= 2:
                self._at = _apply(ctm, float(operands[0]), float(operands[1]))
            elif operator == b"l" and len(operands) >= 2:
                end = _apply(ctm, float(operands[0]), float(operands[1]))
                if self._at is not None:
                    self._segments.append((*self._at, *end))
                self._at = end
            elif operator in _PAINT_FILL or operator in _PAINT_STROKE:
                self._paint(filled=operator in _PAINT_FILL, white=white_fill)
            elif operator == b"n":
                self._clear()  # a clipping path, not drawn
        except (TypeError, ValueError):
            self._clear()

    def _paint(self, *, filled: bool, white: bool) -> None:
        if len(self.shapes) < MAX_SHAPES_PER_PAGE:
            if not (filled and white):
                self.shapes += [Shape(*r, filled=filled) for r in self._rects]
            for x0, y0, x1, y1 in self._segments:
                if abs(y1 - y0) <= 0.5 and abs(x1 - x0) >= 8.0:
                    self.shapes.append(Shape(min(x0, x1), y0, max(x0, x1), y0, filled=False))
        self._clear()


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def is_white(operator: bytes, operands: list[Any]) -> bool | None:
    """Whether a fill-colour operator sets white; None when ``operator`` sets no fill colour."""
    try:
        values = [float(v) for v in operands if isinstance(v, (int, float))]
    except (TypeError, ValueError):
        return None
    if operator in (b"rg", b"g", b"sc", b"scn") and values:
        return all(v >= 0.99 for v in values) if len(values) != 4 else all(v <= 0.01 for v in values)
    if operator == b"k" and values:
        return all(v <= 0.01 for v in values)
    return None
