"""``Extractor`` on the realistic evaluation corpus (InDesign-like guides): what it trips on.

Footnotes, shaded boxes, ruled tables with multi-line cells, chapter titles as odd-page running
headers and the colophon page; each test compares the extraction with the renderer's ground truth.
"""

from __future__ import annotations

import logging
import unicodedata

import pytest

from ingest.extract import Extractor
from ingest.models import Block, Document, Publication
from ingest.split import Splitter
from tests.fixtures.realistic.build import BuiltCorpus, build
from tests.fixtures.realistic.model import Box, Table
from tests.fixtures.realistic.render import MARKER, RenderedGuide


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> BuiltCorpus:
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return build(tmp_path_factory.mktemp("realistic-extract"))


@pytest.fixture(scope="module")
def docs(corpus: BuiltCorpus) -> dict[str, Document]:
    extractor = Extractor()
    return {gid: extractor(corpus.dest / f"{gid}.pdf") for gid in corpus.guides}


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def on_page(doc: Document, page: int) -> list[Block]:
    return [b for b in doc.blocks if b.page == page]


def body_pages(rendered: RenderedGuide) -> list[tuple[int, object]]:
    """(PDF page index, model page) of every body page."""
    first = rendered.first_body_index
    return [(first + n, page) for n, page in enumerate(rendered.guide.pages)]


def passages(doc: Document, gid: str) -> list:
    return Splitter(lambda text: len(text.split()), max_tokens=400, target_tokens=200)(
        Publication(id=gid, title=gid, file=f"{gid}.pdf"), doc
    )


def test_every_evidence_phrase_is_in_one_block_of_its_page(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    missing = []
    for q in corpus.questions:
        if q["publication"] is None:
            continue
        blocks = on_page(docs[q["publication"]], q["pages"][0])
        if not any(norm(q["evidence"]) in norm(b.text) for b in blocks):
            missing.append(q["id"])
    assert missing == []


def test_running_headers_never_leak_into_the_text(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    leaks = []
    for gid, rendered in corpus.guides.items():
        for page in rendered.pages:
            if page.kind != "body":
                continue
            for block in on_page(docs[gid], page.index):
                text = norm(block.text)
                if page.header and block.kind == "text" and norm(page.header) in text:
                    leaks.append((gid, page.index, text[:60]))
                if text == page.footer:
                    leaks.append((gid, page.index, text))
    assert leaks == []


def test_real_headings_survive_next_to_running_headers(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    for gid, rendered in corpus.guides.items():
        for page in rendered.pages:
            want = [norm(b.text) for b in page.blocks if b.kind == "heading" and b.level <= 2]
            got = [norm(b.text) for b in on_page(docs[gid], page.index) if b.kind == "heading"]
            assert [w for w in want if w not in got] == [], (gid, page.index)


def test_colophon_is_front_matter(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    for gid, rendered in corpus.guides.items():
        colophon = next(p.index for p in rendered.pages if p.kind == "colophon")
        assert docs[gid].page(colophon).kind != "body", gid
        assert all(p.page_start != colophon for p in passages(docs[gid], gid)), gid
        first_body = rendered.first_body_index
        assert docs[gid].page(first_body).kind == "body", gid


def test_footnotes_are_blocks_of_their_own(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    for gid, rendered in corpus.guides.items():
        for page in rendered.pages:
            notes = [norm(b.text) for b in page.blocks if b.kind == "footnote"]
            if not notes:
                continue
            blocks = on_page(docs[gid], page.index)
            got = [norm(b.text) for b in blocks if b.role == "footnote"]
            assert got == notes, (gid, page.index)
            for block in blocks:
                if block.role != "footnote":
                    assert not any(note[:30] in norm(block.text) for note in notes), (gid, page.index, block.text)


def test_footnote_markers_leave_no_digits_in_the_body(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    for gid, rendered in corpus.guides.items():
        for index, page in body_pages(rendered):
            text = " ".join(norm(b.text) for b in on_page(docs[gid], index))
            for block in page.blocks:
                paragraphs = [block] if not isinstance(block, Box) else block.blocks
                for para in paragraphs:
                    for marked in MARKER.finditer(getattr(para, "text", "")):
                        # the word before the marker, then what follows it, with nothing in between
                        before = para.text[: marked.start()].split()[-1]
                        after = MARKER.sub("", para.text[marked.end() :]).split()
                        want = norm(before + (" " + after[0] if after and para.text[marked.end()] == " " else ""))
                        assert MARKER.sub("", want) in text, (gid, index, want)


def test_footnotes_never_join_body_passages(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    for gid, rendered in corpus.guides.items():
        notes = [norm(b.text) for p in rendered.pages for b in p.blocks if b.kind == "footnote"]
        for passage in passages(docs[gid], gid):
            text = norm(passage.text)
            inside = [n for n in notes if n in text]
            if inside:  # a footnote passage holds footnotes only
                rest = text
                for note in inside:
                    rest = rest.replace(note, "")
                assert rest.strip() == "", (gid, passage.page_start, text[:120])


def test_box_titles_are_headings_and_boxes_their_own_sections(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    for gid, rendered in corpus.guides.items():
        doc = docs[gid]
        found = passages(doc, gid)
        for index, page in body_pages(rendered):
            for box in (b for b in page.blocks if isinstance(b, Box)):
                title = norm(box.title)
                blocks = on_page(doc, index)
                heads = [b for b in blocks if b.kind == "heading" and norm(b.text) == title]
                assert len(heads) == 1, (gid, index, title)
                assert heads[0].role == "box"
                before = [
                    b for b in doc.blocks[: doc.blocks.index(heads[0])] if b.kind == "heading" and b.role != "box"
                ]
                assert heads[0].level == before[-1].level + 1, (gid, index, title)
                first = norm(MARKER.sub("", getattr(box.blocks[0], "text", "") or box.blocks[0].items[0]))[:40]
                holders = [p for p in found if first in norm(p.text)]
                assert holders and all(p.section == box.title for p in holders), (gid, index, title)
                assert not any(title + " " + first[:20] in norm(p.text) for p in found), (gid, index, title)


def test_table_rows_are_read_cell_by_cell(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    for gid, rendered in corpus.guides.items():
        for index, page in body_pages(rendered):
            for table in (b for b in page.blocks if isinstance(b, Table)):
                texts = [norm(b.text) for b in on_page(docs[gid], index)]
                for row in table.rows:
                    cells = [norm(c) for c in row]
                    holders = [t for t in texts if all(c in t for c in cells)]
                    assert holders, (gid, index, cells)
                    positions = [holders[0].index(c) for c in cells]
                    assert positions == sorted(positions), (gid, index, cells)


def test_titles_and_captions_are_never_glued_to_text(corpus: BuiltCorpus, docs: dict[str, Document]) -> None:
    """Headings, box titles and table captions stay out of the paragraphs and table rows around them."""
    for gid, rendered in corpus.guides.items():
        for page in rendered.pages:
            if page.kind != "body":
                continue
            blocks = [norm(b.text) for b in on_page(docs[gid], page.index) if b.kind == "text"]
            # Level 3 headings are not in the outline: they are found by their bold type.
            titles = {norm(b.text) for b in page.blocks if b.kind in ("box-title", "table-caption", "heading")}
            texts = [norm(b.text) for b in page.blocks if b.kind not in ("heading", "box-title", "table-caption")]
            for title in titles:
                if any(t.startswith(title + " ") for t in texts):
                    continue  # the paragraph itself begins with the title's words
                assert not [t for t in blocks if t.startswith(title + " ")], (gid, page.index, title)
            for caption in (norm(b.text) for b in page.blocks if b.kind == "table-caption"):
                assert caption in blocks, (gid, page.index, caption)
