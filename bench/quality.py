"""Retrieval quality on the fixture question set: lexical-only, dense-only and fusion variants,
with the offline MiniLM and (when built) the offline multilingual-e5-small.

    .venv/bin/python bench/quality.py [--questions FILE]

Prints recall@1/5/10 and MRR@10 for every configuration, the analyzer variants of the BM25
side (plain stems, decompounding, character n-grams), and the confidence signals of answerable
vs unanswerable questions that the answer thresholds are chosen from.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
from common import QUESTIONS, build_index, default_models, fixture_corpus

from index.evaluate import evaluate, load_questions
from index.fusion import FusionConfig
from index.lexical import Analyzer, AnalyzerConfig, LexicalIndex

FUSIONS: list[tuple[str, FusionConfig]] = [
    ("lexical only", FusionConfig(method="zscore", dense_weight=0.0)),
    ("dense only", FusionConfig(method="zscore", dense_weight=1.0)),
    ("rrf 50/50", FusionConfig(method="rrf", dense_weight=0.5)),
    *[(f"zscore dense={w}", FusionConfig(method="zscore", dense_weight=w)) for w in (0.3, 0.4, 0.5, 0.6, 0.7)],
    *[(f"minmax dense={w}", FusionConfig(method="minmax", dense_weight=w)) for w in (0.3, 0.5, 0.7)],
]
ANALYZERS = [
    ("stem", AnalyzerConfig(decompound=False, ngrams=0)),
    ("stem+decompound", AnalyzerConfig(decompound=True, ngrams=0)),
    ("stem+4grams", AnalyzerConfig(decompound=False, ngrams=4)),
    ("stem+decompound+4grams", AnalyzerConfig(decompound=True, ngrams=4)),
]


def row(label: str, summary: dict) -> str:
    a = summary["all"]
    para = summary.get("paraphrase", {})
    return (f"  {label:<26} R@1 {a['recall@1']:.3f}  R@5 {a['recall@5']:.3f}  R@10 {a['recall@10']:.3f}  "
            f"MRR {a['mrr@10']:.3f}   paraphrase R@5 {para.get('recall@5', 0):.3f} MRR {para.get('mrr@10', 0):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    args = parser.parse_args()
    questions = load_questions(args.questions)
    corpus = fixture_corpus()
    print(f"{len(questions)} questions from {args.questions}")
    for label, model in default_models():
        _, report, index = build_index(corpus, model)
        print(f"\n== {label}: {report.passages} passages ==")
        calibration = index.manifest.calibration or {}
        print(f" production: analyzer {index.lexical.analyzer.config}, fusion {index.fusion} "
              f"(calibrated on {calibration.get('queries')} section titles)")
        print(row("production (calibrated)", evaluate(index, questions, with_confidence=False).summary()))
        original = index.lexical
        for a_label, a_config in ANALYZERS:
            lexical = LexicalIndex(Analyzer(a_config))
            lexical.index([f"{p.section}. {p.text}" if p.section else p.text for p in index.passages])
            index.lexical = lexical
            print(f" BM25 analyzer: {a_label}")
            for f_label, fusion in FUSIONS:
                summary = evaluate(index, questions, fusion=fusion, with_confidence=False).summary()
                print(row(f_label, summary))
        index.lexical = original
        confidence_signals(index, questions)


def confidence_signals(index, questions) -> None:  # type: ignore[no-untyped-def]
    """Coverage and dense z-score of the top passages, answerable vs unanswerable."""
    signals: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for q in questions:
        answer = index.ask(q.question, k=10)
        signals[q.publication is not None].append((answer.evidence.coverage, answer.evidence.dense_z))
    for answerable, values in signals.items():
        if not values:
            continue
        cov = np.array([v[0] for v in values])
        z = np.array([v[1] for v in values])
        name = "answerable  " if answerable else "unanswerable"
        print(f" {name} n={len(values):>3} coverage min/median/max {cov.min():.2f}/{np.median(cov):.2f}/"
              f"{cov.max():.2f}   dense z min/median/max {z.min():.2f}/{np.median(z):.2f}/{z.max():.2f}")
    config = index.answer_config
    print(f"  production thresholds: coverage≥{config.min_coverage} or z≥{config.min_dense_z}")
    for cov_t in (0.35, 0.45, 0.55):
        for z_t in (2.8, 3.2, 3.6):
            c = replace(config, min_coverage=cov_t, min_dense_z=z_t)
            ok_ans = sum(1 for v in signals[True] if v[0] >= c.min_coverage or v[1] >= c.min_dense_z)
            declined = sum(1 for v in signals[False] if not (v[0] >= c.min_coverage or v[1] >= c.min_dense_z))
            print(f"  coverage≥{cov_t} or z≥{z_t}: answerable confident {ok_ans}/{len(signals[True])}, "
                  f"unanswerable declined {declined}/{len(signals[False])}")


if __name__ == "__main__":
    main()
