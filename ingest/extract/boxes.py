"""Shaded boxes (fact boxes, cases, quotes): their lines grouped, their titles made headings.

A box is a filled rectangle drawn behind text. Its lines get ``role="box"`` and the box's number
as ``group``, so a paragraph never runs from the page text into a box or out of it. Its first
line, when set apart by weight or size ("Case: Sara, 16 år", "Vær opmærksom på"), is a heading one
level below the section the box stands in, so the box's text carries the box title as its section
and does not start with the title glued to its first sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ingest import clean
from ingest.extract.records import Line, PageLayout
from ingest.extract.shapes import Shape
from ingest.extract.tables import Table

MAX_SHARE = 0.8  # a rectangle behind most of the page's lines is a page background, not a box
MAX_TITLE_LINES = 3
SECTION_SCALE = 1.25  # a title this much larger than the text on its tint heads a section, not a box
MIN_LINES = 2  # a tint behind one line is a highlighted heading or label, not a box


def mark_boxes(lines: Sequence[Line], shapes: Sequence[Shape], tables: Sequence[Table]) -> list[Line]:
    """``lines`` with the ones inside a shaded box marked ``role="box"`` and numbered by box."""
    boxes = [
        s for s in shapes if s.filled and not s.rule and s.height >= 12.0 and not any(_part_of(s, t) for t in tables)
    ]
    out = list(lines)
    if not boxes or not lines:
        return out
    numbered: list[tuple[Shape, list[int]]] = []
    for box in sorted(boxes, key=lambda b: b.width * b.height):  # the smallest box holding a line wins
        inside = [
            i for i, ln in enumerate(lines) if ln.role == "body" and box.holds(ln.x0, ln.y) and box.holds(ln.x1, ln.y)
        ]
        taken = {i for _, members in numbered for i in members}
        inside = [i for i in inside if i not in taken]
        if len(inside) >= MIN_LINES and len(inside) <= MAX_SHARE * len(lines):
            numbered.append((box, inside))
    numbered.sort(key=lambda item: (-item[0].y1, item[0].x0))
    for group, (_, members) in enumerate(numbered, start=1):
        for i in members:
            out[i] = replace(out[i], role="box", group=group)
    return out


def _part_of(shape: Shape, table: Table) -> bool:
    inside = table.edges[-1] - 1 <= shape.y0 and shape.y1 <= table.edges[0] + 1
    return inside and abs(shape.x0 - table.x0) <= 1.5 and abs(shape.x1 - table.x1) <= 1.5


def mark_titles(layouts: Sequence[PageLayout]) -> None:
    """Add each box's title to its page's headings, one level below the section it stands in."""
    level = 0
    for layout in layouts:
        found = sorted(layout.headings, key=lambda h: h[0])
        _unbox_sections(layout, found)
        lines = layout.lines
        sections = [h for h in found if h[0] < 0 or lines[h[0]].role != "box"]

        taken = {i for start, end, _, _ in found for i in range(start, end + 1)}
        titles: list[tuple[int, int, int, str | None]] = [
            (start, end, _below(sections, start, level), None) for start, end in _box_titles(lines, taken)
        ]
        # A title found by its font inside a box is the box's title too: one level down as well.
        found = [
            (s, e, _below(sections, s, level), t) if s >= 0 and lines[s].role == "box" else (s, e, lv, t)
            for s, e, lv, t in found
        ]
        if sections:
            level = sections[-1][2]
        if layout.kind == "body":
            layout.headings = sorted(found + titles, key=lambda h: (h[0], h[1]))


def _below(sections: list[tuple[int, int, int, str | None]], start: int, level: int) -> int:
    """One level below the section that line ``start`` stands in (``level``: the one before the page)."""
    before = [h for h in sections if h[0] < start]
    return min((before[-1][2] if before else level) + 1, 6)


def _unbox_sections(layout: PageLayout, headings: list[tuple[int, int, int, str | None]]) -> None:
    """A tint that holds a section title (a chapter opener set on a coloured band) is no box: its
    text belongs to that section. A section title is an outline entry, or set clearly larger than
    the tint's other lines; a box's own title is barely larger, or only bolder."""
    lines = layout.lines
    groups: set[int] = set()
    for start, end, _, title in headings:
        if start < 0 or lines[start].role != "box":
            continue
        group = lines[start].group
        rest = [ln.size for ln in lines if ln.role == "box" and ln.group == group][end - start + 1 :]
        if title is not None or (rest and lines[start].size >= SECTION_SCALE * max(rest)):
            groups.add(group)
    if groups:
        layout.lines = [
            replace(ln, role="body", group=0) if ln.role == "box" and ln.group in groups else ln for ln in lines
        ]


def _box_titles(lines: list[Line], taken: set[int]) -> list[tuple[int, int]]:
    """(first, last) title lines of every box on the page."""
    titles: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.role != "box" or (i > 0 and lines[i - 1].role == "box" and lines[i - 1].group == line.group):
            i += 1
            continue
        members = [j for j in range(i, len(lines)) if lines[j].role == "box" and lines[j].group == line.group]
        end = i
        while (
            end + 1 in members
            and end + 1 - i < MAX_TITLE_LINES
            and (lines[end + 1].bold, lines[end + 1].size) == (line.bold, line.size)
        ):
            end += 1
        rest = [lines[j] for j in members if j > end]
        distinct = rest and all((ln.bold, round(ln.size, 1)) != (line.bold, round(line.size, 1)) for ln in rest[:1])
        text = " ".join(ln.text for ln in lines[i : end + 1])
        styled = distinct and (line.bold or line.size > rest[0].size)
        if styled and not taken & set(range(i, end + 1)) and clean.looks_like_heading(text):
            titles.append((i, end))
        i = end + 1
    return titles
