"""The realistic evaluation corpus: it builds, looks like publisher PDFs, and its questions are sound.

The ground truth (pages, labels) of every question is computed by the build from the rendered
text; these tests check that the truth agrees with what is really in the PDFs, so an evaluation
run measures the search engine and not a broken fixture.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.fixtures.realistic.build import (
    BATCHES,
    GUIDE_IDS,
    BuiltCorpus,
    build,
    build_realistic_corpus,
    load_guides,
    locate,
    resolve_questions,
    split,
)

LABELLED = {"haandbog", "godpraksis"}
KINDS_PER_WRITER = {  # the brief's minimum mix of answerable questions per writer (two guides each)
    "paraphrase": 20,
    "colloquial": 15,
    "keyword": 10,
    "paragraph": 5,
    "narrative": 8,
    "typo": 10,
    "english": 5,
    "table": 4,
    "box": 4,
    "footnote": 3,
}
WRITERS = {"writer 1": ("haandbog", "vejledning"), "writer 2": ("metodehaefte", "godpraksis")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> BuiltCorpus:
    return build(tmp_path_factory.mktemp("realistic"))


@pytest.fixture(scope="module")
def readers(corpus: BuiltCorpus) -> dict[str, PdfReader]:
    return {gid: PdfReader(corpus.dest / f"{gid}.pdf") for gid in corpus.guides}


@pytest.fixture(scope="module")
def texts(readers: dict[str, PdfReader]) -> dict[str, list[str]]:
    """pypdf's plain extraction of every page, once."""
    return {gid: [page.extract_text() for page in r.pages] for gid, r in readers.items()}


def _squash(text: str) -> str:
    """Compare text regardless of layout: ligatures decomposed, no whitespace, no hyphens."""
    return re.sub(r"[\s\-\u00ad]+", "", unicodedata.normalize("NFKC", text))


# --------------------------------------------------------------------------- the files


def test_build_writes_all_files(corpus: BuiltCorpus) -> None:
    names = {p.name for p in corpus.dest.iterdir()}
    assert {"publications.toml", "questions.jsonl", "questions_tune.jsonl", "questions_check.jsonl"} <= names
    assert {f"{gid}.pdf" for gid in corpus.guides} <= names
    manifest = (corpus.dest / "publications.toml").read_text(encoding="utf-8")
    assert manifest.count("[[publication]]") == len(corpus.guides)
    for gid in corpus.guides:
        assert f'file = "{gid}.pdf"' in manifest


def test_all_four_guides_are_there(corpus: BuiltCorpus) -> None:
    assert tuple(corpus.guides) == GUIDE_IDS
    for rendered in corpus.guides.values():
        body = [p for p in rendered.pages if p.kind == "body"]
        assert 16 <= len(body) <= 18, rendered.guide.id


def test_at_least_70_pdf_pages(readers: dict[str, PdfReader]) -> None:
    assert sum(len(r.pages) for r in readers.values()) >= 70


def test_build_realistic_corpus_returns_dest(tmp_path: Path) -> None:
    dest = tmp_path / "c"
    assert build_realistic_corpus(dest) == dest
    assert (dest / "questions.jsonl").stat().st_size > 0


def test_output_is_deterministic(corpus: BuiltCorpus, tmp_path: Path) -> None:
    again = build(tmp_path)
    for gid in corpus.guides:
        assert (tmp_path / f"{gid}.pdf").read_bytes() == (corpus.dest / f"{gid}.pdf").read_bytes(), gid
    assert (tmp_path / "questions.jsonl").read_text() == (corpus.dest / "questions.jsonl").read_text()
    assert len(again.questions) == len(corpus.questions)


# --------------------------------------------------------------------------- layout quirks


def test_front_matter_comes_before_printed_page_1(corpus: BuiltCorpus, texts: dict[str, list[str]]) -> None:
    for gid, rendered in corpus.guides.items():
        kinds = [p.kind for p in rendered.pages]
        assert kinds[:2] == ["cover", "colophon"] and kinds[2] == "toc", gid
        first = rendered.first_body_index
        assert first >= 4
        assert all(p.label is None for p in rendered.pages[: first - 1])
        assert [p.label for p in rendered.pages[first - 1 :]] == [str(n) for n in range(1, len(kinds) - first + 2)]
        # the printed number really is on the page (footer), and the TOC points at printed numbers
        assert "1" in texts[gid][first - 1].splitlines()
        toc = texts[gid][2]
        assert re.search(r"\.{5,}\s*1\s*$", toc, re.MULTILINE), gid


def test_page_labels_for_two_guides_only(corpus: BuiltCorpus, readers: dict[str, PdfReader]) -> None:
    for gid, reader in readers.items():
        has_labels = "/PageLabels" in reader.trailer["/Root"]
        assert has_labels == (gid in LABELLED), gid
        if has_labels:
            rendered = corpus.guides[gid]
            labels = reader.page_labels
            first = rendered.first_body_index
            assert labels[: first - 1] == ["i", "ii", "iii", "iv"][: first - 1]
            assert labels[first - 1 :] == [p.label for p in rendered.pages[first - 1 :]]


def test_ligatures_and_glued_lines_are_really_in_the_pdfs(corpus: BuiltCorpus, texts: dict[str, list[str]]) -> None:
    for gid, rendered in corpus.guides.items():
        if rendered.guide.ligatures:
            assert any("\ufb01" in t or "\ufb02" in t for t in texts[gid]), gid
        for page in rendered.pages:
            if page.glued:
                extracted = texts[gid][page.index - 1]
                words = sum(len(b.text.split()) for b in page.blocks)
                # naive extraction glues most words of a glued page together
                assert extracted.count(" ") < words / 3, (gid, page.label)


def test_headers_alternate_and_footnotes_are_numbered_through(corpus: BuiltCorpus) -> None:
    for gid, rendered in corpus.guides.items():
        body = [p for p in rendered.pages if p.kind == "body"]
        even_headers = {p.header for p in body if int(p.label or 0) % 2 == 0 and p.header}
        assert even_headers == {rendered.guide.header}, gid
        odd_headers = {p.header for p in body if int(p.label or 0) % 2 == 1 and p.header}
        chapters = {b.text for p in body for b in p.blocks if b.kind == "heading" and b.level == 1}
        assert odd_headers and odd_headers <= chapters | {rendered.guide.header}, gid
    notes = [f for p in corpus.guides["haandbog"].guide.pages for f in p.footnotes]
    assert len(notes) >= 10


def test_truth_text_is_what_the_pdf_shows(corpus: BuiltCorpus, texts: dict[str, list[str]]) -> None:
    """Every body block of the ground truth is on its PDF page (layout, ligatures and hyphens aside)."""
    for gid, rendered in corpus.guides.items():
        for page in rendered.pages:
            if page.kind != "body":
                continue
            shown = _squash(texts[gid][page.index - 1])
            for block in page.blocks:
                for piece in block.marked.split("\u2016"):
                    assert _squash(piece) in shown, (gid, page.label, piece[:60])


# --------------------------------------------------------------------------- questions


def test_question_files_are_consistent(corpus: BuiltCorpus) -> None:
    rows = [json.loads(line) for line in (corpus.dest / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == corpus.questions
    ids = [q["id"] for q in rows]
    assert len(ids) == len(set(ids))
    for q in rows:
        assert set(q) == {"id", "question", "publication", "pages", "labels", "evidence", "kind"}
        if q["publication"] is None:
            assert q["kind"] == "unanswerable" and q["evidence"] is None and q["pages"] == [] == q["labels"]


def test_enough_questions(corpus: BuiltCorpus) -> None:
    answerable = [q for q in corpus.questions if q["publication"] is not None]
    unanswerable = [q for q in corpus.questions if q["publication"] is None]
    assert len(answerable) >= 170
    assert len(unanswerable) >= 20
    assert {q["publication"] for q in answerable} == set(GUIDE_IDS)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_question_mix_per_writer(corpus: BuiltCorpus, writer: str) -> None:
    pubs = WRITERS[writer]
    kinds = Counter(q["kind"] for q in corpus.questions if q["publication"] in pubs)
    assert sum(kinds.values()) >= 85
    short = {k: (kinds[k], n) for k, n in KINDS_PER_WRITER.items() if kinds[k] < n}
    assert not short, short


def test_every_evidence_occurs_once_on_its_page(corpus: BuiltCorpus, texts: dict[str, list[str]]) -> None:
    for q in corpus.questions:
        if q["publication"] is None:
            continue
        rendered = corpus.guides[q["publication"]]
        evidence = q["evidence"]
        assert 5 <= len(evidence.split()) <= 12, q["id"]
        assert locate(evidence, rendered) == [(q["pages"][0], q["labels"][0])], q["id"]
        page = rendered.page(q["pages"][0])
        assert page.kind == "body" and page.label == q["labels"][0]
        # and it is really printed there, not only in the truth
        shown = _squash(texts[q["publication"]][page.index - 1])
        assert _squash(evidence) in shown, q["id"]


def test_labels_match_the_pdf_page_labels(corpus: BuiltCorpus, readers: dict[str, PdfReader]) -> None:
    for q in corpus.questions:
        if q["publication"] in LABELLED:
            assert readers[q["publication"]].page_labels[q["pages"][0] - 1] == q["labels"][0], q["id"]


def test_halves_partition_the_questions(corpus: BuiltCorpus) -> None:
    tune = [json.loads(x) for x in (corpus.dest / "questions_tune.jsonl").read_text(encoding="utf-8").splitlines()]
    check = [json.loads(x) for x in (corpus.dest / "questions_check.jsonl").read_text(encoding="utf-8").splitlines()]
    tune_ids, check_ids = {q["id"] for q in tune}, {q["id"] for q in check}
    assert not tune_ids & check_ids
    assert tune_ids | check_ids == {q["id"] for q in corpus.questions}
    assert len(tune) + len(check) == len(corpus.questions)


def test_halves_are_stratified(corpus: BuiltCorpus) -> None:
    def strata(rows: list[dict[str, object]]) -> Counter[tuple[object, object]]:
        return Counter((q["publication"], q["kind"]) for q in rows)

    # Each batch is split on its own, so each is stratified; together a stratum may be off by one
    # per batch (an odd stratum in every batch can give its extra question to the same half).
    for batch in corpus.batches:
        ids = {q["id"] for q in batch}
        tune = strata([q for q in corpus.tune if q["id"] in ids])
        check = strata([q for q in corpus.check if q["id"] in ids])
        for key in strata(batch):
            assert abs(tune[key] - check[key]) <= 1, key  # alternate within each stratum
        assert abs(sum(tune.values()) - sum(check.values())) <= 1
    tune, check = strata(corpus.tune), strata(corpus.check)
    for key in strata(corpus.questions):
        assert abs(tune[key] - check[key]) <= len(corpus.batches), key
    assert abs(len(corpus.tune) - len(corpus.check)) <= len(corpus.batches)


def test_a_later_batch_leaves_the_first_batch_in_its_halves(corpus: BuiltCorpus) -> None:
    """The first batch is split exactly as when it was the only one; the later ones land in one half
    each, each split on its own after the batches before it."""
    assert len(corpus.batches) == len(BATCHES) == 6
    first, second, third, fourth, fifth, sixth = corpus.batches
    assert corpus.questions == first + second + third + fourth + fifth + sixth
    assert len(second) >= 100 and {q["publication"] for q in second} >= set(GUIDE_IDS)
    # The third batch asks what the guides' terms mean ("hvad er negativ social kontrol").
    assert {q["kind"] for q in third} == {"definition"} and {q["publication"] for q in third} == set(GUIDE_IDS)
    # The fourth asks what the guides do not answer, near their domain ("hvordan søger borgeren boligstøtte").
    assert len(fourth) >= 40 and {q["kind"] for q in fourth} == {"unanswerable"}
    # The fifth asks in everyday words and for yes or no ("kan man anbringe uden samtykke").
    assert {"colloquial", "yesno"} <= {q["kind"] for q in fifth}
    # The sixth types what the guides do not answer as keywords, as into an intranet search box
    # ("225-timers-reglen", "boligstøtte satser"): no earlier unanswerable question was so short.
    unanswered = [q for q in sixth if q["kind"] == "unanswerable"]
    assert len(unanswered) >= 30 and all(len(str(q["question"]).split()) <= 6 for q in unanswered)
    assert not any("?" in str(q["question"]) for q in unanswered)

    def ids(rows: list[dict[str, object]]) -> list[object]:
        return [q["id"] for q in rows]

    alone_tune, alone_check = split(resolve_questions(corpus.guides))  # the first batch's files only
    assert ids(alone_tune) + ids(alone_check) and ids(first) == ids(resolve_questions(corpus.guides))
    assert ids(corpus.tune)[: len(alone_tune)] == ids(alone_tune)
    assert ids(corpus.check)[: len(alone_check)] == ids(alone_check)

    tune_ids, check_ids = set(ids(corpus.tune)), set(ids(corpus.check))
    for qid in ids(second) + ids(third) + ids(fourth) + ids(fifth) + ids(sixth):
        assert (qid in tune_ids) != (qid in check_ids), qid
    # Each later batch is split on its own, after the ones before it.
    later = [split(batch) for batch in (second, third, fourth, fifth, sixth)]
    assert ids(corpus.tune)[len(alone_tune) :] == [i for tune, _ in later for i in ids(tune)]
    assert ids(corpus.check)[len(alone_check) :] == [i for _, check in later for i in ids(check)]


def test_content_modules_load_in_publication_order() -> None:
    assert [g.id for g in load_guides()] == list(GUIDE_IDS)
