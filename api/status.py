"""What `kb status` and `GET /api/publications` report about the live index and the corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.store import VersionStore
from ingest.fetchstate import read_facts
from ingest.settings import Settings


def without_server_paths(text: str | None, settings: Settings) -> str | None:
    """A build error with files by name, not by where they lie on the server
    ("Filen /srv/kb/corpus/vejledning.pdf er en HTML-side" → "Filen vejledning.pdf …").

    Builds now write their errors so; versions built before still hold the full paths in their
    manifest, which `kb status` and the public API show. The log keeps full paths."""
    if not text:
        return text
    for folder in (settings.corpus_dir, settings.data_dir):
        text = text.replace(f"{Path(folder).resolve()}/", "").replace(f"{folder}/", "")
    return text


def collect_status(settings: Settings) -> dict[str, Any]:
    store = VersionStore(settings.data_dir)
    pointer = store.pointer()
    versions = store.versions()
    # The one place a report names where the index lies: the folder to look in, back up or free.
    data: dict[str, Any] = {"data_dir": str(Path(settings.data_dir).resolve()), "live": None,
                            "versions": versions, "previous": [], "not_live": versions}
    if pointer is None or not store.exists(pointer.version):
        return data
    manifest = store.manifest(pointer.version)
    data["previous"] = list(pointer.previous)
    # Versions on disk neither live nor in the rollback history: in practice a refused build, kept
    # while it is the newest for inspection. Without a live pointer, every version is such.
    data["not_live"] = [v for v in data["versions"] if v != pointer.version and v not in pointer.previous]
    publications = []
    for pub in manifest.publications:
        facts = read_facts(settings.corpus_dir, pub.id)
        publications.append({**pub.model_dump(), "error": without_server_paths(pub.error, settings),
                             "fetch": facts.to_dict() if facts else None})
    data["live"] = {**manifest.model_dump(include={"version", "created", "model", "dimension", "passage_count"}),
                    "publications": publications}
    if manifest.model != settings.embedding_model:
        data["model_mismatch"] = (f"det live indeks er bygget med {manifest.model!r}, men "
                                  f"KB_EMBEDDING_MODEL er {settings.embedding_model!r}; kør `kb ingest`.")
    return data
