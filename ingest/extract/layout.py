"""Lines → reading order: columns found from the page's geometry, read band by band."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ingest import clean
from ingest.extract.records import Line, PageLayout
from ingest.models import PageKind

# A contents entry ends in its page: "Indledning 4", "1.2 Formål 1-2" (chapter-page numbers).
_ENDS_IN_PAGE_NUMBER = re.compile(r"[^\d\s.,]\s+(?:\d{1,3}|\d{1,2}[-–.]\d{1,3})$")
# An index entry ends in page references: "Anbringelse 12, 45-47, 80".
_REFERENCE = r"\d{1,4}(?:[-–]\d{1,4})?f*\.?"
_PAGE_REFERENCES = re.compile(rf"[^\W\d_][^\d]*\s{_REFERENCE}(?:\s*[,;]\s*{_REFERENCE})*$")
# What every such row ends in; the pattern above tries each letter of a row as the entry's start,
# so on long prose rows it is quadratic and runs only behind this linear test.
_ENDS_IN_REFERENCE = re.compile(rf"[\s,;]{_REFERENCE}$")


def reading_order(lines: Sequence[Line]) -> list[Line]:
    """Top to bottom; on a page of columns, each column top to bottom, left to right, band by band.

    Any number of columns is found (see :func:`find_gutters`). Lines that cross a gutter (a
    full-width title or intro) split the page into bands, read one after the other, as a reader
    does. Within a column, notes set in its left margin (Word's side-heads) are read as their own
    lines just before the paragraph they stand beside (see :func:`place_margin_notes`).
    """
    ordered = sorted(lines, key=lambda ln: (-ln.y, ln.x0))
    gutters = find_gutters(ordered)
    if not gutters:
        return place_margin_notes(ordered)
    result: list[Line] = []
    columns: list[list[Line]] = [[] for _ in range(len(gutters) + 1)]

    def close_band() -> None:
        for members in columns:
            result.extend(place_margin_notes(members))
            members.clear()

    for line in ordered:
        column = _column_of(line, gutters)
        if column is None:  # crosses a gutter: closes the current band
            close_band()
            result.append(line)
        else:
            columns[column].append(replace(line, column=column + 1))
    close_band()
    return result


def _column_of(line: Line, gutters: list[tuple[float, float]]) -> int | None:
    for n, (start, end) in enumerate(gutters):
        if line.x1 <= start + 1:
            return n
        if line.x0 < end - 1:
            return None
    return len(gutters)


def find_gutters(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """Every gutter between columns, left to right: a gutter found, then more on either side of it."""
    gutter = find_gutter(lines)
    if gutter is None:
        return []
    start, end = gutter
    left = [ln for ln in lines if ln.x1 <= start + 1]
    right = [ln for ln in lines if ln.x0 >= end - 1]
    return [*find_gutters(left), gutter, *find_gutters(right)]


MIN_COLUMN_SHARE = 0.15  # a column holds at least this share of the text; margin notes hold less


def find_gutter(lines: Sequence[Line]) -> tuple[float, float] | None:
    """The empty vertical strip between two columns, as (left column's right edge, right column's x).

    Two columns need at least two lines starting at the same x in the middle of the text area,
    at least two lines ending before it, fewer lines crossing it than either column has, and a
    fair share of the text on each side (a margin of side-heads is not a column).
    """
    if len(lines) < 4:
        return None
    left_edge = min(ln.x0 for ln in lines)
    right_edge = max(ln.x1 for ln in lines)
    width = right_edge - left_edge
    if width <= 0:
        return None
    total = sum(len(ln.text) for ln in lines)
    starts = Counter(round(ln.x0) for ln in lines if left_edge + 0.25 * width < ln.x0 < left_edge + 0.75 * width)
    for x, _count in starts.most_common(3):
        right = [ln for ln in lines if ln.x0 >= x - 2]
        before = [ln for ln in lines if ln.x0 < x - 2]
        left = [ln for ln in before if ln.x1 < x - 2]
        crossing = len(before) - len(left)
        if len(right) >= 2 and len(left) >= 2 and crossing < min(len(left), len(right)):
            share = min(sum(len(ln.text) for ln in left), sum(len(ln.text) for ln in right)) / max(total, 1)
            if share >= MIN_COLUMN_SHARE:
                return max(ln.x1 for ln in left), x - 2
    return None


MAX_NOTE_SHARE = 0.35  # notes are a minority of a column's text
MAX_RIGHT_NOTES = 200


def place_margin_notes(lines: list[Line]) -> list[Line]:
    """A column's lines (top to bottom) with its margin notes moved before the paragraph they
    stand beside and marked ``margin``, so they are never read into the middle of a body line.

    Left notes (Word's side-heads) end before the body's left edge, where most lines start, with a
    gap of at least half their font size. Right notes start together at one x in the right part
    of the column, and every body line level with them ends before it. A note level with the
    first, second or third line of a paragraph goes before the paragraph's first line.
    """
    if len(lines) < 3:
        return lines
    starts = Counter(round(ln.x0) for ln in lines)
    body_left, count = starts.most_common(1)[0]
    if count < 3:
        return lines
    notes = [
        ln
        for k, ln in enumerate(lines)
        if ln.x1 < body_left - 0.5 * ln.size and _wordy(ln) and not (k and _carries_on(lines[k - 1], ln, body_left))
    ]
    left = {id(ln) for ln in notes}
    notes += _right_notes([ln for ln in lines if id(ln) not in left], body_left)
    if not notes or sum(len(ln.text) for ln in notes) > MAX_NOTE_SHARE * sum(len(ln.text) for ln in lines):
        return lines
    notes.sort(key=lambda ln: (-ln.y, ln.x0))
    noted = {id(ln) for ln in notes}
    body = [ln for ln in lines if id(ln) not in noted]
    right = max((ln.x1 for ln in body), default=0.0)
    width = right - body_left
    blocks: list[list[Line]] = []
    for note in notes:  # consecutive note lines close together are one note
        if blocks and 0 < blocks[-1][-1].y - note.y <= 1.6 * note.size:
            blocks[-1].append(note)
        else:
            blocks.append([note])
    inserts: dict[int, list[Line]] = {}
    for block in blocks:
        # Level with a body line: up to 0.6 of its size below that line's baseline, as notes set
        # against the first line's x-height sit ("over-" / note / "sigten" would split the word).
        top = block[0].y + 0.6 * block[0].size
        i = next((k for k, ln in enumerate(body) if ln.y <= top), len(body))
        steps = 0
        while 0 < i < len(body) and steps < 3 and _same_paragraph(body[i - 1], body[i], right, width):
            i -= 1
            steps += 1
        inserts.setdefault(i, []).extend(replace(ln, margin=True) for ln in block)
    result: list[Line] = []
    for k, line in enumerate(body):
        result += inserts.pop(k, [])
        result.append(line)
    for rest in inserts.values():
        result += rest
    return result


def _carries_on(above: Line, line: Line, body_left: float) -> bool:
    """``line`` is the short last line of a wide line above it that also starts at the margin edge
    (a wrapped heading: "Opret/slet brugerautori-" / "sation."), not a note beside the body."""
    return (
        above.x1 >= body_left
        and abs(above.x0 - line.x0) <= 2.0
        and abs(above.size - line.size) <= 0.6
        and 0 < above.y - line.y <= 1.6 * line.size
        and not above.text.rstrip().endswith((".", "!", "?", ":"))
    )


def _wordy(line: Line) -> bool:
    return sum(c.isalpha() for c in line.text) >= 3


def _right_notes(lines: list[Line], body_left: float) -> list[Line]:
    """Lines of a narrow note column at the right: they start at one x, and nothing level with them
    runs into it."""
    right_edge = max(ln.x1 for ln in lines)
    middle = body_left + 0.5 * (right_edge - body_left)
    starts = Counter(round(ln.x0) for ln in lines if ln.x0 > middle)
    if not starts:
        return []
    x, count = starts.most_common(1)[0]
    if count < 2:
        return []
    notes = [ln for ln in lines if ln.x0 >= x - 2 and _wordy(ln)]
    if len(notes) > MAX_RIGHT_NOTES:
        return []  # hundreds of lines in a narrow column are a table, not notes (and bound the check below)
    for note in notes:
        for line in lines:
            level = abs(line.y - note.y) < 0.5 * note.size
            if level and line.x0 < x - 2 and line.x1 > x - 0.5 * note.size:
                return []  # a body line runs into the note column: a table or a layout we do not know
    return notes


def _same_paragraph(above: Line, below: Line, right: float, width: float) -> bool:
    """Two consecutive body lines with ordinary leading, the first not a paragraph's short last line."""
    if not 0 < above.y - below.y <= 1.4 * max(above.size, below.size):
        return False
    ends = above.text.rstrip().endswith((".", "!", "?", ":"))
    return not ends or above.x1 >= right - 0.15 * width


def page_layout(number: int, lines: list[Line]) -> PageLayout:
    """A page's lines in reading order, with each column's right edge and width."""
    ordered = reading_order(lines)
    layout = PageLayout(number=number, lines=ordered)
    for column in {ln.column for ln in ordered}:
        members = [ln for ln in ordered if ln.column == column and not ln.margin] or [
            ln for ln in ordered if ln.column == column
        ]
        layout.column_right[column] = max(ln.x1 for ln in members)
        layout.column_width[column] = layout.column_right[column] - min(ln.x0 for ln in members)
    return layout


def page_kind(
    layout: PageLayout, body_size: float, previous: PageKind | None = None, top: Sequence[str] = ()
) -> PageKind:
    """What a page is: "toc", "index", "cover" or "body".

    Contents: dot leaders, or a contents title in the first lines with the other rows mostly ending
    in page numbers ("3", "3-7"), or (after a contents page) rows that mostly end in page numbers.
    A back-of-book index: an index title ("Stikordsregister") with rows of page references, or rows
    of page references after an index page. A title alone is not enough: a body page may carry a
    side note "Indhold". ``top`` are the page's first lines before running headers were dropped,
    as a contents title may also be the running header.
    Cover: a first page of little text under a title set in display size, or without text.
    """
    lines = layout.lines
    rows = _rows_of(lines)
    titles = [*top[:3], *(ln.text for ln in lines[:3])]
    toc_lines = sum(clean.is_toc_line(ln.text) for ln in lines)
    numbered = sum(_ENDS_IN_PAGE_NUMBER.search(row) is not None or clean.is_toc_line(row) for row in rows)
    references = sum(
        _ENDS_IN_REFERENCE.search(row) is not None and _PAGE_REFERENCES.search(row) is not None for row in rows
    )
    if toc_lines >= 3:
        return "toc"
    if any(clean.names_section(t, clean.TOC_TITLES) for t in titles) and numbered >= max(1, 0.5 * (len(rows) - 1)):
        return "toc"
    if previous == "toc" and len(rows) >= 3 and numbered >= 0.6 * len(rows):
        return "toc"
    # An index has many rows without references (letter dividers, entries whose pages are on sub-entries).
    if any(clean.names_section(t, clean.INDEX_TITLES) for t in titles) and references >= max(2, 0.3 * (len(rows) - 1)):
        return "index"
    if previous == "index" and len(rows) >= 3 and references >= 0.3 * len(rows):
        return "index"
    if layout.number == 1:
        if not lines:
            return "cover"  # an image-only first page
        chars = sum(len(ln.text) for ln in lines)
        body_lines = sum(abs(ln.size - body_size) <= 0.6 and not ln.bold for ln in lines)
        display = max(ln.size for ln in lines) >= 1.3 * body_size  # a cover has a big title
        if chars < 600 and body_lines < 3 and display:
            return "cover"
    return "body"


def _rows_of(lines: Sequence[Line]) -> list[str]:
    """The page's text rows: lines on one baseline joined left to right (an entry and its number)."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: (-ln.y, ln.x0)):
        if rows and abs(rows[-1][0].y - line.y) <= 2.0:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [" ".join(ln.text for ln in sorted(row, key=lambda ln: ln.x0)) for row in rows]


def body_size(pages: list[list[Line]]) -> float:
    """The font size of most characters: the body text."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0
