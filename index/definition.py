"""Questions that ask what a term means, and the sentences that say it.

"hvad er negativ social kontrol" is answered by the guide's definition, "Negativ social kontrol er
et bredere begreb. Det dækker over kontrol, der begrænser …", which the sentence ranker's other
features rate below a sentence that says more beside the question's words ("Eksempler på negativ
social kontrol kan være: …"): a definition opens with the question's own words, and
everything else the ranker reads says a sentence that repeats the question answers little. So
the ranker and the confidence rule also read whether a sentence defines the question's term.

A sentence defines a term when it opens with it as its subject (after "en", "et", "den", "det",
"de"), the term's words in any inflection ("handlingsplan" / "Handlingsplanen fastlægger …"),
followed by a verb that defines ("er", "betyder", "dækker over", "fastlægger" …), or when it says
"Ved <term> forstås …". "Beredskabsplanens kerne er …" does not: the term is not its subject.
"""

from __future__ import annotations

import re
from functools import lru_cache

# The question forms that ask what a term is; ``term`` is what they ask about.
_ASKS = (
    re.compile(r"^\W*(?:hvad|hvab|hva)\s+(?:er|betyder|indebærer|menes(?:\s+der)?\s+med|forstås(?:\s+der)?\s+ved)"
               r"\s+(?:begrebet\s+|ordet\s+)?(?P<term>.+?)(?:\s+(?:egentlig|for\s+noget|helt\s+præcist))?\W*$"),
    re.compile(r"^\W*hvad\s+(?:dækker|går)\s+(?P<term>.+?)\s+(?:over|ud\s+på)\W*$"),
    re.compile(r"^\W*(?:definition\s+(?:af|på)\s+|forklar\s+(?:begrebet\s+)?)(?P<term>.+?)\W*$"),
    re.compile(r"^\W*(?P<term>.+?)\s+(?:definition|definering|betydning|hvad\s+er\s+det|hvad\s+betyder\s+det)\W*$"),
    re.compile(r"^\W*what\s+(?:is|are|does)\s+(?P<term>.+?)(?:\s+mean)?\W*$"),
)
_ARTICLES = frozenset({"en", "et", "den", "det", "de", "a", "an", "the"})
# A term of more words than this, or one that holds a clause, is a question about something else
# ("Hvad er den anbefalede handling, når risikoen er moderat?").
MAX_TERM_WORDS = 4
_NOT_A_TERM = re.compile(r"[,;:]|\b(?:når|hvis|for at|fordi|forskellen|reglerne|eksempler|formålet|næste|første|"
                         r"bedst|vigtigst|nogle|hvilke|om)\b")
_WORD = re.compile(r"[^\W\d_][\w-]*")
_DEFINING_VERBS = (r"er|var|betyder|dækker|defineres|forstås|kaldes|opstår|omfatter|indebærer|fastlægger|"
                   r"beskriver|handler|bruges|består|hedder|går ud på|is|are|means")


def asked_term(question: str) -> tuple[str, ...] | None:
    """The words of the term a question asks the meaning of, or None when it asks something else."""
    text = " ".join(question.casefold().split())
    for pattern in _ASKS:
        found = pattern.match(text)
        if found is None:
            continue
        term = found.group("term")
        if _NOT_A_TERM.search(term):
            return None
        words = [w for w in _WORD.findall(term) if w not in _ARTICLES]
        return tuple(words) if 0 < len(words) <= MAX_TERM_WORDS else None
    return None


@lru_cache(maxsize=256)
def _defining(term: tuple[str, ...]) -> re.Pattern[str]:
    # Each word in any inflection: its stem-ish prefix, then any ending ("konflikter" / "konflikt").
    words = r"\s+".join(re.escape(w[:max(4, len(w) - 2)]) + r"[\w-]*" for w in term)
    return re.compile(rf"^(?:(?:en|et|den|det|de|the|a|an)\s+)?{words}\s+(?:{_DEFINING_VERBS})\b"
                      rf"|^ved\s+{words}\s+(?:forstås|menes)\b")


def defines(text: str, term: tuple[str, ...] | None) -> bool:
    """Whether ``text`` opens by saying what ``term`` is (False when there is no term)."""
    if not term:
        return False
    return bool(_defining(term).match(" ".join(text.casefold().split())))
