"""Questions that ask what a term means, and the sentences that say it (index/definition.py)."""

from __future__ import annotations

import pytest

from index.definition import asked_term, asked_terms, defines, definitions
from index.sentences import Unit


@pytest.mark.parametrize(("question", "term"), [
    ("hvad er negativ social kontrol", ("negativ", "social", "kontrol")),
    ("Hvad betyder æresrelateret konflikt?", ("æresrelateret", "konflikt")),
    ("tvangsægteskab definition", ("tvangsægteskab",)),
    ("hvad menes der med en genopdragelsesrejse", ("genopdragelsesrejse",)),
    ("Hvad forstås ved et religiøst ægteskab?", ("religiøst", "ægteskab")),
    ("hvad er en risikovurdering egentlig", ("risikovurdering",)),
    ("beredskabsplan hvad er det", ("beredskabsplan",)),
    ("Hvad er Infohuset?", ("infohuset",)),
    ("hvad går konfliktmægling ud på", ("konfliktmægling",)),
    ("definition af negativ social kontrol", ("negativ", "social", "kontrol")),
    ("what is a safety plan", ("safety", "plan")),
    ("honour based violence hvad er definitionen", ("honour", "based", "violence")),
    ("hvad er definitionen på negativ social kontrol", ("negativ", "social", "kontrol")),
    ("NSK betydning", ("nsk",)),
    # Questions that ask something else, with "hvad er" or "hvad betyder" in them:
    ("Hvad er den anbefalede handling, når risikoen er moderat?", None),
    ("Hvad er eksempler på negativ social kontrol?", None),
    ("Hvad er reglerne for at få fritagelse fra svømmeundervisning af religiøse grunde?", None),
    ("Hvad er kontanthjælpssatsen for en forsørger over 30 år?", None),
    ("Hvad betyder det, når en ung senere siger, at det hele var en misforståelse?", None),
    ("Hvad er handlingsplanen til, i modsætning til beredskabsplanen?", None),
    ("hvad gør jeg hvis risikoen er høj", None),
    ("skal jeg ringe til forældrene først?", None),
    # a possessive asks about someone's own, not what a term means
    ("hvad er min rolle", None),
    ("hvad er vores pligt", None),
])
def test_the_term_a_question_asks_about(question: str, term: tuple[str, ...] | None) -> None:
    assert asked_term(question) == term


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("hvad er negativ social kontrol", "Negativ social kontrol er et bredere begreb.", True),
    ("hvad er negativ social kontrol", "Eksempler på negativ social kontrol kan være:", False),
    ("hvad er negativ social kontrol", "Grænsen mellem strenge forældre og negativ social kontrol kan være svær "
                                       "at trække.", False),
    # any inflection of the term's words, after an article
    ("hvad er en handlingsplan", "Handlingsplanen fastlægger kommunens mål for indsatsen.", True),
    ("hvad er æresrelaterede konflikter", "En æresrelateret konflikt opstår, når et familiemedlem …", True),
    ("Hvad forstås ved et religiøst ægteskab?", "Et religiøst ægteskab er en vielse, som kun …", True),
    ("hvad er et tvangsægteskab", "Ved tvangsægteskab forstås et ægteskab, som …", True),
    # the term is not the sentence's subject
    ("hvad er en beredskabsplan", "Beredskabsplanens kerne er en klar beskrivelse af …", False),
    ("hvad er en beredskabsplan", "Kommunens beredskabsplan er et praktisk redskab.", False),
    # no term asked: nothing is a definition
    ("hvad gør jeg hvis risikoen er høj", "Risikoen er høj, når …", False),
])
def test_a_sentence_that_says_what_the_term_is(question: str, sentence: str, expected: bool) -> None:
    assert defines(sentence, asked_term(question)) is expected


def unit(text: str, position: int = 0) -> Unit:
    return Unit(text, "p1", position, 0, len(text), narrative=False, guidance=False)


def test_a_term_asked_in_other_words_is_defined_by_the_guides_word_for_it() -> None:
    # The guides never write "NSK" or "honour based violence"; the thesaurus gives their own words.
    nsk = asked_terms("hvad betyder NSK", ["negativ social kontrol", "negative social control"])
    assert nsk == (("nsk",), ("negativ", "social", "kontrol"), ("negative", "social", "control"))
    found = definitions(nsk, [unit("Eksempler på negativ social kontrol kan være:"),
                              unit("Negativ social kontrol er et bredere begreb.", 1)])
    assert found == [False, True]
    honour = asked_terms("honour based violence hvad er definitionen", ["æresrelateret konflikt"])
    assert definitions(honour, [unit("En æresrelateret konflikt opstår, når et familiemedlem …")]) == [True]
    assert asked_terms("hvad gør jeg hvis risikoen er høj", ["akut fare"]) == ()


def test_the_terms_own_definition_comes_before_one_of_another_name_in_its_group() -> None:
    # "mægling" is in the group of "konfliktmægling", and the guide says "Mægling er en krævende
    # metode …" on the same page as its definition of konfliktmægling.
    asked = asked_terms("hvad er konfliktmægling", ["mægling", "mediation"])
    units = [unit("Mægling er en krævende metode, der kun bør bruges af …"),
             unit("Konfliktmægling er en frivillig proces, hvor en uvildig mægler …", 1)]
    assert definitions(asked, units) == [False, True]
    assert definitions(asked, units[:1]) == [True]  # no definition by its own name: the other name's
