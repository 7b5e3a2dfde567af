"""Spans → lines: runs on one baseline joined, with spaces restored from the gaps between glyphs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence

from ingest import words
from ingest.extract.records import Line, Span

# Word gaps, as fractions of the font's space width. At or above STRONG a gap is a space (pypdf's
# own threshold is 0.475); between WEAK and STRONG it is a space unless the two halves make a known
# word and one half is not a word (kerning inside "T|orsdag"); below WEAK it is kerning.
WEAK_GAP = 0.25
STRONG_GAP = 0.5


def build_lines(spans: Sequence[Span]) -> list[Line]:
    """Group spans into lines: same baseline, and no gap wider than a word gap between them."""
    lines: list[Line] = []
    for row in _rows(spans):
        row.sort(key=lambda s: s.x0)
        segment: list[Span] = [row[0]]
        for span in row[1:]:
            prev = segment[-1]
            size = max(prev.size, span.size)
            if span.x0 - max(s.x1 for s in segment) > max(1.0 * size, 3.0 * max(prev.space, span.space)):
                lines.append(_line_from(segment))
                segment = []
            segment.append(span)
        lines.append(_line_from(segment))
    return lines


def _rows(spans: Sequence[Span]) -> Iterator[list[Span]]:
    """Spans whose baselines lie within half a font size of each other (superscripts included)."""
    ordered = sorted(spans, key=lambda s: (-s.y, s.x0))
    row: list[Span] = []
    row_y = row_size = 0.0
    for span in ordered:
        if row and abs(span.y - row_y) <= 0.5 * max(span.size, row_size):
            row.append(span)
            continue
        if row:
            yield row
        row, row_y, row_size = [span], span.y, span.size
    if row:
        yield row


def _line_from(spans: list[Span]) -> Line:
    weight: Counter[tuple[float, bool]] = Counter()
    baselines: Counter[float] = Counter()
    for span in spans:
        n = len(span.text.strip())
        weight[(round(span.size, 1), span.bold)] += n
        baselines[round(span.y, 1)] += n
    (size, bold), _ = weight.most_common(1)[0]
    baseline = baselines.most_common(1)[0][0]
    text = ""
    prev: Span | None = None
    for span in spans:
        if prev is not None and _duplicate(prev, span):
            continue  # fake bold or shadow: the same run drawn twice
        if not _footnote_mark(span, size, baseline):  # a mark keeps its place but not its text
            if prev is not None:
                text += _gap_text(text, span.text, span.x0 - prev.x1, min(prev.space, span.space))
            text += span.text
        prev = span
    return Line(
        text=" ".join(text.split()),
        x0=min(s.x0 for s in spans),
        x1=max(s.x1 for s in spans),
        y=baseline,
        size=size,
        bold=bold,
    )


_MARK = re.compile(r"[\d*†‡,]+")


def _footnote_mark(span: Span, size: float, baseline: float) -> bool:
    """A small raised number or asterisk: a note reference that would glue onto the word ("kontrol1")."""
    raised = span.y - baseline >= 0.2 * size
    return raised and span.size <= 0.85 * size and _MARK.fullmatch(span.text.strip()) is not None


def _duplicate(a: Span, b: Span) -> bool:
    return a.text == b.text and abs(a.x0 - b.x0) < 0.5 and abs(a.y - b.y) < 0.5


_EDGE_LETTERS = re.compile(r"[^\W\d_]+$")
_START_LETTERS = re.compile(r"^[^\W\d_]+")


def _gap_text(left: str, right: str, gap: float, space: float) -> str:
    """The separator between two runs on one line: a space where the gap is a word gap."""
    if not left or left[-1].isspace() or right[:1].isspace():
        return ""
    space = space if space > 0 else 2.5
    if gap >= STRONG_GAP * space:
        return " "
    if gap < WEAK_GAP * space:
        return ""
    # A middling gap: a tight word gap, or generous kerning inside a word ("T orsdag")?
    tail = _EDGE_LETTERS.search(left)
    head = _START_LETTERS.search(right)
    if tail and head and words.keep_joined(tail.group(0), head.group(0)):
        return ""
    return " "
