"""Answer metrics of `kb eval`: right, confidently wrong, declined, printed labels."""

from __future__ import annotations

from index.answer import AnswerSentence
from index.evaluate import EvalReport, Question, QuestionResult, expected_label, holds
from index.search import Answer, Hit
from ingest.models import Passage


def passage(pid: str, page: int, label: str | None, text: str = "Tekst.") -> Passage:
    return Passage(pid, "haandbog", "Håndbog", page, page, label, None, text)


def result(q: Question, hits: list[Hit], confident: bool, first: str | None) -> QuestionResult:
    sentences = [AnswerSentence(first, hits[0].passage.id)] if first else []
    rank = next((i for i, h in enumerate(hits, 1) if h.passage.publication_id == q.publication
                 and h.passage.page_start in q.pages), None)
    return QuestionResult(q, hits, confident, rank, Answer(q.question, confident, sentences, hits))


Q = Question("q1", "skal jeg ringe til forældrene?", "haandbog", (9,), "colloquial", ("7",),
             "Kontakt ikke forældrene")


def test_evidence_phrase_is_matched_across_case_ligatures_and_dashes() -> None:
    assert holds("KONTAKT ikke  forældrene, før der er foretaget en vurdering.", "Kontakt ikke forældrene")
    assert holds("Den ﬁrste samtale", "den første samtale") is False
    assert holds("Den ﬁnale samtale", "den finale samtale")
    assert holds("SSP‑samarbejdet", "SSP-samarbejdet")
    assert not holds("Kontakt ikke forældrenes netværk", "Kontakt ikke forældrene")


def test_right_wrong_and_declined_are_counted_apart() -> None:
    right = result(Q, [Hit(passage("a", 9, "7"), 1.0)], True, "Kontakt ikke forældrene før en vurdering.")
    wrong_sentence = result(Q, [Hit(passage("a", 9, "7"), 1.0)], True, "Forældrene orienteres først.")
    wrong_page = result(Q, [Hit(passage("b", 3, "1"), 1.0)], True, "Kontakt ikke forældrene før en vurdering.")
    declined = result(Q, [Hit(passage("a", 9, "7"), 1.0)], False, None)
    unanswerable = Question("q2", "boligstøtte?", None, ())
    declined_u = result(unanswerable, [Hit(passage("a", 9, "7"), 1.0)], False, None)
    summary = EvalReport([right, wrong_sentence, wrong_page, declined, declined_u]).summary()
    answers = summary["answers"]
    assert (answers["right"], answers["confidently_wrong"], answers["declined"]) == (1, 2, 1)
    assert answers["declined_with_relevant_passage"] == 1
    assert (answers["unanswerable"], answers["unanswerable_declined"]) == (1, 1)


def test_printed_label_accuracy_counts_missing_labels_as_wrong() -> None:
    good = result(Q, [Hit(passage("a", 9, "7"), 1.0)], True, None)
    missing = result(Q, [Hit(passage("a", 9, None), 1.0)], True, None)
    assert EvalReport([good, missing]).summary()["labels"] == {"measured": 2, "right": 1, "accuracy": 0.5}


def test_expected_label_of_a_passage_starting_before_the_gold_page() -> None:
    p = Passage("x", "haandbog", "Håndbog", 8, 9, "6", None, "…")
    assert expected_label(Hit(p, 1.0), Q) == "6"


def test_an_empty_question_file_is_an_error(tmp_path) -> None:  # noqa: ANN001
    import pytest

    from index.evaluate import load_questions

    path = tmp_path / "tom.jsonl"
    path.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(ValueError, match="ingen spørgsmål") as caught:
        load_questions(path)
    assert str(path) in str(caught.value)


def test_unknown_publications_are_named_not_scored_as_misses() -> None:
    import pytest

    from index.evaluate import check_publications

    typo = Question("q7", "hvad er social kontrol?", "haandbogg", (3,))
    unanswerable = Question("q8", "boligstøtte?", None, ())
    check_publications([Q, unanswerable], ["haandbog", "vejledning"])  # known ids and null pass
    with pytest.raises(ValueError, match="haandbogg") as caught:
        check_publications([Q, typo], ["haandbog", "vejledning"])
    assert "q7" in str(caught.value) and "vejledning" in str(caught.value)


def test_a_question_may_name_the_publication_it_was_asked_in(tmp_path) -> None:  # noqa: ANN001
    import json

    import pytest

    from index.evaluate import check_publications, load_questions

    path = tmp_path / "q.jsonl"
    lines = [{"id": "a", "question": "samtale?", "publication": "haandbog", "pages": [3]},
             {"id": "b", "question": "samtale?", "publication": "haandbog", "pages": [3],
              "filter_publication": "haandbog"},
             {"id": "c", "question": "samtale?", "publication": "haandbog", "pages": [3], "filter_publication": ""}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    plain, filtered, empty = load_questions(path)
    assert (plain.filter_publication, filtered.filter_publication, empty.filter_publication) == (None, "haandbog",
                                                                                                 None)
    # A filter the index does not hold would search nothing and read as a miss: named instead.
    typo = Question("q9", "samtale?", "haandbog", (3,), filter_publication="haandbogg")
    with pytest.raises(ValueError, match="haandbogg") as caught:
        check_publications([filtered, typo], ["haandbog"])
    assert "q9" in str(caught.value)
    # A publication that is not one id was a traceback (unhashable list) in `kb eval`.
    for field in ("publication", "filter_publication"):
        path.write_text(json.dumps({"id": "d", "question": "samtale?", field: ["haandbog"]}) + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=f"linje 1: ugyldigt spørgsmål .*{field}"):
            load_questions(path)


def test_a_right_excerpt_the_rule_declined_is_counted_as_withheld() -> None:
    """``drafts_right`` is the ceiling of the confidence rule: the excerpts that were right before it
    decided, shown or not; ``declined_draft_right`` those it did not show."""
    hits = [Hit(passage("a", 9, "7"), 1.0)]
    excerpt = [AnswerSentence("Kontakt ikke forældrene før en vurdering.", "a")]
    withheld = QuestionResult(Q, hits, False, 1, Answer(Q.question, False, [], hits),
                              Answer(Q.question, False, excerpt, hits))
    shown = QuestionResult(Q, hits, True, 1, Answer(Q.question, True, excerpt, hits),
                           Answer(Q.question, True, excerpt, hits))
    wrong = [AnswerSentence("Forældrene orienteres først.", "a")]
    declined_wrong = QuestionResult(Q, hits, False, 1, Answer(Q.question, False, [], hits),
                                    Answer(Q.question, False, wrong, hits))
    assert (withheld.draft_right, withheld.answer_right) == (True, False)
    assert (shown.draft_right, shown.answer_right) == (True, True)
    assert (declined_wrong.draft_right, declined_wrong.answer_right) == (False, False)
    answers = EvalReport([withheld, shown, declined_wrong]).summary()["answers"]
    assert (answers["right"], answers["drafts_right"], answers["declined_draft_right"]) == (1, 2, 1)
    assert answers["declined"] == 2
