"""Printed page numbers (issue 7 §3): from /PageLabels where present, otherwise inferred from the
numbers printed in running headers and footers as a consistent offset from the PDF page index;
never guessed when that evidence is missing or inconsistent."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ingest.extract import Extractor
from tests.fixtures.pdfkit import Heading, Para, PdfBuilder
from tests.test_extract_layouts import BODY, SECOND, T, column, draw, wrap


@pytest.fixture(autouse=True)
def _quiet_pypdf() -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def labels(path: Path) -> list[str | None]:
    return [p.label for p in Extractor()(path).pages]


TOPICS = ["skolen", "politiet", "sundhedsplejen", "familien", "klubben", "boligen", "jobcentret", "tolken"]


def page(n: int, number: str | None, where: str = "footer", x: float = 290) -> list[T]:
    items = [T(72, 800, "Vejledning om samarbejde", 8)] if where == "footer" else []
    intro = f"Om {TOPICS[n % len(TOPICS)]} og {TOPICS[(3 * n + 1) % len(TOPICS)]}: "
    items += column(72, 740, wrap(intro + (BODY if n % 2 else SECOND), 440))
    if number is not None:
        items.append(T(x, 40 if where == "footer" else 800, number, 8))
    return items


def test_labels_from_pagelabels_win(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", page_labels=True, footer="{label}")
    pdf.cover_page("Titel")
    pdf.toc_page()
    for n in range(3):
        pdf.page([Heading(f"Kapitel {n}"), Para(BODY)])
    assert labels(pdf.save().path) == ["i", "ii", "1", "2", "3"]


def test_labels_inferred_from_footer_numbers_front_matter_unlabelled(tmp_path: Path) -> None:
    pdf = PdfBuilder(tmp_path / "a.pdf", page_labels=False, footer="{label}")
    pdf.cover_page("Titel")
    pdf.toc_page()
    for n in range(4):
        pdf.page([Heading(f"Kapitel {n}"), Para(BODY)])
    assert labels(pdf.save().path) == [None, None, "1", "2", "3", "4"]


def test_labels_inferred_from_header_numbers_on_odd_and_even_sides(tmp_path: Path) -> None:
    """Numbers in the header, outside edge on odd/even pages; a chapter opener prints none."""
    pages = [[T(72, 700, "Vejledning om samarbejde", 24, bold=True)]]
    for printed in range(1, 7):
        number = None if printed == 3 else str(printed)
        pages.append(page(printed, number, where="header", x=520 if printed % 2 else 72))
    assert labels(draw(tmp_path / "a.pdf", pages)) == [None, "1", "2", "3", "4", "5", "6"]


def test_roman_front_matter_keeps_its_printed_numerals(tmp_path: Path) -> None:
    pages = [[T(72, 700, "Vejledning om samarbejde", 24, bold=True)], page(1, "ii"), page(2, "iii")]
    pages += [page(n + 3, str(n)) for n in range(1, 5)]
    assert labels(draw(tmp_path / "a.pdf", pages)) == [None, "ii", "iii", "1", "2", "3", "4"]


def test_an_excerpt_keeps_the_book_numbers(tmp_path: Path) -> None:
    pages = [page(n, str(n + 214)) for n in range(1, 6)]
    assert labels(draw(tmp_path / "a.pdf", pages)) == ["215", "216", "217", "218", "219"]


def test_inconsistent_numbers_give_no_labels(tmp_path: Path) -> None:
    pages = [page(n, number) for n, number in enumerate(["7", "3", "12", "5", "9"], start=1)]
    assert labels(draw(tmp_path / "a.pdf", pages)) == [None] * 5


def test_no_printed_numbers_give_no_labels(tmp_path: Path) -> None:
    pages = [page(n, None) for n in range(1, 5)]
    assert labels(draw(tmp_path / "a.pdf", pages)) == [None] * 4


def test_a_removed_page_shifts_only_the_pages_after_it(tmp_path: Path) -> None:
    # An operator took one page out of a guide: every citation before the gap was then off by one,
    # because one offset was applied to every page. Each page's own number is the evidence.
    printed = ["1", "2", "3", "4", "6", "7", "8", "9", "10", "11"]  # printed page 5 is gone
    pages = [page(n, number) for n, number in enumerate(printed, start=1)]
    assert labels(draw(tmp_path / "a.pdf", pages)) == printed


def test_an_unnumbered_page_at_a_gap_is_not_guessed(tmp_path: Path) -> None:
    # Between "4" and "7" the unnumbered page may be 5 or 6: it gets no label rather than a guess.
    printed = ["1", "2", "3", "4", None, "7", "8", "9", "10"]
    pages = [page(n, number) for n, number in enumerate(printed, start=1)]
    assert labels(draw(tmp_path / "a.pdf", pages)) == ["1", "2", "3", "4", None, "7", "8", "9", "10"]


def test_an_unnumbered_page_inside_a_run_gets_the_runs_number(tmp_path: Path) -> None:
    printed = ["1", "2", None, "4", "5", "6", "8", None, "10", "11"]  # page 7 removed after "6"
    pages = [page(n, number) for n, number in enumerate(printed, start=1)]
    assert labels(draw(tmp_path / "a.pdf", pages)) == ["1", "2", "3", "4", "5", "6", "8", "9", "10", "11"]
