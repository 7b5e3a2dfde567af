"""Search suggestions for ``/api/suggest`` (OpenSearch suggestions: ``["q", ["completion", …]]``).

The source is the live index itself: its section titles, then the corpus's frequent content
words. It is built once per index version (a few milliseconds for thousands of passages) and
cached by version, so a swap to a new version brings fresh suggestions without a restart.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import Counter

from index.search import SearchIndex

MAX_SUGGESTIONS = 8
MIN_TERM_CHARS = 4
MIN_TERM_COUNT = 2  # a word seen once is as likely an extraction slip as a topic


class Suggester:
    def __init__(self, sections: list[str], terms: list[str]) -> None:
        # Sections first: they are the caseworker's vocabulary for topics ("Genopdragelsesrejser").
        self._entries = list(dict.fromkeys([*sections, *terms]))
        self._rank = {entry.casefold(): i for i, entry in reversed(list(enumerate(self._entries)))}
        self._sorted = sorted(self._rank)  # casefolded, for prefix search with bisect

    @classmethod
    def from_index(cls, index: SearchIndex) -> Suggester:
        sections = sorted({p.section.strip() for p in index.passages if p.section and p.section.strip()},
                          key=str.casefold)
        counts: Counter[str] = Counter()
        words = index.lexical.analyzer.words  # casefolded, Danish stop words removed
        for passage in index.passages:
            counts.update(w for w in words(passage.text) if len(w) >= MIN_TERM_CHARS and w.isalpha())
        terms = [w for w, n in counts.most_common() if n >= MIN_TERM_COUNT]
        return cls(sections, terms)

    def _starting_with(self, prefix: str) -> list[str]:
        key = prefix.casefold()
        start = bisect_left(self._sorted, key)
        found: list[str] = []
        for candidate in self._sorted[start:]:
            if not candidate.startswith(key):
                break
            found.append(candidate)
        return [self._entries[i] for i in sorted(self._rank[c] for c in found)]

    def suggest(self, q: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Whole-query completions first, then completions of the last word typed."""
        q = " ".join(q.split())
        if not q:
            return []
        out = [s for s in self._starting_with(q) if s.casefold() != q.casefold()]
        head, _, last = q.rpartition(" ")
        if head and last:
            # Words only (lower-case corpus terms), not section titles, inside a sentence being typed.
            out += [f"{head} {word}" for word in self._starting_with(last) if word.islower()
                    and word.casefold() != last.casefold()]
        return list(dict.fromkeys(out))[:limit]


class SuggestionCache:
    """One :class:`Suggester` per index version; only the newest version is kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._suggester: Suggester | None = None

    def for_index(self, index: SearchIndex) -> Suggester:
        with self._lock:
            if self._suggester is None or self._version != index.version:
                self._suggester = Suggester.from_index(index)
                self._version = index.version
            return self._suggester
