"""Build a new index version from the manifest's PDFs, reusing whatever has not changed.

    publications ─► (unchanged PDF?  reuse last version's passages : extract + split)
                 ─► embed only passages whose (model, text) is not cached
                 ─► FAISS + BM25 into a staging directory ─► commit ─► validate ─► make live

A publication whose PDF is missing or unreadable is reported as ``failed``; when the live index
has it, its previous passages are carried over so nothing silently disappears.
"""

from __future__ import annotations

import hashlib
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
from index.fusion import DEFAULT_FUSION, FusionConfig
from index.lexical import LexicalIndex
from index.search import SearchIndex
from index.store import PDF_DIR, VersionStore, new_version_id, read_passages, write_passages
from ingest.errors import IngestError
from ingest.models import Document, Passage, Publication
from ingest.split import Splitter

log = logging.getLogger("kb.build")

Status = Literal["added", "updated", "unchanged", "removed", "failed"]

TARGET_TOKENS = 200  # passages of ~120–150 Danish words: one idea each, still with context
MAX_LOSS = 0.5  # a refresh that loses more than half a publication's passages needs --force


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


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


Extract = Callable[[Path], Document]


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
        fusion: FusionConfig = DEFAULT_FUSION,
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
        self.fusion = fusion
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
            return self._build(publications, force=force, rebuild=rebuild)

    def _build(self, publications: list[Publication], *, force: bool, rebuild: bool) -> BuildReport:
        started = time.perf_counter()
        report = BuildReport()
        self.store.discard_staging()
        previous = self._previous()
        report.previous_version = previous[0]["version"] if previous else None
        prev_manifest, prev_passages = previous if previous else ({}, {})
        prev_pubs = {p["id"]: p for p in prev_manifest.get("publications", [])}
        same_pipeline = prev_manifest.get("pipeline") == self.pipeline_key()

        passages_by_pub: dict[str, list[Passage]] = {}
        timings = {"extract": 0.0, "embed": 0.0, "index": 0.0}
        pub_meta: dict[str, dict[str, Any]] = {}

        quiet = not self.progress
        pubs_bar = tqdm(publications, desc="Publikationer", unit="pub", disable=quiet, position=0)
        pages_bar = tqdm(desc="Sider læst", unit=" sider", disable=quiet, position=1)
        passages_bar = tqdm(desc="Passager", unit=" passager", disable=quiet, position=2)
        takes_progress = "on_page" in inspect.signature(self.extract).parameters
        splitter: Splitter | None = None
        for number, pub in enumerate(pubs_bar):
            pubs_bar.set_postfix_str(pub.id)
            self._report_progress("extract", publication=pub.id, done=number, total=len(publications))
            entry = PublicationReport(id=pub.id, status="added" if pub.id not in prev_pubs else "updated")
            report.publications.append(entry)
            path = self.corpus_dir / pub.file
            old = prev_pubs.get(pub.id)
            try:
                if not path.is_file():
                    raise IngestError(f"{pub.id}: PDF-filen {path} findes ikke (kør `kb fetch` eller kopiér den ind).")
                entry.sha256 = sha256_file(path)
                if old and old.get("sha256") == entry.sha256 and same_pipeline and not rebuild:
                    entry.status = "unchanged"
                    passages_by_pub[pub.id] = prev_passages.get(pub.id, [])
                    entry.pages = int(old.get("pages", 0))
                else:
                    splitter = splitter or self._splitter()  # loads the model: not extraction time
                    t0 = time.perf_counter()
                    document = (self.extract(path, on_page=pages_bar.update) if takes_progress  # type: ignore[call-arg]
                                else self.extract(path))
                    passages = splitter(pub, document)
                    passages_bar.update(len(passages))
                    timings["extract"] += time.perf_counter() - t0
                    if not passages:
                        raise IngestError(f"{pub.id}: {path.name} gav ingen tekst at søge i.")
                    passages_by_pub[pub.id] = passages
                    entry.pages = len(document.pages)
            except (IngestError, OSError) as exc:  # a model that cannot load is not one PDF's fault: it propagates
                entry.status, entry.error = "failed", str(exc)
                log.error("publication %s failed: %s", pub.id, exc)
                if old and prev_passages.get(pub.id) and same_pipeline:
                    passages_by_pub[pub.id] = prev_passages[pub.id]
                    entry.kept_previous = True
                    entry.sha256, entry.pages = old.get("sha256"), int(old.get("pages", 0))
            entry.passages = len(passages_by_pub.get(pub.id, []))
            pub_meta[pub.id] = {"id": pub.id, "title": pub.title, "file": pub.file, "sha256": entry.sha256,
                                "pages": entry.pages, "passages": entry.passages, "status": entry.status,
                                "kept_previous": entry.kept_previous, "error": entry.error,
                                "year": pub.year, "publisher": pub.publisher}
        for bar in (passages_bar, pages_bar, pubs_bar):
            bar.close()
        manifest_ids = {p.id for p in publications}
        for pub_id in prev_pubs:
            if pub_id not in manifest_ids:
                report.publications.append(PublicationReport(id=pub_id, status="removed"))

        all_passages = [p for pub in publications for p in passages_by_pub.get(pub.id, [])]
        report.passages = len(all_passages)
        # A new failure, or a recovery from one, also makes a version, cheaply (everything is
        # reused): its manifest is what `kb status` and /api/publications show, and it must say
        # whether old passages stand in for a PDF that could not be read.
        failure_changed = any(
            (p.status == "failed") != bool(prev_pubs.get(p.id, {}).get("error"))
            or (p.status == "failed" and prev_pubs.get(p.id, {}).get("error") != p.error)
            for p in report.publications if p.status != "removed"
        )
        needs_version = (
            previous is None or rebuild or not same_pipeline or failure_changed
            or any(p.status in ("added", "updated", "removed") for p in report.publications)
        )
        if not all_passages:
            report.error = "Ingen publikationer kunne indlæses; der er ikke bygget nogen ny version."
            report.timings = {**timings, "total": time.perf_counter() - started}
            return report
        if not needs_version:
            report.version = prev_manifest.get("version")
            report.live = True
            for entry in report.publications:
                entry.passages_reused = entry.passages
            report.passages_reused = report.passages
            report.timings = {**timings, "total": time.perf_counter() - started}
            return report

        t0 = time.perf_counter()
        self._report_progress("embed", done=0, total=len(all_passages))
        vectors, embedded_texts = self._embed([p.text for p in all_passages])
        timings["embed"] = time.perf_counter() - t0
        credited: set[str] = set()  # a text embedded once is credited once, to its first publication
        for entry in report.publications:
            texts = [p.text for p in passages_by_pub.get(entry.id, [])]
            fresh = {t for t in texts if t in embedded_texts} - credited
            credited |= fresh
            entry.passages_embedded = len(fresh)
            entry.passages_reused = len(texts) - entry.passages_embedded
        report.passages_embedded = len(credited)
        report.passages_reused = report.passages - report.passages_embedded

        t0 = time.perf_counter()
        version = new_version_id()
        staging = self.store.staging(version)
        dense = DenseIndex(self.embedder.dimension)
        dense.add(vectors)
        dense.save(staging)
        lexical = LexicalIndex()
        lexical.index([_lexical_text(p) for p in all_passages])
        lexical.save(staging / "lexical")
        write_passages(staging, all_passages)
        self._snapshot_pdfs(staging, publications, report, prev_manifest)
        calibration = calibrate(all_passages, vectors, self.embedder, lexical.analyzer)
        fusion = replace(self.fusion, dense_weight=calibration.dense_weight) if self.calibrate else self.fusion
        log.info("fusion dense weight %.2f (from %d section titles)", fusion.dense_weight, calibration.queries)
        manifest = self._manifest(version, publications, pub_meta, len(all_passages), lexical, fusion)
        manifest["calibration"] = calibration.as_dict()
        path = self.store.commit(staging, version, manifest)
        timings["index"] = time.perf_counter() - t0
        report.version = version

        self._report_progress("validate", version=version)
        problems = self.validate(path, manifest, prev_pubs, force=force)
        if problems:
            report.error = "Den nye version er ikke gjort live: " + "; ".join(problems)
            log.error("version %s failed validation: %s", version, problems)
        else:
            self.store.set_live(version)
            report.live = True
            self.store.prune(self.keep_versions)
        report.timings = {**timings, "total": time.perf_counter() - started}
        return report

    # -----------------------------------------------------------------------------------------
    def validate(self, path: Path, manifest: dict[str, Any], prev_pubs: dict[str, Any], *, force: bool) -> list[str]:
        problems: list[str] = []
        for pub in manifest["publications"]:
            if pub["status"] != "failed" and pub["passages"] == 0:
                problems.append(f"{pub['id']} har ingen passager")
            old = prev_pubs.get(pub["id"])
            if old and not force and old.get("passages", 0) and pub["passages"] < MAX_LOSS * old["passages"]:
                problems.append(
                    f"{pub['id']} er gået fra {old['passages']} til {pub['passages']} passager "
                    "(brug --force hvis det er rigtigt)"
                )
        try:
            index = SearchIndex.load(path, self.embedder, manifest)
            probe = index.passages[0].section or " ".join(index.passages[0].text.split()[:6])
            if not index.search(probe, k=3):
                problems.append("en prøvesøgning gav ingen resultater")
        except KBIndexError as exc:
            problems.append(f"versionen kan ikke indlæses: {exc}")
        return problems

    def _snapshot_pdfs(self, staging: Path, publications: list[Publication], report: BuildReport,
                       prev_manifest: dict[str, Any]) -> None:
        """Keep the PDFs each version was built from inside it, so its citations keep opening the
        edition they cite whatever later lands in the corpus folder.

        A new edition is copied (a hard link would follow an in-place `cp` over the corpus file);
        an unchanged one is hard-linked to the previous version's own copy, which nobody writes to.
        """
        folder = staging / PDF_DIR
        folder.mkdir()
        entries = {e.id: e for e in report.publications}
        prev_dir = self.store.path(prev_manifest["version"]) / PDF_DIR if prev_manifest else None
        for pub in publications:
            entry = entries[pub.id]
            previous = prev_dir / pub.file if prev_dir else None
            target = folder / pub.file
            if entry.status in ("unchanged", "failed") and previous is not None and previous.is_file():
                try:
                    os.link(previous, target)
                    continue
                except OSError:  # another file system, or links not allowed: copy instead
                    pass
                shutil.copy2(previous, target)
            elif entry.status != "failed" and (self.corpus_dir / pub.file).is_file():
                shutil.copy2(self.corpus_dir / pub.file, target)

    def _previous(self) -> tuple[dict[str, Any], dict[str, list[Passage]]] | None:
        pointer = self.store.pointer()
        if pointer is None or not self.store.exists(pointer.version):
            return None
        manifest = self.store.manifest(pointer.version)
        grouped: dict[str, list[Passage]] = {}
        for p in read_passages(self.store.path(pointer.version)):
            grouped.setdefault(p.publication_id, []).append(p)
        return manifest, grouped

    def _splitter(self) -> Splitter:
        embedder = self.embedder
        return Splitter(embedder.passage_tokens, max_tokens=embedder.max_seq_length, target_tokens=TARGET_TOKENS)

    def _embed(self, texts: list[str]) -> tuple[np.ndarray, set[str]]:
        """Vectors for all texts; only those not cached are run through the model."""
        embedder = self.embedder
        cache = EmbeddingCache(self.store.root / "cache" / "embeddings.sqlite", self.model_name, embedder.dimension)
        try:
            found = cache.get_many(texts)
            # Longest first, so each batch holds texts of similar length and pads little (this is
            # what sentence-transformers does inside one encode call; we batch for the progress bar).
            missing = sorted(dict.fromkeys(t for t in texts if t not in found), key=len, reverse=True)
            batch = embedder.batch_size
            with tqdm(total=len(missing), desc="Indlejrer passager", unit=" passager",
                      disable=not self.progress or not missing) as bar:
                for start in range(0, len(missing), batch):
                    chunk = missing[start:start + batch]
                    vecs = embedder.encode_passages(chunk)
                    cache.put_many(chunk, vecs)
                    found.update(zip(chunk, vecs, strict=True))
                    bar.update(len(chunk))
                    self._report_progress("embed", done=bar.n, total=len(missing))
        finally:
            cache.close()
        matrix = np.stack([found[t] for t in texts]) if texts else np.zeros((0, embedder.dimension), np.float32)
        return matrix.astype(np.float32), set(missing)

    def _manifest(self, version: str, publications: list[Publication], pub_meta: dict[str, dict[str, Any]],
                  count: int, lexical: LexicalIndex, fusion: FusionConfig) -> dict[str, Any]:
        import faiss
        import sentence_transformers

        embedder = self.embedder
        return {
            "version": version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": self.model_name,
            "dimension": embedder.dimension,
            "max_seq_length": embedder.max_seq_length,
            "prefixes": asdict(embedder.prefixes),
            "pipeline": self.pipeline_key(),
            "fusion": asdict(fusion),
            "answer": asdict(self.answer),
            "analyzer": asdict(lexical.analyzer.config),
            "passage_count": count,
            "publications": [pub_meta[p.id] for p in publications],
            "built_with": {
                "python": platform.python_version(),
                "sentence_transformers": sentence_transformers.__version__,
                "faiss": faiss.__version__,
            },
        }


def _lexical_text(passage: Passage) -> str:
    # The section title is part of what a passage is about ("Genopdragelsesrejser").
    return f"{passage.section}. {passage.text}" if passage.section else passage.text
