"""Typo and missing-æøå tolerance: question words the corpus never uses are mapped to its words.

Caseworkers type fast, on keyboards or phones without æ/ø/å ("tvangsaegteskab", "børnefalig
undersøglse"). A question word that is not in the corpus vocabulary is replaced by the corpus word
it most likely means: first an exact match after folding æ→ae, ø→oe, å→aa (and "aa"→"å"), then the
closest word by edit distance (one edit for words up to 7 letters, two beyond; two swapped letters
are one edit), preferring the corpus word that the typed one is without its æ/ø/å, then the more
frequent one. A word typed with the old "aa" whose "å" spelling is far more common is that
spelling, however short ("paa" → "på", "naar" → "når"). A word that is neither Danish nor English
but becomes Danish with its æ/ø/å ("hort" → "hørt") is that word, even when the guides never use
it, unless a corpus word is one letter more or less away ("ogle" is "nogle"). A Danish word
(``wordfreq``'s list, ``ingest/words.py``) is no typo: it only gets its æ/ø/å back ("mode" →
"møde"), so an everyday word the guides never use stays itself ("onkel" was searched as "enkel",
"brev" as "blev"). An English word still maps to its Danish cousin ("indicators" → "indikator"),
which helped the questions that mix English in. Words that are already in the corpus are never
touched, so correctly spelled questions are searched exactly as typed, and neither are the
thesaurus's words (``QueryBuilder``): "omskæring" is no typo of "omkring", but the everyday word
the thesaurus maps to "kønslemlæstelse".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations, product

from ingest.words import is_word, is_word_any, zipf

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_LENGTH = 4  # shorter words are too ambiguous to correct


def _limit(length: int) -> int:
    """Edits allowed for a word of this length: one up to 7 letters, two beyond."""
    return 1 if length <= 7 else 2


def fold(word: str) -> str:
    return word.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")


def bare(word: str) -> str:
    """``word`` as typed on a keyboard without æ/ø/å and without their two-letter spellings."""
    return word.casefold().replace("æ", "a").replace("ø", "o").replace("å", "a")


_DIGRAPHS = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))
_LETTERS = {"a": ("æ", "å"), "o": ("ø",)}
MAX_RESTORED_LETTERS = 2
MAX_RESTORATIONS = 500
# How much more frequent (in Zipf units: 2 = a hundred times) the "å" spelling of a word typed with
# "aa" must be for "aa" to count as the old spelling: "paa" 4.7 against "på" 7.2, while the place
# names keep theirs ("Aalborg" 5.3 against "Ålborg" 3.7).
OLD_SPELLING_MARGIN = 2.0


def restorations(word: str) -> list[str]:
    """Spellings of ``word`` with up to two of its æ/ø/å put back ("hort" → "hørt", "paa" → "på").

    Fewest changes first, at most two and ``MAX_RESTORATIONS`` spellings: a long word yields a few
    hundred, not millions, and a restored letter anywhere in it is tried (a list cut off in the
    order of the letters reached only its last ones).
    """
    slots: list[tuple[int, int, tuple[str, ...]]] = []  # (position, letters replaced, replacements)
    i = 0
    while i < len(word):
        restored = next((letter for digraph, letter in _DIGRAPHS if word.startswith(digraph, i)), None)
        if restored is not None:
            slots.append((i, 2, (restored,)))
            i += 2
            continue
        if word[i] in _LETTERS:
            slots.append((i, 1, _LETTERS[word[i]]))
        i += 1
    out: list[str] = []
    for count in range(1, MAX_RESTORED_LETTERS + 1):
        for chosen in combinations(slots, count):
            for letters in product(*(options for _, _, options in chosen)):
                spelled, end = [], 0
                for (at, width, _), letter in zip(chosen, letters, strict=True):
                    spelled += [word[end:at], letter]
                    end = at + width
                out.append("".join(spelled) + word[end:])
                if len(out) >= MAX_RESTORATIONS:
                    return out
    return out


@dataclass
class Speller:
    counts: dict[str, int] = field(default_factory=dict)  # corpus word -> occurrences

    def __post_init__(self) -> None:
        is_word("og")  # loads the Danish word list now (once per process), not on a first question
        self._folded: dict[str, str] = {}
        for word in sorted(self.counts, key=lambda w: -self.counts[w]):
            self._folded.setdefault(fold(word), word)
        # Levenshtein distance is at least the difference in length, so a word is only compared
        # with corpus words whose length is within the edit limit (a fifth of the vocabulary);
        # those lists are made once, for every length a question word can have.
        by_length: dict[int, list[str]] = {}
        for word in self.counts:
            by_length.setdefault(len(word), []).append(word)
        longest = max(by_length, default=0)
        self._near_length: dict[int, list[str]] = {
            n: [w for m in range(n - _limit(n), n + _limit(n) + 1) for w in by_length.get(m, ())]
            for n in range(MIN_LENGTH, longest + 3)}

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Speller:
        counts: dict[str, int] = {}
        for text in texts:
            for word in WORD.findall(text.casefold()):
                if len(word) >= MIN_LENGTH:
                    counts[word] = counts.get(word, 0) + 1
        return cls(counts)

    def correct_word(self, word: str) -> str | None:
        """The corpus word meant by an unknown ``word``, or None (known, too short, or no match)."""
        lower = word.casefold()
        if lower in self.counts:
            return None
        if "aa" in lower:
            # wordfreq's list holds the pre-1948 spellings ("paa", "maa", "naar") from old texts, so
            # neither the Danish-word rule nor the length limit below would give them their "å".
            modern = lower.replace("aa", "å")
            if zipf(modern) >= zipf(lower) + OLD_SPELLING_MARGIN:
                return modern
        if len(lower) < MIN_LENGTH:
            return None
        folded = self._folded.get(fold(lower))
        if folded is not None:
            return folded
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = _limit(len(lower))
        candidates = self._near_length.get(len(lower), ())
        # OSA: two swapped letters are one typo ("statisitk" is "statistik", not "statisk").
        matches = process.extract(lower, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if is_word(lower):
            # A Danish word is no typo of a corpus word, only perhaps typed without its æ/ø/å
            # ("mode" for "møde"): "bare" is not "fare", nor "brev" "blev".
            matches = [m for m in matches if bare(m[0]) == bare(lower)]
        elif restored := [m for m in matches if bare(m[0]) == lower]:
            # The typed word is a corpus word without its æ/ø/å: that word, before a nearer-looking or
            # more frequent one. (Not the reverse: "støre" is "større", not "store".)
            matches = restored
        elif not is_word_any(lower) and all(len(m[0]) == len(lower) for m in matches):
            # Nor is it in the corpus, but with its æ/ø/å it is a Danish word: "skolen har hort" was
            # searched, and shown, as "skolen har kort". Only against corpus words of its length: a
            # missing letter ("ogle" for "nogle") is likelier than a missing ø ("øgle"), and an
            # English word ("able") is no Danish one without its æ.
            spelled = [w for w in restorations(lower) if is_word(w)]
            if spelled:
                return max(spelled, key=zipf)
        if not matches:
            return None
        best = min(matches, key=lambda m: (m[1], -self.counts[m[0]]))
        return best[0]

    def correct(self, text: str, keep: Callable[[str], bool] | None = None) -> str:
        """``text`` with unknown words replaced by the corpus words they most likely mean.

        ``keep``: words known elsewhere (the thesaurus's), left as typed although the corpus never
        uses them; asked only of a word that would be replaced.
        """

        def fix(match: re.Match[str]) -> str:
            replacement = self.correct_word(match.group())
            if replacement is None or (keep is not None and keep(match.group())):
                return match.group()
            return replacement

        return WORD.sub(fix, text)
