import numpy as np
import pytest

from index.answer import AnswerConfig, Evidence, candidate_sentences, coverage, dense_z, is_confident, pick_sentences
from index.errors import QuestionError
from index.search import check_question


def test_coverage_weighs_words_by_idf_and_unknown_words_count_against():
    idf = {"underret": 2.0, "kommun": 0.5, "parkeringstilladels": None}
    assert coverage(["underret", "kommun"], {"underret", "kommun"}, idf) == 1.0
    assert coverage(["underret", "kommun"], {"kommun"}, idf) == 0.5 / 2.5
    # a word the corpus never uses outweighs the known ones
    assert coverage(["kommun", "parkeringstilladels"], {"kommun"}, idf) < 0.2
    assert coverage([], {"x"}, {}) == 0.0


def test_dense_z_measures_how_far_the_best_stands_out():
    scores = np.array([0.1, 0.1, 0.1, 0.9])
    assert dense_z(scores, 3) > 1.5
    assert dense_z(np.array([0.5, 0.5]), 0) == 0.0


def test_confident_when_either_signal_clears_its_threshold():
    config = AnswerConfig(min_coverage=0.5, min_dense_z=3.0)
    assert is_confident(Evidence(0.6, 0.0), config)
    assert is_confident(Evidence(0.0, 3.5), config)
    assert not is_confident(Evidence(0.4, 2.0), config)


def test_sentences_are_short_ones_dropped_and_tied_to_their_passage():
    urgent = "Ring til politiet på 112, hvis der er akut fare."
    alone = "Tal med den unge alene først."
    cands = candidate_sentences([("p1", f"Kort. {urgent}"), ("p2", alone)])
    assert cands == [(urgent, "p1"), (alone, "p2")]


def test_pick_sentences_follows_the_evidence_and_the_weight():
    cands = [("A sætning om noget helt andet her.", "p1"), ("B sætning der svarer på spørgsmålet.", "p2")]
    lexical = np.array([1.0, 0.0])
    dense = np.array([0.0, 1.0])
    config = AnswerConfig(max_sentences=1)
    assert pick_sentences(cands, lexical, dense, [0, 0], config, dense_weight=0.9)[0].passage_id == "p2"
    assert pick_sentences(cands, lexical, dense, [0, 0], config, dense_weight=0.1)[0].passage_id == "p1"
    assert pick_sentences([], lexical, dense, [], config) == []


def test_questions_are_cleaned_of_control_characters_and_checked():
    assert check_question("  tvang\x01ægteskab\n ") == "tvang ægteskab"
    with pytest.raises(QuestionError):
        check_question("\x00\x01 ")
    with pytest.raises(QuestionError):
        check_question("x" * 501)
