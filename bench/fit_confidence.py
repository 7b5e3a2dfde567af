"""Fit the "no certain answer" and passage rules on the TUNING half (and the fixture questions), per
model family; write index/confidence.json.

    .venv/bin/python bench/fit_confidence.py [--dry-run]

For every question of the realistic corpus's tuning half and of the small fixture corpus's
question set (``common.tuning_sets``) the product drafts its answer (sentences chosen, not yet
gated) and records the signals of ``index/confidence.py``. A draft is a positive example when
the question is answerable and the draft is right (first excerpt from a relevant passage, holding
the evidence phrase); wrong drafts and every unanswerable question are negatives. A logistic regression on the
signals gives w and b. Each weight is held to the sign the signal's meaning gives it (more
coverage, agreement or certainty never lowers confidence; words the corpus never uses never raise
it): on about a hundred questions an unconstrained fit took chance correlations for rules (a
positive weight on unknown words answered "225-timers-reglen" on the check half).

The threshold gives the most right answers less three for every wrong one (``WRONG_COST``), while
confidently wrong answers stay at or below 6 % of the answerable tuning questions and every
unanswerable one is declined, read on the realistic tuning half alone; it is judged on
out-of-fold probabilities (each question scored by rules fitted without it), so that it is not
read off questions the rule has already seen. The
targets of issue 7 are 8 % and 95 %; the margin is for the noise of a hundred questions (refits
that differed by one feature moved the check half's wrong rate between 5 % and 13 %).

Measured and not kept (stop 28): answering only where the passage rule (below) also finds the
first passage about the question, the answer rule's threshold read with the others declined.
Alone, e5's threshold is set by the one unanswerable tuning question the rule is surest of ("Hvordan
klager forældrene til Ankestyrelsen …", out of fold 0.776); the passage rule declined that one, by
0.01, and the threshold fell to 0.648: out of fold 26 right and 0 wrong → 42 and 3 (MiniLM
unchanged, 36 and 4). On the check half, e5's right answers rose 0.176 → 0.261, confidently wrong
0.028 → 0.049, and one unanswerable question was answered (18/18 → 17/18, under the 0.95 target);
MiniLM's (refitted too) 0.127 → 0.204 and 0.021 → 0.056. That is twelve right answers for four wrong
ones (e5) and eleven for five (MiniLM): at ``WRONG_COST`` no gain, so the rules stay apart.

The same fit, on the same signals, gives the passage rule (``passages`` in the file): a positive
example is a question whose first passage is relevant; a listed passage that is not costs as much
as one that is gains, and no unanswerable question may list any. The check half is never read
here: ``bench/quality.py`` reports it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from common import chosen_models, fit_arguments, tuning_sets, write_fitted

from index.confidence import RULES_FILE, Signals, family_of
from index.evaluate import QuestionResult, relevant
from index.facts import unmet, unmet_kind

MAX_WRONG_RATE = 0.06  # confidently wrong answers per answerable question, at most
# What a confidently wrong answer costs, in right answers: a caseworker may act on it where a young
# person is at risk, while a decline only sends them to read the passages.
WRONG_COST = 3
MIN_UNANSWERABLE_DECLINED = 1.0
# The sign each signal's weight may take: +1 may only raise confidence, -1 may only lower it.
SIGNS = {"coverage": 1, "dense_z": 1, "gap": 1, "agreement": 1, "sentence_z": 1, "sentence_coverage": 1,
         "unknown": -1, "choice": 1, "synonym_coverage": 1, "definition": 1}
# Signals a rule does not read (weight held at 0): synonyms did not help the answer rule, see
# index/confidence.py.
ANSWER_UNUSED = frozenset({"synonym_coverage"})
# Inverse L2 strength, as in scikit-learn's LogisticRegression. Chosen by the out-of-fold figures
# on the tuning half (right − WRONG_COST × wrong), both models: C = 1 gave e5 30 − 3·3, MiniLM
# 17 − 3·3; 0.3 gave 32 − 3·3, 20 − 3·3; 0.1 gave 33 − 3·3, 20 − 3·1; 0.03 gave 33 − 3·3, 19 − 3·1.
# On a hundred questions, weights held closer to zero carry fewer chance correlations.
C = 0.1
FOLDS, REPEATS = 5, 4


def drafts(index, questions):  # type: ignore[no-untyped-def]
    """Per question: (signals, draft right, answerable, first passage relevant, answer vetoed,
    passage vetoed). A veto (``index/facts.py``: the question asks for an amount, a phone number,
    opening hours, or for an answer a number of days or times, that the text lacks) declines
    whatever the rule says."""
    rows = []
    for q in questions:
        answer = index.draft(q.question, k=10)
        rank = next((i for i, h in enumerate(answer.hits, 1) if relevant(h, q)), None)
        right = q.answerable and QuestionResult(q, answer.hits, True, rank, answer).answer_right
        searched = index.prepare.terms(q.question).search_text  # what the product's veto reads
        rows.append((answer.signals.vector(), bool(right), q.answerable, rank == 1,
                     bool(answer.sentences) and unmet(searched, answer.sentences[0].text),
                     bool(answer.hits) and unmet_kind(answer.question, answer.hits[0].passage.text)))
    return rows


def logistic(z: np.ndarray, y: np.ndarray, bounds: list[tuple[float | None, float | None]]):  # type: ignore[no-untyped-def]
    """L2-regularised logistic regression with bounded weights (last column: the unpenalised bias)."""
    from scipy.optimize import minimize

    z1 = np.hstack([z, np.ones((len(z), 1))])
    target = y.astype(float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        margin = z1 @ w
        p = 1 / (1 + np.exp(-margin))
        nll = float(np.sum(np.logaddexp(0, margin) - target * margin))
        penalty = np.append(w[:-1], 0.0)
        return C * nll + 0.5 * float(penalty @ penalty), C * (z1.T @ (p - target)) + penalty

    return minimize(loss, np.zeros(z1.shape[1]), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)]).x


def weights_for(rows, unused: frozenset[str] = frozenset()):  # type: ignore[no-untyped-def]
    """(weights, bias) in raw signal units, each weight held to its sign (and at 0 if ``unused``)."""
    x = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows])
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    bounds: list[tuple[float | None, float | None]] = [
        (0.0, 0.0) if n in unused else (0.0, None) if SIGNS[n] > 0 else (None, 0.0) for n in Signals.names()]
    w = logistic((x - mean) / std, y, bounds)
    weights = w[:-1] / std  # back to raw signal units
    return weights, float(w[-1] - np.dot(w[:-1], mean / std))


def out_of_fold(rows, unused: frozenset[str] = frozenset()):  # type: ignore[no-untyped-def]
    """Each question's probability from rules fitted without it (FOLDS folds, REPEATS shuffles, averaged).

    A threshold read off in-sample probabilities is optimistic: the rule has seen the questions it
    is judged on. These are what the rule would say about questions it has not seen.
    """
    x = np.array([r[0] for r in rows])
    p = np.zeros((REPEATS, len(rows)))
    rng = np.random.default_rng(0)
    for repeat in range(REPEATS):
        order = rng.permutation(len(rows))
        for fold in range(FOLDS):
            held = order[fold::FOLDS]
            weights, bias = weights_for([rows[i] for i in np.setdiff1d(order, held)], unused)
            p[repeat, held] = 1 / (1 + np.exp(-(x[held] @ weights + bias)))
    return p.mean(axis=0)


def threshold_for(p: np.ndarray, y: np.ndarray, answerable: np.ndarray, cost: float = 0.0,
                  max_wrong: float = 0.0) -> float:
    """The threshold that gives the most right answers less ``cost`` per wrong one, within the budget."""
    best = (-np.inf, 1.0)
    for threshold in np.unique(np.round(p, 4)):
        answered = p >= threshold
        wrong = int((answered & ~y & answerable).sum())
        declined = (~answered & ~answerable).sum() / max((~answerable).sum(), 1)
        worth = int((answered & y).sum()) - cost * (wrong + int((answered & ~answerable).sum()))
        if wrong / max(answerable.sum(), 1) <= max_wrong and declined >= MIN_UNANSWERABLE_DECLINED \
                and worth > best[0]:
            best = (worth, float(threshold))
    return best[1]


def fit(rows, cost: float = WRONG_COST, max_wrong: float = MAX_WRONG_RATE,  # type: ignore[no-untyped-def]
        calibrate_on: np.ndarray | None = None, unused: frozenset[str] = frozenset(),
        vetoed: np.ndarray | None = None):
    """Weights from every tuning question; the threshold from their out-of-fold probabilities.

    ``calibrate_on`` marks the rows the threshold is read from (default: all). The fixture
    questions teach the weights, but their corpus is small and clean, so the threshold is read
    from the realistic tuning half alone, as ``common.tuning_sets`` measured it. Read from both
    sets, MiniLM's fell from 0.695 to 0.674 and e5's rose from 0.666 to 0.732: the rule then
    answered by how easy the fixture questions are.

    ``vetoed`` marks the rows the product declines whatever the rule says (``index/facts.py``):
    they teach the weights, but are read as declined when the threshold is.
    """
    weights, bias = weights_for(rows, unused)
    y = np.array([r[1] for r in rows])
    answerable = np.array([r[2] for r in rows])
    p = out_of_fold(rows, unused)
    if vetoed is not None:
        p = np.where(vetoed, 0.0, p)
    on = np.ones(len(rows), dtype=bool) if calibrate_on is None else calibrate_on
    return weights, bias, threshold_for(p[on], y[on], answerable[on], cost, max_wrong), p


def rule_entry(weights, bias: float, threshold: float, questions: int, label: str) -> dict:  # type: ignore[no-untyped-def]
    return {
        "weights": {n: round(float(w), 5) for n, w in zip(Signals.names(), weights, strict=True)},
        "bias": round(bias, 5), "threshold": round(threshold, 4),
        "fitted_on": f"realistic corpus's tuning half and the fixture questions ({questions} questions; threshold "
                     f"on the tuning half), {label}",
        "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def main() -> None:
    args = fit_arguments(RULES_FILE)
    data: dict = {"families": {}, "passages": {}}  # only what this run fits; merged with the file at the end
    for label, model in chosen_models(args.models):
        sources = tuning_sets(model)
        by_source = [drafts(index, questions) for _, index, questions in sources]
        rows = [row for found in by_source for row in found]
        realistic = np.arange(len(rows)) < len(by_source[0])  # the realistic tuning half comes first
        y = np.array([r[1] for r in rows])[realistic]
        answerable = np.array([r[2] for r in rows])[realistic]
        weights, bias, threshold, p = fit(rows, calibrate_on=realistic, unused=ANSWER_UNUSED,
                                          vetoed=np.array([r[4] for r in rows]))
        answered = p[realistic] >= threshold
        print(f"== {label}: fitted on {', '.join(n for n, _, _ in sources)} ({len(rows)} questions); "
              f"the realistic tuning half has {answerable.sum()} answerable + {(~answerable).sum()} unanswerable")
        print(f"  there: drafts right {y.sum()}/{answerable.sum()}; out of fold: right {(answered & y).sum()}, "
              f"confidently wrong {(answered & ~y & answerable).sum()}, unanswerable answered "
              f"{(answered & ~answerable).sum()}; threshold {threshold:.3f}")
        print("  weights " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(Signals.names(), weights, strict=True))
              + f", bias {bias:+.3f}")
        data["families"][family_of(model)] = rule_entry(weights, bias, threshold, len(rows), label)
        # The passage rule: is the first passage about the question (a relevant page)? A listed
        # passage that is not costs as much as one that is gains; unanswerable questions list none.
        weights, bias, threshold, p = fit([(r[0], r[3], r[2]) for r in rows], cost=1.0, max_wrong=1.0,
                                          calibrate_on=realistic, vetoed=np.array([r[5] for r in rows]))
        listed = p[realistic] >= threshold
        first = np.array([r[3] for r in rows])[realistic]
        print(f"  passages: first relevant {first.sum()}/{answerable.sum()}; out of fold listed for "
              f"{(listed & first).sum()} of them and {(listed & ~first & answerable).sum()} others, unanswerable "
              f"{(listed & ~answerable).sum()}; threshold {threshold:.3f}")
        data["passages"][family_of(model)] = rule_entry(weights, bias, threshold, len(rows), label)
    if not args.dry_run:
        write_fitted(RULES_FILE, data)


if __name__ == "__main__":
    main()
