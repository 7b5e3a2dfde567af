"""What the search page does with a question before it is searched.

1. Personal data: a question holding a CPR number, a phone number or an e-mail address is not
   searched (:func:`refuse_personal_data`); the page offers it back without them, the JSON API
   answers 422.
2. Long text: a pasted case description (up to :data:`MAX_PASTE_CHARS`) is searched by its
   question-like sentences and as much of the rest as fits (:func:`condense`), and the page says
   which part was searched. The search itself takes at most ``MAX_QUESTION_CHARS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.errors import PersonalData, UnknownPublication
from api.personal import find
from index.focus import is_question_like, sentences
from ingest.settings import MAX_QUESTION_CHARS

MAX_PASTE_CHARS = 4000


def refuse_personal_data(question: str) -> None:
    """Raises :class:`PersonalData` (422) when the question holds personal data."""
    scan = find(question)
    if scan:
        raise PersonalData(scan)


@dataclass(frozen=True)
class Condensed:
    question: str  # what is searched (at most MAX_QUESTION_CHARS)
    original_chars: int
    shortened: bool


def condense(text: str, limit: int = MAX_QUESTION_CHARS) -> Condensed:
    """A long text's question-like sentences and its last sentence, latest first, then, from the
    start, every other sentence that still fits in ``limit`` (a long one is skipped for shorter
    ones after it); the kept sentences stay in their order.

    The closing sentence of a case description is usually the question ("Hvad skal jeg gøre?");
    earlier questions are added while they fit. The questions alone often name no topic ("Hvad
    skal jeg gøre nu, og hvem skal jeg underrette?"): the case's opening sentences, which say who
    and what ("… planlagt en rejse til familiens hjemland … et bryllup"), fill the room left.
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return Condensed(flat, len(flat), False)
    parts = sentences(text)
    wanted = [i for i, s in enumerate(parts) if is_question_like(s) or i == len(parts) - 1]
    kept: list[int] = []
    used = 0
    for i in reversed(wanted):
        cost = len(parts[i]) + (1 if kept else 0)
        if used + cost <= limit:
            kept.append(i)
            used += cost
    if not kept:  # the last sentence alone is over the limit: its end is where the question is
        last = parts[-1]
        tail = last[len(last) - limit:]
        if last[len(last) - limit - 1] != " ":
            tail = tail.split(" ", 1)[-1]  # not half a word
        return Condensed(tail.strip(), len(flat), True)
    for i, part in enumerate(parts):
        cost = len(part) + 1
        if i not in kept and used + cost <= limit:
            kept.append(i)
            used += cost
    return Condensed(" ".join(parts[i] for i in sorted(kept)), len(flat), True)


def check_publication(publication: str | None, known: list[str]) -> str | None:
    """The publication filter: None for all, else an id of the live version (422 otherwise)."""
    if not publication:
        return None
    if publication not in known:
        raise UnknownPublication(publication, known)
    return publication
