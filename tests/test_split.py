from ingest.models import Block, Document, PageInfo, Publication
from ingest.split import Splitter, passage_id, split_sentences

PUB = Publication(id="haandbog", title="Håndbog", file="haandbog.pdf")


def words(text: str) -> int:
    return len(text.split()) + 2  # a stand-in tokenizer: one token per word plus two specials


def doc(blocks, kinds=None, labels=None):
    pages = max(b.page for b in blocks)
    kinds = kinds or {}
    labels = labels or {}
    return Document(
        pages=[PageInfo(n, labels.get(n), kinds.get(n, "body")) for n in range(1, pages + 1)], blocks=blocks
    )


def test_passages_follow_sections_and_carry_pages_and_labels():
    blocks = [
        Block("heading", "Indledning", 2),
        Block("text", "Første afsnit om negativ social kontrol i familien og i skolen.", 2),
        Block("text", "Andet afsnit fortsætter på næste side med flere ord om samme emne.", 3),
        Block("heading", "Genopdragelsesrejser", 3),
        Block("text", "Et barn kan blive sendt på en rejse til forældrenes hjemland mod sin vilje.", 3),
    ]
    passages = Splitter(words, max_tokens=100)(PUB, doc(blocks, labels={2: "1", 3: "2"}))
    assert [p.section for p in passages] == ["Indledning", "Genopdragelsesrejser"]
    assert (passages[0].page_start, passages[0].page_end, passages[0].page_label) == (2, 3, "1")
    assert passages[1].page_start == 3 and passages[1].page_label == "2"


def test_cover_and_toc_pages_never_become_passages():
    blocks = [
        Block("text", "Håndbog til kommuner om æresrelaterede konflikter og negativ social kontrol", 1),
        Block("text", "Indledning ........ 4 Genopdragelsesrejser ........ 7 Underretning ........ 9", 2),
        Block("text", "Brødtekst om samtaler med unge, der lever under negativ social kontrol.", 3),
    ]
    passages = Splitter(words, max_tokens=100)(PUB, doc(blocks, kinds={1: "cover", 2: "toc"}))
    assert [p.page_start for p in passages] == [3]


def test_nothing_is_truncated_when_a_paragraph_exceeds_the_window():
    long_text = " ".join(f"Sagsbehandleren taler med den unge nummer {i} alene og uden familien." for i in range(30))
    passages = Splitter(words, max_tokens=40, target_tokens=30)(PUB, doc([Block("text", long_text, 1)]))
    assert all(words(p.text) <= 40 for p in passages)
    assert " ".join(p.text for p in passages).split() == long_text.split()


def test_run_on_sentence_is_cut_at_word_boundaries():
    text = " ".join(f"ord{i}" for i in range(100))
    passages = Splitter(words, max_tokens=30)(PUB, doc([Block("text", text, 1)]))
    assert all(words(p.text) <= 30 for p in passages)
    assert sum(len(p.text.split()) for p in passages) == 100


def test_ids_are_stable_and_depend_on_normalised_text():
    assert passage_id("haandbog", "Tekst  med\nmellemrum") == passage_id("haandbog", "tekst med mellemrum")
    assert passage_id("haandbog", "a b c") != passage_id("vejledning", "a b c")
    assert passage_id("haandbog", "x").startswith("haandbog-")


def test_sentences_respect_danish_abbreviations():
    assert split_sentences("Det gælder bl.a. Skolen. Næste sætning her.") == [
        "Det gælder bl.a. Skolen.",
        "Næste sætning her.",
    ]


def test_a_short_piece_is_merged_into_its_neighbour_in_the_section():
    """Issue 8 §6: pieces under 40 characters were dropped; now they join the passage before them."""
    long = "Kommunen skal altid vurdere risikoen for den unge og inddrage nøglepersonen i sagen straks i dag."
    blocks = [Block("heading", "Akut fare", 1), Block("text", long, 1), Block("text", "Ring 112 ved fare.", 1)]
    passages = Splitter(words, max_tokens=30, target_tokens=20)(PUB, doc(blocks))
    assert [p.text for p in passages] == [f"{long} Ring 112 ved fare."]


def test_a_short_piece_before_a_long_one_joins_it():
    long = "Kommunen skal altid vurdere risikoen for den unge og inddrage nøglepersonen i sagen straks i dag."
    blocks = [Block("heading", "Akut fare", 1), Block("text", "Ring 112 ved fare.", 1), Block("text", long, 1)]
    passages = Splitter(words, max_tokens=30, target_tokens=4)(PUB, doc(blocks))
    assert " ".join(p.text for p in passages) == f"Ring 112 ved fare. {long}"
    assert all(len(p.text) >= 40 for p in passages)


def test_slides_of_short_bullets_keep_their_words():
    """A slide deck: each slide a section with a line or two; nothing under a section is lost."""
    slides = [("Tidlig indsats", "Tal med den unge"), ("Samarbejde", "Inddrag SSP"), ("Forældre", "Kontakt dem senere")]
    blocks = []
    for n, (title, text) in enumerate(slides, start=1):
        blocks += [Block("heading", title, n), Block("text", text, n)]
    blocks.append(Block("text", "Figur 3", 3))  # a stray caption of two words is still noise
    passages = Splitter(words, max_tokens=100)(PUB, doc(blocks))
    assert [(p.section, p.text) for p in passages] == [
        ("Tidlig indsats", "Tal med den unge"),
        ("Samarbejde", "Inddrag SSP"),
        ("Forældre", "Kontakt dem senere Figur 3"),
    ]


def test_a_box_is_its_own_section_and_the_text_after_it_returns_to_the_section():
    blocks = [
        Block("heading", "Samtalen med den unge", 1, 2),
        Block("text", "Tal med den unge alene, et sted hvor familien ikke kan høre samtalen.", 1),
        Block("heading", "Case: Sara, 16 år", 1, 3, role="box"),
        Block("text", "Sara går i 9. klasse og er holdt op med at komme til idræt.", 1, role="box"),
        Block("text", "Efter samtalen skrives et referat med den unges egne ord om forløbet.", 1),
    ]
    passages = Splitter(words, max_tokens=200)(PUB, doc(blocks))
    assert [(p.section, p.text.split()[0]) for p in passages] == [
        ("Samtalen med den unge", "Tal"),
        ("Case: Sara, 16 år", "Sara"),
        ("Samtalen med den unge", "Efter"),
    ]
    assert not any("16 år Sara" in p.text for p in passages)


def test_footnotes_are_packed_apart_after_their_section():
    blocks = [
        Block("heading", "Anbringelse", 1, 1),
        Block(
            "text",
            "Hvis der er yngre søskende i hjemmet, skal kommunen vurdere, om de er i risiko, når den unge er anbragt.",
            1,
        ),
        Block("text", "Servicelovens § 58. Fra 1. januar 2024 barnets lov § 47.", 1, role="footnote"),
        Block(
            "text",
            "Den unges adresse skal beskyttes, og det skal sikres, at den ikke fremgår af breve til forældrene.",
            2,
        ),
        Block("heading", "Samvær", 2, 1),
        Block(
            "text",
            "Samvær kan bruges til at presse den unge, og kommunen kan afbryde samværet, når det er nødvendigt.",
            2,
        ),
    ]
    passages = Splitter(words, max_tokens=200)(PUB, doc(blocks))
    assert [(p.section, p.text[:20]) for p in passages] == [
        ("Anbringelse", "Hvis der er yngre sø"),
        ("Anbringelse", "Servicelovens § 58. "),
        ("Samvær", "Samvær kan bruges ti"),
    ]
    assert "Den unges adresse" in passages[0].text and "§ 58" not in passages[0].text
