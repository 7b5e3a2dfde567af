"""The first stage of search: a checked question becomes a ``Query`` every later stage reads.

    question ──check──► spelling (corpus words) ──► stems, thesaurus terms ──► query vector

Spelling correction feeds both retrievers (the model reads "børnefaglig undersøgelse" better than
"børnefalig undersøglse"); thesaurus terms feed only the lexical side, at a lower weight.
"""

from __future__ import annotations

import asyncio
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
        return self._query(text, search_text, self.embedder.encode_queries([search_text])[0])

    async def build_async(self, text: str) -> Query:
        """The same ``Query``, for an event loop: the encode is awaited, never waited for."""
        search_text = self.speller.correct(text)
        encode = getattr(self.embedder, "encode_queries_async", None)  # the server's QueryBatcher
        if encode is not None:
            vectors = await encode([search_text])
        else:
            vectors = await asyncio.to_thread(self.embedder.encode_queries, [search_text])
        return self._query(text, search_text, vectors[0])

    def _query(self, text: str, search_text: str, vector: np.ndarray) -> Query:
        stems = self.analyzer.stems(search_text)
        return Query(text, search_text, stems, self.thesaurus.expand(stems), vector)
