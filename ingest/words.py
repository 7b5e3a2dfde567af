"""Danish word knowledge for repairing extracted text: is this a word, where do glued words split.

The word list is ``wordfreq``'s Danish list (about 30,000 common words). Danish writes compounds
as one word and most compounds ("sagsbehandlere", "æresrelaterede") are *not* in that list, so
"unknown" never means "glued". A token is only split when it falls apart into the fewest known
words and a function word sits between them ("sager|om|konflikter"), which the fewest-pieces
split of a compound almost never has. This is the last resort: spaces are restored from glyph
positions first (see ``ingest/extract.py``). The word list loads lazily on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Short words that glue phrases together: prepositions, conjunctions, pronouns, auxiliaries.
# A function word *inside* a candidate split is the evidence that a token is a glued phrase.
FUNCTION_WORDS = frozenset(
    """
    af at de dem den der det dig du efter eller en end er et for fra fordi han har hende hendes
    hans hun hvis hvor hvordan hvad i ikke ind jeg kan kun man med men mig mod når og også om
    over på sig sin sine sit skal som så samt til ud under var ved vi vil være været
    """.split()
)
# Function words that may also *start* a glued phrase. Prepositions such as "for", "om", "til",
# "over" and "ud" are left out because they are common first members of compounds
# ("forældresamarbejde", "omsorgssvigt", "tilbudsviften").
STARTERS = frozenset("at de den der det du eller en er et han har hun hvis i jeg kan man men når og som vi".split())

_LETTERS = re.compile(r"[^\W\d_]+")
_MIN_GLUED_LEN = 6  # shorter unknown tokens are names, abbreviations or typos, not phrases
_MAX_GLUED_LEN = 80  # longer tokens are URLs or garbage; the search is quadratic


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Zipf frequency of a lower-case Danish word (0.0 when unknown)."""
    from wordfreq import zipf_frequency  # lazy: loading the list costs ~50 ms

    return float(zipf_frequency(word, "da"))


def is_word(word: str) -> bool:
    return zipf(word.lower()) > 0.0


def _piece_ok(piece: str) -> bool:
    """Whether a piece may stand alone in a split: a function word, or a reasonably common word."""
    if piece in FUNCTION_WORDS:
        return True
    if len(piece) < 3:
        return False  # two-letter entries in the list are mostly abbreviations and noise
    return zipf(piece) >= (3.0 if len(piece) == 3 else 2.0)


def segment(word: str) -> list[str] | None:
    """The split of a lower-case letter string into the fewest allowed pieces (ties: most common).

    Returns None when no split into allowed pieces exists.
    """
    n = len(word)
    # best[i] = (pieces, -frequency, cut) for word[:i]
    best: list[tuple[int, float, int] | None] = [None] * (n + 1)
    best[0] = (0, 0.0, 0)
    for end in range(1, n + 1):
        for start in range(end):
            prev = best[start]
            if prev is None:
                continue
            piece = word[start:end]
            if not _piece_ok(piece):
                continue
            cand = (prev[0] + 1, prev[1] - zipf(piece), start)
            current = best[end]
            if current is None or cand[:2] < current[:2]:
                best[end] = cand
    if best[n] is None:
        return None
    pieces: list[str] = []
    end = n
    while end > 0:
        entry = best[end]
        assert entry is not None
        pieces.append(word[entry[2] : end])
        end = entry[2]
    return pieces[::-1]


def looks_glued(pieces: list[str]) -> bool:
    """A split reads as a glued phrase when a function word sits *between* words or starts it.

    A function word at the end is no evidence: "en", "et", "er", "ne" are also Danish endings
    ("kontaktperson|en").
    """
    if len(pieces) < 2:
        return False
    return pieces[0] in STARTERS or any(p in FUNCTION_WORDS for p in pieces[1:-1])


def split_glued(token: str) -> str:
    """Restore spaces in one token of glued words; return it unchanged unless clearly glued.

    ``"sageromæresrelateredekonflikter"`` is only split when every piece is a known word; an
    unknown compound anywhere in it ("æresrelaterede") leaves the whole token alone, because a
    wrong cut inside a compound is worse than a glued phrase. Surrounding punctuation is kept.
    """
    if _LETTERS.fullmatch(token) is None:
        return _LETTERS.sub(lambda m: split_glued(m.group(0)), token)
    lower = token.lower()
    if not _MIN_GLUED_LEN <= len(lower) <= _MAX_GLUED_LEN or is_word(lower):
        return token
    pieces = segment(lower)
    if pieces is None or not looks_glued(pieces):
        return token
    out: list[str] = []
    pos = 0
    for piece in pieces:
        out.append(token[pos : pos + len(piece)])
        pos += len(piece)
    return " ".join(out)


def keep_joined(left: str, right: str) -> bool:
    """For a small gap between two letter runs: is it kerning inside one word rather than a space?

    True when the two halves make a known word and one half alone is not a word ("T" + "orsdag").
    """
    left, right = left.lower(), right.lower()
    if not left or not right:
        return False
    return is_word(left + right) and not (is_word(left) and is_word(right))
