"""Garbage text (issue 8, item 9): text that does not decode to language fails its publication."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import ExtractionError
from ingest.extract import Extractor
from ingest.models import Block, Document, PageInfo
from ingest.quality import check_language, language_facts
from tests.fixtures.hostile import DANISH_SAMPLE, cid_font_pdf


def document(*texts: str) -> Document:
    return Document(pages=[PageInfo(1)], blocks=[Block("text", t, 1) for t in texts])


def test_the_fixture_publications_read_as_danish(fixture_corpus: Path) -> None:
    for pdf in sorted(fixture_corpus.glob("*.pdf")):
        check_language(Extractor()(pdf), pdf.name)  # raises if not


def test_a_cid_font_without_tounicode_fails_clearly(tmp_path: Path) -> None:
    pdf = cid_font_pdf(tmp_path / "cid.pdf")
    extracted = Extractor()(pdf)
    assert extracted.blocks  # the reader does return "text": that is the danger
    with pytest.raises(ExtractionError, match="cid.pdf") as caught:
        check_language(extracted, pdf.name)
    assert "ToUnicode" in str(caught.value)


@pytest.mark.parametrize("garbage", [
    "'.5<CJQX_fmt!" * 40,  # the sample: punctuation and shifted letters
    " ".join(["'.5<CJQX", "_fmt!", "#%&/(", "7;=?"] * 60),
    " ".join(["xqzv", "kjhgf", "wrtp", "zzbq", "pqkx"] * 60),  # letters, but no words
])
def test_text_without_letters_or_known_words_fails(garbage: str) -> None:
    with pytest.raises(ExtractionError, match="rapport.pdf"):
        check_language(document(garbage), "rapport.pdf")


def test_danish_with_numbers_names_and_abbreviations_passes() -> None:
    text = DANISH_SAMPLE + " Jf. servicelovens § 11, stk. 3, og SSP-samarbejdet (2019) i Aarhus Kommune."
    facts = language_facts(document(text, "Lov nr. 1234 af 20. december 2017."))
    assert facts.letter_share > 0.8 and facts.known_share > 0.7
    check_language(document(text), "rapport.pdf")


def test_a_few_odd_blocks_do_not_fail_a_publication() -> None:
    check_language(document(*([DANISH_SAMPLE] * 20), "'.5<CJQX_fmt!", "www.siri.dk/x_y?z=1"), "rapport.pdf")
