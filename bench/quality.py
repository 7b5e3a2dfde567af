"""Retrieval and answer quality of the product against its peers, with both offline models.

    .venv/bin/python bench/quality.py [--corpus realistic|fixture] [--variants]

For each model (the offline MiniLM and, when built, the offline multilingual-e5-small) it builds
the product's index and the peers (``bench/peers.py``: naive page-chunk dense, BM25 on the same
chunks, their equal-weight RRF) from the same PDFs, and prints recall@1/5/10 and MRR@10 on the
tuning half and the check half of the question set (the realistic corpus's split; the small
fixture set has one half only), then the product's answer figures. Tune on the tuning half only.
``--variants`` adds the product's retrieval variants (one side alone, fusion weights, the best
sentence's share of the dense weight, analyzers): rankings alone, without the answer, so without
the quoted passage first, and comparable with each other rather than with the product's row.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from common import QUESTIONS, build_index, default_models, fixture_corpus, realistic_corpus
from peers import NaivePeers, page_chunks

from index.build import lexical_text
from index.evaluate import evaluate, load_questions
from index.fusion import FusionConfig
from index.lexical import Analyzer, AnalyzerConfig, LexicalIndex

FUSIONS: list[tuple[str, FusionConfig]] = [
    ("lexical only", FusionConfig(method="zscore", dense_weight=0.0)),
    ("dense only", FusionConfig(method="zscore", dense_weight=1.0)),
    ("best sentence only", FusionConfig(method="zscore", dense_weight=1.0, sentence_weight=1.0)),
    ("rrf 50/50", FusionConfig(method="rrf", dense_weight=0.5)),
    *[(f"zscore dense={w}", FusionConfig(method="zscore", dense_weight=w)) for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)],
]
SENTENCE_SHARES = (0.0, 0.2, 0.3, 0.4, 0.5)
ANALYZERS = [
    ("stem", AnalyzerConfig(decompound=False, ngrams=0)),
    ("stem+decompound+4grams", AnalyzerConfig(decompound=True, ngrams=4)),
]


def row(label: str, summary: dict) -> str:
    a = summary["all"]
    return (f"  {label:<34} R@1 {a['recall@1']:.3f}  R@5 {a['recall@5']:.3f}  R@10 {a['recall@10']:.3f}  "
            f"MRR@10 {a['mrr@10']:.3f}")


def answer_row(summary: dict) -> str:
    a = summary["answers"]
    labels = summary.get("labels", {})
    return (f"  answers: right {a['right_rate']:.3f}  confidently wrong {a['confidently_wrong_rate']:.3f}  "
            f"declined {a['declined_rate']:.3f} ({a['declined_with_relevant_passage']} with a relevant passage "
            f"in the top 5; {a['declined_draft_right']} with a right excerpt, of {a['drafts_right']} right "
            f"excerpts)  unanswerable declined {a['unanswerable_declined']}/{a['unanswerable']}  "
            f"printed label {labels.get('accuracy', float('nan')):.3f}")


def kinds_row(summary: dict) -> str:
    parts = [f"{kind} {m['recall@5']:.2f}/{m['mrr@10']:.2f}" for kind, m in sorted(summary.items())
             if kind not in ("all", "answers", "labels")]
    return "  per kind R@5/MRR: " + ", ".join(parts)


def halves(corpus_name: str, corpus: Path) -> list[tuple[str, Path]]:
    if corpus_name == "realistic":
        return [("tuning half", corpus / "questions_tune.jsonl"), ("check half", corpus / "questions_check.jsonl")]
    return [("fixture questions", QUESTIONS)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", choices=["realistic", "fixture"], default="realistic")
    parser.add_argument("--variants", action="store_true", help="also measure retrieval variants")
    parser.add_argument("--models", default="", help="comma-separated labels to keep (e.g. e5)")
    args = parser.parse_args()
    corpus = realistic_corpus() if args.corpus == "realistic" else fixture_corpus()
    sets = [(name, load_questions(path)) for name, path in halves(args.corpus, corpus)]
    chunks = page_chunks(corpus)
    for label, model in default_models():
        if args.models and not any(m in label for m in args.models.split(",")):
            continue
        _, report, index = build_index(corpus, model)
        peers = NaivePeers(chunks, index.embedder)
        print(f"\n== {label}: {report.passages} passages; peers: {len(chunks)} page chunks ==")
        print(f" production: fusion {index.fusion}, answer {index.answer_config}")
        for name, questions in sets:
            answerable = sum(1 for q in questions if q.answerable)
            print(f" -- {name}: {answerable} answerable + {len(questions) - answerable} unanswerable")
            product = evaluate(index, questions).summary()
            print(row("product", product))
            for peer in ("dense", "bm25", "rrf"):
                peer_label = {"dense": "naive page-chunk dense", "bm25": "BM25 on the chunks",
                              "rrf": "RRF(naive dense, BM25)"}[peer]
                print(row(peer_label, evaluate(peers.ranker(peer), questions, with_confidence=False).summary()))  # type: ignore[arg-type]
            print(kinds_row(product))
            print(answer_row(product))
            if args.variants:
                variants(index, questions)


def variants(index, questions) -> None:  # type: ignore[no-untyped-def]
    for f_label, fusion in FUSIONS:
        print(row(f"product {f_label}", evaluate(index, questions, fusion=fusion, with_confidence=False).summary()))
    for share in SENTENCE_SHARES:  # the family's dense weight, split with the best sentence
        fusion = replace(index.fusion, sentence_weight=share)
        print(row(f"product sentence share={share}",
                  evaluate(index, questions, fusion=fusion, with_confidence=False).summary()))
    original = index.lexical_retriever
    for a_label, a_config in ANALYZERS:
        lexical = LexicalIndex(Analyzer(a_config))
        lexical.index([lexical_text(p) for p in index.passages])  # what the build indexes
        # The search chain reads the retriever: replacing only ``index.lexical`` measured the
        # production analyzer under every label.
        index.lexical_retriever = replace(original, index=lexical)
        print(row(f"product, BM25 {a_label}", evaluate(index, questions, with_confidence=False).summary()))
    index.lexical_retriever = original


if __name__ == "__main__":
    main()
