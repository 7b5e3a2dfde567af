"""Speed of the retrieval core on the fixture corpus, against the floor.

    .venv/bin/python bench/retrieval.py [--model PATH] [--queries 300]

- ingest time split into extraction / embedding / indexing (a cold build: empty cache);
- passages/s of the whole ingest and of embedding, against bare ``model.encode`` on the same texts;
- per-query latency (p50/p95) of ``SearchIndex.search`` and ``ask`` against the floor: the bare
  query encode plus a FAISS search, in the same process.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from common import QUESTIONS, build_index, default_models, fixture_corpus

from index.evaluate import load_questions


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None, help="model path (default: every offline model)")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    models = [("given", args.model)] if args.model else default_models()
    corpus = fixture_corpus()
    questions = [q.question for q in load_questions(QUESTIONS)]
    queries = [questions[i % len(questions)] for i in range(args.queries)]

    for label, model in models:
        t0 = time.perf_counter()
        _, report, index = build_index(corpus, model)
        wall = time.perf_counter() - t0
        t = report.timings
        n = report.passages
        texts = [p.text for p in index.passages]
        embedder = index.embedder
        t1 = time.perf_counter()
        embedder.model.encode([embedder.prefixes.passage + x for x in texts], batch_size=embedder.batch_size,
                              normalize_embeddings=True, show_progress_bar=False)
        bare = time.perf_counter() - t1
        print(f"\n== {label} ==")
        print(f"ingest: {n} passages, {sum(p.pages for p in report.publications)} pages; "
              f"extract {t['extract']:.2f} s, embed {t['embed']:.2f} s, index {t['index']:.2f} s, "
              f"build total {t['total']:.2f} s (wall incl. model load {wall:.2f} s)")
        print(f"throughput: ingest {n / t['total']:.1f} passages/s, embedding step {n / t['embed']:.1f} passages/s, "
              f"bare model.encode {n / bare:.1f} passages/s")

        for q in queries[:10]:  # warm-up
            index.search(q, k=10)
        floor, search, ask = [], [], []
        for q in queries:
            s = time.perf_counter()
            vec = embedder.encode_queries([q])[0]
            index.dense.search(vec, 10)
            floor.append(time.perf_counter() - s)
            s = time.perf_counter()
            index.search(q, k=10)
            search.append(time.perf_counter() - s)
            s = time.perf_counter()
            index.ask(q, k=5)
            ask.append(time.perf_counter() - s)
        print(f"latency over {len(queries)} queries (ms):   p50     p95    mean")
        for name, values in (("floor (encode+FAISS)", floor), ("search", search), ("ask", ask)):
            print(f"  {name:<22} {pct(values, 50):7.2f} {pct(values, 95):7.2f} {statistics.mean(values) * 1000:7.2f}")


if __name__ == "__main__":
    main()
