"""Ruled tables: read cell by cell, row by row, each row one line "Header: cell – Header: cell".

Lines are built from baselines, so the cells of a row whose text wraps would be read across the row
("24 timer Vurdering af, om der er behov for akutte foranstalt§ 155 ninger"). A table is found from
what the layouter draws: horizontal rules of one width stacked below each other, often under a
shaded header row. Its spans are taken out of line building: the bands between rules are rows,
the x positions where text starts in most rows are the columns, and each cell's lines are joined
on their own. Word draws a grid's borders piece by piece (one hairline per cell edge, a small square
at each crossing): the pieces of one border are joined into one rule first, and where the same
vertical borders cross every row they are the columns (centred cell text has no common start); a
row they do not all cross (a title over the whole table) leaves the columns to the text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest import clean
from ingest.extract.lines import build_lines
from ingest.extract.records import Line, Span
from ingest.extract.shapes import Shape

MAX_ROW_HEIGHT = 120.0  # points; a "row" taller than this is page text between two unrelated rules
CELL_GAP = 0.6  # a gap of this many font sizes before a run starts a cell (a word gap is ~0.3)
SEPARATOR = " – "


@dataclass
class Table:
    x0: float
    x1: float
    edges: list[float]  # row boundaries, top to bottom
    header_band: bool  # the first band sits on shading: a header row
    walls: list[Shape] = field(default_factory=list)  # vertical borders inside the table

    def holds(self, span: Span) -> bool:
        return self.x0 - 2 <= span.x0 <= self.x1 and self.edges[-1] < span.y < self.edges[0]


def find_tables(shapes: Sequence[Shape]) -> list[Table]:
    """Stacks of at least two rules of the same width (with the shading of a header row above)."""
    rules = sorted(_joined_rules([s for s in shapes if s.rule]), key=lambda s: -s.y0)
    fills = [s for s in shapes if s.filled and not s.rule]
    upright = [s for s in shapes if _upright(s)]
    groups: list[list[Shape]] = []
    for rule in rules:
        for group in groups:
            if abs(group[0].x0 - rule.x0) <= 1.5 and abs(group[0].x1 - rule.x1) <= 1.5:
                group.append(rule)
                break
        else:
            groups.append([rule])
    tables: list[Table] = []
    for group in groups:
        x0, x1 = group[0].x0, group[0].x1
        borders = [s for s in upright if x0 - 3.0 <= s.x0 <= x1 + 3.0]
        for run in _runs([r.y0 for r in group], borders):
            if len(run) < 2:
                continue
            # Shading of the table's width above one of the rules is the header row: the table starts
            # at its top, and rules above it (a running header's rule) are not the table's.
            head = [
                f
                for f in fills
                if abs(f.x0 - x0) <= 1.5 and abs(f.x1 - x1) <= 1.5 and any(0 <= f.y1 - y <= MAX_ROW_HEIGHT for y in run)
            ]
            top = max((f.y1 for f in head), default=math.inf)
            edges = ([top] if head else []) + [y for y in run if y < top - 1.0]
            if len(edges) >= 3 or (head and len(edges) >= 2):
                tables.append(Table(x0, x1, edges, header_band=bool(head), walls=_walls(shapes, x0, x1, edges)))
    return tables


SEGMENT_GAP = 1.5  # points between two pieces of one border (the crossing's square sits in between)


def _joined_rules(rules: list[Shape]) -> list[Shape]:
    """Pieces of one horizontal border, end to end (or drawn twice, once per row) on one height, as one rule."""
    heights: list[list[Shape]] = []
    for rule in sorted(rules, key=lambda s: s.y0):
        if heights and rule.y0 - heights[-1][0].y0 <= 0.5:
            heights[-1].append(rule)
        else:
            heights.append([rule])
    out: list[Shape] = []
    for pieces in heights:
        pieces.sort(key=lambda s: s.x0)
        joined = [pieces[0]]
        for rule in pieces[1:]:
            last = joined[-1]
            if rule.x0 - last.x1 <= SEGMENT_GAP:
                joined[-1] = Shape(last.x0, last.y0, max(last.x1, rule.x1), max(last.y1, rule.y1), last.filled)
            else:
                joined.append(rule)
        out += joined
    return out


def _walls(shapes: Sequence[Shape], x0: float, x1: float, edges: list[float]) -> list[Shape]:
    """The thin vertical borders inside the table (not its outer frame)."""
    top, bottom = edges[0], edges[-1]
    return [
        s
        for s in shapes
        if _upright(s) and x0 + 3.0 < s.x0 < x1 - 3.0 and s.y1 > bottom and s.y0 < top
    ]


def _wall_columns(walls: list[Shape], bands: list[tuple[float, float]]) -> list[float]:
    """x of the vertical borders that cross every one of the bands (top, bottom); [] unless each band
    is crossed by the same ones."""
    seen: list[list[float]] = []
    for top, bottom in bands:
        xs: list[float] = []
        for w in sorted(walls, key=lambda w: w.x0):
            if _runs_through(w, top, bottom) and not (xs and w.x0 - xs[-1] <= 1.0):
                xs.append(w.x0)
        seen.append(xs)
    first = seen[0] if seen else []
    same = all(len(xs) == len(first) and all(abs(a - b) <= 1.0 for a, b in zip(xs, first, strict=True)) for xs in seen)
    return first if same else []


def _runs(ys: list[float], borders: list[Shape]) -> list[list[float]]:
    """Rule heights (top to bottom) split where two rules are too far apart to bound one row, unless
    a vertical border runs from one to the other: then the tall band is a row of the grid."""
    runs: list[list[float]] = []
    for y in ys:
        if (
            runs
            and runs[-1][-1] - y > 1.0
            and (runs[-1][-1] - y <= MAX_ROW_HEIGHT or _bridged(runs[-1][-1], y, borders))
        ):
            runs[-1].append(y)
        elif not runs or runs[-1][-1] - y > 1.0:
            runs.append([y])
    return runs


def _bridged(top: float, bottom: float, borders: list[Shape]) -> bool:
    return any(_runs_through(b, top, bottom) for b in borders)


def _upright(shape: Shape) -> bool:
    """A vertical border: a hairline at least a few points tall."""
    return shape.width <= 2.0 and shape.height >= 4.0


def _runs_through(border: Shape, top: float, bottom: float) -> bool:
    """Whether a vertical border runs from the band's top to its bottom (within drawing slack)."""
    return border.y0 <= bottom + 2.0 and border.y1 >= top - 2.0


def take_tables(spans: Sequence[Span], shapes: Sequence[Shape]) -> tuple[list[Span], list[Line], list[Table]]:
    """The spans outside tables, one line per table row (``role="row"``), and the tables read.

    Only the spans of the bands read as rows leave the text: a band that is not a row (a section
    between two tables whose rules look like one stack) stays page text, and the bands below it
    are tried again as a table of their own.
    """
    rest = list(spans)
    rows: list[Line] = []
    tables: list[Table] = []
    todo = find_tables(shapes)
    while todo:
        table = todo.pop(0)
        inside = [s for s in rest if table.holds(s)]
        if not inside:
            continue
        # A line that starts left of the table and runs into it (a title over a cell of it) is text.
        entering = [
            s for s in rest if s.x0 < table.x0 - 2 < s.x1 + 0.6 * s.size and table.edges[-1] < s.y < table.edges[0]
        ]
        read = _read(table, inside, entering)
        if read is None:
            continue
        lines, used, below = read
        rows += lines
        tables.append(table)
        taken = {id(s) for s in used}
        rest = [s for s in rest if id(s) not in taken]
        if below is not None:
            todo.insert(0, below)
    return rest, rows, tables


def _read(
    table: Table,
    spans: list[Span],
    entering: Sequence[Span] = (),
) -> tuple[list[Line], list[Span], Table | None] | None:
    """The rows read, the spans they hold, and the stack of rules below them when bands at the
    bottom were not rows (None when the whole stack was read or there was nothing after it)."""
    bands: list[list[Span]] = [[] for _ in table.edges[1:]]
    for span in spans:
        for n, (top, bottom) in enumerate(zip(table.edges, table.edges[1:], strict=False)):
            if bottom < span.y < top:
                bands[n].append(span)
                break
    # A band that text from outside runs into is crossed at the table's left edge.
    entered = {
        n
        for n, (top, bottom) in enumerate(zip(table.edges, table.edges[1:], strict=False))
        if any(bottom < s.y < top for s in entering)
    }
    filled = [n for n, b in enumerate(bands) if b]
    # In a grid whose inner borders cross its rows, a band no border crosses is the gap between two
    # grids (a section title, a paragraph): the rows end above it, and the rest is tried again below.
    walled = {
        n
        for n, (top, bottom) in enumerate(zip(table.edges, table.edges[1:], strict=False))
        if _bridged(top, bottom, table.walls)
    }
    gap = False
    if walled:
        while filled and filled[0] not in walled:
            filled.pop(0)
            table.header_band = False
        kept = next((i for i, n in enumerate(filled) if n not in walled), len(filled))
        gap = kept < len(filled)
        filled = filled[:kept]
    if len(filled) < 2:
        return None
    starts = _column_starts([bands[n] for n in filled])
    walls = _wall_columns(table.walls, [(table.edges[n], table.edges[n + 1]) for n in filled])
    if walls:
        starts = [min(table.x0, *(s.x0 for n in filled for s in bands[n]))] + [x + 1.0 for x in walls]
    if len(starts) < 2:
        return None  # one column: a list between rules, read as text
    # Text between two unrelated rules (a paragraph under a rule that only looks like the table's
    # top) runs across the columns; no cell does. Such bands at either end are not rows.
    while filled and (filled[0] in entered or _crosses(bands[filled[0]], starts)):
        filled.pop(0)
        table.header_band = False
    last = len(filled) + gap
    while filled and (filled[-1] in entered or _crosses(bands[filled[-1]], starts)):
        filled.pop()
    if len(filled) < 2 or any(n in entered or _crosses(bands[n], starts) for n in filled):
        return None
    below = None
    if len(filled) < last:  # the bands after the last row: another table, or text, below this one
        cut = filled[-1] + 1  # the edge under the last row
        if len(table.edges) - cut >= 3:
            below = Table(table.x0, table.x1, table.edges[cut:], header_band=False, walls=table.walls)
    rows = [bands[n] for n in filled]
    read = [[_cell(band, starts, c) for c in range(len(starts))] for band in rows]
    grid = [[text for text, _ in cells] for cells in read]
    marks = [tuple(m for _, found in cells for m in found) for cells in read]
    header = grid[0] if table.header_band or all(s.bold for s in rows[0]) else None
    body = grid[1:] if header is not None else grid
    # the header's marks go with the first row read: its text is repeated in every row, its marks once
    aside = marks[0] if header is not None else ()
    lines: list[Line] = []
    for band, cells, found in zip(
        rows[1:] if header is not None else rows, body, marks[len(grid) - len(body) :], strict=True
    ):
        parts = [f"{h}: {c}" if h else c for h, c in zip(header or [""] * len(cells), cells, strict=True) if c]
        if parts:
            lines.append(_row_line(SEPARATOR.join(parts), band, table, aside + found))
            aside = ()
    if header is not None and not lines:
        lines.append(_row_line(SEPARATOR.join(c for c in header if c), rows[0], table, aside))
    return lines, [s for band in rows for s in band], below


def _column_starts(bands: list[list[Span]]) -> list[float]:
    """x positions where a cell's text starts in at least half of the rows."""
    seen: list[list[float]] = []  # per band, the cell starts found
    for band in bands:
        starts: list[float] = []
        for span in band:
            gap = min(
                (span.x0 - o.x1 for o in band if o is not span and abs(o.y - span.y) < 1.0 and o.x0 < span.x0),
                default=math.inf,
            )
            if gap >= CELL_GAP * span.size:
                starts.append(span.x0)
        seen.append(starts)
    clusters: list[list[float]] = []
    for x in sorted(x for starts in seen for x in starts):
        if clusters and x - clusters[-1][-1] <= 2.0:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    need = max(2, math.ceil(0.5 * len(bands)))
    columns = []
    for cluster in clusters:
        rows = sum(any(cluster[0] - 0.01 <= x <= cluster[-1] + 0.01 for x in starts) for starts in seen)
        if rows >= need:
            columns.append(cluster[0])
    if columns:
        columns[0] = min(columns[0], min(s.x0 for band in bands for s in band))
    return columns


def _crosses(band: list[Span], starts: list[float]) -> bool:
    return any(s.x0 < x - 1.0 and s.x1 > x + 2.0 for s in band for x in starts[1:])


def _cell(band: list[Span], starts: list[float], column: int) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A cell's text, and the note marks its lines left out."""
    left = starts[column] - 1.0
    right = starts[column + 1] - 1.0 if column + 1 < len(starts) else math.inf
    spans = [s for s in band if left <= s.x0 < right or (column == 0 and s.x0 < left)]
    if not spans:
        return "", ()
    lines = sorted(build_lines(spans), key=lambda ln: (-ln.y, ln.x0))
    return clean.normalise(clean.join_hyphenated([ln.text for ln in lines])), tuple(m for ln in lines for m in ln.marks)


def _row_line(text: str, band: list[Span], table: Table, marks: tuple[tuple[str, str], ...] = ()) -> Line:
    top = max(s.y for s in band)
    size = max(set(s.size for s in band), key=[s.size for s in band].count)
    return Line(text=text, x0=table.x0, x1=table.x1, y=top, size=size, bold=False, role="row", marks=marks)
