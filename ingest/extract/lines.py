"""Spans → lines: runs on one baseline joined, with spaces restored from the gaps between glyphs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace

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
        right = row[0].x1  # running right edge: a row of 100,000 runs must not be rescanned per run
        for span in row[1:]:
            prev = segment[-1]
            size = max(prev.size, span.size)
            if span.x0 - right > max(1.0 * size, 3.0 * max(prev.space, span.space)):
                lines.append(_line_from(segment))
                segment = []
                right = span.x1
            segment.append(span)
            right = max(right, span.x1)
        lines.append(_line_from(segment))
    return lines


def _rows(spans: Sequence[Span]) -> Iterator[list[Span]]:
    """Spans whose baselines lie within half a font size of each other (superscripts included)."""
    ordered = sorted(_snap_scripts(spans), key=lambda s: (-s.y, s.x0))
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


def _snap_scripts(spans: Sequence[Span]) -> list[Span]:
    """A small run drawn right after the previous one, a little above or below it, is its sub- or
    superscript ("CO₂", "m²", a note mark): it moves onto that baseline and keeps its offset as ``rise``."""
    out: list[Span] = []
    prev: Span | None = None
    for span in spans:
        if (
            prev is not None
            and span.y != prev.y
            and len(span.text.strip()) <= 3
            and span.size <= 0.85 * prev.size
            and abs(span.x0 - prev.x1) <= 0.1 * prev.size
            and abs(span.y - prev.y) <= 0.6 * prev.size
        ):
            span = replace(span, y=prev.y, rise=span.y - prev.y)
        out.append(span)
        prev = span
    return out


def _line_from(spans: list[Span]) -> Line:
    weight: Counter[tuple[float, bool]] = Counter()
    baselines: Counter[float] = Counter()
    for span in spans:
        n = len(span.text.strip())
        weight[(round(span.size, 1), span.bold)] += n
        baselines[round(span.y, 1)] += n
    (size, bold), _ = weight.most_common(1)[0]
    baseline = baselines.most_common(1)[0][0]
    spacing = _letter_spacing(spans)
    # A line that opens with a note mark is a footnote's first line: the note is a paragraph of its own.
    note = _footnote_mark(spans[0], size, baseline) and len(spans) > 1
    text = ""
    marks: list[tuple[str, str]] = []
    prev: Span | None = None
    for span in spans:
        if prev is not None and _duplicate(prev, span):
            continue  # fake bold or shadow: the same run drawn twice
        # A note reference keeps its place but not its text; a unit's or symbol's digit stays ("m²", "R²").
        if _footnote_mark(span, size, baseline) and not _UNIT_BEFORE.search(text[-8:]):
            before = text[-_TAIL:].split()
            marks.append((before[-1] if before else "", span.text.strip()))
        else:
            if prev is not None:
                gap = span.x0 - prev.x1
                if spacing is not None:
                    text += " " if gap > spacing and text and not text[-1].isspace() else ""
                else:
                    text += _gap_text(text[-_TAIL:], span.text, gap, min(prev.space, span.space))
            text += span.text
        prev = span
    # A hyphen glyph that the font maps to U+00AD was drawn, so inside a line it is a real hyphen
    # ("SSP-samarbejde"); at the line's end it stays soft for the paragraph join to judge.
    text = _SOFT_INSIDE.sub("-", text.rstrip())
    return Line(
        text=" ".join(text.split()),
        x0=min(s.x0 for s in spans),
        x1=max(s.x1 for s in spans),
        y=baseline,
        size=size,
        bold=bold,
        note=note,
        marks=tuple(marks),
    )


_MARK = re.compile(r"[\d*†‡,]+")
# Units and symbols that take a raised digit: "m²", "km²", "R²", "CO²" (formulas set it raised too).
_UNIT_BEFORE = re.compile(r"(?:^|[\s(\d])(?:[mk]?m|[cd]m|[A-ZÆØÅ]{1,2})$")
_SOFT_INSIDE = re.compile(r"\u00ad(?=\S)")
_TAIL = 64  # enough of a line's text to find its last word


def _letter_spacing(spans: list[Span]) -> float | None:
    """For letter-spaced display text (one glyph per run, evenly tracked): the gap above which a
    gap is a word gap; None for ordinary lines, whose gaps are judged against the font's space."""
    if len(spans) < 5 or sum(len(s.text.strip()) == 1 for s in spans) < 0.7 * len(spans):
        return None
    gaps = sorted(b.x0 - a.x1 for a, b in zip(spans, spans[1:], strict=False) if not _duplicate(a, b))
    if not gaps:
        return None
    tracking = gaps[len(gaps) // 2]
    if tracking < WEAK_GAP * max(s.space for s in spans):
        return None  # tight glyphs drawn one by one: the usual rules apply
    return tracking + 0.5 * max(s.space for s in spans)


def _footnote_mark(span: Span, size: float, baseline: float) -> bool:
    """A small raised number or asterisk: a note reference that would glue onto the word ("kontrol1")."""
    raised = span.y + span.rise - baseline >= 0.2 * size
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
