"""Build a new index version from the manifest's PDFs, reusing whatever has not changed.

A build is a sequence of named steps, one method each:

    plan      copy each PDF into the new version and hash that copy (the version keeps exactly the
              file it read); compare with the live version: new, changed, unchanged, metadata only
    collect   passages per publication: reuse them, or extract (through the ``extract`` callable,
              in production a child process with a deadline and a memory cap: ingest/isolate.py),
              check the text reads as language, split. Any failure is that publication's alone;
              when the live index has it, its previous passages are carried over
    embed     only passages whose (model, text) is not cached
    write     FAISS + BM25 + passages + PDFs + calibrated manifest into staging, then commit
    validate  every publication has passages, none lost more than half, a probe search answers
    publish   make the version live
    prune     keep KB_KEEP_VERSIONS versions (after every build, also a refused one)

A publication whose PDF is missing or unreadable is reported as ``failed``, so nothing silently
disappears and ``kb ingest`` exits non-zero.
"""

from __future__ import annotations

import inspect
import logging
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from tqdm import tqdm

from index.answer import AnswerConfig
from index.cache import EmbeddingCache
from index.calibrate import calibrate
from index.dense import DenseIndex
from index.embed import Embedder
from index.errors import KBIndexError
from index.fusion import FusionConfig, fusion_for
from index.lexical import LexicalIndex
from index.search import SearchIndex
from index.sentence_vectors import unit_texts
from index.sentence_vectors import write as write_sentence_vectors
from index.store import PDF_DIR, VersionStore, new_version_id, read_passages, write_passages
from index.version import PublicationEntry, PublicationStatus, VersionManifest
from ingest.errors import IngestError
from ingest.fetchstate import file_sha256
from ingest.isolate import describe_failure, failure_detail
from ingest.manifest import missing_pdf_hint
from ingest.models import Document, Passage, Publication
from ingest.quality import check_language
from ingest.split import Splitter

log = logging.getLogger("kb.build")

Status = PublicationStatus

TARGET_TOKENS = 200  # passages of ~120–150 Danish words: one idea each, still with context
MAX_LOSS = 0.5  # a refresh that loses more than half a publication's passages needs --force


def loss_problem(publication_id: str, before: int, after: int) -> str:
    """The guard's message. It also reaches the admin API's refresh report, which has no --force,
    so it names the command to run on the server rather than a flag."""
    return (f"{publication_id} er gået fra {before} til {after} passager; er det rigtigt, så kør "
            "`kb ingest --force` (eller `kb refresh --force`) på serveren")


METADATA = ("title", "year", "publisher", "file")  # manifest facts a version shows; a change needs no new PDF


@dataclass
class PublicationReport:
    id: str
    status: Status
    passages: int = 0
    passages_embedded: int = 0
    passages_reused: int = 0
    pages: int = 0
    sha256: str | None = None
    error: str | None = None
    kept_previous: bool = False  # failed, but the previous version's passages were kept
    metadata_changed: list[str] = field(default_factory=list)  # e.g. ["title"]: same PDF, new manifest facts


@dataclass
class BuildReport:
    version: str | None = None
    live: bool = False
    previous_version: str | None = None
    publications: list[PublicationReport] = field(default_factory=list)
    passages: int = 0
    passages_embedded: int = 0
    passages_reused: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(p.status != "failed" for p in self.publications)

    @property
    def changed(self) -> bool:
        return any(p.status != "unchanged" for p in self.publications)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


Extract = Callable[[Path], Document]
Action = Literal["extract", "reuse", "failed"]


@dataclass
class Previous:
    """The live version a build starts from."""

    manifest: VersionManifest
    passages: dict[str, list[Passage]]
    pdf_dir: Path
    same_pipeline: bool


@dataclass
class Item:
    """One publication on its way through the steps."""

    publication: Publication
    report: PublicationReport
    old: PublicationEntry | None  # its entry in the live version
    action: Action = "extract"
    snapshot: Path | None = None  # the copy in the new version that was hashed and is read
    passages: list[Passage] = field(default_factory=list)


class Builder:
    """Builds and publishes index versions. The embedder is loaded lazily: an unchanged refresh
    never pays for loading the model."""

    def __init__(
        self,
        store: VersionStore,
        corpus_dir: Path,
        model_name: str,
        *,
        embedder: Embedder | Callable[[], Embedder],
        extract: Extract,
        extractor_version: str = "1",
        fusion: FusionConfig | None = None,
        answer: AnswerConfig | None = None,
        keep_versions: int = 3,
        progress: bool = True,
        calibrate: bool = True,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.store = store
        self.corpus_dir = corpus_dir
        self.model_name = model_name
        self._embedder = embedder
        self.extract = extract
        self.extractor_version = extractor_version
        self.fusion = fusion or fusion_for(model_name)  # stored in each version's manifest
        self.answer = answer or AnswerConfig()
        self.keep_versions = keep_versions
        self.progress = progress
        self.calibrate = calibrate  # False keeps ``fusion`` as given (benchmarks compare fixed weights)
        self._on_progress = on_progress  # {"phase", "publication", "done", "total"} for the admin API

    def _report_progress(self, phase: str, **facts: Any) -> None:
        if self._on_progress is not None:
            self._on_progress({"phase": phase, **facts})

    @property
    def embedder(self) -> Embedder:
        # Either a loaded embedder or a factory that loads it on first use.
        if not hasattr(self._embedder, "encode_passages"):
            self._embedder = self._embedder()  # type: ignore[operator]
        return self._embedder  # type: ignore[return-value]

    def pipeline_key(self) -> dict[str, Any]:
        """What passages depend on besides the PDF bytes; a change means re-extracting everything."""
        return {"model": self.model_name, "target_tokens": TARGET_TOKENS, "extractor": self.extractor_version}

    # -----------------------------------------------------------------------------------------
    def build(self, publications: list[Publication], *, force: bool = False, rebuild: bool = False) -> BuildReport:
        with self.store.lock():
            report = self._build(publications, force=force, rebuild=rebuild)
            # Every build, refused or not: a refused version stays only while it is the newest
            # (for inspection), so a nightly build refused every night does not pile them up.
            self._prune()
            return report

    def _build(self, publications: list[Publication], *, force: bool, rebuild: bool) -> BuildReport:
        started = time.perf_counter()
        timings = {"extract": 0.0, "embed": 0.0, "index": 0.0}
        report = BuildReport()
        self.store.discard_staging()
        previous = self._previous()
        report.previous_version = previous.manifest.version if previous else None
        version = new_version_id()
        staging = self.store.staging(version)
        try:
            items = self._plan(publications, previous, staging, rebuild=rebuild)
            t0 = time.perf_counter()
            self._collect(items, previous)
            timings["extract"] = time.perf_counter() - t0
            report.publications = [item.report for item in items] + self._removed(publications, previous)
            all_passages = [p for item in items for p in item.passages]
            report.passages = len(all_passages)
            if not all_passages:
                report.error = "Ingen publikationer kunne indlæses; der er ikke bygget nogen ny version."
                return report
            if previous is not None and not self._needs_version(items, report, previous, rebuild=rebuild):
                report.version, report.live = previous.manifest.version, True
                for entry in report.publications:
                    entry.passages_reused = entry.passages
                report.passages_reused = report.passages
                return report

            t0 = time.perf_counter()
            vectors = self._embed_step(items, report)
            # The answer units too, so that no question waits for their embedding (cached like passages).
            unit_rows, offsets, digests = unit_texts(all_passages)
            unit_vectors, _ = self._embed(unit_rows, desc="Indlejrer sætninger", phase="embed_sentences")
            timings["embed"] = time.perf_counter() - t0

            t0 = time.perf_counter()
            manifest = self._write(staging, version, items, all_passages, vectors, previous)
            write_sentence_vectors(staging, unit_vectors, offsets, digests)
            path = self.store.commit(staging, version, manifest)
            timings["index"] = time.perf_counter() - t0
            report.version = version

            self._report_progress("validate", version=version)
            problems = self.validate(path, manifest, previous.manifest if previous else None, force=force)
            if problems:
                report.error = "Den nye version er ikke gjort live: " + "; ".join(problems)
                log.error("version %s failed validation: %s", version, problems)
                return report
            self._publish(version, report)
            return report
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # gone already when committed
            report.timings = {**timings, "total": time.perf_counter() - started}

    # -- plan ------------------------------------------------------------------------------------
    def _plan(self, publications: list[Publication], previous: Previous | None, staging: Path, *,
              rebuild: bool) -> list[Item]:
        """Snapshot and hash each PDF, and decide per publication: extract, reuse, or failed."""
        folder = staging / PDF_DIR
        folder.mkdir()
        items = []
        for pub in publications:
            old = previous.manifest.publication(pub.id) if previous else None
            item = Item(pub, PublicationReport(id=pub.id, status="updated" if old else "added"), old)
            items.append(item)
            source = self.corpus_dir / pub.file
            try:
                if not source.is_file():
                    hint = missing_pdf_hint(self.corpus_dir, pub.file, (p.file for p in publications))
                    raise IngestError(f"{pub.id}: PDF-filen {pub.file} findes ikke i korpusmappen"
                                      + (f". {hint}" if hint else " (kør `kb fetch` eller kopiér den ind)."))
                # Copy, then hash and read the copy: a file replaced in the corpus folder meanwhile
                # cannot make the version cite other bytes than it indexed.
                item.snapshot = folder / pub.file
                shutil.copyfile(source, item.snapshot)
                item.report.sha256 = file_sha256(item.snapshot)
            except (IngestError, OSError) as exc:
                item.action, item.report.status, item.report.error = "failed", "failed", str(exc)
                continue
            same_pdf = (old is not None and old.status != "failed" and old.sha256 == item.report.sha256
                        and previous is not None and previous.same_pipeline and not rebuild)
            if same_pdf and old is not None:
                item.action = "reuse"
                item.report.metadata_changed = [f for f in METADATA if getattr(old, f) != getattr(pub, f)]
                item.report.status = "updated" if item.report.metadata_changed else "unchanged"
        return items

    # -- collect ---------------------------------------------------------------------------------
    def _collect(self, items: list[Item], previous: Previous | None) -> None:
        """Passages per publication; one publication's failure never stops the others."""
        # None: tqdm draws only on a terminal; a log file (cron, systemd) would get every redraw.
        quiet = None if self.progress else True
        pubs_bar = tqdm(items, desc="Publikationer", unit="pub", disable=quiet, position=0)
        pages_bar = tqdm(desc="Sider læst", unit=" sider", disable=quiet, position=1)
        passages_bar = tqdm(desc="Passager", unit=" passager", disable=quiet, position=2)
        splitter: Splitter | None = None
        try:
            for number, item in enumerate(pubs_bar):
                pub = item.publication
                pubs_bar.set_postfix_str(pub.id)
                self._report_progress("extract", publication=pub.id, done=number, total=len(items))
                if item.action == "reuse" and previous is not None and item.old is not None:
                    item.passages = _retitled(previous.passages.get(pub.id, []), pub)
                    item.report.pages = item.old.pages
                elif item.action == "extract":
                    # Loading the model is not one PDF's fault: outside the per-publication guard.
                    splitter = splitter or self._splitter()
                    self._extract_one(item, splitter, pages_bar.update)
                    passages_bar.update(len(item.passages))
                if item.report.status == "failed":
                    self._keep_previous(item, previous)
                item.report.passages = len(item.passages)
        finally:
            for bar in (passages_bar, pages_bar, pubs_bar):
                bar.close()
            close = getattr(self.extract, "close", None)  # an extraction worker process, when there is one
            if callable(close):
                close()

    def _extract_one(self, item: Item, splitter: Splitter, on_page: Callable[[int], object]) -> None:
        pub, snapshot = item.publication, item.snapshot
        assert snapshot is not None  # planned for extraction only when the copy exists
        try:
            if "on_page" in inspect.signature(self.extract).parameters:
                document = self.extract(snapshot, on_page=on_page)  # type: ignore[call-arg]
            else:
                document = self.extract(snapshot)
            check_language(document, pub.file)
            passages = splitter(pub, document)
            if not passages:
                raise IngestError(f"{pub.id}: {pub.file} gav ingen tekst at søge i.")
        except KBIndexError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever one PDF makes a reader raise is its failure alone
            message, detail = describe_failure(snapshot, exc), failure_detail(exc)
            # Messages name the file as the operator knows it, not the build's private copy: the
            # report by its name in the corpus folder, the log (grepped for paths) by its full path.
            known_as = str(self.corpus_dir / pub.file)
            if detail:  # the reader's own (English) words: the log, not the report
                log.warning("publication %s: the PDF reader said: %s", pub.id, detail.replace(str(snapshot), known_as))
            item.report.status = "failed"
            item.report.error = message.replace(str(snapshot), pub.file)
            return
        item.passages = passages
        item.report.pages = len(document.pages)

    def _keep_previous(self, item: Item, previous: Previous | None) -> None:
        log.error("publication %s failed: %s (%s)", item.publication.id, item.report.error,
                  self.corpus_dir / item.publication.file)
        kept = previous.passages.get(item.publication.id) if previous and previous.same_pipeline else None
        if item.old is not None and kept:
            item.passages = _retitled(kept, item.publication)
            item.report.kept_previous = True
            item.report.sha256, item.report.pages = item.old.sha256, item.old.pages
        else:
            item.passages = []

    def _removed(self, publications: list[Publication], previous: Previous | None) -> list[PublicationReport]:
        wanted = {p.id for p in publications}
        old = previous.manifest.publications if previous else []
        return [PublicationReport(id=p.id, status="removed") for p in old if p.id not in wanted]

    def _needs_version(self, items: list[Item], report: BuildReport, previous: Previous, *, rebuild: bool) -> bool:
        # A new failure, or a recovery from one, also makes a version, cheaply (everything is
        # reused): its manifest is what `kb status` and /api/publications show, and it must say
        # whether old passages stand in for a PDF that could not be read.
        failure_changed = any(
            (item.report.status == "failed") != bool(item.old and item.old.error)
            or (item.report.status == "failed" and (item.old.error if item.old else None) != item.report.error)
            for item in items
        )
        # A new fixed fusion (the model family's measured weight changed) needs no new passages or
        # embeddings, but the live version must search with it. (A calibrated one is worked out
        # from the passages, which are unchanged.)
        fusion_changed = not self.calibrate and previous.manifest.fusion != asdict(self.fusion)
        # So does a new way of answering (an upgrade's AnswerConfig): it is read from the version.
        answer_changed = previous.manifest.answer != asdict(self.answer)
        return (rebuild or not previous.same_pipeline or failure_changed or fusion_changed or answer_changed
                or any(p.status in ("added", "updated", "removed") for p in report.publications))

    # -- embed -----------------------------------------------------------------------------------
    def _embed_step(self, items: list[Item], report: BuildReport) -> np.ndarray:
        texts = [p.text for item in items for p in item.passages]
        self._report_progress("embed", done=0, total=len(texts))
        vectors, embedded_texts = self._embed(texts)
        credited: set[str] = set()  # a text embedded once is credited once, to its first publication
        for entry in report.publications:
            mine = next((i.passages for i in items if i.publication.id == entry.id), [])
            fresh = {p.text for p in mine if p.text in embedded_texts} - credited
            credited |= fresh
            entry.passages_embedded = len(fresh)
            entry.passages_reused = len(mine) - entry.passages_embedded
        report.passages_embedded = len(credited)
        report.passages_reused = report.passages - report.passages_embedded
        return vectors

    # -- write -----------------------------------------------------------------------------------
    def _write(self, staging: Path, version: str, items: list[Item], passages: list[Passage],
               vectors: np.ndarray, previous: Previous | None) -> VersionManifest:
        dense = DenseIndex(self.embedder.dimension)
        dense.add(vectors)
        dense.save(staging)
        lexical = LexicalIndex()
        lexical.index([lexical_text(p) for p in passages])
        lexical.save(staging / "lexical")
        write_passages(staging, passages)
        self._settle_pdfs(staging, items, previous)
        if not self.calibrate:  # the fixed fusion of index/fusion.py; no section-title encoding needed
            return self._manifest(version, items, len(passages), lexical, self.fusion)
        calibration = calibrate(passages, vectors, self.embedder, lexical.analyzer)
        fusion = replace(self.fusion, dense_weight=calibration.dense_weight)
        log.info("fusion dense weight %.2f (from %d section titles)", fusion.dense_weight, calibration.queries)
        manifest = self._manifest(version, items, len(passages), lexical, fusion)
        manifest.calibration = calibration.as_dict()
        return manifest

    def _settle_pdfs(self, staging: Path, items: list[Item], previous: Previous | None) -> None:
        """Keep in the version the PDF each publication's passages come from, so its citations keep
        opening the edition they cite whatever later lands in the corpus folder.

        A PDF read now stays as copied and hashed in ``plan``. One whose passages come from the
        previous version (unchanged, or failed with its old passages kept) is hard-linked to that
        version's own copy, which nobody writes to.
        """
        for item in items:
            target = staging / PDF_DIR / item.publication.file
            reused = item.action == "reuse" or item.report.kept_previous
            if not reused:
                if item.report.status == "failed":  # nothing of it is in this version
                    target.unlink(missing_ok=True)
                    item.snapshot = None
                continue
            old = previous.pdf_dir / item.old.file if previous and item.old else None
            if old is None or not old.is_file():  # an older version without PDFs
                if item.report.kept_previous:  # its passages are not from the bytes in the corpus now
                    target.unlink(missing_ok=True)
                    item.snapshot = None
                continue  # same bytes as before: the fresh copy serves
            target.unlink(missing_ok=True)
            try:
                os.link(old, target)
            except OSError:  # another file system, or links not allowed: copy instead
                shutil.copy2(old, target)
            item.snapshot = target

    def _manifest(self, version: str, items: list[Item], count: int, lexical: LexicalIndex,
                  fusion: FusionConfig) -> VersionManifest:
        import faiss
        import sentence_transformers

        embedder = self.embedder
        publications = [
            PublicationEntry(id=i.publication.id, title=i.publication.title, file=i.publication.file,
                             sha256=i.report.sha256, pages=i.report.pages, passages=i.report.passages,
                             status=i.report.status, kept_previous=i.report.kept_previous, error=i.report.error,
                             year=i.publication.year, publisher=i.publication.publisher)
            for i in items
        ]
        return VersionManifest(
            version=version,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            model=self.model_name,
            dimension=embedder.dimension,
            max_seq_length=embedder.max_seq_length,
            prefixes=asdict(embedder.prefixes),
            pipeline=self.pipeline_key(),
            fusion=asdict(fusion),
            answer=asdict(self.answer),
            analyzer=asdict(lexical.analyzer.config),
            passage_count=count,
            publications=publications,
            built_with={
                "python": platform.python_version(),
                "sentence_transformers": sentence_transformers.__version__,
                "faiss": faiss.__version__,
            },
        )

    # -- validate, publish, prune ----------------------------------------------------------------
    def validate(self, path: Path, manifest: VersionManifest, previous: VersionManifest | None, *,
                 force: bool) -> list[str]:
        problems: list[str] = []
        for pub in manifest.publications:
            if pub.status != "failed" and pub.passages == 0:
                problems.append(f"{pub.id} har ingen passager")
            old = previous.publication(pub.id) if previous else None
            if old and not force and old.passages and pub.passages < MAX_LOSS * old.passages:
                problems.append(loss_problem(pub.id, old.passages, pub.passages))
        try:
            index = SearchIndex.load(path, self.embedder, manifest)
            probe = index.passages[0].section or " ".join(index.passages[0].text.split()[:6])
            if not index.search(probe, k=3):
                problems.append("en prøvesøgning gav ingen resultater")
        except KBIndexError as exc:
            problems.append(f"versionen kan ikke indlæses: {exc}")
        return problems

    def _publish(self, version: str, report: BuildReport) -> None:
        self.store.set_live(version)
        report.live = True

    def _prune(self) -> None:
        self.store.prune(self.keep_versions)

    # -- helpers ---------------------------------------------------------------------------------
    def _previous(self) -> Previous | None:
        pointer = self.store.pointer()
        if pointer is None or not self.store.exists(pointer.version):
            return None
        manifest = self.store.manifest(pointer.version)
        grouped: dict[str, list[Passage]] = {}
        for p in read_passages(self.store.path(pointer.version)):
            grouped.setdefault(p.publication_id, []).append(p)
        return Previous(manifest, grouped, self.store.path(pointer.version) / PDF_DIR,
                        same_pipeline=manifest.pipeline == self.pipeline_key())

    def _splitter(self) -> Splitter:
        embedder = self.embedder
        return Splitter(embedder.passage_tokens, max_tokens=embedder.max_seq_length, target_tokens=TARGET_TOKENS)

    def _embed(self, texts: list[str], *, desc: str = "Indlejrer passager", phase: str = "embed"
               ) -> tuple[np.ndarray, set[str]]:
        """Vectors for all texts; only those not cached are run through the model."""
        embedder = self.embedder
        cache = EmbeddingCache(self.store.root / "cache" / "embeddings.sqlite", self.model_name, embedder.dimension)
        try:
            found = cache.get_many(texts)
            # Longest first, so each batch holds texts of similar length and pads little (this is
            # what sentence-transformers does inside one encode call; we batch for the progress bar).
            missing = sorted(dict.fromkeys(t for t in texts if t not in found), key=len, reverse=True)
            batch = embedder.batch_size
            with tqdm(total=len(missing), desc=desc, unit=" tekster",
                      disable=None if self.progress and missing else True) as bar:  # None: on a terminal
                for start in range(0, len(missing), batch):
                    chunk = missing[start:start + batch]
                    vecs = embedder.encode_passages(chunk)
                    cache.put_many(chunk, vecs)
                    found.update(zip(chunk, vecs, strict=True))
                    bar.update(len(chunk))
                    self._report_progress(phase, done=bar.n, total=len(missing))
        finally:
            cache.close()
        matrix = np.stack([found[t] for t in texts]) if texts else np.zeros((0, embedder.dimension), np.float32)
        return matrix.astype(np.float32), set(missing)


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes of a passage: the section title is part of what it is about
    ("Genopdragelsesrejser")."""
    return f"{passage.section}. {passage.text}" if passage.section else passage.text


def _retitled(passages: list[Passage], publication: Publication) -> list[Passage]:
    # A new title in the manifest reaches reused passages without re-extracting or re-embedding
    # (ids and vectors depend on the text only).
    return [p if p.publication_title == publication.title else replace(p, publication_title=publication.title)
            for p in passages]
