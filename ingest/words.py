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
    re.findall(
        r"\S+",
        """
    af at de dem den der det dig du efter eller en end er et for fra fordi han har hende hendes
    hans hun hvis hvor hvordan hvad i ikke ind jeg kan kun man med men mig mod når og også om
    over på sig sin sine sit skal som så samt til ud under var ved vi vil være været
    """,
    )
)
# Function words that may also *start* a glued phrase. Prepositions such as "for", "om", "til",
# "over" and "ud" are left out because they are common first members of compounds
# ("forældresamarbejde", "omsorgssvigt", "tilbudsviften").
STARTERS = frozenset(
    re.findall(r"\S+", "at de den der det du eller en er et han har hun hvis i jeg kan man men når og som vi")
)

_LETTERS = re.compile(r"[^\W\d_]+")
_MIN_GLUED_LEN = 6  # shorter unknown tokens are names, abbreviations or typos, not phrases
_MAX_GLUED_LEN = 200  # longer tokens are URLs or garbage; the search is quadratic
# Tokens this long are glued lines, not compounds: Danish compounds rarely pass 22 letters, while a
# line exported without any word gap is 40-80. Only such tokens are repaired in running text.
SUSPECT_LEN = 25
# An unknown stretch (a compound missing from the list) costs 1 + 0.5 per letter, so known words
# win wherever they cover the letters and a whole glued line never wins as "one unknown word".
_UNKNOWN_BASE = 1.0
_UNKNOWN_PER_LETTER = 0.5
_UNKNOWN_MIN = 4


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Zipf frequency of a lower-case Danish word (0.0 when unknown)."""
    from wordfreq import zipf_frequency  # lazy: loading the list costs ~50 ms

    return float(zipf_frequency(word, "da"))


def is_word(word: str) -> bool:
    return zipf(word.lower()) > 0.0


@lru_cache(maxsize=20_000)
def _zipf_en(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def is_word_any(word: str) -> bool:
    """A Danish word, or a common English one (manuals and books quote English text)."""
    word = word.lower()
    return is_word(word) or _zipf_en(word) >= 2.5


def _known(piece: str) -> bool:
    """A function word, a reasonably common word, or a compound member with a linking -s."""
    if piece in FUNCTION_WORDS:
        return True
    if len(piece) < 3:
        return False  # two-letter entries in the list are mostly abbreviations and noise
    if zipf(piece) >= (3.0 if len(piece) == 3 else 2.0):
        return True
    # "integrations|området": the first member of a compound often carries a linking s
    return len(piece) >= 5 and piece.endswith("s") and zipf(piece[:-1]) >= 2.0


def segment(word: str, *, allow_unknown: bool = False) -> list[str] | None:
    """Split lower-case letters into the fewest known pieces (ties: the most common pieces).

    With ``allow_unknown``, stretches of four or more unknown letters (compounds missing from the
    list) may be pieces too, at a higher cost. Returns None when no split exists.
    """
    n = len(word)
    # best[i] = (cost, -frequency, start of the last piece) for word[:i]
    best: list[tuple[float, float, int] | None] = [None] * (n + 1)
    best[0] = (0.0, 0.0, 0)
    for end in range(1, n + 1):
        for start in range(end):
            prev = best[start]
            if prev is None:
                continue
            piece = word[start:end]
            if _known(piece):
                cand = (prev[0] + 1, prev[1] - zipf(piece), start)
            elif allow_unknown and end - start >= _UNKNOWN_MIN:
                cost = _UNKNOWN_BASE + _UNKNOWN_PER_LETTER * (end - start)
                cand = (prev[0] + cost, prev[1], start)
            else:
                continue
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

    A token splits only into the fewest known words with a function word between them
    ("sageromkonflikter" → "sager om konflikter"). Unknown compounds are allowed as pieces only in
    tokens of ``SUSPECT_LEN`` letters or more, which cannot be single words anyway. Punctuation
    around the letters is kept.
    """
    if _LETTERS.fullmatch(token) is None:
        return _LETTERS.sub(lambda m: split_glued(m.group(0)), token)
    lower = token.lower()
    if not _MIN_GLUED_LEN <= len(lower) <= _MAX_GLUED_LEN or is_word(lower):
        return token
    pieces = segment(lower, allow_unknown=len(lower) >= SUSPECT_LEN)
    if pieces is None or not looks_glued(pieces):
        return token
    out: list[str] = []
    pos = 0
    for piece in pieces:
        out.append(token[pos : pos + len(piece)])
        pos += len(piece)
    return " ".join(out)


def is_suspect(token: str) -> bool:
    """Whether a token of running text is long enough to be glued words rather than one word."""
    return any(len(run) >= SUSPECT_LEN for run in _LETTERS.findall(token))


def keep_joined(left: str, right: str) -> bool:
    """For a small gap between two letter runs: is it kerning inside one word rather than a space?

    True when the two halves make a known word and one half alone is not a word ("T" + "orsdag").
    """
    left, right = left.lower(), right.lower()
    if not left or not right:
        return False
    return is_word(left + right) and not (is_word(left) and is_word(right))
