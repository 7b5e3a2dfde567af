"""Fit the sentence ranker on the TUNING half (and the fixture questions), per model family; write
index/choice.json.

    .venv/bin/python bench/fit_choice.py [--dry-run] [--models e5,MiniLM]

For every answerable question of the realistic corpus's tuning half and of the small fixture
corpus's question set (``common.tuning_sets``) the product retrieves its passages as it does when it
answers, and takes the candidate sentences of the passages an answer draws on, with the features
of ``index/choice.py`` (``SearchIndex.answer_candidates``). A candidate is right when its passage
is relevant and it holds the question's evidence phrase. The model is listwise: a softmax over
one question's candidates, fitted to put its mass on the right ones (L2-regularised, features
standardised). Questions whose candidates hold no right sentence teach nothing and are left out.

Fit the ranker before the confidence rule (``bench/fit_confidence.py``): the rule reads the
ranker's pick. The check half is never read here: ``bench/quality.py`` reports it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from common import chosen_models, fit_arguments, tuning_sets, write_fitted
from scipy.optimize import minimize

from index.choice import FEATURES, WEIGHTS_FILE, SentenceRanker
from index.confidence import family_of
from index.evaluate import holds, relevant

L2 = 3.0  # chosen on the tuning half: 0.3–10 pick within 2 points of each other there


def candidate_sets(index, questions):  # type: ignore[no-untyped-def]
    """(features, right) per answerable question that has a right candidate."""
    out = []
    considered = index.answer_config.passages_considered
    for q in questions:
        if not q.answerable or not q.evidence:
            continue
        query = index.prepare(q.question)
        final, lexical, dense = index.ranking(query)
        hits = index._hits(final, lexical, dense, considered)
        units, x, _, _ = index.answer_candidates(query, hits[:considered], dense)
        by_id = {h.passage.id: h for h in hits}
        right = np.array([relevant(by_id[u.passage_id], q) and holds(u.text, q.evidence) for u in units], dtype=bool)
        out.append((x, right))
    return out


def fit(sets: list[tuple[np.ndarray, np.ndarray]], l2: float = L2) -> np.ndarray:
    """Raw-unit weights of the listwise model (a constant shift does not change a softmax)."""
    usable = [(x, y) for x, y in sets if len(x) and y.any()]
    stacked = np.vstack([x for x, _ in usable])
    mean, std = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
    standard = [((x - mean) / std, y) for x, y in usable]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for z, y in standard:
            p = SentenceRanker.probabilities(z @ w)
            mass = float(p[y].sum()) + 1e-12
            total -= np.log(mass)
            grad -= z.T @ (np.where(y, p / mass, 0.0) - p)
        return total + l2 * float(w @ w), grad + 2 * l2 * w

    w = minimize(loss, np.zeros(stacked.shape[1]), jac=True, method="L-BFGS-B").x
    return w / std


def pick_rate(sets: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray) -> float:
    """Share of the questions whose top candidate is right."""
    return sum(bool(len(x)) and bool(y[int(np.argmax(x @ weights))]) for x, y in sets) / max(len(sets), 1)


def main() -> None:
    args = fit_arguments(WEIGHTS_FILE)
    data: dict = {"families": {}}
    for label, model in chosen_models(args.models):
        sources = tuning_sets(model)
        sets = [s for _, index, questions in sources for s in candidate_sets(index, questions)]
        index = sources[0][1]
        before = pick_rate(sets, np.array(index.ranker.weights))
        weights = fit(sets)
        print(f"== {label}: {len(sets)} answerable questions ({', '.join(n for n, _, _ in sources)}), "
              f"{sum(y.any() for _, y in sets)} with a right "
              f"candidate; top candidate right {before:.3f} with the current weights, {pick_rate(sets, weights):.3f} "
              "fitted")
        print("  weights " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(FEATURES, weights, strict=True)))
        data["families"][family_of(model)] = {
            "weights": {n: round(float(w), 5) for n, w in zip(FEATURES, weights, strict=True)},
            "fitted_on": f"realistic corpus's tuning half and the fixture questions ({len(sets)} answerable), {label}",
            "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
        }
    if not args.dry_run:
        write_fitted(WEIGHTS_FILE, data)


if __name__ == "__main__":
    main()
