"""Choose the dense/lexical fusion weight for the model at hand, without labelled questions.

How much to trust dense retrieval depends on the model: on a Danish question set the English
MiniLM is far behind BM25, multilingual-e5-small far ahead, and one fixed weight that suits one
hurts the other (``bench/quality.py``). So every build measures it on the corpus itself: each
section title is a pseudo-question whose relevant passages are that section's passages (the
title is left out of the lexical text here, so BM25 gets no free match), and the weight with
the best MRR@10 wins.

Titles are a small sample and noisy, so the curve is smoothed over neighbouring weights and the
result is clamped to [MIN_WEIGHT, MAX_WEIGHT]: the bounds where, on the fixture question set,
fusion beat the better single retriever with both models (MiniLM ≤ 0.35, e5 ≥ 0.7).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.embed import Embedder
from index.fusion import FusionConfig, fuse
from index.lexical import Analyzer, LexicalIndex
from ingest.models import Passage

GRID = tuple(round(w, 2) for w in np.arange(0.0, 1.0001, 0.05))
MIN_WEIGHT = 0.25
MAX_WEIGHT = 0.85
DEFAULT_WEIGHT = 0.5  # too few section titles to measure anything
MIN_QUERIES = 8
MAX_QUERIES = 300  # enough for a stable curve; keeps a build's extra encoding to seconds


@dataclass
class Calibration:
    dense_weight: float
    queries: int
    curve: dict[float, float] = field(default_factory=dict)  # weight -> MRR@10 on the pseudo-questions

    def as_dict(self) -> dict[str, object]:
        return {"dense_weight": self.dense_weight, "queries": self.queries,
                "curve": {f"{w:.2f}": round(m, 4) for w, m in self.curve.items()}}


def calibrate(passages: list[Passage], vectors: np.ndarray, embedder: Embedder, analyzer: Analyzer) -> Calibration:
    sections: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(passages):
        if p.section:
            sections.setdefault((p.publication_id, p.section), []).append(i)
    queries = [(title, np.array(ids)) for (_, title), ids in sections.items()
               if len(analyzer.words(title)) >= 1][:MAX_QUERIES]
    if len(queries) < MIN_QUERIES:
        return Calibration(DEFAULT_WEIGHT, len(queries))

    lexical = LexicalIndex(analyzer)
    lexical.index([p.text for p in passages])
    query_vectors = embedder.encode_queries([title for title, _ in queries])
    scored = [(lexical.scores(title), vectors @ qv, relevant)
              for (title, relevant), qv in zip(queries, query_vectors, strict=True)]

    curve: dict[float, float] = {}
    for w in GRID:
        config = FusionConfig(method="zscore", dense_weight=w)
        total = 0.0
        for lex, dense, relevant in scored:
            fused = fuse(lex, dense, config)
            best_relevant = fused[relevant].max()
            rank = int((fused > best_relevant).sum()) + 1
            total += 1.0 / rank if rank <= 10 else 0.0
        curve[w] = total / len(scored)

    values = np.array([curve[w] for w in GRID])
    smoothed = np.convolve(np.pad(values, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    best = float(GRID[int(np.argmax(smoothed))])
    return Calibration(float(min(max(best, MIN_WEIGHT), MAX_WEIGHT)), len(scored), curve)
