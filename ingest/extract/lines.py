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
            gap = span.x0 - right
            if gap > max(1.0 * size, 3.0 * max(prev.space, span.space)) or (
                # Columns whose baselines do not line up, with a narrow gutter (a government register's
                # one-em gutter): one line of text never changes its baseline across a word gap (a
                # note mark does, but it is smaller than the text it stands before).
                gap > 0.5 * size
                and abs(span.y - prev.y) > 0.05 * size
                and min(prev.size, span.size) > 0.85 * size
            ):
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
    superscript ("CO₂", "m²", a note mark): it moves onto that baseline and keeps its offset as ``rise``.

    A second script right after the first, or stacked over it, belongs to the same base ("HCO₃⁻",
    "NH₄⁺"): it is judged against the base run, not against the small first script, which it would
    never be smaller than (left alone, it anchored a row of its own and cut the line in two).
    """
    out: list[Span] = []
    base: Span | None = None  # the last full-size run, that a script hangs on
    prev: Span | None = None
    for span in spans:
        after_script = prev is not None and base is not None and prev.rise != 0
        anchor = base if after_script else prev
        follows = prev is not None and (
            abs(span.x0 - prev.x1) <= 0.1 * prev.size  # drawn right after
            or (after_script and prev.x0 - 0.1 * prev.size <= span.x0 <= prev.x1)  # stacked over it
        )
        if (
            anchor is not None
            and follows
            and span.y != anchor.y
            and len(span.text.strip()) <= 3
            and span.size <= 0.85 * anchor.size
            and abs(span.y - anchor.y) <= 0.6 * anchor.size
        ):
            span = replace(span, y=anchor.y, rise=span.y - anchor.y)
        else:
            base = span
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
    pieces: list[str] = []
    separators: list[str | None] = []  # before each piece but the first; None: a middling gap, judged below
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
            separator: str | None = ""
            if prev is not None:
                gap = span.x0 - prev.x1
                if spacing is not None:
                    separator = " " if gap > spacing and text and not text[-1].isspace() else ""
                else:
                    separator = _gap_text(text[-_TAIL:], span.text, gap, min(prev.space, span.space))
            if pieces:
                separators.append(separator)
            pieces.append(span.text)
            text += (separator or "") + span.text
        prev = span
    if None in separators:
        text = pieces[0] + "".join(s + p for s, p in zip(_judge_kerning(pieces, separators), pieces[1:], strict=True))
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
_WHOLE_LETTERS = re.compile(r"[^\W\d_]+")


def _gap_text(left: str, right: str, gap: float, space: float) -> str | None:
    """The separator between two runs on one line: a space where the gap is a word gap, None for a
    middling gap that only the words around it can judge (``_judge_kerning``)."""
    if not left or left[-1].isspace() or right[:1].isspace():
        return ""
    space = space if space > 0 else 2.5
    if gap >= STRONG_GAP * space:
        return " "
    if gap < WEAK_GAP * space:
        return ""
    return None


def _judge_kerning(pieces: list[str], separators: list[str | None]) -> list[str]:
    """Middling gaps: a tight word gap, or generous kerning inside a word ("T orsdag")?

    A gap is kerning when the letters on both sides make a known word (Danish or English) and one
    side is no word of its own. Where a piece is no word of its own, the word is read on across
    the next middling gap too, so a letter kerned apart on both sides ("lac t ate", optical
    kerning around a "t") is judged as the whole word, not as two halves that make none.
    """
    judged = [s if s is not None else " " for s in separators]
    start = 0
    while start < len(pieces):
        end = start  # a chain: pieces start..end with no clear space between them
        while end < len(separators) and separators[end] != " ":
            end += 1
        cuts = [i for i in range(start, end) if separators[i] is None]
        if cuts:
            segments = _letters_between(pieces[start : end + 1], [i - start for i in cuts])
            for n, cut in enumerate(cuts):
                if _kerned(segments, n):
                    judged[cut] = ""
        start = end + 1
    return judged


MAX_KERNED_PIECES = 4  # a word read across at most this many pieces


def _kerned(segments: list[str], cut: int) -> bool:
    """Whether the cut between ``segments[cut]`` and ``segments[cut + 1]`` lies inside one word."""
    left, right = segments[cut], segments[cut + 1]
    if not left or not right:
        return False
    if words.keep_joined(left, right):  # Danish: the two halves make a word, and not two words
        return True
    windows = [(a, b) for size in range(2, MAX_KERNED_PIECES + 1) for a in range(cut - size + 2, cut + 1)
               for b in [a + size - 1] if a >= 0 and b < len(segments)]
    for a, b in windows:
        window = segments[a : b + 1]
        inner_alone = [_stands_alone(w) for w in window[1:-1]]
        if not all(window) or any(inner_alone):
            continue  # a word of its own in the middle ends the word there
        if not all(_stands_alone(w) for w in window) and words.is_word_any("".join(window)):
            return True
    return False


# Word lists count every letter as a word; these are the ones that stand alone in running text.
_ONE_LETTER_WORDS = frozenset({"i", "å", "ø", "a"})


def _stands_alone(word: str) -> bool:
    return word.lower() in _ONE_LETTER_WORDS if len(word) == 1 else words.is_word_any(word)


def _letters_between(chain: list[str], cuts: list[int]) -> list[str]:
    """The letters on either side of each cut (a cut after ``chain[i]``), as separate words: the
    word at the first cut's left, those between cuts, and the one after the last ("" where a cut
    has no letters beside it)."""
    out: list[str] = []
    previous = 0
    for cut in cuts:
        text = "".join(chain[previous : cut + 1])
        letters = _EDGE_LETTERS.search(text) if previous == 0 else _WHOLE_LETTERS.fullmatch(text)
        out.append(letters.group(0) if letters else "")
        previous = cut + 1
    head = _START_LETTERS.search("".join(chain[previous:]))
    out.append(head.group(0) if head else "")
    return out
