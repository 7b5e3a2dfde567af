"""Building index versions: incremental refreshes, failures that lose nothing, validation."""

from __future__ import annotations

import shutil
from dataclasses import asdict

import pytest
from pypdf import PdfReader, PdfWriter

from index.build import Builder
from index.embed import Embedder
from index.errors import ModelMismatch
from index.search import SearchIndex
from index.store import VersionStore, read_passages
from ingest.extract import EXTRACTOR_VERSION, Extractor
from ingest.isolate import IsolatedExtractor, Limits
from ingest.manifest import load_manifest
from tests.fixtures.hostile import EXCEPTION_FAMILIES, Hanging, Raising


class CountingEmbedder:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.embedded: list[str] = []

    def __getattr__(self, name):  # noqa: ANN001 - delegate everything else
        return getattr(self.inner, name)

    def encode_passages(self, texts, *, progress=False):  # noqa: ANN001
        self.embedded.extend(texts)
        return self.inner.encode_passages(texts, progress=progress)


class CountingExtractor:
    def __init__(self):
        self.inner = Extractor()
        self.calls: list[str] = []

    def __call__(self, path):  # noqa: ANN001
        self.calls.append(path.name)
        return self.inner(path)


def builder(settings, embedder, **kwargs):  # noqa: ANN001
    counting = CountingEmbedder(embedder)
    extract = CountingExtractor()
    b = Builder(VersionStore(settings.data_dir), settings.corpus_dir, settings.embedding_model,
                embedder=embedder, extract=extract, extractor_version=EXTRACTOR_VERSION, progress=False, **kwargs)
    b._embedder = counting  # type: ignore[assignment]
    return b, counting, extract


def keep_pages(path, pages):  # noqa: ANN001
    reader = PdfReader(path)
    writer = PdfWriter()
    for i in pages:
        writer.add_page(reader.pages[i])
    with open(path, "wb") as fh:
        writer.write(fh)


def test_full_build_indexes_every_publication(built_settings):
    store = VersionStore(built_settings.data_dir)
    manifest = store.manifest(store.live_id())
    assert [p.id for p in manifest.publications] == ["haandbog", "metodehaefte", "godpraksis", "vejledning"]
    assert all(p.passages > 0 and p.sha256 for p in manifest.publications)
    assert manifest.model == built_settings.embedding_model
    assert manifest.passage_count == len(read_passages(store.path(store.live_id())))


def test_unchanged_refresh_embeds_nothing_and_makes_no_version(work_settings, embedder):
    pubs = load_manifest(work_settings.manifest_path)
    first, _, _ = builder(work_settings, embedder)
    report = first.build(pubs)
    assert report.live and report.passages_embedded + report.passages_reused == report.passages

    again, counting, extract = builder(work_settings, embedder)
    second = again.build(pubs)
    assert second.version == report.version
    assert counting.embedded == [] and extract.calls == []
    assert {p.status for p in second.publications} == {"unchanged"}
    assert VersionStore(work_settings.data_dir).versions() == [report.version]


def test_the_model_familys_fusion_is_stored_and_a_new_one_makes_a_version_reusing_everything(work_settings, embedder):
    from index.fusion import FusionConfig, fusion_for

    pubs = load_manifest(work_settings.manifest_path)
    first, _, _ = builder(work_settings, embedder, calibrate=False)  # as `kb ingest` builds
    report = first.build(pubs)
    store = VersionStore(work_settings.data_dir)
    assert store.manifest(report.version).fusion == asdict(fusion_for(work_settings.embedding_model))
    assert fusion_for(work_settings.embedding_model).dense_weight == 0.3  # MiniLM's measured weight

    # An upgrade that changes the weight: the live version must search with it, at no cost.
    other = FusionConfig(method="zscore", dense_weight=0.7)
    again, counting, extract = builder(work_settings, embedder, fusion=other, calibrate=False)
    second = again.build(pubs)
    assert second.live and second.version != report.version
    assert counting.embedded == [] and extract.calls == []
    assert store.manifest(second.version).fusion == asdict(other)


def test_a_new_answer_configuration_makes_a_version_reusing_everything(work_settings, embedder):
    from index.answer import AnswerConfig

    pubs = load_manifest(work_settings.manifest_path)
    first, _, _ = builder(work_settings, embedder, calibrate=False)
    report = first.build(pubs)
    store = VersionStore(work_settings.data_dir)
    assert store.manifest(report.version).answer == asdict(AnswerConfig())

    # An upgrade that answers from more passages: the live version kept the old way until a
    # publication changed, because only a new fusion made a version.
    other = AnswerConfig(passages_considered=3)
    again, counting, extract = builder(work_settings, embedder, answer=other, calibrate=False)
    second = again.build(pubs)
    assert second.live and second.version != report.version
    assert counting.embedded == [] and extract.calls == []
    assert store.manifest(second.version).answer == asdict(other)


def test_one_changed_publication_is_the_only_one_extracted_and_only_new_text_is_embedded(work_settings, embedder):
    pubs = load_manifest(work_settings.manifest_path)
    b, _, _ = builder(work_settings, embedder)
    first = b.build(pubs)
    store = VersionStore(work_settings.data_dir)
    before = {p.text for p in read_passages(store.path(first.version))}

    pdf = work_settings.corpus_dir / "vejledning.pdf"
    n = len(PdfReader(pdf).pages)
    keep_pages(pdf, [i for i in range(n) if i != n - 2])  # drop one body page

    b2, counting, extract = builder(work_settings, embedder)
    report = b2.build(pubs, force=True)
    assert report.live and report.version != first.version
    assert extract.calls == ["vejledning.pdf"]
    statuses = {p.id: p.status for p in report.publications}
    assert statuses == {"haandbog": "unchanged", "metodehaefte": "unchanged", "godpraksis": "unchanged",
                        "vejledning": "updated"}
    after = read_passages(store.path(report.version))
    new_texts = {p.text for p in after} - before
    assert set(counting.embedded) == new_texts
    assert report.passages_embedded == len(new_texts)
    vej = next(p for p in report.publications if p.id == "vejledning")
    assert vej.passages_embedded + vej.passages_reused == vej.passages


@pytest.mark.parametrize("damage", ["corrupt", "missing", "encrypted", "empty"])
def test_bad_pdf_is_reported_and_its_previous_passages_kept(work_settings, embedder, damage):
    pubs = load_manifest(work_settings.manifest_path)
    b, _, _ = builder(work_settings, embedder)
    first = b.build(pubs)
    store = VersionStore(work_settings.data_dir)
    old = [p for p in read_passages(store.path(first.version)) if p.publication_id == "godpraksis"]

    pdf = work_settings.corpus_dir / "godpraksis.pdf"
    if damage == "corrupt":
        pdf.write_bytes(pdf.read_bytes()[: 400])
    elif damage == "missing":
        pdf.unlink()
    elif damage == "empty":
        pdf.write_bytes(b"")
    else:
        writer = PdfWriter(clone_from=PdfReader(pdf))
        writer.encrypt("hemmelig")
        with open(pdf, "wb") as fh:
            writer.write(fh)

    b2, _, _ = builder(work_settings, embedder)
    report = b2.build(pubs)
    failed = next(p for p in report.publications if p.id == "godpraksis")
    assert failed.status == "failed" and failed.kept_previous
    assert "godpraksis" in failed.error
    assert not report.ok
    live = read_passages(store.path(store.live_id()))
    assert [p.id for p in live if p.publication_id == "godpraksis"] == [p.id for p in old]
    # the live manifest says so, for `kb status` and /api/publications
    entry = store.manifest(store.live_id()).publication("godpraksis")
    assert entry is not None and entry.kept_previous and entry.status == "failed" and entry.error
    # the same failure again changes nothing; a repaired PDF is recorded as recovered
    failing_again = builder(work_settings, embedder)[0].build(pubs)
    assert failing_again.version == report.version
    if damage == "corrupt":
        shutil.copy(store.path(first.version) / "pdf" / "godpraksis.pdf", pdf)
        recovered = builder(work_settings, embedder)[0].build(pubs)
        assert recovered.ok and recovered.version != report.version
        entry_now = store.manifest(store.live_id()).publication("godpraksis")
        assert entry_now is not None and not entry_now.kept_previous and entry_now.error is None
        return
    # and the PDF its citations point at is still the edition it was built from
    kept = store.pdf(store.live_id(), "godpraksis.pdf")
    assert kept is not None and kept.read_bytes() == (store.path(first.version) / "pdf" / "godpraksis.pdf").read_bytes()


def test_bad_pdf_on_first_build_does_not_stop_the_others(work_settings, embedder):
    (work_settings.corpus_dir / "metodehaefte.pdf").write_bytes(b"%PDF-1.7 not really")
    b, _, _ = builder(work_settings, embedder)
    report = b.build(load_manifest(work_settings.manifest_path))
    assert report.live and not report.ok
    statuses = {p.id: p.status for p in report.publications}
    assert statuses["metodehaefte"] == "failed"
    assert all(s == "added" for k, s in statuses.items() if k != "metodehaefte")


def test_a_pdf_copied_in_under_another_name_is_named_in_the_error(work_settings, embedder):
    corpus = work_settings.corpus_dir
    (corpus / "godpraksis.pdf").rename(corpus / "Godpraksis_2017.pdf")
    b, _, _ = builder(work_settings, embedder)
    report = b.build(load_manifest(work_settings.manifest_path))
    error = next(p for p in report.publications if p.id == "godpraksis").error or ""
    assert error.startswith("godpraksis: PDF-filen godpraksis.pdf findes ikke i korpusmappen")
    assert "Godpraksis_2017.pdf" in error and "ret »file« i publications.toml" in error
    assert "haandbog.pdf" not in error  # named by its own entry, never offered


def test_progress_bars_stay_off_a_log_file(work_settings, embedder, capfd):  # noqa: ANN001
    """`kb ingest >> kb.log 2>&1` (cron, a systemd unit without --json) wrote every redraw of four
    progress bars into the log; like `kb fetch`'s download bar, they show only on a terminal."""
    b = Builder(VersionStore(work_settings.data_dir), work_settings.corpus_dir, work_settings.embedding_model,
                embedder=embedder, extract=Extractor(), extractor_version=EXTRACTOR_VERSION, progress=True)
    assert b.build(load_manifest(work_settings.manifest_path)).ok
    err = capfd.readouterr().err
    for bar in ("Publikationer", "Sider læst", "Passager", "Indlejrer"):
        assert bar not in err


def test_version_that_loses_most_of_a_publication_is_kept_but_not_made_live(work_settings, embedder):
    pubs = load_manifest(work_settings.manifest_path)
    b, _, _ = builder(work_settings, embedder)
    first = b.build(pubs)
    keep_pages(work_settings.corpus_dir / "haandbog.pdf", [0, 1, 2])

    b2, _, _ = builder(work_settings, embedder)
    report = b2.build(pubs)
    store = VersionStore(work_settings.data_dir)
    assert not report.live and "haandbog" in report.error
    assert store.live_id() == first.version
    assert store.exists(report.version)  # kept for inspection

    b3, _, _ = builder(work_settings, embedder)
    forced = b3.build(pubs, force=True)
    assert forced.live and store.live_id() == forced.version


def test_refused_builds_do_not_pile_up(work_settings, embedder):
    """A nightly build refused every night kept every refused version: only the newest stays."""
    pubs = load_manifest(work_settings.manifest_path)
    b, _, _ = builder(work_settings, embedder, keep_versions=2)
    first = b.build(pubs)
    keep_pages(work_settings.corpus_dir / "haandbog.pdf", [0, 1, 2])
    refused = []
    for _ in range(3):
        again, _, _ = builder(work_settings, embedder, keep_versions=2)
        report = again.build(pubs, rebuild=True)
        assert not report.live and "haandbog" in report.error
        refused.append(report.version)
    store = VersionStore(work_settings.data_dir)
    assert store.live_id() == first.version
    assert store.versions() == [first.version, refused[-1]]  # the live one, and the newest for inspection


def test_loading_with_another_model_fails_clearly(built_settings, embedder):
    store = VersionStore(built_settings.data_dir)
    manifest = store.manifest(store.live_id()).model_copy(update={"model": "intfloat/multilingual-e5-small"})
    with pytest.raises(ModelMismatch, match="KB_EMBEDDING_MODEL"):
        SearchIndex.load(store.path(store.live_id()), embedder, manifest)


def test_old_versions_are_pruned(work_settings, embedder):
    pubs = load_manifest(work_settings.manifest_path)
    versions = []
    for _ in range(4):
        b, _, _ = builder(work_settings, embedder, keep_versions=2)
        versions.append(b.build(pubs, rebuild=True).version)
    store = VersionStore(work_settings.data_dir)
    assert store.versions() == versions[-2:]
    assert store.rollback().version == versions[-2]


def test_corpus_copy_is_private(work_settings, fixture_corpus):
    assert work_settings.corpus_dir != fixture_corpus
    assert (work_settings.corpus_dir / "haandbog.pdf").exists()


# -- one bad PDF fails alone (issue 8, item 1) ------------------------------------------------------
def test_any_exception_from_one_pdf_fails_only_that_publication(work_settings, embedder):
    pubs = load_manifest(work_settings.manifest_path)
    first = builder(work_settings, embedder)[0].build(pubs)
    store = VersionStore(work_settings.data_dir)
    old = [p.id for p in read_passages(store.path(first.version)) if p.publication_id == "godpraksis"]
    (work_settings.corpus_dir / "godpraksis.pdf").write_bytes(b"%PDF-1.7\n% a new edition\n")

    for family in sorted(EXCEPTION_FAMILIES):
        b = Builder(store, work_settings.corpus_dir, work_settings.embedding_model, embedder=embedder,
                    extract=Raising("godpraksis.pdf", family), extractor_version=EXTRACTOR_VERSION, progress=False)
        report = b.build(pubs)
        failed = next(p for p in report.publications if p.id == "godpraksis")
        assert failed.status == "failed" and failed.kept_previous, family
        assert "godpraksis.pdf" in failed.error and ".building-" not in failed.error, family
        assert not report.ok and report.live, family
        live = read_passages(store.path(store.live_id()))
        assert [p.id for p in live if p.publication_id == "godpraksis"] == old, family
        assert {p.publication_id for p in live} == {"haandbog", "metodehaefte", "godpraksis", "vejledning"}


def test_a_hanging_pdf_fails_alone_and_the_others_go_live(work_settings, embedder, tmp_path):
    b = Builder(VersionStore(work_settings.data_dir), work_settings.corpus_dir, work_settings.embedding_model,
                embedder=embedder, extractor_version=EXTRACTOR_VERSION, progress=False,
                extract=IsolatedExtractor(Hanging("metodehaefte.pdf", tmp_path / "pid"), Limits(timeout=20)))
    report = b.build(load_manifest(work_settings.manifest_path))
    assert report.live and not report.ok
    statuses = {p.id: p.status for p in report.publications}
    assert statuses == {"haandbog": "added", "metodehaefte": "failed", "godpraksis": "added", "vejledning": "added"}
    failed = next(p for p in report.publications if p.id == "metodehaefte")
    assert "KB_EXTRACT_TIMEOUT" in failed.error and "metodehaefte.pdf" in failed.error


def test_a_title_year_or_publisher_change_reaches_the_next_version_without_a_new_pdf(work_settings, embedder):
    from dataclasses import replace

    pubs = load_manifest(work_settings.manifest_path)
    first = builder(work_settings, embedder)[0].build(pubs)
    renamed = [replace(p, title="Ny titel", year=2024, publisher="SIRI") if p.id == "haandbog" else p for p in pubs]
    b, counting, extract = builder(work_settings, embedder)
    report = b.build(renamed)
    assert report.live and report.version != first.version
    assert extract.calls == [] and counting.embedded == []
    entry = next(p for p in report.publications if p.id == "haandbog")
    assert entry.status == "updated" and entry.metadata_changed == ["title", "year", "publisher"]
    store = VersionStore(work_settings.data_dir)
    meta = store.manifest(report.version).publication("haandbog")
    assert meta is not None and (meta.title, meta.year, meta.publisher) == ("Ny titel", 2024, "SIRI")
    titles = {p.publication_title for p in read_passages(store.path(report.version)) if p.publication_id == "haandbog"}
    assert titles == {"Ny titel"}


class ReplacingDuringExtraction:
    """Extracts normally, but a new edition lands in the corpus folder while it reads (a `cp` or a fetch
    that does not take the lock)."""

    def __init__(self, corpus, file, new_bytes):  # noqa: ANN001
        self.corpus, self.file, self.new_bytes = corpus, file, new_bytes
        self.inner = Extractor()

    def __call__(self, path):  # noqa: ANN001
        if path.name == self.file:
            (self.corpus / self.file).write_bytes(self.new_bytes)
        return self.inner(path)


def test_the_version_keeps_exactly_the_pdf_it_hashed_and_read(work_settings, embedder):
    from ingest.fetchstate import file_sha256

    corpus = work_settings.corpus_dir
    original = (corpus / "vejledning.pdf").read_bytes()
    store = VersionStore(work_settings.data_dir)
    b = Builder(store, corpus, work_settings.embedding_model, embedder=embedder, extractor_version=EXTRACTOR_VERSION,
                progress=False, extract=ReplacingDuringExtraction(corpus, "vejledning.pdf",
                                                                  (corpus / "haandbog.pdf").read_bytes()))
    report = b.build(load_manifest(work_settings.manifest_path))
    assert report.live
    entry = store.manifest(report.version).publication("vejledning")
    snapshot = store.pdf(report.version, "vejledning.pdf")
    assert entry is not None and snapshot is not None
    assert snapshot.read_bytes() == original and file_sha256(snapshot) == entry.sha256
    assert not list(store.versions_dir.glob(".building-*"))


def test_a_renamed_pdf_with_the_same_bytes_is_reused_and_kept_under_its_new_name(work_settings, embedder):
    from dataclasses import replace

    pubs = load_manifest(work_settings.manifest_path)
    builder(work_settings, embedder)[0].build(pubs)
    (work_settings.corpus_dir / "vejledning.pdf").rename(work_settings.corpus_dir / "vejledning-2019.pdf")
    renamed = [replace(p, file="vejledning-2019.pdf") if p.id == "vejledning" else p for p in pubs]
    b, counting, extract = builder(work_settings, embedder)
    report = b.build(renamed)
    assert report.live and extract.calls == [] and counting.embedded == []
    store = VersionStore(work_settings.data_dir)
    assert store.pdf(report.version, "vejledning-2019.pdf") is not None
    assert store.manifest(report.version).publication("vejledning").file == "vejledning-2019.pdf"
