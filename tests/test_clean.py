"""Unit tests of the pure text rules in ``ingest/clean.py`` and ``ingest/words.py``."""

from __future__ import annotations

import pytest

from ingest import clean, words

# --------------------------------------------------------------------------- normalise


def test_normalise_spells_out_ligatures_and_drops_soft_hyphens() -> None:
    assert clean.normalise("kon\ufb02ikt og \ufb01nde sags\u00adbehandler") == "konflikt og finde sagsbehandler"


def test_normalise_collapses_every_kind_of_space() -> None:
    assert clean.normalise("  § 153,\u00a0stk.\u20092\t\n og\u200b  mere ") == "§ 153, stk. 2 og mere"


def test_normalise_composes_decomposed_letters() -> None:
    decomposed = "a\u030aben for o\u0308nsker"  # å and ö as base letter + combining mark
    assert clean.normalise(decomposed) == "åben for önsker"


def test_normalise_maps_unicode_hyphens_to_ascii() -> None:
    assert clean.normalise("SSP\u2011samarbejdet") == "SSP-samarbejdet"


# --------------------------------------------------------------------------- running lines


_BODY = ["Kommunen skal handle.", "Den unge skal høres.", "Politiet kan hjælpe.", "Skolen underretter."]


def _body(p: int) -> list[str]:
    """Body lines that differ from page to page, as real text does."""
    return [f"{line} ({chr(ord('a') + p)})" for line in _BODY]


def test_running_header_and_page_numbers_are_dropped() -> None:
    pages = [["Håndbog om negativ social kontrol", *_body(p), f"{p}"] for p in range(1, 6)]
    assert clean.drop_running_lines(pages) == [_body(p) for p in range(1, 6)]


def test_running_lines_match_after_digit_normalisation() -> None:
    pages = [[*_body(p), f"Side {p} af 12 | SIRI"] for p in range(1, 6)]
    assert clean.find_running_lines(pages) == [{4}] * 5


def test_body_text_that_repeats_only_occasionally_is_kept() -> None:
    pages = [[f"Linje {p}", "Brødtekst", "Slut"] for p in range(1, 13)]
    pages[0][0] = pages[5][0] = pages[11][0] = "Kapitel om risiko"  # recurs, but never in a run
    found = clean.find_running_lines(pages)
    assert all(0 not in f for f in (found[0], found[5], found[11]))


def test_alternating_left_and_right_headers_are_dropped() -> None:
    pages = [["Håndbog" if p % 2 else "Kapitel 3: Risikovurdering", "Tekst", "Slut"] for p in range(1, 9)]
    assert all(0 in f for f in clean.find_running_lines(pages))


def test_positions_must_agree_for_a_running_line() -> None:
    pages = [["Indledning", "Tekst", "Mere"] for _ in range(4)]
    same = [[800.0, 700.0, 600.0] for _ in range(4)]
    moved = [[800.0 - 40 * p, 700.0, 600.0] for p in range(4)]  # a title at a different height each time
    assert all(0 in f for f in clean.find_running_lines(pages, same))
    assert not any(0 in f for f in clean.find_running_lines(pages, moved))


def test_only_lines_near_the_edges_are_candidates() -> None:
    pages = [[*_body(p)[:3], "Gentaget midt på siden", *_body(p + 10)[:3]] for p in range(5)]
    assert clean.find_running_lines(pages) == [set() for _ in range(5)]


def test_two_page_document_needs_both_pages() -> None:
    assert clean.find_running_lines([["Hoved", "Tekst"], ["Hoved", "Anden"]]) == [{0}, {0}]
    assert clean.find_running_lines([["Hoved", "Tekst"]]) == [set()]


@pytest.mark.parametrize("line", ["12", "Side 4", "side 4 af 40", "4/40", "- 7 -", "| 9", "iv", "xii"])
def test_page_numbers(line: str) -> None:
    assert clean.is_page_number(line)


@pytest.mark.parametrize("line", ["2018", "§ 153", "12 måneder", "Kapitel 4", "Indhold"])
def test_not_page_numbers(line: str) -> None:
    assert not clean.is_page_number(line, max_number=100)


def test_a_year_on_a_cover_is_not_a_page_number() -> None:
    pages = [["Håndbog", "Styrelsen", "2018"], ["Tekst", "1"], ["Tekst", "2"]]
    assert clean.find_running_lines(pages) == [set(), {1}, {1}]


# --------------------------------------------------------------------------- tables of contents


@pytest.mark.parametrize(
    "line",
    [
        "Indledning ........ 4",
        "Negativ social kontrol.......12",
        "Bilag . . . . . . . 40",
        "Forord ……… iv",
        "1.2 Risiko ____ 7",
    ],
)
def test_toc_lines(line: str) -> None:
    assert clean.is_toc_line(line)


@pytest.mark.parametrize("line", ["Se side 4.", "Jf. § 153, stk. 2 ... og 3", "Indledning 4", "f.eks. ... 12 år"])
def test_not_toc_lines(line: str) -> None:
    assert not clean.is_toc_line(line)


def test_strip_dot_leader() -> None:
    assert clean.strip_dot_leader("Kommunens handlings- og beredskabsplan ............ 8") == (
        "Kommunens handlings- og beredskabsplan 8"
    )
    assert clean.strip_dot_leader("Almindelig tekst.") == "Almindelig tekst."


@pytest.mark.parametrize("title", ["Indhold", "INDHOLDSFORTEGNELSE", "Indhold:", "  Indholdsfortegnelse "])
def test_toc_titles(title: str) -> None:
    assert clean.is_toc_title(title)


# --------------------------------------------------------------------------- joining lines


def test_line_break_hyphen_is_removed() -> None:
    assert clean.join_hyphenated(["Alle sags-", "behandlere skal vide det."]) == "Alle sagsbehandlere skal vide det."


def test_capitalised_word_is_rejoined_too() -> None:
    assert clean.join_hyphenated(["Sags-", "behandleren ringer."]) == "Sagsbehandleren ringer."


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("inden for børne-", "og ungeområdet", "inden for børne- og ungeområdet"),
        ("en social-", "og sundhedsfaglig indsats", "en social- og sundhedsfaglig indsats"),
        ("beskæftigelses-", "eller integrationsområdet", "beskæftigelses- eller integrationsområdet"),
        ("skole-", "samt fritidsområdet", "skole- samt fritidsområdet"),
        ("fra børne-", "til voksenområdet", "fra børne- til voksenområdet"),
    ],
)
def test_suspended_compounds_keep_hyphen_and_space(left: str, right: str, joined: str) -> None:
    assert clean.join_hyphenated([left, right]) == joined


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("Det lokale SSP-", "samarbejdet", "Det lokale SSP-samarbejdet"),
        ("send en e-", "mail", "send en e-mail"),
        ("i CPR-", "registret", "i CPR-registret"),
        ("ikke-", "vestlige lande", "ikke-vestlige lande"),
        ("Syd-", "Danmark", "Syd-Danmark"),
    ],
)
def test_real_hyphens_at_line_end_are_kept(left: str, right: str, joined: str) -> None:
    assert clean.join_hyphenated([left, right]) == joined


def test_soft_hyphen_at_line_end_follows_the_hyphen_rules() -> None:
    """Fonts map their hyphen glyph to U+00AD: at a line end it is the drawn hyphen (issue 8 §5)."""
    assert clean.join_hyphenated(["SSP\u00ad", "møde"]) == "SSP-møde"
    assert clean.join_hyphenated(["om sags\u00ad", "behandlingen"]) == "om sagsbehandlingen"


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("for ex-", "ample in English", "for example in English"),
        ("was pro-", "duced in 2019", "was produced in 2019"),
        ("some pre-", "vious work", "some previous work"),
        ("hans ex-", "kæreste ringer", "hans ex-kæreste ringer"),
        ("anti-", "racistisk arbejde", "anti-racistisk arbejde"),
        ("ex-", "og nuværende ansatte", "ex- og nuværende ansatte"),
    ],
)
def test_prefixes_at_line_end_join_unless_the_rest_is_a_word(left: str, right: str, joined: str) -> None:
    """Issue 8 §7: "ex-/ample" is one word broken at the line end; "ex-/kæreste" is a hyphenated compound."""
    assert clean.join_hyphenated([left, right]) == joined


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        # The word already has a hyphen, and its last part and the next line are words of their own:
        # a compound of hyphenated parts broken at one of its hyphens.
        ("viser et pop-up-", "billede", "viser et pop-up-billede"),
        ("et ikke-EU-", "land", "et ikke-EU-land"),
        # ... but a part broken at a syllable still joins ("SSP-samar-" / "bejdet").
        ("det lokale SSP-samar-", "bejdet", "det lokale SSP-samarbejdet"),
        ("i ikke-vest-", "lige lande", "i ikke-vestlige lande"),
    ],
)
def test_a_hyphen_after_a_hyphenated_part_is_kept_when_both_sides_are_words(left: str, right: str, joined: str) -> None:
    assert clean.join_hyphenated([left, right]) == joined


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        # camelCase glued by the PDF itself: the last part is an ordinary word broken at a syllable.
        ("søg brugerprofilAnven-", "delse.", "søg brugerprofilAnvendelse."),
        # A capital inside a name still marks a real hyphen.
        ("hent iPhone-", "appen", "hent iPhone-appen"),
        ("et SSP-", "møde", "et SSP-møde"),
    ],
)
def test_a_capital_inside_the_word_keeps_the_hyphen_only_when_the_joined_part_is_no_word(
    left: str, right: str, joined: str
) -> None:
    assert clean.join_hyphenated([left, right]) == joined


def test_dash_and_slash_at_line_end() -> None:
    assert clean.join_hyphenated(["hjælp –", "også om natten"]) == "hjælp – også om natten"
    assert clean.join_hyphenated(["og/", "eller"]) == "og/eller"


def test_lines_are_joined_by_single_spaces() -> None:
    assert clean.join_hyphenated(["  første linje ", "", "anden linje"]) == "første linje anden linje"


# --------------------------------------------------------------------------- glued words


def test_split_glued_restores_a_glued_phrase() -> None:
    assert clean.split_glued("håndteresageromkonflikterognegativ") == "håndtere sager om konflikter og negativ"


def test_split_glued_keeps_case_and_punctuation() -> None:
    assert clean.split_glued("(Kommunenskalsikre).") == "(Kommunen skal sikre)."


@pytest.mark.parametrize(
    "word",
    [
        "sagsbehandlerne",
        "æresrelaterede",
        "forældresamarbejdet",
        "beskæftigelsesområdet",
        "integrationsområdet",
        "kontaktpersonen",  # "kontaktperson|en": a definite ending, not the article
        "indberetning",  # "ind|beretning": a compound prefix, not a phrase
        "ungeområdet",
        "forældre",
    ],
)
def test_split_glued_never_splits_a_plausible_word(word: str) -> None:
    assert clean.split_glued(word) == word


def test_long_glued_line_with_unknown_compounds_is_split() -> None:
    glued = "håndteresageromæresrelateredekonflikterognegativ"
    assert clean.split_glued(glued).startswith("håndtere sager om ")
    assert clean.split_glued(glued).endswith(" konflikter og negativ")


def test_restore_glued_words_only_touches_tokens_too_long_for_one_word() -> None:
    text = "Et polititilhold, og Detkanværeensamtalemeddefamiliemedlemmer,dertruer."
    assert clean.restore_glued_words(text) == (
        "Et polititilhold, og Det kan være en samtale med de familiemedlemmer, der truer."
    )


def test_keep_joined_tells_kerning_from_word_gaps() -> None:
    assert words.keep_joined("T", "orsdag")  # kerning inside a known word
    assert not words.keep_joined("håndtere", "sager")  # two words
    assert not words.keep_joined("for", "ældre")  # two known words: a gap here is a space


def test_clean_block_text() -> None:
    assert clean.clean_block_text(" kon\ufb02ikter  og\u00a0Detkanværeensamtalemeddefamiliemedlemmer ") == (
        "konflikter og Det kan være en samtale med de familiemedlemmer"
    )


# --------------------------------------------------------------------------- headings


@pytest.mark.parametrize("text", ["Indledning", "3.2 Risikovurdering", "Hvad er negativ social kontrol?"])
def test_looks_like_heading(text: str) -> None:
    assert clean.looks_like_heading(text)


@pytest.mark.parametrize("text", ["Det er en sætning.", "• punkt", "12", "Indledning ....... 4", "x" * 130])
def test_does_not_look_like_heading(text: str) -> None:
    assert not clean.looks_like_heading(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ansvarlig enhed i kommunen er Børn og Unge/Myndighed – Familie og Forebyggelse",
        "Kunde Test miljøet kan anvendes til",
        "Derfor er det vigtigt at reagere hurtigt",
    ],
)
def test_reads_as_statement(text: str) -> None:
    assert clean.reads_as_statement(text)


@pytest.mark.parametrize(
    "text",
    [
        "Samtalen med den unge og hendes familie",  # no verb: a noun phrase
        "Forældrene får besked",  # a short headline
        "Hvornår skal forældrene kontaktes?",  # a question
        "Hvem er vejledningen til",  # a question without its mark
        "Sådan er håndbogen bygget op i fire dele",  # a how-to title
        "Når fagpersoner er uenige om risikoen",  # a subordinate clause
        "Tegn, som skolen kan være opmærksom på",  # the verb in a relative clause
        "Case: En pige på 15 år får hjælp af skolen",  # a labelled title
        "10.7 Hvad kan man se i rolleprofiloversigten",  # numbered question
    ],
)
def test_does_not_read_as_statement(text: str) -> None:
    assert not clean.reads_as_statement(text)
