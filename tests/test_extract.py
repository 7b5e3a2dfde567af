"""``Extractor`` on generated PDFs: one test per requirement, then the whole fixture corpus."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ingest.errors import ExtractionError, IngestError
from ingest.extract import Extractor, Line, find_gutter, reading_order
from ingest.extract.headings import match_title
from ingest.models import Document
from tests.fixtures import pdfkit
from tests.fixtures.build_corpus import build_records
from tests.fixtures.pdfkit import BuiltPdf, Heading, Para, PdfBuilder, write_simple_pdf

HEADER = "Håndbog om æresrelaterede konflikter og negativ social kontrol"
LONG = (
    "Kommunen skal sikre, at medarbejderne kender beredskabsplanen, og at der altid er en nøgleperson, "
    "som kan rådgive kolleger om sager med æresrelaterede konflikter og negativ social kontrol. "
)
TOPICS = ["underretning", "risikovurdering", "samtalen", "beredskabet", "efterværn", "tvangsægteskab"]


def para(n: int) -> str:
    """A paragraph of several lines whose lines differ from page to page, as real pages do."""
    topic = TOPICS[n % len(TOPICS)]
    return (
        f"Om {topic}: Kommunen skal sikre, at medarbejderne kender reglerne om {topic}, og at der altid er "
        f"en nøgleperson for {topic}, som kan rådgive kolleger om {topic} i sager med æresrelaterede "
        f"konflikter. Spørgsmål om {topic} drøftes med lederen, og {topic} indgår i beredskabsplanen."
    )


@pytest.fixture(autouse=True)
def _quiet_pypdf() -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken fixtures make pypdf chatty


def extract(path: Path | BuiltPdf) -> Document:
    return Extractor()(path.path if isinstance(path, BuiltPdf) else path)


def texts(doc: Document, page: int | None = None, kind: str | None = None) -> list[str]:
    return [b.text for b in doc.blocks if (page is None or b.page == page) and (kind is None or b.kind == kind)]


def all_text(doc: Document) -> str:
    return "\n".join(texts(doc))


def outlined_canvas(path: Path) -> Canvas:
    """A page that opens with the title "Indledning", bookmarked in the PDF's outline at level 1."""
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 760, "Indledning")
    c.bookmarkPage("k")
    c.addOutlineEntry("Indledning", "k", level=0)
    return c


def draw_paragraph(c: Canvas, top: float, leading: float = 13.0) -> None:
    """LONG's lines in 10 pt body type, from ``top`` down."""
    c.setFont("Helvetica", 10)
    for n, line in enumerate(LONG.split(", ")):
        c.drawString(72, top - leading * n, line)


def raw_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages are written as raw content-stream text operators (font /F1 = Helvetica)."""
    c = Canvas(str(path), pagesize=A4, invariant=1, pageCompression=0)
    for operators in pages:
        c.setFont("Helvetica", 10)  # registers the font in the page resources
        font = c._doc.getInternalFontName("Helvetica")
        for op in operators:
            c._code.append(op.replace("/F1", font))
        c.showPage()
    c.save()
    return path


# --------------------------------------------------------------------------- 1. running headers and footers


@pytest.mark.parametrize("furniture_first", [True, False])
def test_running_headers_footers_and_page_numbers_are_dropped(tmp_path: Path, furniture_first: bool) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", header=HEADER, footer="Side {label}", furniture_first=furniture_first)
    for n in range(4):
        pdf.page([Para(para(n))])
    doc = extract(pdf.save())
    assert texts(doc) == [pdfkit.clean_text(para(n)) for n in range(4)]
    assert not any(HEADER in t or t.startswith("Side") for t in texts(doc))


def test_bare_page_numbers_are_dropped(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", footer="{label}")
    for n in range(3):
        pdf.page([Para(para(n))])
    doc = extract(pdf.save())
    assert texts(doc) == [pdfkit.clean_text(para(n)) for n in range(3)]


def test_a_title_that_recurs_at_the_top_is_not_furniture(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", header=HEADER)
    for n in range(4):
        pdf.page([Heading(f"Kapitel {n + 1}"), Para(para(n))])
    doc = extract(pdf.save())
    assert texts(doc, kind="heading") == ["Kapitel 1", "Kapitel 2", "Kapitel 3", "Kapitel 4"]


# --------------------------------------------------------------------------- 2. hyphenation


def test_line_break_hyphens_are_removed_and_suspended_compounds_kept(tmp_path: Path) -> None:
    para = Para(
        "Alle sags\u00ad\nbehandlere i kommunen arbejder inden for børne-\nog ungeområdet, "
        "social-\nog sundhedsfaglige indsatser og det lokale SSP-\nsamarbejde med politiet."
    )
    pdf = PdfBuilder(tmp_path / "a.pdf")
    pdf.page([para])
    built = pdf.save()
    drawn = [line.text for line in built.pages[0].lines]
    assert drawn[0].endswith("sags-") and drawn[1].endswith("børne-") and drawn[3].endswith("SSP-")
    (text,) = texts(extract(built))
    assert text == (
        "Alle sagsbehandlere i kommunen arbejder inden for børne- og ungeområdet, "
        "social- og sundhedsfaglige indsatser og det lokale SSP-samarbejde med politiet."
    )


def test_automatic_hyphenation_leaves_no_broken_words(tmp_path: Path) -> None:
    text = (
        "Beskæftigelsesindsatsen, familieafdelingerne, integrationsindsatsen, sundhedsplejerskerne, "
        "myndighedsudøvelsen og ungdomsuddannelserne samarbejder med krisecentrene, politikredsene, "
        "ambassaderne og anbringelsesstederne om handleplanerne, sikkerhedsplanerne og netværkskortene. "
    ) * 3
    pdf = PdfBuilder(tmp_path / "a.pdf", hyphenate=True)
    pdf.page([Para(text)])
    built = pdf.save()
    assert built.pages[0].line_ends("soft-hyphen"), "the fixture should hyphenate some words"
    assert texts(extract(built)) == [pdfkit.clean_text(text)]


def test_a_word_hyphenated_across_a_page_break_is_completed_on_its_first_page(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                "BT /F1 10 Tf 14 TL 72 700 Td (Der er brug for flere hænder i alle afdelinger, og derfor) Tj "
                "T* (har kommunen ansat flere nye sags-) Tj ET"
            ],
            [
                "BT /F1 10 Tf 14 TL 72 700 Td (behandlere i familieafdelingen, som skal arbejde med) Tj "
                "T* (sager om negativ social kontrol.) Tj ET"
            ],
        ],
    )
    doc = extract(path)
    assert texts(doc, page=1) == [
        "Der er brug for flere hænder i alle afdelinger, og derfor har kommunen ansat flere nye sagsbehandlere"
    ]
    assert texts(doc, page=2) == ["i familieafdelingen, som skal arbejde med sager om negativ social kontrol."]


# --------------------------------------------------------------------------- 3. glued words


GLUED = "Kommunen skal håndtere sager om æresrelaterede konflikter og negativ social kontrol hurtigt og sikkert."


def test_words_placed_by_tj_offsets_are_not_glued(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf")
    pdf.page([Para(GLUED, glued=True)])
    built = pdf.save()
    naive = PdfReader(built.path).pages[0].extract_text()
    assert "håndteresager" in naive.replace("\n", ""), "precondition: pypdf alone glues these words"
    assert texts(extract(built)) == [GLUED]


def test_kerning_inside_a_word_does_not_split_it(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                # -30: ordinary kerning; -90 (a third of a space) inside a known word: still kerning
                "BT /F1 10 Tf 72 700 Td [(T) -90 (orsdag) -110 (m\\370des) -110 (sag) -30 (sbehandlerne) "
                "-110 (med) -290 (T) 60 (ove.)] TJ ET"
            ]
        ],
    )
    assert texts(extract(path)) == ["Torsdag mødes sagsbehandlerne med Tove."]


def test_word_spacing_and_separate_runs_get_spaces(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                "BT /F1 10 Tf 3 Tw 72 700 Td (Den unge) Tj ET",
                "BT /F1 10 Tf 125 700 Td (skal) Tj 20.5 0 Td (høres.) Tj ET".replace("ø", "\\370"),
            ]
        ],
    )
    assert texts(extract(path)) == ["Den unge skal høres."]


# --------------------------------------------------------------------------- 4. two columns


@pytest.mark.parametrize("order", ["columns", "rows"])
def test_two_columns_are_read_left_then_right(tmp_path: Path, order: Literal["columns", "rows"]) -> None:
    left = "Venstre spalte begynder her. " + LONG * 2
    right = "Højre spalte fortsætter her. " + LONG * 2
    pdf = PdfBuilder(tmp_path / "a.pdf")
    pdf.page(
        [Heading("To spalter", 2), Para(left), Para(right)],
        columns=2,
        top=[Heading("Fælles titel")],
        column_order=order,
    )
    built = pdf.save()
    assert {line.column for line in built.pages[0].lines} == {0, 1}
    doc = extract(built)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Fælles titel"),
        ("heading", "To spalter"),
        ("text", pdfkit.clean_text(left)),
        ("text", pdfkit.clean_text(right)),
    ]


def test_a_paragraph_running_into_the_next_column_stays_one_block(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf")
    pdf.page([Para(LONG * 12)], columns=2)
    built = pdf.save()
    assert {line.column for line in built.pages[0].lines} == {0, 1}
    assert texts(extract(built)) == [pdfkit.clean_text(LONG * 12)]


def test_gutter_needs_lines_on_both_sides() -> None:
    def line(x0: float, x1: float, y: float) -> Line:
        return Line("tekst", x0, x1, y, 10.0, False)

    two = [line(70, 250, 700 - 14 * i) for i in range(5)] + [line(270, 520, 700 - 14 * i) for i in range(5)]
    assert find_gutter(two) == (250, 268)
    one = [line(70, 520, 700 - 14 * i) for i in range(8)] + [line(300, 520, 500), line(300, 520, 486)]
    assert find_gutter(one) is None
    assert [ln.x0 for ln in reading_order(two)] == [70] * 5 + [270] * 5


# --------------------------------------------------------------------------- 5. cover and contents pages


def test_cover_and_toc_pages_are_marked_and_still_emitted(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", header=HEADER, outline=True)
    pdf.cover_page("Håndbog om negativ social kontrol", subtitle="Til kommuner", publisher="SIRI", year=2018)
    pdf.toc_page()
    pdf.page([Heading("Indledning"), Para(LONG)])
    pdf.page([Heading("Risikovurdering"), Para(LONG)])
    doc = extract(pdf.save())
    assert [p.kind for p in doc.pages] == ["cover", "toc", "body", "body"]
    assert texts(doc, page=1) == ["Håndbog om negativ social kontrol", "Til kommuner", "SIRI", "2018"]
    assert texts(doc, page=2) == ["Indhold", "Indledning 1", "Risikovurdering 2"]  # dot leaders gone


def test_toc_page_found_by_title_alone(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            ["BT /F1 10 Tf 72 700 Td (Indholdsfortegnelse) Tj 0 -20 Td (Indledning 3) Tj ET"],
            ["BT /F1 10 Tf 72 700 Td (Indledning) Tj 0 -20 Td (Her begynder teksten.) Tj ET"],
        ],
    )
    assert [p.kind for p in extract(path).pages] == ["toc", "body"]


def test_contents_continued_on_a_second_page(tmp_path: Path) -> None:
    entries = [f"Kapitel om {topic}  {n + 3}" for n, topic in enumerate(TOPICS)]
    ops = " ".join(f"T* ({e}) Tj" for e in entries)
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [f"BT /F1 10 Tf 20 TL 72 760 Td (Indhold) Tj {ops} ET"],
            [f"BT /F1 10 Tf 20 TL 72 760 Td {ops} ET"],
            ["BT /F1 10 Tf 14 TL 72 760 Td (Kapitel om underretning) Tj T* (Her begynder teksten om emnet.) Tj ET"],
        ],
    )
    assert [p.kind for p in extract(path).pages] == ["toc", "toc", "body"]


def test_a_first_page_full_of_text_is_not_a_cover(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf")
    pdf.page([Para(LONG * 3)])
    assert extract(pdf.save()).pages[0].kind == "body"


# --------------------------------------------------------------------------- 6. section titles


def test_headings_from_the_outline_in_reading_order_with_levels(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", outline=True)
    pdf.page([Heading("Indledning"), Para(LONG), Heading("Formål og målgruppe", 2), Para(LONG)])
    pdf.page([Para(LONG), Heading("Genopdragelsesrejser"), Para(LONG)])
    doc = extract(pdf.save())
    assert [(b.kind, b.page, b.level) for b in doc.blocks] == [
        ("heading", 1, 1), ("text", 1, 1), ("heading", 1, 2), ("text", 1, 1),
        ("text", 2, 1), ("heading", 2, 1), ("text", 2, 1),
    ]  # fmt: skip
    assert texts(doc, kind="heading") == ["Indledning", "Formål og målgruppe", "Genopdragelsesrejser"]


def test_outline_levels_come_first_and_unbookmarked_bold_lines_go_below_them(tmp_path: Path) -> None:
    # "Bemærk" is set like a heading but has no bookmark: it still heads its paragraph, one level
    # below the outline's deepest entry, so the outline's own levels stay as they are.
    path = tmp_path / "a.pdf"
    c = outlined_canvas(path)
    c.setFont("Helvetica", 10)
    c.drawString(72, 730, "Kommunen skal have en plan for sager om negativ social kontrol.")
    c.setFont("Helvetica-Bold", 12)
    c.drawString(72, 700, "Bemærk")
    draw_paragraph(c, 680, leading=14)
    c.showPage()
    c.save()
    doc = extract(path)
    assert [(b.text, b.level) for b in doc.blocks if b.kind == "heading"] == [("Indledning", 1), ("Bemærk", 2)]
    assert texts(Extractor(font_headings=True)(path), kind="heading") == ["Indledning", "Bemærk"]


@pytest.mark.parametrize("size", [10.0, 11.0])
def test_bold_heading_without_bookmark_is_not_glued_to_its_paragraph(tmp_path: Path, size: float) -> None:
    """Word puts only levels 1-2 in the outline; a bold level-3 title at (or near) body size set at
    the body's own leading must still head its paragraph instead of opening it."""
    path = tmp_path / "a.pdf"
    c = outlined_canvas(path)
    draw_paragraph(c, 730)
    c.setFont("Helvetica-Bold", size)
    c.drawString(72, 660, "Samtalen med den unge")
    draw_paragraph(c, 647)
    c.showPage()
    c.save()
    doc = extract(path)
    assert [(b.kind, b.text[:21], b.level) for b in doc.blocks] == [
        ("heading", "Indledning", 1),
        ("text", "Kommunen skal sikre a", 1),
        ("heading", "Samtalen med den unge", 2),
        ("text", "Kommunen skal sikre a", 1),
    ]


def test_bold_sentence_at_the_text_leading_is_no_heading_beside_an_outline(tmp_path: Path) -> None:
    # A bold line inside a table cell or paragraph follows the line above at the text's own leading:
    # no paragraph gap sets it off, so it is emphasis, not a title (a real Word table did this).
    path = tmp_path / "a.pdf"
    c = outlined_canvas(path)
    y = 730.0
    for text, bold in [("DN på den enhed som hele", False), ("strukturen skal bygges i.", False),
                       ("Indstillingen udfases: Anvend", True), ("den nye mapning i stedet", True),
                       ("DN på en enhed som slettede", False), ("enheder flyttes til.", False)]:  # fmt: skip
        c.setFont("Helvetica-Bold" if bold else "Helvetica", 10)
        c.drawString(72, y, text)
        y -= 11.5
    c.showPage()
    c.save()
    assert texts(extract(path), kind="heading") == ["Indledning"]


def test_a_bold_line_whose_sentence_goes_on_below_is_no_heading(tmp_path: Path) -> None:
    # A real Word manual: "Det er muligt at konfigurere logs i filen SOFDCore….config i" in bold after
    # a paragraph gap, "roden af installationsmappen." at the text's leading below it. A title does
    # not break off mid-sentence: the next line would not go on in lower case.
    path = tmp_path / "a.pdf"
    c = outlined_canvas(path)
    draw_paragraph(c, 730)
    c.setFont("Helvetica-Bold", 10)
    c.drawString(72, 660, "Det er muligt at konfigurere logs i filen Service.exe.config i")
    c.setFont("Helvetica", 10)
    c.drawString(72, 647, "roden af installationsmappen.")
    c.showPage()
    c.save()
    doc = extract(path)
    assert texts(doc, kind="heading") == ["Indledning"]
    assert any("konfigurere logs" in b.text for b in doc.blocks if b.kind == "text")


def test_a_bold_statement_among_contact_lines_is_no_heading(tmp_path: Path) -> None:
    # A real Word manual: one-line paragraphs of contact details, then "Ansvarlig enhed hos KMD er
    # … – Løn og Personale" in bold at the text's size, wrapped, no closing period, after the same
    # paragraph gap as every line above it. It states something (a finite verb after its subject):
    # a sentence set in bold, not a section title, though it is short and set off like one.
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 13)
    c.drawString(72, 760, "1.2 Kontakt")
    y = 740.0
    for text in ["Vejledningen beskriver kommunens beredskab ved æresrelaterede konflikter.",
                 "Spørgsmål om vejledningen rettes til:", "Familieafdelingen", "Rådhuspladsen 1",
                 "9000 Aalborg", "E-mail: familie@kommune.dk"]:  # fmt: skip
        c.setFont("Helvetica", 10)
        c.drawString(72, y, text)
        y -= 21
    c.setFont("Helvetica-Bold", 10)
    c.drawString(72, y, "Ansvarlig enhed i kommunen er Børn og Unge/Myndighed – Familie og")
    c.drawString(72, y - 12.2, "Forebyggelse")
    c.setFont("Helvetica", 13)
    c.drawString(72, y - 54, "1.3 Formål og målgrupper")
    draw_paragraph(c, y - 72)
    c.showPage()
    c.save()
    doc = extract(path)
    assert texts(doc, kind="heading") == ["1.2 Kontakt", "1.3 Formål og målgrupper"]
    assert "Ansvarlig enhed i kommunen er Børn og Unge/Myndighed – Familie og Forebyggelse" in texts(doc, kind="text")


def test_outline_title_matches_when_its_number_is_read_after_it() -> None:
    # A real Word manual: a table running on from the previous page made the side-head "2.3  Start
    # af service" read title first; the bookmark then fell to the top of the page and the printed
    # title stayed body text.
    lines = [
        Line("rod-enheden, returneres en tom streng.", 278, 390, 747, 10, False),
        Line("Start af service", 99, 193, 595.3, 14, False, margin=True),
        Line("2.3", 56, 76, 595.3, 14, False),
        Line("Efter servicen er konfigureret startes den.", 57, 525, 575.7, 10, False),
    ]
    assert match_title(lines, "2.3 Start af service", 0, []) == (1, 2)
    assert match_title(lines, "2.4 Start af service", 0, []) is None


def test_a_bold_line_inside_a_paragraph_is_no_heading(tmp_path: Path) -> None:
    # A real manual set a menu name in bold inside a paragraph; the line holding it became a heading
    # ("er, at du i Hovedmenuen blot vælger 2. Ajourføring af brugeroplysnin-").
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 760, "Ret en medarbejder")
    y = 730.0
    rows = [("Den sidste måde at finde en bestemt medarbejder på", False),
            ("er, at du i menuen blot vælger 2. Ret brugeroplysnin-", True),
            ("ger uden at skrive et navn og trykker på knappen.", False)]  # fmt: skip
    rows += [(part, False) for part in (LONG * 3).split(", ")]  # enough text for a body page
    for text, bold in rows:
        c.setFont("Helvetica-Bold" if bold else "Helvetica", 10)
        c.drawString(72, y, text)
        y -= 13
    c.showPage()
    c.save()
    doc = extract(path)
    assert texts(doc, kind="heading") == ["Ret en medarbejder"]
    assert "Ret brugeroplysninger uden" in all_text(doc)


def test_a_label_repeated_on_one_page_is_no_heading(tmp_path: Path) -> None:
    # A field reference repeats "Gyldighedsregel" above every rule: many times on two pages is a
    # label as much as once on each of many pages.
    pages: list[list[Heading | Para]] = [[Para(LONG * 3)]]  # a body page first: no cover
    for page in range(2):
        items: list[Heading | Para] = [Heading(f"Felter i skærmbillede {page + 1}")]
        for n in range(4):
            rule = f"Feltet {n + 1} skal udfyldes med en dato i formatet DDMMÅÅÅÅ."
            items += [Heading("Gyldighedsregel", 3), Para(rule)]
        pages.append(items)
    doc = extract(write_simple_pdf(tmp_path / "a.pdf", pages))
    assert "Gyldighedsregel" not in texts(doc, kind="heading")
    assert texts(doc, kind="heading") == ["Felter i skærmbillede 1", "Felter i skærmbillede 2"]


def test_outline_title_missing_from_the_page_opens_the_page(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 10)
    c.drawString(72, 700, "Teksten på siden nævner ikke titlen.")
    c.bookmarkPage("k")
    c.addOutlineEntry("Et kapitel uden trykt titel", "k", level=0)
    c.showPage()
    c.save()
    doc = extract(path)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Et kapitel uden trykt titel"),
        ("text", "Teksten på siden nævner ikke titlen."),
    ]
    assert any("Et kapitel uden trykt titel" in w for w in doc.warnings)


def test_headings_from_font_size_and_weight_without_outline(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", outline=False)
    pdf.page(
        [
            Heading("Samtalen med den unge og hendes familie om fremtiden"),
            Para(LONG),
            Heading("Forberedelse", 2),
            Para(LONG),
            Heading("Efter samtalen", 2),
            Para(LONG),
        ]
    )
    doc = extract(pdf.save())
    assert [(b.kind, b.text, b.level) for b in doc.blocks if b.kind == "heading"] == [
        ("heading", "Samtalen med den unge og hendes familie om fremtiden", 1),
        ("heading", "Forberedelse", 2),
        ("heading", "Efter samtalen", 2),
    ]


def test_a_bold_sentence_is_not_a_heading(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                "BT /F2 10 Tf 72 700 Td (Ring altid 112 ved akut fare.) Tj ET",
                "BT /F1 10 Tf 72 680 Td (Mere tekst.) Tj ET",
            ]
        ],
    )
    assert [b.kind for b in extract(path).blocks] == ["text"]


# --------------------------------------------------------------------------- 7. page labels


def test_page_labels_from_the_pdf(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", page_labels=True)
    pdf.cover_page("Titel")
    pdf.toc_page()
    pdf.page([Heading("Et"), Para(LONG)])
    pdf.page([Heading("To"), Para(LONG)])
    assert [p.label for p in extract(pdf.save()).pages] == ["i", "ii", "1", "2"]


def test_empty_page_label_becomes_none(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", page_labels=True, front_label_style=None)
    pdf.cover_page("Titel")
    pdf.page([Para(LONG)])
    assert [p.label for p in extract(pdf.save()).pages] == [None, "1"]


def test_no_page_labels_without_a_pagelabels_entry_or_printed_numbers(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", page_labels=False, footer=None)
    pdf.page([Para(LONG)])
    pdf.page([Para(LONG)])
    assert [p.label for p in extract(pdf.save()).pages] == [None, None]


# --------------------------------------------------------------------------- 8. paragraphs and characters


def test_paragraphs_split_at_gaps_and_lines_joined_by_single_spaces(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf")
    pdf.page([Para(LONG * 2), Para("Et kort afsnit."), Para(LONG, justify=True)])
    doc = extract(pdf.save())
    assert texts(doc) == [pdfkit.clean_text(LONG * 2), "Et kort afsnit.", pdfkit.clean_text(LONG)]
    assert all("  " not in t and "\n" not in t for t in texts(doc))


def test_bullets_start_new_paragraphs(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                "BT /F1 10 Tf 14 TL 72 700 Td (Kommunen skal:) Tj T* (\\225 lave en plan) Tj "
                "T* (\\225 udpege en n\\370gleperson) Tj ET"
            ]
        ],
    )
    assert texts(extract(path)) == ["Kommunen skal:", "• lave en plan", "• udpege en nøgleperson"]


def test_dashes_start_items_only_in_lists(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                "BT /F1 10 Tf 14 TL 72 700 Td (Planen skal indeholde:) Tj T* (- navne p\\345 n\\370glepersoner) Tj "
                "T* (- en arbejdsgang.) Tj ET",
                "BT /F1 10 Tf 14 TL 72 620 Td (Kommunen afg\\370r selv, hvem der deltager) Tj "
                "T* (- ofte sammen med politiet - og hvor m\\370det holdes.) Tj ET",
            ]
        ],
    )
    assert texts(extract(path)) == [
        "Planen skal indeholde:",
        "- navne på nøglepersoner",
        "- en arbejdsgang.",
        "Kommunen afgør selv, hvem der deltager - ofte sammen med politiet - og hvor mødet holdes.",
    ]


def test_footnote_marks_do_not_glue_onto_words(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                "BT /F1 10 Tf 72 700 Td (Negativ social kontrol) Tj /F1 6 Tf 4 Ts (12) Tj /F1 10 Tf 0 Ts "
                "(, som det kaldes, er udbredt.) Tj ET"
            ]
        ],
    )
    assert texts(extract(path)) == ["Negativ social kontrol, som det kaldes, er udbredt."]


def test_text_outside_the_trim_box_is_ignored(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                "BT /F1 10 Tf 72 700 Td (Synlig tekst på siden.) Tj ET",
                "BT /F1 6 Tf 72 -20 Td (haandbog.indd 3) Tj ET",
            ]
        ],
    )
    assert texts(extract(path)) == ["Synlig tekst på siden."]


def test_text_inside_form_xobjects_is_read_in_place(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.beginForm("boks")
    c.setFont("Helvetica", 10)
    c.drawString(0, 0, "Tekst i en genbrugt boks.")
    c.endForm()
    c.setFont("Helvetica", 10)
    c.drawString(72, 700, "Tekst før boksen.")
    c.saveState()
    c.translate(72, 600)
    c.doForm("boks")
    c.restoreState()
    c.drawString(72, 500, "Tekst efter boksen.")
    c.showPage()
    c.save()
    assert texts(extract(path)) == ["Tekst før boksen.", "Tekst i en genbrugt boks.", "Tekst efter boksen."]


def test_landscape_page_drawn_sideways_reads_upright(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setPageRotation(90)
    c.translate(A4[0], 0)
    c.rotate(90)
    c.setFont("Helvetica", 10)
    for n, line in enumerate(["Første linje i et liggende afsnit,", "som fortsætter her", "og slutter her."]):
        c.drawString(72, 470 - 14 * n, line)
    c.rotate(90)  # a margin note turned sideways relative to the page's text
    c.drawString(100, -30, "lodret note")
    c.showPage()
    c.save()
    doc = extract(path)
    assert texts(doc) == ["Første linje i et liggende afsnit, som fortsætter her og slutter her."]
    assert any("roteret" in w for w in doc.warnings)


def test_embedded_font_ligatures_are_spelled_out(tmp_path: Path) -> None:
    font_file = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font_file.exists():
        pytest.skip("DejaVuSans is not installed")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVu", str(font_file)))
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("DejaVu", 10)
    c.drawString(72, 700, "Hun \ufb01nder en løsning på kon\ufb02ikten – «ÆØÅ».")
    c.showPage()
    c.save()
    assert texts(extract(path)) == ["Hun finder en løsning på konflikten – «ÆØÅ»."]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "findes ikke"),
        (pdfkit.write_empty_file, "tom"),
        (pdfkit.write_garbage_pdf, "HTML"),
        (pdfkit.write_corrupt_pdf, "beskadiget"),
        (pdfkit.write_encrypted_pdf, "krypteret"),
        (pdfkit.write_zero_page_pdf, "ingen sider"),
    ],
)
def test_unreadable_pdfs_raise_extraction_error(tmp_path: Path, make: Callable[[Path], object], message: str) -> None:
    path = tmp_path / "bad.pdf"
    make(path)
    with pytest.raises(ExtractionError) as info:
        extract(path)
    # The file as the corpus folder knows it: reports show this message, and the folder is the server's.
    assert message in str(info.value) and "bad.pdf" in str(info.value) and str(tmp_path) not in str(info.value)
    assert isinstance(info.value, IngestError)


def test_a_pdf_with_more_pages_than_any_guide_is_refused_at_once(tmp_path: Path) -> None:
    """A hostile PDF of 50,000 blank pages was read until KB_EXTRACT_TIMEOUT (300 s), holding the
    store lock, at every refresh (an operator's review); it is refused when opened."""
    from pypdf import PdfWriter

    from ingest.extract.pdf import MAX_PAGES

    path = tmp_path / "huge.pdf"
    writer = PdfWriter()
    for _ in range(MAX_PAGES + 1):
        writer.add_blank_page(width=595, height=842)
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(ExtractionError, match=f"{MAX_PAGES + 1} sider; højst {MAX_PAGES}") as raised:
        extract(path)
    assert str(raised.value).endswith("Er det den rigtige fil? Tjek »file« i publications.toml og filen i "
                                      "korpusmappen.")


def test_pdf_without_text_raises(tmp_path: Path) -> None:
    """Shapes only: no text, and no image to be a scan of one (tests/test_extract_messages.py has the others)."""
    path = tmp_path / "figur.pdf"
    c = Canvas(str(path), pagesize=A4)
    c.rect(100, 100, 300, 300, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(ExtractionError, match="hverken tekst eller billeder") as caught:
        extract(path)
    assert "OCR" not in str(caught.value)


def test_owner_password_only_pdf_is_read(tmp_path: Path) -> None:
    path = pdfkit.write_encrypted_pdf(tmp_path / "locked.pdf", password="", owner_password="ejer")
    assert "underretning efter serviceloven" in all_text(extract(path))


# --------------------------------------------------------------------------- performance


def test_a_hundred_pages_cost_work_in_proportion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work bounds, not seconds (timings are in bench/extract_speed.py): each page's content is
    parsed once, each font once per document, and the word list is consulted only for suspect
    tokens, never for every word."""
    from pypdf.generic import ContentStream

    from ingest import words
    from ingest.extract import fonts

    pdf = PdfBuilder(tmp_path / "big.pdf", header=HEADER, outline=True, page_labels=True, hyphenate=True)
    for n in range(100):
        pdf.page(
            [Heading(f"Afsnit {n}"), Para(LONG * 2), Para(LONG * 2, glued=n % 2 == 0), Para(LONG * 2)],
            columns=2 if n % 3 == 0 else 1,
        )
    built = pdf.save()
    calls = {"streams": 0, "fonts": 0, "segment": 0}

    def counting(name: str, original: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object, **kwargs: object) -> object:
            calls[name] += 1
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(ContentStream, "__init__", counting("streams", ContentStream.__init__))
    monkeypatch.setattr(fonts.FontCache, "_load", staticmethod(counting("fonts", fonts.FontCache._load)))
    monkeypatch.setattr(words, "segment", counting("segment", words.segment))
    doc = extract(built)
    assert len(doc.pages) == 100 and len(texts(doc, kind="heading")) == 100
    assert calls["streams"] <= 100
    assert calls["fonts"] <= 2  # Helvetica and Helvetica-Bold
    assert calls["segment"] <= 50 * 3  # at most the glued lines' suspect tokens, a few per glued page


# --------------------------------------------------------------------------- the fixture corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[BuiltPdf, Document]]:
    built = build_records(tmp_path_factory.mktemp("extract-corpus"))
    return {pid: (pdf, extract(pdf)) for pid, pdf in built.items()}


PUBLICATIONS = ["haandbog", "metodehaefte", "godpraksis", "vejledning"]


@pytest.mark.parametrize("pid", PUBLICATIONS)
def test_fixture_publication_matches_its_ground_truth(corpus: dict[str, tuple[BuiltPdf, Document]], pid: str) -> None:
    built, doc = corpus[pid]
    assert len(doc.pages) == len(built.pages)
    for record in built.pages:
        got = [(b.kind, b.text, b.level if b.kind == "heading" else 1) for b in doc.blocks if b.page == record.number]
        want = [(e.kind, e.text, e.level if e.kind == "heading" else 1) for e in record.blocks]
        assert got == want, f"{pid} page {record.number}"


@pytest.mark.parametrize("pid", PUBLICATIONS)
def test_fixture_publication_page_kinds_and_labels(corpus: dict[str, tuple[BuiltPdf, Document]], pid: str) -> None:
    built, doc = corpus[pid]
    has_labels = "/PageLabels" in PdfReader(built.path).root_object
    assert [p.kind for p in doc.pages] == [r.kind for r in built.pages]
    for page, record in zip(doc.pages, built.pages, strict=True):
        # Without /PageLabels they are inferred from the printed numbers, and unnumbered front pages
        # get none; with it, the unnumbered front pages are checked below.
        if not has_labels or record.label is not None:
            assert page.label == record.label
    if pid == "haandbog":  # roman numerals for the unnumbered front matter, as books do
        assert [p.label for p in doc.pages][:3] == ["i", "ii", "1"]


def test_dropped_note_marks_are_kept_aside_with_the_word_before(tmp_path: Path) -> None:
    """The text loses a note mark on purpose; the line keeps it aside, so a measure can tell it from a lost word."""
    path = raw_pdf(
        tmp_path / "a.pdf",
        [
            [
                "BT /F1 10 Tf 72 700 Td (Negativ social kontrol) Tj /F1 6 Tf 4 Ts (12) Tj /F1 10 Tf 0 Ts "
                "(, som det kaldes, er udbredt.) Tj ET"
            ]
        ],
    )
    extractor = Extractor()
    lines = extractor.read_pages(extractor.open(path), path, [])[0]
    assert [(ln.text, ln.marks) for ln in lines] == [
        ("Negativ social kontrol, som det kaldes, er udbredt.", (("kontrol", "12"),))
    ]
