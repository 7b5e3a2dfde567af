"""Query-time expansion from the domain thesaurus (``corpus/thesaurus.toml``).

A group lists ways of saying one thing ("tvangsægteskab", "giftes mod sin vilje", …). A question
matches a term when every content stem of the term occurs among the question's stems; the
question is then also searched, on the lexical side only and at a lower weight, with the stems of
the group's other terms. Matching on stems keeps inflections ("giftet mod hendes vilje" still
holds gift/vilj) without a phrase parser; the thesaurus file says why groups are kept apart.
The answer's sentence ranker reads the same groups (``synonyms``): a question word of a term
counts as found in a sentence that holds another term of its group.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("kb.thesaurus")

MAX_GROUPS = 2000
MAX_TERMS = 40


@dataclass(frozen=True)
class Group:
    terms: tuple[str, ...]
    stems: tuple[frozenset[str], ...]  # content stems of each term, parallel to ``terms``


@dataclass
class Thesaurus:
    groups: list[Group] = field(default_factory=list)
    version: int | None = None
    sha256: str | None = None

    @classmethod
    def empty(cls) -> Thesaurus:
        return cls()

    @classmethod
    def load(cls, path: Path, stems: Callable[[str], list[str]]) -> Thesaurus:
        """Read and analyse the file; an unreadable thesaurus is an error an operator must see."""
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
        groups_in = data.get("group", [])
        if not isinstance(groups_in, list) or len(groups_in) > MAX_GROUPS:
            raise ValueError(f"{path}: 'group' skal være en liste med højst {MAX_GROUPS} grupper")
        groups: list[Group] = []
        for number, entry in enumerate(groups_in, start=1):
            terms = entry.get("terms") if isinstance(entry, dict) else None
            if (not isinstance(terms, list) or not 2 <= len(terms) <= MAX_TERMS
                    or not all(isinstance(t, str) and t.strip() for t in terms)):
                raise ValueError(f"{path}: gruppe {number} skal have 2–{MAX_TERMS} ord eller udtryk i 'terms'")
            analysed = tuple(frozenset(stems(t)) for t in terms)
            kept = [(t, s) for t, s in zip(terms, analysed, strict=True) if s]
            if len(kept) >= 2:
                groups.append(Group(tuple(t for t, _ in kept), tuple(s for _, s in kept)))
        version = data.get("version")
        return cls(groups, version if isinstance(version, int) else None, hashlib.sha256(raw).hexdigest())

    def __post_init__(self) -> None:
        # Each stem → the groups with a term that holds it: a question is checked against the few
        # groups that share a stem with it, not against every group of the file.
        self._by_stem: dict[str, list[int]] = {}
        for number, group in enumerate(self.groups):
            for stem in frozenset().union(*group.stems):
                self._by_stem.setdefault(stem, []).append(number)

    def knows(self, stems: list[str]) -> bool:
        """Whether every one of a word's stems is in some term (so the word is no typo to correct)."""
        return bool(stems) and all(stem in self._by_stem for stem in stems)

    def expand(self, question_stems: list[str]) -> list[str]:
        """The other terms of every group the question matches (terms it does not already hold)."""
        have = set(question_stems)
        extra: dict[str, None] = {}
        for group in self._matched(have):
            extra.update(dict.fromkeys(t for t, s in zip(group.terms, group.stems, strict=True) if not s <= have))
        return list(extra)

    def names_of(self, term_stems: list[str]) -> list[str]:
        """The other terms of every group that holds a term of exactly these stems: other names for
        the whole term ("nsk" → "negativ social kontrol"), never for one of its words ("anbringelse
        uden samtykke" has none, though "anbringelse" and "samtykke" each have some)."""
        want = frozenset(term_stems)
        names: dict[str, None] = {}
        for group in self._matched(set(want)):
            if want in group.stems:
                names.update(dict.fromkeys(t for t, s in zip(group.terms, group.stems, strict=True) if s != want))
        return list(names)

    def synonyms(self, question_stems: list[str]) -> tuple[Synonym, ...]:
        """For each term the question holds, the stems of the other terms of its group.

        A text that says "kontakte forældrene" answers "ringe til forældrene": the coverage of a
        question's words (``index/answer.py``) counts a word of a term as found where another term
        of its group is.
        """
        have = set(question_stems)
        return tuple(Synonym(term, tuple(o for o in group.stems if o != term))
                     for group in self._matched(have) for term in group.stems if term <= have)

    def _matched(self, have: set[str]) -> list[Group]:
        numbers = sorted({n for stem in have for n in self._by_stem.get(stem, ())})
        return [g for g in (self.groups[n] for n in numbers) if any(s <= have for s in g.stems)]


@dataclass(frozen=True)
class Synonym:
    """A term the question holds (its stems) and the stems of the other terms of its group."""

    term: frozenset[str]
    others: tuple[frozenset[str], ...]
