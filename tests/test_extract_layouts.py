"""Real-world layouts from issue 8: margin side-heads, three columns, contents and index pages,
labels that are not headings, characters (soft hyphens, sub/superscripts, letter spacing), and
bounded work on hostile pages. Every PDF is drawn here with our own Danish text."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ingest import clean
from ingest.extract import Extractor
from ingest.extract import lines as lines_stage
from ingest.extract.fonts import FontCache
from ingest.extract.stream import SpanReader
from ingest.models import Document, Publication
from ingest.split import Splitter


@pytest.fixture(autouse=True)
def _quiet_pypdf() -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class T:
    """One line of text drawn at (x, y)."""

    x: float
    y: float
    text: str
    size: float = 10.0
    bold: bool = False


def draw(path: Path, pages: list[list[T]], outline: list[tuple[str, int]] | None = None) -> Path:
    c = Canvas(str(path), pagesize=A4, invariant=1)
    for n, items in enumerate(pages):
        for item in items:
            c.setFont("Helvetica-Bold" if item.bold else "Helvetica", item.size)
            c.drawString(item.x, item.y, item.text)
        for title, page in outline or []:
            if page == n:
                key = f"o{n}-{title[:8]}"
                c.bookmarkPage(key)
                c.addOutlineEntry(title, key, level=0)
        c.showPage()
    c.save()
    return path


def wrap(text: str, width: float, size: float = 10.0, bold: bool = False) -> list[str]:
    font = "Helvetica-Bold" if bold else "Helvetica"
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and stringWidth(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


def column(x: float, top: float, lines: list[str], leading: float = 13.0, size: float = 10.0) -> list[T]:
    return [T(x, top - i * leading, text, size) for i, text in enumerate(lines)]


def extract(path: Path) -> Document:
    return Extractor()(path)


def texts(doc: Document, kind: str | None = None, page: int | None = None) -> list[str]:
    return [b.text for b in doc.blocks if (kind is None or b.kind == kind) and (page is None or b.page == page)]


def passages(doc: Document) -> list[str]:
    pub = Publication(id="p", title="P", file="p.pdf")
    return [p.text for p in Splitter(lambda t: len(t.split()) + 2, max_tokens=200)(pub, doc)]


BODY = (
    "Kommunen skal have en klar arbejdsfordelingen mellem myndighedsrådgiveren, skolen og SSP, så den unge "
    "altid ved, hvem der tager den næste samtale. Planen beskriver også, hvordan forældrene inddrages, når "
    "det er sikkert for den unge, og hvem der følger op efter en underretning om negativ social kontrol."
)
SECOND = (
    "Når en medarbejder er bekymret, drøftes sagen samme dag med lederen og nøglepersonen. Bekymringen "
    "skrives ned med dato og kilde, og det vurderes, om der skal underrettes med det samme, eller om der "
    "først skal indhentes flere oplysninger fra skolen, sundhedsplejen eller fritidstilbuddet."
)


# --------------------------------------------------------------------------- 2. margin side-heads, columns


def test_margin_side_heads_are_their_own_headings_not_spliced_into_body_lines(tmp_path: Path) -> None:
    """Word manuals put side-heads in the left margin, level with a body line."""
    first = wrap(BODY, 340)
    second = wrap(SECOND, 340)
    items = column(190, 700, first)
    top2 = 700 - (len(first) + 1) * 13
    items += column(190, top2, second)
    # The side-heads sit level with the second line of each paragraph, as Word places them.
    items += [T(57, 700 - 13, "Hvem gør hvad?", 9, bold=True), T(57, top2 - 13, "Når du er", 9, bold=True)]
    items += [T(57, top2 - 13 - 11, "bekymret", 9, bold=True)]
    doc = extract(draw(tmp_path / "a.pdf", [items]))
    assert texts(doc, kind="heading") == ["Hvem gør hvad?", "Når du er bekymret"]
    body = texts(doc, kind="text")
    assert body == [clean.normalise(BODY), clean.normalise(SECOND)]


def test_a_margin_note_that_is_a_sentence_is_its_own_paragraph(tmp_path: Path) -> None:
    lines = wrap(BODY, 340)
    items = column(190, 700, lines) + [T(57, 700 - 26, "Se også bilag 3.", 9)]
    doc = extract(draw(tmp_path / "a.pdf", [items]))
    assert sorted(texts(doc)) == sorted([clean.normalise(BODY), "Se også bilag 3."])


def test_notes_in_a_right_margin_column_are_their_own_blocks(tmp_path: Path) -> None:
    """Manuals also set notes in a narrow right column, hyphenated ("sammenlægnings-/kommuner")."""
    first = wrap(BODY, 330)
    items = column(72, 700, first) + column(72, 700 - (len(first) + 1) * 13, wrap(SECOND, 330))
    note = ["Hent oplysninger fra", "sammenlægnings-", "kommuner"]
    items += [T(425, 700 - 13 * (i + 1), text) for i, text in enumerate(note)]
    doc = extract(draw(tmp_path / "a.pdf", [items]))
    assert texts(doc) == ["Hent oplysninger fra sammenlægningskommuner", clean.normalise(BODY), clean.normalise(SECOND)]


def test_a_right_note_level_with_a_paragraphs_first_line_does_not_split_its_hyphenated_word(tmp_path: Path) -> None:
    """A real manual (leading 1.5 × the type) sets its right note a little below the first line's
    baseline: the note must go before the paragraph, not between "over-" and "sigten"."""
    first = [
        "Aktiver-kommandoen kan bruges for alle medarbejdere vist i over-",
        "sigten, bortset fra dem der har status ukendt. Marker de ønskede",
        "medarbejdere og tryk på knappen. Der står nu Aktiveret i feltet",
        "ud for de markerede medarbejdere.",
    ]
    second = [
        "En konsekvens af at aktivere en medarbejder er, at vedkommende",
        "igen kan bruge alle de systemer, som pågældende har adgang til.",
    ]
    items = [T(72, 700 - 13.5 * i, text, 9) for i, text in enumerate(first)]
    items += [T(72, 620 - 13.5 * i, text, 9) for i, text in enumerate(second)]
    items += [T(425, 695, "Aktiver-kommandoen", 9), T(425, 620, "Konsekvenser af", 9), T(425, 607, "aktiveringen", 9)]
    doc = extract(draw(tmp_path / "a.pdf", [items]))
    assert texts(doc) == [
        "Aktiver-kommandoen",
        clean.normalise(" ".join(first).replace("over- sigten", "oversigten")),
        "Konsekvenser af aktiveringen",
        clean.normalise(" ".join(second)),
    ]


def test_three_columns_do_not_interleave(tmp_path: Path) -> None:
    """Three columns whose baselines line up, written to the stream row by row."""
    paragraphs = [BODY, SECOND, BODY.replace("Kommunen", "Regionen")]
    cols = [wrap(text, 150, 9) for text in paragraphs]
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(50, 760, "Tre spalter om samarbejdet")
    c.setFont("Helvetica", 9)
    for row in range(max(len(col) for col in cols)):
        for n, col in enumerate(cols):
            if row < len(col):
                c.drawString(50 + n * 170, 720 - row * 12, col[row])
    c.showPage()
    c.save()
    doc = extract(path)
    # A column's last paragraph may run on into the next column; the order is what counts.
    assert " ".join(texts(doc, kind="text")) == " ".join(clean.normalise(p) for p in paragraphs)


def test_columns_with_a_narrow_gutter_and_offset_baselines_do_not_merge(tmp_path: Path) -> None:
    """A government register's three columns: a one-em gutter, each column on its own baselines, so
    a row of the page holds lines of two columns a few points apart, closer than a word gap apart."""
    paragraphs = [BODY, SECOND, BODY.replace("Kommunen", "Regionen")]
    cols = [wrap(text, 160, 9) for text in paragraphs]
    path = tmp_path / "a.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 9)
    for n, col in enumerate(cols):
        for row, text in enumerate(col):
            # Justified to the full 160 pt (the last line ragged), gutter 7 pt, baselines 3 pt apart.
            x, y, words_ = 50 + n * 167, 720 - n * 3.0 - row * 11, text.split()
            spare = 160 - sum(stringWidth(w, "Helvetica", 9) for w in words_)
            last = row == len(col) - 1 or len(words_) == 1
            gap = stringWidth(" ", "Helvetica", 9) if last else spare / (len(words_) - 1)
            for word in words_:
                c.drawString(x, y, word)
                x += stringWidth(word, "Helvetica", 9) + gap
    c.showPage()
    c.save()
    doc = extract(path)
    assert " ".join(texts(doc, kind="text")) == " ".join(clean.normalise(p) for p in paragraphs)


def test_footnotes_are_paragraphs_of_their_own(tmp_path: Path) -> None:
    """Notes at the foot of a page, each opening with its raised number, set close together."""
    path = raw_page(
        tmp_path / "a.pdf",
        [
            "BT /F1 10 Tf 72 700 Td (Kommunen skal handle straks, når der er en akut risiko for den unge.) Tj ET",
            "BT /F1 5 Tf 72 92 Td (1) Tj /F1 8 Tf 0 -3 Td (Servicelovens § 153, jf. lovbekendtgørelse nr. 798.) Tj ET",
            "BT /F1 8 Tf 72 79 Td (Fra 1. januar 2024 barnets lov § 133.) Tj ET",
            "BT /F1 5 Tf 72 72 Td (2) Tj /F1 8 Tf 0 -3 Td (Servicelovens § 155, stk. 2.) Tj ET",
        ],
    )
    assert texts(extract(path)) == [
        "Kommunen skal handle straks, når der er en akut risiko for den unge.",
        "Servicelovens § 153, jf. lovbekendtgørelse nr. 798. Fra 1. januar 2024 barnets lov § 133.",
        "Servicelovens § 155, stk. 2.",
    ]


# --------------------------------------------------------------------------- 3. contents and index pages

CHAPTERS = [
    ("1 Indledning", "1-1"),
    ("1.1 Formål", "1-2"),
    ("2 Roller og ansvar", "2-1"),
    ("2.1 Myndighedsrådgiveren", "2-3"),
    ("2.2 Skolen", "2-5"),
    ("3 Underretning", "3-1"),
    ("3.1 Vurdering af risiko", "3-4"),
    ("3.2 Samtalen med den unge", "3-7"),
]


def body_page(n: int, header: str = "Vejledning om samarbejde") -> list[T]:
    lines = wrap(f"Afsnit {n}. " + (BODY if n % 2 else SECOND), 440)
    return [T(72, 800, header, 8), *column(72, 740, lines), T(290, 40, str(n), 8)]


def toc_page(entries: list[tuple[str, str]], title: str | None, header: str | None = None) -> list[T]:
    items = [T(72, 800, header, 8)] if header else []
    if title:
        items.append(T(72, 760, title, 16, bold=True))
    for i, (name, number) in enumerate(entries):
        items += [T(72, 730 - i * 18, name), T(500, 730 - i * 18, number)]
    return items


def test_contents_over_several_pages_with_chapter_numbers(tmp_path: Path) -> None:
    pages = [toc_page(CHAPTERS, "Indholdsfortegnelse"), toc_page(CHAPTERS[::-1], None)]
    pages += [body_page(n) for n in range(1, 5)]
    doc = extract(draw(tmp_path / "a.pdf", pages))
    assert [p.kind for p in doc.pages] == ["toc", "toc", "body", "body", "body", "body"]
    assert not any("1-2" in p or "Myndighedsrådgiveren 2-3" in p for p in passages(doc))


def test_contents_whose_title_is_also_the_running_header(tmp_path: Path) -> None:
    title = "Indholdsfortegnelse"
    pages = [toc_page(CHAPTERS, None, header=title) for _ in range(3)]
    pages += [body_page(n) for n in range(1, 5)]
    doc = extract(draw(tmp_path / "a.pdf", pages))
    assert [p.kind for p in doc.pages][:3] == ["toc", "toc", "toc"]
    assert [p.kind for p in doc.pages][3:] == ["body"] * 4


@pytest.mark.parametrize("title", ["Stikordsregister", "Indeks"])
def test_back_of_book_index_never_becomes_passages(tmp_path: Path, title: str) -> None:
    terms = ["Anbringelse", "Beredskabsplan", "Bekymring", "Forældre", "Genopdragelsesrejse", "Kontrol"]
    entries = [(term, f"{n + 3}, {n + 12}, {n + 40}") for n, term in enumerate(terms)]
    more = [(f"{term}, samtale", f"{n + 7}, {n + 21}") for n, term in enumerate(terms)]
    pages = [body_page(n) for n in range(1, 5)] + [toc_page(entries, title), toc_page(more, None)]
    doc = extract(draw(tmp_path / "a.pdf", pages))
    assert [p.kind for p in doc.pages][4:] == ["index", "index"]
    found = passages(doc)
    assert found and not any("Beredskabsplan" in p or "samtale 7" in p for p in found)


def test_index_rows_are_tried_only_when_they_end_in_a_page_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index pattern tries every letter of a row as the entry's start: quadratic on long prose
    rows (a tenth of the time on a dense two-column page). It runs only on rows ending in a reference."""
    from ingest.extract import layout
    from ingest.extract.records import Line, PageLayout

    tried: list[str] = []
    pattern = layout._PAGE_REFERENCES

    class Counted:
        def search(self, row: str) -> object:
            tried.append(row)
            return pattern.search(row)

    monkeypatch.setattr(layout, "_PAGE_REFERENCES", Counted())
    prose = [Line(text=f"{BODY} {SECOND}"[:150], x0=72, x1=520, y=700 - 12 * n, size=10, bold=False) for n in range(40)]
    entries = [
        Line(text=t, x0=72, x1=300, y=200 - 12 * n, size=10, bold=False)
        for n, t in enumerate(["Anbringelse 3, 12", "Kontrol 7"])
    ]
    assert layout.page_kind(PageLayout(number=2, lines=prose + entries), 10.0) == "body"
    assert tried == ["Anbringelse 3, 12", "Kontrol 7"]


def test_a_body_page_with_a_side_note_indhold_is_kept(tmp_path: Path) -> None:
    pages = [body_page(n) for n in range(1, 4)]
    pages[1] = [T(72, 760, "Indhold", 9), *pages[1][1:]]
    doc = extract(draw(tmp_path / "a.pdf", pages))
    assert [p.kind for p in doc.pages] == ["body", "body", "body"]
    assert any("Afsnit 2. Når en medarbejder" in p for p in passages(doc))


# --------------------------------------------------------------------------- 4. labels that are not headings


def test_repeated_field_labels_are_not_section_titles(tmp_path: Path) -> None:
    pages = []
    for n in range(4):
        items = [T(72, 760, f"Feltet nummer {n} i skemaet", 16, bold=True)]
        items += column(72, 730, wrap(f"Felt {n}. " + (BODY if n % 2 else SECOND), 440))
        items += [T(72, 620, "Valideringsregel:", 10, bold=True), T(72, 606, f"Feltet skal udfyldes, regel {n}.")]
        items += [T(72, 580, "Type", 10, bold=True), T(200, 580, "Eksempel", 10, bold=True)]
        items += [T(72, 566, "Tekst"), T(200, 566, f"Aarhus {n}")]
        items += [T(72, 546, "Bemærk", 10, bold=True)]
        items += column(72, 530, wrap(f"Note {n}. " + (SECOND if n % 2 else BODY), 440))
        pages.append(items)
    doc = extract(draw(tmp_path / "a.pdf", pages))
    headings = texts(doc, kind="heading")
    assert headings == [f"Feltet nummer {n} i skemaet" for n in range(4)]
    assert all("Valideringsregel" in " ".join(texts(doc, page=n + 1)) for n in range(4))


def test_bookmarks_of_a_repeated_label_are_not_section_titles(tmp_path: Path) -> None:
    pages, outline = [], []
    for n in range(4):
        items = [T(72, 760, f"Felt {n}", 16, bold=True), T(72, 730, "Valideringsregel", 10, bold=True)]
        items += column(72, 716, wrap(f"Regel {n}: " + (BODY if n % 2 else SECOND), 440))
        pages.append(items)
        outline += [(f"Felt {n}", n), ("Valideringsregel", n)]
    doc = extract(draw(tmp_path / "a.pdf", pages, outline=outline))
    assert texts(doc, kind="heading") == [f"Felt {n}" for n in range(4)]


def test_long_bold_sentences_are_not_headings(tmp_path: Path) -> None:
    bold = wrap("Husk at en underretning aldrig må vente på at familien har givet samtykke til den", 440, bold=True)
    items = [T(72, 760, "Underretning", 16, bold=True)]
    items += [T(72, 730 - 13 * i, line, bold=True) for i, line in enumerate(bold)]
    items += column(72, 690, wrap(SECOND, 440))
    doc = extract(draw(tmp_path / "a.pdf", [items]))
    assert texts(doc, kind="heading") == ["Underretning"]


def test_outline_entries_that_are_whole_paragraphs_are_not_headings(tmp_path: Path) -> None:
    sentence = clean.normalise(SECOND)
    items = [T(72, 760, "Bekymring", 16, bold=True), *column(72, 730, wrap(SECOND, 440))]
    doc = extract(draw(tmp_path / "a.pdf", [items], outline=[("Bekymring", 0), (sentence, 0)]))
    assert texts(doc, kind="heading") == ["Bekymring"]
    assert sentence in texts(doc, kind="text")


def test_a_heading_over_two_lines_loses_its_line_break_hyphen(tmp_path: Path) -> None:
    items = [T(72, 760, "Samarbejde med andre sy-", 16, bold=True), T(72, 740, "stemer og myndigheder", 16, bold=True)]
    items += column(72, 700, wrap(SECOND, 440))
    doc = extract(draw(tmp_path / "a.pdf", [items]))
    assert texts(doc, kind="heading") == ["Samarbejde med andre systemer og myndigheder"]


# --------------------------------------------------------------------------- 5. characters


def raw_page(path: Path, operators: list[str]) -> Path:
    c = Canvas(str(path), pagesize=A4, invariant=1, pageCompression=0)
    c.setFont("Helvetica", 10)
    font = c._doc.getInternalFontName("Helvetica")
    for op in operators:
        c._code.append(op.replace("/F1", font))
    c.showPage()
    c.save()
    return path


def test_a_hyphen_glyph_mapped_to_soft_hyphen_inside_a_word_is_a_hyphen(tmp_path: Path) -> None:
    # WinAnsi byte 0xAD is U+00AD: the drawn hyphen of a font whose encoding calls it a soft hyphen.
    path = raw_page(tmp_path / "a.pdf", [r"BT /F1 10 Tf 72 700 Td (Det gode SSP\255samarbejde i syd\255vest.) Tj ET"])
    assert texts(extract(path)) == ["Det gode SSP-samarbejde i syd-vest."]


def test_subscript_and_superscript_digits_are_kept(tmp_path: Path) -> None:
    path = raw_page(
        tmp_path / "a.pdf",
        [
            "BT /F1 10 Tf 72 700 Td (Rummet udleder CO) Tj /F1 7 Tf -2 Ts (2) Tj /F1 10 Tf 0 Ts "
            "( og har et areal på 120 m) Tj /F1 7 Tf 4 Ts (2) Tj /F1 10 Tf 0 Ts (, og R) Tj /F1 7 Tf 4 Ts (2) Tj "
            "/F1 10 Tf 0 Ts ( er 0,8.) Tj ET",
            "BT /F1 10 Tf 72 688 Td (Negativ social kontrol) Tj /F1 6 Tf 4 Ts (12) Tj /F1 10 Tf 0 Ts "
            "( er udbredt.) Tj ET",
        ],
    )
    assert texts(extract(path)) == [
        "Rummet udleder CO2 og har et areal på 120 m2, og R2 er 0,8. Negativ social kontrol er udbredt."
    ]


def test_stacked_sub_and_superscripts_stay_on_their_word(tmp_path: Path) -> None:
    # An InDesign chemistry book sets "HCO₃⁻" as a subscript and then a superscript: the second,
    # no smaller than the first, anchored a row of its own and cut the line in two ("HCO –" / "3 …").
    path = raw_page(
        tmp_path / "a.pdf",
        [
            "BT /F1 10 Tf 72 700 Td (Koncentrationen af HCO) Tj /F1 6 Tf -3 Ts (3) Tj 3.5 Ts (\\226) Tj "
            "/F1 10 Tf 0 Ts ( og NH) Tj /F1 6 Tf -3 Ts (4) Tj 3.5 Ts (+) Tj /F1 10 Tf 0 Ts ( stiger.) Tj ET",
        ],
    )
    assert texts(extract(path)) == ["Koncentrationen af HCO3\u2013 og NH4+ stiger."]


def test_a_letter_kerned_apart_on_both_sides_stays_in_its_word(tmp_path: Path) -> None:
    # Optical kerning opens a third of a space on both sides of a "t": neither side makes a word
    # with the "t" alone ("situa" + "t", "t" + "ionen"), the whole does.
    path = raw_page(
        tmp_path / "a.pdf",
        ["BT /F1 10 Tf 72 700 Td [(Hun beskrev situa) -90 (t) -90 (ionen i hjemmet.)] TJ ET"],
    )
    assert texts(extract(path)) == ["Hun beskrev situationen i hjemmet."]


def test_letter_spaced_display_text_is_joined(tmp_path: Path) -> None:
    ops = []
    x = 72.0
    for word in ["SAMARBEJDE", "PÅ", "TVÆRS"]:
        for char in word:
            ops.append(f"BT /F1 14 Tf {x:.2f} 700 Td ({char.encode('cp1252').decode('latin-1')}) Tj ET")
            x += stringWidth(char, "Helvetica", 14) + 4.0  # tracking of 4 pt
        x += stringWidth(" ", "Helvetica", 14) + 4.0
    path = raw_page(tmp_path / "a.pdf", ops)
    assert texts(extract(path)) == ["SAMARBEJDE PÅ TVÆRS"]


@pytest.mark.parametrize(
    "token",
    [
        "unsupportedIdentifierType",
        "https://www.kommunen.dk/borgerservice/socialforvaltningen/handleplaner",
        "sagsbehandlerteamet.socialforvaltningen@kommunen.dk",
        "user_account_provisioning_setting",
        "OrganisationFunktionsRelationsType",
    ],
)
def test_glued_word_repair_leaves_identifiers_alone(token: str) -> None:
    text = f"Feltet {token} bruges her."
    assert clean.restore_glued_words(text) == text


# --------------------------------------------------------------------------- 8. bounded work


def _form(writer: PdfWriter, content: bytes, resources: DictionaryObject) -> Any:
    stream = StreamObject()
    stream.set_data(content)
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(600), NumberObject(800)]),
            NameObject("/Resources"): resources,
        }
    )
    return writer._add_object(stream)


@pytest.mark.parametrize("shape", ["self", "chain"])
def test_nested_form_xobjects_run_within_a_budget(tmp_path: Path, shape: str) -> None:
    """A form that draws itself (or a chain of forms each drawing the next) 16 times, 8 deep."""
    base = raw_page(tmp_path / "base.pdf", ["BT /F1 10 Tf 72 760 Td (Overskrift over figuren.) Tj ET"])
    writer = PdfWriter(clone_from=PdfReader(base))
    page = writer.pages[0]
    font = page["/Resources"]["/Font"]
    draws = b" ".join(b"q 1 0 0 1 0.1 0.1 cm /Fx Do Q" for _ in range(16))
    text = b"BT /F1 6 Tf 72 400 Td (x) Tj ET "
    if shape == "self":
        resources = DictionaryObject({NameObject("/Font"): font})
        ref = _form(writer, text + draws, resources)
        resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Fx"): ref})
    else:
        ref = _form(writer, text, DictionaryObject({NameObject("/Font"): font}))
        for _ in range(8):
            xobjects = DictionaryObject({NameObject("/Fx"): ref})
            resources = DictionaryObject({NameObject("/Font"): font, NameObject("/XObject"): xobjects})
            ref = _form(writer, text + draws, resources)
    page["/Resources"][NameObject("/XObject")] = DictionaryObject({NameObject("/Fx"): ref})
    contents = page.get_contents()
    assert contents is not None
    contents.set_data(contents.get_data() + b" q /Fx Do Q")
    page.replace_contents(contents)
    path = tmp_path / "forms.pdf"
    writer.write(path)

    spans = SpanReader(PdfReader(path), FontCache())
    spans.read(PdfReader(path).pages[0])
    assert spans.forms_run <= SpanReader.MAX_FORMS_PER_PAGE
    doc = extract(path)
    assert texts(doc)[0] == "Overskrift over figuren."
    assert any("XObject" in w for w in doc.warnings)


class _CountingPattern:
    """Wraps a compiled pattern and counts the characters it is asked to scan."""

    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern
        self.scanned = 0

    def search(self, text: str, *args: Any) -> Any:
        self.scanned += len(text)
        return self.pattern.search(text, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)


def test_joining_many_lines_scans_each_character_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = _CountingPattern(clean._TRAILING_WORD)
    monkeypatch.setattr(clean, "_TRAILING_WORD", counter)
    lines = [f"ord{n} sags-" if n % 3 == 0 else f"behandling nummer {n}" for n in range(100_000)]
    joined = clean.join_hyphenated(lines)
    total = sum(len(line) for line in lines)
    assert counter.scanned <= 2 * total
    assert joined.startswith("ord0 sagsbehandling nummer 1")


def test_a_page_of_many_tiny_text_objects_is_read_with_linear_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ops = []
    for n in range(6000):
        row, col = divmod(n, 60)
        ops.append(f"BT /F1 4 Tf {40 + col * 8.5:.1f} {800 - row * 7:.1f} Td (a{n % 10}) Tj ET")
    path = raw_page(tmp_path / "a.pdf", ops)
    edge = _CountingPattern(lines_stage._EDGE_LETTERS)
    monkeypatch.setattr(lines_stage, "_EDGE_LETTERS", edge)
    doc = extract(path)
    chars = sum(len(t) for t in texts(doc))
    assert chars >= 6000 * 2
    assert edge.scanned <= 64 * 6000


def test_a_paragraph_in_looser_leading_than_the_tightest_text_of_its_size_stays_whole(tmp_path: Path) -> None:
    """Manuals set screen dumps in the body size with tight leading: the lower-quartile leading of
    that size is then too tight for the paragraphs, and a line that goes on in lowercase after a
    line that ends mid-sentence ("asyn-" / "chronous.") must not start a paragraph of its own."""
    screen = [f": Felt {n}: ....................... :" for n in range(12)]
    items = column(72, 760, screen, leading=9.0, size=8.0)
    described = [
        "Requested er endnu ikke udført. Denne",
        "værdi kan returneres, hvis kaldet",
        "er sat til asyn-",
        "chronous.",
    ]
    items += [T(72, 640, "Pending", 8.0, bold=True)]
    items += [T(211, 640 - 11.7 * i, text, 8.0) for i, text in enumerate(described)]
    items += column(72, 560, wrap(SECOND, 440), leading=13.0)
    doc = extract(draw(tmp_path / "a.pdf", [items]))
    whole = "Requested er endnu ikke udført. Denne værdi kan returneres, hvis kaldet er sat til asynchronous."
    assert any(text.endswith(whole) for text in texts(doc))


def test_the_second_line_of_a_wide_heading_is_not_a_margin_note(tmp_path: Path) -> None:
    """On a page whose body starts right of a margin, a heading set from the margin edge wraps; its
    short last line sits in the margin but carries on the heading ("brugerautori-" / "sation.")."""
    items = [T(57, 760, "Fejltekster fra systemet – Opret/slet brugerautori-", 13), T(57, 744, "sation.", 13)]
    items += column(190, 720, wrap(BODY, 340)) + column(190, 640, wrap(SECOND, 340))
    items += [T(57, 720, "Feltnavn", 9, bold=True)]
    doc = extract(draw(tmp_path / "a.pdf", [items]))
    assert texts(doc, kind="heading")[0] == "Fejltekster fra systemet – Opret/slet brugerautorisation."
