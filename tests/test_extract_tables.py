"""Ruled tables on small generated pages: rows read cell by cell, and no text lost around them."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ingest.extract import Extractor


def _rules(c: Canvas, x0: float, x1: float, ys: list[float]) -> None:
    # Word draws cell borders as hairline filled rectangles
    for y in ys:
        c.rect(x0, y, x1 - x0, 0.5, stroke=0, fill=1)


def _two_tables_with_a_section_between(path: Path) -> Path:
    """Word's settings tables: one table, a short section (title and sentence), another table with
    other columns; the gap between the two is less than a tall row, so the rules look like one stack."""
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 10)
    first = [
        ("Enabled", "true/false", "Slår integrationen til."),
        ("Interval", "60", "Minutter mellem kørsler."),
        ("Domain", "kommune.dk", "Katalogets domæne."),
        ("Timeout", "30", "Sekunder før et kald opgives."),
        ("Logfile", "c:/log/ad.log", "Hvor loggen skrives."),
    ]
    ys = [760, 740, 720, 700, 680, 660]
    _rules(c, 57, 538, ys)
    for (a, b, d), y in zip(first, ys, strict=False):
        c.drawString(60, y - 14, a)
        c.drawString(200, y - 14, b)
        c.drawString(300, y - 14, d)
    c.setFont("Helvetica-Bold", 12)
    c.drawString(57, 635, "Gruppeindstillinger")
    c.setFont("Helvetica", 10)
    c.drawString(57, 617, "Dette afsnit bruges til at oprette og vedligeholde et sæt af sikkerhedsgrupper i kataloget.")
    second = [
        ("Root", "Den enhed i kataloget hvor alle sikkerhedsgrupperne oprettes."),
        ("Prefix", "Tekst foran gruppens navn."),
    ]
    ys = [600, 580, 560]
    _rules(c, 57, 538, ys)
    for (a, d), y in zip(second, ys, strict=False):
        c.drawString(60, y - 14, a)
        c.drawString(150, y - 14, d)
    c.showPage()
    c.save()
    return path


def test_text_between_two_tables_and_the_second_table_are_kept(tmp_path: Path) -> None:
    doc = Extractor()(_two_tables_with_a_section_between(tmp_path / "t.pdf"))
    text = " ".join(b.text for b in doc.blocks)
    for words in (
        "Slår integrationen til.",
        "Gruppeindstillinger",
        "sæt af sikkerhedsgrupper i kataloget",
        "Den enhed i kataloget hvor alle sikkerhedsgrupperne oprettes.",
        "Tekst foran gruppens navn.",
    ):
        assert words in text
    # the second table is still read row by row
    assert "Root – Den enhed i kataloget hvor alle sikkerhedsgrupperne oprettes." in [b.text for b in doc.blocks]
