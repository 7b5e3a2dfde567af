"""What a question is made of: its text cleaned (``clean_question``), and what it must hold, a
letter or a digit of any script (``LETTER_OR_DIGIT``).

One regex class, used by the index's own check (``index.search.QUESTION_PATTERN``, which the
search page meets) and as the JSON API's ``pattern`` in the OpenAPI document, so the page, the API
and every schema tool agree on what a question is.

It is built from ``unicodedata``: the code points of the BMP whose category is a letter (L*) or a
number (N*), compressed into ranges and written as ``\\uXXXX`` escapes. Not ``\\w``: Python reads
``\\w`` as Unicode (and with "_"), ECMA-262 regexes without the ``u`` flag (JSON Schema, OpenAPI
clients, schemathesis) as ASCII, so "شرف" or "æøå" would look invalid to clients. The escapes read
the same in Python's ``re``, Rust's ``regex`` (pydantic) and ECMA-262 with or without ``u``. Letters
beyond the BMP (which ECMA without ``u`` sees as two surrogates) are left out on both sides, so a
question of only such letters is refused everywhere alike; emoji and punctuation are never letters.
"""

from __future__ import annotations

import unicodedata

BMP_END = 0x10000


def _ranges() -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for cp in range(BMP_END):
        if unicodedata.category(chr(cp))[0] not in "LN":
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


def _char_class(ranges: list[tuple[int, int]]) -> str:
    parts = (f"\\u{a:04X}" if a == b else f"\\u{a:04X}-\\u{b:04X}" for a, b in ranges)
    return "[" + "".join(parts) + "]"


# Built at import (some 30 ms): follows the Unicode version of the running Python.
LETTER_OR_DIGIT = _char_class(_ranges())


def clean_question(question: str) -> str:
    """The question as one composed (NFC) line: invisible format characters dropped, other
    control characters and every kind of space made one space.

    A soft hyphen or zero-width space comes along when a word is copied from a PDF or from Word,
    inside the word ("genopdragelses\u00adrejse"): as a space it split the word, and the question
    found nothing. Other control characters carry no meaning and break XML (RSS) and terminals.
    """
    question = unicodedata.normalize("NFC", question)
    if question.isprintable():
        # Nothing to drop or replace (format and control characters and every space but " " are
        # not printable): the usual question, cleaned without reading it a character at a time.
        return " ".join(question.split())
    kept = ("" if unicodedata.category(ch) == "Cf" else ch if ch.isprintable() else " " for ch in question)
    return " ".join("".join(kept).split())
