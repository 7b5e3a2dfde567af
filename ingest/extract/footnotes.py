"""Footnotes: the small type at the foot of a page, each note its own block after the page's text.

Layouters draw the notes after the body, below a short rule, in smaller type, each starting with
its raised number. Read as text, they would continue the page's last paragraph ("… anbragt.
Servicelovens § 58. Fra 1. januar 2024 …") and, on a two-column page, land in the middle of the
reading order. Here they are marked ``role="footnote"`` (``group`` numbers the notes) before
reading order, and put back after the page's body text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ingest import clean
from ingest.extract.records import Line, Span
from ingest.extract.shapes import Shape

NOTE_SCALE = 0.88  # notes are set at most this share of the page's main text size
MAX_RULE_SHARE = 0.5  # the rule above the notes is short: at most half the text width
_MARK = re.compile(r"[\d*†‡]+")


def mark_footnotes(lines: Sequence[Line], spans: Sequence[Span], shapes: Sequence[Shape]) -> list[Line]:
    """``lines`` (top to bottom) with the notes area marked; unchanged when the page has none."""
    out = list(lines)
    body = [ln for ln in lines if ln.role == "body"]
    if len(body) < 2:
        return out
    main = _main_size(body)
    left, right = min(ln.x0 for ln in body), max(ln.x1 for ln in body)
    zone = _below_rule(out, shapes, main, left, right)
    if zone is None:
        zone = _unruled(out, spans, main)
    if not zone:
        return out
    note = 0
    previous: Line | None = None
    for i in zone:
        line = out[i]
        starts = line.note or _starts_note(line, spans) or (previous is not None and _hanging(line, previous))
        if starts or note == 0:
            note += 1
        out[i] = replace(line, role="footnote", group=note)
        previous = line
    return out


def _main_size(lines: Sequence[Line]) -> float:
    weight: dict[float, int] = {}
    for ln in lines:
        weight[round(ln.size, 1)] = weight.get(round(ln.size, 1), 0) + len(ln.text)
    return max(weight, key=weight.__getitem__)


def _small(line: Line, main: float) -> bool:
    return line.role == "body" and line.size <= NOTE_SCALE * main and not clean.is_page_number(line.text)


def _below_rule(lines: list[Line], shapes: Sequence[Shape], main: float, left: float, right: float) -> list[int] | None:
    """Small lines below a short rule that starts at the text's left edge; None without such a rule."""
    rules = [
        s
        for s in shapes
        if s.rule and not s.filled and s.width <= MAX_RULE_SHARE * (right - left) and abs(s.x0 - left) <= 3.0
    ]
    for rule in sorted(rules, key=lambda s: s.y0):  # the lowest rule first
        below = [i for i, ln in enumerate(lines) if ln.y < rule.y0 and ln.x0 >= left - 3.0]
        notes = [i for i in below if _small(lines[i], main)]
        others = [i for i in below if i not in notes and not clean.is_page_number(lines[i].text)]
        if notes and not others:
            return notes
    return None


def _unruled(lines: list[Line], spans: Sequence[Span], main: float) -> list[int]:
    """Without a rule: the small lines at the bottom whose first line starts with a raised number."""
    zone: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if clean.is_page_number(line.text) and not zone:
            continue
        if not _small(line, main):
            break
        zone.insert(0, i)
    if zone and _starts_note(lines[zone[0]], spans) and zone[0] > 0:
        above = lines[zone[0] - 1]
        if above.y - lines[zone[0]].y > 1.5 * main:
            return zone
    return []


def _starts_note(line: Line, spans: Sequence[Span]) -> bool:
    """A raised number drawn at the line's start (the line's text no longer holds it)."""
    for span in spans:
        raised = 0.15 * line.size <= span.y - line.y <= 0.8 * line.size
        if abs(span.x0 - line.x0) < 0.5 and raised and _MARK.fullmatch(span.text.strip()):
            return True
    return False


def _hanging(line: Line, previous: Line) -> bool:
    """A note set with a hanging number: its first line starts left of the note above's lines."""
    return line.x0 < previous.x0 - 2.0 and line.text[:1].isdigit()


def set_aside(lines: Sequence[Line]) -> tuple[list[Line], list[Line]]:
    """(the page's other lines, its footnote lines): notes are read after the body, not within it."""
    return [ln for ln in lines if ln.role != "footnote"], [ln for ln in lines if ln.role == "footnote"]
