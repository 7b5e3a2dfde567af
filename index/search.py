"""One loaded index version: hybrid search and extractive answers."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.answer import (
    AnswerConfig,
    AnswerSentence,
    Evidence,
    candidate_sentences,
    coverage,
    dense_z,
    is_confident,
    pick_sentences,
)
from index.dense import DenseIndex
from index.embed import Embedder
from index.errors import CorruptIndex, ModelMismatch, QuestionError
from index.fusion import FusionConfig, fuse, top_k
from index.lexical import LexicalIndex
from index.store import read_passages
from index.version import VersionManifest
from ingest.models import Passage
from ingest.settings import MAX_QUESTION_CHARS

log = logging.getLogger("kb.search")

MAX_K = 50
# What a question must contain: a letter or digit. Also the API schema's pattern, so clients
# (and the schema fuzzer) know that "   " or "???" is not a question.
QUESTION_PATTERN = re.compile(r"\w")
SENTENCE_CACHE_PASSAGES = 4096  # ~15 sentences × 384 floats each: at most ~100 MB, usually far less


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    lexical: float = 0.0
    dense: float = 0.0


@dataclass(frozen=True)
class Results:
    """What a search returns to people: only passages that clear the relevance floor.

    ``confident`` says whether the index holds a passage that answers the query at all; when it
    is False, ``hits`` is empty (nothing clears the floor) and a caller may show ``nearest``.
    """

    query: str
    confident: bool
    hits: list[Hit]
    nearest: list[Hit]


@dataclass(frozen=True)
class Answer:
    question: str
    confident: bool
    sentences: list[AnswerSentence]
    hits: list[Hit]
    evidence: Evidence | None = None


def check_question(question: str) -> str:
    # Control characters carry no meaning in a question and break XML (RSS) and terminals.
    question = " ".join("".join(ch if ch.isprintable() else " " for ch in question).split())
    if not QUESTION_PATTERN.search(question):  # empty, or only punctuation: nothing to search for
        raise QuestionError("Skriv et spørgsmål – feltet er tomt eller har hverken bogstaver eller tal.")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"Spørgsmålet er for langt (højst {MAX_QUESTION_CHARS} tegn).")
    return question


def check_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise QuestionError(f"k skal være mellem 1 og {MAX_K}.")
    return k


@dataclass
class SearchIndex:
    version: str
    manifest: VersionManifest
    passages: list[Passage]
    dense: DenseIndex
    lexical: LexicalIndex
    embedder: Embedder
    fusion: FusionConfig = field(default_factory=FusionConfig)
    answer_config: AnswerConfig = field(default_factory=AnswerConfig)

    def __post_init__(self) -> None:
        self.by_id = {p.id: i for i, p in enumerate(self.passages)}
        # publication id -> PDF file name, for citation links (built once, not per hit)
        self.files: dict[str, str] = {p.id: p.file for p in self.manifest.publications}
        self._tokens: dict[int, set[str]] = {}
        self._sentence_cache: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def load(cls, path: Path, embedder: Embedder, manifest: VersionManifest) -> SearchIndex:
        built_with = manifest.model
        if built_with != embedder.model_name or manifest.dimension != embedder.dimension:
            raise ModelMismatch(
                f"Indeksversionen {path.name} er bygget med modellen {built_with!r} "
                f"(dimension {manifest.dimension}), men KB_EMBEDDING_MODEL er "
                f"{embedder.model_name!r} (dimension {embedder.dimension}). Byg indekset igen med "
                "`kb ingest`, eller sæt KB_EMBEDDING_MODEL tilbage."
            )
        try:
            passages = read_passages(path)
            dense = DenseIndex.load(path)
            lexical = LexicalIndex.load(path / "lexical")
        except CorruptIndex:
            raise
        except Exception as exc:  # noqa: BLE001 - any unreadable part means the version is unusable
            raise CorruptIndex(f"Indeksversionen {path.name} kan ikke indlæses: {exc}") from exc
        if dense.count != len(passages) or lexical.count != len(passages):
            raise CorruptIndex(f"Indeksversionen {path.name} er ufuldstændig (antal passager passer ikke).")
        fusion = FusionConfig(**manifest.fusion) if manifest.fusion is not None else FusionConfig()
        answer = AnswerConfig(**manifest.answer) if manifest.answer is not None else AnswerConfig()
        return cls(manifest.version, manifest, passages, dense, lexical, embedder, fusion, answer)

    # -- retrieval ---------------------------------------------------------------------------
    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lexical, dense) scores of every passage for the query, and the query's vector."""
        lexical = self.lexical.scores(query)
        vector = self.embedder.encode_queries([query])[0]
        return lexical, self.dense.scores(vector), vector

    def search(self, query: str, k: int = 10, *, fusion: FusionConfig | None = None,
               publication: str | None = None) -> list[Hit]:
        """The k best passages, however weak: the full ranking (what `kb eval` scores)."""
        query = check_question(query)
        check_k(k)
        lexical, dense, _ = self.scores(query)
        return self._hits(lexical, dense, k, fusion or self.fusion, publication)

    def find(self, query: str, k: int = 10, *, publication: str | None = None) -> Results:
        """The passages that clear the relevance floor (at most k), and whether there is an answer."""
        query = check_question(query)
        check_k(k)
        lexical, dense, _ = self.scores(query)
        hits = self._hits(lexical, dense, max(k, self.answer_config.passages_considered), self.fusion, publication)
        tokens = self.lexical.analyzer.stems(query)
        idf = {t: self.lexical.idf(t) for t in tokens}
        confident = is_confident(self._evidence(tokens, idf, hits, dense), self.answer_config)
        return Results(query, confident, hits[:k] if confident else [], hits[:k])

    def publication_ids(self) -> list[str]:
        return list(self.files)

    def _hits(self, lexical: np.ndarray, dense: np.ndarray, k: int, fusion: FusionConfig,
              publication: str | None = None) -> list[Hit]:
        fused = fuse(lexical, dense, fusion)
        if publication is not None:
            fused = np.where(self._publication_mask(publication), fused, -np.inf)
        return [Hit(self.passages[i], s, float(lexical[i]), float(dense[i]))
                for i, s in top_k(fused, k) if np.isfinite(s)]

    def _publication_mask(self, publication: str) -> np.ndarray:
        return np.array([p.publication_id == publication for p in self.passages], dtype=bool)

    # -- answers -----------------------------------------------------------------------------
    def ask(self, question: str, k: int = 5, *, publication: str | None = None) -> Answer:
        question = check_question(question)
        check_k(k)
        lexical, dense, vector = self.scores(question)
        hits = self._hits(lexical, dense, max(k, self.answer_config.passages_considered), self.fusion, publication)
        # The question's content stems and their idf serve both the confidence and the sentences.
        tokens = self.lexical.analyzer.stems(question)
        idf = {t: self.lexical.idf(t) for t in tokens}
        evidence = self._evidence(tokens, idf, hits, dense)
        sentences: list[AnswerSentence] = []
        if is_confident(evidence, self.answer_config):
            # Only from passages that are returned, so every sentence's citation is in the result.
            top = hits[: min(k, self.answer_config.passages_considered)]
            sentences = self._sentences(tokens, idf, vector, top)
        return Answer(question, bool(sentences), sentences, hits[:k], evidence)

    def _evidence(self, tokens: list[str], idf: dict[str, float | None], hits: list[Hit],
                  dense: np.ndarray) -> Evidence:
        if not hits:
            return Evidence(0.0, 0.0)
        found: set[str] = set()
        for hit in hits[: self.answer_config.passages_considered]:
            found |= self._passage_tokens(self.by_id[hit.passage.id])
        return Evidence(coverage(tokens, found, idf), dense_z(dense, self.by_id[hits[0].passage.id]))

    def _passage_tokens(self, index: int) -> set[str]:
        if index not in self._tokens:
            self._tokens[index] = set(self.lexical.analyzer.stems(self.passages[index].text))
        return self._tokens[index]

    def _sentences(self, q_tokens: list[str], idf: dict[str, float | None], q_vec: np.ndarray,
                   hits: list[Hit]) -> list[AnswerSentence]:
        candidates = candidate_sentences([(h.passage.id, h.passage.text) for h in hits])
        if not candidates:
            return []
        rank_of = {h.passage.id: r for r, h in enumerate(hits)}
        lexical = np.array([coverage(q_tokens, set(self.lexical.analyzer.stems(s)), idf) for s, _ in candidates])
        s_vecs = self._sentence_vectors([h.passage.id for h in hits], candidates)
        dense = s_vecs @ q_vec
        return pick_sentences(candidates, lexical, dense, [rank_of[pid] for _, pid in candidates],
                              self.answer_config, dense_weight=self.fusion.dense_weight)

    def _sentence_vectors(self, passage_ids: list[str], candidates: list[tuple[str, str]]) -> np.ndarray:
        """Sentence embeddings of the candidate sentences, cached per passage.

        Encoding the sentences is most of an answer's cost; popular passages come back again
        and again, so each passage's sentences are embedded once per loaded version.
        """
        found: dict[str, dict[str, np.ndarray]] = {}
        with self._cache_lock:
            for pid in passage_ids:
                if pid in self._sentence_cache:
                    self._sentence_cache.move_to_end(pid)
                    found[pid] = self._sentence_cache[pid]
        missing = [pid for pid in passage_ids if pid not in found]
        if missing:
            texts = [(s, pid) for s, pid in candidates if pid in missing]
            vectors = self.embedder.encode_passages([s for s, _ in texts])
            for pid in missing:
                found[pid] = {}
            for (sentence, pid), vector in zip(texts, vectors, strict=True):
                found[pid][sentence] = vector
            with self._cache_lock:
                for pid in missing:
                    self._sentence_cache[pid] = found[pid]
                while len(self._sentence_cache) > SENTENCE_CACHE_PASSAGES:
                    self._sentence_cache.popitem(last=False)
        return np.stack([found[pid][s] for s, pid in candidates])

    # -- browsing ----------------------------------------------------------------------------
    def get(self, passage_id: str) -> Passage | None:
        i = self.by_id.get(passage_id)
        return None if i is None else self.passages[i]

    def neighbours(self, passage_id: str) -> tuple[str | None, str | None]:
        """Ids of the passages before and after, within the same publication."""
        i = self.by_id[passage_id]
        pub = self.passages[i].publication_id
        prev = self.passages[i - 1].id if i > 0 and self.passages[i - 1].publication_id == pub else None
        nxt = (self.passages[i + 1].id
               if i + 1 < len(self.passages) and self.passages[i + 1].publication_id == pub else None)
        return prev, nxt
