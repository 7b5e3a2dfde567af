"""A Danish slide deck exported to PDF the way decks reach an intranet, for ``bench/extract_real.py``.

    .venv/bin/python bench/slide_deck.py OUT_FOLDER
    .venv/bin/python bench/extract_real.py OUT_FOLDER

No public Danish PowerPoint export could be found to measure on, so this writes one: a kursus
deck in our own words (title slide, bullets on two levels, two columns, a table, short lines,
slide numbers and a footer on every slide) as .pptx with python-pptx, exported to PDF by
LibreOffice Impress (``soffice --headless --convert-to pdf``), the export a municipality without
PowerPoint uses. Slides are what the splitter's short-piece rule was written for: most of their
lines are under 40 characters.

Needs ``pip install -e '.[bench]'`` (python-pptx) and Debian's ``libreoffice-impress``, which is
installed with apt-get when ``soffice`` is missing.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from common import ensure_debian_tool  # type: ignore[import-not-found]

FOOTER = "Kursus for skolens medarbejdere · Æresrelaterede konflikter"

# (title, bullets); a bullet that starts with "-" is on the second level.
SLIDES: list[tuple[str, list[str]]] = [
    ("Hvad er negativ social kontrol?", [
        "Kontrol, der begrænser den unges frihed",
        "Udøves af familien eller netværket",
        "- Hvem må hun være venner med",
        "- Hvor må han færdes efter skole",
        "Begrundes ofte med familiens ære",
    ]),
    ("Tegn, I kan se i skolen", [
        "Fravær op til ferier",
        "Må ikke deltage i lejrskole",
        "Bliver hentet og bragt hver dag",
        "Søskende holder øje i frikvarteret",
        "Trækker sig fra klassekammerater",
    ]),
    ("Når en elev betror sig", [
        "Lyt, og tag det alvorligt",
        "Lov ikke at holde det hemmeligt",
        "Spørg ikke ind til detaljer",
        "Skriv et notat lige efter samtalen",
        "Kontakt ledelsen samme dag",
    ]),
    ("Underretning", [
        "Pligten gælder ved begrundet bekymring",
        "Beviser er ikke nødvendige",
        "Underret kommunen samme dag",
        "- Ved akut fare: ring 112",
        "- Ellers: kommunens børnerådgivning",
    ]),
    ("Kontakt til forældrene", [
        "Kontakt ikke forældrene først",
        "Forældrene kan lægge pres på den unge",
        "Sagsbehandleren vurderer, hvornår",
        "Aftal altid med kommunen før kontakt",
    ]),
    ("Risikoen for udrejse", [
        "Tal om rejser før sommerferien",
        "Pas, der bliver taget fra den unge",
        "Pludselig forlovelse i udlandet",
        "Handl, før den unge rejser",
    ]),
]

TABLE = ("Hvem gør hvad", [
    ("Rolle", "Opgave", "Frist"),
    ("Lærer", "Lytter og skriver notat", "Samme dag"),
    ("Leder", "Underretter kommunen", "Samme dag"),
    ("Sagsbehandler", "Vurderer risikoen", "Inden for 24 timer"),
    ("SSP", "Sparrer med skolen", "Efter behov"),
])

COLUMNS = ("Beskyttende og risikofyldte forhold", [
    "Beskytter", "En voksen at tale med", "Venner uden for familien", "Gode skoleresultater",
], [
    "Øger risikoen", "Ældre søskende gift unge", "Trusler mod den unge", "Isolation fra klassen",
])


def build_pptx(path: Path) -> Path:
    try:
        from pptx import Presentation
        from pptx.util import Inches, Pt
    except ImportError as exc:
        raise SystemExit("python-pptx mangler: pip install -e '.[bench]'") from exc

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)  # 16:9, as decks are now

    def footer(slide, number: int) -> None:  # type: ignore[no-untyped-def]
        box = slide.shapes.add_textbox(Inches(0.5), Inches(6.9), Inches(10), Inches(0.4))
        box.text_frame.text = FOOTER
        box.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
        num = slide.shapes.add_textbox(Inches(12.2), Inches(6.9), Inches(0.8), Inches(0.4))
        num.text_frame.text = str(number)
        num.text_frame.paragraphs[0].runs[0].font.size = Pt(12)

    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = "Æresrelaterede konflikter i skolen"
    title.placeholders[1].text = "Sådan reagerer I, når en elev er under kontrol"
    footer(title, 1)
    number = 1
    for heading, bullets in SLIDES:
        number += 1
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for bullet in bullets[1:]:
            paragraph = body.add_paragraph()
            paragraph.text = bullet.lstrip("- ")
            paragraph.level = 1 if bullet.startswith("-") else 0
        footer(slide, number)
    number += 1
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = TABLE[0]
    rows = TABLE[1]
    table = slide.shapes.add_table(len(rows), 3, Inches(0.8), Inches(1.8), Inches(11.5), Inches(3.5)).table
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    footer(slide, number)
    number += 1
    slide = deck.slides.add_slide(deck.slide_layouts[3])
    slide.shapes.title.text = COLUMNS[0]
    for placeholder, items in zip(list(slide.placeholders)[1:3], COLUMNS[1:], strict=True):
        frame = placeholder.text_frame
        frame.text = items[0]
        for item in items[1:]:
            frame.add_paragraph().text = item
    footer(slide, number)
    number += 1
    closing = deck.slides.add_slide(deck.slide_layouts[0])
    closing.shapes.title.text = "Spørgsmål?"
    closing.placeholders[1].text = "Kontakt skolens ressourceperson"
    footer(closing, number)
    deck.save(str(path))
    return path


def export_pdf(pptx: Path, out: Path) -> Path:
    soffice = ensure_debian_tool("soffice", "libreoffice-impress")
    with tempfile.TemporaryDirectory(prefix="kb-soffice-") as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(out), str(pptx)],
            capture_output=True, check=True, timeout=300,
        )
    return out / (pptx.stem + ".pdf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder for the PDF (bench/extract_real.py reads it)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-deck-") as tmp:
        pdf = export_pdf(build_pptx(Path(tmp) / "slides_kursus_nsk.pptx"), args.out)
    print(pdf)


if __name__ == "__main__":
    main()
