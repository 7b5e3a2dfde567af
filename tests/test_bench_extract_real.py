"""The judgements of ``bench/extract_real.py`` on text written here (the real PDFs it reads are not ours)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.bench_support import load_bench


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_bench("extract_real")


def test_contents_and_index_passages_are_flagged(bench: ModuleType) -> None:
    contents = "Indhold Indledning 3 Baggrund 5 Kapitel 1 Metode 9 Kapitel 2 Resultater 14 Bilag 21"
    index = "Anbringelse 12, 45-47, 80 Barn 3, 7 Bekymring 22 Forældre 9, 31"
    assert bench.contents_like(contents)
    assert bench.contents_like(index)


def test_numbered_labels_in_lists_and_tables_are_no_page_references(bench: ModuleType) -> None:
    """A short list and a table whose items and columns are numbered: labels, not a contents page."""
    text = (
        "Kort tekst • Punkt • Punkt 2 • Punkt 3 Mere tekst her 1. Nummereret punkt 2. Nummereret punkt "
        "Kolonne 1 Række 1 Linje 2 Kolonne 2 Kolonne 3 Ræv Grævling Mår Odder"
    )
    assert not bench.contents_like(text)


def test_note_marks_dropped_on_purpose_are_no_lost_words(bench: ModuleType) -> None:
    """pdftotext keeps the marks: one on its own ("1" before a note), one glued onto the number it
    follows ("273.879.750" + "1" -> "7501"); neither is a word we lost. A digit we did not drop stays."""
    reference = bench.words("273.879.7501 83,190,556 1 2021 estimate 2 2020 estimate")
    left = bench.deliberate(reference, dropped=[], marks=[("273.879.750", "1"), ("", "1")])
    assert left == bench.Counter(bench.words("273.879.750 83,190,556 2021 estimate 2 2020 estimate"))


def test_words_broken_by_a_soft_hyphen_at_a_line_end_are_whole(bench: ModuleType) -> None:
    text = "maintenu constant par la compensa\u00ad\ntion, le pH ne varie pas\nSSP-\nsamarbejdet"
    assert bench.words(bench.join_soft_breaks(text)) == bench.words(
        "maintenu constant par la compensation, le pH ne varie pas SSP- samarbejdet"
    )


def test_pages_with_a_trim_box_are_read_inside_it(bench: ModuleType, tmp_path: Path) -> None:
    """Slug lines ("…indb 37 14/09/2018") lie outside the trim box: off the printed page, and we drop them."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, FloatObject, NameObject

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=600, height=800)
    for page in writer.pages[:2]:
        page[NameObject("/TrimBox")] = ArrayObject([FloatObject(v) for v in (30, 40, 570, 770)])
    path = tmp_path / "a.pdf"
    writer.write(path)
    assert bench.page_groups(path) == [(1, 2, (30, 30, 540, 730)), (3, 3, None)]


def test_columns_read_line_by_line_lose_their_word_order(bench: ModuleType) -> None:
    left = "den unge skal høres før kommunen træffer en afgørelse om anbringelse"
    right = "forældrene orienteres først når risikoen er vurderet af sagsbehandleren i sagen"
    reference = bench.words(f"{left} {right}")
    assert bench.reading_order(reference, reference) == 1.0
    a, b = left.split(), right.split()
    interleaved = [w for i in range(0, 12, 3) for w in a[i : i + 3] + b[i : i + 3]]  # three words a line
    assert bench.reading_order(interleaved, reference) < 0.2
