"""One loaded index version: the search chain and extractive answers.

Search is a short chain of named stages, each in its own module:

    query (index/query.py: spelling, thesaurus, query vector)
      → retrievers (index/retrievers.py: lexical BM25, dense FAISS, best sentence; each scores every
        passage)
      → fusion (index/fusion.py: calibrated z-score fusion)
      → context (index/context.py: small-to-big, the passages before and after on the same page)
      → pages spread (index/diversity.py: after the first two, a page already listed waits)
      → rerank (index/rerank.py: optional cross-encoder)
      → answer (index/answer.py, index/choice.py, index/confidence.py: sentences, whether to answer)
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from index.answer import AnswerConfig, AnswerSentence, Evidence, QuestionWeights, choose, dense_z, novelty
from index.choice import FEATURES, SentenceRanker, features, ranker_for
from index.confidence import ConfidenceRule, Signals, passage_rule_for, rule_for
from index.context import ContextConfig, PageNeighbours
from index.dense import DenseIndex
from index.diversity import POOL, spread_pages
from index.embed import Embedder
from index.errors import ModelMismatch, QuestionError
from index.facts import unmet, unmet_kind
from index.fusion import FusionConfig, fuse, mean_std, top_indices
from index.letters import LETTER_OR_DIGIT, clean_question
from index.lexical import LexicalIndex
from index.query import Query, QueryBuilder
from index.rerank import Reranker
from index.retrievers import DenseRetriever, LexicalRetriever, SentenceRetriever
from index.sentence_vectors import SentenceVectors
from index.sentences import Unit, units
from index.spelling import Speller
from index.store import load_parts
from index.thesaurus import Thesaurus
from index.version import VersionManifest
from ingest.models import Passage
from ingest.settings import MAX_QUESTION_CHARS

log = logging.getLogger("kb.search")

MAX_K = 50
# What a question must contain: a letter or digit of any script (index/letters.py). Also the API
# schema's pattern, so clients (and the schema fuzzer) know that "   " or "???" is not a question.
QUESTION_PATTERN = re.compile(LETTER_OR_DIGIT)
# A passage is listed in search results when its fused score (z units over the corpus) reaches
# this; the first passage of a confident answer is always listed. Measured: bench/quality.py.
RELEVANCE_FLOOR = 1.5
SENTENCE_CACHE_PASSAGES = 4096  # ~15 sentences × 384 floats each: at most ~100 MB, usually far less
ECHO = FEATURES.index("echo")  # the feature column of sentences that only repeat the question
DEFINITION = FEATURES.index("definition")  # ... of sentences that say what the question's term is


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # what ranks the hit: the fused score, or the reranker's when one is set
    lexical: float = 0.0
    dense: float = 0.0
    fused: float | None = None  # the fused score (z units); the relevance floor reads it

    @property
    def relevance(self) -> float:
        return self.score if self.fused is None else self.fused


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
    total: int  # passages that clear the floor among the first MAX_K, of which ``hits`` are the first k


@dataclass(frozen=True)
class Answer:
    question: str
    confident: bool
    sentences: list[AnswerSentence]
    hits: list[Hit]
    evidence: Evidence | None = None
    signals: Signals | None = None
    # Passages among the first MAX_K whose fused score clears the relevance floor, listed or not:
    # a feed or page says how many there are, not only how many it shows (``SearchIndex.total``).
    over_floor: int = 0
    # Filtered to one publication: the passages the same search lists over all of them. They stay
    # relevant here, and the list is open for the rest that clear the floor (``SearchIndex.relevant``).
    listed_unfiltered: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PassageUnits:
    """What the answer stage reads of one passage: its units, their content stems, and their stored
    vectors by text (None when the version has none that fit them)."""

    units: list[Unit]
    stems: list[set[str]]
    stored: dict[str, np.ndarray] | None


@dataclass(frozen=True)
class QueryTools:
    """What the query side needs beyond the index version: loaded once per process."""

    thesaurus: Thesaurus = field(default_factory=Thesaurus.empty)
    reranker: Reranker | None = None


def check_question(question: str) -> str:
    question = clean_question(question)
    if not QUESTION_PATTERN.search(question):  # empty, or only punctuation: nothing to search for
        raise QuestionError("Skriv et spørgsmål – feltet er tomt eller har hverken bogstaver eller tal.")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"Spørgsmålet er for langt (højst {MAX_QUESTION_CHARS} tegn).")
    return question


def gated(draft: Answer) -> Answer:
    """What ``ask`` returns: the answer sentences only when the confidence rule says answer."""
    return draft if draft.confident else replace(draft, sentences=[])


def quoted_first(hits: list[Hit], sentences: list[AnswerSentence]) -> list[Hit]:
    """The passage the first answer excerpt quotes, first; the others in their order.

    A caseworker reads the answer box and the first passage together, so the first passage is the
    one the answer comes from, even where the ranking put another (of those the answer reads)
    a little higher. The draft's pick is also a better first passage when nothing is certain
    enough to quote: measured on the tuning half, where the two differed (e5 19 of 99 questions,
    MiniLM 21, most of them declined), the quoted passage was on a relevant page in 11 and 13 of
    them, the ranking's first in 9 and 6. The confidence signals are read before, from the
    ranking's own first passage.
    """
    if not sentences or not hits or hits[0].passage.id == sentences[0].passage_id:
        return hits
    quoted = [h for h in hits if h.passage.id == sentences[0].passage_id]
    return [*quoted, *(h for h in hits if h.passage.id != sentences[0].passage_id)]


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
    tools: QueryTools = field(default_factory=QueryTools)
    context: ContextConfig = field(default_factory=ContextConfig)
    sentence_vectors: SentenceVectors | None = None

    def __post_init__(self) -> None:
        self.by_id = {p.id: i for i, p in enumerate(self.passages)}
        # publication id -> PDF file name, for citation links (built once, not per hit)
        self.files: dict[str, str] = {p.id: p.file for p in self.manifest.publications}
        # publication id -> the edition (PDF hash prefix) this version cites, for edition-pinned links
        self.editions: dict[str, str] = {p.id: p.edition for p in self.manifest.publications if p.edition}
        self._tokens: dict[int, set[str]] = {}
        # What the answer stage reads of a passage depends on its text alone, so it is worked out
        # once per version and passage, not once per question (filled as passages are first found;
        # a race computes the same value twice, which is harmless).
        self._passage_units: dict[str, PassageUnits] = {}
        self._sentence_cache: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.neighbours_on_page = PageNeighbours.of(self.passages)
        self.page_of = [(p.publication_id, p.page_start) for p in self.passages]  # what spread_pages spreads
        self.prepare = QueryBuilder(self.lexical.analyzer, self.embedder,
                                    Speller.from_texts(p.text for p in self.passages), self.tools.thesaurus)
        self.lexical_retriever = LexicalRetriever(
            self.lexical, phrases=[term for group in self.tools.thesaurus.groups for term in group.terms])
        self.dense_retriever = DenseRetriever(self.dense)
        self.sentence_retriever = SentenceRetriever(self.sentence_vectors, len(self.passages))
        self.confidence: ConfidenceRule = rule_for(self.embedder.model_name)
        self.passage_rule: ConfidenceRule = passage_rule_for(self.embedder.model_name)
        # Whether the version's stored unit vectors fit every passage's units. Where one does not (the
        # unit rules changed since the build), an answer embeds its units, which must not run on an
        # event loop (``draft_async``). Worked out here, once per version, so it also fills the units
        # every answer reads (about 0.6 ms a passage).
        self.units_stored = self.sentence_vectors is not None and all(
            self._units(p).stored is not None for p in self.passages)
        self.ranker: SentenceRanker = ranker_for(self.embedder.model_name)
        self.floor = RELEVANCE_FLOOR

    @classmethod
    def load(cls, path: Path, embedder: Embedder, manifest: VersionManifest,
             tools: QueryTools | None = None) -> SearchIndex:
        built_with = manifest.model
        if built_with != embedder.model_name or manifest.dimension != embedder.dimension:
            raise ModelMismatch(
                f"Indeksversionen {path.name} er bygget med modellen {built_with!r} "
                f"(dimension {manifest.dimension}), men KB_EMBEDDING_MODEL er "
                f"{embedder.model_name!r} (dimension {embedder.dimension}). Byg indekset igen med "
                "`kb ingest`, eller sæt KB_EMBEDDING_MODEL tilbage."
            )
        passages, dense, lexical = load_parts(path, manifest)
        fusion = FusionConfig(**manifest.fusion) if manifest.fusion is not None else FusionConfig()
        answer = AnswerConfig.from_dict(manifest.answer) if manifest.answer is not None else AnswerConfig()
        context = ContextConfig(**manifest.context) if manifest.context is not None else ContextConfig()
        return cls(manifest.version, manifest, passages, dense, lexical, embedder, fusion, answer,
                   tools or QueryTools(), context, SentenceVectors.load(path, len(passages)))

    # -- retrieval ---------------------------------------------------------------------------
    def ranking(self, query: Query, fusion: FusionConfig | None = None, context: ContextConfig | None = None,
                publication: str | None = None, lexical: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(final, lexical, dense) scores of every passage: fusion, then small-to-big context.

        ``lexical``: the lexical side's scores when the caller has them already (``draft_async``).
        """
        if lexical is None:
            lexical = self.lexical_retriever.scores(query)
        dense = self.dense_retriever.scores(query)
        fusion = fusion or self.fusion
        sentence = self.sentence_retriever.scores(query) if fusion.sentence_weight else None
        final = self.neighbours_on_page.apply(fuse(lexical, dense, fusion, sentence), context or self.context)
        return self._restricted(final, publication), lexical, dense

    def _restricted(self, final: np.ndarray, publication: str | None) -> np.ndarray:
        """``final`` with every passage outside ``publication`` ranked out (unchanged for None)."""
        if publication is None:
            return final
        return np.where(self._publication_mask(publication), final, -np.inf)

    def search(self, query: str, k: int = 10, *, fusion: FusionConfig | None = None,
               publication: str | None = None) -> list[Hit]:
        """The k best passages, however weak: the full ranking (what `kb eval` scores)."""
        q = self.prepare(check_question(query))
        check_k(k)
        final, lexical, dense = self.ranking(q, fusion, publication=publication)
        return self._rerank(q, self._hits(final, lexical, dense, k), k)

    def find(self, query: str, k: int = 10, *, publication: str | None = None) -> Results:
        """The passages that clear the relevance floor (at most k); confident when there are any."""
        check_k(k)
        return self._results(self.draft(query, k, publication=publication))

    async def find_async(self, query: str, k: int = 10, *, publication: str | None = None) -> Results:
        """``find`` for an event loop (the JSON API): the same results, see ``draft_async``."""
        check_k(k)
        return self._results(await self.draft_async(query, k, publication=publication))

    def _results(self, draft: Answer) -> Results:
        found = self.relevant(draft)
        return Results(draft.question, bool(found), found, draft.hits, self.total(draft, found))

    def total(self, answer: Answer, relevant: list[Hit]) -> int:
        """How many passages clear the floor among the first MAX_K: the ``relevant`` ones listed of
        ``answer`` and those beyond its k (counted from the fused scores, not drafted as hits: a
        cross-encoder would then rerank fifty passages on every search)."""
        if not relevant:
            return 0
        listed_over = sum(1 for h in answer.hits if h.relevance >= self.floor)
        return len(relevant) + max(answer.over_floor - listed_over, 0)

    def relevant(self, answer: Answer) -> list[Hit]:
        """The passages of an answer that clear the relevance floor. The one rule for /api/search,
        the feed and the search page.

        Nothing is relevant unless the answer is confident or the passage rule finds the first
        passage about the question; then the passages over the floor are, and the first and the
        ones the answer cites always. Filtered to one publication, the passages the unfiltered
        search lists stay relevant, and they open the list for the others over the floor.
        """
        if not answer.hits or answer.signals is None:
            return []
        own = answer.confident or (self.passage_rule.confident(answer.signals)
                                   and not unmet_kind(answer.question, answer.hits[0].passage.text))
        if not (own or answer.listed_unfiltered):
            return []
        # The first is the passage the answer quotes (``quoted_first``), which may score a little
        # below the next: it is listed whatever its score, as is every passage the answer box
        # cites (a declined draft's sentences are never shown, so they cite nothing). A list
        # opened only by the unfiltered search holds what clears the floor and what it listed.
        cited = {s.passage_id for s in answer.sentences} if answer.confident else set()
        return [h for i, h in enumerate(answer.hits)
                if (own and (i == 0 or h.passage.id in cited)) or h.relevance >= self.floor
                or h.passage.id in answer.listed_unfiltered]

    def publication_ids(self) -> list[str]:
        return list(self.files)

    def _hits(self, final: np.ndarray, lexical: np.ndarray, dense: np.ndarray, k: int) -> list[Hit]:
        if self.tools.reranker is not None:
            k = max(k, self.tools.reranker.top_n)
        order = top_indices(final, max(k, POOL))
        order = order[np.isfinite(final[order])]  # a publication filter ranks the others at -inf
        # The spread list's score ranks it; ``fused`` keeps the passage's own for the relevance floor.
        return [Hit(self.passages[i], s, float(lexical[i]), float(dense[i]), float(final[i]))
                for i, s in spread_pages(order, final, self.page_of, k, floor=self.floor)]

    def _rerank(self, query: Query, hits: list[Hit], k: int, known: dict[str, float] | None = None) -> list[Hit]:
        if self.tools.reranker is None:
            return hits
        reranked = self.tools.reranker.rerank(query.search_text, hits, known)
        return reranked[: max(k, self.answer_config.passages_considered)]

    def _publication_mask(self, publication: str) -> np.ndarray:
        return np.array([p.publication_id == publication for p in self.passages], dtype=bool)

    # -- answers -----------------------------------------------------------------------------
    def ask(self, question: str, k: int = 5, *, publication: str | None = None) -> Answer:
        """Answer sentences when the confidence rule says answer; otherwise only the passages."""
        return gated(self.draft(question, k, publication=publication))

    async def ask_async(self, question: str, k: int = 5, *, publication: str | None = None) -> Answer:
        """``ask`` for an event loop (the JSON API): the same answer, see ``draft_async``."""
        return gated(await self.draft_async(question, k, publication=publication))

    def draft(self, question: str, k: int = 5, *, publication: str | None = None) -> Answer:
        """The answer with its sentences whatever the confidence rule says (``confident`` says it)."""
        q = self.prepare(check_question(question))
        check_k(k)
        return self._draft(q, k, publication)

    async def draft_async(self, question: str, k: int = 5, *, publication: str | None = None) -> Answer:
        """``draft`` for an event loop: it waits for the query's vector without holding a thread.

        The rest (about a millisecond of ranking and answer) runs on the loop, which is cheaper
        than a thread-pool hop. Work that takes longer goes to a thread: a cross-encoder's rerank,
        and embedding the answer's sentences when the version has none stored for some passage (built
        before ``index/sentence_vectors.py``, or before the unit rules changed).
        """
        check_k(k)
        terms = self.prepare.terms(check_question(question))
        # The lexical side needs no vector, but it is scored before the encoding starts, not while it
        # runs: on two cores the model's threads take both, and this thread's share of them cost
        # more than it saved (in `kb serve`, 0.17 ms of BM25 took 2.7 ms beside the encode, which
        # itself got slower; over HTTP the search p50 fell from 1.38 to 1.31 times the floor).
        lexical = self.lexical_retriever.scores(terms)
        q = terms.with_vector(await self.prepare.vector_async(terms))
        if self.tools.reranker is not None or not self.units_stored:
            return await asyncio.to_thread(self._draft, q, k, publication, lexical)
        return self._draft(q, k, publication, lexical)

    def _draft(self, q: Query, k: int, publication: str | None, lexical: np.ndarray | None = None) -> Answer:
        final, lexical, dense = self.ranking(q, lexical=lexical)
        reranked: dict[str, float] = {}  # a cross-encoder's scores, shared by both drafts below
        answer = self._draft_ranked(q, k, self._restricted(final, publication), lexical, dense, reranked)
        if publication is None:
            return answer
        # Which passages are relevant must not depend on the filter: the rules judge a ranking's
        # first passage, and a publication's best may be weaker than the corpus's. So the same
        # ranking over all publications is judged too (about 0.2 ms more at p50, for filtered
        # searches only; the scores are computed once, and a cross-encoder scores a passage once).
        everywhere = self._draft_ranked(q, k, final, lexical, dense, reranked)
        return replace(answer, listed_unfiltered=frozenset(h.passage.id for h in self.relevant(everywhere)))

    def _draft_ranked(self, q: Query, k: int, final: np.ndarray, lexical: np.ndarray, dense: np.ndarray,
                      reranked: dict[str, float]) -> Answer:
        considered = self.answer_config.passages_considered
        hits = self._rerank(q, self._hits(final, lexical, dense, max(k, considered)), k, reranked)
        # The answer reads the same passages whatever k is: k says how many passages to list, not
        # what the answer is (with k=1 it once answered from the first passage alone, where k=5
        # declined). The first excerpt's passage is listed first (``quoted_first``); a later
        # excerpt whose passage falls beyond k is left out, so every citation is in the result.
        sentences, signals = self._answer(q, hits[:considered], final, lexical, dense)
        confident = (bool(sentences) and self.confidence.confident(signals)
                     and not unmet(q.search_text, sentences[0].text))  # as spelled: "hvor laenge"
        hits = quoted_first(hits, sentences)[:k]
        listed = {h.passage.id for h in hits}
        sentences = [s for s in sentences if s.passage_id in listed]
        over_floor = min(int(np.count_nonzero(final >= self.floor)), MAX_K)
        return Answer(q.text, confident, sentences, hits, Evidence(signals.coverage, signals.dense_z), signals,
                      over_floor)

    def _answer(self, query: Query, hits: list[Hit], final: np.ndarray, lexical: np.ndarray,
                dense: np.ndarray) -> tuple[list[AnswerSentence], Signals]:
        """The answer sentences (not yet gated) and the signals the confidence rule reads."""
        idf = self._idf(query)
        if not hits:
            return [], Signals(unknown=self._unknown(idf))
        weights = QuestionWeights.of(query.stems, idf)  # read by every coverage below
        found: set[str] = set()
        for hit in hits:
            found |= self._passage_tokens(self.by_id[hit.passage.id])
        top = self.by_id[hits[0].passage.id]
        finite = final[np.isfinite(final)]
        # The two best scores, not a sort of every passage's.
        best_two = np.partition(finite, finite.size - 2)[-2:] if finite.size > 1 else None
        gap = float(best_two[1] - best_two[0]) if best_two is not None else 0.0
        lex_rank = int((lexical > lexical[top]).sum()) + 1
        dense_rank = int((dense > dense[top]).sum()) + 1
        plain = weights.coverage(found)
        with_synonyms = weights.coverage(found, query.synonyms) if query.synonyms else plain
        # The dense scores' spread is read three times below (dense_z, the chosen sentence's z, the
        # ranker's scale): taken once.
        stats = mean_std(np.asarray(dense, dtype=np.float64))
        signals = Signals(coverage=plain, dense_z=dense_z(dense, top, stats),
                          gap=gap, agreement=(1.0 / lex_rank if lexical[top] > 0 else 0.0) + 1.0 / dense_rank,
                          unknown=self._unknown(idf), synonym_coverage=with_synonyms)
        candidates, x, lex, cos = self.answer_candidates(query, hits, dense, dense_std=stats[1], weights=weights)
        if not candidates:
            return [], signals
        score = self.ranker.probabilities(self.ranker.scores(x))
        # A sentence that says what the asked term is opens with the question's words, and is no echo.
        sentences = choose(candidates, score, self.answer_config, echoes=(x[:, ECHO] > 0) & (x[:, DEFINITION] == 0))
        best = int(np.argmax(score))
        mean, std = stats[0], stats[1] or 1.0
        # The first excerpt is right when any of its sentences is: the ranker's sureness is their sum.
        first = sentences[0]
        within = [first.passage_id == u.passage_id and first.start <= u.start and u.end <= first.end
                  for u in candidates]
        signals = replace(signals, sentence_z=(float(cos[best]) - mean) / std,
                          sentence_coverage=float(lex[best]), choice=float(score[within].sum()),
                          definition=float(x[within, DEFINITION].any()))
        return sentences, signals

    def answer_candidates(self, query: Query, hits: list[Hit], dense: np.ndarray, *, dense_std: float | None = None,
                          weights: QuestionWeights | None = None
                          ) -> tuple[list[Unit], np.ndarray, np.ndarray, np.ndarray]:
        """The hits' answer units with the sentence ranker's features, coverage and cosine of each.

        ``bench/fit_choice.py`` fits the ranker on exactly these features. ``dense_std`` (``dense.std()``)
        and ``weights`` (the question's) when the caller has them.
        """
        by_passage = {h.passage.id: self._units(h.passage) for h in hits}
        every = [u for found in by_passage.values() for u in found.units]
        if not every:
            return [], np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0)
        # Embedded all together: the cache keeps every sentence of a passage, whatever is kept here.
        all_vectors = self._sentence_vectors(by_passage)
        # A bare citation ("Servicelovens § 75 om foreløbige afgørelser.") names a rule and answers
        # nothing, however well it matches a question that is itself a citation.
        keep = [i for i, u in enumerate(every) if not u.reference]
        if not keep:
            return [], np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0)
        candidates = [every[i] for i in keep]
        every_stems = [st for found in by_passage.values() for st in found.stems]
        unit_stems = [every_stems[i] for i in keep]
        weights = weights or QuestionWeights.of(query.stems, self._idf(query))
        q_stems = set(query.stems)
        lex = np.array([weights.coverage(st) for st in unit_stems])
        # The ranker reads a question word as found where the sentence says it with a thesaurus
        # synonym ("ringe til forældrene" / "kontakte forældrene"); the confidence signals read the
        # plain coverage. Measured on the tuning half, refitted both ways: synonyms for the ranker
        # alone made more first excerpts right (e5 56 → 60 of 99, MiniLM 52 → 54) and confident
        # answers as good or better (right − 3 × wrong, e5 22 → 24, MiniLM 19 → 19); in the
        # confidence signals too they did no better with e5 (22) and worse with MiniLM (14).
        syn = (np.array([weights.coverage(st, query.synonyms) for st in unit_stems])
               if query.synonyms else lex)
        cos = all_vectors[keep] @ query.vector
        rank_of = {h.passage.id: r for r, h in enumerate(hits)}
        scale = float(dense.std()) if dense_std is None else dense_std
        x = features(query.search_text, candidates, syn, cos, [rank_of[u.passage_id] for u in candidates],
                     [novelty(st, q_stems) for st in unit_stems], dense_scale=scale, synonyms=query.other_names)
        return candidates, x, lex, cos

    def _units(self, passage: Passage) -> PassageUnits:
        """The passage's units with their stems and stored vectors (callers only read them)."""
        found = self._passage_units.get(passage.id)
        if found is None:
            split = units(passage)
            stored = self.sentence_vectors.of(self.by_id[passage.id], split) if self.sentence_vectors else None
            found = self._passage_units[passage.id] = PassageUnits(
                split, [set(self.lexical.analyzer.stems(u.text)) for u in split], stored)
        return found

    def _unknown(self, idf: dict[str, float | None]) -> float:
        known = [w for w in idf.values() if w is not None]
        unknown_weight = (max(known) if known else 1.0) + 1.0
        total = sum(unknown_weight if w is None else w for w in idf.values())
        return sum(unknown_weight for w in idf.values() if w is None) / total if total else 0.0

    def _idf(self, query: Query) -> dict[str, float | None]:
        return {t: self.lexical.idf(t) for t in query.stems}

    def _passage_tokens(self, index: int) -> set[str]:
        if index not in self._tokens:
            self._tokens[index] = set(self.lexical.analyzer.stems(self.passages[index].text))
        return self._tokens[index]

    def _sentence_vectors(self, by_passage: dict[str, PassageUnits]) -> np.ndarray:
        """Embeddings of the passages' units, in order: from the version when it has them
        (``index/sentence_vectors.py``), else embedded once per passage and cached.
        """
        found = {pid: p.stored for pid, p in by_passage.items() if p.stored is not None}
        with self._cache_lock:
            for pid in by_passage:
                if pid not in found and pid in self._sentence_cache:
                    self._sentence_cache.move_to_end(pid)
                    found[pid] = self._sentence_cache[pid]
        missing = [pid for pid in by_passage if pid not in found]
        if missing:
            texts = [(u.text, pid) for pid in missing for u in by_passage[pid].units]
            vectors = self.embedder.encode_passages([t for t, _ in texts])
            for pid in missing:
                found[pid] = {}
            for (sentence, pid), vector in zip(texts, vectors, strict=True):
                found[pid][sentence] = vector
            with self._cache_lock:
                for pid in missing:
                    self._sentence_cache[pid] = found[pid]
                while len(self._sentence_cache) > SENTENCE_CACHE_PASSAGES:
                    self._sentence_cache.popitem(last=False)
        return np.stack([found[pid][u.text] for pid, passage in by_passage.items() for u in passage.units])

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
