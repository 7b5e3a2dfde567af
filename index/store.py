"""Index versions on disk and the pointer to the live one.

    KB_DATA_DIR/
      versions/<id>/manifest.json   written last: a version exists iff its manifest does
                   passages.jsonl   one Passage per line, in index order
                   vectors.faiss    FAISS index, row i = passage i
                   lexical/         BM25 index
                   sentences.npy, sentence_offsets.npy, sentence_digests.npy
                                    the answer units' vectors (index/sentence_vectors.py)
      versions/.building-<id>/      a build in progress (removed or renamed when it ends)
      versions/<id>/pdf/            the PDFs this version was built from (copies or links), so citations
                                    open the edition they cite even after `kb fetch` replaced a file
      live.json                     {"version": id, "previous": [ids…]}; replaced atomically
      cache/embeddings.sqlite       embedding cache (see index/cache.py)

A build writes a complete directory and only then swaps ``live.json`` with ``os.replace``, so a
crash at any point leaves the previous version live and loadable.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from index.errors import Busy, CorruptIndex, NoLiveIndex
from index.version import PublicationEntry, VersionManifest
from ingest.models import Passage

if TYPE_CHECKING:
    from index.dense import DenseIndex
    from index.lexical import LexicalIndex

log = logging.getLogger("kb.store")

MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
LIVE = "live.json"
PDF_DIR = "pdf"


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def new_version_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    # Microseconds keep ids in creation order even for builds within the same second.
    return f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(2)}"


@dataclass(frozen=True)
class Pointer:
    version: str
    previous: tuple[str, ...] = ()


class VersionStore:
    def __init__(self, data_dir: Path):
        self.root = data_dir
        self.versions_dir = data_dir / "versions"
        self._held = 0  # lock() is re-entrant on one instance: `kb refresh` holds it across fetch and build

    # -- the live pointer -------------------------------------------------------------------
    def pointer(self) -> Pointer | None:
        path = self.root / LIVE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            raise CorruptIndex(f"{path} kan ikke læses: {exc}") from exc
        version = data.get("version") if isinstance(data, dict) else None
        previous = data.get("previous", []) if isinstance(data, dict) else None
        if not isinstance(version, str) or not isinstance(previous, list):
            raise CorruptIndex(f"{path} har ikke formen {{\"version\": …, \"previous\": […]}}.")
        return Pointer(version, tuple(str(v) for v in previous))

    def live_id(self) -> str:
        pointer = self.pointer()
        if pointer is None:
            raise NoLiveIndex("Der er endnu ikke bygget noget indeks. Kør `kb ingest` (eller `make run`).")
        return pointer.version

    def set_live(self, version: str) -> Pointer:
        if not self.exists(version):
            raise CorruptIndex(f"Version {version} findes ikke eller er ufuldstændig.")
        self.root.mkdir(parents=True, exist_ok=True)
        old = self.pointer()
        previous: tuple[str, ...] = ()
        if old and old.version != version:
            previous = (old.version, *[v for v in old.previous if v != version])
        elif old:
            previous = old.previous
        pointer = Pointer(version, tuple(v for v in previous if self.exists(v)))
        write_atomic(self.root / LIVE, json.dumps({"version": pointer.version,
                                                   "previous": list(pointer.previous)}, indent=2))
        return pointer

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One writer of the corpus PDFs, the versions and the pointer at a time (a fetch, a build, a
        rollback); the OS drops the lock when its holder dies, so a killed build never blocks the
        next one. Taking it again on the same instance (fetch, then build) nests."""
        if self._held:
            self._held += 1
            try:
                yield
            finally:
                self._held -= 1
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise Busy("En anden hentning, opbygning eller tilbagerulning af indekset kører; "
                           "prøv igen om lidt.") from exc
            self._held = 1
            try:
                yield
            finally:
                self._held = 0
                fcntl.flock(fh, fcntl.LOCK_UN)

    def rollback(self, to: str | None = None) -> Pointer:
        """Make the previous version live, or ``to``, any version of the rollback history."""
        with self.lock():
            return self._rollback(to)

    def _rollback(self, to: str | None) -> Pointer:
        old = self.pointer()
        if old is None:
            raise NoLiveIndex("Der er ingen live version at rulle tilbage fra.")
        candidates = [v for v in old.previous if self.exists(v)]
        if to is None:
            if not candidates:
                raise CorruptIndex("Der er ingen tidligere version at rulle tilbage til.")
            to = candidates[0]
        elif to not in candidates:
            raise CorruptIndex(self._not_a_target(to, old, candidates))
        target = to
        # A running server keeps serving the old version when the new one fails to load, but a
        # restarted one has nothing to serve: a version that does not load must never become live.
        try:
            self.check(target)
        except CorruptIndex as exc:
            others = [v for v in candidates if v != target]
            hint = (f" Andre versioner, der kan rulles tilbage til (`kb rollback --to VERSION`): {', '.join(others)}."
                    if others else "")
            raise CorruptIndex(f"Version {target} kan ikke indlæses og er ikke gjort live; version "
                               f"{old.version} er stadig live. ({exc}){hint}") from exc
        # The version left, and with `--to` the ones skipped over, go last in the history: kept by
        # prune and listed by `kb status`, so the operator can return to them, while the next
        # rollback still goes further back first.
        i = candidates.index(target)
        left = (old.version,) if self.exists(old.version) and old.version != target else ()
        pointer = Pointer(target, (*candidates[i + 1:], *candidates[:i], *left))
        write_atomic(self.root / LIVE, json.dumps({"version": pointer.version,
                                                   "previous": list(pointer.previous)}, indent=2))
        return pointer

    def _not_a_target(self, version: str, old: Pointer, candidates: list[str]) -> str:
        """Why ``version`` cannot be rolled back to, and which versions can."""
        kept = ", ".join(candidates) if candidates else "ingen"
        if version == old.version:
            reason = f"Version {version} er allerede live."
        elif self.exists(version):
            # Not in the history: in practice a refused build, kept for inspection; making it live
            # here would bypass the check that refused it.
            reason = (f"Version {version} er ikke i tilbagerulningshistorikken (fx en afvist opbygning, der "
                      "aldrig blev live); `kb ingest --force` gør en ny opbygning live trods advarslen.")
        else:
            reason = f"Version {version} findes ikke."
        return f"{reason} Versioner, der kan rulles tilbage til: {kept}. (Se `kb status`.)"

    # -- versions -----------------------------------------------------------------------------
    def path(self, version: str) -> Path:
        return self.versions_dir / version

    def pdf(self, version: str, file: str) -> Path | None:
        """The PDF a version was built from, when the version holds one (older ones did not)."""
        path = self.path(version) / PDF_DIR / file
        return path if path.is_file() else None

    def edition_pdf(self, file: str, edition: str) -> Path | None:
        """The kept copy of ``file`` in the edition whose sha256 starts with ``edition``, newest
        version first; None when no kept version holds that edition any more (pruned)."""
        for version, manifest in self._manifests():
            if any(p.file == file and p.edition == edition for p in manifest.publications):
                path = self.pdf(version, file)
                if path is not None:
                    return path
        return None

    def publication_with_file(self, file: str) -> PublicationEntry | None:
        """The publication that the newest kept version holding ``file`` has under that name."""
        for _, manifest in self._manifests():
            found = next((p for p in manifest.publications if p.file == file), None)
            if found is not None:
                return found
        return None

    def _manifests(self) -> Iterator[tuple[str, VersionManifest]]:
        """Each kept version's manifest, newest first; a damaged one is skipped (the others still serve)."""
        for version in reversed(self.versions()):
            try:
                yield version, self.manifest(version)
            except CorruptIndex:
                continue

    def exists(self, version: str) -> bool:
        return (self.path(version) / MANIFEST).is_file()

    def check(self, version: str) -> None:
        """Raise CorruptIndex unless the version's parts load and agree, the checks of
        ``SearchIndex.load`` short of the embedding model (which a rollback need not load)."""
        load_parts(self.path(version), self.manifest(version))

    def manifest(self, version: str) -> VersionManifest:
        path = self.path(version) / MANIFEST
        try:
            return VersionManifest.model_validate_json(path.read_bytes())
        except FileNotFoundError as exc:
            raise CorruptIndex(f"Indeksversionen {version} mangler {MANIFEST}.") from exc
        except OSError as exc:
            raise CorruptIndex(f"{path} kan ikke læses: {exc}") from exc
        except ValidationError as exc:
            raise CorruptIndex(f"{path} kan ikke læses: {exc.error_count()} fejl, fx "
                               f"{'.'.join(map(str, exc.errors()[0]['loc']))}: {exc.errors()[0]['msg']}") from exc

    def versions(self) -> list[str]:
        """Complete versions, oldest first (ids sort by creation time)."""
        if not self.versions_dir.is_dir():
            return []
        return sorted(p.name for p in self.versions_dir.iterdir() if not p.name.startswith(".")
                      and (p / MANIFEST).is_file())

    def staging(self, version: str) -> Path:
        path = self.versions_dir / f".building-{version}"
        path.mkdir(parents=True, exist_ok=False)
        return path

    def commit(self, staging: Path, version: str, manifest: VersionManifest) -> Path:
        """Flush every part to disk, write the manifest last, then move the directory into place:
        after a crash or a power cut a version either has all its parts or no manifest."""
        for part in staging.rglob("*"):
            if part.is_file():
                with open(part, "rb+") as fh:
                    os.fsync(fh.fileno())
        write_atomic(staging / MANIFEST, manifest.to_json())
        final = self.path(version)
        os.replace(staging, final)
        _fsync_dir(self.versions_dir)
        return final

    def discard_staging(self) -> None:
        """Remove what crashed builds left behind; they never became versions."""
        if self.versions_dir.is_dir():
            for p in self.versions_dir.glob(".building-*"):
                shutil.rmtree(p, ignore_errors=True)

    def prune(self, keep: int) -> list[str]:
        """Keep the live version and the ``keep - 1`` it would roll back to, plus the newest version
        when it never went live (kept for inspection); remove the rest."""
        pointer = self.pointer()
        versions = self.versions()
        keepers: set[str] = set()
        if pointer:
            keepers = {pointer.version, *pointer.previous[: max(keep - 1, 0)]}
        if versions:
            keepers.add(versions[-1])
        removed = [v for v in versions if v not in keepers]
        for v in removed:
            shutil.rmtree(self.path(v), ignore_errors=True)
        if pointer and removed:
            # Forget removed versions in the rollback history too.
            self.root.mkdir(parents=True, exist_ok=True)
            prev = [v for v in pointer.previous if v not in removed]
            write_atomic(self.root / LIVE, json.dumps({"version": pointer.version, "previous": prev}, indent=2))
        return removed


def write_passages(path: Path, passages: Iterable[Passage]) -> None:
    with open(path / PASSAGES, "w", encoding="utf-8") as fh:
        for p in passages:
            fh.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")


def read_passages(path: Path) -> list[Passage]:
    try:
        with open(path / PASSAGES, encoding="utf-8") as fh:
            return [Passage.from_dict(json.loads(line)) for line in fh if line.strip()]
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise CorruptIndex(f"{path / PASSAGES} kan ikke læses: {exc}") from exc


def load_parts(path: Path, manifest: VersionManifest) -> tuple[list[Passage], DenseIndex, LexicalIndex]:
    """A version's passages, FAISS index and BM25 index, checked to belong together; CorruptIndex
    when any is unreadable or their counts differ. One function for loading and for checking
    before a rollback, so the two cannot drift apart."""
    # Imported here: the store is also used where faiss and bm25s are not needed (`kb status`).
    from index.dense import DenseIndex
    from index.lexical import LexicalIndex

    passages = read_passages(path)
    part = "vectors.faiss"
    try:
        dense = DenseIndex.load(path)
        part = "lexical/"
        lexical = LexicalIndex.load(path / "lexical")
    except CorruptIndex:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable part means the version is unusable
        # The library's own words (a FAISS C++ trace) go to the log; the message, which /readyz
        # and the API's 503 show, names the part that failed and what to do.
        log.warning("index version %s: %s cannot be loaded: %s", path.name, part, exc)
        raise CorruptIndex(f"Indeksversionen {path.name} kan ikke indlæses: {part} er ulæselig "
                           f"({type(exc).__name__}; se loggen). Byg igen med `kb ingest`, eller brug "
                           "`kb rollback`.") from exc
    if dense.count != len(passages) or lexical.count != len(passages):
        raise CorruptIndex(f"Indeksversionen {path.name} er ufuldstændig (antal passager passer ikke).")
    if dense.dimension != manifest.dimension:
        raise CorruptIndex(f"Indeksversionen {path.name} har vektorer af dimension {dense.dimension}, "
                           f"men dens manifest siger {manifest.dimension}.")
    return passages, dense, lexical


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
