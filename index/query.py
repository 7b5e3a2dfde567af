"""The first stage of search: a checked question becomes a ``Query`` every later stage reads.

    question ──check──► spelling (corpus words) ──► stems, thesaurus terms ──► query vector

Spelling correction feeds both retrievers (the model reads "børnefaglig undersøgelse" better than
"børnefalig undersøglse"); thesaurus terms feed only the lexical side, at a lower weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.embed import Embedder
from index.lexical import Analyzer
from index.spelling import Speller
from index.thesaurus import Thesaurus


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked (checked)
    search_text: str  # after spelling correction: what both retrievers search
    stems: list[str]  # content stems of ``search_text``
    expansion: list[str]  # thesaurus terms of the groups the question matches (lexical side only)
    vector: np.ndarray = field(repr=False)  # the model's query embedding (L2-normalised)


@dataclass
class QueryBuilder:
    analyzer: Analyzer
    embedder: Embedder
    speller: Speller
    thesaurus: Thesaurus

    def __call__(self, text: str) -> Query:
        search_text = self.speller.correct(text)
        stems = self.analyzer.stems(search_text)
        expansion = self.thesaurus.expand(stems)
        vector = self.embedder.encode_queries([search_text])[0]
        return Query(text, search_text, stems, expansion, vector)
