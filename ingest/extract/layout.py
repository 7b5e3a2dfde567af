"""Lines → reading order: columns found from the page's geometry, read band by band."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ingest import clean
from ingest.extract.records import Line, PageLayout
from ingest.models import PageKind

_ENDS_IN_PAGE_NUMBER = re.compile(r"\D\s+\d{1,3}$")


def reading_order(lines: Sequence[Line]) -> list[Line]:
    """Top to bottom; on a two-column page, left column before right column within each band.

    Lines that cross the gutter (a full-width title or intro) split the page into bands, and the
    columns are read band by band, as a reader does.
    """
    ordered = sorted(lines, key=lambda ln: (-ln.y, ln.x0))
    gutter = find_gutter(ordered)
    if gutter is None:
        return ordered
    start, end = gutter
    result: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    for line in ordered:
        if line.x1 <= start + 1:
            left.append(replace(line, column=1))
        elif line.x0 >= end - 1:
            right.append(replace(line, column=2))
        else:  # crosses the gutter: closes the current band
            result += left + right + [line]
            left, right = [], []
    return result + left + right


def find_gutter(lines: Sequence[Line]) -> tuple[float, float] | None:
    """The empty vertical strip between two columns, as (left column's right edge, right column's x).

    Two columns need at least two lines starting at the same x in the middle of the text area,
    at least two lines ending before it, and fewer lines crossing it than either column has.
    """
    if len(lines) < 4:
        return None
    left_edge = min(ln.x0 for ln in lines)
    right_edge = max(ln.x1 for ln in lines)
    width = right_edge - left_edge
    if width <= 0:
        return None
    starts = Counter(round(ln.x0) for ln in lines if left_edge + 0.25 * width < ln.x0 < left_edge + 0.75 * width)
    for x, _count in starts.most_common(3):
        right = [ln for ln in lines if ln.x0 >= x - 2]
        before = [ln for ln in lines if ln.x0 < x - 2]
        left = [ln for ln in before if ln.x1 < x - 2]
        crossing = len(before) - len(left)
        if len(right) >= 2 and len(left) >= 2 and crossing < min(len(left), len(right)):
            return max(ln.x1 for ln in left), x - 2
    return None


def page_layout(number: int, lines: list[Line]) -> PageLayout:
    """A page's lines in reading order, with each column's right edge and width."""
    ordered = reading_order(lines)
    layout = PageLayout(number=number, lines=ordered)
    for column in {ln.column for ln in ordered}:
        members = [ln for ln in ordered if ln.column == column]
        layout.column_right[column] = max(ln.x1 for ln in members)
        layout.column_width[column] = layout.column_right[column] - min(ln.x0 for ln in members)
    return layout


def page_kind(layout: PageLayout, body_size: float, previous: PageKind | None = None) -> PageKind:
    """Table of contents: dot leaders, an "Indhold" title, or (after a contents page) lines that
    mostly end in page numbers. Cover: a first page of little text under a title set in display
    size, or a first page without text (an image)."""
    lines = layout.lines
    toc_lines = sum(clean.is_toc_line(ln.text) for ln in lines)
    if toc_lines >= 3 or any(clean.is_toc_title(ln.text) for ln in lines[:3]):
        return "toc"
    numbered = sum(_ENDS_IN_PAGE_NUMBER.search(ln.text) is not None for ln in lines)
    if previous == "toc" and len(lines) >= 3 and numbered >= 0.6 * len(lines):
        return "toc"
    if layout.number == 1:
        if not lines:
            return "cover"  # an image-only first page
        chars = sum(len(ln.text) for ln in lines)
        body_lines = sum(abs(ln.size - body_size) <= 0.6 and not ln.bold for ln in lines)
        display = max(ln.size for ln in lines) >= 1.3 * body_size  # a cover has a big title
        if chars < 600 and body_lines < 3 and display:
            return "cover"
    return "body"


def body_size(pages: list[list[Line]]) -> float:
    """The font size of most characters: the body text."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0
