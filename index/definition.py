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
The guides define their own word for a thing, so a term asked in other words counts as said by
the other terms of a thesaurus group that holds the whole term: "hvad betyder NSK" is answered by
"Negativ social kontrol er …", "honour based violence definition" by "En æresrelateret konflikt
opstår, når …".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from index.sentences import Unit

# The question forms that ask what a term is; ``term`` is what they ask about.
_ASKS = (
    re.compile(r"^\W*(?:hvad|hvab|hva)\s+(?:er|betyder|indebærer|menes(?:\s+der)?\s+med|forstås(?:\s+der)?\s+ved)"
               r"\s+(?:begrebet\s+|ordet\s+)?(?P<term>.+?)(?:\s+(?:egentlig|for\s+noget|helt\s+præcist))?\W*$"),
    re.compile(r"^\W*hvad\s+(?:dækker|går)\s+(?P<term>.+?)\s+(?:over|ud\s+på)\W*$"),
    re.compile(r"^\W*(?:(?:hvad\s+er\s+)?definition(?:en)?\s+(?:af|på)\s+|forklar\s+(?:begrebet\s+)?)"
               r"(?P<term>.+?)\W*$"),
    re.compile(r"^\W*(?P<term>.+?)\s+(?:(?:hvad\s+er\s+)?(?:definition(?:en)?|definering|betydning(?:en)?)"
               r"|hvad\s+er\s+det|hvad\s+betyder\s+det)\W*$"),
    re.compile(r"^\W*what\s+(?:is|are|does)\s+(?P<term>.+?)(?:\s+mean)?\W*$"),
)
_ARTICLES = frozenset({"en", "et", "den", "det", "de", "a", "an", "the"})
# A term of more words than this, or one that holds a clause, is a question about something else
# ("Hvad er den anbefalede handling, når risikoen er moderat?").
MAX_TERM_WORDS = 4
# A possessive asks about someone's own ("hvad er min rolle"), not what a term means.
_NOT_A_TERM = re.compile(r"[,;:]|\b(?:når|hvis|for at|fordi|forskellen|reglerne|eksempler|formålet|næste|første|"
                         r"bedst|vigtigst|nogle|hvilke|om|min|mit|mine|din|dit|dine|vores|jeres|deres|hans|hendes|"
                         r"sin|sit|sine)\b")
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
        words = [w for w in _WORD.findall(term) if w not in _ARTICLES]
        if not _NOT_A_TERM.search(term) and 0 < len(words) <= MAX_TERM_WORDS:
            return tuple(words)
    return None


@lru_cache(maxsize=256)
def _defining(term: tuple[str, ...]) -> re.Pattern[str]:
    # Each word in any inflection: its stem-ish prefix, then any ending ("konflikter" / "konflikt").
    words = r"\s+".join(re.escape(w[:max(4, len(w) - 2)]) + r"[\w-]*" for w in term)
    return re.compile(rf"^(?:(?:en|et|den|det|de|the|a|an)\s+)?{words}\s+(?:{_DEFINING_VERBS})\b"
                      rf"|^ved\s+{words}\s+(?:forstås|menes)\b")


def asked_terms(question: str, synonyms: Iterable[str] = ()) -> tuple[tuple[str, ...], ...]:
    """The term a question asks the meaning of and, when it asks one, the other names ``synonyms``
    gives it (``Terms.other_names``: the thesaurus groups that hold the whole term, so that "hvad er en
    anbringelse uden samtykke" is not defined by "Plejefamilien er …", a name of "anbringelse" alone);
    () when it asks something else."""
    term = asked_term(question)
    if term is None:
        return ()
    others = (tuple(w for w in _WORD.findall(s.casefold()) if w not in _ARTICLES) for s in synonyms)
    return (term, *dict.fromkeys(o for o in others if o and o != term))


def defines(text: str, terms: tuple[str, ...] | Sequence[tuple[str, ...]] | None) -> bool:
    """Whether ``text`` opens by saying what the term is: one term's words, or any of several terms
    (``asked_terms``); False when there is none."""
    if not terms:
        return False
    alternatives = [terms] if isinstance(terms[0], str) else terms
    opening = " ".join(text.casefold().split())
    return any(_defining(tuple(t)).match(opening) for t in alternatives if t)


def definitions(terms: Sequence[tuple[str, ...]], units: Sequence[Unit]) -> list[bool]:
    """Which of ``units`` define the asked term (``asked_terms``): by its own name where any unit
    does, else by another name. "hvad er konfliktmægling" is answered by "Konfliktmægling er en
    frivillig proces …", not by "Mægling er en krævende metode …", though "mægling" is in the group;
    "hvad betyder NSK" only by another name, since the guides never write "NSK"."""
    if not terms:
        return [False] * len(units)
    own = [defines(u.text, terms[0]) for u in units]
    return own if any(own) or len(terms) == 1 else [defines(u.text, terms[1:]) for u in units]
