"""The first stage of search: a checked question becomes a ``Query`` every later stage reads.

    question ──check──► spelling (corpus words) ──► stems, thesaurus terms ──► query vector
                                              └──► a case story's question weighted (index/focus.py)

Spelling correction feeds both retrievers (the model reads "børnefaglig undersøgelse" better than
"børnefalig undersøglse"); thesaurus terms feed only the lexical side, at a lower weight, and
the answer's sentence ranker, which counts a question word as found where a sentence has a
synonym of it (``Terms.synonyms``) and reads a definition by another name of the term a question
asks the meaning of (``Terms.other_names``: groups that hold the whole term).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.definition import asked_term
from index.embed import Embedder
from index.focus import weighted
from index.lexical import Analyzer
from index.spelling import Speller
from index.thesaurus import Synonym, Thesaurus


@dataclass(frozen=True)
class Terms:
    """What the lexical side reads: everything of a ``Query`` but the model's vector."""

    text: str  # the question as asked (checked)
    search_text: str  # after spelling correction: what the answer and its vetoes read
    # what both retrievers read: ``search_text``, with a case story's question said twice (index/focus.py)
    weighted_text: str
    stems: list[str]  # content stems of ``search_text``
    expansion: list[str]  # thesaurus terms of the groups the question matches (lexical side only)
    synonyms: tuple[Synonym, ...]  # the question's thesaurus terms, for the coverage of its words
    # other names of the term the question asks the meaning of (index/definition.py), from the thesaurus
    other_names: list[str]

    def with_vector(self, vector: np.ndarray) -> Query:
        return Query(self.text, self.search_text, self.weighted_text, self.stems, self.expansion, self.synonyms,
                     self.other_names, vector)


@dataclass(frozen=True)
class Query(Terms):
    vector: np.ndarray = field(repr=False)  # the model's query embedding (L2-normalised)


@dataclass
class QueryBuilder:
    analyzer: Analyzer
    embedder: Embedder
    speller: Speller
    thesaurus: Thesaurus

    def __call__(self, text: str) -> Query:
        terms = self.terms(text)
        return terms.with_vector(self.embedder.encode_queries([terms.weighted_text])[0])

    def terms(self, text: str) -> Terms:
        search_text = self.speller.correct(text, keep=self._thesaurus_word)
        stems = self.analyzer.stems(search_text)
        asked = asked_term(search_text)
        return Terms(text, search_text, weighted(search_text), stems, self.thesaurus.expand(stems),
                     self.thesaurus.synonyms(stems),
                     self.thesaurus.names_of(self.analyzer.stems(" ".join(asked))) if asked else [])

    def _thesaurus_word(self, word: str) -> bool:
        return self.thesaurus.knows(self.analyzer.stems(word))

    async def vector_async(self, terms: Terms) -> np.ndarray:
        """The query's vector, for an event loop: awaited, never waited for in a thread."""
        encode = getattr(self.embedder, "encode_queries_async", None)  # the server's QueryBatcher
        if encode is not None:
            return (await encode([terms.weighted_text]))[0]
        # Without one (a library caller), here and now, as calling the builder does: a pool thread
        # would run the model on a team of torch threads of its own (see index/batching.py).
        return self.embedder.encode_queries([terms.weighted_text])[0]
