"""Danish BM25: Snowball stemming, Danish stop words, optional decompounding.

Danish glues compounds together ("beredskabsplan", "tvangsægteskab") while questions often
spell them apart ("plan for beredskab"). With ``decompound`` on, a long word that splits into
two known Danish words (allowing the linking -s-/-e-) is indexed as the whole word plus both
parts, for documents and questions alike. ``bench/quality.py`` measures whether it helps.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
# The ISO list treats some words as stop words that matter in this domain ("far" is father).
KEEP_WORDS = frozenset({"far", "mor", "fire", "år", "alene"})
# ...and misses some words that questions are full of but that say nothing about the topic.
EXTRA_STOP_WORDS = frozenset({"hvilke", "hvilket", "hvorvidt", "bør", "gør", "gøre", "egentlig"})
MIN_PART = 3  # shortest compound part we trust ("ære", "sag")
MIN_COMPOUND = 7
DANISH_WORDS = 60000  # vocabulary size from wordfreq used to recognise compound parts


@dataclass(frozen=True)
class AnalyzerConfig:
    decompound: bool = True
    # n > 0 adds each word's character n-grams as extra tokens ("#tvu", "tvun", …): they let
    # "tvunget" meet "tvangs-" half-way and catch inflections the stemmer misses. 0 = off.
    ngrams: int = 4


class Analyzer:
    """Text → BM25 tokens. Deterministic, so documents and questions are treated alike."""

    def __init__(self, config: AnalyzerConfig | None = None):
        import Stemmer
        import stopwordsiso

        self.config = config or AnalyzerConfig()
        self._make_stemmer = lambda: Stemmer.Stemmer("danish")
        # PyStemmer objects must not be used from two threads at once; the server answers
        # requests from a thread pool, so each thread gets its own.
        self._local = threading.local()
        self.stopwords = (frozenset(stopwordsiso.stopwords("da")) | EXTRA_STOP_WORDS) - KEEP_WORDS

    @property
    def _stemmer(self):  # type: ignore[no-untyped-def]
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = self._make_stemmer()
        return stemmer

    @cached_property
    def _vocabulary(self) -> dict[str, float]:
        return _danish_vocabulary()

    def words(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFC", text).casefold()
        out: list[str] = []
        for match in WORD.finditer(text):
            # Hyphenated tokens ("børne-") and compounds with digits are split into their words.
            for word in match.group().split("-"):
                if word and word not in self.stopwords and not (len(word) == 1 and not word.isdigit()):
                    out.append(word)
        return out

    def stems(self, text: str) -> list[str]:
        """Stems of the content words only (no compound parts, no n-grams): what a question is about."""
        return list(self._stemmer.stemWords(self.words(text)))

    def __call__(self, text: str) -> list[str]:
        stems, parts, ngrams = self.runs(text)
        return stems + parts + ngrams

    def runs(self, text: str) -> tuple[list[str], list[str], list[str]]:
        """The tokens of ``text`` in their three runs: word stems, compound parts' stems, n-grams.

        Words never span a space, so the runs of texts joined by spaces are each text's runs
        joined (``joined``): a text analysed once stands for itself inside any longer one.
        """
        words = self.words(text)
        stems = list(self._stemmer.stemWords(words))
        parts: list[str] = []
        if self.config.decompound:
            for word in words:
                split = self.split_compound(word)
                if split:
                    parts.extend(self._stemmer.stemWords(list(split)))
        ngrams: list[str] = []
        if self.config.ngrams:
            n = self.config.ngrams
            for word in words:
                padded = f"#{word}#"
                ngrams.extend(f"§{padded[i:i + n]}" for i in range(len(padded) - n + 1))
        return stems, parts, ngrams

    @staticmethod
    def joined(runs: Sequence[tuple[list[str], list[str], list[str]]]) -> list[str]:
        """The tokens of texts joined by spaces, from each text's ``runs``, in ``__call__``'s order."""
        return [token for run in range(3) for text_runs in runs for token in text_runs[run]]

    def split_compound(self, word: str) -> tuple[str, str] | None:
        """Best two-part split of a compound into known words, or None.

        Score = sum of the parts' Zipf frequencies, so "beredskab|plan" beats "beredskabs|plan"
        -> the linking s is dropped when the head is a word without it.
        """
        vocab = self._vocabulary
        if len(word) < MIN_COMPOUND or not word.isalpha():
            return None
        best: tuple[float, str, str] | None = None
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:i], word[i:]
            if tail not in vocab:
                continue
            for candidate in (head, head[:-1] if head[-1] in "se" else None):
                if candidate and len(candidate) >= MIN_PART and candidate in vocab:
                    score = vocab[candidate] + vocab[tail]
                    if best is None or score > best[0]:
                        best = (score, candidate, tail)
        return (best[1], best[2]) if best else None


@lru_cache(maxsize=1)
def _danish_vocabulary() -> dict[str, float]:
    import wordfreq

    words = wordfreq.top_n_list("da", DANISH_WORDS)
    return {w: wordfreq.zipf_frequency(w, "da") for w in words if w.isalpha() and len(w) >= MIN_PART}


@dataclass(frozen=True)
class LexicalParams:
    k1: float = 1.2
    b: float = 0.75


class LexicalIndex:
    """BM25 over passages (bm25s sparse matrices); scores every passage for a question."""

    CONFIG = "lexical.json"

    def __init__(self, analyzer: Analyzer | None = None, params: LexicalParams | None = None):
        import bm25s

        # bm25s logs every index build at DEBUG through its own handler; that is noise in `kb` output.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.analyzer = analyzer or Analyzer()
        self.params = params or LexicalParams()
        self._bm25 = bm25s.BM25(k1=self.params.k1, b=self.params.b)
        self._idf: dict[str, float] = {}
        self.count = 0

    def index(self, texts: Sequence[str]) -> None:
        corpus = [self.analyzer(t) or ["\u2205"] for t in texts]
        self._bm25.index(corpus, show_progress=False)
        self.count = len(texts)
        self._idf = _idf(corpus)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when no query term is in the corpus)."""
        return self.score_tokens(self.analyzer(query))

    def score_tokens(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage for already analysed tokens (float64).

        bm25s adds each token's postings with its own ``np.add.at``; a question has 40-60 tokens
        with its character n-grams, and those calls were half of the lexical side's time. Here
        every posting of the question is gathered at once and summed with one ``np.bincount``.
        """
        vocab = self._bm25.vocab_dict
        ids = np.fromiter((vocab[t] for t in tokens if t in vocab), dtype=np.int64)
        if ids.size == 0 or self.count == 0:
            return np.zeros(self.count, dtype=np.float64)
        postings = self._bm25.scores
        indptr = postings["indptr"]
        starts, lengths = indptr[ids], indptr[ids + 1] - indptr[ids]
        # Positions of every posting of every token, in one array: start of its token + offset.
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths - starts, lengths)
        scores = np.bincount(postings["indices"][offsets], weights=postings["data"][offsets],
                             minlength=self.count)
        if self._bm25.nonoccurrence_array is not None:  # BM25L/BM25+ only; ours is Lucene's BM25
            scores += self._bm25.nonoccurrence_array[ids].sum()
        return scores

    def idf(self, token: str) -> float | None:
        """Inverse document frequency of an analysed token, None when the corpus never has it."""
        return self._idf.get(token)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(path), show_progress=False)
        config = {"analyzer": asdict(self.analyzer.config), "params": asdict(self.params),
                  "count": self.count, "idf": self._idf}
        (path / self.CONFIG).write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        import bm25s

        config = json.loads((path / cls.CONFIG).read_text(encoding="utf-8"))
        index = cls(Analyzer(AnalyzerConfig(**config["analyzer"])), LexicalParams(**config["params"]))
        index._bm25 = bm25s.BM25.load(str(path), show_progress=False, verbosity=0)
        index.count = config["count"]
        index._idf = config["idf"]
        return index


def _idf(corpus: Iterable[list[str]]) -> dict[str, float]:
    docs = list(corpus)
    df: dict[str, int] = {}
    for tokens in docs:
        for token in set(tokens):
            df[token] = df.get(token, 0) + 1
    n = len(docs)
    return {t: float(np.log(1 + (n - d + 0.5) / (d + 0.5))) for t, d in df.items()}
