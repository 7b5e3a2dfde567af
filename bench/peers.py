"""The peers the product is measured against, built on the same PDFs with the same model.

- naive dense: pypdf's ``extract_text`` per page → 1000-character chunks with 200 overlap → the
  same sentence-transformers model (with its query/passage prefixes) → FAISS inner product;
- BM25: Danish Snowball stems and stop words (bm25s) on the same chunks;
- RRF: equal-weight reciprocal rank fusion (k = 60) of the two.

Each peer answers ``search(question, k)`` with ``Hit``s whose passages carry the chunk's page, so
``index.evaluate`` scores them exactly as it scores the product.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.embed import Embedder
from index.search import Hit
from ingest.manifest import load_manifest
from ingest.models import Passage

CHUNK = 1000
OVERLAP = 200
RRF_K = 60


def page_chunks(corpus: Path) -> list[Passage]:
    from pypdf import PdfReader

    chunks: list[Passage] = []
    for pub in load_manifest(corpus / "publications.toml"):
        reader = PdfReader(corpus / pub.file)
        for number, page in enumerate(reader.pages, start=1):
            text = " ".join((page.extract_text() or "").split())
            start = 0
            while start < len(text):
                piece = text[start:start + CHUNK]
                pid = f"{pub.id}-{number}-{start}"
                chunks.append(Passage(pid, pub.id, pub.title, number, number, None, None, piece))
                if start + CHUNK >= len(text):
                    break
                start += CHUNK - OVERLAP
    return chunks


@dataclass
class NaivePeers:
    chunks: list[Passage]
    embedder: Embedder

    def __post_init__(self) -> None:
        import bm25s
        import faiss
        import Stemmer

        vectors = self.embedder.encode_passages([c.text for c in self.chunks])
        self._faiss = faiss.IndexFlatIP(vectors.shape[1])
        self._faiss.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self._stemmer = Stemmer.Stemmer("danish")
        self._bm25 = bm25s.BM25()
        tokens = bm25s.tokenize([c.text for c in self.chunks], stopwords="da", stemmer=self._stemmer,
                                show_progress=False)
        self._bm25.index(tokens, show_progress=False)

    def dense(self, question: str) -> np.ndarray:
        q = self.embedder.encode_queries([question])
        sims, ids = self._faiss.search(np.ascontiguousarray(q, dtype=np.float32), len(self.chunks))
        out = np.full(len(self.chunks), -np.inf)
        out[ids[0]] = sims[0]
        return out

    def lexical(self, question: str) -> np.ndarray:
        import bm25s

        tokens = bm25s.tokenize([question], stopwords="da", stemmer=self._stemmer, show_progress=False,
                                return_ids=False)[0]
        if not tokens:
            return np.zeros(len(self.chunks))
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float64)

    def ranker(self, name: str) -> Ranker:
        return Ranker(self, name)


def _rrf(*scores: np.ndarray) -> np.ndarray:
    total = np.zeros(len(scores[0]))
    for s in scores:
        order = np.argsort(-s, kind="stable")
        ranks = np.empty(len(s))
        ranks[order] = np.arange(1, len(s) + 1)
        total += 1.0 / (RRF_K + ranks)
    return total


@dataclass
class Ranker:
    """One peer as something ``index.evaluate.evaluate`` can rank with (``with_confidence=False``)."""

    peers: NaivePeers
    name: str

    def search(self, question: str, k: int = 10, **_: object) -> list[Hit]:
        if self.name == "dense":
            scores = self.peers.dense(question)
        elif self.name == "bm25":
            scores = self.peers.lexical(question)
        else:
            scores = _rrf(self.peers.dense(question), self.peers.lexical(question))
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self.peers.chunks[i], float(scores[i])) for i in order]
