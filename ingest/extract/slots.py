"""Running headers and footers found by where they sit, not by what they say.

A running header that prints the current chapter title changes with the chapter, is left out on
the page that opens a chapter, and alternates with the publication title on the facing pages, so
one text may recur on only one to three pages: too few for the repeated-text rule in
``clean.find_running_lines``. What does recur is its place: the same height, the same small type,
set apart from the text block by a gap no paragraph has. Such a slot on enough pages is furniture,
whatever it says. Titles (``title_size`` and more) never are.
"""

from __future__ import annotations

from ingest import clean
from ingest.extract.records import Line

MIN_PAGES = 3  # pages whose edge line sits in one slot
GAP_SIZES = 2.5  # the gap between the slot line and the text block, in the slot line's font sizes
Y_TOLERANCE = 2.0
SIZE_TOLERANCE = 0.3


def find_slot_lines(pages: list[list[Line]], body_size: float, title_size: float) -> list[set[int]]:
    """Indices, per page (lines top to bottom), of header/footer lines found by their slot."""
    found: list[set[int]] = [set() for _ in pages]
    for edge in ("top", "bottom"):
        candidates: list[tuple[int, int, Line]] = []
        for p, lines in enumerate(pages):
            hit = _edge_line(lines, edge, body_size, title_size)
            if hit is not None:
                candidates.append((p, hit, lines[hit]))
        for p, i, line in candidates:
            same = {
                q
                for q, _, other in candidates
                if abs(other.y - line.y) <= Y_TOLERANCE and abs(other.size - line.size) <= SIZE_TOLERANCE
            }
            if len(same) >= min(MIN_PAGES, len(pages)) and len(pages) > 1:
                found[p].add(i)
    return found


def _edge_line(lines: list[Line], edge: str, body_size: float, title_size: float) -> int | None:
    """The outermost line at ``edge`` (bare page numbers passed over) when it is set apart."""
    order = range(len(lines)) if edge == "top" else range(len(lines) - 1, -1, -1)
    indices = [i for i in order if not clean.is_page_number(lines[i].text)]
    if len(indices) < 2:
        return None
    first, nxt = lines[indices[0]], lines[indices[1]]
    if first.role != "body" or first.size >= title_size or first.size > body_size + 0.5:
        return None
    gap = first.y - nxt.y if edge == "top" else nxt.y - first.y
    return indices[0] if gap >= GAP_SIZES * max(first.size, nxt.size) else None
