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


def _grid(c: Canvas, cols: list[float], rows: list[tuple[list[str], ...]], top: float) -> float:
    """Word's bordered grid: every border drawn piece by piece (one hairline per cell edge, a small
    square at each crossing), cell text centred. Returns the grid's bottom."""
    for cells in rows:
        height = 12.0 * max(len(lines) for lines in cells) + 10.0
        for n, lines in enumerate(cells):
            middle = (cols[n] + cols[n + 1]) / 2
            # the shorter cells are set lower, centred in the row: their baselines fall between the others'
            first = top - 14.0 - 6.0 * (max(len(x) for x in cells) - len(lines))
            for k, line in enumerate(lines):
                c.drawCentredString(middle, first - 12.0 * k, line)
        for y in (top, top - height):
            for a, b in zip(cols, cols[1:], strict=False):
                c.rect(a + 0.7, y, b - a - 0.7, 0.7, stroke=0, fill=1)
            for x in cols:
                c.rect(x, y, 0.7, 0.7, stroke=0, fill=1)
        for x in cols:
            c.rect(x, top - height + 0.7, 0.7, height - 0.7, stroke=0, fill=1)
        top -= height
    return top


def _word_grid(path: Path) -> Path:
    """One grid whose neighbouring cells' lines sit on one baseline closer than a word gap (read by
    baselines, they would run together across the columns)."""
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 9)
    rows = [
        (
            ["Felt"],
            ["Hvis feltet er", "blankt"],
            ["Hvis feltet er", "delvist udfyldt"],
            ["Hvis feltet er", "helt udfyldt"],
        ),
        (
            ["S="],
            ["Brugerens sikkerheds-", "mæssige tilknytning", "anvendes som data-", "udsnit fremover"],
            ["Feltet skal ikke", "udfyldes"],
            ["Brugerens sikkerheds-", "mæssige tilknytning", "anvendes som data-", "udsnit fremover"],
        ),
        (
            ["L="],
            ["Vælg et nyt udsnit", "til erstatning af", "originalens."],
            ["Vælg et nyt udsnit", "til erstatning af", "originalens."],
            ["Det angivne udsnit", "erstatter de gamle."],
        ),
    ]
    bottom = _grid(c, [60.0, 170.0, 280.0, 390.0, 500.0], rows, 760.0)
    c.setFont("Helvetica", 10)
    c.drawString(60, bottom - 30, "Teksten efter tabellen er et almindeligt afsnit.")
    c.showPage()
    c.save()
    return path


def _two_grids_with_a_title_between(path: Path) -> Path:
    """Two grids of the same width with a section title and a path between them: the gap is less
    than a tall row, so their rules look like one stack, but no inner border crosses the gap."""
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 9)
    cols = [60.0, 200.0, 300.0, 500.0]
    bottom = _grid(
        c, cols, [(["Starttid"], ["xsd:time"], ["15:24:00"]), (["Sluttid"], ["xsd:time"], ["08:00:00"])], 760.0
    )
    c.setFont("Helvetica-Bold", 11)
    c.drawString(60, bottom - 20, "2.3 Fravær og nærvær")
    c.setFont("Helvetica", 9)
    c.drawString(60, bottom - 38, "xpath: /Envelope/Body/LaesOutput/LaesResultat/Registrering/AttributListe/Fravaer/")
    _grid(
        c, cols, [(["Gyldighedsstart"], ["xsd:date"], ["2012-01-01"]), (["Art"], ["xsd:string"], ["FER"])], bottom - 60
    )
    c.showPage()
    c.save()
    return path


def test_a_grid_drawn_border_piece_by_piece_is_read_row_by_row(tmp_path: Path) -> None:
    doc = Extractor()(_word_grid(tmp_path / "g.pdf"))
    texts = [b.text for b in doc.blocks]
    joined = " ".join(texts)
    assert "data- anvendes" not in joined and "som data- anvendes" not in joined
    row = next(t for t in texts if t.startswith("S="))
    assert row == (
        "S= – Brugerens sikkerhedsmæssige tilknytning anvendes som dataudsnit fremover – Feltet skal ikke udfyldes"
        " – Brugerens sikkerhedsmæssige tilknytning anvendes som dataudsnit fremover"
    )
    assert (
        "L= – Vælg et nyt udsnit til erstatning af originalens. – Vælg et nyt udsnit til erstatning af originalens."
        " – Det angivne udsnit erstatter de gamle." in texts
    )
    assert "Teksten efter tabellen er et almindeligt afsnit." in joined


def test_the_gap_between_two_grids_is_text_and_both_grids_are_read(tmp_path: Path) -> None:
    doc = Extractor()(_two_grids_with_a_title_between(tmp_path / "g.pdf"))
    texts = [b.text for b in doc.blocks]
    assert "2.3 Fravær og nærvær" in texts
    assert "xpath: /Envelope/Body/LaesOutput/LaesResultat/Registrering/AttributListe/Fravaer/" in texts
    for row in ("Starttid – xsd:time – 15:24:00", "Sluttid – xsd:time – 08:00:00", "Art – xsd:string – FER"):
        assert row in texts


def test_note_marks_dropped_in_cells_are_kept_aside_on_the_row(tmp_path: Path) -> None:
    path = tmp_path / "m.pdf"
    c = Canvas(str(path), pagesize=A4, invariant=1)
    ys = [760, 740, 720]
    _rules(c, 57, 538, ys)
    for (a, b), y in zip([("Befolkning", "273.879.750"), ("Hovedstad", "Jakarta")], ys, strict=False):
        c.setFont("Helvetica", 10)
        c.drawString(60, y - 14, a)
        c.drawString(200, y - 14, b)
    c.setFont("Helvetica", 6)
    c.drawString(200 + c.stringWidth("273.879.750", "Helvetica", 10), 760 - 14 + 4, "1")
    c.showPage()
    c.save()
    extractor = Extractor()
    rows = [ln for ln in extractor.read_pages(extractor.open(path), path, [])[0] if ln.role == "row"]
    assert [(ln.text, ln.marks) for ln in rows] == [
        ("Befolkning – 273.879.750", (("273.879.750", "1"),)),
        ("Hovedstad – Jakarta", ()),
    ]
