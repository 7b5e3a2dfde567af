"""Quality on the CHECK half of the realistic evaluation corpus, through `kb eval`, with MiniLM.

The tuning half is where choices were made (bench/quality.py, bench/fit_confidence.py); these
floors hold on the other half. MiniLM is English-only, so the lexical side, the spelling stage
and the thesaurus carry most of the load here. The check half holds two batches: 98 answerable and
12 unanswerable questions written with the product, and 44 and 6 from a second batch written
blind to it (``questions2_*.jsonl``). Figures (bench/quality.py, this commit): R@1 0.704, R@5
0.859, MRR@10 0.771, answers right 0.162, confidently wrong 0.056, unanswerable declined 18/18;
the blind batch alone: R@1 0.636, R@5 0.864, right 0.068, wrong 0.068. Before the second batch,
on the first alone: R@1 0.755, R@5 0.857, MRR@10 0.796, right 0.184, wrong 0.051.

Stop 25 lowered these floors, and says why. Four changes chosen on the tuning half (the thesaurus's
version 3 and its terms that fired for every "far" or "kommunen"; a speller that leaves real
Danish words and the thesaurus's words alone; a veto on answers that lack the price, number or
hours a question asks for; the ranker and rules refitted after them) lifted e5, the production
model, on both halves (check R@1 0.725 → 0.747, MRR 0.808 → 0.820, right 0.134 → 0.197, wrong
0.035 → 0.035), and MiniLM's tuning half held (R@1 0.699 → 0.699, R@5 0.860 → 0.867). MiniLM's
check half fell: R@1 0.704 → 0.683, R@5 0.859 → 0.852, MRR 0.771 → 0.760, right 0.162 → 0.106,
wrong 0.056 → 0.021. It is still ahead of every peer there (BM25 on page chunks 0.599 / 0.761 /
0.668).

Stop 26 raised them again: the thesaurus's version 4 ("skolen" out of the teacher group; "tale
med" and "skrive ned", which stem to "tal" and "skriv", out), chosen on the tuning half, lifted
MiniLM's check half to R@1 0.697, R@5 0.873, MRR 0.770 (right 0.106, wrong 0.028). e5 held
(0.747 / 0.922, MRR 0.820 → 0.818, right 0.197 → 0.190).

Stop 27 raised them once more: a case story's question sentences are searched twice
(``index/focus.py``), chosen on the tuning half (MiniLM R@1 0.713 → 0.720, R@5 0.874 → 0.881, e5
unchanged). MiniLM's check half: R@1 0.697 → 0.718, R@5 0.873, MRR 0.770 → 0.784, right 0.106 →
0.113, wrong 0.028. e5's: R@1 0.747 → 0.768, R@5 0.922, MRR 0.818 → 0.832, right 0.190 → 0.197.
Then the list spreads over pages after its first two passages (``index/diversity.py``; tuning
half MiniLM R@5 0.881 → 0.909, e5 0.902 → 0.909): MiniLM's check half R@5 0.873 → 0.901, MRR
0.784 → 0.790; e5's R@5 0.922, MRR 0.833. Answers unchanged. Last, small-to-big reads the
passages before and after on the same page, at 0.3, instead of the section's at 0.2
(``index/context.py``; tuning half MiniLM R@1 0.720 → 0.734, MRR 0.787 → 0.798, e5 R@1 0.748 →
0.769, MRR 0.815 → 0.831, answers unchanged): MiniLM's check half R@1 0.739, R@5 0.894, MRR
0.801, right 0.127, wrong 0.021; e5's 0.782 / 0.930 / 0.839, right 0.176, wrong 0.028. Two
passages per page before the other pages' best, not one (the passage after a page's first often
holds the answer; one per page took it out of the top five for ten tuning questions with e5):
MiniLM's check half 0.739 / 0.880 / 0.796, e5's 0.782 / 0.915 / 0.837, answers unchanged.

Stop 28 went back to one passage per page after the first two: each result links to its page, so
a page's second passage adds no place to look, and on the tuning half one per page won page R@5,
R@10 and MRR with both models (MiniLM 0.888 → 0.895, 0.937 → 0.951, 0.795 → 0.798; e5 0.909 →
0.923, 0.951 → 0.965, 0.827 → 0.831). MiniLM's check half 0.739 / 0.894 / 0.801, e5's 0.782 /
0.930 / 0.839, answers unchanged. Stop 27's code misses the R@5 floor.

Stop 29 added a third batch, questions that ask what a term means ("hvad er negativ social
kontrol", ``questions3_*.jsonl``, 8 per half), and a feature for them: the sentence ranker and the
confidence rule read whether a sentence opens by saying what the asked term is, by its own name or,
where no candidate does, by another of its thesaurus group ("NSK") (``index/definition.py``).
Refitted on the tuning half, with the same questions there against a refit without it: e5 out of
fold 31 → 34 right, 0 wrong; MiniLM 33 → 46 right, 2 → 5 wrong. On the check half (now 150
answerable), against stop 28's code: e5 right 28 → 33, wrong 4 → 4, R@1 0.793 → 0.787 (one
question); MiniLM R@1 0.747 → 0.753, R@5 0.900, MRR 0.808 → 0.811, right 22 → 36, wrong 3 → 7
(0.047). The definitional questions alone: e5 3 → 7 of 8 right, MiniLM 4 → 8. Then a numbered
list stays with its colon sentence (``index/sentences.py``; it was cut at "… aftales 2."): tuning
half unchanged with both models, check half e5 right 33 → 32 (the list now competes with the
sentence before it for "mægling formøder hver for sig", which is declined), MiniLM unchanged.

How the first batch's figures grew, each change chosen on the tuning half: each passage's best
sentence takes a share of the dense weight (``FusionConfig.sentence_weight``; before: R@1 0.684, MRR 0.757, right
0.153), the first excerpt quotes the best sentence with its preferred neighbour (right 0.173 →
0.204), the sentence ranker and confidence rule learn from the fixture questions too (0.235), and
a sentence that only repeats the question is never quoted while another can be (0.163 after the
refit; the answer figures here move by several questions with each refit, see
bench/fit_confidence.py); last, the sentence ranker counts a question word as found where the
sentence has a thesaurus synonym of it (0.184 after the refit), and the passage the answer quotes
is listed first (R@1 0.694 → 0.755, MRR 0.765 → 0.796). The code before issue 7 gave
R@1 0.593, R@5 0.814, MRR@10 0.695, confidently wrong 0.523 and declined 11/12 (on an earlier,
near-identical split), so it misses the R@1, R@5, MRR, confidently-wrong and unanswerable floors.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from api.cli import cli
from index.sentences import is_reference
from tests.conftest import kb_env

# floor: (metric path, minimum)
FLOORS = {  # one check question below today's figures (0.755 / 0.906 / 0.814 of 159)
    "recall@1": 0.749,
    "recall@5": 0.899,
    "mrr@10": 0.808,
}
ANSWER_RIGHT_FLOOR = 0.239  # one check question below today's 0.245 (39 of 159)
CONFIDENTLY_WRONG_CEILING = 0.08
UNANSWERABLE_DECLINED_FLOOR = 0.95


@pytest.fixture(scope="module")
def check(realistic_settings, realistic_corpus):  # noqa: ANN001
    result = CliRunner().invoke(cli, ["eval", str(realistic_corpus / "questions_check.jsonl"), "--json"],
                                env=kb_env(realistic_settings))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_retrieval_meets_the_floors_on_the_check_half(check):
    overall = check["summary"]["all"]
    assert overall["questions"] >= 140
    for metric, floor in FLOORS.items():
        assert overall[metric] >= floor, (metric, overall[metric])


def test_answers_are_right_or_honestly_declined(check):
    answers = check["summary"]["answers"]
    assert answers["unanswerable"] >= 57
    assert answers["right_rate"] >= ANSWER_RIGHT_FLOOR
    assert answers["confidently_wrong_rate"] <= CONFIDENTLY_WRONG_CEILING
    assert answers["unanswerable_declined_rate"] >= UNANSWERABLE_DECLINED_FLOOR


def test_a_question_about_what_a_term_means_is_answered_with_its_definition(check):
    # "hvad er negativ social kontrol" was answered with the examples that follow the guide's
    # definition, and "Hvad forstås ved et religiøst ægteskab?" declined though its definition was
    # the first sentence of the first passage: the ranker read a sentence that opens with the
    # question's words as one that says little (index/definition.py). 8 of 8 today; the code
    # before read 4 right.
    asked = [q for q in check["questions"] if re.match(r"[a-z]+3-", q["id"])]  # the third batch's
    assert len(asked) >= 8
    assert sum(bool(q["answer_right"]) for q in asked) >= len(asked) - 1, [q["id"] for q in asked]


def test_every_confident_answer_cites_a_returned_passage(check):
    for q in check["questions"]:
        ids = {p["id"] for p in q["results"]}
        assert all(s["passage_id"] in ids for s in q["answer"])
        assert bool(q["answer"]) == bool(q["confident"])


@pytest.mark.parametrize("question", ["servicelovens § 75", "straffelovens § 260 tvangsægteskab",
                                      "§ 69 a udrejseforbud"])
def test_a_bare_citation_is_never_an_answer_sentence(realistic_settings, question):  # noqa: ANN001
    # The guide's footnote "Servicelovens § 75 om foreløbige afgørelser." matches such a question
    # word for word, and says nothing about what the rule is.
    from api.wiring import make_live

    live = make_live(realistic_settings)
    live.reload()
    draft = live.current().draft(question, 5)
    assert draft.hits  # the passages are still shown
    assert not any(is_reference(s.text) for s in draft.sentences), draft.sentences


@pytest.mark.parametrize("question", ["hvad gør jeg hvis risikoen er høj",
                                      "hvad skal jeg gøre hvis en elev ikke kommer tilbage efter sommerferien",
                                      "hvad gør man når en ung ikke vil i beskyttet ophold"])
def test_a_question_what_to_do_is_answered_with_what_to_do_or_not_at_all(realistic_settings, question):  # noqa: ANN001
    # Issue 7's example: "hvad gør jeg hvis risikoen er høj" was answered with "Risikoen kan samlet
    # vurderes som lav, moderat eller høj.", and here (MiniLM) with "Det sker, at fagpersonerne er
    # uenige om, hvor høj risikoen er." A sentence that names the situation does not say what to do.
    from api.wiring import make_live
    from index.facts import says_what_to_do

    live = make_live(realistic_settings)
    live.reload()
    answer = live.current().ask(question, 5)
    assert answer.hits
    assert not answer.confident or says_what_to_do(answer.sentences[0].text), answer.sentences[0].text
