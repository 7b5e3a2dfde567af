"""Optional rerank stage: a cross-encoder reads the question with each candidate passage.

Off unless ``KB_RERANKER_MODEL`` names a sentence-transformers ``CrossEncoder`` (a hub name or a
local folder), e.g. a multilingual reranker on sites with internet. It reorders the first
``top_n`` fused candidates by the cross-encoder's score; confidence and the relevance floor stay
with the calibrated retrieval evidence, because a reranker's scores have no scale we could
measure here (no Danish cross-encoder can be downloaded on the build machine).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from index.embed import set_torch_threads
from index.errors import ModelLoadError

if TYPE_CHECKING:
    from index.search import Hit

log = logging.getLogger("kb.rerank")

DEFAULT_TOP_N = 20


@dataclass
class Reranker:
    model: Any  # sentence_transformers.CrossEncoder
    name: str
    top_n: int = DEFAULT_TOP_N

    @classmethod
    def load(cls, name: str, *, top_n: int = DEFAULT_TOP_N) -> Reranker:
        try:
            from sentence_transformers import CrossEncoder

            model = CrossEncoder(name, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any failure to load means: no reranker, said clearly
            raise ModelLoadError(
                f"Rerankeren {name!r} (KB_RERANKER_MODEL) kunne ikke indlæses: {exc}. "
                "Fjern KB_RERANKER_MODEL, eller hent modellen til en lokal mappe."
            ) from exc
        log.info("reranker %s loaded", name)
        return cls(model, name, top_n)

    def rerank(self, question: str, hits: list[Hit], known: dict[str, float] | None = None) -> list[Hit]:
        """The first ``top_n`` hits in the cross-encoder's order, each scored by it; then the rest
        in their fused order.

        Only the first ``top_n`` whatever the caller asks for: the answer reads the first few
        reranked hits, and a request for more passages (a larger k) must not let one fused far
        down into them, or the answer to a question would change with k.

        ``known``: this question's scores by passage id from an earlier call, read and added to,
        so that two rankings of one search (filtered and not) score a passage once.
        """
        head, tail = hits[: self.top_n], hits[self.top_n:]
        if len(head) < 2:
            return hits
        known = {} if known is None else known
        new = [h for h in head if h.passage.id not in known]
        if new:
            if threading.current_thread() is not threading.main_thread():
                # A server's pool thread: on one torch thread, so that it never starts a team of
                # its own, which would slow every question's encode in the process (index/batching.py).
                set_torch_threads(1)
            predicted = self.model.predict([(question, h.passage.text) for h in new], show_progress_bar=False)
            known.update((h.passage.id, float(p)) for h, p in zip(new, predicted, strict=True))
        scores = [known[h.passage.id] for h in head]
        order = sorted(range(len(head)), key=lambda i: -scores[i])
        reranked = [replace(head[i], score=scores[i]) for i in order]
        if not tail:
            return reranked
        # Scores rank the whole list (clients sort by them): the rest go on below the last reranked
        # score by their distance from the head's lowest score (the fused one, or where the pages
        # are spread, the score that ranks it there: ``index/diversity.py``).
        last = reranked[-1].score
        edge = min(h.score for h in head)
        return [*reranked, *(replace(h, score=last - (edge - h.score)) for h in tail)]
