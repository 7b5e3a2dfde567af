"""What drawn shapes tell the extractor: boxes, tables and footnote rules on small generated pages."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ingest.extract import Extractor
from ingest.models import Document

BODY = (
    "Kommunen skal sikre, at medarbejderne kender beredskabsplanen og ved, hvem de skal kontakte.",
    "Der skal altid være en nøgleperson, som kan rådgive kolleger om sager med negativ social kontrol.",
    "Planen beskriver frister, ansvar og samarbejdet med politiet, skolen og krisecentrene i kommunen.",
)


def _text(c: Canvas, x: float, y: float, text: str, font: str = "Helvetica", size: float = 10.5) -> None:
    c.setFont(font, size)
    c.drawString(x, y, text)


def _tint(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    c.saveState()
    c.setFillColorRGB(0.89, 0.93, 0.95)
    c.rect(x, y, w, h, stroke=0, fill=1)
    c.restoreState()


def _pdf(path: Path) -> Path:
    c = Canvas(str(path), pagesize=A4, invariant=1)
    # Page 1: a chapter opener on a tinted band (title and intro), then body text below it.
    _tint(c, 60, 660, 475, 120)
    _text(c, 72, 750, "Beredskabet i kommunen", "Helvetica-Bold", 18)
    _text(c, 72, 720, "Kapitlet beskriver, hvordan kommunen organiserer sit beredskab i akutte sager.")
    _text(c, 72, 705, "Det gælder både dagtiden og tiden uden for kontorets åbningstid i weekenden.")
    for n, line in enumerate(BODY):
        _text(c, 72, 600 - 15 * n, line)
    c.showPage()
    # Page 2: body text, a fact box (bold title, smaller text), body text again.
    for n, line in enumerate(BODY):
        _text(c, 72, 750 - 15 * n, line)
    _tint(c, 66, 610, 463, 80)
    _text(c, 75, 672, "Vær opmærksom på", "Helvetica-Bold", 10)
    _text(c, 75, 656, "Forældre har ret til aktindsigt, men oplysninger om den unges ophold kan undtages.", size=9.2)
    _text(c, 75, 643, "Notér altid i sagen, hvilke oplysninger der er undtaget, og hvorfor det er sket.", size=9.2)
    _text(c, 72, 580, "Efter samtalen skrives et referat med den unges egne ord om det, der er sket.")
    _text(c, 72, 565, "Referatet skal være klar, før sagen drøftes med lederen og med nøglepersonen.")
    c.showPage()
    c.save()
    return path


def _blocks(doc: Document, page: int) -> list[tuple[str, str, str]]:
    return [(b.kind, b.role, b.text[:24]) for b in doc.blocks if b.page == page]


def test_a_tinted_band_that_holds_a_section_title_is_not_a_box(tmp_path: Path) -> None:
    doc = Extractor()(_pdf(tmp_path / "boxes.pdf"))
    assert _blocks(doc, 1) == [
        ("heading", "body", "Beredskabet i kommunen"),
        ("text", "body", "Kapitlet beskriver, hvor"),
        ("text", "body", "Kommunen skal sikre, at "),
    ]


def test_a_box_title_is_a_heading_one_level_down_and_the_box_its_own_group(tmp_path: Path) -> None:
    doc = Extractor()(_pdf(tmp_path / "boxes.pdf"))
    assert _blocks(doc, 2) == [
        ("text", "body", "Kommunen skal sikre, at "),
        ("heading", "box", "Vær opmærksom på"),
        ("text", "box", "Forældre har ret til akt"),
        ("text", "body", "Efter samtalen skrives e"),
    ]
    chapter = next(b for b in doc.blocks if b.text == "Beredskabet i kommunen")
    title = next(b for b in doc.blocks if b.text == "Vær opmærksom på")
    assert title.level == chapter.level + 1
