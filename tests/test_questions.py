"""A long pasted case description is searched by its question-like sentences (api/questions.py)."""

from __future__ import annotations

import pytest

from api.questions import MAX_PASTE_CHARS, condense
from index.focus import is_question_like, sentences
from ingest.settings import MAX_QUESTION_CHARS

# A case description as a caseworker pastes it from a journal: long, and the question comes last.
CASE = (
    "Jeg er sagsbehandler i en mellemstor kommune og har i dag haft besøg af en pige på 15 år fra 8. klasse. "
    "Hun fortæller, at hendes forældre har planlagt en rejse til familiens hjemland i sommerferien, og at hun "
    "har hørt sin mor tale i telefon om et bryllup. Hun siger, at hun ikke må gå til fritidsaktiviteter efter "
    "skole, at hendes bror følger hende til og fra skole, og at hun ikke må have en mobiltelefon. Skolens "
    "lærere har bemærket, at hun har været fraværende flere gange den seneste måned og virker bekymret. "
    "Pigen er meget bange for, hvad der sker, hvis familien finder ud af, at hun har talt med os. Hun har "
    "bedt os om ikke at kontakte forældrene. Kan vi tale med hende uden forældrenes samtykke? "
    "Vi har ikke tidligere haft en sag på familien, og der er ingen underretninger. Hvad skal jeg gøre?"
)


def test_the_case_is_longer_than_a_question() -> None:
    assert MAX_QUESTION_CHARS < len(CASE) <= MAX_PASTE_CHARS


def test_long_case_keeps_its_questions_and_the_last_sentence() -> None:
    condensed = condense(CASE)
    assert condensed.shortened
    assert condensed.original_chars == len(CASE)
    assert condensed.question.endswith(
        "Kan vi tale med hende uden forældrenes samtykke? Hvad skal jeg gøre?")
    assert len(condensed.question) <= MAX_QUESTION_CHARS


def test_the_room_the_questions_leave_holds_the_case_from_its_start() -> None:
    # "Hvad skal jeg gøre?" alone names no topic: a review's pasted case was searched as a generic
    # question about underretning, its forced marriage abroad left out with 450 characters unused.
    condensed = condense(CASE)
    kept = sentences(condensed.question)
    assert kept[0].startswith("Jeg er sagsbehandler i en mellemstor kommune")
    assert any("rejse til familiens hjemland" in s and "bryllup" in s for s in kept)
    assert kept == sorted(kept, key=CASE.index)
    assert MAX_QUESTION_CHARS - 100 < len(condensed.question) <= MAX_QUESTION_CHARS


def test_short_text_is_searched_as_it_is() -> None:
    condensed = condense("  Hvad er en   genopdragelsesrejse? ")
    assert not condensed.shortened
    assert condensed.question == "Hvad er en genopdragelsesrejse?"


def test_the_closing_question_wins_when_the_questions_do_not_all_fit() -> None:
    questions = [f"Hvad gør vi ved punkt nummer {n} i planen?" for n in range(40)]
    text = " ".join(["Baggrund."] + questions + ["Hvad skal jeg gøre nu?"])
    condensed = condense(text)
    assert condensed.question.endswith("Hvad skal jeg gøre nu?")
    assert condensed.question.startswith("Baggrund. Hvad gør vi ved punkt nummer")
    assert len(condensed.question) <= MAX_QUESTION_CHARS
    kept = sentences(condensed.question)
    assert kept == sorted(kept, key=text.index)  # the kept sentences stay in their order


def test_a_single_overlong_sentence_keeps_its_end_on_a_word_boundary() -> None:
    text = "og så " * 150 + "hvad skal jeg gøre med tvangsægteskab"
    condensed = condense(text)
    assert condensed.question.endswith("hvad skal jeg gøre med tvangsægteskab")
    assert len(condensed.question) <= MAX_QUESTION_CHARS
    assert condensed.question.split(" ", 1)[0] in ("og", "så")


def test_sentences_survive_a_paste_into_a_one_line_field() -> None:
    # Browsers drop line breaks from a one-line field: "…hjem.Hvad…" must still split.
    assert sentences("Pigen er flyttet hjem.Hvad skal jeg gøre?") == ["Pigen er flyttet hjem.", "Hvad skal jeg gøre?"]
    assert sentences("Hun er bange\nHvad nu?") == ["Hun er bange", "Hvad nu?"]
    assert sentences("Se fx jf. § 50 i loven. Hvad nu?") == ["Se fx jf. § 50 i loven.", "Hvad nu?"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Hvad skal jeg gøre", True),
        ("Kan vi tale med hende uden samtykke", True),
        ("Jeg er i tvivl om, hvorvidt jeg skal underrette", True),
        ("Er det en æressag?", True),
        ("Hun er 15 år.", False),
        ("Pigen kan ikke lide at gå hjem.", False),
    ],
)
def test_question_like(sentence: str, expected: bool) -> None:
    assert is_question_like(sentence) is expected
